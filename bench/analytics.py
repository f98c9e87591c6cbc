"""python -m bench analytics: the analytics jobs and endpoints on a generated ledger of 1,000,000
expenses (the expenses benchmark's generator: 20 people, one group of 100,000 expenses, the rest
personal, spread over two years).

Measures the nightly job for one day (and that running it again writes nothing), a backfill of recent
days (what the frequent job does for changed days), and the summary, trends and categories endpoints
over HTTP against one serve process (no worker, so nothing else writes meanwhile).
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta

from app.db import Database
from app.services.analytics import compute, service
from bench.expenses import make_ledger
from bench.harness import closed_loop, database_url, report, serving


async def run(args: argparse.Namespace) -> None:
    async with serving(1, worker=False) as (port, data_dir, _):
        users, group_id = await make_ledger(port, data_dir, 20, args.group_expenses, args.total_expenses)
        database = Database(database_url(data_dir))
        yesterday = date.today() - timedelta(days=1)

        started = time.perf_counter()
        days = [date.today() - timedelta(days=n) for n in range(args.backfill_days, 1, -1)]
        async with database.session() as session:
            backfill = await compute.refresh(session, days)
        took = time.perf_counter() - started
        print(f"backfill of {len(days)} days for everyone: {backfill.rows:,} rows in {took:.1f} s "
              f"({took / len(days) * 1000:.0f} ms a day, weeks, months and years included)")  # fmt: skip

        for attempt in ("first", "second"):
            started = time.perf_counter()
            async with database.session() as session:
                written = await service.nightly(session, yesterday)
            took = time.perf_counter() - started
            print(f"nightly job for {yesterday} ({attempt} run): {written.rows:,} rows written, "
                  f"{written.removed} removed, in {took:.2f} s")  # fmt: skip
        await database.dispose()

        def get(path: str):  # type: ignore[no-untyped-def]
            return lambda index: ("GET", path, None, users[index % len(users)].headers, 200)

        quarter = (date.today() - timedelta(days=90)).isoformat()
        measurements = [
            ("analytics summary (this month)", get("/api/v1/analytics/summary")),
            ("analytics trends (monthly, a year)", get("/api/v1/analytics/trends?period=monthly")),
            ("analytics trends (daily, 90 days)", get(f"/api/v1/analytics/trends?period=daily&start={quarter}")),
            ("analytics categories (90 days)", get(f"/api/v1/analytics/categories?start={quarter}")),
            ("analytics summary of the group (this month)", get(f"/api/v1/analytics/summary?group_id={group_id}")),
        ]
        for name, make in measurements:
            await closed_loop(port, args.clients, 1, make)  # warm up
            for clients in sorted({1, args.clients}):
                latencies, errors, elapsed = await closed_loop(port, clients, args.seconds, make)
                report(f"{name}, {clients} client{'s' if clients > 1 else ''}", latencies, elapsed, errors)
