"""In-app notifications: a `notifications` row the user lists and marks read, delivered live to every
socket of theirs (through `realtime.events`) once the transaction that made it commits.

`key` makes a notification once-only (a budget alert per budget, category, threshold and period): a
second one with the same key for the same user and type adds nothing (a unique index decides).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Uuid, func, select, text, update
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


@dataclass(frozen=True)
class Note:
    """One notification to record: for whom, its template's variables, what it is about, and the key that
    makes it once-only."""

    user_id: int
    variables: dict[str, object]
    related: tuple[str, str] | None = None
    meta: dict[str, Any] | None = None
    key: str | None = None


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
    """One notification (see `notify_all`); None when it is turned off or its key was used before."""
    made = await notify_all(
        session, notification_type, [Note(user_id, variables, related, meta, key)], priority=priority
    )
    return await session.get(Notification, made[0]) if made else None


async def notify_all(
    session: AsyncSession,
    notification_type: str,
    notes: Sequence[Note],
    *,
    priority: NotificationPriority = NotificationPriority.NORMAL,
) -> list[uuid.UUID]:
    """Record the notifications (their text from the type's template and each note's variables) as each
    user's preference for the type says: nothing when they turned it off; the in-app copy at once (on their
    sockets after commit); the other channels by the worker, now or when quiet hours end or the digest is
    due. A note whose key was used before for that user and type adds nothing (a unique index decides, so
    two workers cannot both write it). A few queries for any number of notes; returns the ids of those made."""
    recipients = await preferences.for_delivery_many(session, (note.user_id for note in notes), notification_type)
    wanted = [(note, recipients[note.user_id]) for note in notes
              if note.user_id in recipients and recipients[note.user_id].preference.is_enabled]  # fmt: skip
    if not wanted:
        return []
    languages = {recipient.language for _, recipient in wanted}
    texts = await templates.event_texts(session, notification_type, DeliveryChannel.IN_APP, languages)
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    deliver_now = False
    for note, recipient in wanted:
        pref = recipient.preference
        variables = {name: str(value) for name, value in note.variables.items()}
        meta = {**(note.meta or {}), "variables": variables, **({"key": note.key} if note.key else {})}
        channels = sorted({m.value for m in pref.delivery_methods})
        others = [c for c in channels if c != DeliveryChannel.IN_APP.value]
        due = preferences.schedule(pref, recipient.timezone, now) if others else None
        deliver_now |= due is not None and due <= now + timedelta(seconds=1)
        title, message = templates.fill(texts[recipient.language], variables)
        rows.append({
            "id": uuid.uuid4(), "user_id": note.user_id, "sender_id": None, "notification_type": notification_type,
            "title": title[:200], "message": message, "priority": priority, "is_read": False, "read_at": None,
            "related_object_type": note.related[0] if note.related else None,
            "related_object_id": note.related[1] if note.related else None, "action_url": None,
            "metadata": meta, "delivery_channels": channels, "scheduled_for": due, "is_sent": not others,
            "sent_at": None if others else now, "created_at": now, "updated_at": now,
        })  # fmt: skip
    made = set(await session.scalars(_INSERT_NEW, {"rows": json.dumps(rows, default=str)}))
    live = [row for row in rows if row["id"] in made and DeliveryChannel.IN_APP.value in row["delivery_channels"]]
    events.publish_many_after_commit(session, [(row["user_id"], {"type": "notification", "notification": _live(row)})
                                               for row in live])  # fmt: skip
    if deliver_now and made:
        # Now, not at the next minute's pass; the job id makes a burst of notifications one run.
        jobs.enqueue_after_commit(session, DELIVER_JOB, job_id=f"notifications:{now:%Y%m%d%H%M%S}")
    return [row["id"] for row in rows if row["id"] in made]


# Any number of rows in one prepared statement: the batch travels as one JSON array that PostgreSQL turns
# into rows, so batches of every size share one plan (a multi-row VALUES is a new statement per size).
_COLUMNS = ", ".join(column.name for column in Notification.__table__.columns)
_INSERT_NEW = text(
    f"""
    INSERT INTO notifications ({_COLUMNS})
    SELECT {_COLUMNS} FROM jsonb_populate_recordset(NULL::notifications, CAST(:rows AS jsonb))
    ON CONFLICT (user_id, notification_type, (metadata ->> 'key')) WHERE (metadata ->> 'key') IS NOT NULL
    DO NOTHING
    RETURNING id
    """  # noqa: S608 - constant column names; the rows are one bound parameter
).columns(id=Uuid())


def _live(row: dict[str, Any]) -> dict[str, Any]:
    # The row was built above with the right types: serialise it as the API would, without validating it again.
    return NotificationOut.model_construct(
        id=row["id"], notification_type=row["notification_type"], title=row["title"], message=row["message"],
        priority=row["priority"], is_read=False, read_at=None, related_object_type=row["related_object_type"],
        related_object_id=row["related_object_id"], action_url=None, metadata=row["metadata"],
        created_at=row["created_at"],
    ).model_dump(mode="json")  # fmt: skip


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
