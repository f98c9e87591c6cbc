"""Comments on an expense, threaded by `parent_id`. Anyone who can see the expense reads them; anyone who
can change it (not group viewers) writes. Editing marks a comment edited; deleting one that has
replies keeps its place in the thread with the text removed, so the replies still make sense."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Forbidden, NotFound, Unprocessable
from app.models import ExpenseComment, User
from app.models.enums import MemberRole
from app.services.expenses.service import membership_in, require_editor, visible_expense
from app.services.groups.service import record_activity
from app.services.notifications import expense_events


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    comment: str = Field(min_length=1, max_length=5000)
    parent_id: uuid.UUID | None = Field(default=None, description="The comment this answers.")


class CommentEdit(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    comment: str = Field(min_length=1, max_length=5000)


class CommentOut(BaseModel):
    id: uuid.UUID
    user_id: int
    comment: str | None = Field(description="null once deleted (the place is kept for its replies).")
    parent_id: uuid.UUID | None
    is_edited: bool
    edited_at: datetime | None
    is_deleted: bool
    created_at: datetime
    replies: list[CommentOut] = []


# A deleted comment with replies keeps its row with empty text (new comments need at least one character).
_DELETED = ""


def _out(row: ExpenseComment) -> CommentOut:
    return CommentOut(
        id=row.id,
        user_id=row.user_id,
        comment=None if row.comment == _DELETED else row.comment,
        parent_id=row.parent_id,
        is_edited=row.is_edited,
        edited_at=row.edited_at,
        is_deleted=row.comment == _DELETED,
        created_at=row.created_at,
    )


async def thread(session: AsyncSession, user: User, expense_id: uuid.UUID) -> list[CommentOut]:
    expense = await visible_expense(session, user, expense_id)
    rows = await session.scalars(
        select(ExpenseComment)
        .where(ExpenseComment.expense_id == expense.id)
        .order_by(ExpenseComment.created_at, ExpenseComment.id)
    )
    nodes: dict[uuid.UUID, CommentOut] = {}
    roots: list[CommentOut] = []
    for row in rows:
        node = nodes[row.id] = _out(row)
        parent = nodes.get(row.parent_id) if row.parent_id else None
        (parent.replies if parent else roots).append(node)
    return roots


async def add(session: AsyncSession, user: User, expense_id: uuid.UUID, data: CommentIn) -> CommentOut:
    expense = await visible_expense(session, user, expense_id)
    await require_editor(session, user, expense)
    if data.parent_id is not None:
        parent = await session.get(ExpenseComment, data.parent_id)
        if parent is None or parent.expense_id != expense.id:
            raise Unprocessable("The comment you are answering is not on this expense.", field="parent_id")
    row = ExpenseComment(
        id=uuid.uuid4(),
        created_at=datetime.now(UTC),  # the wall clock: threads sort by it, even within one transaction
        expense_id=expense.id,
        user_id=user.id,
        comment=data.comment,
        parent_id=data.parent_id,
    )
    session.add(row)
    if expense.group_id:
        await record_activity(
            session, expense.group_id, user.id, "comment_added", f"{user.username} commented on {expense.title}",
            {"expense_id": str(expense.id), "comment_id": str(row.id)},
        )  # fmt: skip
    await session.flush()
    await session.refresh(row)
    expense_events.notify_later(session, expense.id, user.id, "comment")
    return _out(row)


async def _comment(session: AsyncSession, user: User, expense_id: uuid.UUID, comment_id: uuid.UUID):  # type: ignore[no-untyped-def]
    expense = await visible_expense(session, user, expense_id)
    row = await session.scalar(
        select(ExpenseComment).where(ExpenseComment.id == comment_id, ExpenseComment.expense_id == expense.id)
    )
    if row is None or row.comment == _DELETED:
        raise NotFound("No such comment.")
    return expense, row


async def edit(
    session: AsyncSession, user: User, expense_id: uuid.UUID, comment_id: uuid.UUID, data: CommentEdit
) -> CommentOut:
    _, row = await _comment(session, user, expense_id, comment_id)
    if row.user_id != user.id:
        raise Forbidden("Only its author can edit a comment.")
    if data.comment != row.comment:
        row.comment, row.is_edited, row.edited_at = data.comment, True, datetime.now(UTC)
        await session.flush()
        await session.refresh(row)
    return _out(row)


async def remove(session: AsyncSession, user: User, expense_id: uuid.UUID, comment_id: uuid.UUID) -> None:
    """Its author, or an admin of the expense's group, may delete a comment."""
    expense, row = await _comment(session, user, expense_id, comment_id)
    if row.user_id != user.id:
        membership = await membership_in(session, expense.group_id, user.id) if expense.group_id else None
        if membership is None or membership.role != MemberRole.ADMIN:
            raise Forbidden("Only its author or a group admin can delete a comment.")
    has_replies = await session.scalar(select(exists().where(ExpenseComment.parent_id == row.id)))
    if has_replies:
        row.comment, row.edited_at = _DELETED, datetime.now(UTC)
    else:
        await session.delete(row)
    await session.flush()
