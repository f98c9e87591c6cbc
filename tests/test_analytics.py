"""Analytics: the precomputed rows count what budgets count (my share of a group bill, refunds netted,
excluded rows out), weeks, months and years roll up from the days, a second run writes nothing, a change
is picked up by the frequent pass, and the API answers from the rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from app.models import ExpenseAnalytics
from app.models.enums import PeriodType
from app.services.analytics import compute, patterns, service, stale
from tests.factories import auth_headers, make_account
from tests.test_budgets import foursome, slug, spend

API = "/api/v1"


async def test_rows_count_my_share_roll_up_and_rerun_writes_nothing(client, session, settings) -> None:
    users, headers, group = await foursome(client, session, settings)
    me, my_id = headers[1], users[1].id
    restaurants, groceries = await slug(session, "restaurants"), await slug(session, "groceries")
    today = date.today()
    yesterday = today - timedelta(days=1)
    await spend(client, me, amount="20.00", category_id=restaurants)
    await spend(client, headers[0], amount="100.00", category_id=restaurants, group_id=group["id"])
    await spend(client, me, amount="5.00", category_id=groceries, transaction_type="refund")
    await spend(client, me, amount="40.00", expense_classification="charity")
    await spend(client, me, amount="1000.00", transaction_type="income")
    await spend(client, me, amount="12.00", expense_date=str(yesterday))  # uncategorised
    first = await compute.refresh(session, [yesterday, today])
    assert first.rows > 0
    again = await compute.refresh(session, [yesterday, today])
    assert (again.rows, again.removed) == (0, 0)  # the same figures: nothing rewritten

    async def row(kind: PeriodType, start: date, category: str | None = None) -> ExpenseAnalytics:
        query = select(ExpenseAnalytics).where(
            ExpenseAnalytics.user_id == my_id, ExpenseAnalytics.period_type == kind,
            ExpenseAnalytics.period_start == start,
            ExpenseAnalytics.category_id == category if category else ExpenseAnalytics.category_id.is_(None),
        )  # fmt: skip
        return (await session.scalars(query.execution_options(populate_existing=True))).one()

    day = await row(PeriodType.DAILY, today)
    assert (day.total_amount, day.expense_count) == (Decimal("40.00"), 3)  # 20 + 25 - 5
    assert day.category_breakdown == {restaurants: "45.00", groceries: "-5.00"}
    assert (await row(PeriodType.DAILY, today, restaurants)).total_amount == Decimal("45.00")
    month_start = compute.period_containing(PeriodType.MONTHLY, today)[0]
    if yesterday >= month_start:  # both days in this month
        month = await row(PeriodType.MONTHLY, month_start)
        assert (month.total_amount, month.expense_count) == (Decimal("52.00"), 4)
        assert month.category_breakdown["uncategorised"] == "12.00"
    week_start = today - timedelta(days=today.weekday())
    assert (await row(PeriodType.WEEKLY, week_start)).period_end == week_start + timedelta(days=6)
    group_day = (await session.scalars(select(ExpenseAnalytics).where(
        ExpenseAnalytics.group_id == group["id"], ExpenseAnalytics.period_type == PeriodType.DAILY,
        ExpenseAnalytics.category_id.is_(None)))).one()  # fmt: skip
    assert group_day.total_amount == Decimal("100.00") and group_day.expense_count == 1

    # A change: the frequent pass recomputes that day for those involved; the deleted row's figures go.
    listed = (await client.get(f"{API}/expenses?limit=50", headers=me)).json()["items"]
    lunch = next(e for e in listed if e["amount"] == "20.00")
    started = datetime.now(UTC) - timedelta(seconds=1)
    assert (await client.delete(f"{API}/expenses/{lunch['id']}", headers=me)).status_code == 200
    changed = await service.changed_since(session, started - timedelta(days=1), datetime.now(UTC) + timedelta(1))
    assert changed.rows > 0
    assert (await row(PeriodType.DAILY, today)).total_amount == Decimal("20.00")

    # Moved to another day: the old day is pushed as stale after commit and the pass (run as the worker runs
    # it) empties it, though the expense no longer names that day.
    snack = next(e for e in listed if e["amount"] == "12.00")
    earlier = today - timedelta(days=3)
    moved = await client.patch(f"{API}/expenses/{snack['id']}", json={"expense_date": str(earlier)}, headers=me)
    assert moved.status_code == 200
    days = await stale.pending()
    assert [(d.day, d.users) for d in days if my_id in d.users] == [(yesterday, frozenset({my_id}))]
    await service.changed_since(session, started - timedelta(days=1), datetime.now(UTC) + timedelta(1), days)
    await stale.done(len(days))
    assert (await row(PeriodType.DAILY, earlier)).total_amount == Decimal("12.00")
    gone = select(func.count()).where(ExpenseAnalytics.user_id == my_id, ExpenseAnalytics.period_start == yesterday,
                                      ExpenseAnalytics.period_type == PeriodType.DAILY)  # fmt: skip
    assert await session.scalar(gone) == 0
    assert not [d for d in await stale.pending() if my_id in d.users]


async def test_the_api_answers_from_the_rows(client, session, settings) -> None:
    users, headers, group = await foursome(client, session, settings)
    me = headers[1]
    restaurants, groceries = await slug(session, "restaurants"), await slug(session, "groceries")
    today = date.today()
    last_month = today.replace(day=1) - timedelta(days=1)
    await spend(client, me, amount="30.00", category_id=restaurants)
    await spend(client, me, amount="10.00", category_id=groceries)
    await spend(client, me, amount="20.00", category_id=groceries, expense_date=str(last_month))
    await spend(client, headers[0], amount="80.00", category_id=restaurants, group_id=group["id"])
    await compute.refresh(session, [last_month, today])
    await patterns.refresh(session, [users[1].id], today)

    summary = (await client.get(f"{API}/analytics/summary", headers=me)).json()
    assert summary["total"] == "60.00" and summary["count"] == 3 and summary["currency"] == "USD"
    assert [c["category"] for c in summary["top_categories"]] == ["Restaurants", "Groceries"]
    assert summary["top_categories"][0]["total"] == "50.00" and summary["top_categories"][0]["percentage"] == "83.3"
    trends = (await client.get(f"{API}/analytics/trends?period=monthly", headers=me)).json()
    assert [p["total"] for p in trends["periods"]] == ["20.00", "60.00"]
    assert trends["periods"][-1]["trend_percentage"] == "200.00"
    span = f"start={last_month.replace(day=1)}&end={today}"
    categories = (await client.get(f"{API}/analytics/categories?{span}", headers=me)).json()["categories"]
    assert {c["category"]: c["total"] for c in categories} == {"Restaurants": "50.00", "Groceries": "30.00"}
    group_figures = (await client.get(f"{API}/analytics/summary?group_id={group['id']}", headers=me)).json()
    assert group_figures["total"] == "80.00"
    stranger = await auth_headers(session, settings, await make_account(session))
    refused = await client.get(f"{API}/analytics/summary?group_id={group['id']}", headers=stranger)
    assert refused.status_code == 404
    backwards = await client.get(f"{API}/analytics/summary?start={today}&end={last_month}", headers=me)
    assert backwards.status_code == 422
    found = (await client.get(f"{API}/analytics/patterns", headers=me)).json()
    assert found["analysis_date"] == str(today) and found["group_vs_individual_ratio"] == "25.00"
    assert found["average_expense_amount"] == "20.00"  # (30 + 10 + 20) / 3 in the window
    assert found["top_categories"][0]["name"] == "Restaurants" and found["most_active_groups"][0]["count"] == 1
    assert set(found["seasonal_spending"]) == {f"{today.month:02d}", f"{last_month.month:02d}"}
    count = await session.scalar(select(func.count()).select_from(ExpenseAnalytics))
    await compute.refresh(session, [last_month, today])
    assert await session.scalar(select(func.count()).select_from(ExpenseAnalytics)) == count
