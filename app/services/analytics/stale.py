"""Days whose analytics a change left behind. The five-minute pass recomputes what changed expenses
touch *now*; moving an expense to another day, taking someone out of its split, or deleting it outright
(a statement's untouched rows go with the statement) leaves the old day's rows for people the expense no
longer names. Such a change pushes the old day after commit, and the pass recomputes it with the rest.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app import jobs

STREAM = "analytics-stale"
BATCH = 5000


@dataclass(frozen=True)
class StaleDay:
    day: date
    users: frozenset[int]
    group_id: uuid.UUID | None


def mark_after_commit(
    session: AsyncSession, day: date, users: Iterable[int], group_id: uuid.UUID | None = None
) -> None:
    people = sorted(set(users))
    if people or group_id is not None:
        event = {"day": day.isoformat(), "users": people, "group_id": str(group_id) if group_id else None}
        jobs.push_event_after_commit(session, STREAM, event)


async def pending() -> list[StaleDay]:
    """The days waiting, oldest first; `done(len(...))` once they are recomputed and committed."""
    return [
        StaleDay(
            date.fromisoformat(e["day"]), frozenset(e["users"]), uuid.UUID(e["group_id"]) if e["group_id"] else None
        )
        for e in await jobs.event_batch(STREAM, BATCH)
    ]


async def done(count: int) -> None:
    if count:
        await jobs.drop_events(STREAM, count)
