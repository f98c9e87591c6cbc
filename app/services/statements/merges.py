"""Likely duplicates that keys cannot prove: the same amount on an account within three days, with
similar descriptions (the same card payment in a CSV export and in the PDF statement, say). The new row
is imported anyway and a `statement_merges` suggestion says which existing transaction it may repeat;
the user approves (the new row is deleted, the older one kept) or rejects (both stay). Nothing is merged
or dropped without the user.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from rapidfuzz import fuzz
from sqlalchemy import ARRAY, String, and_, any_, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.errors import Conflict, NotFound
from app.models import Expense, StatementMerge, User, statement_merge_files
from app.models.enums import MergeStatus, MergeStrategy

WINDOW_DAYS = 3
MIN_SIMILARITY = 70  # of 100: descriptions this alike, with the same amount and close dates


class MergeOut(BaseModel):
    id: uuid.UUID
    status: MergeStatus
    similarity_score: Decimal
    primary_file_id: uuid.UUID
    details: dict[str, object]
    created_at: datetime
    merged_at: datetime | None


def merge_out(row: StatementMerge) -> MergeOut:
    return MergeOut(
        id=row.id, status=row.status, similarity_score=row.similarity_score, primary_file_id=row.primary_file_id,
        details=row.details, created_at=row.created_at, merged_at=row.merged_at,
    )  # fmt: skip


def score(new_title: str, old_title: str, days_apart: int) -> Decimal:
    """Description similarity (token-based, so word order and extra words matter less), less a little per
    day apart."""
    similarity = fuzz.token_set_ratio(new_title.casefold(), old_title.casefold())
    return Decimal(max(0.0, similarity - 5 * days_apart)).quantize(Decimal("0.01"))


def _candidates() -> Any:
    """Pairs of a row the file just created and an existing transaction of the account with the same amount
    and type within the window (not from the same file). Built once: an aliased query costs more to build
    than to run."""
    new, old = aliased(Expense), aliased(Expense)
    window = timedelta(days=WINDOW_DAYS)
    return (
        select(new.id, new.title, new.expense_date, old.id, old.title, old.expense_date, old.uploaded_file_id,
               new.amount)
        .join(old, and_(
            old.account_id == new.account_id, old.amount == new.amount,
            old.transaction_type == new.transaction_type, old.id != new.id, ~old.is_deleted,
            func.coalesce(old.uploaded_file_id, uuid.UUID(int=0)) != bindparam("file_id"),
            old.expense_date.between(new.expense_date - window, new.expense_date + window),
        ))
        .where(new.uploaded_file_id == bindparam("file_id"), new.account_id == bindparam("account_id"),
               new.import_key == any_(bindparam("keys", type_=ARRAY(String))))
    )  # fmt: skip


_CANDIDATES = _candidates()


async def suggest(
    session: AsyncSession, user_id: int, account_id: uuid.UUID, file_id: uuid.UUID, keys: set[str]
) -> int:
    """Suggestions for the rows `file_id` just created (their import `keys`); returns how many were made."""
    pairs = await session.execute(_CANDIDATES, {"file_id": file_id, "account_id": account_id, "keys": list(keys)})
    best: dict[uuid.UUID, tuple[Decimal, dict[str, object], uuid.UUID | None]] = {}
    for new_id, new_title, new_date, old_id, old_title, old_date, old_file, amount in pairs.all():
        value = score(new_title, old_title, abs((new_date - old_date).days))
        if value < MIN_SIMILARITY or (new_id in best and best[new_id][0] >= value):
            continue
        details = {
            "new_expense_id": str(new_id), "existing_expense_id": str(old_id), "amount": str(amount),
            "new": {"date": new_date.isoformat(), "title": new_title},
            "existing": {"date": old_date.isoformat(), "title": old_title},
        }  # fmt: skip
        best[new_id] = (value, details, old_file)
    for value, details, old_file in best.values():
        merge = StatementMerge(
            primary_file_id=file_id, merged_by_id=user_id, merge_strategy=MergeStrategy.MANUAL,
            status=MergeStatus.SUGGESTED, similarity_score=value, details=details,
        )  # fmt: skip
        session.add(merge)
        await session.flush()
        files = [file_id] + ([old_file] if old_file and old_file != file_id else [])
        await session.execute(
            statement_merge_files.insert(), [{"merge_id": merge.id, "uploaded_file_id": f} for f in files]
        )
    return len(best)


async def listing(session: AsyncSession, user: User, status: MergeStatus | None) -> list[StatementMerge]:
    query = select(StatementMerge).where(StatementMerge.merged_by_id == user.id)
    if status is not None:
        query = query.where(StatementMerge.status == status)
    return list(await session.scalars(query.order_by(StatementMerge.similarity_score.desc(), StatementMerge.id)))


async def decide(session: AsyncSession, user: User, merge_id: uuid.UUID, *, approve: bool) -> StatementMerge:
    merge = await session.scalar(
        select(StatementMerge)
        .where(StatementMerge.id == merge_id, StatementMerge.merged_by_id == user.id)
        .with_for_update()
    )
    if merge is None:
        raise NotFound("No such merge suggestion.")
    if merge.status != MergeStatus.SUGGESTED:
        raise Conflict(f"This suggestion was already {merge.status}.")
    now = datetime.now(UTC)
    if approve:
        duplicate = await session.get(Expense, uuid.UUID(str(merge.details["new_expense_id"])), with_for_update=True)
        if duplicate is not None and not duplicate.is_deleted:
            # Soft delete: the row's import key stays, so importing the file again does not bring it back.
            duplicate.is_deleted, duplicate.deleted_at, duplicate.deleted_by_id = True, now, user.id
        merge.status, merge.merged_at = MergeStatus.COMPLETED, now
    else:
        merge.status = MergeStatus.REJECTED
    await session.flush()
    return merge
