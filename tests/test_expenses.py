"""Expenses over HTTP: splits, several payers, who may see and change them, approval, search."""

from __future__ import annotations

from datetime import date, timedelta

from tests.factories import auth_headers, make_account
from tests.test_groups import friends

API = "/api/v1/expenses"


async def trio(client, session, settings, **group_settings):  # type: ignore[no-untyped-def]
    users = [await make_account(session) for _ in range(3)]
    headers = [await auth_headers(session, settings, u) for u in users]
    group = (await client.post("/api/v1/groups", json={"name": "Trip", **group_settings}, headers=headers[0])).json()
    for h in headers[1:]:
        await client.post("/api/v1/groups/join", json={"invite_code": group["invite_code"]}, headers=h)
    return users, headers, group


async def test_group_expense_equal_split_and_balances(client, session, settings) -> None:
    (a, b, c), (ha, hb, hc), group = await trio(client, session, settings)
    created = await client.post(API, json={"title": "Dinner", "amount": "100.00", "group_id": group["id"]}, headers=ha)
    assert created.status_code == 201, created.text
    expense = created.json()
    assert [s["amount"] for s in expense["shares"]] == ["33.34", "33.33", "33.33"]
    assert expense["payers"] == [{"user_id": a.id, "amount": "100.00"}] and expense["currency"] == "USD"
    assert (await client.get(f"{API}/{expense['id']}", headers=hc)).json()["title"] == "Dinner"
    balances = (await client.get(f"/api/v1/groups/{group['id']}/balances", headers=hb)).json()
    assert {x["user_id"]: x["balance"] for x in balances[0]["balances"]} == {
        a.id: "66.66",
        b.id: "-33.33",
        c.id: "-33.33",
    }


async def test_several_payers_and_other_splits(client, session, settings) -> None:
    (a, b, c), (ha, _, _), group = await trio(client, session, settings)
    body = {
        "title": "Hotel",
        "amount": "301.00",
        "group_id": group["id"],
        "split": {"method": "shares", "participants": [{"user_id": a.id, "value": 2}, {"user_id": b.id, "value": 1}]},
        "payers": [{"user_id": a.id, "amount": "200"}, {"user_id": c.id, "amount": "101"}],
    }
    expense = (await client.post(API, json=body, headers=ha)).json()
    assert {s["user_id"]: s["amount"] for s in expense["shares"]} == {a.id: "200.67", b.id: "100.33"}
    assert {p["user_id"]: p["amount"] for p in expense["payers"]} == {a.id: "200.00", c.id: "101.00"}
    yen = (
        await client.post(
            API, json={"title": "Sushi", "amount": "1000", "currency": "JPY", "group_id": group["id"]}, headers=ha
        )
    ).json()
    assert [s["amount"] for s in yen["shares"]] == ["334", "333", "333"] and yen["base_currency"] == "USD"


async def test_invalid_splits_and_people_get_422(client, session, settings) -> None:
    (a, b, _), (ha, _, _), group = await trio(client, session, settings)
    stranger = await make_account(session)
    cases = [
        (
            {
                "split": {
                    "method": "percentage",
                    "participants": [{"user_id": a.id, "value": 50}, {"user_id": b.id, "value": 40}],
                }
            },
            "not 100",
        ),
        ({"split": {"method": "exact", "participants": [{"user_id": a.id, "value": "5"}]}}, "add up to 5.00"),
        ({"split": {"participants": [{"user_id": stranger.id}]}}, "not a member of this group"),
        ({"payers": [{"user_id": a.id, "amount": "3"}, {"user_id": b.id, "amount": "3"}]}, "add up to 6.00"),
        ({"amount": "10.001"}, "decimal places"),
        ({"expense_date": (date.today() + timedelta(days=3)).isoformat()}, "future"),
    ]
    for change, message in cases:
        body = {"title": "x", "amount": "10.00", "group_id": group["id"], **change}
        response = await client.post(API, json=body, headers=ha)
        assert response.status_code == 422, (change, response.text)
        assert message in response.json()["detail"], (change, response.json()["detail"])


async def test_personal_expenses_need_friends(client, session, settings) -> None:
    a, b, c = [await make_account(session) for _ in range(3)]
    ha, hb, hc = [await auth_headers(session, settings, u) for u in (a, b, c)]
    await friends(session, a, b)
    split = {"participants": [{"user_id": a.id}, {"user_id": b.id}]}
    shared = await client.post(API, json={"title": "Taxi", "amount": "9.00", "split": split}, headers=ha)
    assert shared.status_code == 201 and shared.json()["group_id"] is None
    assert (await client.get(f"{API}/{shared.json()['id']}", headers=hb)).status_code == 200
    assert (await client.get(f"{API}/{shared.json()['id']}", headers=hc)).status_code == 404
    not_friend = await client.post(
        API, json={"title": "x", "amount": "1.00", "split": {"participants": [{"user_id": c.id}]}}, headers=ha
    )
    assert not_friend.status_code == 422 and "your friends" in not_friend.json()["detail"]
    mine = await client.post(API, json={"title": "Coffee", "amount": "3.50"}, headers=ha)
    assert [s["user_id"] for s in mine.json()["shares"]] == [a.id]
    assert (await client.get(f"{API}/{mine.json()['id']}", headers=hb)).status_code == 404


