"""Settlements: recorded by one side, completed by the other; balances move and shares get settled."""

from __future__ import annotations

from tests.factories import auth_headers, make_account
from tests.test_expenses import trio
from tests.test_groups import friends

API = "/api/v1/settlements"


async def test_a_payment_completes_when_both_confirm(client, session, settings) -> None:
    (a, b, c), (ha, hb, hc), group = await trio(client, session, settings)
    gid = group["id"]
    dinner = (
        await client.post("/api/v1/expenses", json={"title": "Dinner", "amount": "30.00", "group_id": gid}, headers=ha)
    ).json()
    plan = (await client.get(f"/api/v1/groups/{gid}/settle-up", headers=hb)).json()["transfers"]
    mine = next(t for t in plan if t["from_user_id"] == b.id)
    assert mine == {"from_user_id": b.id, "to_user_id": a.id, "amount": "10.00", "currency": "USD"}

    recorded = await client.post(
        API, json={"payer_id": b.id, "payee_id": a.id, "amount": "10.00", "group_id": gid}, headers=hb
    )
    assert recorded.status_code == 201, recorded.text
    payment = recorded.json()
    assert payment["status"] == "pending" and payment["is_confirmed_by_payer"] and not payment["is_confirmed_by_payee"]
    assert (await client.post(f"{API}/{payment['id']}/confirm", headers=hc)).status_code == 403  # not a party
    done = (await client.post(f"{API}/{payment['id']}/confirm", headers=ha)).json()
    assert done["status"] == "completed" and done["completed_at"]

    balances = (await client.get(f"/api/v1/groups/{gid}/balances", headers=ha)).json()
    assert {x["user_id"]: x["balance"] for x in balances[0]["balances"]} == {a.id: "10.00", c.id: "-10.00"}
    expense = (await client.get(f"/api/v1/expenses/{dinner['id']}", headers=ha)).json()
    assert {s["user_id"]: s["is_settled"] for s in expense["shares"]}[b.id] is True
    assert expense["is_settled"] is False  # c has not paid yet

    c_pays = (
        await client.post(API, json={"payer_id": c.id, "payee_id": a.id, "amount": "10", "group_id": gid}, headers=ha)
    ).json()
    await client.post(f"{API}/{c_pays['id']}/confirm", headers=hc)
    assert (await client.get(f"/api/v1/expenses/{dinner['id']}", headers=ha)).json()["is_settled"] is True
    assert (await client.get(f"/api/v1/groups/{gid}/balances", headers=ha)).json() == []
    assert (await client.post(f"{API}/{c_pays['id']}/cancel", headers=hc)).status_code == 422  # already completed
    listed = (await client.get(API, params={"group_id": gid}, headers=hc)).json()["items"]
    assert [item["id"] for item in listed] == [c_pays["id"], payment["id"]]


async def test_cancel_and_invalid_payments(client, session, settings) -> None:
    a, b, c = [await make_account(session) for _ in range(3)]
    ha, hb, hc = [await auth_headers(session, settings, u) for u in (a, b, c)]
    await friends(session, a, b)
    pending = (
        await client.post(API, json={"payer_id": a.id, "payee_id": b.id, "amount": "5", "currency": "eur"}, headers=ha)
    ).json()
    assert pending["currency"] == "EUR" and pending["amount"] == "5.00"
    assert (await client.get(f"{API}/{pending['id']}", headers=hc)).status_code == 404
    cancelled = (await client.post(f"{API}/{pending['id']}/cancel", headers=hb)).json()
    assert cancelled["status"] == "cancelled"
    cases = [
        ({"payer_id": b.id, "payee_id": c.id, "amount": "5"}, "payments you made or received"),
        ({"payer_id": a.id, "payee_id": c.id, "amount": "5"}, "your friends"),
        ({"payer_id": a.id, "payee_id": b.id, "amount": "5.001"}, "decimal places"),
        ({"payer_id": a.id, "payee_id": a.id, "amount": "5"}, "two different people"),
    ]
    for body, message in cases:
        response = await client.post(API, json=body, headers=ha)
        assert response.status_code == 422 and message in response.json()["detail"], (body, response.text)
