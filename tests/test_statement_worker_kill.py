"""A real worker process killed (SIGKILL) in the middle of a 30-page statement, and another one started:
arq runs the job again once the dead worker's in-progress mark expires (the job timeout plus 10 s, set
short here), and the statement ends with each of its rows imported once, as an uninterrupted run does."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from datetime import date
from decimal import Decimal

import httpx
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from app.jobs import QUEUE_NAME
from tests.processes import start_serve, start_worker, stop
from tests.statement_pdfs import bank_statement
from tests.test_cli import free_port, wait_ready

JOB_TIMEOUT = 4  # seconds: the killed job is picked up again about 14 s after it started

_STAGES = text("SELECT processing_stage::text FROM statement_processing_logs WHERE uploaded_file_id = :id")
_ROWS = text(
    "SELECT expense_date, title, CASE WHEN transaction_type = 'expense' THEN -amount ELSE amount END"
    " FROM expenses WHERE uploaded_file_id = :id AND NOT is_deleted"
)


async def test_a_killed_worker_is_replaced_and_the_statement_is_imported_once(process_env) -> None:
    env = {**process_env, "WORKER_JOB_TIMEOUT_SECONDS": str(JOB_TIMEOUT)}
    data, printed = bank_statement(date(2025, 11, 1), 240, rows_per_page=10)
    # This test process's Redis database may hold jobs earlier tests queued for their own databases.
    redis = Redis.from_url(env["REDIS_URL"])
    await redis.delete(QUEUE_NAME)
    await redis.aclose()
    port = free_port()
    serve = start_serve(env, port)
    workers: list[subprocess.Popen[str]] = []
    engine = create_async_engine(env["DATABASE_URL"])  # already the asyncpg form
    try:
        await asyncio.to_thread(wait_ready, port, serve, 60)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}/api/v1", timeout=10) as http:
            user = {"email": "kim@example.org", "username": "kim", "password": "a long enough password"}
            assert (await http.post("/auth/register", json=user)).status_code == 201
            login = {"login": "kim", "password": user["password"]}
            http.headers["Authorization"] = (
                f"Bearer {(await http.post('/auth/login', json=login)).json()['access_token']}"
            )
            account = {"name": "Current", "account_type": "bank", "currency": "GBP"}
            account_id = (await http.post("/accounts", json=account)).json()["id"]
            reply = await http.post("/statements", files={"file": ("long.pdf", data)}, data={"account_id": account_id})
            assert reply.status_code == 202, reply.text
            file_id = reply.json()["id"]

            workers.append(start_worker(env))
            async with engine.connect() as db:
                # Kill it once the text is extracted: parsing, de-duplication and creation are still to come.
                deadline = time.monotonic() + 60
                while "text_extraction" not in set((await db.execute(_STAGES, {"id": file_id})).scalars()):
                    assert time.monotonic() < deadline, "the worker did not start on the statement"
                    await db.rollback()
                    await asyncio.sleep(0.005)
                os.kill(workers[0].pid, signal.SIGKILL)
                workers[0].wait(timeout=10)
                await db.rollback()
                stages = list((await db.execute(_STAGES, {"id": file_id})).scalars())
                assert "completion" not in stages, "the worker finished before it was killed"
                assert (await http.get(f"/statements/{file_id}")).json()["status"] == "processing"

            workers.append(start_worker(env))
            deadline = time.monotonic() + 90
            while (shown := (await http.get(f"/statements/{file_id}")).json())["status"] == "processing":
                assert time.monotonic() < deadline, "the statement was not picked up again"
                await asyncio.sleep(0.2)
            assert shown["status"] == "completed", shown
            logs = (await http.get(f"/statements/{file_id}/logs")).json()
        assert [log["processing_stage"] for log in logs].count("upload") == 2  # the run, and the run again
        async with engine.connect() as db:
            made = sorted((await db.execute(_ROWS, {"id": file_id})).all())
        expected = sorted((p.booked_on, p.description, p.amount) for p in printed)
        assert len(printed) >= 240 and shown["transactions_created"] == len(printed)
        assert [(d, t, Decimal(a)) for d, t, a in made] == expected
    finally:
        await engine.dispose()
        stop(serve, *workers)
