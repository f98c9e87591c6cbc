"""Statement import: generated PDF statements through the system parser in this process (pages per
second for extraction plus parsing), then end to end through a real `serve` and its worker (upload over
HTTP, the arq job, every stage, the transactions written), and, when `monopoly-core` is importable (a
benchmark-only install, e.g. a venv with `pip install monopoly-core`, which needs poppler), the same
files through monopoly's generic parser for comparison of speed and rows recovered.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import tempfile
import time
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pymupdf

from app.services.statements.parsers.pdf_table import parse_pdf_text
from app.services.statements.parsers.pdf_text import extract
from bench.harness import register_users, serving
from tests.statement_pdfs import bank_statement


def statements(count: int, days: int) -> list[tuple[bytes, int, int, list]]:
    """(pdf, pages, rows, printed rows) for `count` statements of `days` days, a year apart back from 2025."""
    made = []
    for index in range(count):
        start = date(2025 - index, 1, 1)  # a year each, none overlapping
        data, printed = bank_statement(start, days, date_format="%d/%m/%Y")
        with pymupdf.open(stream=data, filetype="pdf") as document:
            made.append((data, document.page_count, len(printed), printed))
    return made


def in_process(files: list[tuple[bytes, int, int, list]]) -> None:
    pages = rows = 0
    started = time.perf_counter()
    for data, page_count, _, printed in files:
        with pymupdf.open(stream=data, filetype="pdf") as document:
            parsed = parse_pdf_text(extract(document))
        ours = [(row.booked_on, row.description, row.amount) for row in parsed.rows]
        assert ours == [(p.booked_on, p.description, p.amount) for p in printed]
        pages, rows = pages + page_count, rows + len(parsed.rows)
    elapsed = time.perf_counter() - started
    print(f"system parser in process: {pages} pages, {rows} rows in {elapsed:.2f} s = {pages / elapsed:.0f} pages/s "
          f"(one core); every printed row recovered with its date, description and signed amount")  # fmt: skip


def with_monopoly(files: list[tuple[bytes, int, int, list]], scratch: Path, python: str | None) -> None:
    """monopoly's generic parser on the same files, in the interpreter that has monopoly-core installed."""
    if not python:
        print("monopoly: give --monopoly-python (a Python with monopoly-core installed) to compare")
        return
    paths = []
    for index, (data, *_) in enumerate(files):
        path = scratch / f"s{index}.pdf"
        path.write_bytes(data)
        paths.append(str(path))
    runner = Path(__file__).with_name("monopoly_runner.py")
    done = subprocess.run([python, str(runner), *paths], capture_output=True, text=True, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    pages = sum(page_count for _, page_count, _, _ in files)
    found = signed = unsigned = printed_rows = 0
    for (_, _, _, printed), result in zip(files, report["files"], strict=True):
        theirs = [(d, text, Decimal(amount).quantize(Decimal("0.01"))) for d, text, amount in result["rows"]]
        expected = Counter((p.booked_on.isoformat(), p.description, p.amount) for p in printed)
        signed += sum((expected & Counter(theirs)).values())
        unsigned += sum(
            (Counter((d, t, abs(a)) for d, t, a in expected.elements()) & Counter((d, t, abs(a)) for d, t, a in theirs))
            .values()
        )  # fmt: skip
        found, printed_rows = found + len(theirs), printed_rows + len(printed)
    print(f"monopoly generic parser: {pages} pages in {report['seconds']:.2f} s = {pages / report['seconds']:.0f} "
          f"pages/s; {found} rows found; of {printed_rows} printed, {unsigned} with the right date, description "
          f"and amount, {signed} also with the right sign")  # fmt: skip


async def finished(http: httpx.AsyncClient, statement_id: str) -> dict:
    """Poll the statement until the worker is done with it, as a client would."""
    for _ in range(6000):
        shown = (await http.get(f"/statements/{statement_id}")).json()
        if shown["status"] not in ("queued", "processing"):
            return shown
        await asyncio.sleep(0.05)
    raise SystemExit(f"statement {statement_id} was not processed within five minutes")


async def end_to_end(files: list[tuple[bytes, int, int, list]]) -> None:
    async with serving(1) as (port, _, _):  # embedded mode: serve runs the worker too
        user = (await register_users(port, 1))[0]
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}/api/v1", headers=user.headers) as http:
            account = {"name": "Current", "account_type": "bank", "currency": "GBP"}
            account_id = (await http.post("/accounts", json=account)).json()["id"]
            # Warm up: the worker starts beside serve and may still be loading; time it once it answers.
            warm_up, _ = bank_statement(date(1990, 1, 1), 3)
            reply = await http.post("/statements", files={"file": ("w.pdf", warm_up)}, data={"account_id": account_id})
            await finished(http, reply.json()["id"])
            started = time.perf_counter()
            ids = []
            for index, (data, *_) in enumerate(files):
                reply = await http.post(
                    "/statements", files={"file": (f"s{index}.pdf", data)}, data={"account_id": account_id}
                )
                assert reply.status_code == 202, reply.text
                ids.append(reply.json()["id"])
            created = 0
            for statement_id in ids:
                shown = await finished(http, statement_id)
                assert shown["status"] == "completed", shown
                created += shown["transactions_created"]
            elapsed = time.perf_counter() - started
            stages: Counter[str] = Counter()
            for statement_id in ids:
                for row in (await http.get(f"/statements/{statement_id}/logs")).json():
                    stages[row["processing_stage"]] += row["execution_time_ms"] or 0
        pages = sum(page_count for _, page_count, _, _ in files)
        rows = sum(count for _, _, count, _ in files)
        print(f"end to end through the worker: {len(files)} statements, {pages} pages, {created} transactions "
              f"in {elapsed:.2f} s = {pages / elapsed:.0f} pages/s ({rows / pages:.0f} rows a page, "
              f"{created / elapsed:.0f} transactions/s)")  # fmt: skip
        print("  time in each stage, per statement: " + ", ".join(
            f"{stage} {ms / len(files):.0f} ms" for stage, ms in stages.items()))  # fmt: skip


async def run(args: argparse.Namespace) -> None:
    files = statements(args.statements, args.days)
    in_process(files)
    with tempfile.TemporaryDirectory() as scratch:
        with_monopoly(files, Path(scratch), args.monopoly_python)
    await end_to_end(files)
