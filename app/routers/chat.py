"""Chat entry over HTTP and the WebSocket (protocol in docs/chat.md)."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

from fastapi import APIRouter, Body, Query, WebSocket
from fastapi.responses import FileResponse
from pydantic import BaseModel

from app.db import SessionDep, SocketSessions
from app.deps import CurrentUser, SettingsDep
from app.errors import AppError
from app.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from app.services.chat import service
from app.services.chat.schemas import (
    ChatMessageOut,
    ConversationOut,
    MentionSuggestion,
    ParseRequest,
    ParseResult,
    SuggestionEdits,
)
from app.services.chat.socket import ChatSocket, message_event
from app.services.expenses.schemas import ExpenseOut
from app.services.realtime import events

router = APIRouter(tags=["chat"])
page_router = APIRouter(tags=["chat"])  # served at the site root, outside /api/v1


class ParseResponse(ParseResult):
    message_id: uuid.UUID
    status: str


class ConfirmResponse(BaseModel):
    message: ChatMessageOut
    expense: ExpenseOut


@router.post("/chat/parse", response_model=ParseResponse)
async def parse_message(
    body: ParseRequest, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> ParseResponse:
    """Parse a message into a suggested expense and store it (confirm it to make the expense)."""
    message = await service.submit(session, settings, user, body)
    events.publish_after_commit(session, user.id, message_event(message))
    suggestion = service.suggestion_of(message)
    return ParseResponse(**suggestion.model_dump(), message_id=message.id, status=message.status)


@router.post("/chat/messages/{message_id}/confirm", response_model=ConfirmResponse)
async def confirm_message(
    message_id: uuid.UUID, user: CurrentUser, session: SessionDep, edits: SuggestionEdits | None = Body(default=None)
) -> ConfirmResponse:
    """Make the suggested expense, with any edits. Confirming twice returns the same expense."""
    try:
        message, expense = await service.confirm(session, user, message_id, edits)
    except AppError as error:
        if error.keep_changes:
            failed = {"type": "error", "message_id": str(message_id), "status": "failed", "detail": error.detail}
            events.publish_after_commit(session, user.id, failed)
        raise
    created = {**message_event(message), "expense": expense.model_dump(mode="json")}
    events.publish_after_commit(session, user.id, created)
    return ConfirmResponse(message=service.message_out(message), expense=expense)


@router.post("/chat/messages/{message_id}/cancel", response_model=ChatMessageOut)
async def cancel_message(message_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> ChatMessageOut:
    message = await service.cancel(session, user, message_id)
    events.publish_after_commit(session, user.id, message_event(message))
    return service.message_out(message)


@router.get("/chat/conversations", response_model=list[ConversationOut])
async def list_conversations(user: CurrentUser, session: SessionDep) -> list[ConversationOut]:
    return await service.conversations(session, user)


@router.get("/chat/conversations/{conversation_id}/messages", response_model=Page[ChatMessageOut])
async def list_messages(
    conversation_id: str,
    user: CurrentUser,
    session: SessionDep,
    cursor: str | None = Query(default=None),
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> Page[ChatMessageOut]:
    """Your messages in one conversation, newest first."""
    rows, next_cursor = await service.messages_page(session, user, conversation_id, cursor=cursor, limit=limit)
    return Page[ChatMessageOut](items=[service.message_out(row) for row in rows], next_cursor=next_cursor)


@router.get("/chat/mentions", response_model=list[MentionSuggestion])
async def mention_suggestions(
    user: CurrentUser, session: SessionDep, q: str = Query(default="", max_length=100)
) -> list[MentionSuggestion]:
    """For the @ and # pop-up: friends and groups ('@jo'), categories and tags ('#gro'), by prefix."""
    return await service.mention_suggestions(session, user, q)


@router.websocket("/ws/chat")
async def chat_socket(
    websocket: WebSocket, sessions: SocketSessions, token: str | None = None, since: datetime | None = None
) -> None:
    """The chat socket: `?token=<access token>` (or a first message `{"type": "auth", "token": ...}`),
    optional `?since=<time of the last event seen>` to get what was missed."""
    await websocket.accept()
    socket = ChatSocket(websocket, sessions, websocket.app.state.events_hub, websocket.app.state.settings)
    if await socket.authenticate(token):
        await socket.run(since)


PAGE = Path(__file__).resolve().parent.parent / "static" / "chat.html"
# The page's script and styles are inline (one file, no build step); nothing else may load or run.
PAGE_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


@page_router.get("/chat", include_in_schema=False)
async def chat_page() -> FileResponse:
    """A small page to try chat entry: sign in, type a message, confirm the suggestion."""
    return FileResponse(PAGE, media_type="text/html", headers={"Content-Security-Policy": PAGE_POLICY})
