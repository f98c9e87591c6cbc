"""Statement import: accounts, uploads (format from content, size and type checks, the same bytes linked),
and the pipeline run for real against committed data: every stage logged, OFX/CSV/CAMT rows imported
exactly once across re-runs, overlapping statements and an interrupted worker."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlalchemy import and_, delete, func, select

from app import jobs
from app.db import Database
from app.errors import Conflict
from app.models import Category, Expense, StatementProcessingLog, UploadedFile, User
from app.models.enums import AccountType, FileStatus, MergeStatus
from app.services.analytics import stale
from app.services.statements import accounts, importer, merges, passwords, review, uploads
from app.services.statements.accounts import AccountCreate
from app.services.statements.pipeline import give_up, process
from tests.factories import auth_headers, make_account, make_user
from tests.statement_pdfs import bank_statement, card_statement, empty_pages, european_statement

API = "/api/v1"


def ofx(rows: list[tuple[str, str, str, str]], balance: str = "100.00") -> bytes:
    """An OFX 1.x (SGML, unclosed tags) bank statement: rows of (date YYYYMMDD, amount, FITID, name)."""
    transactions = "".join(
        f"<STMTTRN><TRNTYPE>OTHER<DTPOSTED>{d}120000<TRNAMT>{a}<FITID>{f}<NAME>{n}\n</STMTTRN>\n" for d, a, f, n in rows
    )
    return (
        "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>USD\n"
        "<BANKACCTFROM><BANKID>1<ACCTID>000123456789<ACCTTYPE>CHECKING</BANKACCTFROM>\n"
        f"<BANKTRANLIST><DTSTART>20260101<DTEND>20260131\n{transactions}</BANKTRANLIST>\n"
        f"<LEDGERBAL><BALAMT>{balance}<DTASOF>20260131</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"
    ).encode()


def csv_statement(start: date, days: int, opening: Decimal = Decimal("1000.00")) -> bytes:
    """A European-style CSV (semicolons, decimal commas, DD.MM.YYYY) with separate debit and credit columns and
    a running balance: a coffee every day, two on Mondays, and a salary on the 1st."""
    lines = ["Buchungstag;Beschreibung;Debit;Credit;Saldo"]
    balance = opening
    for offset in range(days):
        day = start + timedelta(days=offset)
        entries = [("Salary ACME", None, Decimal("2500.00"))] if day.day == 1 else []
        entries += [("Coffee Corner", Decimal("3.50"), None)] * (2 if day.weekday() == 0 else 1)
        for text, debit, credit in entries:
            balance += (credit or 0) - (debit or 0)
            money = lambda v: f"{v:.2f}".replace(".", ",") if v is not None else ""  # noqa: E731
            lines.append(f"{day:%d.%m.%Y};{text};{money(debit)};{money(credit)};{money(balance)}")
    return ("\n".join(lines) + "\n").encode("cp1252")


CAMT = b"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>1</Id>
<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">70.50</Amt><CdtDbtInd>CRDT</CdtDbtInd></Bal>
<Ntry><Amt Ccy="EUR">42.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2026-03-02</Dt></BookgDt>
<AcctSvcrRef>REF-1</AcctSvcrRef>
<NtryDtls><TxDtls><RmtInf><Ustrd>Supermarkt Einkauf</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
<Ntry><Amt Ccy="EUR">12.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-03-03</Dt></BookgDt>
<AcctSvcrRef>REF-2</AcctSvcrRef>
<NtryDtls><TxDtls><RmtInf><Ustrd>Erstattung</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>"""


@pytest.fixture
async def world(database_url: str, settings, servers) -> AsyncIterator[tuple[Database, User]]:  # type: ignore[no-untyped-def]
    """Committed data, as the worker sees it: a database, a job queue and a fresh user (removed after)."""
    database = Database(database_url)
    queue = await jobs.connect(servers.redis_url)
    jobs.set_queue(queue)
    async with database.session() as session:
        user = await make_user(session)
    try:
        yield database, user
    finally:
        async with database.session() as session:
            await session.execute(delete(Expense).where(Expense.created_by_id == user.id))
            await session.execute(delete(User).where(User.id == user.id))
        jobs.set_queue(None)
        await queue.aclose()
        await database.dispose()


