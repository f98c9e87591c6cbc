"""When a recurring expense falls due. Pure date arithmetic, no database.

Occurrence n is counted from the start date, never from the previous occurrence, so a monthly expense
on the 31st falls on the last day of shorter months and returns to the 31st afterwards (Jan 31,
Feb 28, Mar 31, Apr 30); a yearly one on Feb 29 falls on Feb 28 in common years.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date, timedelta

from app.models.enums import RecurrenceFrequency

_MONTHS = {RecurrenceFrequency.MONTHLY: 1, RecurrenceFrequency.QUARTERLY: 3, RecurrenceFrequency.YEARLY: 12}


def occurrence(start: date, frequency: RecurrenceFrequency, interval: int, n: int) -> date:
    """The n-th occurrence (0 is the start date itself)."""
    if frequency == RecurrenceFrequency.DAILY:
        return start + timedelta(days=n * interval)
    if frequency == RecurrenceFrequency.WEEKLY:
        return start + timedelta(weeks=n * interval)
    months = start.month - 1 + n * interval * _MONTHS[frequency]
    year, month = start.year + months // 12, months % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def occurrences(
    start: date, frequency: RecurrenceFrequency, interval: int, *, after: date | None = None
) -> Iterator[date]:
    """Occurrences in order, from the first one on or after `after` (default: the start)."""
    n = 0
    if after is not None and after > start:
        # Jump close to `after` instead of walking from the start (a daily expense years old). Counting
        # months as 31 days errs early, never past the first occurrence wanted.
        longest = {RecurrenceFrequency.DAILY: 1, RecurrenceFrequency.WEEKLY: 7}
        days_per_step = longest.get(frequency, 31 * _MONTHS.get(frequency, 1)) * interval
        n = max(0, (after - start).days // days_per_step - 1)
    while True:
        day = occurrence(start, frequency, interval, n)
        if after is None or day >= after:
            yield day
        n += 1


def due_dates(
    start: date,
    frequency: RecurrenceFrequency,
    interval: int,
    *,
    next_due: date,
    today: date,
    end: date | None,
) -> list[date]:
    """Every occurrence from `next_due` up to today (catching up after downtime), within the end date."""
    last = min(today, end) if end else today
    found = []
    for day in occurrences(start, frequency, interval, after=next_due):
        if day > last:
            break
        found.append(day)
    return found


def next_after(start: date, frequency: RecurrenceFrequency, interval: int, day: date) -> date:
    return next(occurrences(start, frequency, interval, after=day + timedelta(days=1)))
