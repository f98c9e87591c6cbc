"""Filling `expense_analytics`: daily rows from the expenses themselves, weekly, monthly and yearly rows
summed from the daily ones. Each run is one INSERT ... ON CONFLICT per scope that rewrites a row only when
its figures changed and deletes rows whose spending is gone, so running a period again writes nothing.

Scopes: a user (`user_id`, their own shares, in their preferred currency) and a group (`group_id`, the
whole group's expenses, in the group's currency); each with one row per category and one row for all
categories (`category_id` NULL) whose `category_breakdown` holds every category's total (uncategorised
spending under "uncategorised"). What counts is what budgets count (budgets/spending.py): refunds net,
income and transfers do not count, excluded, deleted and unapproved rows are left out.
"""

# The SQL here is assembled from this module's constants only (two scopes, two period kinds), never from
# input; every value is a bound parameter.
# ruff: noqa: S608

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.enums import PeriodType, RecurrenceFrequency
from app.services.recurring.schedule import occurrence

NIL = "'00000000-0000-0000-0000-000000000000'::uuid"
LIVE = """NOT e.is_deleted AND e.is_approved AND NOT e.exclude_from_totals
          AND e.transaction_type IN ('expense', 'refund')"""
SIGN = "CASE WHEN e.transaction_type = 'refund' THEN -1 ELSE 1 END"


@dataclass(frozen=True)
class Scope:
    column: str  # user_id or group_id
    other: str  # the column that stays NULL
    daily_source: str  # SELECT scope_id, category_id, currency_id, places, amount for :start..:end
    filter_param: str  # the array parameter limiting which scope ids are recomputed (NULL: all)


USERS = Scope(
    column="user_id",
    other="group_id",
    daily_source=f"""
        SELECT s.user_id AS scope_id, e.category_id, uc.id AS currency_id, uc.decimal_places AS places,
               {SIGN} * CASE WHEN s.currency_id = uc.id THEN s.amount
                             WHEN e.base_currency_id = uc.id THEN s.amount * e.exchange_rate
                             ELSE s.amount * sc.exchange_rate_to_usd / uc.exchange_rate_to_usd END AS amount
        FROM expenses e
        JOIN expense_shares s ON s.expense_id = e.id
        JOIN auth_user u ON u.id = s.user_id
        JOIN currencies uc ON uc.code = u.preferred_currency
        JOIN currencies sc ON sc.id = s.currency_id
        WHERE e.expense_date BETWEEN :start AND :end AND {LIVE}
          AND (CAST(:scopes AS bigint[]) IS NULL OR s.user_id = ANY(CAST(:scopes AS bigint[])))
    """,
    filter_param="bigint[]",
)
GROUPS = Scope(
    column="group_id",
    other="user_id",
    daily_source=f"""
        SELECT e.group_id AS scope_id, e.category_id, gc.id AS currency_id, gc.decimal_places AS places,
               {SIGN} * CASE WHEN e.currency_id = gc.id THEN e.amount
                             WHEN e.base_currency_id = gc.id THEN e.amount * e.exchange_rate
                             ELSE e.amount * ec.exchange_rate_to_usd / gc.exchange_rate_to_usd END AS amount
        FROM expenses e
        JOIN groups g ON g.id = e.group_id
        JOIN currencies gc ON gc.id = g.currency_id
        JOIN currencies ec ON ec.id = e.currency_id
        WHERE e.expense_date BETWEEN :start AND :end AND {LIVE}
          AND (CAST(:scopes AS uuid[]) IS NULL OR e.group_id = ANY(CAST(:scopes AS uuid[])))
    """,
    filter_param="uuid[]",
)


