"""Budgets over HTTP: only my share of a group bill counts against my budget, refunds net, excluded rows
stay out, other currencies are converted; exact allocations; periods; templates; suggestions from my
own history (deterministic, and by the AI through its SDK against the fake provider); alerts once per
threshold and period, delivered as in-app notifications."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update

from app.models import Category, Currency
from app.models.enums import BudgetPeriod
from app.services.budgets import service
from app.services.budgets.periods import Period, period_of
from app.services.budgets.suggest import months_before, nice
from app.services.budgets.system_templates import SYSTEM_TEMPLATES
from tests.factories import auth_headers, make_account
from tests.fakes.ai_providers import GOOD_KEYS

API = "/api/v1"


async def slug(session, name: str) -> str:  # type: ignore[no-untyped-def]
    return str(await session.scalar(select(Category.id).where(Category.slug == name, Category.user_id.is_(None))))


async def foursome(client, session, settings):  # type: ignore[no-untyped-def]
    users = [await make_account(session) for _ in range(4)]
    headers = [await auth_headers(session, settings, u) for u in users]
    group = (await client.post(f"{API}/groups", json={"name": "Flat"}, headers=headers[0])).json()
    for h in headers[1:]:
        await client.post(f"{API}/groups/join", json={"invite_code": group["invite_code"]}, headers=h)
    return users, headers, group


async def spend(client, headers, **body) -> None:  # type: ignore[no-untyped-def]
    response = await client.post(f"{API}/expenses", json={"title": "x", **body}, headers=headers)
    assert response.status_code == 201, response.text


async def test_my_share_of_a_group_bill_counts_not_the_whole_bill(client, session, settings) -> None:
    _, headers, group = await foursome(client, session, settings)
    me = headers[1]  # not the payer of the group dinner: my quarter still counts against my budget
    dining, groceries, charity = await slug(session, "food-dining"), await slug(session, "groceries"), await slug(
        session, "gifts-charity")  # fmt: skip
    restaurants = await slug(session, "restaurants")
    today = date.today()
    await spend(client, me, amount="20.00", category_id=restaurants)  # alone, a child category of dining
    await spend(client, headers[0], amount="100.00", category_id=restaurants, group_id=group["id"])  # 4 ways
    await spend(client, me, amount="50.00", category_id=charity, expense_classification="charity")  # excluded
    await spend(client, me, amount="30.00", category_id=groceries)
    await spend(client, me, amount="5.00", category_id=groceries, transaction_type="refund")  # nets
    await spend(client, me, amount="900.00", transaction_type="income")  # not spending
    await session.execute(update(Currency).where(Currency.code == "EUR").values(exchange_rate_to_usd=Decimal("1.1")))
    await spend(client, me, amount="10.00", currency="EUR", category_id=groceries)  # stored as 11.00 USD
    await spend(client, me, amount="7.00", category_id=groceries, expense_date=str(today - timedelta(days=40)))

    body = {"name": "Month", "start_date": str(today.replace(day=1)), "amount": "500.00", "currency": "USD",
            "allocations": [{"category_id": dining, "amount": "100.00"}, {"category_id": groceries,
                                                                            "percentage": "20"}]}  # fmt: skip
    budget = (await client.post(f"{API}/budgets", json=body, headers=me)).json()
    assert [a["amount"] for a in budget["allocations"]] == ["100.00", "100.00"]
    found = (await client.get(f"{API}/budgets/{budget['id']}/status", headers=me)).json()
    by_name = {c["category"]: c for c in found["categories"]}
    assert by_name["Food & Dining"]["spent"] == "45.00"  # 20 alone + a quarter of 100
    assert by_name["Groceries"]["spent"] == "36.00"  # 30 - 5 refunded + 11 converted
    assert found["spent"] == "81.00" and found["unallocated_spent"] == "0.00" and found["remaining"] == "419.00"
    assert found["period_start"] == str(today.replace(day=1)) and found["days_elapsed"] == today.day
    assert Decimal(found["projected"]) >= Decimal(found["spent"])
    # The group's own budget counts the whole bill.
    group_budget = {**body, "group_id": group["id"], "allocations": [{"category_id": dining, "amount": "200"}]}
    made = (await client.post(f"{API}/budgets", json=group_budget, headers=headers[0])).json()
    found = (await client.get(f"{API}/budgets/{made['id']}/status", headers=me)).json()
    assert found["categories"][0]["spent"] == "100.00"


async def test_allocations_are_exact_and_checked(client, session, settings) -> None:
    user = await make_account(session)
    headers = await auth_headers(session, settings, user)
    ids = [await slug(session, name) for name in ("housing", "transport", "utilities", "health")]
    thirds = [{"category_id": i, "percentage": "33.3333"} for i in ids[:3]]
    body = {"name": "B", "start_date": "2026-01-01", "amount": "100.00", "currency": "USD", "allocations": thirds}
    made = (await client.post(f"{API}/budgets", json=body, headers=headers)).json()
    assert sum(Decimal(a["amount"]) for a in made["allocations"]) <= Decimal("100.00")
    assert [a["amount"] for a in made["allocations"]] == ["33.33", "33.33", "33.33"]
    for allocations, words in [
        ([{"category_id": ids[0], "percentage": "60"}, {"category_id": ids[1], "percentage": "50"}], "more than 100"),
        ([{"category_id": ids[0], "amount": "80"}, {"category_id": ids[1], "amount": "30"}], "more than the budget"),
        ([{"category_id": ids[0], "amount": "1.005"}], "decimal places"),
        ([{"category_id": ids[0], "amount": "1", "percentage": "1"}], "either an amount or a percentage"),
        ([{"category_id": "00000000-0000-4000-8000-000000000000", "amount": "1"}], "No such category"),
        ([{"category_id": ids[0], "amount": "1"}, {"category_id": ids[0], "amount": "2"}], "allocated twice"),
    ]:
        response = await client.post(f"{API}/budgets", json={**body, "allocations": allocations}, headers=headers)
        assert response.status_code == 422 and words in response.text, response.text
    bad = await client.post(f"{API}/budgets", json={**body, "period_type": "custom"}, headers=headers)
    assert bad.status_code == 422 and "custom period needs an end date" in bad.text
    # A new total moves the percentage allocations with it.
    patched = await client.patch(f"{API}/budgets/{made['id']}", json={"amount": "300.00"}, headers=headers)
    assert [a["amount"] for a in patched.json()["allocations"]] == ["100.00", "100.00", "99.99"]


async def test_who_sees_and_changes_a_budget(client, session, settings) -> None:
    users, headers, group = await foursome(client, session, settings)
    mine = {"name": "Me", "start_date": "2026-01-01", "amount": "10"}
    made = (await client.post(f"{API}/budgets", json=mine, headers=headers[0])).json()
    assert (await client.get(f"{API}/budgets/{made['id']}", headers=headers[1])).status_code == 404
    shared = (await client.post(f"{API}/budgets", json={**mine, "group_id": group["id"]}, headers=headers[0])).json()
    assert (await client.get(f"{API}/budgets/{shared['id']}", headers=headers[2])).status_code == 200
    viewer = users[3]
    admin = headers[0]
    role = f"{API}/groups/{group['id']}/members/{viewer.id}/role"
    assert (await client.put(role, json={"role": "viewer"}, headers=admin)).status_code == 200
    refused = await client.patch(f"{API}/budgets/{shared['id']}", json={"name": "x"}, headers=headers[3])
    assert refused.status_code == 403
    stranger = await auth_headers(session, settings, await make_account(session))
    assert (await client.post(f"{API}/budgets", json={**mine, "group_id": group["id"]}, headers=stranger)).status_code \
        == 404  # fmt: skip
    assert (await client.delete(f"{API}/budgets/{made['id']}", headers=headers[0])).status_code == 204


def test_periods_follow_the_start_date() -> None:
    monthly = BudgetPeriod.MONTHLY
    assert period_of(monthly, date(2026, 1, 15), None, date(2026, 3, 2)) == Period(date(2026, 2, 15), date(2026, 3, 14))
    assert period_of(monthly, date(2026, 1, 31), None, date(2026, 2, 27)) == Period(
        date(2026, 1, 31), date(2026, 2, 27)
    )
    assert period_of(monthly, date(2026, 1, 31), None, date(2026, 2, 28)) == Period(
        date(2026, 2, 28), date(2026, 3, 30)
    )
    weekly = period_of(BudgetPeriod.WEEKLY, date(2026, 1, 5), None, date(2026, 1, 20))
    assert weekly == Period(date(2026, 1, 19), date(2026, 1, 25)) and weekly.days == 7
    assert period_of(BudgetPeriod.YEARLY, date(2024, 2, 29), None, date(2026, 3, 1)).start == date(2026, 2, 28)
    assert period_of(monthly, date(2026, 1, 1), date(2026, 2, 10), date(2026, 6, 1)) == Period(
        date(2026, 2, 1), date(2026, 2, 10))  # fmt: skip
    custom = period_of(BudgetPeriod.CUSTOM, date(2026, 1, 1), date(2026, 1, 10), date(2026, 5, 1))
    assert custom.elapsed_days(date(2026, 1, 4)) == 4 and custom.elapsed_days(date(2025, 1, 1)) == 0
    assert months_before(date(2026, 3, 15), 3) == [(date(2025, 12, 1), date(2025, 12, 31)),
                                                   (date(2026, 1, 1), date(2026, 1, 31)),
                                                   (date(2026, 2, 1), date(2026, 2, 28))]  # fmt: skip
    rounded = [nice(Decimal(v), 2) for v in ("12.3", "100", "101", "1001")]
    assert rounded == [Decimal("15.00"), Decimal("100.00"), Decimal("110.00"), Decimal("1050.00")]


async def test_templates_seeded_used_and_owned(client, session, settings) -> None:
    assert all(sum(Decimal(v["percentage"]) for v in t["category_allocations"].values()) == 100 for t in
               SYSTEM_TEMPLATES)  # fmt: skip
    user = await make_account(session)
    headers = await auth_headers(session, settings, user)
    listed = (await client.get(f"{API}/budget-templates", headers=headers)).json()
    urban = next(t for t in listed if t["name"].startswith("Urban Professional"))
    assert urban["is_system"] and len(listed) >= 6
    body = {"income": "5000.00", "currency": "USD", "start_date": "2026-01-01"}
    made = (await client.post(f"{API}/budget-templates/{urban['id']}/budgets", json=body, headers=headers)).json()
    assert made["amount"] == "4250.00" and made["budget_type"] == "template"  # 15% saved
    allocations = {a["category"]: a["amount"] for a in made["allocations"]}
    assert allocations["Housing"] == "1500.00" and allocations["Transport"] == "750.00"
    assert sum(Decimal(v) for v in allocations.values()) == Decimal("4250.00")
    listed = (await client.get(f"{API}/budget-templates", headers=headers)).json()
    assert next(t for t in listed if t["id"] == urban["id"])["usage_count"] == urban["usage_count"] + 1
    # A template of one's own, by category id; another user does not see it.
    housing = await slug(session, "housing")
    own = {"name": "Mine", "allocations": [{"category_id": housing, "percentage": "50"},
                                           {"savings": True, "percentage": "50"}]}  # fmt: skip
    template = (await client.post(f"{API}/budget-templates", json=own, headers=headers)).json()
    made = (await client.post(f"{API}/budget-templates/{template['id']}/budgets", json={"income": "999.99"},
                              headers=headers)).json()  # fmt: skip
    assert made["amount"] == "499.99" and made["allocations"][0]["amount"] == "499.99"
    other = await auth_headers(session, settings, await make_account(session))
    assert (await client.get(f"{API}/budget-templates/{template['id']}", headers=other)).status_code == 404
    too_much = {"name": "x", "allocations": [{"category_id": housing, "percentage": "60"},
                                             {"savings": True, "percentage": "50"}]}  # fmt: skip
    assert (await client.post(f"{API}/budget-templates", json=too_much, headers=headers)).status_code == 422


async def history(client, session, headers) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Three months of spending before this one: rent 1000 each, groceries 90, 120 and 150."""
    rent, groceries = await slug(session, "rent"), await slug(session, "supermarket")
    for start, _ in months_before(date.today(), 3):
        await spend(client, headers, amount="1000.00", category_id=rent, expense_date=str(start))
    for (start, _), amount in zip(months_before(date.today(), 3), ("90", "120", "150"), strict=True):
        await spend(client, headers, amount=amount, category_id=groceries, expense_date=str(start + timedelta(days=3)))
    return await slug(session, "housing"), await slug(session, "groceries")


