"""python -m bench expenses: a group with 100,000 expenses and 20 members in a database of 1,000,000
expenses; measures group balances, settle-up, the first page of a filtered list, and creating expenses
with a 5-way split, over HTTP against one serve process.

The ledger is generated in SQL (generate_series) straight into the embedded database, with triggers
and foreign-key checks off for the load (session_replication_role = replica); every group expense is
split five ways among members and paid by one of them, and amounts are multiples of 0.05 so the
generated shares are exact.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from app.services.balances import settle_up
from app.services.balances.queries import rebuild_ledger
from bench.harness import closed_loop, database_url, open_loop, process_cpu_seconds, register_users, report, serving
from bench.http import Connection

# Entered on their own day (not all at load time): the worker's five-minute analytics pass then sees only
# the expenses the benchmark creates, as it would on a ledger built up over two years.
ENTERED = "(current_date - (i % 730)) + time '12:00'"
TITLES = "ARRAY['Pizza night', 'Groceries', 'Taxi', 'Hotel', 'Coffee', 'Train tickets', 'Museum', 'Dinner']"
LOAD_GROUP = """
INSERT INTO expenses (title, description, amount, currency_id, base_currency_id, group_id, paid_by_id,
                      created_by_id, expense_date, split_type, expense_type, created_at, updated_at)
SELECT (TITLES)[i % 8 + 1] || ' ' || i,
       CASE WHEN i % 10 = 0 THEN 'shared with friends' END,
       ((i % 4000) + 1) * 0.05, :usd, :usd, CAST(:group_id AS uuid),
       m.ids[i % :m + 1], m.ids[i % :m + 1], current_date - (i % 730), 'equal', 'group',
       ENTERED, ENTERED
FROM generate_series(1, :count) AS i, (SELECT CAST(:members AS bigint[]) AS ids) AS m
""".replace("TITLES", TITLES).replace("ENTERED", ENTERED)
LOAD_GROUP_ROWS = """
INSERT INTO expense_payers (expense_id, user_id, amount)
SELECT id, paid_by_id, amount FROM expenses WHERE group_id = CAST(:group_id AS uuid);
INSERT INTO expense_shares (expense_id, user_id, amount, currency_id, paid_by_id, split_method, split_value)
SELECT e.id, m.ids[(array_position(m.ids, e.paid_by_id) - 1 + j) % :m + 1], e.amount / 5,
       e.currency_id, e.paid_by_id, 'equal', 1
FROM expenses e, generate_series(0, 4) AS j, (SELECT CAST(:members AS bigint[]) AS ids) AS m
WHERE e.group_id = CAST(:group_id AS uuid);
"""
LOAD_PERSONAL = """
INSERT INTO expenses (title, amount, currency_id, base_currency_id, paid_by_id, created_by_id, expense_date,
                      created_at, updated_at)
SELECT (TITLES)[i % 8 + 1] || ' ' || i, ((i % 4000) + 1) * 0.05, :usd, :usd,
       m.ids[i % :m + 1], m.ids[i % :m + 1], current_date - (i % 730), ENTERED, ENTERED
