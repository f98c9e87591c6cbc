"""Reminding someone who owes you: what it says, once a day, and never about a debt that is not there."""

from __future__ import annotations

from tests.factories import auth_headers, make_account
from tests.test_expenses import trio

API = "/api/v1"


async def reminders(client, headers) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    items = (await client.get(f"{API}/notifications", headers=headers)).json()["items"]
    return [n for n in items if n["notification_type"] == "payment_reminder"]


async def test_a_reminder_names_what_is_owed_and_goes_once_a_day(client, session, settings) -> None:  # type: ignore[no-untyped-def]
    (a, b, c), (ha, hb, hc), group = await trio(client, session, settings)
    dinner = {"title": "Dinner", "amount": "30.00", "group_id": group["id"]}
    assert (await client.post(f"{API}/expenses", json=dinner, headers=ha)).status_code == 201
    eur = {"title": "Museum", "amount": "12.00", "currency": "EUR", "group_id": group["id"],
           "split": {"participants": [{"user_id": a.id}, {"user_id": b.id}]}}  # fmt: skip
    assert (await client.post(f"{API}/expenses", json=eur, headers=ha)).status_code == 201

    sent = await client.post(f"{API}/balances/reminders", json={"user_id": b.id, "note": "Rent is due"}, headers=ha)
    assert sent.status_code == 200, sent.text
    owed = [{"amount": "6.00", "currency": "EUR"}, {"amount": "10.00", "currency": "USD"}]
    assert sent.json() == {"user_id": b.id, "owed": owed, "sent": True}
    [note] = await reminders(client, hb)
    assert note["title"] == f"{a.username} reminds you that you owe them 6.00 EUR and 10.00 USD"
    assert note["message"] == "Rent is due"

    again = await client.post(f"{API}/balances/reminders", json={"user_id": b.id}, headers=ha)
    assert again.status_code == 200 and again.json()["sent"] is False
    assert len(await reminders(client, hb)) == 1

    # c turned reminders off: nothing reaches them, and the answer says none went out.
    off = await client.put(f"{API}/notification-preferences/payment_reminder", json={"is_enabled": False},
                           headers=hc)  # fmt: skip
    assert off.status_code == 200
    quiet = await client.post(f"{API}/balances/reminders", json={"user_id": c.id}, headers=ha)
    assert quiet.status_code == 200 and quiet.json()["sent"] is False
    assert await reminders(client, hc) == []


async def test_nobody_is_reminded_of_a_debt_that_is_not_there(client, session, settings) -> None:  # type: ignore[no-untyped-def]
    (a, b, _), (ha, hb, _), group = await trio(client, session, settings)
    await client.post(f"{API}/expenses", json={"title": "Taxi", "amount": "9.00", "group_id": group["id"]}, headers=ha)
    stranger = await make_account(session)
    hs = await auth_headers(session, settings, stranger)
    for headers, target in ((hb, a.id), (ha, a.id), (ha, stranger.id), (hs, b.id), (ha, 2**70)):
        refused = await client.post(f"{API}/balances/reminders", json={"user_id": target}, headers=headers)
        assert refused.status_code == 422, (target, refused.text)
    # Blocked either way: no reminders between them, though the debt stands.
    assert (await client.post(f"{API}/friends/blocks", json={"user_id": a.id}, headers=hb)).status_code == 204
    blocked = await client.post(f"{API}/balances/reminders", json={"user_id": b.id}, headers=ha)
    assert blocked.status_code == 422
    assert await reminders(client, hb) == []
