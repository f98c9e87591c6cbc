"""Requests that race each other, through the app on its own pool and a database of this module's own.

Elsewhere every request runs inside the test's one transaction, so two requests never meet in PostgreSQL.
Here they do: each commits on its own connection, as in production, and the answers and rows left behind
are checked. A double tap, a provider redelivering a webhook, or two people confirming at once must give
each caller a clear answer (never a 500) and leave the data as if the requests had come one by one.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import text

from app import jobs
from app.config import Settings
from app.db import Database, set_database
from app.main import create_app
from app.services.payments.webhooks import sign
from tests.factories import auth_headers, make_account

SECRET = "whsec_race_secret"


@pytest.fixture(scope="module")
async def race_database_url(servers) -> AsyncIterator[str]:  # type: ignore[no-untyped-def]
    name, url = await servers.migrated_database("et_races")
    yield url
    await servers.drop_database(name)


@pytest.fixture
async def database(race_database_url: str) -> AsyncIterator[Database]:
    """For setting up and checking rows; every `session()` commits on its own."""
    own = Database(race_database_url)
    yield own
    await own.dispose()


@pytest.fixture
async def api(settings: Settings, race_database_url: str, redis_client: object) -> AsyncIterator[httpx.AsyncClient]:
    settings = settings.model_copy(
        update={"database_url": race_database_url, "payment_webhook_secrets": {"stripe": SecretStr(SECRET)}}
    )
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test/api/v1") as client:
            client.app_settings = settings  # type: ignore[attr-defined]
            yield client
    set_database(None)
    jobs.set_queue(None)


async def people(database: Database, settings: Settings, count: int) -> list[tuple[Any, dict[str, str]]]:
    async with database.session() as session:
        users = [await make_account(session) for _ in range(count)]
        return [(user, await auth_headers(session, settings, user)) for user in users]


async def at_once(*requests: Any) -> list[httpx.Response]:
    return list(await asyncio.gather(*requests))


@asynccontextmanager
async def holding(database: Database, lock: str) -> AsyncIterator[None]:
    """Hold `lock` in a transaction of its own until the block ends: requests that need it queue up at that
    point, so they are sure to meet there (a race that is otherwise down to timing)."""
    async with database.engine.connect() as connection:
        transaction = await connection.begin()
        await connection.execute(text(lock))
        try:
            yield
        finally:
            await transaction.rollback()


async def interleaved(database: Database, lock: str, *requests: Awaitable[httpx.Response]) -> list[httpx.Response]:
    """Start the requests one by one while `lock` is held, each once the ones before it wait for a lock (so
    they reach PostgreSQL in the order given), and let go when every one of them waits."""
    async with holding(database, lock):
        tasks = []
        for request in requests:
            tasks.append(asyncio.ensure_future(request))
            await _until_waiting(database, len(tasks))
    return list(await asyncio.gather(*tasks))


async def _until_waiting(database: Database, count: int) -> None:
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    for _ in range(1000):
        async with database.session() as session:
            if await session.scalar(waiting) >= count:
                return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{count} requests did not all come to wait for a lock")


def statuses(answers: list[httpx.Response]) -> list[int]:
    return sorted(answer.status_code for answer in answers)


async def group_of(api: httpx.AsyncClient, members: list[tuple[Any, dict[str, str]]]) -> str:
    """A group of these people, the first its admin; its id."""
    group = (await api.post("/groups", json={"name": "Flat"}, headers=members[0][1])).json()
    for _, headers in members[1:]:
        joined = await api.post("/groups/join", json={"invite_code": group["invite_code"]}, headers=headers)
        assert joined.status_code == 200, joined.text
    return group["id"]


async def owed_settlement(api: httpx.AsyncClient, members: list[tuple[Any, dict[str, str]]], amount: str) -> str:
    """The second person owes the first `amount` for half a dinner and records paying it; its id."""
    (a, ha), (b, hb) = members
    gid = await group_of(api, members)
    dinner = {"title": "Dinner", "amount": str(2 * Decimal(amount)), "group_id": gid}
    assert (await api.post("/expenses", json=dinner, headers=ha)).status_code == 201
    paid = {"payer_id": b.id, "payee_id": a.id, "amount": amount, "group_id": gid}
    settlement = await api.post("/settlements", json=paid, headers=hb)
    assert settlement.status_code == 201, settlement.text
    return settlement.json()["id"]


async def all_settled(api: httpx.AsyncClient, gid: str, headers: dict[str, str]) -> bool:
    balances = (await api.get(f"/groups/{gid}/balances", headers=headers)).json()
    return all(Decimal(row["balance"]) == 0 for currency in balances for row in currency["balances"])


async def admins(api: httpx.AsyncClient, gid: str, headers: dict[str, str]) -> int:
    return [m["role"] for m in (await api.get(f"/groups/{gid}", headers=headers)).json()["members"]].count("admin")


LEDGER = text(
    """
    SELECT user_id, sum(delta) FROM (
        SELECT p.user_id, p.amount AS delta FROM expense_payers p JOIN expenses e ON e.id = p.expense_id
        WHERE e.group_id = :g AND NOT e.is_deleted
        UNION ALL
        SELECT s.user_id, -s.amount FROM expense_shares s JOIN expenses e ON e.id = s.expense_id
        WHERE e.group_id = :g AND NOT e.is_deleted
    ) moves GROUP BY user_id HAVING sum(delta) <> 0
    """
)


async def test_a_double_tapped_join_adds_the_member_once(api, database) -> None:  # type: ignore[no-untyped-def]
    (_, ho), (_, hb) = await people(database, api.app_settings, 2)
    group = (await api.post("/groups", json={"name": "Flat"}, headers=ho)).json()
    join = [api.post("/groups/join", json={"invite_code": group["invite_code"]}, headers=hb) for _ in range(3)]
    # The lock lets the membership checks run and holds the inserts: each request has checked before any
    # has inserted, the moment a double tap can hit.
    answers = await interleaved(database, "LOCK TABLE group_memberships IN SHARE MODE", *join)
    assert statuses(answers) == [200, 409, 409], [a.text for a in answers]
    assert all(a.json()["detail"] for a in answers if a.status_code == 409)
    detail = (await api.get(f"/groups/{group['id']}", headers=ho)).json()
    assert detail["member_count"] == 2 and len(detail["members"]) == 2


async def test_a_double_tapped_registration_makes_one_account(api) -> None:  # type: ignore[no-untyped-def]
    account = {"email": "twice@example.org", "username": "twice", "password": "a long enough password"}
    answers = await at_once(*(api.post("/auth/register", json=account) for _ in range(3)))
    assert statuses(answers) == [201, 409, 409], [a.text for a in answers]


async def test_expenses_added_at_once_keep_the_group_ledger_exact(api, database) -> None:  # type: ignore[no-untyped-def]
    members = await people(database, api.app_settings, 4)
    gid = await group_of(api, members)
    ids = [user.id for user, _ in members]

    def body(n: int) -> dict[str, Any]:
        if n % 3 == 0:
            people = [{"user_id": ids[0], "value": "1.01"}, {"user_id": ids[1 + n % 3], "value": "9.00"}]
            return {
                "title": f"Taxi {n}",
                "amount": "10.01",
                "group_id": gid,
                "split": {"method": "exact", "participants": people},
            }
        return {"title": f"Lunch {n}", "amount": f"{7 + n}.{n:02d}", "group_id": gid}

    answers = await at_once(*(api.post("/expenses", json=body(n), headers=members[n % 4][1]) for n in range(24)))
    assert statuses(answers) == [201] * 24, [a.text for a in answers if a.status_code != 201]
    deleted = await at_once(*(api.delete(f"/expenses/{a.json()['id']}", headers=members[0][1]) for a in answers[:6]))
    assert statuses(deleted) == [200] * 6, [a.text for a in deleted]

    balances = (await api.get(f"/groups/{gid}/balances", headers=members[1][1])).json()
    kept = {row["user_id"]: Decimal(row["balance"]) for row in balances[0]["balances"]}
    assert sum(kept.values()) == 0
    async with database.session() as session:
        recounted = dict((await session.execute(LEDGER, {"g": gid})).all())
    assert {user: amount for user, amount in kept.items() if amount} == recounted


async def test_both_sides_confirming_at_once_complete_the_payment_once(api, database) -> None:  # type: ignore[no-untyped-def]
    members = await people(database, api.app_settings, 2)
    (_, ha), (_, hb) = members
    sid = await owed_settlement(api, members, "15.00")
    answers = await at_once(*(api.post(f"/settlements/{sid}/confirm", headers=h) for h in (ha, hb)))
    assert all(a.status_code in (200, 422) for a in answers), [a.text for a in answers]
    settlement = (await api.get(f"/settlements/{sid}", headers=ha)).json()
    assert settlement["status"] == "completed"
    assert await all_settled(api, settlement["group_id"], ha)


async def test_a_webhook_delivered_three_times_at_once_moves_the_payment_once(api, database) -> None:  # type: ignore[no-untyped-def]
    members = await people(database, api.app_settings, 2)
    (_, ha), (_, hb) = members
    sid = await owed_settlement(api, members, "10.00")
    method = (await api.post("/payment-methods", json={"method_type": "stripe", "name": "Card"}, headers=hb)).json()
    start = {"payment_method_id": method["id"], "payment_service": "stripe", "external_transaction_id": "pi_race"}
    payment = await api.post(f"/settlements/{sid}/payments", json=start, headers=hb)
    assert payment.status_code == 201, payment.text
    succeeded = {"id": "pi_race", "amount_received": 1000, "currency": "usd"}
    body = json.dumps({"id": "evt_race", "type": "payment_intent.succeeded", "data": {"object": succeeded}}).encode()
    headers = {"Stripe-Signature": sign(SECRET, body, int(time.time())), "Content-Type": "application/json"}
    answers = await at_once(*(api.post("/payments/webhooks/stripe", content=body, headers=headers) for _ in range(3)))
    assert statuses(answers) == [200] * 3, [a.text for a in answers]
    assert sorted(a.json()["duplicate"] for a in answers) == [False, True, True]
    async with database.session() as session:
        stored = await session.scalar(text("SELECT count(*) FROM payment_webhooks WHERE event_id = 'evt_race'"))
    assert stored == 1
    notifications = (await api.get("/notifications", headers=ha)).json()["items"]
    assert [n["notification_type"] for n in notifications].count("payment_received") == 1
    settlement = (await api.get(f"/settlements/{sid}", headers=ha)).json()
    assert settlement["status"] == "completed"
    assert await all_settled(api, settlement["group_id"], ha)


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(api, database) -> None:  # type: ignore[no-untyped-def]
    members = await people(database, api.app_settings, 2)
    (a, ha), (b, hb) = members
    gid = await group_of(api, members)
    promoted = await api.put(f"/groups/{gid}/members/{b.id}/role", json={"role": "admin"}, headers=ha)
    assert promoted.status_code == 200, promoted.text
    demote = [
        api.put(f"/groups/{gid}/members/{b.id}/role", json={"role": "member"}, headers=ha),
        api.put(f"/groups/{gid}/members/{a.id}/role", json={"role": "member"}, headers=hb),
    ]
    # Each has counted the other admin before either has saved the change.
    answers = await interleaved(database, "LOCK TABLE group_memberships IN SHARE MODE", *demote)
    assert statuses(answers) == [200, 403], [a.text for a in answers]
    assert await admins(api, gid, ha if answers[0].status_code == 200 else hb) == 1


async def test_the_last_two_admins_leaving_at_once_leave_one_behind(api, database) -> None:  # type: ignore[no-untyped-def]
    members = await people(database, api.app_settings, 3)
    (a, ha), (b, hb), (_, hc) = members
    gid = await group_of(api, members)
    await api.put(f"/groups/{gid}/members/{b.id}/role", json={"role": "admin"}, headers=ha)
    leave = [api.post(f"/groups/{gid}/members/{a.id}/remove", headers=ha),
             api.post(f"/groups/{gid}/members/{b.id}/remove", headers=hb)]  # fmt: skip
    answers = await interleaved(database, "LOCK TABLE group_memberships IN SHARE MODE", *leave)
    assert statuses(answers) == [204, 409], [a.text for a in answers]
    assert (await api.get(f"/groups/{gid}", headers=hc)).json()["member_count"] == 2
    assert await admins(api, gid, hc) == 1


async def test_an_expense_saved_first_keeps_its_member_from_leaving(api, database) -> None:  # type: ignore[no-untyped-def]
    members = await people(database, api.app_settings, 2)
    (_, ha), (b, hb) = members
    gid = await group_of(api, members)
    rent = {"title": "Rent", "amount": "800.00", "group_id": gid, "tags": ["home"]}
    # The expense holds the group's lock from its insert on and is held at its tags; b's leave waits for it.
    answers = await interleaved(database, "LOCK TABLE tags IN SHARE MODE", api.post("/expenses", json=rent, headers=ha),
                                api.post(f"/groups/{gid}/members/{b.id}/remove", headers=hb))  # fmt: skip
    assert [a.status_code for a in answers] == [201, 409], [a.text for a in answers]
    assert "settle up first" in answers[1].json()["detail"]
    assert (await api.get(f"/groups/{gid}", headers=ha)).json()["member_count"] == 2


async def test_a_member_who_left_first_gets_no_share_of_an_expense_in_flight(api, database) -> None:  # type: ignore[no-untyped-def]
    members = await people(database, api.app_settings, 2)
    (_, ha), (b, hb) = members
    gid = await group_of(api, members)
    rent = {"title": "Rent", "amount": "800.00", "group_id": gid}
    # The expense request has read the group (b still in it) and computed the split; b's leave holds the
    # group's lock, held at its membership update, and the expense's insert waits for it.
    answers = await interleaved(database, "LOCK TABLE group_memberships IN SHARE MODE",
                                api.post(f"/groups/{gid}/members/{b.id}/remove", headers=hb),
                                api.post("/expenses", json=rent, headers=ha))  # fmt: skip
    assert [a.status_code for a in answers] == [204, 409], [a.text for a in answers]
    assert "just left the group" in answers[1].json()["detail"]
    async with database.session() as session:
        assert dict((await session.execute(LEDGER, {"g": gid})).all()) == {}
    assert await all_settled(api, gid, ha)


async def test_tag_counts_stay_right_when_expenses_get_a_tag_at_once(api, database) -> None:  # type: ignore[no-untyped-def]
    ((_, headers),) = await people(database, api.app_settings, 1)
    tagged = {"title": "Bread", "amount": "3.00", "tags": ["food"]}
    assert (await api.post("/expenses", json=tagged, headers=headers)).status_code == 201
    made = [(await api.post("/expenses", json={"title": f"Soup {n}", "amount": "4.00"}, headers=headers)).json()
            for n in range(2)]  # fmt: skip
    tag = [api.patch(f"/expenses/{m['id']}", json={"tags": ["food"]}, headers=headers) for m in made]
    # Both add their expense_tags row, then each would count the rows it can see, which are not the other's.
    answers = await interleaved(database, "LOCK TABLE tags IN SHARE MODE", *tag)
    assert statuses(answers) == [200, 200], [a.text for a in answers]
    listed = (await api.get("/tags", headers=headers)).json()
    assert [(tag["name"], tag["usage_count"]) for tag in listed] == [("food", 3)]


async def test_an_expense_sent_three_times_at_once_with_one_key_is_made_once(api, database) -> None:  # type: ignore[no-untyped-def]
    ((_, headers),) = await people(database, api.app_settings, 1)
    keyed = headers | {"Idempotency-Key": "add-lunch-1"}
    send = [api.post("/expenses", json={"title": "Lunch once", "amount": "12.00"}, headers=keyed) for _ in range(3)]
    # One takes the key and is held at its insert; the other two wait on the key it took.
    answers = await interleaved(database, "LOCK TABLE expenses IN SHARE MODE", *send)
    assert statuses(answers) == [201] * 3, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert sorted(a.headers.get("Idempotent-Replayed", "") for a in answers) == ["", "true", "true"]
    async with database.session() as session:
        made = await session.scalar(text("SELECT count(*) FROM expenses WHERE title = 'Lunch once'"))
    assert made == 1


async def test_an_edit_cannot_give_a_share_to_a_member_who_just_left(api, database) -> None:  # type: ignore[no-untyped-def]
    members = await people(database, api.app_settings, 3)
    (a, ha), (b, hb), (c, _) = members
    gid = await group_of(api, members)
    two = {"participants": [{"user_id": a.id}, {"user_id": c.id}]}
    made = await api.post("/expenses", json={"title": "Taxi", "amount": "30.00", "group_id": gid, "split": two},
                          headers=ha)  # fmt: skip
    assert made.status_code == 201, made.text
    three = {"split": {"participants": [{"user_id": a.id}, {"user_id": b.id}, {"user_id": c.id}]}}
    answers = await interleaved(database, "LOCK TABLE group_memberships IN SHARE MODE",
                                api.post(f"/groups/{gid}/members/{b.id}/remove", headers=hb),
                                api.patch(f"/expenses/{made.json()['id']}", json=three, headers=ha))  # fmt: skip
    # The edit waits for the group's lock, held by the leave, and then finds b gone.
    assert [a.status_code for a in answers] == [204, 422], [a.text for a in answers]
    assert answers[1].json()["detail"] == f"User {b.id} is not a member of this group."
    async with database.session() as session:
        assert b.id not in dict((await session.execute(LEDGER, {"g": gid})).all())


async def test_two_payments_between_friends_completed_at_once_settle_two_shares(api, database) -> None:  # type: ignore[no-untyped-def]
    (a, ha), (b, hb) = await people(database, api.app_settings, 2)
    await api.post("/friends/requests", json={"user_id": b.id}, headers=ha)
    assert (await api.post("/friends/requests", json={"user_id": a.id}, headers=hb)).is_success  # accepts a's
    halves = {"participants": [{"user_id": a.id}, {"user_id": b.id}]}
    for title in ("Cinema", "Museum"):
        made = await api.post("/expenses", json={"title": title, "amount": "20.00", "split": halves}, headers=ha)
        assert made.status_code == 201, made.text
    paid = {"payer_id": b.id, "payee_id": a.id, "amount": "10.00"}
    sids = [(await api.post("/settlements", json=paid, headers=hb)).json()["id"] for _ in range(2)]
    confirm = [api.post(f"/settlements/{sid}/confirm", headers=ha) for sid in sids]
    # Each payment picks the oldest open share b owes a; both must not pick the same one.
    answers = await interleaved(database, "LOCK TABLE expense_shares IN SHARE MODE", *confirm)
    assert statuses(answers) == [200, 200], [a.text for a in answers]
    async with database.session() as session:
        owed = text("SELECT settlement_id FROM expense_shares WHERE user_id = :b AND paid_by_id = :a")
        settled_by = (await session.scalars(owed, {"a": a.id, "b": b.id})).all()
    assert sorted(map(str, settled_by)) == sorted(sids)


async def test_an_invitation_sent_twice_at_once_is_sent_once(api, database) -> None:  # type: ignore[no-untyped-def]
    ((_, headers),) = await people(database, api.app_settings, 1)
    gid = (await api.post("/groups", json={"name": "Trip"}, headers=headers)).json()["id"]
    invite = [api.post(f"/groups/{gid}/invitations", json={"email": "new.friend@example.org"}, headers=headers)
              for _ in range(2)]  # fmt: skip
    answers = await interleaved(database, "LOCK TABLE group_invitations IN SHARE MODE", *invite)
    assert statuses(answers) == [201, 409], [a.text for a in answers]
    assert len((await api.get(f"/groups/{gid}/invitations", headers=headers)).json()) == 1


async def test_a_statement_uploaded_twice_at_once_is_one_original_and_one_copy(api, database) -> None:  # type: ignore[no-untyped-def]
    ((_, headers),) = await people(database, api.app_settings, 1)
    csv = b"Date,Description,Amount\n2026-11-02,Coffee,-3.50\n2026-11-03,Salary,1000.00\n"
    send = [api.post("/statements", files={"file": ("nov.csv", csv)}, headers=headers) for _ in range(2)]
    # Both have looked for an earlier upload of these bytes before either has saved its own.
    answers = await interleaved(database, "LOCK TABLE uploaded_files IN SHARE MODE", *send)
    assert statuses(answers) == [202, 202], [a.text for a in answers]
    assert sorted(a.json()["status"] for a in answers) == ["duplicate", "queued"]


async def test_an_edit_and_a_payment_settling_that_expense_at_once_both_go_through(api, database) -> None:  # type: ignore[no-untyped-def]
    members = await people(database, api.app_settings, 2)
    (a, ha), (b, hb) = members
    gid = await group_of(api, members)
    made = await api.post("/expenses", json={"title": "Dinner", "amount": "30.00", "group_id": gid}, headers=ha)
    paid = {"payer_id": b.id, "payee_id": a.id, "amount": "15.00", "group_id": gid}
    sid = (await api.post("/settlements", json=paid, headers=hb)).json()["id"]
    # The payment takes the group's lock and then settles the expense; the edit locks the expense and then
    # rewrites its shares in the group. Taken in opposite orders, the two would deadlock.
    answers = await interleaved(database, "LOCK TABLE expense_shares IN SHARE MODE",
                                api.patch(f"/expenses/{made.json()['id']}", json={"amount": "40.00"}, headers=ha),
                                api.post(f"/settlements/{sid}/confirm", headers=ha))  # fmt: skip
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    balances = (await api.get(f"/groups/{gid}/balances", headers=ha)).json()
    assert {row["user_id"]: row["balance"] for row in balances[0]["balances"]} == {a.id: "5.00", b.id: "-5.00"}