async def test_a_suggestion_without_a_key_averages_my_own_months(client, session, settings) -> None:
    user = await make_account(session)
    headers = await auth_headers(session, settings, user)
    empty = await client.post(f"{API}/budgets/suggest", json={}, headers=headers)
    assert empty.status_code == 422 and "no categorised spending" in empty.text
    housing, groceries = await history(client, session, headers)
    made = (await client.post(f"{API}/budgets/suggest", json={"months": 3}, headers=headers)).json()
    assert made["budget_type"] == "ai_suggested" and made["ai_generation_context"]["source"] == "system"
    assert {a["category_id"]: a["amount"] for a in made["allocations"]} == {housing: "1000.00", groceries: "120.00"}
    assert made["amount"] == "1120.00" and len(made["ai_generation_context"]["history"]) == 2


async def test_a_suggestion_by_the_ai_is_checked_and_falls_back(client, session, ai) -> None:
    settings, fake = ai
    user = await make_account(session)
    headers = await auth_headers(session, settings, user)
    keys = {"openai_api_key": GOOD_KEYS["openai"], "active_parser_provider": "openai"}
    assert (await client.patch(f"{API}/ai-settings", json=keys, headers=headers)).status_code == 200
    housing, groceries = await history(client, session, headers)
    fake.reset("good", {"rationale": "Rent is fixed; groceries trend up.", "allocations": [
        {"category_id": housing, "amount": "1000", "reason": "rent"},
        {"category_id": groceries, "amount": "140.50", "reason": "rising"},
        {"category_id": "not-one-of-yours", "amount": "99", "reason": "made up"},
    ]})  # fmt: skip
    made = (await client.post(f"{API}/budgets/suggest", json={}, headers=headers)).json()
    context = made["ai_generation_context"]
    assert context["source"] == "ai" and context["ai"]["provider"] == "openai" and context["ai"]["usage"]["attempts"]
    assert {a["category_id"]: a["amount"] for a in made["allocations"]} == {housing: "1000.00", groceries: "140.50"}
    assert "Monthly spending" in fake.requests[-1]["body"]["messages"][-1]["content"]
    fake.reset("malformed")
    made = (await client.post(f"{API}/budgets/suggest", json={}, headers=headers)).json()
    assert made["ai_generation_context"]["source"] == "system" and "not JSON" in made["ai_generation_context"]["ai"][
        "error"]  # fmt: skip


