"""Expenses: exact splits, several payers, editing, deletion and restore, approval, search, comments and
attachments."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile, status
from fastapi.responses import FileResponse

from app.db import SessionDep
from app.deps import CurrentUser, SettingsDep
from app.errors import PayloadTooLarge
from app.idempotency import Once
from app.models.enums import ExpenseClassification, TransactionType
from app.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from app.services.expenses import attachments, classification, comments, csv_io, service
from app.services.expenses.attachments import AttachmentOut, Kind
from app.services.expenses.classification import ClassifyRequest, ClassifyResult
from app.services.expenses.comments import CommentEdit, CommentIn, CommentOut
from app.services.expenses.csv_schemas import csv_response
from app.services.expenses.schemas import ExpenseCreate, ExpenseOut, ExpensePatch
from app.services.expenses.search import ExpenseFilters, list_expenses

router = APIRouter(prefix="/expenses", tags=["expenses"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Record an expense and how it is split")
async def create_expense(data: ExpenseCreate, user: CurrentUser, session: SessionDep, once: Once) -> ExpenseOut:
    return await once(lambda: service.create_expense(session, user, data))


@router.post("/classification", summary="Classify many expenses at once (charity, reimbursable, ...)")
async def classify_expenses(body: ClassifyRequest, user: CurrentUser, session: SessionDep) -> ClassifyResult:
    """All or nothing: an id you cannot change leaves every expense as it was."""
    return await classification.classify(session, user, body)


@router.get("", summary="Expenses you can see, newest first, with filters and full-text search")
async def find_expenses(
    user: CurrentUser,
    session: SessionDep,
    group_id: uuid.UUID | None = None,
    category_id: uuid.UUID | None = Query(default=None, description="Includes its subcategories."),
    tag_id: uuid.UUID | None = None,
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
        tag_id=tag_id,
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


@router.get(
    "/export.csv",
    summary="Your expenses as CSV: what you paid, your share and your balance on each",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def export_my_expenses(
    user: CurrentUser, session: SessionDep, date_from: date | None = None, date_to: date | None = None
) -> Response:
    content = "".join([line async for line in csv_io.my_csv(session, user, date_from, date_to)])
    return csv_response(content, "expenses.csv")


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


async def _visible(expense_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    """Someone else's expense is 404 before a body or upload is even looked at."""
    await service.visible_expense(session, user, expense_id)


Visible = Annotated[None, Depends(_visible)]


@router.get("/{expense_id}/comments", summary="The comment thread (replies nested under what they answer)")
async def list_comments(expense_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> list[CommentOut]:
    return await comments.thread(session, user, expense_id)


@router.post("/{expense_id}/comments", status_code=status.HTTP_201_CREATED, summary="Comment, or answer a comment")
async def add_comment(
    expense_id: uuid.UUID,
    _: Visible,
    data: CommentIn,
    user: CurrentUser,
    session: SessionDep,
    once: Once,
) -> CommentOut:
    return await once(lambda: comments.add(session, user, expense_id, data))


@router.patch("/{expense_id}/comments/{comment_id}", summary="Edit your comment (it shows as edited)")
async def edit_comment(
    expense_id: uuid.UUID, comment_id: uuid.UUID, _: Visible, data: CommentEdit, user: CurrentUser, session: SessionDep
) -> CommentOut:
    return await comments.edit(session, user, expense_id, comment_id, data)


@router.delete(
    "/{expense_id}/comments/{comment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete your comment (group admins: anyone's)",
)
async def delete_comment(
    expense_id: uuid.UUID, comment_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> Response:
    await comments.remove(session, user, expense_id, comment_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{expense_id}/attachments", summary="Receipts and other files on an expense")
async def list_attachments(expense_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> list[AttachmentOut]:
    return await attachments.listing(session, user, expense_id)


@router.post(
    "/{expense_id}/attachments",
    status_code=status.HTTP_201_CREATED,
    summary="Upload a receipt or attachment (JPEG, PNG, GIF, WebP, HEIC or PDF)",
)
async def add_attachment(
    expense_id: uuid.UUID,
    _: Visible,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    file: UploadFile = File(),
    kind: Kind = Form(default="receipt"),
) -> AttachmentOut:
    declared = int(request.headers.get("content-length") or 0)
    if declared > settings.attachment_max_bytes + 64 * 1024:
        raise PayloadTooLarge(f"The file is larger than {settings.attachment_max_mb} MB.")
    data = await file.read(settings.attachment_max_bytes + 1)
    return await attachments.add(session, settings, user, expense_id, data, file.filename, kind)


@router.get(
    "/{expense_id}/attachments/{attachment_id}",
    summary="Download a file",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def download_attachment(
    expense_id: uuid.UUID, attachment_id: uuid.UUID, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> FileResponse:
    path, meta = await attachments.file_of(session, settings, user, expense_id, attachment_id)
    return FileResponse(
        path,
        media_type=meta.content_type,
        filename=meta.filename,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"},
    )


@router.delete(
    "/{expense_id}/attachments/{attachment_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Remove a file"
)
async def delete_attachment(
    expense_id: uuid.UUID, attachment_id: uuid.UUID, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> Response:
    await attachments.remove(session, settings, user, expense_id, attachment_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
