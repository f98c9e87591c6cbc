"""Telling the people in an expense that it was added, edited, deleted or commented on. The request only
pushes a small event after its commit (one Redis RPUSH); a worker drains them every two seconds and writes
one notification per person but the one who acted, so a five-way split costs the request microseconds, not
five notifications. Each event carries an id, and each notification's key names it: an event handled twice
notifies once.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncSession

from app import jobs
from app.models import Currency, Expense, ExpensePayer, ExpenseShare, User
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
            for event in events:
                made += await notify_people(session, uuid.UUID(event["expense_id"]), int(event["actor_id"]),
                                            event["event"], event["event_id"])  # fmt: skip
        await jobs.drop_events(STREAM, len(events))
    return made


async def notify_people(session: AsyncSession, expense_id: uuid.UUID, actor_id: int, event: str, event_id: str) -> int:
    found = (
        await session.execute(
            select(Expense.title, Expense.amount, Currency.code, Currency.decimal_places)
            .join(Currency, Currency.id == Expense.currency_id)
            .where(Expense.id == expense_id)
        )
    ).one_or_none()
    if found is None:
        return 0
    title, amount, code, places = found
    people = set(await session.scalars(union(
        select(ExpenseShare.user_id).where(ExpenseShare.expense_id == expense_id),
        select(ExpensePayer.user_id).where(ExpensePayer.expense_id == expense_id),
    )))  # fmt: skip
    people.discard(actor_id)
    if not people:
        return 0
    actor = await session.scalar(select(User.username).where(User.id == actor_id)) or "Someone"
    shares = dict((await session.execute(select(ExpenseShare.user_id, ExpenseShare.amount).where(
        ExpenseShare.expense_id == expense_id))).all())  # fmt: skip
    kind, action = _KINDS[event]
    unit = f"{{:.{places}f}}"
    made = 0
    for person in sorted(people):
        share = shares.get(person)
        line = (f"Your share is {unit.format(share)} {code} of {unit.format(amount)} {code}." if share is not None
                else f"The expense is {unit.format(amount)} {code}.")  # fmt: skip
        variables = {"actor": actor, "action": action, "title": title, "share_line": line}
        note = await inapp.notify(session, person, kind, variables, related=("expense", str(expense_id)),
                                  key=f"{event}:{event_id}")  # fmt: skip
        made += note is not None
    return made
