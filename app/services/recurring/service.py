"""Recurring expense templates, and the job step that turns due occurrences into expenses.

A template is checked by making its first expense inside a savepoint and rolling it back: whatever
the expense rules refuse (people outside the group, splits that do not add up), the template refuses
too, with the same answer. Each occurrence becomes at most one expense: the template row is locked
while it is processed, and (recurring_expense_id, recurrence_date) is unique in the database.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import AppError, Forbidden, NotFound, Unprocessable
from app.logging import get_logger
from app.models import Currency, Expense, Group, GroupMembership, RecurringExpense, User
from app.models.enums import MemberRole
from app.services.expenses.schemas import ExpenseCreate, PayerIn, SplitIn
from app.services.expenses.service import create_expense
from app.services.notifications import inapp
from app.services.recurring.schedule import due_dates, next_after, occurrences
from app.services.recurring.schemas import RecurringCreate, RecurringOut, RecurringPatch
from app.services.reference.queries import active_currency

log = get_logger(__name__)


def _expense_for(template: RecurringExpense, currency: str, day: date) -> ExpenseCreate:
    split = template.split_data.get("split")
    payers = template.split_data.get("payers")
    return ExpenseCreate(
        title=template.title,
        description=template.description,
        amount=template.amount,
        currency=currency,
        expense_date=day,
        group_id=template.group_id,
        category_id=template.category_id,
        split=SplitIn.model_validate(split) if split else None,
        payers=[PayerIn.model_validate(p) for p in payers] if payers else None,
    )


async def _check(session: AsyncSession, user: User, template: RecurringExpense, currency: str) -> None:
    """Make the first expense in a savepoint and roll it back: the template must yield valid expenses."""
    savepoint = await session.begin_nested()
    try:
        await create_expense(session, user, _expense_for(template, currency, min(template.start_date, date.today())))
    finally:
        await savepoint.rollback()


async def _out(session: AsyncSession, row: RecurringExpense) -> RecurringOut:
    code = await session.scalar(select(Currency.code).where(Currency.id == row.currency_id))
    return RecurringOut(
        id=row.id,
        title=row.title,
        amount=row.amount,
        currency=code or "",
        group_id=row.group_id,
        frequency=row.frequency,
        interval=row.interval,
        start_date=row.start_date,
        end_date=row.end_date,
        next_due_date=row.next_due_date,
        is_active=row.is_active,
        is_paused=row.is_paused,
        paused_until=row.paused_until,
        split=row.split_data,
        created_by_id=row.created_by_id,
        created_at=row.created_at,
    )


async def create(session: AsyncSession, user: User, data: RecurringCreate) -> RecurringOut:
    if data.end_date and data.end_date < data.start_date:
        raise Unprocessable("The end date is before the start date.", field="end_date")
    # The currency given, else the group's, else the author's own (as for a single expense).
    group = await session.get(Group, data.group_id) if data.group_id else None
    if data.currency:
        currency = await active_currency(session, data.currency)
    elif group is not None:
        currency = await session.get(Currency, group.currency_id)
    else:
        currency = await active_currency(session, user.preferred_currency)
    assert currency is not None
    currency_id, code = currency.id, currency.code
    split_data: dict[str, Any] = {}
    if data.split:
        split_data["split"] = data.split.model_dump(mode="json")
    if data.payers:
        split_data["payers"] = [payer.model_dump(mode="json") for payer in data.payers]
    row = RecurringExpense(
        id=uuid.uuid4(),
        created_at=datetime.now(UTC),
        title=data.title,
        description=data.description,
        amount=data.amount,
        currency_id=currency_id,
        category_id=data.category_id,
        frequency=data.frequency,
        interval=data.interval,
        group_id=data.group_id,
        created_by_id=user.id,
        paid_by_id=data.payers[0].user_id if data.payers else user.id,
        start_date=data.start_date,
        end_date=data.end_date,
        next_due_date=data.start_date,
        split_type=data.split.method if data.split else "equal",
        split_data=split_data,
    )
    await _check(session, user, row, code)
    session.add(row)
    await session.flush()
    return await _out(session, row)


def _visible(user_id: int) -> Any:
    in_group = RecurringExpense.group_id.in_(
        select(GroupMembership.group_id).where(GroupMembership.user_id == user_id, GroupMembership.is_active)
    )
    return or_(RecurringExpense.created_by_id == user_id, in_group)


async def list_templates(session: AsyncSession, user: User) -> list[RecurringOut]:
    rows = await session.scalars(
        select(RecurringExpense)
        .where(_visible(user.id), RecurringExpense.is_active)
        .order_by(RecurringExpense.next_due_date, RecurringExpense.id)
    )
    return [await _out(session, row) for row in rows]


async def _editable(session: AsyncSession, user: User, template_id: uuid.UUID) -> RecurringExpense:
    row = await session.scalar(
        select(RecurringExpense).where(RecurringExpense.id == template_id, _visible(user.id)).with_for_update()
    )
    if row is None:
        raise NotFound("No such recurring expense.")
    if row.created_by_id != user.id:
        role = await session.scalar(
            select(GroupMembership.role).where(
                GroupMembership.group_id == row.group_id, GroupMembership.user_id == user.id
            )
        )
        if role != MemberRole.ADMIN:
            raise Forbidden("Only whoever set it up, or a group admin, can change a recurring expense.")
    return row


async def get(session: AsyncSession, user: User, template_id: uuid.UUID) -> RecurringOut:
    row = await session.scalar(select(RecurringExpense).where(RecurringExpense.id == template_id, _visible(user.id)))
    if row is None:
        raise NotFound("No such recurring expense.")
    return await _out(session, row)


async def update(session: AsyncSession, user: User, template_id: uuid.UUID, patch: RecurringPatch) -> RecurringOut:
    row = await _editable(session, user, template_id)
    changes = patch.model_dump(exclude_unset=True, mode="json", exclude={"split", "payers"})
    for required in ("title", "amount", "is_paused"):
        if required in changes and changes[required] is None:
            raise Unprocessable(f"{required} cannot be empty.", field=required)
    if "amount" in changes:
        row.amount = patch.amount  # type: ignore[assignment]
        changes.pop("amount")
    for name in ("end_date", "paused_until"):
        if name in changes:
            setattr(row, name, getattr(patch, name))
            changes.pop(name)
    for name, value in changes.items():
        setattr(row, name, value)
    if row.end_date and row.end_date < row.start_date:
        raise Unprocessable("The end date is before the start date.", field="end_date")
    if patch.paused_until is not None:
        row.is_paused = True
    if patch.split is not None:
        row.split_data = {**row.split_data, "split": patch.split.model_dump(mode="json")}
    if patch.payers is not None:
        row.split_data = {**row.split_data, "payers": [p.model_dump(mode="json") for p in patch.payers]}
    code = await session.scalar(select(Currency.code).where(Currency.id == row.currency_id))
    await _check(session, user, row, code or "USD")
    await session.flush()
    await session.refresh(row)
    return await _out(session, row)


async def stop(session: AsyncSession, user: User, template_id: uuid.UUID) -> None:
    row = await _editable(session, user, template_id)
    row.is_active = False


async def run_due(session: AsyncSession, today: date) -> int:
    """Make every due occurrence of every active template (catching up missed ones). Returns how many
    expenses were made. Safe to run twice, or in two workers at once."""
    templates = list(
        await session.scalars(
            select(RecurringExpense)
            .where(RecurringExpense.is_active, RecurringExpense.next_due_date <= today)
            .order_by(RecurringExpense.next_due_date)
            .with_for_update(skip_locked=True)
        )
    )
    made = 0
    for template in templates:
        made += await _run_template(session, template, today)
    return made


async def _run_template(session: AsyncSession, template: RecurringExpense, today: date) -> int:
    if template.is_paused:
        if template.paused_until is None or template.paused_until > today:
            return 0
        # Resumed: occurrences during the pause are skipped, not made late.
        template.is_paused, resume = False, template.paused_until
        template.paused_until = None
        template.next_due_date = next(
            occurrences(template.start_date, template.frequency, template.interval, after=resume)
        )
    creator = await session.get(User, template.created_by_id)
    assert creator is not None  # templates are deleted with their author
    # "Today" is the author's: in UTC it may already be tomorrow where they live.
    today = min(today, datetime.now(ZoneInfo(creator.timezone)).date())
    code = await session.scalar(select(Currency.code).where(Currency.id == template.currency_id))
    days = due_dates(
        template.start_date,
        template.frequency,
        template.interval,
        next_due=template.next_due_date,
        today=today,
        end=template.end_date,
    )
    made = 0
    for day in days:
        exists = await session.scalar(
            select(Expense.id).where(Expense.recurring_expense_id == template.id, Expense.recurrence_date == day)
        )
        if exists is None:
            savepoint = await session.begin_nested()
            try:
                await create_expense(
                    session, creator, _expense_for(template, code or "USD", day), recurrence=(template.id, day)
                )
                await savepoint.commit()
                made += 1
            except AppError as error:
                await savepoint.rollback()
                template.is_active = False
                log.warning("recurring_expense_stopped", template_id=str(template.id), reason=error.detail)
                return made
    if made:
        dates = ", ".join(day.isoformat() for day in days[-3:])
        await inapp.notify(session, creator.id, "recurring_expense", {"title": template.title, "count": made,
                           "dates": dates}, related=("recurring_expense", str(template.id)))  # fmt: skip
    last = days[-1] if days else template.next_due_date
    if days:
        template.next_due_date = next_after(template.start_date, template.frequency, template.interval, last)
    if template.end_date and template.next_due_date > template.end_date:
        template.is_active = False
    return made
