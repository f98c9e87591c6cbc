"""Finding expenses: filters, full-text search and keyset pages, newest first."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, func, literal_column, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import BadRequest, NotFound
from app.models import Category, Expense, ExpensePayer, ExpenseShare, GroupMembership, User, expense_tags
from app.models.enums import ExpenseClassification, TransactionType
from app.services.expenses.schemas import ExpenseOut
from app.services.expenses.service import EXPENSE_COLUMNS, outputs, visible_to

# The same expression as the GIN index idx_expense_search, so PostgreSQL can use it.
SEARCH_VECTOR = literal_column("to_tsvector('english'::regconfig, (title::text || ' ') || COALESCE(description, ''))")


@dataclass(frozen=True)
class ExpenseFilters:
    group_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None
    tag_id: uuid.UUID | None = None
    payer_id: int | None = None
    participant_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    q: str | None = None
    settled: bool | None = None
    classification: ExpenseClassification | None = None
    transaction_type: TransactionType | None = None
    deleted: bool = False


def _encode(expense: Any) -> str:
    raw = json.dumps([expense.expense_date.isoformat(), str(expense.id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[date, uuid.UUID]:
    try:
        day, row_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return date.fromisoformat(day), uuid.UUID(row_id)
    except (ValueError, TypeError):
        raise BadRequest("The cursor is not one this API handed out; start again without it.") from None


async def list_expenses(
    session: AsyncSession, user: User, filters: ExpenseFilters, *, cursor: str | None, limit: int
) -> tuple[list[ExpenseOut], str | None]:
    query = select(*EXPENSE_COLUMNS).where(Expense.is_deleted == filters.deleted)
    if filters.group_id is not None:
        member = await session.scalar(
            select(GroupMembership.id).where(
                GroupMembership.group_id == filters.group_id,
                GroupMembership.user_id == user.id,
                GroupMembership.is_active,
            )
        )
        if member is None:
            raise NotFound("No such group.")
        query = query.where(Expense.group_id == filters.group_id)
    else:
        query = query.where(visible_to(user.id))
    if filters.category_id is not None:
        children = select(Category.id).where(
            or_(Category.id == filters.category_id, Category.parent_id == filters.category_id)
        )
        query = query.where(Expense.category_id.in_(children))
    if filters.tag_id is not None:
        query = query.where(
            exists().where(expense_tags.c.expense_id == Expense.id, expense_tags.c.tag_id == filters.tag_id)
        )
    if filters.payer_id is not None:
        query = query.where(
            exists().where(ExpensePayer.expense_id == Expense.id, ExpensePayer.user_id == filters.payer_id)
        )
    if filters.participant_id is not None:
        query = query.where(
            exists().where(ExpenseShare.expense_id == Expense.id, ExpenseShare.user_id == filters.participant_id)
        )
    if filters.date_from is not None:
        query = query.where(Expense.expense_date >= filters.date_from)
    if filters.date_to is not None:
        query = query.where(Expense.expense_date <= filters.date_to)
    if filters.min_amount is not None:
        query = query.where(Expense.amount >= filters.min_amount)
    if filters.max_amount is not None:
        query = query.where(Expense.amount <= filters.max_amount)
    if filters.q:
        query = query.where(SEARCH_VECTOR.op("@@")(func.websearch_to_tsquery("english", filters.q)))
    if filters.settled is not None:
        query = query.where(Expense.is_settled == filters.settled)
    if filters.classification is not None:
        query = query.where(Expense.expense_classification == filters.classification)
    if filters.transaction_type is not None:
        query = query.where(Expense.transaction_type == filters.transaction_type)
    if cursor:
        day, row_id = _decode(cursor)
        query = query.where(tuple_(Expense.expense_date, Expense.id) < tuple_(day, row_id))
    rows = (
        await session.execute(query.order_by(Expense.expense_date.desc(), Expense.id.desc()).limit(limit + 1))
    ).all()
    next_cursor = _encode(rows[limit - 1]) if len(rows) > limit else None
    return await outputs(session, rows[:limit]), next_cursor
