"""One person's position with everyone, across all groups and expenses outside groups, per currency.

Groups that simplify debts contribute the transfers of their settle-up plan that involve this person
(what the app tells them to pay or expect, and what paying it clears); everything else contributes the
debts as recorded (pairwise.py). Optionally a total converted with the stored exchange rates.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Currency
from app.services.balances.pairwise import Debt, recorded_debts
from app.services.balances.schemas import BalancesOut, ConvertedTotal, GroupPart, PersonBalance
from app.services.balances.settle_up import settle
from app.services.expenses.allocation import from_units, to_units

# The balances of every simplifying group and currency in which this person's balance is not zero.
_SIMPLIFIED_GROUPS = text(
    """
    SELECT b.group_id, c.code, c.decimal_places, b.user_id, b.balance
    FROM group_balances b
    JOIN groups g ON g.id = b.group_id AND g.simplify_debts
    JOIN currencies c ON c.id = b.currency_id
    WHERE b.balance <> 0 AND (b.group_id, b.currency_id) IN (
        SELECT group_id, currency_id FROM group_balances WHERE user_id = :user_id AND balance <> 0
    )
    """
)


async def _simplified_debts(session: AsyncSession, user_id: int) -> list[Debt]:
    ledgers: dict[tuple[uuid.UUID, str, int], dict[int, int]] = defaultdict(dict)
    for group_id, code, places, member, balance in await session.execute(_SIMPLIFIED_GROUPS, {"user_id": user_id}):
        ledgers[(group_id, code, places)][member] = to_units(balance, places)
    return [
        Debt(group_id, transfer.from_user_id, transfer.to_user_id, code, places, transfer.units)
        for (group_id, code, places), balances in ledgers.items()
        for transfer in settle(balances)
        if user_id in (transfer.from_user_id, transfer.to_user_id)
    ]


async def balances_of(session: AsyncSession, user_id: int, convert_to: Currency | None = None) -> BalancesOut:
    debts = await recorded_debts(session, user_id=user_id) + await _simplified_debts(session, user_id)
    # (other person, currency) -> group -> units they owe me (negative: I owe them)
    positions: dict[tuple[int, str, int], dict[uuid.UUID | None, int]] = defaultdict(lambda: defaultdict(int))
    for debt in debts:
        other, sign = (debt.debtor, 1) if debt.creditor == user_id else (debt.creditor, -1)
        positions[(other, debt.currency, debt.decimal_places)][debt.group_id] += sign * debt.units
    people = []
    for (other, code, places), parts in sorted(positions.items(), key=lambda item: (item[0][1], item[0][0])):
        total = sum(parts.values())
        if total == 0 and not any(parts.values()):
            continue
        people.append(
            PersonBalance(
                user_id=other,
                currency=code,
                amount=from_units(total, places),
                groups=[
                    GroupPart(group_id=group, amount=from_units(units, places))
                    for group, units in sorted(parts.items(), key=lambda item: str(item[0]))
                    if units
                ],
            )
        )
    return BalancesOut(balances=people, converted=await _converted(session, people, convert_to))


async def _converted(
    session: AsyncSession, people: list[PersonBalance], target: Currency | None
) -> ConvertedTotal | None:
    if target is None:
        return None
    codes = {person.currency for person in people}
    rates = dict((await session.execute(select(Currency.code, Currency.exchange_rate_to_usd).where(
        Currency.code.in_(codes)))).all())  # fmt: skip
    owed_to_you, you_owe = Decimal(0), Decimal(0)
    for person in people:
        value = person.amount * rates[person.currency] / target.exchange_rate_to_usd
        if value > 0:
            owed_to_you += value
        else:
            you_owe -= value
    unit = Decimal(1).scaleb(-target.decimal_places)
    owed_to_you = owed_to_you.quantize(unit, ROUND_HALF_EVEN)
    you_owe = you_owe.quantize(unit, ROUND_HALF_EVEN)
    return ConvertedTotal(currency=target.code, owed_to_you=owed_to_you, you_owe=you_owe, net=owed_to_you - you_owe)
