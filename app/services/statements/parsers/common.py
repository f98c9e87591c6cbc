"""What every statement parser returns, and the amount and date readers they share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation


class StatementError(Exception):
    """The file cannot be read as a statement; the sentence says why (shown to the user)."""


@dataclass
class ParsedRow:
    booked_on: date
    description: str
    amount: Decimal  # signed: negative is money out of the account
    balance: Decimal | None = None
    bank_id: str | None = None  # the bank's own id for the row (OFX FITID), when it has one
    raw: str = ""
    line: int | None = None
    page: int | None = None


@dataclass
class ParsedStatement:
    rows: list[ParsedRow]
    currency: str | None = None
    opening_balance: Decimal | None = None
    closing_balance: Decimal | None = None
    period_start: date | None = None
    period_end: date | None = None
    account_hint: str | None = None  # an account number as the file gives it
    warnings: list[str] = field(default_factory=list)
    details: dict[str, object] = field(default_factory=dict)  # how it was read (columns, date format...)


_DIGITS_AND_MARKS = re.compile(r"[\d.,]+")
_MONEY_NOISE = re.compile(r"[\s$€£¥₹'\u00a0\u202f]|[A-Z]{3}")


def parse_amount(text: str, decimal_mark: str | None = None) -> Decimal | None:
    """'1,234.56', '1.234,56', '-98,76', '(12.00)', '12.00-', '12.00 CR', '$1,036.47', "11'373.94".

    `decimal_mark` forces ',' or '.'; otherwise the last separator followed by one or two digits is it.
    CR means money in, DR money out; a trailing minus and parentheses mean negative."""
    value = text.strip()
    if not value:
        return None
    sign = 1
    upper = value.upper()
    if upper.endswith(("CR", "DR")):
        sign = -1 if upper.endswith("DR") else 1
        value = value[:-2]
    value = value.strip()
    if value.startswith("(") and value.endswith(")"):
        sign, value = -sign, value[1:-1]
    if value.endswith("-"):
        sign, value = -sign, value[:-1]
    if value.startswith("+"):
        value = value[1:]
    if value.startswith("-"):
        sign, value = -sign, value[1:]
    value = _MONEY_NOISE.sub("", value)
    if value.startswith("-"):  # "$-12.00"
        sign, value = -sign, value[1:]
    if not value or not _DIGITS_AND_MARKS.fullmatch(value):
        return None
    mark = decimal_mark or _decimal_mark(value)
    grouping = "." if mark == "," else ","
    value = value.replace(grouping, "").replace(mark, ".")
    try:
        return sign * Decimal(value)
    except InvalidOperation:
        return None


def _decimal_mark(value: str) -> str:
    dot, comma = value.rfind("."), value.rfind(",")
    if dot >= 0 and comma >= 0:
        return "." if dot > comma else ","
    if comma >= 0 and len(value) - comma - 1 in (1, 2) and value.count(",") == 1:
        return ","
    return "."


_COMMA_DECIMALS = re.compile(r",\d{1,2}\s*(?:-|CR|DR)?\)?\s*$", re.IGNORECASE)
_DOT_DECIMALS = re.compile(r"\.\d{1,2}\s*(?:-|CR|DR)?\)?\s*$", re.IGNORECASE)


def guess_decimal_mark(values: list[str]) -> str:
    """',' when the column writes decimals with a comma ('-98,76', '1.234,56'), else '.'."""
    comma = sum(1 for v in values if _COMMA_DECIMALS.search(v.strip()))
    dot = sum(1 for v in values if _DOT_DECIMALS.search(v.strip()))
    return "," if comma > dot else "."


DATE_FORMATS = (
    "%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%m/%d/%y", "%d/%m/%y", "%Y/%m/%d", "%d-%m-%Y", "%m-%d-%Y",
    "%d.%m.%y", "%d-%b-%y", "%d-%b-%Y", "%d %b %Y", "%b %d, %Y", "%d %B %Y", "%B %d, %Y", "%Y%m%d",
    "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S",
)  # fmt: skip


def guess_date_format(values: list[str], *, day_first: bool | None = None) -> str | None:
    """The format that reads the most values (at least half; a "pending" row does not spoil the column);
    between DD/MM and MM/DD the whole column decides (a day over 12 settles it), then `day_first`, then
    month first."""
    values = [v.strip() for v in values if v.strip()]
    if not values:
        return None
    counts: dict[str, int] = {}
    for fmt in DATE_FORMATS:
        read = 0
        for value in values:
            try:
                datetime.strptime(value, fmt)
                read += 1
            except ValueError:
                continue
        counts[fmt] = read
    best = max(counts.values())
    if best * 2 < len(values):
        return None
    fitting = [fmt for fmt, read in counts.items() if read == best]
    if day_first is not None and len(fitting) > 1:
        preferred = [f for f in fitting if f.startswith("%d") == day_first]
        if preferred:
            return preferred[0]
    return fitting[0]


def read_date(value: str, fmt: str) -> date:
    return datetime.strptime(value.strip(), fmt).date()
