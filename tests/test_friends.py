"""Friend requests, acceptance, declines, unfriending and blocking."""

from __future__ import annotations

from tests.factories import auth_headers, make_account

API = "/api/v1/friends"


async def people(session, settings, count: int):  # type: ignore[no-untyped-def]
    users = [await make_account(session) for _ in range(count)]
    return [(user.id, await auth_headers(session, settings, user)) for user in users]


async def test_request_accept_unfriend(client, session, settings) -> None:
    (alice, a), (bob, b) = await people(session, settings, 2)
    sent = await client.post(f"{API}/requests", json={"user_id": bob, "message": "hi"}, headers=a)
    assert sent.status_code == 201 and sent.json()["direction"] == "outgoing"
    twice = await client.post(f"{API}/requests", json={"user_id": bob}, headers=a)
    assert twice.status_code == 409
    incoming = (await client.get(f"{API}/requests", headers=b)).json()
    assert [(r["user"]["id"], r["message"]) for r in incoming] == [(alice, "hi")]
    outgoing = (await client.get(f"{API}/requests", params={"direction": "outgoing"}, headers=a)).json()
    assert [r["user"]["id"] for r in outgoing] == [bob]
    # Only the recipient can accept.
    assert (await client.post(f"{API}/requests/{sent.json()['id']}/accept", headers=a)).status_code == 404
    accepted = await client.post(f"{API}/requests/{sent.json()['id']}/accept", headers=b)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert [f["user"]["id"] for f in (await client.get(API, headers=a)).json()] == [bob]
    assert [f["user"]["id"] for f in (await client.get(API, headers=b)).json()] == [alice]
    assert (await client.post(f"{API}/requests", json={"user_id": alice}, headers=b)).status_code == 409
    assert (await client.delete(f"{API}/{alice}", headers=b)).status_code == 204
    assert (await client.get(API, headers=a)).json() == []


async def test_asking_back_accepts_and_declined_can_ask_again(client, session, settings) -> None:
    (alice, a), (bob, b), (carol, c) = await people(session, settings, 3)
    await client.post(f"{API}/requests", json={"user_id": bob}, headers=a)
    mutual = await client.post(f"{API}/requests", json={"user_id": alice}, headers=b)
    assert mutual.status_code == 201 and mutual.json()["status"] == "accepted"

    request = (await client.post(f"{API}/requests", json={"user_id": carol}, headers=a)).json()
    assert (await client.post(f"{API}/requests/{request['id']}/decline", headers=c)).status_code == 204
    assert (await client.get(f"{API}/requests", headers=c)).json() == []
    retry = await client.post(f"{API}/requests", json={"user_id": carol}, headers=a)
    assert retry.status_code == 201 and retry.json()["status"] == "pending"
    assert (await client.delete(f"{API}/requests/{retry.json()['id']}", headers=a)).status_code == 204


async def test_self_and_unknown_and_private(client, session, settings) -> None:
    (alice, a), (_, _b) = await people(session, settings, 2)
    hermit = await make_account(session, profile_visibility="private")
    assert (await client.post(f"{API}/requests", json={"user_id": alice}, headers=a)).status_code == 422
    assert (await client.post(f"{API}/requests", json={"user_id": 987_654_321}, headers=a)).status_code == 404
    assert (await client.post(f"{API}/requests", json={"user_id": hermit.id}, headers=a)).status_code == 404


async def test_blocking(client, session, settings) -> None:
    (alice, a), (bob, b) = await people(session, settings, 2)
    await client.post(f"{API}/requests", json={"user_id": bob}, headers=a)
    assert (await client.post(f"{API}/blocks", json={"user_id": alice}, headers=b)).status_code == 204
    # The pending request is gone; the blocked person cannot ask again and cannot tell why.
    assert (await client.get(f"{API}/requests", headers=b)).json() == []
    blocked_try = await client.post(f"{API}/requests", json={"user_id": bob}, headers=a)
    assert blocked_try.status_code == 404 and blocked_try.json()["detail"] == "No such user."
    assert (await client.get(f"/api/v1/users/{bob}", headers=a)).status_code == 404
    blocker_try = await client.post(f"{API}/requests", json={"user_id": alice}, headers=b)
    assert blocker_try.status_code == 409 and "unblock" in blocker_try.json()["detail"]
    assert [row["user"]["id"] for row in (await client.get(f"{API}/blocks", headers=b)).json()] == [alice]
    assert (await client.delete(f"{API}/blocks/{bob}", headers=a)).status_code == 404  # not theirs to lift
    assert (await client.delete(f"{API}/blocks/{alice}", headers=b)).status_code == 204
    assert (await client.post(f"{API}/requests", json={"user_id": bob}, headers=a)).status_code == 201
