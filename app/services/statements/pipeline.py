"""The statement pipeline: seed 002's stages in order, each writing a `statement_processing_logs` row
(status, parser, details, time) in its own transaction, so progress shows while the file is processed
and the logs survive a failure.

Every stage can run again: a worker killed at any point is retried by arq and starts over from the
stored file; transactions are created in one transaction keyed by their import keys, so a retry adds
only what is missing. A file that cannot be read ends `failed` with the reason, and nothing is created.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.db import Database
from app.logging import get_logger
from app.models import Account, Currency, Expense, StatementProcessingLog, UploadedFile, User
from app.models.enums import AccountType, FileFormat, FileStatus, ParserType, ProcessingStage, StageStatus
from app.services.ai import structured
from app.services.ai.structured import AIFailed
from app.services.notifications import inapp
from app.services.realtime import events
from app.services.statements import ai_reader, importer, merges, passwords
from app.services.statements.parsers.camt import parse_camt
from app.services.statements.parsers.common import ParsedRow, ParsedStatement, StatementError
from app.services.statements.parsers.csv_reader import decode, parse_csv
from app.services.statements.parsers.ofx import parse_ofx
from app.services.statements.parsers.pdf_table import parse_pdf_text
from app.services.statements.parsers.pdf_text import PdfText, extract, open_pdf

if TYPE_CHECKING:
    import pymupdf  # the worker opens statements through pdf_text.open_pdf

log = get_logger(__name__)
RAW_TEXT_LIMIT = 1_000_000  # characters of raw_text_extracted kept for the comparison view
FINISHED = (FileStatus.COMPLETED, FileStatus.DUPLICATE)


class StageFailed(Exception):
    """Ends the file: `status` (failed, needs_review, needs_password) and a sentence for the user."""

    def __init__(self, message: str, status: FileStatus = FileStatus.FAILED) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@dataclass
class Outcome:
    status: StageStatus = StageStatus.SUCCESS
    details: dict[str, Any] = field(default_factory=dict)
    parser_type: ParserType | None = None
    ai_provider: str | None = None


@dataclass
class Run:
    db: Database
    settings: Settings
    file_id: uuid.UUID
    redis: Redis | None
    user_id: int = 0
    data: bytes = b""
    text: str = ""
    parsed: ParsedStatement | None = None
    confidence: Decimal = Decimal(0)
    plan: importer.Plan | None = None
    created: int = 0
    made_keys: set[str] = field(default_factory=set)
    password_token: str | None = None
    document: pymupdf.Document | None = None
    pdf_text: PdfText | None = None
    filename: str = ""
    account_id: uuid.UUID | None = None
    use_ai: bool = False  # the user asked for the AI reading
    system_error: str | None = None  # why the system parser could not read the file
    parser: ParserType = ParserType.SYSTEM  # whose rows are imported
    unverified: list[int] = field(default_factory=list)  # AI rows whose amounts are not in the text

    async def stage(self, stage: ProcessingStage, work: Callable[[], Awaitable[Outcome]]) -> None:
        started = time.perf_counter()
        try:
            outcome = await work()
        except (StatementError, StageFailed) as failure:
            message = failure.message if isinstance(failure, StageFailed) else str(failure)
            await self._log(stage, Outcome(StageStatus.FAILED, {"error": message}), started)
            raise StageFailed(message, getattr(failure, "status", FileStatus.FAILED)) from None
        await self._log(stage, outcome, started)

    async def _log(self, stage: ProcessingStage, outcome: Outcome, started: float) -> None:
        elapsed = int((time.perf_counter() - started) * 1000)
        async with self.db.session() as session:
            session.add(
                StatementProcessingLog(
                    uploaded_file_id=self.file_id, processing_stage=stage, status=outcome.status,
                    parser_type=outcome.parser_type, ai_provider=outcome.ai_provider, details=outcome.details,
                    execution_time_ms=elapsed,
                )
            )  # fmt: skip
        await self.tell({"stage": stage.value, "stage_status": outcome.status.value})

    async def tell(self, event: dict[str, Any]) -> None:
        if self.redis is not None and self.user_id:
            try:
                progress = {"type": "statement_progress", "statement_id": str(self.file_id), **event}
                await events.publish(self.redis, self.user_id, progress)
            except Exception:  # progress is a courtesy; the import goes on without it
                log.warning("statement_progress_not_sent", exc_info=True)


async def process(
    db: Database,
    settings: Settings,
    file_id: uuid.UUID,
    redis: Redis | None = None,
    password_token: str | None = None,
    use_ai: bool = False,
) -> FileStatus:
    """Run the pipeline for one uploaded statement; returns its final status. `password_token` is a
    password sent with the upload or unlock, Fernet-encrypted (so it is never stored in the clear);
    `use_ai` asks for the AI reading even when the system parser's rows reconcile."""
    run = Run(db, settings, file_id, redis, password_token=password_token, use_ai=use_ai)
    async with db.session() as session:
        file = await session.get(UploadedFile, file_id, with_for_update=True)
        if file is None:
            return FileStatus.FAILED
        if file.status in FINISHED:
            return file.status  # a job sent twice, or a retry after the file completed
        file.status, file.error_message = FileStatus.PROCESSING, None
        run.user_id, path, file_format = file.user_id, Path(file.stored_path), file.detected_format
        run.filename, run.account_id = file.original_filename, file.account_id
    try:
        await run.stage(ProcessingStage.UPLOAD, lambda: _read(run, path, file_format))
        if file_format == FileFormat.PDF:
            await run.stage(ProcessingStage.PASSWORD_DECRYPT, lambda: _unlock(run))
            await run.stage(ProcessingStage.TEXT_EXTRACTION, lambda: _extract_pdf(run))
        else:
            await run.stage(ProcessingStage.PASSWORD_DECRYPT, _not_encrypted)
            await run.stage(ProcessingStage.TEXT_EXTRACTION, lambda: _extract(run))
        await run.stage(ProcessingStage.PARSE_ATTEMPT, lambda: _parse(run, file_format))
        await run.stage(ProcessingStage.AI_PARSE, lambda: _ai_parse(run, file_format))
        await run.stage(ProcessingStage.VALIDATION, lambda: _validate(run))
        await run.stage(ProcessingStage.DEDUPLICATION, lambda: _deduplicate(run))
        await run.stage(ProcessingStage.TRANSACTION_CREATION, lambda: _create(run))
        await run.stage(ProcessingStage.COMPLETION, lambda: _complete(run))
    except StageFailed as failure:
        await _finish(run, failure.status, failure.message)
        return failure.status
    await run.tell({"status": FileStatus.COMPLETED.value})
    return FileStatus.COMPLETED


