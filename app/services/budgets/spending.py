"""What was spent, per category, in one currency: the SQL behind budget status and suggestions.

Spending is a person's own shares of expenses (my quarter of a group dinner, all of my own lunch), or for
a group budget every share in the group; refunds count negative, income and transfers not at all, and
rows excluded from totals (charity, family support, reimbursable, unless overridden), deleted or still
waiting for approval are left out. Amounts are converted to the target currency with the rate the expense
stored when its own base currency is the target, else with the currencies' rates to USD.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Category, Currency, Expense, ExpenseShare
from app.models.enums import TransactionType

UNCATEGORISED = None


async def by_category(
    session: AsyncSession,
    target: Currency,
    start: date,
    end: date,
    *,
    user_id: int | None = None,
    group_id: uuid.UUID | None = None,
) -> dict[uuid.UUID | None, Decimal]:
    """Spending per category id (None: uncategorised) between start and end, both included."""
    share_currency = Currency.__table__.alias("share_currency")
    converted = case(
        (ExpenseShare.currency_id == target.id, ExpenseShare.amount),
        (Expense.base_currency_id == target.id, ExpenseShare.amount * Expense.exchange_rate),
        else_=ExpenseShare.amount * share_currency.c.exchange_rate_to_usd / target.exchange_rate_to_usd,
    )
    signed = case((Expense.transaction_type == TransactionType.REFUND, -converted), else_=converted)
    query = (
        select(Expense.category_id, func.sum(signed))
        .select_from(ExpenseShare)
        .join(Expense, Expense.id == ExpenseShare.expense_id)
        .join(share_currency, share_currency.c.id == ExpenseShare.currency_id)
        .where(
            Expense.expense_date.between(start, end),
            Expense.is_deleted.is_(False),
            Expense.is_approved.is_(True),
            Expense.exclude_from_totals.is_(False),
            Expense.transaction_type.in_([TransactionType.EXPENSE, TransactionType.REFUND]),
        )
        .group_by(Expense.category_id)
    )
    query = query.where(Expense.group_id == group_id) if group_id else query.where(ExpenseShare.user_id == user_id)
    places = Decimal(1).scaleb(-target.decimal_places)
    return {category: total.quantize(places, ROUND_HALF_EVEN) for category, total in (await session.execute(query))}


async def category_tree(session: AsyncSession, user_id: int) -> dict[uuid.UUID, tuple[str, uuid.UUID | None]]:
    """Every category the user can use: id -> (name, parent id)."""
    rows = await session.execute(
        select(Category.id, Category.name, Category.parent_id).where(
            or_(Category.user_id.is_(None), Category.user_id == user_id)
        )
    )
    return {category_id: (name, parent) for category_id, name, parent in rows}


def roll_up(
    spent: dict[uuid.UUID | None, Decimal],
    allocated: set[uuid.UUID],
    tree: dict[uuid.UUID, tuple[str, uuid.UUID | None]],
) -> tuple[dict[uuid.UUID, Decimal], Decimal]:
    """Spending per allocated category (each category counted under its nearest allocated ancestor, so a
    'Restaurants' allocation and a 'Food & Dining' one never count the same dinner), and what is left."""
    per: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
    rest = Decimal(0)
    for category, amount in spent.items():
        node = category
        while node is not None and node not in allocated:
            node = tree.get(node, ("", None))[1]
        if node is None:
            rest += amount
        else:
            per[node] += amount
    return per, rest
