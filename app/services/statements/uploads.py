"""Uploading statements: format from the content, size-limited, the same bytes detected by SHA-256 and
linked instead of imported twice, and the pipeline queued once the upload commits."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app import jobs
from app.config import Settings
from app.errors import Conflict, NotFound, PayloadTooLarge, UnsupportedMediaType
from app.models import Expense, StatementProcessingLog, UploadedFile, User
from app.models.enums import FileFormat, FileStatus
from app.pagination import newest_first
from app.services.analytics import stale
from app.services.statements import accounts, passwords
from app.services.statements.formats import detect_format
from app.services.statements.schemas import StatementOut, StatementQueued
from app.services.storage import write_atomically

JOB = "process_statement"
_EXTENSIONS = {FileFormat.CSV: "csv", FileFormat.OFX: "ofx", FileFormat.CAMT053: "xml", FileFormat.PDF: "pdf"}
_CONTENT_TYPES = {
    FileFormat.CSV: "text/csv",
    FileFormat.OFX: "application/x-ofx",
    FileFormat.CAMT053: "application/xml",
    FileFormat.PDF: "application/pdf",
}
READABLE = (FileFormat.PDF, FileFormat.CSV, FileFormat.OFX, FileFormat.CAMT053)


def statement_out(file: UploadedFile) -> StatementOut:
    return StatementOut(
        id=file.id, account_id=file.account_id, original_filename=file.original_filename,
        detected_format=file.detected_format, file_size=file.file_size, status=file.status,
        error_message=file.error_message, period_start=file.period_start, period_end=file.period_end,
        opening_balance=file.opening_balance, closing_balance=file.closing_balance,
        transactions_found=file.transactions_found, transactions_created=file.transactions_created,
        confidence=file.confidence, duplicate_of=file.duplicate_of_id,
        is_password_protected=file.is_password_protected, processed_at=file.processed_at, created_at=file.created_at,
    )  # fmt: skip


def queue(
    session: AsyncSession, file_id: uuid.UUID, password_token: str | None = None, *, use_ai: bool = False
) -> None:
    """`password_token`: a password for this run only, Fernet-encrypted (job arguments sit in Redis);
    `use_ai`: read it with the user's AI provider even if the system parser's rows reconcile."""
    # A fresh job id each time (arq remembers finished ids for an hour and would drop a reprocess); two runs
    # of one file never overlap because reprocessing is refused while one is queued or running.
    job_id = f"statement:{file_id}:{uuid.uuid4().hex[:8]}"
    jobs.enqueue_after_commit(session, JOB, str(file_id), password_token=password_token, use_ai=use_ai, job_id=job_id)


async def upload(
    session: AsyncSession,
    settings: Settings,
    user: User,
    data: bytes,
    filename: str | None,
    account_id: uuid.UUID | None,
    password: str | None = None,
) -> StatementQueued:
    if account_id is not None:
        await accounts.owned(session, user, account_id)
    if len(data) > settings.statement_max_mb * 1024 * 1024:
        raise PayloadTooLarge(f"The file is larger than {settings.statement_max_mb} MB.")
    file_format = detect_format(data)
    if file_format not in READABLE:
        raise UnsupportedMediaType("This is not a statement we can read: upload PDF, CSV, OFX/QFX or CAMT.053.")
    digest = hashlib.sha256(data).hexdigest()
    # One upload of these bytes by this user at a time, until commit: the same file sent twice at once
    # (a double tap) becomes an original and its duplicate, not two originals imported side by side.
    name = f"statement-upload:{user.id}:{digest}"
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(name, 0))))
    original = await session.scalar(
        select(UploadedFile)
        .where(
            UploadedFile.user_id == user.id,
            UploadedFile.sha256 == digest,
            UploadedFile.duplicate_of_id.is_(None),
            UploadedFile.status != FileStatus.FAILED,
        )
        .order_by(UploadedFile.created_at)
        .limit(1)
    )
    file_id = uuid.uuid4()
    now = datetime.now(UTC)
    name = Path(filename or "").name[:255] or f"statement.{_EXTENSIONS[file_format]}"
    row = UploadedFile(
        id=file_id, user_id=user.id, account_id=account_id, original_filename=name, file_size=len(data),
        sha256=digest, detected_format=file_format, created_at=now, updated_at=now,
        content_type=_CONTENT_TYPES[file_format],
    )  # fmt: skip
    if original is not None:
        row.stored_path, row.status = original.stored_path, FileStatus.DUPLICATE
        row.duplicate_of_id, row.duplicate_confidence = original.id, 100
        row.error_message = f"The same file was uploaded before as '{original.original_filename}'; nothing new."
        session.add(row)
        await session.flush()
        return StatementQueued(id=file_id, status=row.status, duplicate_of=original.id)
    path = settings.media_dir / "statements" / str(user.id) / f"{file_id.hex}.{_EXTENSIONS[file_format]}"
    await asyncio.to_thread(write_atomically, path, data)
    row.stored_path, row.status = str(path), FileStatus.QUEUED
    session.add(row)
    await session.flush()
    queue(session, file_id, settings.secret_box().encrypt(password).decode() if password else None)
    return StatementQueued(id=file_id, status=row.status)


async def owned(session: AsyncSession, user: User, file_id: uuid.UUID, *, for_update: bool = False) -> UploadedFile:
    query = select(UploadedFile).where(UploadedFile.id == file_id, UploadedFile.user_id == user.id)
    file = await session.scalar(query.with_for_update() if for_update else query)
    if file is None:
        raise NotFound("No such statement.")
    return file


async def page(
    session: AsyncSession, user: User, *, cursor: str | None, limit: int
) -> tuple[list[UploadedFile], str | None]:
    query = select(UploadedFile).where(UploadedFile.user_id == user.id)
    return await newest_first(session, query, UploadedFile, cursor=cursor, limit=limit)


async def logs(session: AsyncSession, user: User, file_id: uuid.UUID) -> list[StatementProcessingLog]:
    await owned(session, user, file_id)
    query = (
        select(StatementProcessingLog)
        .where(StatementProcessingLog.uploaded_file_id == file_id)
        .order_by(StatementProcessingLog.created_at, StatementProcessingLog.id)
    )
    return list(await session.scalars(query))


async def reprocess(
    session: AsyncSession, user: User, file_id: uuid.UUID, account_id: uuid.UUID | None, *, use_ai: bool = False
) -> UploadedFile:
    file = await owned(session, user, file_id, for_update=True)
    if file.status in (FileStatus.QUEUED, FileStatus.PROCESSING):
        raise Conflict("This statement is being processed; wait for it to finish.")
    if file.status == FileStatus.DUPLICATE:
        raise Conflict("This file is a copy of an earlier upload; reprocess that one.")
    if account_id is not None:
        await accounts.owned(session, user, account_id)
        file.account_id = account_id
    file.status, file.error_message = FileStatus.QUEUED, None
    await session.flush()
    queue(session, file.id, use_ai=use_ai)
    return file


async def unlock(
    session: AsyncSession, settings: Settings, user: User, file_id: uuid.UUID, password: str, *, remember: bool
) -> UploadedFile:
    """Resume a statement waiting for its password; `remember` stores it (encrypted) for the account."""
    file = await owned(session, user, file_id, for_update=True)
    if file.status != FileStatus.NEEDS_PASSWORD:
        raise Conflict("This statement is not waiting for a password.")
    box = settings.secret_box()
    if remember:
        await passwords.store(session, box, user, passwords.PasswordIn(password=password, account_id=file.account_id))
    file.status, file.error_message = FileStatus.QUEUED, None
    await session.flush()
    queue(session, file.id, box.encrypt(password).decode())
    return file


async def remove(session: AsyncSession, user: User, file_id: uuid.UUID) -> None:
    """Delete the statement, its stored file (unless a copy still uses it) and the transactions it made
    that nobody has edited since (edited ones stay, detached from the file)."""
    file = await owned(session, user, file_id, for_update=True)
    if file.status in (FileStatus.QUEUED, FileStatus.PROCESSING):
        raise Conflict("This statement is being processed; delete it when it has finished.")
    made_by_file = and_(Expense.uploaded_file_id == file.id, Expense.created_by_id == user.id)
    untouched = Expense.updated_at == Expense.created_at
    removed = await session.scalars(delete(Expense).where(made_by_file, untouched).returning(Expense.expense_date))
    for day in set(removed):  # their figures leave the analytics of those days
        stale.mark_after_commit(session, day, [user.id])
    await session.execute(update(Expense).where(made_by_file).values(uploaded_file_id=None))
    copies = await session.scalar(
        select(UploadedFile.id).where(UploadedFile.stored_path == file.stored_path, UploadedFile.id != file.id).limit(1)
    )
    await session.delete(file)
    await session.flush()
    if copies is None:
        path = Path(file.stored_path)
        jobs.after_commit(session, lambda: asyncio.to_thread(path.unlink, missing_ok=True))


async def comparison(session: AsyncSession, user: User, file_id: uuid.UUID) -> dict[str, object]:
    """The raw text beside the parsed rows: page and line numbers, what happened to each row."""
    file = await owned(session, user, file_id)
    raw_lines, page, line = [], 1, 0
    for number, text in enumerate((file.raw_text_extracted or "").splitlines(), start=1):
        if text.startswith("--- page ") and text.endswith(" ---"):
            page, line = int(text.split()[2]), 0
            continue
        line = number if file.detected_format != FileFormat.PDF else line + 1
        raw_lines.append({"page": page, "line": line, "text": text})
    parsed = file.parsed_json or {}
    return {
        "status": file.status,
        "format": file.detected_format,
        "raw_lines": raw_lines[:20_000],
        "rows": parsed.get("rows", []),
        "details": parsed.get("details", {}),
    }