async def give_up(db: Database, file_id: uuid.UUID, reason: str) -> None:
    """The job failed for a reason of ours (not the file's) on its last try: say so instead of leaving the
    statement 'processing' for ever. Nothing was created: transaction creation is all or nothing."""
    async with db.session() as session:
        file = await session.get(UploadedFile, file_id)
        if file is not None and file.status not in FINISHED:
            file.status = FileStatus.FAILED
            file.error_message = f"Processing failed on our side ({reason}); reprocess the statement to try again."
            file.processed_at = datetime.now(UTC)


async def _finish(run: Run, status: FileStatus, message: str) -> None:
    async with run.db.session() as session:
        file = await session.get(UploadedFile, run.file_id)
        if file is not None:
            file.status, file.error_message, file.processed_at = status, message, datetime.now(UTC)
            if status == FileStatus.NEEDS_REVIEW and run.parsed is not None and run.parsed.rows:
                # The rows as read become drafts the user can correct and accept (POST .../accept).
                rows = [row_json(r) for r in run.parsed.rows]
                for index in run.unverified:  # the comparison view marks them for the user to check
                    rows[index]["flags"] = ["amount_not_in_text"]
                file.parsed_json = {"rows": rows, "details": {**run.parsed.details, "parser": run.parser.value},
                                    "drafts": True}  # fmt: skip
            title = {FileStatus.NEEDS_PASSWORD: "needs its password", FileStatus.NEEDS_REVIEW: "needs your review"}
            await inapp.notify(session, run.user_id, "statement", {"file": file.original_filename,
                               "outcome": title.get(status, "could not be imported"), "detail": message},
                               related=("statement", str(run.file_id)))  # fmt: skip
    await run.tell({"status": status.value, "error": message})


