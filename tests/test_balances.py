"""Group balances from SQL: they sum to zero per currency, debts as recorded net to them, and settle-up
clears them (hypothesis). Each person's position across groups (GET /balances)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from app.models import Expense, ExpensePayer, ExpenseShare, Settlement
from app.models.enums import PaymentStatus, SplitType
from app.services.balances.pairwise import recorded_debts
from app.services.balances.queries import group_balances, rebuild_ledger, settle_up_plan
from app.services.expenses.allocation import SplitEntry, allocate, allocate_payers, from_units
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

        # Debts as recorded (simplify_debts off) net to the same balance for every person.
        from_debts: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for debt in await recorded_debts(session, group_id=group.id):
            from_debts[debt.currency][debt.creditor] += from_units(debt.units, debt.decimal_places)
            from_debts[debt.currency][debt.debtor] -= from_units(debt.units, debt.decimal_places)
        assert {code: {u: v for u, v in people.items() if v} for code, people in from_debts.items()} == {
            entry.currency: entry.balances for entry in balances
        }

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


async def test_settle_up_as_recorded_when_a_group_does_not_simplify(client, session, settings) -> None:
    from tests.test_expenses import trio

    (a, b, c), (ha, hb, _), group = await trio(client, session, settings, simplify_debts=False)
    gid = group["id"]

    async def spend(headers, amount, people):  # type: ignore[no-untyped-def]
        body = {"title": "x", "amount": amount, "group_id": gid,
                "split": {"method": "equal", "participants": [{"user_id": p.id} for p in people]}}  # fmt: skip
        assert (await client.post("/api/v1/expenses", json=body, headers=headers)).status_code == 201

    await spend(ha, "30.00", [a, b])  # b owes a 15
    await spend(hb, "30.00", [b, c])  # c owes b 15
    plan = (await client.get(f"/api/v1/groups/{gid}/settle-up", headers=ha)).json()["transfers"]
    assert sorted((t["from_user_id"], t["to_user_id"], t["amount"]) for t in plan) == sorted(
        [(b.id, a.id, "15.00"), (c.id, b.id, "15.00")]
    )
    await client.patch(f"/api/v1/groups/{gid}", json={"simplify_debts": True}, headers=ha)
    plan = (await client.get(f"/api/v1/groups/{gid}/settle-up", headers=ha)).json()["transfers"]
    assert [(t["from_user_id"], t["to_user_id"], t["amount"]) for t in plan] == [(c.id, a.id, "15.00")]
    await client.patch(f"/api/v1/groups/{gid}", json={"simplify_debts": False}, headers=ha)

    # Several payers: a paid 20 and b 10 of 30 shared by three; only c owes, and owes a.
    body = {"title": "Taxi", "amount": "30.00", "group_id": gid,
            "payers": [{"user_id": a.id, "amount": "20.00"}, {"user_id": b.id, "amount": "10.00"}]}  # fmt: skip
    assert (await client.post("/api/v1/expenses", json=body, headers=ha)).status_code == 201
    plan = (await client.get(f"/api/v1/groups/{gid}/settle-up", headers=ha)).json()["transfers"]
    assert sorted((t["from_user_id"], t["to_user_id"], t["amount"]) for t in plan) == sorted(
        [(b.id, a.id, "15.00"), (c.id, b.id, "15.00"), (c.id, a.id, "10.00")]
    )
    # b's net is zero, but b still owes a and is owed by c: leaving is refused until that is settled.
    balances = (await client.get(f"/api/v1/groups/{gid}/balances", headers=ha)).json()
    assert b.id not in [x["user_id"] for x in balances[0]["balances"]]
    leave = await client.post(f"/api/v1/groups/{gid}/members/{b.id}/remove", json={}, headers=hb)
    assert leave.status_code == 409, leave.text
    assert f"owes 15.00 USD to user {a.id}" in leave.json()["detail"]
    assert f"is owed 15.00 USD by user {c.id}" in leave.json()["detail"]


async def test_my_balances_across_groups_and_friends(client, session, settings) -> None:
    from tests.test_expenses import trio
    from tests.test_groups import friends

    (a, b, c), (ha, hb, hc), group = await trio(client, session, settings)
    gid = group["id"]
    await client.post("/api/v1/expenses", json={"title": "Dinner", "amount": "30.00", "group_id": gid}, headers=ha)
    await friends(session, a, b)
    outside = {"title": "Cinema", "amount": "20.00", "currency": "EUR",
               "split": {"method": "equal", "participants": [{"user_id": a.id}, {"user_id": b.id}]}}  # fmt: skip
    assert (await client.post("/api/v1/expenses", json=outside, headers=hb)).status_code == 201

    mine = (await client.get("/api/v1/balances", params={"convert_to": "usd"}, headers=ha)).json()
    assert [(x["user_id"], x["currency"], x["amount"]) for x in mine["balances"]] == [
        (b.id, "EUR", "-10.00"),
        (b.id, "USD", "10.00"),
        (c.id, "USD", "10.00"),
    ]
    assert mine["balances"][1]["groups"] == [{"group_id": gid, "amount": "10.00"}]
    assert mine["balances"][0]["groups"] == [{"group_id": None, "amount": "-10.00"}]
    eur = await session.scalar(text("SELECT exchange_rate_to_usd FROM currencies WHERE code = 'EUR'"))
    expected_owe = (Decimal(10) * eur).quantize(Decimal("0.01"))
    assert mine["converted"] == {
        "currency": "USD", "owed_to_you": "20.00", "you_owe": str(expected_owe), "net": str(20 - expected_owe)
    }  # fmt: skip
    # b sees the mirror image; c sees only the group.
    theirs = (await client.get("/api/v1/balances", headers=hb)).json()
    assert [(x["user_id"], x["currency"], x["amount"]) for x in theirs["balances"]] == [
        (a.id, "EUR", "10.00"),
        (a.id, "USD", "-10.00"),
    ]
    assert theirs["converted"] is None
    assert [
        (x["user_id"], x["amount"]) for x in (await client.get("/api/v1/balances", headers=hc)).json()["balances"]
    ] == [(a.id, "-10.00")]
    # Paying what settle-up says clears it everywhere.
    for payer, headers in ((b, hb), (c, hc)):
        body = {"payer_id": payer.id, "payee_id": a.id, "amount": "10.00", "group_id": gid}
        paid = (await client.post("/api/v1/settlements", json=body, headers=headers)).json()
        await client.post(f"/api/v1/settlements/{paid['id']}/confirm", headers=ha)
    assert [x["currency"] for x in (await client.get("/api/v1/balances", headers=ha)).json()["balances"]] == ["EUR"]
    bad = await client.get("/api/v1/balances", params={"convert_to": "XYZ"}, headers=ha)
    assert bad.status_code == 422
