"""Groups: balances and settle-up (the rest of the group API arrives with issue 4)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from app.db import SessionDep
from app.deps import CurrentUser
from app.services.balances import queries
from app.services.balances.schemas import CurrencyBalancesOut, MemberBalance, SettleUpOut, TransferOut
from app.services.groups.access import member_group

router = APIRouter(prefix="/groups", tags=["balances"])


@router.get("/{group_id}/balances", summary="Each member's net balance in the group, per currency")
async def group_balances(group_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> list[CurrencyBalancesOut]:
    await member_group(session, user, group_id)
    return [
        CurrencyBalancesOut(
            currency=entry.currency,
            balances=[MemberBalance(user_id=member, balance=amount) for member, amount in entry.balances.items()],
        )
        for entry in await queries.group_balances(session, group_id)
    ]


@router.get("/{group_id}/settle-up", summary="The fewest transfers that settle every balance in the group")
async def settle_up(group_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> SettleUpOut:
    await member_group(session, user, group_id)
    plan = queries.settle_up_plan(await queries.group_balances(session, group_id))
    return SettleUpOut(transfers=[TransferOut(**vars(transfer)) for transfer in plan])
