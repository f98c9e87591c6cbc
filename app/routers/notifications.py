"""In-app notifications: list (newest first, unread only if asked), unread count, mark read."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query
from pydantic import BaseModel

from app.db import SessionDep
from app.deps import CurrentUser
from app.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from app.services.notifications import inapp, preferences
from app.services.notifications.inapp import NotificationOut
from app.services.notifications.preferences import PreferenceIn, PreferenceOut

router = APIRouter(tags=["notifications"])


class UnreadCount(BaseModel):
    unread: int


@router.get("/notifications", response_model=Page[NotificationOut])
async def list_notifications(
    user: CurrentUser,
    session: SessionDep,
    unread: bool = Query(default=False, description="Only the unread ones."),
    cursor: str | None = Query(default=None),
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> Page[NotificationOut]:
    rows, next_cursor = await inapp.page(session, user.id, unread=unread, cursor=cursor, limit=limit)
    return Page[NotificationOut](items=[inapp.notification_out(row) for row in rows], next_cursor=next_cursor)


@router.get("/notifications/unread-count", response_model=UnreadCount)
async def unread_count(user: CurrentUser, session: SessionDep) -> UnreadCount:
    return UnreadCount(unread=await inapp.unread_count(session, user.id))


@router.post("/notifications/{notification_id}/read", response_model=NotificationOut)
async def mark_read(notification_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> NotificationOut:
    return inapp.notification_out(await inapp.mark_read(session, user.id, notification_id))


@router.post("/notifications/read-all", response_model=UnreadCount)
async def mark_all_read(user: CurrentUser, session: SessionDep) -> UnreadCount:
    """Mark every notification read; answers how many are still unread (none)."""
    await inapp.mark_all_read(session, user.id)
    return UnreadCount(unread=0)


@router.get("/notification-preferences", response_model=list[PreferenceOut])
async def list_preferences(user: CurrentUser, session: SessionDep) -> list[PreferenceOut]:
    """Every notification type with your choices (the defaults where you made none)."""
    return await preferences.list_preferences(session, user.id)


@router.put("/notification-preferences/{notification_type}", response_model=PreferenceOut)
async def set_preference(
    notification_type: str, body: PreferenceIn, user: CurrentUser, session: SessionDep
) -> PreferenceOut:
    """On or off, channels, quiet hours (your local time) and immediate or digest delivery for one type."""
    return await preferences.set_preference(session, user.id, notification_type, body)
