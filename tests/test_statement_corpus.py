"""Real statement files from other projects (../shared/corpus, when present): the OFX reader survives
every one, and each bank CSV gives the same dates and amounts as csv2ofx's own conversion of it."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pymupdf
import pytest
from sqlalchemy import select

from app.models import StatementProcessingLog
from app.models.enums import AccountType
from app.services.statements import passwords
from app.services.statements.parsers.common import StatementError
from app.services.statements.parsers.csv_reader import parse_csv
from app.services.statements.parsers.ofx import parse_ofx
from app.services.statements.parsers.pdf_table import parse_pdf_text
from app.services.statements.parsers.pdf_text import extract
from app.services.statements.pipeline import _charges_written_positive, check_running_balance, process
from tests.test_statements import upload
from tests.test_statements import world as world  # the fixture, shared

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared statement corpus is not on this machine")
CSV2OFX = CORPUS / "csv" / "csv2ofx"


def rows_of(statement) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return sorted((row.booked_on.isoformat(), format(row.amount.normalize(), "f")) for row in statement.rows)


def test_every_ofx_file_is_read_or_refused_with_a_reason() -> None:
    counts = {}
    for path in sorted(CORPUS.rglob("*.ofx")):
        if "expected" in path.parts:
            continue
        try:
            counts[path.name] = len(parse_ofx(path.read_bytes().decode("utf-8", "replace")).rows)
        except StatementError as refused:
            counts[path.name] = str(refused)
    assert counts["bank_medium.ofx"] == 3 and counts["checking.ofx"] == 3 and counts["ofxdownload.ofx"] == 12
    assert counts["anzcc.ofx"] == 1 and counts["suncorp.ofx"] == 1 and counts["empty_balance.ofx"] == 1
    assert "General Server Error" in counts["error_message.ofx"]
    assert counts["date_missing.ofx"] == 0 and counts["decimal_error.ofx"] == 0  # bad rows skipped, with warnings


@pytest.mark.parametrize(
    ("name", "card"),
    [("gls", False), ("outbank", False), ("payoneer", False), ("schwab-checking", False),
     ("schwab-checking-baltest-case1", False), ("schwab-checking-baltest-case3", False), ("stripe-default", False),
     ("pcmastercard", True)],
)  # fmt: skip
def test_csv_exports_match_csv2ofx(name: str, card: bool) -> None:
    ours = parse_csv((CSV2OFX / "input" / f"{name}.csv").read_bytes())
    if card:  # a card export with purchases as positive numbers, read into a credit-card account
        assert _charges_written_positive(ours)
        for row in ours.rows:
            row.amount = -row.amount
    theirs = parse_ofx((CSV2OFX / "expected" / f"{name}.ofx").read_text(encoding="utf-8", errors="replace"))
    assert rows_of(ours) == rows_of(theirs)


def test_a_day_first_column_is_read_day_first_throughout() -> None:
    # csv2ofx reads one row of this Spanish export (08/04/2022) as 4 August; the rest of the column
    # (24/03/2022, 13/04/2022, ...) says day first, so it is 8 April.
    ours = rows_of(parse_csv((CSV2OFX / "input" / "ingesp.csv").read_bytes()))
    assert ("2022-04-08", "2.69") in ours and ("2022-08-04", "2.69") not in ours


def test_running_balances_reconcile() -> None:
    # (ingesp.csv is left out: its rows are a shuffled sample, so its balances do not chain.)
    for path in (CORPUS / "beangulp" / "csvbank_statement.csv", CSV2OFX / "input" / "schwab-checking.csv",
                 CSV2OFX / "input" / "ubs-ch-fr_trimmed.csv"):  # fmt: skip
        statement = parse_csv(path.read_bytes())
        reconciled, details = check_running_balance(statement)
        assert reconciled, (path.name, details)
        assert statement.opening_balance is not None and statement.closing_balance is not None


def test_the_monopoly_example_statement_gives_its_expected_rows() -> None:
    folder = CORPUS / "pdf" / "monopoly"
    with pymupdf.open(folder / "example_statement.pdf") as document:
        statement = parse_pdf_text(extract(document))
    expected = list(csv.DictReader((folder / "example_statement.expected_raw.csv").open()))
    # monopoly lists "LAST MONTH'S BALANCE" as a row; here it is the statement's opening balance.
    rows = [(e["date"], e["description"], Decimal(e["amount"])) for e in expected if "BALANCE" not in e["description"]]
    assert [(r.booked_on.strftime("%d/%m"), r.description, r.amount) for r in statement.rows] == rows
    assert statement.opening_balance == Decimal("412.16") and statement.closing_balance == Decimal("702.10")
    assert statement.rows[0].booked_on.year == 2023


async def test_the_protected_corpus_pdf_opens_with_a_stored_password(world, settings) -> None:
    database, user = world
    data = (CORPUS / "pdf" / "monopoly" / "protected.pdf").read_bytes()
    queued, _ = await upload(database, settings, user, data, "protected.pdf", kind=AccountType.CREDIT_CARD)
    async with database.session() as session:
        await passwords.store(session, settings.secret_box(), user, passwords.PasswordIn(password="wrong-one"))
        await passwords.store(
            session, settings.secret_box(), user, passwords.PasswordIn(password="foobar123", file_pattern="protect")
        )
    await process(database, settings, queued.id)
    async with database.session() as session:
        logs = (await session.scalars(select(StatementProcessingLog).where(
            StatementProcessingLog.uploaded_file_id == queued.id,
            StatementProcessingLog.processing_stage == "password_decrypt"))).all()  # fmt: skip
    assert logs[0].status == "success" and logs[0].details["tries"] == 1  # the pattern's password first