def _upsert(scope: Scope, per_category: str, totals: str) -> str:
    """The statement that writes one period's rows for a scope from `per_category` and `totals` (scope_id,
    category_id, currency_id, places, total, n[, breakdown]), deleting rows whose spending is gone."""
    key = f"""COALESCE(user_id, 0), COALESCE(group_id, {NIL}), COALESCE(category_id, {NIL}),
              period_type, period_start"""
    return f"""
    WITH per_category AS ({per_category}),
    totals AS ({totals}),
    fresh AS (
        SELECT scope_id, category_id, currency_id, places, total, n, '{{}}'::jsonb AS breakdown
        FROM per_category WHERE category_id IS NOT NULL
        UNION ALL
        SELECT scope_id, category_id, currency_id, places, total, n, breakdown FROM totals
    ),
    gone AS (
        DELETE FROM expense_analytics a
        WHERE a.period_type = :period_type AND a.period_start = :start AND a.{scope.other} IS NULL
          AND a.{scope.column} IS NOT NULL
          AND (CAST(:scopes AS {scope.filter_param}) IS NULL
               OR a.{scope.column} = ANY(CAST(:scopes AS {scope.filter_param})))
          AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.scope_id = a.{scope.column}
                          AND f.category_id IS NOT DISTINCT FROM a.category_id)
        RETURNING 1
    ),
    written AS (
        INSERT INTO expense_analytics AS a (
            id, {scope.column}, category_id, period_type, period_start, period_end, total_amount, currency_id,
            expense_count, average_amount, category_breakdown, trend_percentage, created_at, updated_at)
        SELECT gen_random_uuid(), f.scope_id, f.category_id, :period_type, :start, :end, f.total, f.currency_id,
               f.n, round(f.total / f.n, f.places), f.breakdown,
               CASE WHEN p.total_amount > 0
                    THEN least(greatest(round((f.total - p.total_amount) * 100 / p.total_amount, 2), -9999999),
                               9999999)
                    ELSE 0 END,
               now(), now()
        FROM fresh f
        LEFT JOIN expense_analytics p ON p.period_type = :period_type AND p.period_start = :previous
             AND p.{scope.column} = f.scope_id AND p.{scope.other} IS NULL
             AND p.category_id IS NOT DISTINCT FROM f.category_id
        WHERE f.n > 0
        ON CONFLICT ({key}) DO UPDATE SET
            period_end = EXCLUDED.period_end, total_amount = EXCLUDED.total_amount,
            currency_id = EXCLUDED.currency_id, expense_count = EXCLUDED.expense_count,
            average_amount = EXCLUDED.average_amount, category_breakdown = EXCLUDED.category_breakdown,
            trend_percentage = EXCLUDED.trend_percentage, updated_at = now()
        WHERE (a.period_end, a.total_amount, a.currency_id, a.expense_count, a.average_amount,
               a.category_breakdown, a.trend_percentage)
              IS DISTINCT FROM (EXCLUDED.period_end, EXCLUDED.total_amount, EXCLUDED.currency_id,
               EXCLUDED.expense_count, EXCLUDED.average_amount, EXCLUDED.category_breakdown,
               EXCLUDED.trend_percentage)
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM written) AS written, (SELECT count(*) FROM gone) AS gone
    """


def _daily(scope: Scope) -> str:
    per_category = f"""
        SELECT scope_id, category_id, currency_id, places, round(sum(amount), places) AS total, count(*) AS n
        FROM ({scope.daily_source}) spend GROUP BY scope_id, category_id, currency_id, places"""
    totals = """
        SELECT scope_id, CAST(NULL AS uuid) AS category_id, max(currency_id::text)::uuid AS currency_id,
               max(places) AS places, sum(total) AS total, sum(n) AS n,
               jsonb_object_agg(COALESCE(category_id::text, 'uncategorised'), total::text) AS breakdown
        FROM per_category GROUP BY scope_id"""
    return _upsert(scope, per_category, totals)


