"""CSV export (a group in Splitwise's layout, your own expenses) and Splitwise import."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from tests.factories import auth_headers, make_account
from tests.test_expenses import trio

API = "/api/v1"


def parse(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


async def balances(client, gid: str, headers) -> dict[int, str]:  # type: ignore[no-untyped-def]
    found = (await client.get(f"{API}/groups/{gid}/balances", headers=headers)).json()
    return {x["user_id"]: x["balance"] for entry in found for x in entry["balances"]}


async def _ledger(client, session, settings):  # type: ignore[no-untyped-def]
    (a, b, c), (ha, hb, hc), group = await trio(client, session, settings)
    for user, first in ((a, "Ana"), (b, "Ben"), (c, "Cy")):
        user.first_name = first
    await session.flush()
    gid = group["id"]
    await client.post(f"{API}/expenses", json={"title": "Dinner", "amount": "30.00", "group_id": gid}, headers=ha)
    taxi = {"title": "=cmd|' /C calc'!A0", "amount": "10.00", "group_id": gid,
            "payers": [{"user_id": b.id, "amount": "6.00"}, {"user_id": c.id, "amount": "4.00"}]}  # fmt: skip
    await client.post(f"{API}/expenses", json=taxi, headers=hb)
    paid = (await client.post(f"{API}/settlements", json={"payer_id": c.id, "payee_id": a.id, "amount": "5.00",
                                                          "group_id": gid}, headers=hc)).json()  # fmt: skip
    await client.post(f"{API}/settlements/{paid['id']}/confirm", headers=ha)
    return (a, b, c), (ha, hb, hc), gid


async def test_group_export_in_splitwise_layout(client, session, settings) -> None:
    (a, b, c), (ha, _, _), gid = await _ledger(client, session, settings)
    rows = parse(await client.get(f"{API}/groups/{gid}/export.csv", headers=ha))
    assert rows[0] == ["Date", "Description", "Category", "Cost", "Currency", "Ana", "Ben", "Cy"]
    today = date.today().isoformat()
    assert rows[1] == [today, "Dinner", "", "30.00", "USD", "20.00", "-10.00", "-10.00"]
    assert rows[2][1].startswith("'=")  # a formula is neutralised
    assert rows[2][3:] == ["10.00", "USD", "-3.34", "2.67", "0.67"]
    assert rows[3][1:] == ["Payment", "Payment", "5.00", "USD", "-5.00", "0.00", "5.00"]
    assert rows[4] == []
    total = rows[5]
    assert total[1] == "Total balance"
    assert dict(zip((a.id, b.id, c.id), total[5:], strict=True)) == {
        user: amount for user, amount in (await balances(client, gid, ha)).items()
    } | {user: "0.00" for user in (a.id, b.id, c.id) if user not in await balances(client, gid, ha)}
    stranger = await auth_headers(session, settings, await make_account(session))
    assert (await client.get(f"{API}/groups/{gid}/export.csv", headers=stranger)).status_code == 404


async def test_splitwise_round_trip_and_reimport(client, session, settings) -> None:
    (_, b, c), (ha, _, _), gid = await _ledger(client, session, settings)
    exported = (await client.get(f"{API}/groups/{gid}/export.csv", headers=ha)).content
    before = await balances(client, gid, ha)

    copy = (await client.post(f"{API}/groups", json={"name": "Copy"}, headers=ha)).json()
    for user in (b, c):
        await client.post(f"{API}/groups/join", json={"invite_code": copy["invite_code"]},
                          headers=await auth_headers(session, settings, user))  # fmt: skip
    url = f"{API}/groups/{copy['id']}/import/splitwise"
    first = await client.post(url, files={"file": ("export.csv", exported, "text/csv")}, headers=ha)
    assert first.status_code == 200, first.text
    assert first.json() == {"expenses_created": 2, "payments_created": 1, "already_imported": 0, "skipped": []}
    assert await balances(client, copy["id"], ha) == before
    again = (await client.post(url, files={"file": ("export.csv", exported, "text/csv")}, headers=ha)).json()
    assert again == {"expenses_created": 0, "payments_created": 0, "already_imported": 3, "skipped": []}
    assert await balances(client, copy["id"], ha) == before
    listed = (await client.get(f"{API}/expenses", params={"group_id": copy["id"]}, headers=ha)).json()["items"]
    assert sorted(e["amount"] for e in listed) == ["10.00", "30.00"]


async def test_splitwise_file_with_unknown_people_refunds_and_duplicates(client, session, settings) -> None:
    (a, b, _c), (ha, hb, _), group = await trio(client, session, settings)
    a.first_name, a.last_name = "Ana", "Lima"
    await session.flush()
    gid = group["id"]
    text = (
        b"Date,Description,Category,Cost,Currency,Ana Lima,Zed\r\n"
        b"2026-01-03,Coffee,Coffee Shops,4.00,USD,2.00,-2.00\r\n"
        b"2026-01-03,Coffee,Coffee Shops,4.00,USD,2.00,-2.00\r\n"
        b"2026-01-04,Refund,General,-6.00,USD,-3.00,3.00\r\n"
        b"2026-01-05,Broken,General,5.00,USD,1.00,1.00\r\n"
        b"2026-01-06,Payment,Payment,1.00,USD,-1.00,1.00\r\n"
        b"\r\n"
        b"2026-01-07,Total balance, , ,USD,0.00,0.00\r\n"
    )
    url = f"{API}/groups/{gid}/import/splitwise"
    unknown = await client.post(url, files={"file": ("s.csv", text, "text/csv")}, headers=ha)
    assert unknown.status_code == 422 and "Zed" in unknown.json()["detail"]
    assert (await client.post(url, files={"file": ("s.csv", text, "text/csv")}, data={"people": json.dumps(
        {"Zed": b.id})}, headers=hb)).status_code == 403  # fmt: skip
    done = await client.post(url, files={"file": ("s.csv", text, "text/csv")},
                             data={"people": json.dumps({"Zed": b.id})}, headers=ha)  # fmt: skip
    assert done.status_code == 200, done.text
    report = done.json()
    assert (report["expenses_created"], report["payments_created"]) == (3, 1)
    assert report["skipped"] == ["line 5: the people's amounts do not add up to zero"]
    # Two coffees (+2 each for Ana), a refund (-3), Zed paid Ana back 1: Ana is owed 0.00.
    assert await balances(client, gid, ha) == {}
    coffee = (await client.get(f"{API}/expenses", params={"group_id": gid, "q": "coffee"}, headers=ha)).json()["items"]
    assert len(coffee) == 2 and coffee[0]["category_id"] is not None
    bad = await client.post(url, files={"file": ("x.csv", b"a,b\r\n1,2\r\n", "text/csv")}, headers=ha)
    assert bad.status_code == 422 and "Splitwise" in bad.json()["detail"]


async def test_my_expenses_export(client, session, settings) -> None:
    (_a, b, _c), (_, hb, _), _gid = await _ledger(client, session, settings)
    rows = parse(await client.get(f"{API}/expenses/export.csv", headers=hb))
    assert rows[0][:9] == ["Date", "Title", "Category", "Amount", "Currency", "Group", "You paid", "Your share",
                           "Your balance"]  # fmt: skip
    assert [(r[1][:6], r[6], r[7], r[8]) for r in rows[1:]] == [
        ("Dinner", "0.00", "10.00", "-10.00"),
        ("'=cmd|", "6.00", "3.33", "2.67"),
    ]
    assert b.id