def row_json(row: ParsedRow) -> dict[str, Any]:
    return {
        "date": row.booked_on.isoformat(), "description": row.description, "amount": str(row.amount),
        "balance": str(row.balance) if row.balance is not None else None, "bank_id": row.bank_id,
        "page": row.page, "line": row.line, "raw": row.raw,
    }  # fmt: skip


async def _read(run: Run, path: Path, file_format: FileFormat) -> Outcome:
    try:
        run.data = await asyncio.to_thread(path.read_bytes)
    except OSError:
        raise StageFailed("The uploaded file is missing from storage; upload it again.") from None
    return Outcome(details={"format": file_format.value, "bytes": len(run.data)})


async def _not_encrypted() -> Outcome:
    return Outcome(StageStatus.SKIPPED, {"reason": "the format has no password protection"})


async def _unlock(run: Run) -> Outcome:
    run.document = open_pdf(run.data)
    if not run.document.needs_pass:
        return Outcome(StageStatus.SKIPPED, {"reason": "the PDF is not password-protected"})
    box = run.settings.secret_box()
    async with run.db.session() as session:
        file = await session.get(UploadedFile, run.file_id)
        file.is_password_protected = True
        stored = await passwords.listing_for(session, run.user_id)
    tries = 0
    if run.password_token:
        tries += 1
        if run.document.authenticate(box.decrypt(run.password_token.encode())):
            return Outcome(details={"tries": tries, "opened_with": "the password sent with the file"})
    for row in passwords.candidates(stored, run.account_id, run.filename):
        if tries >= passwords.MAX_TRIES:
            break
        try:
            secret = box.decrypt(row.encrypted_password)
        except ValueError:
            continue
        tries += 1
        if run.document.authenticate(secret):
            async with run.db.session() as session:
                await passwords.record_success(session, row.id)
                file = await session.get(UploadedFile, run.file_id)
                file.used_password_id = row.id
            return Outcome(details={"tries": tries, "opened_with": "a stored password", "password_id": str(row.id)})
    raise StageFailed(
        f"The PDF is password-protected and none of the {tries} password(s) tried opens it; "
        "unlock it with its password.",
        FileStatus.NEEDS_PASSWORD,
    )


async def _extract_pdf(run: Run) -> Outcome:
    assert run.document is not None
    run.pdf_text = await asyncio.to_thread(extract, run.document)
    run.text = run.pdf_text.raw
    async with run.db.session() as session:
        file = await session.get(UploadedFile, run.file_id)
        file.raw_text_extracted = run.text[:RAW_TEXT_LIMIT]
    details = {
        "pages": run.pdf_text.pages, "lines": len(run.pdf_text.lines),
        "pages_without_text": run.pdf_text.pages_without_text[:50],
        "repeated_lines_dropped": run.pdf_text.dropped_repeated,
    }  # fmt: skip
    status = StageStatus.SUCCESS
    if run.pdf_text.pages_without_text:
        details["warning"] = "some pages have no text layer and need OCR; their rows are missing"
    return Outcome(status, details)


async def _extract(run: Run) -> Outcome:
    run.text, encoding = decode(run.data)
    async with run.db.session() as session:
        file = await session.get(UploadedFile, run.file_id)
        assert file is not None
        file.raw_text_extracted = run.text[:RAW_TEXT_LIMIT]
    return Outcome(details={"encoding": encoding, "characters": len(run.text)})


