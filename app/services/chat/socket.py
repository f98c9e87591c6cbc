"""The chat WebSocket protocol (documented in docs/chat.md). One `ChatSocket` per connection.

Every client message is handled in its own unit of work and answered on this socket; what it changed is
also published to the user's other sockets (on any server process) through `realtime.events`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.deps import signed_in_user
from app.errors import AppError, Unauthorized, database_problem
from app.logging import get_logger
from app.models import ChatMessage, User
from app.models.enums import ChatMessageStatus, QuickAddMode
from app.services.chat import service
from app.services.chat.schemas import ParseRequest, SuggestionEdits
from app.services.realtime import events

log = get_logger(__name__)
CLOSE_UNAUTHORIZED = 4401
AUTH_TIMEOUT_SECONDS = 10
_UNKNOWN_TYPE = "Unknown type: use message, confirm, cancel, resume or ping."
_BAD_SINCE = "resume needs 'since': the 'at' of the last event you saw (ISO 8601)."
_DROPPED = "Some events were dropped while this socket was slow; send resume with the last 'at' you saw."


def _read_time(value: Any) -> datetime | None:
    try:
        found = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return found if found.tzinfo is not None else found.replace(tzinfo=UTC)


Sessions = Callable[[], AbstractAsyncContextManager[AsyncSession]]


class ClientMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    type: str = "message"
    content: str = Field(min_length=1, max_length=1000)
    conversation_id: str = Field(default="main", min_length=1, max_length=255)
    group_id: uuid.UUID | None = None
    mode: QuickAddMode | None = None
    client_message_id: str | None = Field(default=None, min_length=1, max_length=100)


class ClientConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str = "confirm"
    message_id: uuid.UUID
    edits: SuggestionEdits | None = None


class ClientCancel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str = "cancel"
    message_id: uuid.UUID


def message_event(message: ChatMessage) -> dict[str, Any]:
    """What a message's current state looks like as a server event (also used to replay it)."""
    base: dict[str, Any] = {
        "message_id": str(message.id),
        "client_message_id": message.client_message_id,
        "status": message.status,
        "at": message.updated_at.isoformat(),
    }
    if message.status == ChatMessageStatus.COMPLETED:
        return {"type": "expense_created", **base, "expense_id": str(message.expense_id)}
    if message.status == ChatMessageStatus.FAILED:
        kind = "cancelled" if message.meta.get("cancelled") else "error"
        return {"type": kind, **base, "detail": message.meta.get("error")}
    return {
        "type": "suggestion",
        **base,
        "content": message.content,
        "conversation_id": message.conversation_id,
        "suggestion": message.meta.get("parsed"),
    }