async def upload(database, settings, user, data: bytes, name: str, *, currency: str = "USD", kind=AccountType.BANK,
                 account_id=None):  # type: ignore[no-untyped-def]  # fmt: skip
    async with database.session() as session:
        if account_id is None:
            account = AccountCreate(name="Checking", account_type=kind, currency=currency, last_four="6789")
            account_id = (await accounts.create(session, user, account)).id
        queued = await uploads.upload(session, settings, user, data, name, account_id)
    return queued, account_id


async def count(database, where) -> int:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        return await session.scalar(select(func.count()).select_from(Expense).where(where))


async def test_ofx_import_logs_every_stage_and_runs_once(world, settings) -> None:
    database, user = world
    data = ofx([("20260105", "-12.50", "F1", "Coffee &amp; Cake"), ("20260106", "250.00", "F2", "Refund Shop"),
                ("20260107", "-12.50", "F3", "Coffee &amp; Cake")])  # fmt: skip
    queued, account_id = await upload(database, settings, user, data, "jan.ofx")
    assert queued.status == FileStatus.QUEUED
    assert await process(database, settings, queued.id) == FileStatus.COMPLETED
    async with database.session() as session:
        file = await session.get(UploadedFile, queued.id)
        assert (file.transactions_found, file.transactions_created, file.confidence) == (3, 3, Decimal(95))
        logged = select(StatementProcessingLog.processing_stage).where(
            StatementProcessingLog.uploaded_file_id == queued.id
        )
        stages = (await session.scalars(logged.order_by(StatementProcessingLog.created_at))).all()
        assert [s.value for s in stages] == [
            "upload", "password_decrypt", "text_extraction", "parse_attempt", "ai_parse", "validation",
            "deduplication", "transaction_creation", "completion",
        ]  # fmt: skip
        rows = (await session.scalars(select(Expense).where(Expense.account_id == account_id))).all()
        assert sorted((r.title, str(r.amount), r.transaction_type, r.source) for r in rows)[0] == (
            "Coffee & Cake", "12.5000", "expense", "statement",
        )  # fmt: skip
        assert {r.transaction_type for r in rows} == {"expense", "income"}
        file.status = FileStatus.FAILED  # pretend it must run again: nothing new is made
    assert await process(database, settings, queued.id) == FileStatus.COMPLETED
    assert await count(database, Expense.account_id == account_id) == 3

    # The same bytes again: linked to the first upload, not imported.
    async with database.session() as session:
        again = await uploads.upload(session, settings, user, data, "copy.ofx", account_id)
    assert again.status == FileStatus.DUPLICATE and again.duplicate_of == queued.id

    # Deleting the statement takes its untouched transactions with it; one the user edited stays.
    async with database.session() as session:
        edited = await session.scalar(select(Expense).where(Expense.account_id == account_id).limit(1))
        edited.title, edited.updated_at = "Coffee with Sam", edited.updated_at + timedelta(seconds=1)
        removed_days = set(await session.scalars(select(Expense.expense_date).where(
            Expense.account_id == account_id, Expense.id != edited.id)))  # fmt: skip
    async with database.session() as session:
        await uploads.remove(session, user, again.id)
        await uploads.remove(session, user, queued.id)
    assert await count(database, Expense.account_id == account_id) == 1
    # Their days are left for the analytics pass to recompute (the rows that counted there are gone).
    assert removed_days and removed_days <= {d.day for d in await stale.pending() if user.id in d.users}


