"""Live events for a user's sockets, fanned out through Redis pub/sub so that every server process
holding one of that user's sockets delivers them (a channel per user).

Each process keeps one subscription (`Hub`) and subscribes to a user's channel while at least one of
that user's sockets is open on it. An event names the socket it came from (`origin`), which already
answered its own client directly and skips the copy.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from app import jobs
from app.logging import get_logger

log = get_logger(__name__)
_HELLO = "events:hello"  # a channel subscribed at start, so the subscription exists before any user's
QUEUE_SIZE = 256


def channel(redis: Redis, user_id: int) -> str:
    # Pub/sub channels are shared by every database number of a Redis server; naming the number keeps two
    # installations (or two test workers) on one server from hearing each other.
    database = redis.connection_pool.connection_kwargs.get("db", 0)
    return f"events:{database}:user:{user_id}"


def _payload(user_id: int, event: Mapping[str, Any], origin: str | None) -> str:
    return json.dumps({"user_id": user_id, "origin": origin, "event": event}, default=str)


async def publish(redis: Redis, user_id: int, event: Mapping[str, Any], origin: str | None = None) -> None:
    await redis.publish(channel(redis, user_id), _payload(user_id, event, origin))


async def publish_many(redis: Redis, events: Sequence[tuple[int, Mapping[str, Any]]]) -> None:
    """Many users' events in one round trip (a worker's batch of notifications)."""
    async with redis.pipeline(transaction=False) as pipe:
        for user_id, event in events:
            pipe.publish(channel(redis, user_id), _payload(user_id, event, None))
        await pipe.execute()


def publish_after_commit(
    session: AsyncSession, user_id: int, event: Mapping[str, Any], origin: str | None = None
) -> None:
    jobs.after_commit(session, lambda: publish(jobs.get_queue(), user_id, event, origin))


def publish_many_after_commit(session: AsyncSession, events: Sequence[tuple[int, Mapping[str, Any]]]) -> None:
    if events:
        jobs.after_commit(session, lambda: publish_many(jobs.get_queue(), events))


class Listener:
    """One socket's inbox."""

    def __init__(self, user_id: int) -> None:
        self.user_id = user_id
        self.id = uuid.uuid4().hex
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        self.overflowed = False  # events were dropped: the client should resume from its last event


class Hub:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._pubsub = redis.pubsub(ignore_subscribe_messages=True)
        self._listeners: dict[int, set[Listener]] = {}
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        await self._pubsub.subscribe(_HELLO)
        self._task = asyncio.create_task(self._run(), name="events-hub")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._pubsub.aclose()

    async def join(self, listener: Listener) -> None:
        async with self._lock:
            listeners = self._listeners.setdefault(listener.user_id, set())
            if not listeners:
                await self._pubsub.subscribe(channel(self._redis, listener.user_id))
            listeners.add(listener)

    async def leave(self, listener: Listener) -> None:
        async with self._lock:
            listeners = self._listeners.get(listener.user_id, set())
            listeners.discard(listener)
            if not listeners:
                self._listeners.pop(listener.user_id, None)
                await self._pubsub.unsubscribe(channel(self._redis, listener.user_id))

    def _deliver(self, raw: bytes | str) -> None:
        message = json.loads(raw)
        event, origin = message["event"], message.get("origin")
        for listener in self._listeners.get(message["user_id"], ()):
            if listener.id == origin:
                continue
            try:
                listener.queue.put_nowait(event)
            except asyncio.QueueFull:
                listener.overflowed = True

    async def _run(self) -> None:
        while True:
            try:
                message = await self._pubsub.get_message(timeout=1.0)
                if message is not None and message["type"] == "message":
                    self._deliver(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception:  # a dropped Redis connection: wait and let redis-py reconnect
                log.exception("events_hub_error")
                await asyncio.sleep(1)
