"""Budget templates (seed 002): the system ones seeded for everyone, users' own, and budgets made from
one and an income. A template's allocations are shares of income by category (a default category's slug,
or the id of the user's own); its savings share is set aside, so the budget is the income less savings.
"""

from __future__ import annotations

import uuid
from decimal import ROUND_DOWN, Decimal
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotFound, Unprocessable
from app.models import BudgetTemplate, Category, User
from app.models.enums import BudgetType
from app.services.budgets import service, spending
from app.services.budgets.schemas import (
    AllocationIn,
    BudgetCreate,
    BudgetOut,
    FromTemplate,
    TemplateCreate,
    TemplateOut,
)
from app.services.budgets.system_templates import SAVINGS, SYSTEM_TEMPLATES
from app.services.expenses.service import today_for

HUNDRED = Decimal(100)


async def seed_system_templates(session: AsyncSession) -> int:
    """Add the system templates that are missing (by name); never changes one an administrator edited."""
    existing = set(await session.scalars(select(BudgetTemplate.name).where(BudgetTemplate.is_system)))
    missing = [BudgetTemplate(is_system=True, **spec) for spec in SYSTEM_TEMPLATES if spec["name"] not in existing]
    session.add_all(missing)
    await session.flush()
    return len(missing)


def template_out(row: BudgetTemplate) -> TemplateOut:
    return TemplateOut(
        id=row.id, name=row.name, description=row.description, is_system=row.is_system,
        category_allocations=row.category_allocations, target_income_range=row.target_income_range,
        location_tags=row.location_tags, usage_count=row.usage_count,
    )  # fmt: skip


def _usable(user_id: int) -> Any:
    return (BudgetTemplate.is_active.is_(True)) & or_(
        BudgetTemplate.is_system.is_(True), BudgetTemplate.created_by_id == user_id
    )


async def list_templates(session: AsyncSession, user: User) -> list[TemplateOut]:
    query = select(BudgetTemplate).where(_usable(user.id))
    rows = await session.scalars(query.order_by(BudgetTemplate.is_system.desc(), BudgetTemplate.usage_count.desc(),
                                                BudgetTemplate.name))  # fmt: skip
    return [template_out(row) for row in rows]


async def _template(session: AsyncSession, user: User, template_id: uuid.UUID) -> BudgetTemplate:
    row = await session.scalar(select(BudgetTemplate).where(BudgetTemplate.id == template_id, _usable(user.id)))
    if row is None:
        raise NotFound("No such budget template.")
    return row


async def get(session: AsyncSession, user: User, template_id: uuid.UUID) -> TemplateOut:
    return template_out(await _template(session, user, template_id))


async def create(session: AsyncSession, user: User, data: TemplateCreate) -> TemplateOut:
    tree = await spending.category_tree(session, user.id)
    allocations: dict[str, Any] = {}
    for allocation in data.allocations:
        if allocation.savings:
            key = SAVINGS
        elif allocation.category_id is None or allocation.category_id not in tree:
            raise Unprocessable("Each allocation names one of your categories, or is the savings share.",
                                field="allocations")  # fmt: skip
        else:
            key = str(allocation.category_id)
        if key in allocations:
            raise Unprocessable("A category is allocated twice.", field="allocations")
        allocations[key] = {"percentage": str(allocation.percentage)}
    if sum(Decimal(a["percentage"]) for a in allocations.values()) > HUNDRED:
        raise Unprocessable("The percentages add up to more than 100.", field="allocations")
    row = BudgetTemplate(
        name=data.name, description=data.description, created_by_id=user.id, category_allocations=allocations,
        target_income_range=data.target_income_range, location_tags=data.location_tags,
    )  # fmt: skip
    session.add(row)
    await session.flush()
    await session.refresh(row)
    return template_out(row)


async def remove(session: AsyncSession, user: User, template_id: uuid.UUID) -> None:
    row = await session.scalar(
        select(BudgetTemplate).where(BudgetTemplate.id == template_id, BudgetTemplate.created_by_id == user.id)
    )
    if row is None:
        raise NotFound("No such budget template of yours (system templates cannot be removed).")
    await session.delete(row)
    await session.flush()


async def _category_ids(session: AsyncSession, user: User, keys: list[str]) -> dict[str, uuid.UUID]:
    """Allocation keys (a default category's slug, or a category id) to the user's category ids."""
    slugs = await session.execute(select(Category.slug, Category.id).where(Category.user_id.is_(None)))
    by_slug = dict(slugs.all())
    tree = await spending.category_tree(session, user.id)
    found: dict[str, uuid.UUID] = {}
    for key in keys:
        if key in by_slug:
            found[key] = by_slug[key]
            continue
        try:
            category_id = uuid.UUID(key)
        except ValueError:
            continue
        if category_id in tree:
            found[key] = category_id
    return found


async def budget_from(session: AsyncSession, user: User, template_id: uuid.UUID, data: FromTemplate) -> BudgetOut:
    """A budget of the template's shares of `income`: the income less the savings share, each category its
    share; categories the user no longer has are left out."""
    template = await _template(session, user, template_id)
    shares = {key: Decimal(value["percentage"]) for key, value in template.category_allocations.items()}
    saving = shares.pop(SAVINGS, Decimal(0))
    ids = await _category_ids(session, user, list(shares))
    currency = await service.budget_currency(session, user, None, data.currency)
    places = Decimal(1).scaleb(-currency.decimal_places)
    spendable = (data.income * (HUNDRED - saving) / HUNDRED).quantize(places, ROUND_DOWN)
    if spendable <= 0:
        raise Unprocessable("This template saves all of the income; there is nothing to budget.")
    kept = [(ids[key], share) for key, share in shares.items() if key in ids]
    # Each category's share of the income, exact to the cent; together at most the spendable part.
    covered = (data.income * sum((share for _, share in kept), Decimal(0)) / HUNDRED).quantize(places, ROUND_DOWN)
    amounts = (
        service.split_units(min(covered, spendable), currency.decimal_places, [s for _, s in kept]) if kept else []
    )
    allocations = [AllocationIn(category_id=category, amount=amount)
                   for (category, _), amount in zip(kept, amounts, strict=True)]  # fmt: skip
    today = today_for(user)
    budget = BudgetCreate(
        name=data.name or template.name[:100], period_type=data.period_type,
        start_date=data.start_date or today.replace(day=1), amount=spendable, currency=currency.code,
        allocations=allocations,
    )  # fmt: skip
    made = await service.create(session, user, budget, budget_type=BudgetType.TEMPLATE,
                                template=(template.id, template.name))  # fmt: skip
    await session.execute(
        update(BudgetTemplate)
        .where(BudgetTemplate.id == template.id)
        .values(usage_count=BudgetTemplate.usage_count + 1)
    )
    return made