def _rolled(scope: Scope) -> str:
    """A longer period from its daily rows: categories from the daily category rows, the total and its
    breakdown (uncategorised spending included) from the daily total rows."""
    daily = f"""FROM expense_analytics d JOIN currencies c ON c.id = d.currency_id
        WHERE d.period_type = 'daily' AND d.period_start BETWEEN :start AND :end
          AND d.{scope.other} IS NULL AND d.{scope.column} IS NOT NULL
          AND (CAST(:scopes AS {scope.filter_param}) IS NULL
               OR d.{scope.column} = ANY(CAST(:scopes AS {scope.filter_param})))"""
    per_category = f"""
        SELECT d.{scope.column} AS scope_id, d.category_id, max(d.currency_id::text)::uuid AS currency_id,
               max(c.decimal_places) AS places, sum(d.total_amount) AS total, sum(d.expense_count) AS n
        {daily} AND d.category_id IS NOT NULL
        GROUP BY d.{scope.column}, d.category_id"""
    totals = f"""
        SELECT d.{scope.column} AS scope_id, CAST(NULL AS uuid) AS category_id,
               max(d.currency_id::text)::uuid AS currency_id, max(c.decimal_places) AS places,
               sum(d.total_amount) AS total, sum(d.expense_count) AS n,
               (SELECT jsonb_object_agg(part.key, part.amount::text) FROM (
                    SELECT b.key, sum(b.value::numeric) AS amount
                    FROM expense_analytics t, jsonb_each_text(t.category_breakdown) b
                    WHERE t.period_type = 'daily' AND t.period_start BETWEEN :start AND :end
                      AND t.{scope.column} = d.{scope.column} AND t.{scope.other} IS NULL AND t.category_id IS NULL
                    GROUP BY b.key) part) AS breakdown
        {daily} AND d.category_id IS NULL
        GROUP BY d.{scope.column}"""
    return _upsert(scope, per_category, totals)


_STATEMENTS = {
    (scope.column, kind): text(build(scope))
    for scope in (USERS, GROUPS)
    for kind, build in (("daily", _daily), ("rolled", _rolled))
}
_MONTHS = {PeriodType.WEEKLY: 0, PeriodType.MONTHLY: 1, PeriodType.YEARLY: 12}


def period_containing(kind: PeriodType, day: date) -> tuple[date, date]:
    """Calendar periods: a day, an ISO week (Monday to Sunday), a month, a year."""
    if kind == PeriodType.DAILY:
        return day, day
    if kind == PeriodType.WEEKLY:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    start = day.replace(day=1) if kind == PeriodType.MONTHLY else day.replace(month=1, day=1)
    frequency = RecurrenceFrequency.MONTHLY if kind == PeriodType.MONTHLY else RecurrenceFrequency.YEARLY
    return start, occurrence(start, frequency, 1, 1) - timedelta(days=1)


@dataclass
class Written:
    rows: int = 0
    removed: int = 0

    def add(self, other: tuple[int, int]) -> None:
        self.rows += other[0]
        self.removed += other[1]


async def refresh(
    session: AsyncSession, days: list[date], *, users: list[int] | None = None, groups: list[uuid.UUID] | None = None
) -> Written:
    """Recompute the given days and the weeks, months and years holding them, for the given users and groups
    (None: everyone). Oldest first, so each period's trend sees the period before it."""
    written = Written()
    targets = [("user_id", users), ("group_id", groups)]
    for day in sorted(set(days)):
        for column, ids in targets:
            if ids is not None and not ids:
                continue
            params = {"start": day, "end": day, "previous": day - timedelta(days=1), "period_type": "daily",
                      "scopes": ids}  # fmt: skip
            written.add(tuple((await session.execute(_STATEMENTS[(column, "daily")], params)).one()))
    periods = {(kind, period_containing(kind, day)) for day in days for kind in _MONTHS}
    for kind, (start, end) in sorted(periods, key=lambda item: item[1][0]):
        previous = period_containing(kind, start - timedelta(days=1))[0]
        for column, ids in targets:
            if ids is not None and not ids:
                continue
            params = {"start": start, "end": end, "previous": previous, "period_type": kind.value, "scopes": ids}
            written.add(tuple((await session.execute(_STATEMENTS[(column, "rolled")], params)).one()))
    return written