TEXT_FORMATS = (FileFormat.PDF, FileFormat.CSV)  # what the AI can read when the system parser cannot


async def _parse(run: Run, file_format: FileFormat) -> Outcome:
    async with run.db.session() as session:
        account = await _account_of(session, run)
    last_four = account.last_four if account else None
    try:
        if file_format == FileFormat.OFX:
            run.parsed = parse_ofx(run.text, last_four)
        elif file_format == FileFormat.CAMT053:
            run.parsed = parse_camt(run.data)
        elif file_format == FileFormat.CSV:
            remembered = (account.import_settings if account else {}).get("csv", {})
            run.parsed = parse_csv(run.data, day_first=remembered.get("day_first"), mapping=remembered.get("columns"))
        elif file_format == FileFormat.PDF and run.pdf_text is not None:
            run.parsed = parse_pdf_text(run.pdf_text)
        else:
            raise StageFailed(f"{file_format.value} statements cannot be read.")
        if not run.parsed.rows:
            raise StatementError("The statement holds no transactions.")
    except StatementError as error:
        if file_format not in TEXT_FORMATS:
            raise
        # The AI may still read it; validation fails the file with this reason if nothing else does.
        run.parsed, run.system_error = None, str(error)
        return Outcome(StageStatus.FAILED, {"error": run.system_error}, ParserType.SYSTEM)
    _fix_card_signs(run.parsed, account)
    details = {**run.parsed.details, "rows": len(run.parsed.rows), "warnings": run.parsed.warnings[:20]}
    return Outcome(details=details, parser_type=ParserType.SYSTEM)


def _fix_card_signs(parsed: ParsedStatement, account: Account | None) -> None:
    if account is not None and account.account_type == AccountType.CREDIT_CARD and _charges_written_positive(parsed):
        for row in parsed.rows:
            row.amount = -row.amount
        parsed.details["signs_flipped"] = "card export writes charges as positive amounts"


def _charges_written_positive(parsed: ParsedStatement) -> bool:
    """Many card CSV exports write purchases as positive numbers in one amount column (money out should be
    negative here): most rows positive, and no separate debit/credit columns to say otherwise."""
    columns = parsed.details.get("columns", {})
    if parsed.details.get("format") != "csv" or "debit" in columns or "credit" in columns:
        return False
    positive = sum(1 for row in parsed.rows if row.amount > 0)
    return positive > len(parsed.rows) / 2


async def _ai_parse(run: Run, file_format: FileFormat) -> Outcome:
    """The AI reads the statement when the system parser could not, or its rows do not add up to the
    statement's balances, or the user asked. Its rows replace the system parser's only when they
    reconcile (or there were none); a provider failure leaves the system parser's result as it was."""
    if file_format not in TEXT_FORMATS:
        return Outcome(StageStatus.SKIPPED, {"reason": "a structured format: the system parser reads it exactly"})
    system = reconcile(run.parsed) if run.parsed is not None else None
    if system is not None and system.state != BROKEN and not run.use_ai:
        return Outcome(StageStatus.SKIPPED, {"reason": f"the system parser's rows are {system.state}"})
    async with run.db.session() as session:
        choice = await structured.choose_provider(session, run.settings, run.user_id)
    if choice is None:
        return Outcome(StageStatus.SKIPPED, {"reason": "no AI provider is set up (see /api/v1/ai-settings)"})
    chunks = ai_reader.pdf_chunks(run.pdf_text) if run.pdf_text is not None else ai_reader.csv_chunks(run.text)
    period = ""
    if run.parsed is not None and run.parsed.period_start and run.parsed.period_end:
        period = f"{run.parsed.period_start.isoformat()} to {run.parsed.period_end.isoformat()}"
    try:
        reading = await ai_reader.read(run.settings, choice, chunks, period, {"format": file_format.value})
    except AIFailed as failure:
        spent = failure.usage.as_metadata() if failure.usage else {}
        details = {"error": f"the {choice.provider} reading failed: {failure.reason}", "usage": spent,
                   "kept": "the system parser's result"}  # fmt: skip
        return Outcome(StageStatus.FAILED, details, ParserType.AI, choice.provider)
    ai = reconcile(reading.statement)
    details: dict[str, Any] = {
        "rows": len(reading.statement.rows), "ai_rows": ai.state, "system_rows": system.state if system else "none",
        "amounts_not_in_text": len(reading.unverified), "model": choice.model, **reading.usage_details(),
    }  # fmt: skip
    take = not run.parsed or (ai.state == RECONCILED and not reading.unverified and
                              (run.use_ai or system is None or system.state != RECONCILED))  # fmt: skip
    if take:
        run.parsed, run.parser, run.unverified = reading.statement, ParserType.AI, reading.unverified
    details["used"] = "ai" if take else "system"
    return Outcome(details=details, parser_type=ParserType.AI, ai_provider=choice.provider)


