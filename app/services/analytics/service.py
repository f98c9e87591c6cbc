"""Analytics as the API answers them, read from the precomputed rows only (`expense_analytics`,
`user_spending_patterns`): a caller's own figures, or a group's when they are one of its members.

Also the worker's passes: the nightly one (yesterday and today for everyone, then patterns), and the
frequent one that recomputes only the days, users and groups touched by expenses changed since its last run.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from sqlalchemy import String, and_, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Unprocessable
from app.models import Category, Currency, Expense, ExpenseAnalytics, ExpenseShare, User, UserSpendingPattern
from app.models.enums import PeriodType
from app.schemas import Money
from app.services.analytics import compute, patterns
from app.services.analytics.stale import StaleDay
from app.services.groups.access import member_group
from app.services.reference.units import units

MAX_RANGE_DAYS = 3 * 366


class PeriodFigures(BaseModel):
    period_start: date
    period_end: date
    total: Money
    count: int
    average: Money
    trend_percentage: Money


class CategoryFigures(BaseModel):
    category_id: uuid.UUID | None
    category: str
    total: Money
    count: int | None
    percentage: Money


class Summary(BaseModel):
    start: date
    end: date
    currency: str | None
    total: Money
    count: int
    average: Money
    daily_average: Money
    top_categories: list[CategoryFigures]


class Trends(BaseModel):
    period: PeriodType
    currency: str | None
    periods: list[PeriodFigures]


class Categories(BaseModel):
    start: date
    end: date
    currency: str | None
    categories: list[CategoryFigures]


class PatternsOut(BaseModel):
    analysis_date: date | None
    most_active_day: str | None
    most_active_hour: int | None
    top_categories: list[Any]
    category_distribution: dict[str, Any]
    average_expense_amount: Money
    expense_frequency: Money
    group_vs_individual_ratio: Money
    most_active_groups: list[Any]
    seasonal_spending: dict[str, Any]


async def _scope(session: AsyncSession, user: User, group_id: uuid.UUID | None) -> Any:
    if group_id is not None:
        await member_group(session, user, group_id)
        return and_(ExpenseAnalytics.group_id == group_id, ExpenseAnalytics.user_id.is_(None))
    return and_(ExpenseAnalytics.user_id == user.id, ExpenseAnalytics.group_id.is_(None))


def _range(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    end = end or today
    start = start or end.replace(day=1)
    if start > end:
        raise Unprocessable("The start date is after the end date.", field="start")
    if (end - start).days > MAX_RANGE_DAYS:
        raise Unprocessable("Ask for at most three years at a time.", field="start")
    return start, end


async def _currency(session: AsyncSession, currency_id: uuid.UUID | str | None) -> tuple[str | None, Decimal]:
    """The code of the rows' currency and its minor unit (the columns keep four decimals)."""
    if currency_id is None:
        return None, Decimal("0.01")
    key = uuid.UUID(str(currency_id))
    unit = (await units(session, [key]))[key]
    return unit.code, Decimal(1).scaleb(-unit.decimal_places)


async def _category_totals(session: AsyncSession, scope: Any, start: date, end: date) -> tuple[list[Any], Any]:
    """Per category over the range from the daily rows, and the daily total rows themselves."""
    daily = and_(scope, ExpenseAnalytics.period_type == PeriodType.DAILY,
                 ExpenseAnalytics.period_start.between(start, end))  # fmt: skip
    totals = (
        await session.execute(
            select(
                func.sum(ExpenseAnalytics.total_amount),
                func.sum(ExpenseAnalytics.expense_count),
                func.max(cast(ExpenseAnalytics.currency_id, String)),
            ).where(daily, ExpenseAnalytics.category_id.is_(None))
        )
    ).one()
    rows = (
        await session.execute(
            select(
                ExpenseAnalytics.category_id,
                Category.name,
                func.sum(ExpenseAnalytics.total_amount),
                func.sum(ExpenseAnalytics.expense_count),
            )
            .join(Category, Category.id == ExpenseAnalytics.category_id)
            .where(daily, ExpenseAnalytics.category_id.is_not(None))
            .group_by(ExpenseAnalytics.category_id, Category.name)
            .order_by(func.sum(ExpenseAnalytics.total_amount).desc())
        )
    ).all()
    return rows, totals


