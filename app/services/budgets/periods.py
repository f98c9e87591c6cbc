"""Which period of a budget a day falls in. Pure date arithmetic.

Periods are counted from the budget's start date, as recurring expenses are: a monthly budget from the
15th runs 15th to 14th, one from the 31st runs to the day before the next month's last day (31 Jan to
27 Feb, 28 Feb to 30 Mar...). A custom budget is one period, start to end. A budget with an end date
stops there: its last period is cut short.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from app.models.enums import BudgetPeriod, RecurrenceFrequency
from app.services.recurring.schedule import occurrence

_FREQUENCY = {
    BudgetPeriod.WEEKLY: RecurrenceFrequency.WEEKLY,
    BudgetPeriod.MONTHLY: RecurrenceFrequency.MONTHLY,
    BudgetPeriod.YEARLY: RecurrenceFrequency.YEARLY,
}
_APPROXIMATE_DAYS = {BudgetPeriod.WEEKLY: 7, BudgetPeriod.MONTHLY: 31, BudgetPeriod.YEARLY: 366}


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def elapsed_days(self, today: date) -> int:
        """Days of the period up to and including today (all of them once it is over, none before)."""
        return max(0, min((today - self.start).days + 1, self.days))


def period_of(kind: BudgetPeriod, start: date, end: date | None, day: date) -> Period:
    """The period holding `day`; before the start, the first period; after the end, the last."""
    if kind == BudgetPeriod.CUSTOM:
        assert end is not None, "a custom budget has an end date"
        return Period(start, end)
    if end is not None and day > end:
        day = end
    frequency = _FREQUENCY[kind]
    n = max(0, (day - start).days // _APPROXIMATE_DAYS[kind] - 1)  # at or before the period wanted
    while occurrence(start, frequency, 1, n + 1) <= day:
        n += 1
    period = Period(occurrence(start, frequency, 1, n), occurrence(start, frequency, 1, n + 1) - timedelta(days=1))
    return Period(period.start, min(period.end, end)) if end is not None else period
