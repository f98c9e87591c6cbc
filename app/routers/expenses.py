"""Expenses: exact splits, several payers, editing, deletion and restore, approval, search."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from fastapi import APIRouter, Query, status

from app.db import SessionDep
from app.deps import CurrentUser
from app.models.enums import ExpenseClassification, TransactionType
from app.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from app.services.expenses import service
from app.services.expenses.schemas import ExpenseCreate, ExpenseOut, ExpensePatch
from app.services.expenses.search import ExpenseFilters, list_expenses

router = APIRouter(prefix="/expenses", tags=["expenses"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Record an expense and how it is split")
async def create_expense(data: ExpenseCreate, user: CurrentUser, session: SessionDep) -> ExpenseOut:
    return await service.create_expense(session, user, data)


@router.get("", summary="Expenses you can see, newest first, with filters and full-text search")
async def find_expenses(
    user: CurrentUser,
    session: SessionDep,
    group_id: uuid.UUID | None = None,
    category_id: uuid.UUID | None = Query(default=None, description="Includes its subcategories."),
    payer_id: int | None = None,
    participant_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    min_amount: Decimal | None = Query(default=None, ge=0),
    max_amount: Decimal | None = Query(default=None, ge=0),
    q: str | None = Query(default=None, max_length=200, description="Words in the title or description."),
    settled: bool | None = None,
    classification: ExpenseClassification | None = None,
    transaction_type: TransactionType | None = None,
    deleted: bool = Query(default=False, description="List deleted expenses (to restore them) instead."),
    cursor: str | None = None,
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> Page[ExpenseOut]:
    filters = ExpenseFilters(
        group_id=group_id,
        category_id=category_id,
        payer_id=payer_id,
        participant_id=participant_id,
        date_from=date_from,
        date_to=date_to,
        min_amount=min_amount,
        max_amount=max_amount,
        q=q,
        settled=settled,
        classification=classification,
        transaction_type=transaction_type,
        deleted=deleted,
    )
    items, next_cursor = await list_expenses(session, user, filters, cursor=cursor, limit=limit)
    return Page[ExpenseOut](items=items, next_cursor=next_cursor)


@router.get("/{expense_id}", summary="One expense with its shares and payers")
async def get_expense(expense_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> ExpenseOut:
    return (await service.outputs(session, [await service.visible_expense(session, user, expense_id)]))[0]


@router.patch("/{expense_id}", summary="Change an expense; shares are recomputed when the money changes")
async def patch_expense(
    expense_id: uuid.UUID, patch: ExpensePatch, user: CurrentUser, session: SessionDep
) -> ExpenseOut:
    return await service.update_expense(session, user, expense_id, patch)


@router.delete("/{expense_id}", summary="Delete an expense (it can be restored)")
async def delete_expense(expense_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> ExpenseOut:
    return await service.set_deleted(session, user, expense_id, True)


@router.post("/{expense_id}/restore", summary="Bring back a deleted expense")
async def restore_expense(expense_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> ExpenseOut:
    return await service.set_deleted(session, user, expense_id, False)


@router.post("/{expense_id}/approve", summary="Approve an expense waiting in a group that requires it (admins)")
async def approve_expense(expense_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> ExpenseOut:
    return await service.review(session, user, expense_id, approve=True)


@router.post("/{expense_id}/reject", summary="Reject (delete) an expense waiting for approval (admins)")
async def reject_expense(expense_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> ExpenseOut:
    return await service.review(session, user, expense_id, approve=False)