class ChatSocket:
    def __init__(self, websocket: WebSocket, sessions: Sessions, hub: events.Hub, settings: Settings) -> None:
        self.websocket = websocket
        self.sessions = sessions
        self.hub = hub
        self.settings = settings
        self.token: str | None = None
        self.user_id = 0
        self.listener: events.Listener | None = None
        self._send_lock = asyncio.Lock()

    async def send(self, event: dict[str, Any]) -> None:
        async with self._send_lock:
            await self.websocket.send_text(json.dumps(event, default=str))

    async def _user(self, session: AsyncSession) -> User:
        """The caller, checked again on every message: a signed-out session stops working at once."""
        user, _ = await signed_in_user(session, self.settings, self.token)
        return user

    async def authenticate(self, token: str | None) -> bool:
        if token is None:
            try:
                first = json.loads(await asyncio.wait_for(self.websocket.receive_text(), AUTH_TIMEOUT_SECONDS))
                token = first.get("token") if isinstance(first, dict) and first.get("type") == "auth" else None
            except (TimeoutError, ValueError):
                token = None
        self.token = token
        try:
            async with self.sessions() as session:
                self.user_id = (await self._user(session)).id
        except Unauthorized as error:
            await self.websocket.close(code=CLOSE_UNAUTHORIZED, reason=error.detail[:120])
            return False
        await self.send({"type": "ready", "user_id": self.user_id})
        return True

    async def run(self, since: datetime | None) -> None:
        self.listener = events.Listener(self.user_id)
        await self.hub.join(self.listener)
        forwarder = asyncio.create_task(self._forward())
        try:
            if since is not None:
                await self.replay(since if since.tzinfo else since.replace(tzinfo=UTC))
            while True:
                raw = await self.websocket.receive_text()
                if not await self.handle(raw):
                    break
        except WebSocketDisconnect:
            pass
        finally:
            forwarder.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await forwarder
            await self.hub.leave(self.listener)

    async def _forward(self) -> None:
        assert self.listener is not None
        while True:
            event = await self.listener.queue.get()
            await self.send(event)
            if self.listener.overflowed:
                self.listener.overflowed = False
                await self.send({"type": "error", "detail": _DROPPED})

    async def replay(self, since: datetime) -> None:
        async with self.sessions() as session:
            user = await self._user(session)
            missed = await service.changed_since(session, user, since)
        for message in missed:
            await self.send({**message_event(message), "replayed": True})

    async def handle(self, raw: str) -> bool:
        """Answer one client message; False when the socket must close."""
        try:
            data = json.loads(raw)
            kind = data.get("type") if isinstance(data, dict) else None
        except ValueError:
            await self.send({"type": "error", "detail": "That is not JSON."})
            return True
        try:
            if kind == "ping":
                await self.send({"type": "pong"})
            elif kind == "message":
                await self._on_message(ClientMessage.model_validate(data))
            elif kind == "confirm":
                await self._on_confirm(ClientConfirm.model_validate(data))
            elif kind == "cancel":
                await self._on_cancel(ClientCancel.model_validate(data))
            elif kind == "resume":
                since = _read_time(data.get("since"))
                if since is None:
                    await self.send({"type": "error", "detail": _BAD_SINCE})
                else:
                    await self.replay(since)
            else:
                await self.send({"type": "error", "detail": _UNKNOWN_TYPE})
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            detail = f"{where}: {first['msg']}"
            await self.send({"type": "error", "detail": detail, "message_id": data.get("message_id")})
        except Unauthorized as error:
            await self.websocket.close(code=CLOSE_UNAUTHORIZED, reason=error.detail[:120])
            return False
        except AppError as error:
            await self._send_error(error, data)
        except DBAPIError as error:  # as over HTTP: a race, a value the database refused, a lost connection
            problem = database_problem(error, "chat socket")
            if problem is None:
                raise
            await self._send_error(problem, data)
        return True

    async def _send_error(self, error: AppError, data: dict[str, Any]) -> None:
        event = {"type": "error", "code": error.code, "detail": error.detail, "message_id": data.get("message_id")}
        await self.send(event)

    def _tell_others(self, session: AsyncSession, event: dict[str, Any]) -> None:
        """The user's other sockets get `event` once this unit of work commits."""
        events.publish_after_commit(session, self.user_id, event, origin=self.listener.id if self.listener else None)

    async def _on_message(self, incoming: ClientMessage) -> None:
        request = ParseRequest(
            content=incoming.content, conversation_id=incoming.conversation_id, group_id=incoming.group_id,
            mode=incoming.mode,
        )  # fmt: skip
        async with self.sessions() as session:
            user = await self._user(session)
            message = await service.submit(session, self.settings, user, request, incoming.client_message_id)
            event = message_event(message)
            self._tell_others(session, event)
        await self.send(event)

    async def _on_confirm(self, incoming: ClientConfirm) -> None:
        async with self.sessions() as session:
            user = await self._user(session)
            try:
                message, expense = await service.confirm(session, user, incoming.message_id, incoming.edits)
            except AppError as error:
                if error.keep_changes:  # the failure is recorded on the message: the other sockets hear of it
                    failed = {"type": "error", "message_id": str(incoming.message_id), "status": "failed",
                              "code": error.code, "detail": error.detail}  # fmt: skip
                    self._tell_others(session, failed)
                raise
            event = {**message_event(message), "expense": expense.model_dump(mode="json")}
            self._tell_others(session, event)
        await self.send(event)

    async def _on_cancel(self, incoming: ClientCancel) -> None:
        async with self.sessions() as session:
            user = await self._user(session)
            message = await service.cancel(session, user, incoming.message_id)
            event = message_event(message)
            self._tell_others(session, event)
        await self.send(event)
