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

# One pass over the year's shares, aggregated every way the pattern needs (weekday, hour, category, group,
# month, and overall) by GROUPING SETS: a few hundred small rows per user reach Python, never the shares.
_FIGURES = text(f"""
    WITH spend AS (
        SELECT s.user_id, e.expense_date, e.category_id, e.group_id,
               extract(isodow FROM e.expense_date)::int AS dow,
               extract(hour FROM e.created_at AT TIME ZONE u.timezone)::int AS hour,
               to_char(e.expense_date, 'YYYY-MM') AS month,
               {SIGN} * CASE WHEN s.currency_id = uc.id THEN s.amount
                             WHEN e.base_currency_id = uc.id THEN s.amount * e.exchange_rate
                             ELSE s.amount * sc.exchange_rate_to_usd / uc.exchange_rate_to_usd END AS amount,
               uc.decimal_places AS places
        FROM expense_shares s
        JOIN expenses e ON e.id = s.expense_id
        JOIN auth_user u ON u.id = s.user_id
        JOIN currencies uc ON uc.code = u.preferred_currency
        JOIN currencies sc ON sc.id = s.currency_id
        WHERE s.user_id = ANY(CAST(:users AS bigint[])) AND e.expense_date BETWEEN :start AND :day AND {LIVE}
    )
    SELECT user_id,
           CASE WHEN GROUPING(dow) = 0 THEN 'dow' WHEN GROUPING(hour) = 0 THEN 'hour'
                WHEN GROUPING(category_id) = 0 THEN 'category' WHEN GROUPING(group_id) = 0 THEN 'group'
                WHEN GROUPING(month) = 0 THEN 'month' ELSE 'all' END AS kind,
           COALESCE(dow::text, hour::text, category_id::text, group_id::text, month) AS key,
           count(*) AS n, sum(amount) AS total, min(expense_date) AS first_day, max(places) AS places
    FROM spend
    GROUP BY GROUPING SETS ((user_id, dow), (user_id, hour), (user_id, category_id), (user_id, group_id),
                            (user_id, month), (user_id))
""")  # noqa: S608 - assembled from this package's constants; values are bound parameters
_NAMES = text("""
    SELECT id::text, name FROM categories WHERE id = ANY(CAST(:ids AS uuid[]))
    UNION ALL SELECT id::text, name FROM groups WHERE id = ANY(CAST(:ids AS uuid[]))
""")


def _money(value: Decimal, places: int) -> str:
    return str(value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN))


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.01"), ROUND_HALF_EVEN) if whole else Decimal(0)


async def refresh(session: AsyncSession, users: list[int], day: date) -> int:
    """Analyse `users` as of `day`; returns how many rows were written."""
    if not users:
        return 0
    params = {"users": users, "start": day - timedelta(days=WINDOW_DAYS - 1), "day": day}
    figures: dict[int, dict[str, list]] = {}
    for row in (await session.execute(_FIGURES, params)).all():
        figures.setdefault(row.user_id, {}).setdefault(row.kind, []).append(row)
    ids = [r.key for parts in figures.values() for kind in ("category", "group") for r in parts.get(kind, []) if r.key]
    names = dict((await session.execute(_NAMES, {"ids": ids})).all()) if ids else {}
    for user_id, parts in figures.items():
        values = _analyse(parts, names, day)
        statement = insert(UserSpendingPattern).values(user_id=user_id, analysis_date=day, **values)
        await session.execute(statement.on_conflict_do_update(index_elements=["user_id", "analysis_date"],
                                                              set_=values))  # fmt: skip
    return len(figures)


def _analyse(parts: dict[str, list], names: dict[str, str], day: date) -> dict[str, object]:
    overall = parts["all"][0]
    places, total, count = overall.places, Decimal(overall.total), overall.n
    busiest = max(parts.get("dow", []), key=lambda r: (r.n, -int(r.key)))
    hour = max(parts.get("hour", []), key=lambda r: (r.n, -int(r.key)))
    ranked = sorted(parts.get("category", []), key=lambda r: -Decimal(r.total))
    groups = sorted((r for r in parts.get("group", []) if r.key), key=lambda r: -r.n)
    seasonal: dict[str, list[Decimal]] = {}
    for row in parts.get("month", []):
        seasonal.setdefault(row.key[5:], []).append(Decimal(row.total))
    return {
        "most_active_day": WEEKDAYS[int(busiest.key) - 1],
        "most_active_hour": int(hour.key),
        "top_categories": [{"category_id": r.key, "name": names.get(r.key, "Uncategorised") if r.key else
                            "Uncategorised", "total": _money(Decimal(r.total), places)} for r in ranked[:5]],
        "category_distribution": {r.key or "uncategorised": str(_percent(Decimal(r.total), total)) for r in ranked},
        "average_expense_amount": (total / count).quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN),
        "expense_frequency": (Decimal(count) / ((day - overall.first_day).days + 1)).quantize(Decimal("0.01")),
        "group_vs_individual_ratio": _percent(Decimal(sum(r.n for r in groups)), Decimal(count)),
        "most_active_groups": [{"group_id": r.key, "name": names.get(r.key), "count": r.n} for r in groups[:3]],
        "seasonal_spending": {month: _money(sum(amounts, Decimal(0)) / len(amounts), places)
                              for month, amounts in sorted(seasonal.items())},
    }  # fmt: skip