def _share(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.1")) if whole else Decimal(0)


def _categories(rows: list[Any], total: Decimal, unit: Decimal) -> list[CategoryFigures]:
    found = [CategoryFigures(category_id=r[0], category=r[1], total=r[2].quantize(unit), count=int(r[3]),
                             percentage=_share(r[2], total)) for r in rows]  # fmt: skip
    uncategorised = total - sum((r[2] for r in rows), Decimal(0))
    if uncategorised:
        found.append(CategoryFigures(category_id=None, category="Uncategorised", total=uncategorised.quantize(unit),
                                     count=None, percentage=_share(uncategorised, total)))  # fmt: skip
    return found


async def summary(
    session: AsyncSession, user: User, today: date, start: date | None, end: date | None, group_id: uuid.UUID | None
) -> Summary:
    start, end = _range(start, end, today)
    scope = await _scope(session, user, group_id)
    rows, (total, count, currency_id) = await _category_totals(session, scope, start, end)
    total, count = total or Decimal(0), int(count or 0)
    code, unit = await _currency(session, currency_id)
    days = (min(end, today) - start).days + 1 if start <= today else 1
    return Summary(
        start=start, end=end, currency=code, total=total.quantize(unit), count=count,
        average=(total / count).quantize(unit) if count else Decimal(0).quantize(unit),
        daily_average=(total / max(days, 1)).quantize(unit), top_categories=_categories(rows, total, unit)[:5],
    )  # fmt: skip


async def categories(
    session: AsyncSession, user: User, today: date, start: date | None, end: date | None, group_id: uuid.UUID | None
) -> Categories:
    start, end = _range(start, end, today)
    scope = await _scope(session, user, group_id)
    rows, (total, _, currency_id) = await _category_totals(session, scope, start, end)
    code, unit = await _currency(session, currency_id)
    return Categories(start=start, end=end, currency=code, categories=_categories(rows, total or Decimal(0), unit))


async def trends(
    session: AsyncSession,
    user: User,
    today: date,
    period: PeriodType,
    start: date | None,
    end: date | None,
    group_id: uuid.UUID | None,
) -> Trends:
    end = end or today
    a_year = timedelta(days=365)
    start, end = _range(start or (end - a_year if end - date.min > a_year else date.min), end, today)
    scope = await _scope(session, user, group_id)
    a = ExpenseAnalytics
    rows = (  # columns, not ORM objects: a year of days is 365 rows
        await session.execute(
            select(a.period_start, a.period_end, a.total_amount, a.expense_count, a.average_amount,
                   a.trend_percentage, a.currency_id)
            .where(scope, a.period_type == period, a.category_id.is_(None), a.period_start.between(start, end))
            .order_by(a.period_start)
        )
    ).all()  # fmt: skip
    code, unit = await _currency(session, rows[-1].currency_id if rows else None)
    periods = [
        PeriodFigures(period_start=r.period_start, period_end=r.period_end, total=r.total_amount.quantize(unit),
                      count=r.expense_count, average=r.average_amount.quantize(unit),
                      trend_percentage=r.trend_percentage)
        for r in rows
    ]  # fmt: skip
    return Trends(period=period, currency=code, periods=periods)


async def latest_patterns(session: AsyncSession, user: User) -> PatternsOut:
    row = await session.scalar(
        select(UserSpendingPattern)
        .where(UserSpendingPattern.user_id == user.id)
        .order_by(UserSpendingPattern.analysis_date.desc())
        .limit(1)
    )
    if row is None:
        nothing = Decimal(0)
        return PatternsOut(analysis_date=None, most_active_day=None, most_active_hour=None, top_categories=[],
                           category_distribution={}, average_expense_amount=nothing, expense_frequency=nothing,
                           group_vs_individual_ratio=nothing, most_active_groups=[], seasonal_spending={})  # fmt: skip
    places = await session.scalar(select(Currency.decimal_places).where(Currency.code == user.preferred_currency))
    unit = Decimal(1).scaleb(-(places if places is not None else 2))
    return PatternsOut(
        analysis_date=row.analysis_date, most_active_day=row.most_active_day, most_active_hour=row.most_active_hour,
        top_categories=row.top_categories, category_distribution=row.category_distribution,
        average_expense_amount=row.average_expense_amount.quantize(unit), expense_frequency=row.expense_frequency,
        group_vs_individual_ratio=row.group_vs_individual_ratio, most_active_groups=row.most_active_groups,
        seasonal_spending=row.seasonal_spending,
    )  # fmt: skip


# --- the worker's passes ------------------------------------------------------------------------------------


async def nightly(session: AsyncSession, day: date) -> compute.Written:
    """Everyone's figures for `day` (and the periods holding it), then the patterns of those active that day."""
    written = await compute.refresh(session, [day])
    active = list(await session.scalars(
        select(ExpenseShare.user_id).join(Expense, Expense.id == ExpenseShare.expense_id)
        .where(Expense.expense_date == day).distinct()))  # fmt: skip
    await patterns.refresh(session, active, day)
    return written


async def changed_since(
    session: AsyncSession, since: datetime, until: datetime, stale_days: Iterable[StaleDay] = ()
) -> compute.Written:
    """Recompute what expenses changed in [since, until) touch: their days, for their people and groups;
    and the days changes left behind (`stale.pending()`)."""
    by_day: dict[date, tuple[set[int], set[uuid.UUID]]] = defaultdict(lambda: (set(), set()))
    for stale_day in stale_days:
        by_day[stale_day.day][0].update(stale_day.users)
        if stale_day.group_id is not None:
            by_day[stale_day.day][1].add(stale_day.group_id)
    rows = (
        await session.execute(
            select(Expense.expense_date, Expense.group_id, ExpenseShare.user_id)
            .join(ExpenseShare, ExpenseShare.expense_id == Expense.id)
            .where(Expense.updated_at >= since, Expense.updated_at < until)
        )
    ).all()
    for day, group_id, user_id in rows:
        by_day[day][0].add(user_id)
        if group_id is not None:
            by_day[day][1].add(group_id)
    written = compute.Written()
    for day, (users, groups) in sorted(by_day.items()):
        part = await compute.refresh(session, [day], users=sorted(users), groups=sorted(groups))
        written.add((part.rows, part.removed))
    return written
