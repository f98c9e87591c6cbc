"""Classifying many expenses at once (seed 002's expense_classification): charity, family support and
reimbursable ones leave totals and budgets unless `exclude_from_totals_override` says otherwise.

All or nothing: every id must be an expense the caller can change (their own, or a group's where they are
not a viewer), or nothing is changed and the answer says which were not.
"""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Forbidden, NotFound
from app.models import Expense, GroupMembership, User
from app.models.enums import ExpenseClassification, MemberRole
from app.services.expenses.service import visible_to


class ClassifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expense_ids: list[uuid.UUID] = Field(min_length=1, max_length=1000)
    expense_classification: ExpenseClassification
    exclude_from_totals_override: bool | None = Field(
        default=None,
        description="true/false to decide by hand; null to follow the classification. Leave out to keep each one's.",
    )


class ClassifyResult(BaseModel):
    updated: int


async def classify(session: AsyncSession, user: User, request: ClassifyRequest) -> ClassifyResult:
    ids = set(request.expense_ids)
    rows = (
        await session.execute(
            select(Expense.id, Expense.group_id)
            .where(Expense.id.in_(ids), visible_to(user.id))
            .with_for_update(of=Expense)
        )
    ).all()
    missing = ids - {row.id for row in rows}
    if missing:
        shown = ", ".join(sorted(map(str, missing))[:5])
        raise NotFound(
            f"{len(missing)} of these expenses do not exist or are not yours ({shown}); nothing was changed."
        )
    groups = {row.group_id for row in rows if row.group_id is not None}
    if groups:
        viewer_in = set(
            await session.scalars(
                select(GroupMembership.group_id).where(
                    GroupMembership.group_id.in_(groups), GroupMembership.user_id == user.id,
                    GroupMembership.is_active, GroupMembership.role == MemberRole.VIEWER,
                )
            )
        )  # fmt: skip
        if viewer_in:
            raise Forbidden("Viewers cannot change expenses in this group; nothing was changed.")
    values: dict[str, object] = {"expense_classification": request.expense_classification}
    if "exclude_from_totals_override" in request.model_fields_set:
        values["exclude_from_totals_override"] = request.exclude_from_totals_override
    result = await session.execute(update(Expense).where(Expense.id.in_(ids)).values(**values))
    return ClassifyResult(updated=result.rowcount or 0)
