"""A statement that did not reconcile (or whose account was unclear) waits in `needs_review` with its rows
as drafts. The user corrects what the bank's layout hid from the parser (a date, an amount, a row that is
not a transaction) and accepts: the rows are imported like any others, keys and merge suggestions
included, and the log says it was the user's call."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from datetime import date as Day
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict, Unprocessable
from app.models import Account, Currency, StatementProcessingLog, UploadedFile, User
from app.models.enums import FileStatus, ProcessingStage, StageStatus
from app.services.statements import accounts, importer, merges
from app.services.statements.parsers.common import ParsedRow
from app.services.statements.pipeline import row_json
from app.services.statements.uploads import owned


class DraftEdit(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    index: int = Field(ge=0, description="The row's position in the statement's draft rows.")
    date: Day | None = None
    description: str | None = Field(default=None, min_length=1, max_length=500)
    amount: Decimal | None = Field(default=None, max_digits=15, decimal_places=4, description="Negative: money out.")
    skip: bool = Field(default=False, description="Not a transaction (a subtotal, a balance line): leave it out.")


class AcceptRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account_id: uuid.UUID | None = Field(default=None, description="Needed when the statement's account is unclear.")
    rows: list[DraftEdit] = Field(default_factory=list, max_length=5000)


def _draft(r: dict[str, Any]) -> ParsedRow:
    balance = Decimal(r["balance"]) if r.get("balance") else None
    return ParsedRow(Day.fromisoformat(r["date"]), r["description"], Decimal(r["amount"]), balance,
                     r.get("bank_id"), r.get("raw", ""), r.get("line"), r.get("page"))  # fmt: skip


def _drafts(file: UploadedFile) -> list[ParsedRow]:
    return [_draft(row) for row in (file.parsed_json or {}).get("rows", [])]


async def accept(session: AsyncSession, user: User, file_id: uuid.UUID, request: AcceptRequest) -> UploadedFile:
    file = await owned(session, user, file_id, for_update=True)
    if file.status != FileStatus.NEEDS_REVIEW or not (file.parsed_json or {}).get("drafts"):
        raise Conflict("Only a statement waiting for review, with draft rows, can be accepted.")
    account_id = request.account_id or file.account_id
    if account_id is None:
        raise Unprocessable("Say which account this statement belongs to.", field="account_id")
    await accounts.owned(session, user, account_id)
    rows = _drafts(file)
    skipped: set[int] = set()
    for edit in request.rows:
        if edit.index >= len(rows):
            raise Unprocessable(f"There is no draft row {edit.index}; the statement has {len(rows)}.", field="rows")
        row = rows[edit.index]
        row.booked_on = edit.date or row.booked_on
        row.description = edit.description or row.description
        row.amount = edit.amount if edit.amount is not None else row.amount
        if edit.skip:
            skipped.add(edit.index)
    rows = [row for index, row in enumerate(rows) if index not in skipped]
    account = await session.get(Account, account_id, with_for_update=True)  # one import into an account at a time
    currency = await session.scalar(select(Currency.code).where(Currency.id == account.currency_id))
    today = datetime.now(ZoneInfo(user.timezone)).date()
    plan = await importer.plan(session, account.id, rows, today)
    created = await importer.create_transactions(
        session, user, account.id, account.account_type, currency, file.id, plan.new
    )
    suggested = await merges.suggest(session, user.id, account.id, file.id, {key for _, key in plan.new})
    file.account_id, file.status, file.error_message = account.id, FileStatus.COMPLETED, None
    file.processed_at = datetime.now(UTC)
    file.transactions_found, file.transactions_created = len(rows), created
    made = {key for _, key in plan.new}
    file.parsed_json = {
        "rows": [{**row_json(r), "import_key": k, "outcome": "imported" if k in made else "already_imported"}
                 for r, k in zip(rows, importer.import_keys(rows), strict=True)],
        "details": {**(file.parsed_json or {}).get("details", {}), "accepted_after_review": True},
    }  # fmt: skip
    details = {"accepted_after_review": True, "edited": len(request.rows), "left_out": len(skipped),
               "created": created, "merge_suggestions": suggested}  # fmt: skip
    session.add(StatementProcessingLog(uploaded_file_id=file.id, processing_stage=ProcessingStage.TRANSACTION_CREATION,
                                       status=StageStatus.SUCCESS, details=details))  # fmt: skip
    await session.flush()
    return file