async def test_edit_recomputes_and_viewers_cannot_write(client, session, settings) -> None:
    (_a, b, c), (ha, hb, hc), group = await trio(client, session, settings)
    expense = (
        await client.post(API, json={"title": "Food", "amount": "30.00", "group_id": group["id"]}, headers=ha)
    ).json()
    edited = await client.patch(f"{API}/{expense['id']}", json={"amount": "31.00", "title": "Food!"}, headers=hb)
    assert edited.status_code == 200, edited.text
    assert [s["amount"] for s in edited.json()["shares"]] == ["10.34", "10.33", "10.33"]
    resplit = await client.patch(
        f"{API}/{expense['id']}", json={"split": {"participants": [{"user_id": b.id}, {"user_id": c.id}]}}, headers=ha
    )
    assert {s["user_id"]: s["amount"] for s in resplit.json()["shares"]} == {b.id: "15.50", c.id: "15.50"}

    await client.put(f"/api/v1/groups/{group['id']}/members/{c.id}/role", json={"role": "viewer"}, headers=ha)
    assert (await client.patch(f"{API}/{expense['id']}", json={"title": "no"}, headers=hc)).status_code == 403
    assert (await client.delete(f"{API}/{expense['id']}", headers=hc)).status_code == 403
    add = await client.post(API, json={"title": "x", "amount": "1.00", "group_id": group["id"]}, headers=hc)
    assert add.status_code == 403

    deleted = await client.delete(f"{API}/{expense['id']}", headers=hb)
    assert deleted.json()["is_deleted"] is True
    assert (await client.get(f"/api/v1/groups/{group['id']}/balances", headers=ha)).json() == []
    assert (await client.post(f"{API}/{expense['id']}/restore", headers=ha)).json()["is_deleted"] is False
    assert (await client.get(f"/api/v1/groups/{group['id']}/balances", headers=ha)).json() != []


async def test_approval_gates_balances(client, session, settings) -> None:
    (_a, _b, _), (ha, hb, _), group = await trio(client, session, settings, requires_approval=True)
    expense = (
        await client.post(API, json={"title": "Gas", "amount": "60.00", "group_id": group["id"]}, headers=hb)
    ).json()
    assert expense["is_approved"] is False
    assert (await client.get(f"/api/v1/groups/{group['id']}/balances", headers=ha)).json() == []
    assert (await client.post(f"{API}/{expense['id']}/approve", headers=hb)).status_code == 403
    approved = await client.post(f"{API}/{expense['id']}/approve", headers=ha)
    assert approved.json()["is_approved"] is True
    assert (await client.get(f"/api/v1/groups/{group['id']}/balances", headers=ha)).json() != []
    again = await client.post(f"{API}/{expense['id']}/reject", headers=ha)
    assert again.status_code == 422


async def test_list_filters_search_and_pages(client, session, settings) -> None:
    (_a, _b, _), (ha, hb, _), group = await trio(client, session, settings)
    today = date.today()
    titles = ["Pizza night", "Train tickets", "Groceries", "Pizza lunch", "Museum"]
    for days_ago, title in enumerate(titles):
        body = {"title": title, "amount": f"{10 + days_ago}.00", "group_id": group["id"]}
        body["expense_date"] = (today - timedelta(days=days_ago)).isoformat()
        await client.post(API, json=body, headers=ha)
    await client.post(API, json={"title": "Private pizza", "amount": "5.00"}, headers=hb)

    page = (await client.get(API, params={"group_id": group["id"], "limit": 2}, headers=hb)).json()
    assert [e["title"] for e in page["items"]] == ["Pizza night", "Train tickets"]
    rest = (await client.get(API, params={"group_id": group["id"], "cursor": page["next_cursor"]}, headers=hb)).json()
    assert [e["title"] for e in rest["items"]] == ["Groceries", "Pizza lunch", "Museum"] and rest["next_cursor"] is None

    pizza = (await client.get(API, params={"q": "pizza"}, headers=hb)).json()["items"]
    assert {e["title"] for e in pizza[:2]} == {"Private pizza", "Pizza night"}  # same day: order by id
    assert pizza[2]["title"] == "Pizza lunch" and len(pizza) == 3
    assert [e["title"] for e in (await client.get(API, params={"q": "pizza"}, headers=ha)).json()["items"]] == [
        "Pizza night",
        "Pizza lunch",
    ]
    ranged = (
        await client.get(API, params={"group_id": group["id"], "min_amount": 11, "max_amount": 12}, headers=ha)
    ).json()
    assert [e["title"] for e in ranged["items"]] == ["Train tickets", "Groceries"]
    stranger = await auth_headers(session, settings, await make_account(session))
    assert (await client.get(API, params={"group_id": group["id"]}, headers=stranger)).status_code == 404