def check_running_balance(parsed: ParsedStatement) -> tuple[bool, dict[str, Any]]:
    """Whether each row's balance is the previous one plus its amount, in file order or newest first; when
    it is, the statement's opening and closing balances follow from the first and last rows."""
    rows = parsed.rows
    if len(rows) < 2 or any(row.balance is None for row in rows):
        return False, {}
    ascending = [i + 1 for i in range(1, len(rows)) if rows[i - 1].balance + rows[i].amount != rows[i].balance]
    descending = [i + 1 for i in range(1, len(rows)) if rows[i].balance + rows[i - 1].amount != rows[i - 1].balance]
    newest_first = len(descending) < len(ascending)
    broken = descending if newest_first else ascending
    if not broken:
        first, last = (rows[-1], rows[0]) if newest_first else (rows[0], rows[-1])
        parsed.opening_balance = first.balance - first.amount
        parsed.closing_balance = last.balance
    lines = [rows[i - 1].line for i in broken[:10]]
    return not broken, {"running_balance": "reconciled" if not broken else "broken", "order":
                        "newest first" if newest_first else "oldest first", "broken_at_lines": lines}  # fmt: skip


RECONCILED, UNVERIFIABLE, BROKEN = "reconciled", "unverifiable", "broken"


@dataclass
class Reconciliation:
    state: str  # reconciled, unverifiable (no balances to check against) or broken
    details: dict[str, Any]
    problem: str | None = None  # why it is broken, for the user


def reconcile(parsed: ParsedStatement) -> Reconciliation:
    """Whether the rows add up: an unbroken running balance, or opening + rows = closing (or opening - rows
    = closing: a card's balance is what is owed). Sets the opening and closing balance a running balance
    implies."""
    has_balances = any(row.balance is not None for row in parsed.rows)
    chained, details = check_running_balance(parsed)
    if has_balances:
        if chained:
            return Reconciliation(RECONCILED, details)
        lines = ", ".join(str(line) for line in details.get("broken_at_lines", []))
        return Reconciliation(BROKEN, details, f"The rows do not add up to the statement's running balance "
                              f"(first breaks at lines {lines}); nothing was imported.")  # fmt: skip
    if parsed.opening_balance is None or parsed.closing_balance is None:
        return Reconciliation(UNVERIFIABLE, details)
    total = sum((row.amount for row in parsed.rows), Decimal(0))
    held = parsed.opening_balance + total == parsed.closing_balance
    owed = parsed.opening_balance - total == parsed.closing_balance
    details["balances"] = {
        "opening": str(parsed.opening_balance), "rows": str(total), "closing": str(parsed.closing_balance),
        "reconciled": held or owed, "balance_is": "owed" if owed and not held else "held",
    }  # fmt: skip
    if held or owed:
        return Reconciliation(RECONCILED, details)
    return Reconciliation(BROKEN, details, f"Opening balance {parsed.opening_balance} and the rows ({total}) do not "
                          f"make the closing balance {parsed.closing_balance}; nothing was imported.")  # fmt: skip


