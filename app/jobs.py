"""The one way to talk to the job queue (arq on Redis), kept behind this module so arq could be swapped.

Jobs asked for during a request are queued on the session and sent only after it commits; a rollback
drops them. Job ids are deterministic where the caller gives one (`statement:<id>`), so sending the
same job twice is harmless.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import structlog
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from sqlalchemy.ext.asyncio import AsyncSession

_PENDING = "pending_jobs"
_AFTER_COMMIT = "after_commit"
QUEUE_NAME = "expense-tracker:queue"


@dataclass(frozen=True)
class JobRequest:
    function: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)
    job_id: str | None = None


def redis_settings(redis_url: str) -> RedisSettings:
    settings = RedisSettings.from_dsn(redis_url)
    settings.conn_timeout = 5
    settings.conn_retries = 2
    return settings


async def connect(redis_url: str) -> ArqRedis:
    return await create_pool(redis_settings(redis_url), default_queue_name=QUEUE_NAME)


_queue: ArqRedis | None = None


def set_queue(queue: ArqRedis | None) -> None:
    global _queue
    _queue = queue


def get_queue() -> ArqRedis:
    if _queue is None:
        raise RuntimeError("the job queue is not initialised; the app lifespan or worker sets it up")
    return _queue


def enqueue_after_commit(
    session: AsyncSession, function: str, *args: Any, job_id: str | None = None, **kwargs: Any
) -> None:
    """Send `function(*args, **kwargs)` to the workers once this session's transaction commits."""
    session.info.setdefault(_PENDING, []).append(JobRequest(function, args, kwargs, job_id))


def after_commit(session: AsyncSession, callback: Callable[[], Awaitable[None]]) -> None:
    """Run `callback` once this session's transaction commits (live events: never for work rolled back)."""
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


def discard_pending(session: AsyncSession) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_AFTER_COMMIT, None)


async def dispatch_pending(session: AsyncSession) -> None:
    requests: list[JobRequest] = session.info.pop(_PENDING, [])
    for request in requests:
        await enqueue(request.function, *request.args, job_id=request.job_id, **request.kwargs)
    for callback in session.info.pop(_AFTER_COMMIT, []):
        await callback()


# --- events: small records a cron job drains in batches ---------------------------------------------------
# Cheaper than a job each on a hot path (one RPUSH after commit instead of arq's pipeline and pickle); the
# drain reads a batch, handles it in one transaction, and only then trims it, so a worker that dies midway
# leaves the batch for the next run (handlers must be idempotent).


def push_event_after_commit(session: AsyncSession, stream: str, event: dict[str, Any]) -> None:
    payload = json.dumps(event, separators=(",", ":"), default=str)
    after_commit(session, lambda: get_queue().rpush(f"{QUEUE_NAME}:{stream}", payload))  # type: ignore[arg-type,return-value]


async def event_batch(stream: str, size: int) -> list[dict[str, Any]]:
    raw = await get_queue().lrange(f"{QUEUE_NAME}:{stream}", 0, size - 1)
    return [json.loads(item) for item in raw]


async def drop_events(stream: str, count: int) -> None:
    await get_queue().ltrim(f"{QUEUE_NAME}:{stream}", count, -1)


async def enqueue(function: str, *args: Any, job_id: str | None = None, **kwargs: Any) -> str | None:
    """Send a job now, carrying the caller's request id so the worker's log lines can be joined up."""
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    job = await get_queue().enqueue_job(function, *args, _job_id=job_id, request_id=request_id, **kwargs)
    return job.job_id if job else None
