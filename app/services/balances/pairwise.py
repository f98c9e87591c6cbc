"""Debts between two people as recorded, without simplification: each participant owes the payer their
share; completed settlements pay it back. Used for groups with `simplify_debts` off, for expenses
between friends outside groups, and for each person's position across everything (GET /balances).

An expense with one payer: every other participant owes that payer exactly their share (SQL sums the
shares). With several payers, each person's net on the expense (paid minus share) is matched from the
largest debtor to the largest creditor, ties by user id, in whole minor units: exact and deterministic.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.services.balances.settle_up import Transfer
from app.services.expenses.allocation import to_units

# Which expenses and settlements count. `:group_id` scopes to one group; otherwise `:user_id` scopes to
# what involves that person outside groups and in groups that do not simplify debts.
_EXPENSE_SCOPE = """
    NOT e.is_deleted AND e.is_approved AND (
        (CAST(:group_id AS uuid) IS NOT NULL AND e.group_id = CAST(:group_id AS uuid))
        OR (CAST(:group_id AS uuid) IS NULL AND (
            e.group_id IS NULL OR e.group_id IN (SELECT id FROM groups WHERE NOT simplify_debts)
        ))
    )
"""
_SETTLEMENT_SCOPE = """
    st.status = 'completed' AND (
        (CAST(:group_id AS uuid) IS NOT NULL AND st.group_id = CAST(:group_id AS uuid))
        OR (CAST(:group_id AS uuid) IS NULL AND (st.payer_id = :user_id OR st.payee_id = :user_id) AND (
            st.group_id IS NULL OR st.group_id IN (SELECT id FROM groups WHERE NOT simplify_debts)
        ))
    )
"""
_MULTI_PAYER = "EXISTS (SELECT 1 FROM expense_payers p WHERE p.expense_id = e.id AND p.user_id <> e.paid_by_id)"

# (debtor, creditor, currency, places, amount): shares owed to the single payer, and settlements as debts
# running the other way (the payee now owes back what they received).
_DIRECT_DEBTS = text(  # the f-string joins constant fragments; values are bound parameters
    f"""
    SELECT d.group_id, d.debtor, d.creditor, c.code, c.decimal_places, sum(d.amount) FROM (
        SELECT e.group_id, s.user_id AS debtor, s.paid_by_id AS creditor, e.currency_id, s.amount
        FROM expense_shares s JOIN expenses e ON e.id = s.expense_id
        WHERE {_EXPENSE_SCOPE} AND s.user_id <> s.paid_by_id AND NOT {_MULTI_PAYER}
          AND (CAST(:group_id AS uuid) IS NOT NULL OR s.user_id = :user_id OR s.paid_by_id = :user_id)
        UNION ALL
        SELECT st.group_id, st.payee_id, st.payer_id, st.currency_id, st.amount
        FROM settlements st WHERE {_SETTLEMENT_SCOPE}
    ) d JOIN currencies c ON c.id = d.currency_id
    GROUP BY d.group_id, d.debtor, d.creditor, c.code, c.decimal_places
    """  # noqa: S608
)

# Each person's net on every multi-payer expense in scope.
_MULTI_PAYER_NETS = text(  # constant fragments again
    f"""
    SELECT e.id, e.group_id, c.code, c.decimal_places, x.user_id, sum(x.delta)
    FROM expenses e JOIN currencies c ON c.id = e.currency_id
    JOIN LATERAL (
        SELECT p.user_id, p.amount AS delta FROM expense_payers p WHERE p.expense_id = e.id
        UNION ALL
        SELECT s.user_id, -s.amount FROM expense_shares s WHERE s.expense_id = e.id
    ) x ON true
    WHERE {_EXPENSE_SCOPE} AND {_MULTI_PAYER}
      AND (CAST(:group_id AS uuid) IS NOT NULL
           OR e.id IN (SELECT expense_id FROM expense_payers WHERE user_id = :user_id
                       UNION SELECT expense_id FROM expense_shares WHERE user_id = :user_id))
    GROUP BY e.id, e.group_id, c.code, c.decimal_places, x.user_id
    """  # noqa: S608
)


@dataclass(frozen=True)
class Debt:
    group_id: uuid.UUID | None  # None: between friends, outside any group
    debtor: int
    creditor: int
    currency: str
    decimal_places: int
    units: int


def match_nets(nets: dict[int, int]) -> list[Transfer]:
    """Pay creditors from debtors of one expense, largest first (ties: smaller user id)."""
    debtors = sorted(((-v, u) for u, v in nets.items() if v < 0), key=lambda item: (-item[0], item[1]))
    creditors = sorted(((v, u) for u, v in nets.items() if v > 0), key=lambda item: (-item[0], item[1]))
    transfers, d, c = [], 0, 0
    owed = [amount for amount, _ in debtors]
    due = [amount for amount, _ in creditors]
    while d < len(debtors) and c < len(creditors):
        amount = min(owed[d], due[c])
        transfers.append(Transfer(debtors[d][1], creditors[c][1], amount))
        owed[d] -= amount
        due[c] -= amount
        d += owed[d] == 0
        c += due[c] == 0
    return transfers


async def recorded_debts(
    session: AsyncSession, *, group_id: uuid.UUID | None = None, user_id: int | None = None
) -> list[Debt]:
    """Net debts per group, pair and currency (each pair once, the debtor owing a positive amount)."""
    params = {"group_id": str(group_id) if group_id else None, "user_id": user_id}
    Key = tuple[uuid.UUID | None, str, int]
    gross: dict[Key, dict[tuple[int, int], int]] = defaultdict(lambda: defaultdict(int))
    for group, debtor, creditor, code, places, amount in await session.execute(_DIRECT_DEBTS, params):
        gross[(group, code, places)][(debtor, creditor)] += to_units(amount, places)
    nets: dict[tuple[uuid.UUID, Key], dict[int, int]] = defaultdict(dict)
    for expense_id, group, code, places, person, net in await session.execute(_MULTI_PAYER_NETS, params):
        nets[(expense_id, (group, code, places))][person] = to_units(net, places)
    for (_, key), people in nets.items():
        for transfer in match_nets(people):
            gross[key][(transfer.from_user_id, transfer.to_user_id)] += transfer.units
    debts = []
    for (group, code, places), pairs in gross.items():
        for (debtor, creditor), units in pairs.items():
            net = units - pairs.get((creditor, debtor), 0)
            if net > 0 and (user_id is None or group_id is not None or user_id in (debtor, creditor)):
                debts.append(Debt(group, debtor, creditor, code, places, net))
    debts.sort(key=lambda debt: (debt.currency, str(debt.group_id), debt.debtor, debt.creditor))
    return debts