async def _validate(run: Run) -> Outcome:
    parsed = run.parsed
    if parsed is None or not parsed.rows:
        raise StageFailed(run.system_error or "The statement holds no transactions.")
    check = reconcile(parsed)
    details = dict(check.details)
    if check.problem:
        raise StageFailed(check.problem, FileStatus.NEEDS_REVIEW)
    if run.unverified:
        lines = ", ".join(f"page {parsed.rows[i].page}" for i in run.unverified[:5])
        raise StageFailed(f"{len(run.unverified)} amount(s) the AI read are not printed in the statement ({lines}); "
                          "check the rows and accept them.", FileStatus.NEEDS_REVIEW)  # fmt: skip
    if parsed.period_start and parsed.period_end:
        outside = [r.line for r in parsed.rows if not parsed.period_start <= r.booked_on <= parsed.period_end]
        details["rows_outside_period"] = outside[:10]
    with_ids = all(row.bank_id for row in parsed.rows)
    reconciled = check.state == RECONCILED
    if run.parser == ParserType.AI and not reconciled:
        # Rows from a model that no balance confirms are never imported unseen.
        raise StageFailed("The AI read the rows, but the statement prints no balances to check them against; "
                          "check the rows and accept them.", FileStatus.NEEDS_REVIEW)  # fmt: skip
    if run.parser == ParserType.AI:  # reconciled, and every amount was found in the text
        run.confidence = Decimal(90)
    else:
        run.confidence = Decimal(95) if reconciled or with_ids else Decimal(80)
    details["confidence"] = str(run.confidence)
    details["bank_ids"] = with_ids
    return Outcome(details=details, parser_type=run.parser)


async def _account_of(session: AsyncSession, run: Run) -> Account | None:
    file = await session.get(UploadedFile, run.file_id)
    if file is not None and file.account_id is not None:
        return await session.get(Account, file.account_id)
    return None


async def _choose_account(session: AsyncSession, run: Run) -> Account:
    """The account the upload named; else the one whose last four digits the file gives; else the user's
    only active account."""
    account = await _account_of(session, run)
    if account is not None:
        return account
    accounts = list(await session.scalars(select(Account).where(Account.user_id == run.user_id, Account.is_active)))
    hint = (run.parsed.account_hint or "") if run.parsed else ""
    matching = [a for a in accounts if a.last_four and hint.endswith(a.last_four)]
    chosen = matching[0] if len(matching) == 1 else (accounts[0] if len(accounts) == 1 else None)
    if chosen is None:
        raise StageFailed(
            "Which account is this statement from? Reprocess it with an account_id.", FileStatus.NEEDS_REVIEW
        )
    file = await session.get(UploadedFile, run.file_id)
    file.account_id = chosen.id
    return chosen


async def _deduplicate(run: Run) -> Outcome:
    assert run.parsed is not None
    async with run.db.session() as session:
        account = await _choose_account(session, run)
        user = await session.get(User, run.user_id)
        today = datetime.now(ZoneInfo(user.timezone if user else "UTC")).date()
        run.plan = await importer.plan(session, account.id, run.parsed.rows, today)
    details = {
        "account_id": str(account.id), "rows": len(run.parsed.rows), "new": len(run.plan.new),
        "already_imported": run.plan.already_there, "identical_rows_kept_and_numbered": run.plan.repeated_in_file,
        "dated_in_the_future_skipped": run.plan.in_future,
    }  # fmt: skip
    return Outcome(details=details)


