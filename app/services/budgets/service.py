"""Budgets: a user's (or a group's) spending plan for a period, split into category allocations, and how
the current period is going. Alerts at each threshold once per category and period.

Who sees what: your own budgets; a group's budgets to its active members; only admins and members (not
viewers) create or change a group's budget. Anyone else's is 404.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Forbidden, NotFound, Unprocessable
from app.models import Budget, Currency, Group, GroupMembership, User
from app.models.enums import BudgetType, MemberRole
from app.services.budgets import spending
from app.services.budgets.periods import Period, period_of
from app.services.budgets.schemas import (
    AllocationIn,
    AllocationOut,
    BudgetCreate,
    BudgetOut,
    BudgetPatch,
    BudgetStatus,
    CategoryStatus,
)
from app.services.expenses.allocation import SplitError, from_units, largest_remainder, to_units
from app.services.expenses.service import today_for
from app.services.groups.access import member_group
from app.services.notifications import inapp
from app.services.reference.queries import active_currency

BUDGET_ALERT = "budget_alert"
HUNDRED = Decimal(100)


def _places(currency: Currency) -> Decimal:
    return Decimal(1).scaleb(-currency.decimal_places)


def in_places(amount: Decimal, currency: Currency) -> Decimal:
    """A stored amount (four decimals in the column) as the currency writes it."""
    return amount.quantize(_places(currency), ROUND_HALF_EVEN)


def split_units(total: Decimal, places: int, weights: list[Decimal]) -> list[Decimal]:
    """`total` split in proportion to `weights`, exact to the minor unit (largest remainder)."""
    units = largest_remainder(to_units(total, places), list(enumerate(weights)))
    return [from_units(units[i], places) for i in range(len(weights))]


async def allocations_json(
    session: AsyncSession, user: User, total: Decimal, currency: Currency, allocations: list[AllocationIn]
) -> dict[str, Any]:
    """`{category_id: {"amount", "percentage"}}` with every category checked. Percentages are of the total
    and their amounts exact to the minor unit (split by largest remainder, so 3 x 33.3333% of 100.00 is
    100.00, not 100.02); the allocations may leave part of the total unallocated, never more than all."""
    tree = await spending.category_tree(session, user.id)
    seen: set[uuid.UUID] = set()
    for allocation in allocations:
        if allocation.category_id not in tree:
            raise Unprocessable("No such category.", field="allocations")
        if allocation.category_id in seen:
            raise Unprocessable(f"{tree[allocation.category_id][0]} is allocated twice.", field="allocations")
        seen.add(allocation.category_id)
    places = currency.decimal_places
    by_share = [a for a in allocations if a.percentage is not None]
    share_total = sum((a.percentage for a in by_share), Decimal(0))  # type: ignore[misc]
    if share_total > HUNDRED:
        raise Unprocessable(f"The percentages add up to {share_total}, more than 100.", field="allocations")
    covered = (total * share_total / HUNDRED).quantize(_places(currency), ROUND_DOWN)
    shares = split_units(covered, places, [a.percentage for a in by_share]) if by_share else []  # type: ignore[misc]
    amounts = dict(zip((a.category_id for a in by_share), shares, strict=True))
    out: dict[str, Any] = {}
    for allocation in allocations:
        if allocation.amount is not None:
            try:
                to_units(allocation.amount, places, what="An allocation of")
            except SplitError as error:
                raise Unprocessable(str(error), field="allocations") from None
        amount = allocation.amount if allocation.amount is not None else amounts[allocation.category_id]
        out[str(allocation.category_id)] = {
            "amount": str(amount),
            "percentage": str(allocation.percentage) if allocation.percentage is not None else None,
        }
    allocated = sum((Decimal(a["amount"]) for a in out.values()), Decimal(0))
    if allocated > total:
        raise Unprocessable(f"The allocations add up to {allocated}, more than the budget's {total}.",
                            field="allocations")  # fmt: skip
    return out


async def budget_currency(session: AsyncSession, user: User, group: Group | None, code: str | None) -> Currency:
    """The currency named, else the group's, else the user's own."""
    if code:
        return await active_currency(session, code)
    if group is not None:
        found = await session.get(Currency, group.currency_id)
        assert found is not None
        return found
    return await active_currency(session, user.preferred_currency)


async def _budget_out(session: AsyncSession, budget: Budget, currency: Currency, user: User) -> BudgetOut:
    tree = await spending.category_tree(session, user.id)
    allocations = []
    for key, value in budget.category_allocations.items():
        name = tree.get(uuid.UUID(key), ("(deleted category)", None))[0]
        percentage = Decimal(value["percentage"]) if value.get("percentage") else None
        allocations.append(AllocationOut(category_id=uuid.UUID(key), category=name, amount=Decimal(value["amount"]),
                                         percentage=percentage))  # fmt: skip
    return BudgetOut(
        id=budget.id, name=budget.name, group_id=budget.group_id, period_type=budget.period_type,
        start_date=budget.start_date, end_date=budget.end_date, amount=in_places(budget.amount, currency),
        currency=currency.code,
        allocations=allocations, alert_thresholds=budget.alert_thresholds, budget_type=budget.budget_type,
        template_source=budget.template_source, ai_generation_context=budget.ai_generation_context,
        is_active=budget.is_active, created_at=budget.created_at,
    )  # fmt: skip


async def _writable_group(session: AsyncSession, user: User, group_id: uuid.UUID) -> Group:
    group, membership = await member_group(session, user, group_id)
    if membership.role == MemberRole.VIEWER:
        raise Forbidden("Viewers cannot change the group's budgets.")
    return group


async def create(
    session: AsyncSession,
    user: User,
    data: BudgetCreate,
    *,
    budget_type: BudgetType = BudgetType.MANUAL,
    template: tuple[uuid.UUID, str] | None = None,
    ai_context: dict[str, Any] | None = None,
) -> BudgetOut:
    group = await _writable_group(session, user, data.group_id) if data.group_id else None
    currency = await budget_currency(session, user, group, data.currency)
    try:
        to_units(data.amount, currency.decimal_places, what="The budget amount")
    except SplitError as error:
        raise Unprocessable(str(error), field="amount") from None
    budget = Budget(
        user_id=user.id, group_id=group.id if group else None, name=data.name, period_type=data.period_type,
        start_date=data.start_date, end_date=data.end_date, amount=data.amount, currency_id=currency.id,
        alert_thresholds=sorted(set(data.alert_thresholds)), budget_type=budget_type,
        category_allocations=await allocations_json(session, user, data.amount, currency, data.allocations),
        template_id=template[0] if template else None, template_source=template[1][:100] if template else None,
        ai_generation_context=ai_context,
    )  # fmt: skip
    session.add(budget)
    await session.flush()
    await session.refresh(budget)
    return await _budget_out(session, budget, currency, user)


def _visible(user_id: int) -> Any:
    in_group = select(GroupMembership.group_id).where(GroupMembership.user_id == user_id, GroupMembership.is_active)
    return or_(and_(Budget.group_id.is_(None), Budget.user_id == user_id), Budget.group_id.in_(in_group))


async def visible(session: AsyncSession, user: User, budget_id: uuid.UUID, *, for_update: bool = False) -> Budget:
    query = select(Budget).where(Budget.id == budget_id, _visible(user.id))
    budget = await session.scalar(query.with_for_update() if for_update else query)
    if budget is None:
        raise NotFound("No such budget.")
    return budget


async def _editable(session: AsyncSession, user: User, budget_id: uuid.UUID) -> Budget:
    budget = await visible(session, user, budget_id, for_update=True)
    if budget.group_id is not None:
        await _writable_group(session, user, budget.group_id)
    return budget


async def list_budgets(session: AsyncSession, user: User, *, active_only: bool) -> list[BudgetOut]:
    query = select(Budget, Currency).join(Currency, Currency.id == Budget.currency_id).where(_visible(user.id))
    if active_only:
        query = query.where(Budget.is_active)
    rows = (await session.execute(query.order_by(Budget.created_at.desc()))).all()
    return [await _budget_out(session, budget, currency, user) for budget, currency in rows]


async def get(session: AsyncSession, user: User, budget_id: uuid.UUID) -> BudgetOut:
    budget = await visible(session, user, budget_id)
    return await _budget_out(session, budget, await session.get(Currency, budget.currency_id), user)


async def update(session: AsyncSession, user: User, budget_id: uuid.UUID, patch: BudgetPatch) -> BudgetOut:
    budget = await _editable(session, user, budget_id)
    currency = await session.get(Currency, budget.currency_id)
    changes = patch.model_dump(exclude_unset=True)
    for name in ("name", "amount", "is_active", "alert_thresholds", "allocations"):
        if name in changes and changes[name] is None:
            raise Unprocessable(f"{name} cannot be empty.", field=name)
    if "end_date" in changes:
        end = changes.pop("end_date")
        if (end is None and budget.period_type == "custom") or (end is not None and end < budget.start_date):
            raise Unprocessable("That end date does not fit the budget's period.", field="end_date")
        budget.end_date = end
    if "alert_thresholds" in changes:
        budget.alert_thresholds = sorted(set(changes.pop("alert_thresholds")))
    allocations = patch.allocations
    changes.pop("allocations", None)
    for name, value in changes.items():
        setattr(budget, name, value)
    if allocations is not None or "amount" in changes:
        if allocations is None:  # a new total: percentages follow it, amounts stay
            allocations = [
                AllocationIn(category_id=uuid.UUID(key), percentage=Decimal(v["percentage"]))
                if v.get("percentage") else AllocationIn(category_id=uuid.UUID(key), amount=Decimal(v["amount"]))
                for key, v in budget.category_allocations.items()
            ]  # fmt: skip
        budget.category_allocations = await allocations_json(session, user, budget.amount, currency, allocations)
    await session.flush()
    await session.refresh(budget)
    return await _budget_out(session, budget, currency, user)


async def remove(session: AsyncSession, user: User, budget_id: uuid.UUID) -> None:
    budget = await _editable(session, user, budget_id)
    await session.delete(budget)
    await session.flush()


# --- status ------------------------------------------------------------------------------------------------


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part * HUNDRED / whole).quantize(Decimal("0.1"), ROUND_HALF_EVEN) if whole > 0 else Decimal(0)


async def compute_status(session: AsyncSession, budget: Budget, user_id: int, today: date) -> BudgetStatus:
    currency = await session.get(Currency, budget.currency_id)
    assert currency is not None
    period: Period = period_of(budget.period_type, budget.start_date, budget.end_date, today)
    spent_by = await spending.by_category(
        session, currency, period.start, period.end,
        user_id=None if budget.group_id else budget.user_id, group_id=budget.group_id,
    )  # fmt: skip
    tree = await spending.category_tree(session, user_id)
    allocated = {uuid.UUID(key): Decimal(value["amount"]) for key, value in budget.category_allocations.items()}
    per_category, rest = spending.roll_up(spent_by, set(allocated), tree)
    spent = in_places(sum(spent_by.values(), Decimal(0)), currency)
    elapsed = period.elapsed_days(today)
    projected = spent if elapsed >= period.days else (spent * period.days / max(elapsed, 1))
    categories = []
    for category, amount in allocated.items():
        used = in_places(per_category.get(category, Decimal(0)), currency)
        name = tree.get(category, ("(deleted category)", None))[0]
        categories.append(CategoryStatus(category_id=category, category=name, allocated=amount, spent=used,
                                         remaining=amount - used, percent_used=_percent(used, amount)))  # fmt: skip
    return BudgetStatus(
        budget_id=budget.id, currency=currency.code, period_start=period.start, period_end=period.end,
        days_in_period=period.days, days_elapsed=elapsed, amount=in_places(budget.amount, currency), spent=spent,
        remaining=in_places(budget.amount - spent, currency), percent_used=_percent(spent, budget.amount),
        projected=projected.quantize(_places(currency), ROUND_HALF_EVEN), categories=categories,
        unallocated_spent=in_places(rest, currency),
    )  # fmt: skip


async def status(session: AsyncSession, user: User, budget_id: uuid.UUID) -> BudgetStatus:
    budget = await visible(session, user, budget_id)
    return await compute_status(session, budget, user.id, today_for(user))


# --- alerts ------------------------------------------------------------------------------------------------


async def _recipients(session: AsyncSession, budget: Budget) -> list[int]:
    if budget.group_id is None:
        return [budget.user_id]
    members = await session.scalars(
        select(GroupMembership.user_id).where(GroupMembership.group_id == budget.group_id, GroupMembership.is_active)
    )
    return list(members)


async def send_alerts(session: AsyncSession, budget: Budget, found: BudgetStatus) -> int:
    """A notification for each category (and the whole budget) past each threshold, once per period."""
    if not budget.is_active:
        return 0
    lines = [(str(c.category_id), c.category, c.percent_used, c.spent, c.allocated) for c in found.categories]
    lines.append(("total", "the whole budget", found.percent_used, found.spent, found.amount))
    sent = 0
    for recipient in await _recipients(session, budget):
        for key, label, used, spent, limit in lines:
            crossed = [t for t in budget.alert_thresholds if used >= t]
            if not crossed or limit <= 0:
                continue
            threshold = max(crossed)
            variables = {"budget": budget.name, "category": label, "percent": used, "spent": spent,
                         "limit": limit, "currency": found.currency, "start": found.period_start,
                         "end": found.period_end}  # fmt: skip
            made = await inapp.notify(
                session, recipient, BUDGET_ALERT, variables, related=("budget", str(budget.id)),
                meta={"budget_id": str(budget.id), "category": key, "threshold": threshold,
                      "period_start": found.period_start.isoformat()},
                key=f"budget:{budget.id}:{key}:{threshold}:{found.period_start.isoformat()}",
            )  # fmt: skip
            sent += made is not None
    return sent


async def check_all(session: AsyncSession, now: datetime) -> int:
    """The worker's pass over every active budget, on its owner's calendar: alerts for the thresholds
    crossed since the last pass."""
    sent = 0
    recent = or_(Budget.end_date.is_(None), Budget.end_date >= now.date() - timedelta(days=1))
    query = select(Budget, User.timezone).join(User, User.id == Budget.user_id).where(Budget.is_active, recent)
    rows = await session.execute(query)
    for budget, timezone in rows.all():
        today = now.astimezone(ZoneInfo(timezone)).date()
        if budget.start_date <= today and (budget.end_date is None or today <= budget.end_date):
            sent += await send_alerts(session, budget, await compute_status(session, budget, budget.user_id, today))
    return sent