async def test_overlapping_csv_statements_create_each_row_once(world, settings) -> None:
    database, user = world
    first = csv_statement(date(2026, 1, 1), 59)  # January-February
    queued, account_id = await upload(database, settings, user, first, "jan-feb.csv", currency="EUR")
    assert await process(database, settings, queued.id) == FileStatus.COMPLETED
    jan_feb = await count(database, Expense.account_id == account_id)
    # February-March, starting from February's opening balance so its running balance holds.
    feb_opening = (
        Decimal("1000.00")
        + Decimal("2500.00")
        - Decimal("3.50") * sum(2 if (date(2026, 1, 1) + timedelta(days=d)).weekday() == 0 else 1 for d in range(31))
    )
    second = csv_statement(date(2026, 2, 1), 59, feb_opening)
    queued2, _ = await upload(database, settings, user, second, "feb-mar.csv", account_id=account_id)
    assert await process(database, settings, queued2.id) == FileStatus.COMPLETED
    expected_days = [date(2026, 1, 1) + timedelta(days=d) for d in range(31 + 28 + 31)]
    expected = sum(2 if d.weekday() == 0 else 1 for d in expected_days) + 3  # coffees and three salaries
    assert jan_feb < expected and await count(database, Expense.account_id == account_id) == expected
    async with database.session() as session:
        logs = (await session.scalars(select(StatementProcessingLog).where(
            StatementProcessingLog.uploaded_file_id == queued2.id,
            StatementProcessingLog.processing_stage == "deduplication"))).all()  # fmt: skip
        assert logs[0].details["already_imported"] > 0 and logs[0].details["identical_rows_kept_and_numbered"] > 0
        file = await session.get(UploadedFile, queued2.id)
        assert file.opening_balance == feb_opening and file.transactions_created == expected - jan_feb