async def _create(run: Run) -> Outcome:
    assert run.plan is not None and run.parsed is not None
    async with run.db.session() as session:
        file = await session.get(UploadedFile, run.file_id, with_for_update=True)
        # One import into an account at a time: two overlapping statements processed together would both
        # see a row as new. The second waits here, then finds the first one's rows below.
        account = await session.get(Account, file.account_id, with_for_update=True)
        currency = await session.scalar(select(Currency.code).where(Currency.id == account.currency_id))
        if run.parsed.currency and run.parsed.currency != currency:
            raise StageFailed(
                f"The statement is in {run.parsed.currency} but the account is in {currency}.", FileStatus.NEEDS_REVIEW
            )
        user = await session.get(User, run.user_id)
        # Under the file's row lock: rows another run made since the de-duplication are not made again.
        keys = [key for _, key in run.plan.new]
        made = set(
            await session.scalars(
                select(Expense.import_key).where(
                    Expense.account_id == account.id, importer.key_among(Expense.import_key, keys)
                )
            )
        )
        todo = [(row, key) for row, key in run.plan.new if key not in made]
        run.made_keys = {key for _, key in todo}
        run.created = await importer.create_transactions(
            session, user, account.id, account.account_type, currency, file.id, todo
        )
        suggested = await merges.suggest(session, user.id, account.id, file.id, run.made_keys) if run.created else 0
    skipped = len(run.plan.new) - run.created
    details = {"created": run.created, "made_meanwhile_by_another_import": skipped, "merge_suggestions": suggested}
    return Outcome(details=details)


async def _remember_csv_layout(session: AsyncSession, account_id: uuid.UUID, details: dict[str, Any]) -> None:
    """The account's next export is read with the same columns (by header name), and with the same day or
    month order even when its dates alone cannot settle it (no day over 12)."""
    account = await session.get(Account, account_id)
    if account is None:
        return
    remembered = dict(account.import_settings.get("csv", {}))
    remembered["columns"] = details["column_names"]
    date_format = str(details["date_format"])
    if details.get("date_order_settled_by_data") and "%d" in date_format and "%m" in date_format:
        remembered["day_first"] = date_format.index("%d") < date_format.index("%m")
    account.import_settings = {**account.import_settings, "csv": remembered}


async def _complete(run: Run) -> Outcome:
    assert run.parsed is not None and run.plan is not None
    async with run.db.session() as session:
        file = await session.get(UploadedFile, run.file_id)
        file.status = FileStatus.COMPLETED
        file.processed_at = datetime.now(UTC)
        file.period_start, file.period_end = run.parsed.period_start, run.parsed.period_end
        file.opening_balance, file.closing_balance = run.parsed.opening_balance, run.parsed.closing_balance
        file.transactions_found = len(run.parsed.rows)
        file.transactions_created = run.created
        if run.parsed.details.get("format") == "csv" and run.parser == ParserType.SYSTEM:
            await _remember_csv_layout(session, file.account_id, run.parsed.details)
        file.confidence = run.confidence
        keys = importer.import_keys(run.parsed.rows)
        made_now = run.made_keys
        found = await session.execute(
            select(Expense.import_key, Expense.id).where(
                Expense.account_id == file.account_id, importer.key_among(Expense.import_key, keys)
            )
        )
        ids = {key: expense_id for key, expense_id in found.all()}
        today = datetime.now(UTC).date()

        def outcome(row: Any, key: str) -> str:
            if key in made_now:
                return "imported"
            if row.amount == 0:
                return "zero_amount"
            return "already_imported" if key in ids else ("dated_in_the_future" if row.booked_on > today else "skipped")

        file.parsed_json = {
            "rows": [
                {**row_json(r), "import_key": key, "outcome": outcome(r, key),
                 "expense_id": str(ids[key]) if key in ids else None}
                for r, key in zip(run.parsed.rows, keys, strict=True)
            ],
            "details": {**run.parsed.details, "parser": run.parser.value},
        }  # fmt: skip
        detail = f"{run.created} new transactions of {len(run.parsed.rows)} on the statement."
        await inapp.notify(session, run.user_id, "statement", {"file": file.original_filename,
                           "outcome": "was imported", "detail": detail},
                           related=("statement", str(run.file_id)))  # fmt: skip
    return Outcome(details={"found": len(run.parsed.rows), "created": run.created})
