"""Group balances from SQL: they sum to zero per currency and settle-up clears them (hypothesis)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.models import Expense, ExpensePayer, ExpenseShare, Settlement
from app.models.enums import PaymentStatus, SplitType
from app.services.balances.queries import group_balances, rebuild_ledger, settle_up_plan
from app.services.expenses.allocation import SplitEntry, allocate, allocate_payers
from tests.factories import currency_id, join, make_group, make_user

CURRENCIES = {"USD": 2, "JPY": 0, "KWD": 3}

expense_specs = st.lists(
    st.tuples(
        st.sampled_from(sorted(CURRENCIES)),
        st.integers(1, 10**7),  # minor units
        st.lists(st.integers(0, 5), min_size=1, max_size=6, unique=True),  # participants (member indices)
        st.lists(st.integers(0, 5), min_size=1, max_size=2, unique=True),  # payers
        st.booleans(),  # deleted
    ),
    min_size=1,
    max_size=12,
)


async def add_expense(session, group, members, code, units, participants, payers, deleted=False):  # type: ignore[no-untyped-def]
    places = CURRENCIES[code]
    amount = Decimal(units).scaleb(-places)
    payer_entries = [SplitEntry(members[payers[0]].id)]
    if len(payers) > 1:
        first = Decimal(units // 2).scaleb(-places)
        payer_entries = [
            SplitEntry(members[payers[0]].id, first),
            SplitEntry(members[payers[1]].id, amount - first),
        ]
    paid = {user: value for user, value in allocate_payers(amount, places, payer_entries).items() if value > 0}
    shares = allocate(amount, places, SplitType.EQUAL, [SplitEntry(members[i].id) for i in participants])
    expense = Expense(
        title="x",
        amount=amount,
        currency_id=await currency_id(session, code),
        group_id=group.id,
        paid_by_id=members[payers[0]].id,
        created_by_id=members[payers[0]].id,
        expense_date=date.today(),
        is_deleted=deleted,
        deleted_at=date.today() if deleted else None,
    )
    session.add(expense)
    await session.flush()
    session.add_all([ExpensePayer(expense_id=expense.id, user_id=user, amount=value) for user, value in paid.items()])
    session.add_all([
        ExpenseShare(
            expense_id=expense.id, user_id=share.user_id, amount=share.amount, currency_id=expense.currency_id,
            paid_by_id=members[payers[0]].id,
        )
        for share in shares
    ])  # fmt: skip
    await session.flush()
    return paid, shares


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=expense_specs)
async def test_balances_sum_to_zero_and_settle_up_clears_them(session, specs) -> None:  # type: ignore[no-untyped-def]
    savepoint = await session.begin_nested()
    try:
        members = [await make_user(session) for _ in range(6)]
        group = await make_group(session, members[0])
        for member in members:
            await join(session, group, member)
        expected: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for code, units, participants, payers, deleted in specs:
            paid, shares = await add_expense(session, group, members, code, units, participants, payers, deleted)
            if deleted:
                continue
            for user, value in paid.items():
                expected[code][user] += value
            for share in shares:
                expected[code][share.user_id] -= share.amount

        balances = await group_balances(session, group.id)
        await rebuild_ledger(session)  # the triggers and a full recomputation agree
        assert await group_balances(session, group.id) == balances
        for entry in balances:
            assert sum(entry.balances.values()) == 0
            assert entry.balances == {u: v for u, v in expected[entry.currency].items() if v}
        assert {entry.currency for entry in balances} == {c for c, b in expected.items() if any(b.values())}

        plan = settle_up_plan(balances)
        for transfer in plan:
            session.add(
                Settlement(
                    payer_id=transfer.from_user_id,
                    payee_id=transfer.to_user_id,
                    amount=transfer.amount,
                    currency_id=await currency_id(session, transfer.currency),
                    group_id=group.id,
                    status=PaymentStatus.COMPLETED,
                )
            )
        await session.flush()
        assert await group_balances(session, group.id) == []  # not one stray minor unit left
    finally:
        await savepoint.rollback()


async def test_balances_and_settle_up_over_http(client, session, settings) -> None:
    from tests.factories import auth_headers, make_account

    a, b, c = [await make_account(session) for _ in range(3)]
    group = await make_group(session, a)
    for member in (a, b, c):
        await join(session, group, member)
    await add_expense(session, group, [a, b, c], "USD", 10000, [0, 1, 2], [0])  # a paid 100.00 for all three
    await add_expense(session, group, [a, b, c], "JPY", 999, [1, 2], [2])  # c paid 999 yen for b and c
    headers = await auth_headers(session, settings, b)

    balances = (await client.get(f"/api/v1/groups/{group.id}/balances", headers=headers)).json()
    assert balances == [
        {"currency": "JPY", "balances": [{"user_id": b.id, "balance": "-500"}, {"user_id": c.id, "balance": "500"}]},
        {
            "currency": "USD",
            "balances": [
                {"user_id": a.id, "balance": "66.66"},
                {"user_id": b.id, "balance": "-33.33"},
                {"user_id": c.id, "balance": "-33.33"},
            ],
        },
    ]
    plan = (await client.get(f"/api/v1/groups/{group.id}/settle-up", headers=headers)).json()["transfers"]
    assert sorted((t["from_user_id"], t["to_user_id"], t["amount"], t["currency"]) for t in plan) == sorted([
        (b.id, c.id, "500", "JPY"),
        (b.id, a.id, "33.33", "USD"),
        (c.id, a.id, "33.33", "USD"),
    ])  # fmt: skip
    outsider = await auth_headers(session, settings, await make_account(session))
    assert (await client.get(f"/api/v1/groups/{group.id}/settle-up", headers=outsider)).status_code == 404