async def test_alerts_once_per_threshold_and_period_as_notifications(client, session, settings) -> None:
    user = await make_account(session)
    headers = await auth_headers(session, settings, user)
    groceries = await slug(session, "groceries")
    today = date.today()
    body = {"name": "Food", "start_date": str(today.replace(day=1)), "amount": "1000", "currency": "USD",
            "allocations": [{"category_id": groceries, "amount": "100"}]}  # fmt: skip
    budget = (await client.post(f"{API}/budgets", json=body, headers=headers)).json()
    now = datetime.now(UTC)
    await spend(client, headers, amount="85.00", category_id=groceries)
    assert await service.check_all(session, now) == 1
    assert await service.check_all(session, now) == 0  # the same threshold in the same period: once
    await spend(client, headers, amount="20.00", category_id=groceries)
    assert await service.check_all(session, now) == 1  # past 100% now
    page = (await client.get(f"{API}/notifications?unread=true", headers=headers)).json()
    titles = [n["title"] for n in page["items"]]
    assert titles == ["Food: Groceries at 105.0%", "Food: Groceries at 85.0%"]
    assert page["items"][0]["related_object_id"] == budget["id"]
    assert (await client.get(f"{API}/notifications/unread-count", headers=headers)).json() == {"unread": 2}
    first = page["items"][0]["id"]
    assert (await client.post(f"{API}/notifications/{first}/read", headers=headers)).json()["is_read"] is True
    assert (await client.get(f"{API}/notifications/unread-count", headers=headers)).json() == {"unread": 1}
    await client.post(f"{API}/notifications/read-all", headers=headers)
    assert (await client.get(f"{API}/notifications?unread=true", headers=headers)).json()["items"] == []


