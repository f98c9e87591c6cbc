"""`user_spending_patterns`: how a person spends, over the last year of their own shares (what budgets
count), in their preferred currency. One row per user and analysis date, rewritten in place when the same
day is analysed again.

- most active day: the weekday with the most expenses; most active hour: when they record them (in their
  time zone);
- top categories (five) and each category's percentage of the total;
- average expense, expenses per day since the first one in the window, the percentage that were group
  expenses, the most active groups (three);
- seasonal spending: the average total of each calendar month present in the window.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import UserSpendingPattern
from app.models.enums import Weekday
from app.services.analytics.compute import LIVE, SIGN

WINDOW_DAYS = 365
WEEKDAYS = list(Weekday)  # ISO order: Monday first

_SPEND = text(f"""
    SELECT s.user_id, e.expense_date, e.category_id, c.name AS category, e.group_id, g.name AS group_name,
           extract(hour FROM e.created_at AT TIME ZONE u.timezone)::int AS hour,
           {SIGN} * CASE WHEN s.currency_id = uc.id THEN s.amount
                         WHEN e.base_currency_id = uc.id THEN s.amount * e.exchange_rate
                         ELSE s.amount * sc.exchange_rate_to_usd / uc.exchange_rate_to_usd END AS amount,
           uc.decimal_places AS places
    FROM expense_shares s
    JOIN expenses e ON e.id = s.expense_id
    JOIN auth_user u ON u.id = s.user_id
    JOIN currencies uc ON uc.code = u.preferred_currency
    JOIN currencies sc ON sc.id = s.currency_id
    LEFT JOIN categories c ON c.id = e.category_id
    LEFT JOIN groups g ON g.id = e.group_id
    WHERE s.user_id = ANY(CAST(:users AS bigint[])) AND e.expense_date BETWEEN :start AND :day AND {LIVE}
""")  # noqa: S608 - assembled from this package's constants; values are bound parameters


def _money(value: Decimal, places: int) -> str:
    return str(value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN))


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.01"), ROUND_HALF_EVEN) if whole else Decimal(0)


async def refresh(session: AsyncSession, users: list[int], day: date) -> int:
    """Analyse `users` as of `day`; returns how many rows were written."""
    if not users:
        return 0
    rows = (await session.execute(_SPEND, {"users": users, "start": day - timedelta(days=WINDOW_DAYS - 1),
                                           "day": day})).all()  # fmt: skip
    by_user: dict[int, list] = {}
    for row in rows:
        by_user.setdefault(row.user_id, []).append(row)
    written = 0
    for user_id, spent in by_user.items():
        values = _analyse(spent, day)
        statement = insert(UserSpendingPattern).values(user_id=user_id, analysis_date=day, **values)
        await session.execute(statement.on_conflict_do_update(index_elements=["user_id", "analysis_date"],
                                                              set_=values))  # fmt: skip
        written += 1
    return written


def _analyse(spent: list, day: date) -> dict[str, object]:
    places = spent[0].places
    total = sum((row.amount for row in spent), Decimal(0))
    count = len(spent)
    weekdays = [0] * 7
    hours = [0] * 24
    categories: dict[str, tuple[str, Decimal]] = {}
    groups: dict[str, tuple[str, int]] = {}
    months: dict[tuple[int, int], Decimal] = {}
    for row in spent:
        weekdays[row.expense_date.weekday()] += 1
        hours[row.hour] += 1
        key = str(row.category_id) if row.category_id else "uncategorised"
        name, amount = categories.get(key, (row.category or "Uncategorised", Decimal(0)))
        categories[key] = (name, amount + row.amount)
        if row.group_id is not None:
            group_name, n = groups.get(str(row.group_id), (row.group_name, 0))
            groups[str(row.group_id)] = (group_name, n + 1)
        month = (row.expense_date.year, row.expense_date.month)
        months[month] = months.get(month, Decimal(0)) + row.amount
    first = min(row.expense_date for row in spent)
    ranked = sorted(categories.items(), key=lambda item: -item[1][1])
    seasonal: dict[int, list[Decimal]] = {}
    for (_, month), amount in months.items():
        seasonal.setdefault(month, []).append(amount)
    return {
        "most_active_day": WEEKDAYS[weekdays.index(max(weekdays))],
        "most_active_hour": hours.index(max(hours)),
        "top_categories": [{"category_id": None if key == "uncategorised" else key, "name": name,
                            "total": _money(amount, places)} for key, (name, amount) in ranked[:5]],
        "category_distribution": {key: str(_percent(amount, total)) for key, (_, amount) in ranked},
        "average_expense_amount": (total / count).quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN),
        "expense_frequency": (Decimal(count) / ((day - first).days + 1)).quantize(Decimal("0.01")),
        "group_vs_individual_ratio": _percent(Decimal(sum(n for _, n in groups.values())), Decimal(count)),
        "most_active_groups": [{"group_id": key, "name": name, "count": n}
                               for key, (name, n) in sorted(groups.items(), key=lambda item: -item[1][1])[:3]],
        "seasonal_spending": {f"{month:02d}": _money(sum(amounts, Decimal(0)) / len(amounts), places)
                              for month, amounts in sorted(seasonal.items())},
    }  # fmt: skip
