"""Telling the people in an expense that it was added, edited, deleted or commented on. The request only
pushes a small event after its commit (one Redis RPUSH); a worker drains them every two seconds and writes
one notification per person but the one who acted, so a five-way split costs the request microseconds, not
five notifications. Each event carries an id, and each notification's key names it: an event handled twice
notifies once.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import ARRAY, Uuid, bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app import jobs
from app.models import User
from app.services.notifications import inapp

STREAM = "expense-events"
BATCH = 200
# event -> (notification type, the action's words in the expense_changed template)
_KINDS = {
    "added": ("expense_added", ""),
    "edited": ("expense_changed", "edited"),
    "deleted": ("expense_changed", "deleted"),
    "restored": ("expense_changed", "restored"),
    "comment": ("comment", ""),
}


def notify_later(session: AsyncSession, expense_id: uuid.UUID, actor_id: int, event: str) -> None:
    jobs.push_event_after_commit(session, STREAM, {"expense_id": str(expense_id), "actor_id": actor_id,
                                                   "event": event, "event_id": uuid.uuid4().hex})  # fmt: skip


async def drain(session_factory: Any) -> int:
    """Handle the events waiting (a batch at a time) and drop them once their notifications are committed."""
    made = 0
    while events := await jobs.event_batch(STREAM, BATCH):
        async with session_factory() as session:
            made += await notify_people(session, events)
        await jobs.drop_events(STREAM, len(events))
    return made


# The expenses of a batch of events with their people (shares and payers) and each one's share.
_EXPENSES = text(
    """
    SELECT e.id, e.title, e.amount, c.code, c.decimal_places,
           (SELECT array_agg(s.user_id ORDER BY s.user_id) FROM expense_shares s WHERE s.expense_id = e.id) AS sharers,
           (SELECT array_agg(s.amount ORDER BY s.user_id) FROM expense_shares s WHERE s.expense_id = e.id) AS shares,
           (SELECT array_agg(p.user_id) FROM expense_payers p WHERE p.expense_id = e.id) AS payers
    FROM expenses e JOIN currencies c ON c.id = e.currency_id
    WHERE e.id = ANY(:ids)
    """
).bindparams(bindparam("ids", type_=ARRAY(Uuid())))


async def notify_people(session: AsyncSession, events: list[dict[str, Any]]) -> int:
    """One notification per event for everyone in its expense but the one who acted, keyed by the event id;
    a handful of queries for the whole batch."""
    ids = list({uuid.UUID(event["expense_id"]) for event in events})
    expenses = {row.id: row for row in await session.execute(_EXPENSES, {"ids": ids})}
    actor_ids = {int(event["actor_id"]) for event in events}
    actors = dict((await session.execute(select(User.id, User.username).where(User.id.in_(actor_ids)))).all())
    notes: dict[str, list[inapp.Note]] = defaultdict(list)
    for event in events:
        found = expenses.get(uuid.UUID(event["expense_id"]))
        if found is None:
            continue
        actor_id = int(event["actor_id"])
        shares = dict(zip(found.sharers or [], found.shares or [], strict=True))
        kind, action = _KINDS[event["event"]]
        unit = f"{{:.{found.decimal_places}f}}"
        for person in sorted((set(shares) | set(found.payers or [])) - {actor_id}):
            share = shares.get(person)
            line = (f"Your share is {unit.format(share)} {found.code} of {unit.format(found.amount)} {found.code}."
                    if share is not None else f"The expense is {unit.format(found.amount)} {found.code}.")  # fmt: skip
            variables = {"actor": actors.get(actor_id, "Someone"), "action": action, "title": found.title,
                         "share_line": line}  # fmt: skip
            notes[kind].append(inapp.Note(person, variables, related=("expense", str(found.id)),
                                          key=f"{event['event']}:{event['event_id']}"))  # fmt: skip
    made = 0
    for kind, kind_notes in notes.items():
        made += len(await inapp.notify_all(session, kind, kind_notes))
    return made