FROM generate_series(1, :count) AS i, (SELECT CAST(:members AS bigint[]) AS ids) AS m
""".replace("TITLES", TITLES).replace("ENTERED", ENTERED)
LOAD_PERSONAL_ROWS = """
INSERT INTO expense_payers (expense_id, user_id, amount)
SELECT id, paid_by_id, amount FROM expenses WHERE group_id IS NULL;
INSERT INTO expense_shares (expense_id, user_id, amount, currency_id, paid_by_id)
SELECT id, paid_by_id, amount, currency_id, paid_by_id FROM expenses WHERE group_id IS NULL;
"""


async def load(url: str, group_id: str, members: list[int], group_count: int, other_count: int) -> None:
    engine = create_async_engine(url)
    params = {"group_id": group_id, "members": members, "m": len(members)}
    async with engine.begin() as connection:
        await connection.execute(text("SET session_replication_role = replica"))
        usd = (await connection.execute(text("SELECT id FROM currencies WHERE code = 'USD'"))).scalar_one()
        await connection.execute(text(LOAD_GROUP), {**params, "usd": usd, "count": group_count})
        for statement in LOAD_GROUP_ROWS.split(";")[:-1]:
            await connection.execute(text(statement), params)
        await connection.execute(text(LOAD_PERSONAL), {**params, "usd": usd, "count": other_count})
        for statement in LOAD_PERSONAL_ROWS.split(";")[:-1]:
            await connection.execute(text(statement), params)
        await rebuild_ledger(connection)  # the triggers were off for the load
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("VACUUM ANALYZE"))
    await engine.dispose()


async def report_settle_up_cost(port: int, group_id: str, headers: dict[str, str]) -> None:
    """The API caches a plan per set of balances; this is the cost of computing one afresh."""
    connection = Connection("127.0.0.1", port)
    reply = await connection.request("GET", f"/api/v1/groups/{group_id}/balances", headers=headers)
    await connection.close()
    for entry in reply.json():  # type: ignore[attr-defined]
        units = {row["user_id"]: int(Decimal(row["balance"]) * 100) for row in entry["balances"]}
        started = time.perf_counter()
        transfers = settle_up._settle.__wrapped__(tuple(sorted(units.items())))
        took = (time.perf_counter() - started) * 1000
        currency = entry["currency"]
        print(
            f"settle-up computed afresh for {len(units)} {currency} balances: {len(transfers)} transfers, {took:.1f} ms"
        )


async def make_ledger(port: int, scratch: Path, members: int, group_expenses: int, total_expenses: int):  # type: ignore[no-untyped-def]
    """Users, one group of all of them, and the generated ledger; returns (users, group id)."""
    users = await register_users(port, members)
    owner = users[0]
    setup = Connection("127.0.0.1", port)
    group = (await setup.request("POST", "/api/v1/groups", body={"name": "Bench"}, headers=owner.headers)).json()
    for member in users[1:]:
        body = {"invite_code": group["invite_code"]}  # type: ignore[index]
        assert (await setup.request("POST", "/api/v1/groups/join", body=body, headers=member.headers)).status == 200
    await setup.close()
    group_id = group["id"]  # type: ignore[index]
    started = time.perf_counter()
    other = max(0, total_expenses - group_expenses)
    await load(database_url(scratch), group_id, [u.id for u in users], group_expenses, other)
    print(f"loaded {group_expenses:,} group expenses ({members} members, 5-way splits) and {other:,} others "
          f"in {time.perf_counter() - started:.0f} s")  # fmt: skip
    return users, group_id


async def run(args: argparse.Namespace) -> None:
    async with serving(args.workers) as (port, data_dir, process):
        users, group_id = await make_ledger(port, data_dir, args.members, args.group_expenses,
                                            args.total_expenses)  # fmt: skip
        owner = users[0]
        print(f"serve with {args.workers} API process(es)")

        def get(path: str):  # type: ignore[no-untyped-def]
            return lambda index: ("GET", path, None, users[index % len(users)].headers, 200)

        month_ago = (date.today() - timedelta(days=30)).isoformat()
        measurements = [
            ("group balances", get(f"/api/v1/groups/{group_id}/balances")),
            ("settle-up", get(f"/api/v1/groups/{group_id}/settle-up")),
            (
                "first page of a filtered list (group, last 30 days, amount >= 10)",
                get(f"/api/v1/expenses?group_id={group_id}&date_from={month_ago}&min_amount=10"),
            ),
            ("first page of a full-text search in the group", get(f"/api/v1/expenses?group_id={group_id}&q=pizza")),
        ]
        for name, make in measurements if args.measure in ("all", "reads") else []:
            await closed_loop(port, args.clients, 1, make)  # warm up
            for clients in sorted({1, args.clients}):
                latencies, errors, elapsed = await closed_loop(port, clients, args.seconds, make)
                report(f"{name}, {clients} client{'s' if clients > 1 else ''}", latencies, elapsed, errors)
            # Back to back, latency is mostly queueing; this is many people each loading a page now and then.
            latencies, errors, elapsed = await open_loop(port, args.clients, args.rate, args.seconds, make)
            report(f"{name}, {args.clients} clients sending {args.rate:g}/s in all", latencies, elapsed, errors)
        if args.measure in ("all", "reads"):
            await report_settle_up_cost(port, group_id, owner.headers)
        if args.measure == "reads":
            return

        def create(index: int):  # type: ignore[no-untyped-def]
            author = users[index % len(users)]
            first = random.randrange(len(users))
            people = [{"user_id": users[(first + j) % len(users)].id} for j in range(5)]
            body = {
                "title": "Bench dinner",
                "amount": f"{random.randint(500, 20000) / 100:.2f}",
                "group_id": group_id,
                "split": {"method": "equal", "participants": people},
                "payers": [{"user_id": author.id}],
            }
            return "POST", "/api/v1/expenses", body, author.headers, 201

        cpu_before = process_cpu_seconds(process.pid)
        latencies, errors, elapsed = await closed_loop(port, args.clients, args.seconds, create)
        cpu = process_cpu_seconds(process.pid) - cpu_before
        report(f"create an expense with a 5-way split, {args.clients} clients", latencies, elapsed, errors)
        print(
            f"  serve process CPU: {cpu / max(1, len(latencies)) * 1000:.2f} ms per request "
            f"({cpu / elapsed * 100:.0f}% of one core); the machine has {os.cpu_count()} cores"
        )