async def test_an_interrupted_run_finishes_without_duplicates(world, settings, monkeypatch) -> None:
    database, user = world
    queued, account_id = await upload(database, settings, user, csv_statement(date(2026, 4, 1), 30), "apr.csv",
                                      currency="EUR")  # fmt: skip
    real = importer.create_transactions

    async def dies_half_way(session, user, account_id, account_type, currency, file_id, rows):  # type: ignore[no-untyped-def]
        await real(session, user, account_id, account_type, currency, file_id, rows[: len(rows) // 2])
        raise SystemExit("the worker was killed")

    monkeypatch.setattr(importer, "create_transactions", dies_half_way)
    with pytest.raises(SystemExit):
        await process(database, settings, queued.id)
    assert await count(database, Expense.account_id == account_id) == 0  # one transaction: all or nothing
    monkeypatch.setattr(importer, "create_transactions", real)
    assert await process(database, settings, queued.id) == FileStatus.COMPLETED  # arq's retry
    assert await count(database, Expense.account_id == account_id) == 30 + 4 + 1  # Mondays twice, a salary


async def test_camt_reconciles_and_bad_files_fail_with_a_reason(world, settings) -> None:
    database, user = world
    queued, account_id = await upload(database, settings, user, CAMT, "march.xml", currency="EUR")
    assert await process(database, settings, queued.id) == FileStatus.COMPLETED
    assert await count(database, Expense.account_id == account_id) == 2

    broken = CAMT.replace(b"70.50", b"70.49")
    queued, _ = await upload(database, settings, user, broken, "bad.xml", account_id=account_id)
    assert await process(database, settings, queued.id) == FileStatus.NEEDS_REVIEW
    no_amounts = b"Date,Description,Note\n2026-01-02,Coffee,x\n2026-01-03,Tea,y\n"
    queued, _ = await upload(database, settings, user, no_amounts, "notes.csv", account_id=account_id)
    assert await process(database, settings, queued.id) == FileStatus.FAILED
    async with database.session() as session:
        file = await session.get(UploadedFile, queued.id)
        assert "amount" in file.error_message
    assert await count(database, Expense.account_id == account_id) == 2


async def test_upload_checks_and_the_api(client, session, settings) -> None:
    user = await make_account(session)
    headers = await auth_headers(session, settings, user)
    card = {"name": "Visa", "account_type": "credit_card", "currency": "usd", "last_four": "4242"}
    created = await client.post(f"{API}/accounts", json=card, headers=headers)
    assert created.status_code == 201 and created.json()["currency"] == "USD"
    account_id = created.json()["id"]
    send = lambda data, name="s.csv": client.post(  # noqa: E731
        f"{API}/statements", files={"file": (name, data)}, data={"account_id": account_id}, headers=headers
    )
    assert (await send(b"\x00\x01\x02 random bytes \xff" * 100, "s.ofx")).status_code == 415
    settings.statement_max_mb = 1
    assert (await send(b"a,b\n" * 300_000)).status_code == 413
    queued = await send(ofx([("20260105", "-1.00", "X1", "Tea")]), "statement.txt")
    assert queued.status_code == 202 and queued.json()["status"] == "queued"
    statement_id = queued.json()["id"]
    shown = (await client.get(f"{API}/statements/{statement_id}", headers=headers)).json()
    assert shown["detected_format"] == "ofx" and shown["original_filename"] == "statement.txt"
    assert (await client.get(f"{API}/statements", headers=headers)).json()["items"][0]["id"] == statement_id
    assert (await client.post(f"{API}/statements/{statement_id}/reprocess", headers=headers)).status_code == 409
    assert (await client.get(f"{API}/statements/{statement_id}/logs", headers=headers)).json() == []
    assert (await client.get(f"{API}/accounts", headers=headers)).json()[0]["last_four"] == "4242"


async def expenses_of(database, account_id) -> list[tuple[date, str, Decimal]]:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        rows = (await session.scalars(select(Expense).where(Expense.account_id == account_id))).all()
    signed = {"expense": -1, "income": 1, "refund": 1, "transfer": 1}
    return sorted((r.expense_date, r.title, signed[r.transaction_type] * r.amount) for r in rows)


@pytest.mark.parametrize(
    ("layout", "kind", "currency"),
    [
        (lambda: bank_statement(date(2025, 12, 10), 45), AccountType.BANK, "GBP"),  # year rollover, wrapped lines
        (lambda: european_statement(date(2026, 3, 1), 20), AccountType.BANK, "EUR"),
        (lambda: card_statement(date(2026, 1, 2), 25), AccountType.CREDIT_CARD, "USD"),
    ],
    ids=["debit-credit-balance", "european-signed", "credit-card"],
)
async def test_pdf_layouts_parse_exactly_and_reconcile(world, settings, layout, kind, currency) -> None:
    database, user = world
    data, printed = layout()
    queued, account_id = await upload(database, settings, user, data, "statement.pdf", currency=currency, kind=kind)
    assert await process(database, settings, queued.id) == FileStatus.COMPLETED
    assert await expenses_of(database, account_id) == sorted((p.booked_on, p.description, p.amount) for p in printed)
    async with database.session() as session:
        file = await session.get(UploadedFile, queued.id)
        assert file.opening_balance is not None and file.closing_balance is not None
        assert "--- page 1 ---" in file.raw_text_extracted
        assert "ExampleBank statement copy" not in file.raw_text_extracted  # the rotated margin text
        compared = await uploads.comparison(session, user, queued.id)
    assert {row["outcome"] for row in compared["rows"]} == {"imported"}
    assert all(row["expense_id"] for row in compared["rows"])
    first = compared["rows"][0]
    shown = next(r for r in compared["raw_lines"] if r["page"] == first["page"] and r["line"] == first["line"])
    assert first["raw"].startswith(shown["text"])  # the row points at its own line of the extracted text


async def test_protected_pdf_waits_for_its_password_then_uses_the_stored_one(world, settings) -> None:
    database, user = world
    protect = {"encryption": 5, "user_pw": "s3cret-pin", "owner_pw": "bank-owner"}  # 5: AES-256
    data, printed = bank_statement(date(2026, 2, 1), 10, **protect)
    queued, account_id = await upload(database, settings, user, data, "feb.pdf", currency="GBP")
    assert await process(database, settings, queued.id) == FileStatus.NEEDS_PASSWORD
    async with database.session() as session:
        file = await uploads.unlock(session, settings, user, queued.id, "s3cret-pin", remember=True)
        assert file.status == FileStatus.QUEUED
    token = settings.secret_box().encrypt("s3cret-pin").decode()
    assert await process(database, settings, queued.id, password_token=token) == FileStatus.COMPLETED
    assert len(await expenses_of(database, account_id)) == len(printed)
    # The next month's statement opens with the remembered password, and nothing shows it.
    data, _ = bank_statement(date(2026, 3, 1), 10, **protect)
    queued, _ = await upload(database, settings, user, data, "mar.pdf", account_id=account_id)
    assert await process(database, settings, queued.id) == FileStatus.COMPLETED
    async with database.session() as session:
        stored = await passwords.listing_for(session, user.id)
        assert [row.success_count for row in stored] == [1] and b"s3cret" not in stored[0].encrypted_password
        logs = (await session.scalars(select(StatementProcessingLog.details).where(
            StatementProcessingLog.uploaded_file_id == queued.id))).all()  # fmt: skip
        assert "s3cret" not in str(logs)


async def test_broken_pdfs_fail_with_a_reason_and_create_nothing(world, settings) -> None:
    database, user = world
    good, _ = bank_statement(date(2026, 2, 1), 20)
    account_id = None
    for data, reason in [
        (good[: len(good) // 3], "damaged"),
        (empty_pages(10_000), "pages"),
        (empty_pages(1), "OCR"),
    ]:
        queued, account_id = await upload(database, settings, user, data, "x.pdf", account_id=account_id)
        assert await process(database, settings, queued.id) == FileStatus.FAILED
        async with database.session() as session:
            file = await session.get(UploadedFile, queued.id)
            assert reason in file.error_message, file.error_message
    assert await count(database, Expense.account_id == account_id) == 0


async def test_a_worker_killed_in_a_30_page_pdf_leaves_the_same_result(world, settings, monkeypatch) -> None:
    database, user = world
    data, printed = bank_statement(date(2025, 11, 1), 240, rows_per_page=10)
    queued, account_id = await upload(database, settings, user, data, "long.pdf", currency="GBP")
    real = importer.create_transactions

    async def killed(session, user, account_id, account_type, currency, file_id, rows):  # type: ignore[no-untyped-def]
        await real(session, user, account_id, account_type, currency, file_id, rows[:100])
        raise SystemExit("killed")

    monkeypatch.setattr(importer, "create_transactions", killed)
    with pytest.raises(SystemExit):
        await process(database, settings, queued.id)
    monkeypatch.setattr(importer, "create_transactions", real)
    assert await process(database, settings, queued.id) == FileStatus.COMPLETED
    async with database.session() as session:
        pages = (await session.get(UploadedFile, queued.id)).parsed_json["details"]["pages"]
    assert pages >= 30
    assert await expenses_of(database, account_id) == sorted((p.booked_on, p.description, p.amount) for p in printed)


async def test_overlapping_statements_processed_at_once_create_each_row_once(world, settings) -> None:
    database, user = world
    first, account_id = await upload(database, settings, user, csv_statement(date(2026, 5, 1), 40), "a.csv",
                                     currency="EUR")  # fmt: skip
    second, _ = await upload(database, settings, user, csv_statement(date(2026, 5, 1), 30), "b.csv",
                             account_id=account_id)  # fmt: skip
    results = await asyncio.gather(process(database, settings, first.id), process(database, settings, second.id))
    assert results == [FileStatus.COMPLETED, FileStatus.COMPLETED]
    expected = sum(2 if (date(2026, 5, 1) + timedelta(days=d)).weekday() == 0 else 1 for d in range(40)) + 2
    assert await count(database, Expense.account_id == account_id) == expected
    async with database.session() as session:
        made = [(await session.get(UploadedFile, f.id)).transactions_created for f in (first, second)]
    assert sum(made) == expected


async def test_a_job_that_keeps_failing_marks_the_statement_failed(world, settings) -> None:
    database, user = world
    queued, account_id = await upload(database, settings, user, csv_statement(date(2026, 6, 1), 3), "c.csv")
    await give_up(database, queued.id, "OperationalError")
    async with database.session() as session:
        file = await session.get(UploadedFile, queued.id)
    assert file.status == FileStatus.FAILED and "OperationalError" in file.error_message
    assert await count(database, Expense.account_id == account_id) == 0


async def test_an_account_remembers_how_its_csv_dates_are_written(world, settings) -> None:
    database, user = world
    settled = b"Date,Description,Amount\n13/01/2026,Rent,-900.00\n02/01/2026,Tea,-3.00\n"
    queued, account_id = await upload(database, settings, user, settled, "jan.csv")
    assert await process(database, settings, queued.id) == FileStatus.COMPLETED
    ambiguous = b"Date,Description,Amount\n03/02/2026,Bread,-2.50\n"  # 3 February, day first like before
    queued, _ = await upload(database, settings, user, ambiguous, "feb.csv", account_id=account_id)
    assert await process(database, settings, queued.id) == FileStatus.COMPLETED
    async with database.session() as session:
        bread = await session.scalar(select(Expense).where(Expense.account_id == account_id, Expense.title == "Bread"))
    assert bread.expense_date == date(2026, 2, 3)


async def test_an_account_remembers_its_csv_columns_and_the_user_can_correct_them(world, settings) -> None:
    database, user = world
    # Detection takes the first date column (the value date), and knows no "Text" column; this user books by
    # the transaction date and wants the text as the description.
    export = b"Value date,Transaction date,Text,Amount\n2026-01-05,2026-01-03,Tea,-3.00\n"
    queued, account_id = await upload(database, settings, user, export, "jan.csv")
    assert await process(database, settings, queued.id) == FileStatus.COMPLETED
    async with database.session() as session:
        account, _ = await accounts.owned(session, user, account_id)
        learnt = accounts.account_out(account, "USD").csv_columns
        assert (learnt.date, learnt.description, learnt.amount) == ("Value date", [], "Amount")
        with pytest.raises(ValidationError, match="amount column"):
            accounts.AccountPatch.model_validate({"csv_columns": {"date": "Transaction date"}})
        fix = accounts.AccountPatch.model_validate(
            {"csv_columns": {"date": "Transaction date", "description": ["Text"], "amount": "Amount"}}
        )
        assert (await accounts.update(session, user, account_id, fix)).csv_columns.date == "Transaction date"
    export = b"Value date,Transaction date,Text,Amount\n2026-02-09,2026-02-07,Bread,-2.50\n"
    queued, _ = await upload(database, settings, user, export, "feb.csv", account_id=account_id)
    assert await process(database, settings, queued.id) == FileStatus.COMPLETED
    async with database.session() as session:
        bread = await session.scalar(select(Expense).where(Expense.account_id == account_id, Expense.title == "Bread"))
        file = await session.get(UploadedFile, queued.id)
    assert bread.expense_date == date(2026, 2, 7) and file.parsed_json["details"]["columns_from"] == "account"
    # An export whose header lacks a remembered column is read by detection again.
    other = b"Date,Description,Amount\n2026-03-02,Milk,-1.20\n"
    queued, _ = await upload(database, settings, user, other, "mar.csv", account_id=account_id)
    assert await process(database, settings, queued.id) == FileStatus.COMPLETED


async def test_a_likely_duplicate_from_another_format_is_suggested_not_dropped(world, settings) -> None:
    database, user = world
    data = ofx([("20260105", "-12.50", "F1", "Coffee &amp; Cake"), ("20260109", "-40.00", "F2", "Fuel Station")])
    queued, account_id = await upload(database, settings, user, data, "jan.ofx")
    assert await process(database, settings, queued.id) == FileStatus.COMPLETED
    export = b"Date,Description,Amount\n2026-01-06,COFFEE AND CAKE LONDON,-12.50\n2026-01-20,Books,-9.99\n"
    queued, _ = await upload(database, settings, user, export, "jan.csv", account_id=account_id)
    assert await process(database, settings, queued.id) == FileStatus.COMPLETED
    assert await count(database, Expense.account_id == account_id) == 4  # imported: nothing dropped silently
    async with database.session() as session:
        suggested = await merges.listing(session, user, MergeStatus.SUGGESTED)
        assert len(suggested) == 1 and suggested[0].details["existing"]["title"] == "Coffee & Cake"
        assert suggested[0].similarity_score >= merges.MIN_SIMILARITY
        await merges.decide(session, user, suggested[0].id, approve=True)
    assert await count(database, and_(Expense.account_id == account_id, ~Expense.is_deleted)) == 3
    queued, _ = await upload(database, settings, user, export + b"\n", "jan-again.csv", account_id=account_id)
    assert await process(database, settings, queued.id) == FileStatus.COMPLETED
    assert await count(database, and_(Expense.account_id == account_id, ~Expense.is_deleted)) == 3  # stays merged


async def test_rows_are_categorised_by_the_users_own_corrections_then_keywords(world, settings) -> None:
    database, user = world
    first = b"Date,Description,Amount\n2026-03-02,CARD PAYMENT TO CORNER SHOP 4471,-7.45\n2026-03-03,UBER TRIP,-12.00\n"
    queued, account_id = await upload(database, settings, user, first, "mar.csv")
    assert await process(database, settings, queued.id) == FileStatus.COMPLETED
    async with database.session() as session:
        groceries = await session.scalar(select(Category.id).where(Category.slug == "groceries"))
        taxi = await session.scalar(select(Category.id).where(Category.slug == "taxi-rideshare"))
        rows = {e.title: e for e in (await session.scalars(select(Expense).where(Expense.account_id == account_id)))}
        assert rows["UBER TRIP"].category_id == taxi and rows["CARD PAYMENT TO CORNER SHOP 4471"].category_id is None
        rows["CARD PAYMENT TO CORNER SHOP 4471"].category_id = groceries  # the user's correction
    later = b"Date,Description,Amount\n2026-04-02,Corner Shop 9,-3.10\n"
    queued, _ = await upload(database, settings, user, later, "apr.csv", account_id=account_id)
    assert await process(database, settings, queued.id) == FileStatus.COMPLETED
    async with database.session() as session:
        corner = await session.scalar(select(Expense).where(Expense.account_id == account_id, Expense.amount == 3.10))
    assert corner.category_id == groceries


async def test_a_statement_that_does_not_reconcile_can_be_corrected_and_accepted(world, settings) -> None:
    database, user = world
    # The bank printed a closing balance 1.00 lower than its rows make: a row was read wrong, or is missing.
    queued, account_id = await upload(database, settings, user, CAMT.replace(b"70.50", b"69.50"), "x.xml",
                                      currency="EUR")  # fmt: skip
    assert await process(database, settings, queued.id) == FileStatus.NEEDS_REVIEW
    assert await count(database, Expense.account_id == account_id) == 0
    async with database.session() as session:
        drafts = (await uploads.comparison(session, user, queued.id))["rows"]
        assert [row["amount"] for row in drafts] == ["-42.00", "12.50"]
        fix = review.AcceptRequest(rows=[review.DraftEdit(index=0, amount=Decimal("-43.00"))])
        file = await review.accept(session, user, queued.id, fix)
        assert file.status == FileStatus.COMPLETED and file.transactions_created == 2
        with pytest.raises(Conflict):
            await review.accept(session, user, queued.id, fix)
    assert sorted(t[2] for t in await expenses_of(database, account_id)) == [Decimal("-43.00"), Decimal("12.50")]
