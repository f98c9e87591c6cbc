"""`Idempotency-Key`: a retried create gives the first answer back and makes nothing twice."""

from __future__ import annotations

from sqlalchemy import func, select

from app.models import Expense, Payment, Settlement
from tests.factories import auth_headers, make_account
from tests.test_expenses import trio

API = "/api/v1"


async def test_a_retried_expense_is_made_once_and_answered_the_same(client, session, settings) -> None:  # type: ignore[no-untyped-def]
    (_, _, _), (ha, hb, _), group = await trio(client, session, settings)
    body = {"title": "Pizza", "amount": "45.00", "group_id": group["id"]}
    first = await client.post(f"{API}/expenses", json=body, headers=ha | {"Idempotency-Key": "k-pizza"})
    assert first.status_code == 201, first.text
    again = await client.post(f"{API}/expenses", json=body, headers=ha | {"Idempotency-Key": "k-pizza"})
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert list(again.json()) == list(first.json())  # same body, keys in the same order
    count = select(func.count()).select_from(Expense).where(Expense.title == "Pizza")
    assert await session.scalar(count) == 1

    # Keys are the caller's own: someone else's "k-pizza" is a new request of theirs.
    other = await client.post(f"{API}/expenses", json=body, headers=hb | {"Idempotency-Key": "k-pizza"})
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    # Without a key every request is new.
    assert (await client.post(f"{API}/expenses", json=body, headers=ha)).json()["id"] != first.json()["id"]
    assert await session.scalar(count) == 3


async def test_a_key_reused_for_another_request_is_refused(client, session, settings) -> None:  # type: ignore[no-untyped-def]
    user = await make_account(session)
    headers = await auth_headers(session, settings, user) | {"Idempotency-Key": "k-1"}
    assert (await client.post(f"{API}/expenses", json={"title": "Tea", "amount": "2.00"}, headers=headers)).is_success
    reused = await client.post(f"{API}/expenses", json={"title": "Cake", "amount": "4.00"}, headers=headers)
    assert reused.status_code == 422
    assert reused.json()["detail"].startswith("This Idempotency-Key was already used for a different request")
    cake = select(func.count()).select_from(Expense).where(Expense.title == "Cake")
    assert await session.scalar(cake) == 0
    too_long = headers | {"Idempotency-Key": "x" * 256}
    assert (
        await client.post(f"{API}/expenses", json={"title": "Cake", "amount": "4.00"}, headers=too_long)
    ).status_code == 422


async def test_a_request_that_failed_keeps_no_key(client, session, settings) -> None:  # type: ignore[no-untyped-def]
    user = await make_account(session)
    headers = await auth_headers(session, settings, user) | {"Idempotency-Key": "k-future"}
    body = {"title": "Flight", "amount": "300.00", "expense_date": "2999-01-01"}
    assert (await client.post(f"{API}/expenses", json=body, headers=headers)).status_code == 422
    # The same request, fixed, with the same key: nothing was saved the first time, so it is made now.
    fixed = await client.post(f"{API}/expenses", json=body | {"expense_date": None}, headers=headers)
    assert fixed.status_code == 201, fixed.text


async def test_settlements_and_payments_are_made_once_per_key(client, session, settings) -> None:  # type: ignore[no-untyped-def]
    (a, b, _), (ha, hb, _), group = await trio(client, session, settings)
    await client.post(f"{API}/expenses", json={"title": "Dinner", "amount": "30.00", "group_id": group["id"]},
                      headers=ha)  # fmt: skip
    paid = {"payer_id": b.id, "payee_id": a.id, "amount": "10.00", "group_id": group["id"]}
    answers = [await client.post(f"{API}/settlements", json=paid, headers=hb | {"Idempotency-Key": "s-1"})
               for _ in range(2)]  # fmt: skip
    assert [r.status_code for r in answers] == [201, 201] and answers[0].json() == answers[1].json()
    assert await session.scalar(select(func.count()).select_from(Settlement)) == 1
    sid = answers[0].json()["id"]
    method = (await client.post(f"{API}/payment-methods", json={"method_type": "stripe", "name": "Card"},
                                headers=hb)).json()  # fmt: skip
    pay = {"payment_method_id": method["id"], "payment_service": "stripe", "external_transaction_id": "pi_k"}
    keyed = hb | {"Idempotency-Key": "p-1"}
    payments = [await client.post(f"{API}/settlements/{sid}/payments", json=pay, headers=keyed) for _ in range(2)]
    assert [r.status_code for r in payments] == [201, 201] and payments[0].json() == payments[1].json()
    assert await session.scalar(select(func.count()).select_from(Payment)) == 1


async def test_every_create_a_client_may_retry_takes_a_key(client, session, settings) -> None:  # type: ignore[no-untyped-def]
    user = await make_account(session)
    headers = await auth_headers(session, settings, user)
    expense = (await client.post(f"{API}/expenses", json={"title": "Tea", "amount": "2.00"}, headers=headers)).json()
    creates = [
        ("/groups", {"name": "Flat"}, "/groups"),
        ("/recurring-expenses", {"title": "Rent", "amount": "900.00", "frequency": "monthly",
                                 "start_date": "2026-11-01"}, "/recurring-expenses"),
        ("/budgets", {"name": "Food", "amount": "300.00", "start_date": "2026-11-01"}, "/budgets"),
        ("/accounts", {"name": "Checking", "account_type": "bank", "currency": "USD"}, "/accounts"),
        ("/payment-methods", {"method_type": "card", "name": "Visa", "account_identifier": "4242 4242 4242 4242"},
         "/payment-methods"),
        (f"/expenses/{expense['id']}/comments", {"comment": "Cheap"}, f"/expenses/{expense['id']}/comments"),
    ]  # fmt: skip
    for n, (path, body, listing) in enumerate(creates):
        keyed = headers | {"Idempotency-Key": f"create-{n}"}
        first, again = [await client.post(f"{API}{path}", json=body, headers=keyed) for _ in range(2)]
        assert first.status_code == again.status_code == 201, (path, first.text)
        assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true", path
        listed = (await client.get(f"{API}{listing}", headers=headers)).json()
        items = listed["items"] if isinstance(listed, dict) else listed
        assert len(items) == 1, (path, items)
