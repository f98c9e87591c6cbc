"""Your position with each person, across all groups and expenses outside groups."""

from __future__ import annotations

from fastapi import APIRouter, Query

from app.db import SessionDep
from app.deps import CurrentUser
from app.services.balances.overview import balances_of
from app.services.balances.reminders import ReminderIn, ReminderOut, remind
from app.services.balances.schemas import BalancesOut
from app.services.reference.queries import active_currency

router = APIRouter(prefix="/balances", tags=["balances"])


@router.get("", summary="Who owes you and whom you owe, per person and currency, with where it comes from")
async def my_balances(
    user: CurrentUser,
    session: SessionDep,
    convert_to: str | None = Query(
        default=None, pattern=r"^[A-Za-z]{3}$", description="Also total everything in this currency."
    ),
) -> BalancesOut:
    target = await active_currency(session, convert_to) if convert_to else None
    return await balances_of(session, user.id, target)


@router.post("/reminders", summary="Remind someone who owes you to settle up (once a day per person)")
async def send_reminder(data: ReminderIn, user: CurrentUser, session: SessionDep) -> ReminderOut:
    return await remind(session, user, data)
