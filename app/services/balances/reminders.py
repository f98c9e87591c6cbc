"""Reminders: nudge someone who owes you to settle up (Splitwise's "Remind").

The reminder names what they owe you, per currency, as `GET /balances` shows it, and reaches them as a
`payment_reminder` notification by the channels they chose. One a day per person: a second one the same
day (in your time zone) adds nothing, and says so. Nobody can be reminded of a debt that is not there,
and people who blocked each other cannot remind each other.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Unprocessable
from app.models import User
from app.schemas import Money
from app.services.balances.overview import balances_of
from app.services.expenses.service import today_for
from app.services.friends.relations import is_blocked
from app.services.notifications import inapp

KIND = "payment_reminder"


class ReminderIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    user_id: int = Field(ge=1, le=2**63 - 1, description="Who owes you.")
    note: str | None = Field(default=None, max_length=300, description="A line of your own to go with it.")


class Owed(BaseModel):
    amount: Money
    currency: str


class ReminderOut(BaseModel):
    user_id: int
    owed: list[Owed] = Field(description="What they owe you, per currency.")
    sent: bool = Field(
        description="Whether a reminder went out now: one a day per person, and none to someone who turned "
        "reminders off."
    )


async def remind(session: AsyncSession, user: User, data: ReminderIn) -> ReminderOut:
    if data.user_id == user.id:
        raise Unprocessable("You cannot remind yourself.", field="user_id")
    position = await balances_of(session, user.id)
    owed = [Owed(amount=p.amount, currency=p.currency) for p in position.balances
            if p.user_id == data.user_id and p.amount > 0]  # fmt: skip
    if not owed or await is_blocked(session, user.id, data.user_id):
        raise Unprocessable("This person owes you nothing, so there is nothing to remind them of.", field="user_id")
    amounts = " and ".join(f"{o.amount} {o.currency}" for o in owed)
    made = await inapp.notify(
        session,
        data.user_id,
        KIND,
        {"actor": user.username, "amounts": amounts, "note": data.note or "Settle up in the app when you can."},
        related=("user", str(user.id)),
        key=f"reminder:{user.id}:{today_for(user).isoformat()}",
    )
    return ReminderOut(user_id=data.user_id, owed=owed, sent=made is not None)