async def test_classifying_in_bulk_moves_expenses_out_of_totals_and_is_all_or_nothing(client, session, settings):
    user, other = await make_account(session), await make_account(session)
    headers = await auth_headers(session, settings, user)
    groceries = await slug(session, "groceries")
    today = date.today()
    made = []
    for amount in ("10.00", "20.00", "30.00"):
        reply = await client.post(f"{API}/expenses", json={"title": "x", "amount": amount, "category_id": groceries},
                                  headers=headers)  # fmt: skip
        made.append(reply.json()["id"])
    body = {"name": "B", "start_date": str(today.replace(day=1)), "amount": "100", "currency": "USD"}
    budget = (await client.post(f"{API}/budgets", json=body, headers=headers)).json()
    status = f"{API}/budgets/{budget['id']}/status"
    assert (await client.get(status, headers=headers)).json()["spent"] == "60.00"
    bulk = {"expense_ids": made[:2], "expense_classification": "reimbursable"}
    assert (await client.post(f"{API}/expenses/classification", json=bulk, headers=headers)).json() == {"updated": 2}
    assert (await client.get(status, headers=headers)).json()["spent"] == "30.00"  # reimbursable is excluded
    # Counted again by hand, though still reimbursable.
    override = {**bulk, "expense_ids": made[:1], "exclude_from_totals_override": False}
    await client.post(f"{API}/expenses/classification", json=override, headers=headers)
    assert (await client.get(status, headers=headers)).json()["spent"] == "40.00"
    # Someone else's expense in the list: nothing changes.
    theirs = (await client.post(f"{API}/expenses", json={"title": "y", "amount": "5"},
                                headers=await auth_headers(session, settings, other))).json()["id"]  # fmt: skip
    refused = {"expense_ids": [made[2], theirs], "expense_classification": "charity"}
    reply = await client.post(f"{API}/expenses/classification", json=refused, headers=headers)
    assert reply.status_code == 404 and "nothing was changed" in reply.json()["detail"]
    assert (await client.get(status, headers=headers)).json()["spent"] == "40.00"
