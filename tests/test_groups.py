"""Groups over HTTP: creation, members and roles, invite codes, leaving with open balances, the feed."""

from __future__ import annotations

from app.models import UserFriendship
from app.models.enums import FriendshipStatus
from tests.factories import auth_headers, make_account
from tests.test_balances import add_expense

API = "/api/v1/groups"


async def friends(session, a, b) -> None:  # type: ignore[no-untyped-def]
    session.add(UserFriendship(from_user_id=a.id, to_user_id=b.id, status=FriendshipStatus.ACCEPTED))
    await session.flush()


async def test_create_join_roles_and_feed(client, session, settings) -> None:
    alice, bob, carol = [await make_account(session) for _ in range(3)]
    a, b, c = [await auth_headers(session, settings, u) for u in (alice, bob, carol)]
    created = await client.post(API, json={"name": "Lisbon trip", "group_type": "trip", "currency": "eur"}, headers=a)
    assert created.status_code == 201, created.text
    group = created.json()
    assert group["my_role"] == "admin" and group["currency"] == "EUR" and group["member_count"] == 1
    code = group["invite_code"]

    joined = await client.post(f"{API}/join", json={"invite_code": code.lower()}, headers=b)
    assert joined.status_code == 200 and joined.json()["my_role"] == "member"
    assert joined.json()["invite_code"] is None  # only admins see it
    assert (await client.post(f"{API}/join", json={"invite_code": code}, headers=b)).status_code == 409
    assert [g["name"] for g in (await client.get(API, headers=b)).json()] == ["Lisbon trip"]

    # Members cannot change settings; admins can.
    assert (await client.patch(f"{API}/{group['id']}", json={"name": "x"}, headers=b)).status_code == 403
    pairwise = await client.patch(f"{API}/{group['id']}", json={"simplify_debts": False}, headers=a)
    assert pairwise.status_code == 200 and pairwise.json()["simplify_debts"] is False
    renamed = await client.patch(f"{API}/{group['id']}", json={"name": "Porto trip"}, headers=a)
    assert renamed.json()["name"] == "Porto trip" and renamed.json()["member_count"] == 2

    # Adding someone directly needs a friendship.
    not_friend = await client.post(f"{API}/{group['id']}/members", json={"user_id": carol.id}, headers=a)
    assert not_friend.status_code == 422
    await friends(session, alice, carol)
    added = await client.post(f"{API}/{group['id']}/members", json={"user_id": carol.id, "role": "viewer"}, headers=a)
    assert added.status_code == 201
    assert {m["user"]["id"]: m["role"] for m in added.json()["members"]} == {
        alice.id: "admin",
        bob.id: "member",
        carol.id: "viewer",
    }
    assert (await client.get(f"{API}/{group['id']}", headers=c)).status_code == 200

    # The only admin cannot step down or leave while others remain.
    demote = await client.put(f"{API}/{group['id']}/members/{alice.id}/role", json={"role": "member"}, headers=a)
    assert demote.status_code == 409
    leave = await client.post(f"{API}/{group['id']}/members/{alice.id}/remove", headers=a)
    assert leave.status_code == 409 and "only admin" in leave.json()["detail"]

    promoted = await client.put(f"{API}/{group['id']}/members/{bob.id}/role", json={"role": "admin"}, headers=a)
    assert {m["user"]["id"]: m["role"] for m in promoted.json()["members"]}[bob.id] == "admin"
    assert (
        await client.put(f"{API}/{group['id']}/members/{bob.id}/role", json={"role": "member"}, headers=c)
    ).status_code == 403

    # A new code locks out the old one.
    fresh = (await client.post(f"{API}/{group['id']}/invite-code", headers=a)).json()["invite_code"]
    assert fresh != code
    assert (await client.post(f"{API}/join", json={"invite_code": code}, headers=c)).status_code in (404, 409)

    feed = (await client.get(f"{API}/{group['id']}/activity", params={"limit": 2}, headers=c)).json()
    assert [item["activity_type"] for item in feed["items"]] == ["role_changed", "member_added"]
    rest = (await client.get(f"{API}/{group['id']}/activity", params={"cursor": feed["next_cursor"]}, headers=c)).json()
    assert [item["activity_type"] for item in rest["items"]] == [
        "group_updated", "group_updated", "member_joined", "group_created"
    ]  # fmt: skip

    # An expense goes into the feed in the same statement that creates it; a personal one into no feed.
    body = {"title": "Pizza", "amount": "30.00", "group_id": group["id"]}
    expense = (await client.post("/api/v1/expenses", json=body, headers=b)).json()
    assert (
        await client.post("/api/v1/expenses", json={"title": "Own lunch", "amount": "9.00"}, headers=b)
    ).status_code == 201
    latest = (await client.get(f"{API}/{group['id']}/activity", params={"limit": 2}, headers=c)).json()["items"]
    assert latest[0]["activity_type"] == "expense_added" and latest[1]["activity_type"] == "role_changed"
    assert latest[0]["description"].endswith("added Pizza")
    assert latest[0]["metadata"] == {"expense_id": expense["id"], "amount": "30.00", "currency": expense["currency"]}


async def test_leaving_with_an_open_balance_needs_an_admin_and_a_reason(client, session, settings) -> None:
    alice, bob = [await make_account(session) for _ in range(2)]
    a, b = [await auth_headers(session, settings, u) for u in (alice, bob)]
    group = (await client.post(API, json={"name": "Flat"}, headers=a)).json()
    await client.post(f"{API}/join", json={"invite_code": group["invite_code"]}, headers=b)
    from app.models import Group

    group_row = await session.get(Group, __import__("uuid").UUID(group["id"]))
    await add_expense(session, group_row, [alice, bob], "USD", 5000, [0, 1], [0])  # alice paid 50.00 for both

    refused = await client.post(f"{API}/{group['id']}/members/{bob.id}/remove", headers=b)
    assert refused.status_code == 409 and "-25.00 USD" in refused.json()["detail"]
    no_reason = await client.post(f"{API}/{group['id']}/members/{bob.id}/remove", json={"force": True}, headers=a)
    assert no_reason.status_code == 422
    forced = await client.post(
        f"{API}/{group['id']}/members/{bob.id}/remove",
        json={"force": True, "reason": "moved out, paid in cash"},
        headers=a,
    )
    assert forced.status_code == 204
    assert (await client.get(f"{API}/{group['id']}", headers=b)).status_code == 404
    feed = (await client.get(f"{API}/{group['id']}/activity", headers=a)).json()["items"]
    assert feed[0]["activity_type"] == "member_removed"
    assert feed[0]["metadata"]["reason"] == "moved out, paid in cash"
