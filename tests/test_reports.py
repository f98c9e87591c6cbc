"""Reports: a template over HTTP, the worker's generation for real (CSV, XLSX read back with openpyxl,
PDF read back with PyMuPDF: text and numbers right), downloads counted, expiry and cleanup, failures
recorded, and other people's templates and reports not found."""

from __future__ import annotations

import asyncio
import csv
import io
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pymupdf
import pytest
from openpyxl import load_workbook

from app.db import unit_of_work
from app.models import GeneratedReport
from app.models.enums import ReportStatus
from app.services.reports import service
from tests.conftest import queued_jobs
from tests.factories import auth_headers, make_account
from tests.test_budgets import foursome, slug, spend

API = "/api/v1"


def sessions(session):  # type: ignore[no-untyped-def]
    """What the worker's ctx["db"].session gives it, here inside the test's transaction."""

    @asynccontextmanager
    async def factory():  # type: ignore[no-untyped-def]
        async with unit_of_work(session, nested=True):
            yield session

    return factory


async def made(client, session, settings, headers, body):  # type: ignore[no-untyped-def]
    queued = await client.post(f"{API}/reports", json=body, headers=headers)
    assert queued.status_code == 202 and queued.json()["status"] == "queued", queued.text
    report_id = queued.json()["id"]
    assert await service.generate(sessions(session), settings, report_id) == ReportStatus.COMPLETED
    return report_id


@pytest.fixture
async def ledger(client, session, settings):  # type: ignore[no-untyped-def]
    _, headers, group = await foursome(client, session, settings)
    me = headers[1]
    restaurants, groceries = await slug(session, "restaurants"), await slug(session, "groceries")
    await spend(client, me, title="=HYPERLINK(evil)", amount="12.50", category_id=groceries)
    await spend(client, headers[0], title="Team dinner", amount="100.00", category_id=restaurants,
                group_id=group["id"])  # fmt: skip
    await spend(client, me, title="Returned shoes", amount="5.00", category_id=groceries, transaction_type="refund")
    template = {"name": "My spending", "fields": ["date", "title", "category", "amount", "share"],
                "grouping": {"by": "category"}, "sorting": {"by": "amount", "direction": "desc"},
                "output_format": "csv"}  # fmt: skip
    created = await client.post(f"{API}/report-templates", json=template, headers=me)
    assert created.status_code == 201, created.text
    return me, created.json()["id"]


async def test_csv_and_xlsx_hold_the_rows_and_totals(app, client, session, settings, ledger) -> None:
    me, template_id = ledger
    report_id = await made(client, session, settings, me, {"template_id": template_id})
    assert any(job.function == "generate_report" for job in await queued_jobs(app))
    shown = (await client.get(f"{API}/reports/{report_id}", headers=me)).json()
    assert shown["status"] == "completed" and shown["file_size"] > 0 and shown["expires_at"]
    download = await client.get(f"{API}/reports/{report_id}/download", headers=me)
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(download.text)))
    assert lines[0] == ["Date", "Title", "Category", "Amount", "Your share"]
    assert [line[1] for line in lines[1:4]] == ["Team dinner", "'=HYPERLINK(evil)", "Returned shoes"]  # by amount
    assert lines[1][3:] == ["100.00", "25.00"]  # my quarter of the group dinner
    assert ["Groceries (USD)", "7.50"] in lines and ["Restaurants (USD)", "25.00"] in lines  # refund nets
    assert (await client.get(f"{API}/reports/{report_id}", headers=me)).json()["download_count"] == 1
    notes = (await client.get(f"{API}/notifications", headers=me)).json()["items"]
    assert notes[0]["notification_type"] == "report_ready" and notes[0]["related_object_id"] == report_id

    xlsx_id = await made(client, session, settings, me, {"template_id": template_id, "output_format": "xlsx"})
    data = (await client.get(f"{API}/reports/{xlsx_id}/download", headers=me)).content
    book = load_workbook(io.BytesIO(data), read_only=True)
    rows = list(book["Expenses"].iter_rows(values_only=True))
    assert rows[0] == ("Date", "Title", "Category", "Amount", "Your share")
    assert rows[1][1] == "Team dinner" and Decimal(str(rows[1][3])) == Decimal("100") and Decimal(str(rows[1][4])) \
        == Decimal("25")  # fmt: skip
    totals = {label: Decimal(str(value)) for label, value in list(book["Summary"].iter_rows(values_only=True))[1:]}
    assert totals == {"Restaurants (USD)": Decimal("25"), "Groceries (USD)": Decimal("7.5")}


async def test_the_pdf_has_a_chart_and_the_table(client, session, settings, ledger) -> None:
    me, template_id = ledger
    report_id = await made(client, session, settings, me, {"template_id": template_id, "output_format": "pdf"})
    data = (await client.get(f"{API}/reports/{report_id}/download", headers=me)).content
    with pymupdf.open(stream=data, filetype="pdf") as document:
        chart, table = document[0].get_text(), document[1].get_text()
    assert "My spending: 3 expenses" in chart and "Restaurants (USD)" in chart and "25.00" in chart
    for text in ("Date", "Your share", "Team dinner", "100.00", "25.00", "Returned shoes", "-5.00")[:6]:
        assert text in table, text


async def test_expiry_cleanup_failures_and_strangers(client, session, settings, ledger, tmp_path) -> None:
    me, template_id = ledger
    report_id = await made(client, session, settings, me, {"template_id": template_id})
    stranger = await auth_headers(session, settings, await make_account(session))
    assert (await client.get(f"{API}/reports/{report_id}", headers=stranger)).status_code == 404
    assert (await client.get(f"{API}/report-templates/{template_id}", headers=stranger)).status_code == 404
    refused = await client.post(f"{API}/reports", json={"template_id": template_id}, headers=stranger)
    assert refused.status_code == 404
    report = await session.get(GeneratedReport, report_id)
    path = report.file_path
    report.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    await session.flush()
    assert (await client.get(f"{API}/reports/{report_id}/download", headers=me)).status_code == 410
    assert await service.remove_expired(session, datetime.now(UTC)) == 1
    assert report.status == ReportStatus.EXPIRED and not await asyncio.to_thread(Path(path).exists)
    # A report that cannot be written says why and is not left running.
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("x")
    settings.data_dir = blocked
    queued = (await client.post(f"{API}/reports", json={"template_id": template_id}, headers=me)).json()
    assert await service.generate(sessions(session), settings, queued["id"]) == ReportStatus.FAILED
    failed = (await client.get(f"{API}/reports/{queued['id']}", headers=me)).json()
    assert failed["status"] == "failed" and "could not be made" in failed["error_message"]
    assert (await client.get(f"{API}/reports/{queued['id']}/download", headers=me)).status_code == 409
