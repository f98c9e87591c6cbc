"""In-app notifications: a `notifications` row the user lists and marks read, delivered live to every
socket of theirs (through `realtime.events`) once the transaction that made it commits.

`key` makes a notification once-only (a budget alert per budget, category, threshold and period): a
second call with the same key for the same user and type finds the first and adds nothing.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app import jobs
from app.errors import NotFound
from app.models import Notification
from app.models.enums import DeliveryChannel, NotificationPriority
from app.pagination import newest_first
from app.services.notifications import preferences, templates
from app.services.realtime import events

DELIVER_JOB = "deliver_due_notifications"


class NotificationOut(BaseModel):
    id: uuid.UUID
    notification_type: str
    title: str
    message: str
    priority: NotificationPriority
    is_read: bool
    read_at: datetime | None
    related_object_type: str | None
    related_object_id: str | None
    action_url: str | None
    metadata: dict[str, Any]
    created_at: datetime


def notification_out(row: Notification) -> NotificationOut:
    return NotificationOut(
        id=row.id, notification_type=row.notification_type, title=row.title, message=row.message,
        priority=row.priority, is_read=row.is_read, read_at=row.read_at, related_object_type=row.related_object_type,
        related_object_id=row.related_object_id, action_url=row.action_url, metadata=row.meta,
        created_at=row.created_at,
    )  # fmt: skip


async def notify(
    session: AsyncSession,
    user_id: int,
    notification_type: str,
    variables: dict[str, object],
    *,
    related: tuple[str, str] | None = None,
    meta: dict[str, Any] | None = None,
    key: str | None = None,
    priority: NotificationPriority = NotificationPriority.NORMAL,
) -> Notification | None:
    """Record the notification (its text from the type's template and `variables`) as the user's preference
    for its type says: nothing when they turned it off; the in-app copy at once (on their sockets after
    commit); the other channels by the worker, now or when quiet hours end or the digest is due. None when
    off, or when `key` was used before."""
    recipient = await preferences.for_delivery(session, user_id, notification_type)
    pref = recipient.preference
    if not pref.is_enabled:
        return None
    variables = {name: str(value) for name, value in variables.items()}
    meta = {**(meta or {}), "variables": variables, **({"key": key} if key else {})}
    if key is not None:
        seen = await session.scalar(
            select(Notification.id).where(
                Notification.user_id == user_id,
                Notification.notification_type == notification_type,
                Notification.meta.contains({"key": key}),
            )
        )
        if seen is not None:
            return None
    now = datetime.now(UTC)
    channels = sorted({m.value for m in pref.delivery_methods})
    others = [c for c in channels if c != DeliveryChannel.IN_APP.value]
    due = preferences.schedule(pref, recipient.timezone, now) if others else None
    title, message = await templates.render_event(session, notification_type, DeliveryChannel.IN_APP, variables,
                                                  recipient.language)  # fmt: skip
    row = Notification(
        id=uuid.uuid4(), user_id=user_id, notification_type=notification_type, title=title[:200], message=message,
        priority=priority, related_object_type=related[0] if related else None,
        related_object_id=related[1] if related else None, meta=meta, delivery_channels=channels,
        scheduled_for=due, is_sent=not others, sent_at=now if not others else None, created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(row)
    await session.flush()
    if DeliveryChannel.IN_APP.value in channels:
        events.publish_after_commit(
            session, user_id, {"type": "notification", "notification": notification_out(row).model_dump(mode="json")}
        )
    if due is not None and due <= now + timedelta(seconds=1):
        # Now, not at the next minute's pass; the job id makes a burst of notifications one run.
        jobs.enqueue_after_commit(session, DELIVER_JOB, job_id=f"notifications:{now:%Y%m%d%H%M%S}")
    return row


def _in_app(user_id: int) -> Any:
    """The user's notifications meant for the app (e-mail-only records, like verification codes, are not)."""
    return (Notification.user_id == user_id) & Notification.delivery_channels.contains([DeliveryChannel.IN_APP.value])


async def page(
    session: AsyncSession, user_id: int, *, unread: bool, cursor: str | None, limit: int
) -> tuple[list[Notification], str | None]:
    query = select(Notification).where(_in_app(user_id))
    if unread:
        query = query.where(Notification.is_read.is_(False))
    return await newest_first(session, query, Notification, cursor=cursor, limit=limit)


async def unread_count(session: AsyncSession, user_id: int) -> int:
    query = select(func.count()).where(_in_app(user_id), Notification.is_read.is_(False))
    return int(await session.scalar(query) or 0)


async def mark_read(session: AsyncSession, user_id: int, notification_id: uuid.UUID) -> Notification:
    row = await session.scalar(select(Notification).where(Notification.id == notification_id, _in_app(user_id)))
    if row is None:
        raise NotFound("No such notification.")
    if not row.is_read:
        row.is_read, row.read_at = True, datetime.now(UTC)
        await session.flush()
    return row


async def mark_all_read(session: AsyncSession, user_id: int) -> int:
    result = await session.execute(
        update(Notification)
        .where(_in_app(user_id), Notification.is_read.is_(False))
        .values(is_read=True, read_at=datetime.now(UTC))
    )
    return result.rowcount or 0
