"""Group balances: what each member has paid minus their shares, plus completed settlements, per
currency. Deleted and unapproved expenses do not count. PostgreSQL triggers keep the running sums in
`group_balances` on every write (migration 0003), so reading them costs one small query.

A positive balance means the group owes that person; negative, that they owe the group. They sum to
zero in every currency, because every expense's payers and shares each add up to its amount.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.services.balances.settle_up import settle
from app.services.expenses.allocation import from_units, to_units

# The ledger table is kept by triggers (migration 0003); this reads a handful of rows per group.
_GROUP_BALANCES = text(
    """
    SELECT c.code, c.decimal_places, b.user_id, b.balance
    FROM group_balances b JOIN currencies c ON c.id = b.currency_id
    WHERE b.group_id = :group_id AND b.balance <> 0
    ORDER BY c.code, b.user_id
    """
)


# Recomputes the whole ledger from expenses and settlements: for repairs, and after bulk loads that ran
# with triggers off. (Migration 0003 holds its own frozen copy for the first fill.)
_REBUILD_LEDGER = (
    text("DELETE FROM group_balances"),
    text(
        """
    INSERT INTO group_balances (group_id, user_id, currency_id, balance)
    SELECT group_id, user_id, currency_id, sum(delta) FROM (
        SELECT e.group_id, p.user_id, e.currency_id, p.amount AS delta
        FROM expense_payers p JOIN expenses e ON e.id = p.expense_id
        WHERE e.group_id IS NOT NULL AND NOT e.is_deleted AND e.is_approved
        UNION ALL
        SELECT e.group_id, s.user_id, e.currency_id, -s.amount
        FROM expense_shares s JOIN expenses e ON e.id = s.expense_id
        WHERE e.group_id IS NOT NULL AND NOT e.is_deleted AND e.is_approved
        UNION ALL
        SELECT group_id, payer_id, currency_id, amount FROM settlements
        WHERE group_id IS NOT NULL AND status = 'completed'
        UNION ALL
        SELECT group_id, payee_id, currency_id, -amount FROM settlements
        WHERE group_id IS NOT NULL AND status = 'completed'
    ) moves GROUP BY group_id, user_id, currency_id
    """
    ),
)


async def rebuild_ledger(connection: AsyncSession | AsyncConnection) -> None:
    for statement in _REBUILD_LEDGER:
        await connection.execute(statement)


@dataclass(frozen=True)
class CurrencyBalances:
    currency: str
    decimal_places: int
    balances: dict[int, Decimal]  # user id -> net balance, zeros left out


@dataclass(frozen=True)
class PlannedTransfer:
    from_user_id: int
    to_user_id: int
    amount: Decimal
    currency: str


async def group_balances(session: AsyncSession, group_id: uuid.UUID) -> list[CurrencyBalances]:
    rows = (await session.execute(_GROUP_BALANCES, {"group_id": group_id})).all()
    by_currency: dict[str, CurrencyBalances] = {}
    for code, places, user_id, balance in rows:
        entry = by_currency.setdefault(code, CurrencyBalances(code, places, {}))
        entry.balances[user_id] = Decimal(balance).quantize(Decimal(1).scaleb(-places))
    return list(by_currency.values())


def settle_up_plan(balances: list[CurrencyBalances]) -> list[PlannedTransfer]:
    """The fewest transfers that clear every balance, per currency, in whole minor units."""
    plan = []
    for entry in balances:
        units = {user: to_units(amount, entry.decimal_places) for user, amount in entry.balances.items()}
        for transfer in settle(units):
            plan.append(
                PlannedTransfer(
                    transfer.from_user_id,
                    transfer.to_user_id,
                    from_units(transfer.units, entry.decimal_places),
                    entry.currency,
                )
            )
    return plan
