"""Dates as people write them in a chat: today, yesterday, 3 days ago, last friday, on 3/14, 14 Mar,
March 14th, 2026-11-02. Never in the future: a date without a year is the latest one not after today.
Numeric day/month order comes from the user's date-format preference (a number over 12 decides alone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from app.models.enums import DateFormat
from app.services.chat.parser.text import Message

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
            ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
            ("oct", "october"), ("nov", "november"), ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
WEEKDAYS = {
    name: number
    for number, names in enumerate(
        (
            ("monday", "mon"), ("tuesday", "tue", "tues"), ("wednesday", "wed", "weds"),
            ("thursday", "thu", "thur", "thurs"), ("friday", "fri"), ("saturday", "sat"), ("sunday", "sun"),
        )
    )
    for name in names
}  # fmt: skip
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY_FULL = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_WEEKDAY = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_ON = r"(?:\b(?:on|dated)\s+)?"

PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(_ON + r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b")),
    ("numeric", re.compile(_ON + r"(?<![\d.,$])\b(?P<a>\d{1,2})/(?P<b>\d{1,2})(?:/(?P<y>\d{2}|\d{4}))?\b(?![/\d])")),
    ("numeric", re.compile(r"\b(?:on|dated)\s+(?P<a>\d{1,2})[.-](?P<b>\d{1,2})(?:[.-](?P<y>\d{2}|\d{4}))?\b(?![.\d])")),
    ("numeric", re.compile(r"(?<![\d.,])\b(?P<a>\d{1,2})\.(?P<b>\d{1,2})\.(?P<y>\d{4})\b")),
    ("day_month", re.compile(
        _ON + r"\b(?:the\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>" + _MONTH + r")\b\.?"
        r"(?:,?\s+(?P<y>\d{4})\b)?", re.IGNORECASE,
    )),
    ("month_day", re.compile(
        _ON + r"\b(?P<mon>" + _MONTH + r")\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?\b(?!\s*(?:[.,:]\d|%))"
        r"(?:,?\s+(?P<y>\d{4})\b)?", re.IGNORECASE,
    )),
    ("before_yesterday", re.compile(r"\b(?:the\s+)?day\s+before\s+yesterday\b", re.IGNORECASE)),
    ("yesterday", re.compile(r"\b(?:yesterday|yday|last\s+night)\b", re.IGNORECASE)),
    ("today", re.compile(r"\b(?:today|tonight|this\s+(?:morning|afternoon|evening))\b", re.IGNORECASE)),
    ("days_ago", re.compile(r"\b(?P<n>\d{1,3}|a|an|one|two|three|four|five|six|seven)\s+(?P<unit>days?|weeks?)\s+ago\b",
                            re.IGNORECASE)),
    ("last_weekday", re.compile(r"\blast\s+(?P<wd>" + _WEEKDAY + r")\b\.?", re.IGNORECASE)),
    ("weekday", re.compile(r"\b(?:on|this|past)\s+(?P<wd>" + _WEEKDAY + r")\b\.?", re.IGNORECASE)),
    ("weekday", re.compile(r"\b(?P<wd>" + _WEEKDAY_FULL + r")\b", re.IGNORECASE)),
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class FoundDate:
    value: date
    in_future: bool = False


def _latest(today: date, month: int, day: int) -> date | None:
    """The latest date with this month and day that is not after today."""
    for year in (today.year, today.year - 1, today.year - 2):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue  # 29 February, or a day the month does not have
        if candidate <= today:
            return candidate
    return None


def _full_year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def _day_first(date_format: DateFormat, locale: str) -> bool:
    if date_format in (DateFormat.DAY_FIRST, DateFormat.DAY_FIRST_DOTS):
        return True
    if date_format == DateFormat.MONTH_FIRST:
        return False
    region = locale.replace("_", "-").split("-")[1].upper() if "-" in locale.replace("_", "-") else ""
    return region not in ("", "US", "PH", "CA", "FM", "MH", "PW")


def _build(kind: str, match: re.Match[str], today: date, day_first: bool) -> date | None:
    groups = match.groupdict()
    try:
        if kind == "iso":
            return date(int(groups["y"]), int(groups["m"]), int(groups["d"]))
        if kind == "numeric":
            a, b = int(groups["a"]), int(groups["b"])
            day, month = (a, b) if (a > 12 or (day_first and b <= 12)) else (b, a)
            if groups["y"]:
                return date(_full_year(groups["y"]), month, day)
            return _latest(today, month, day)
        if kind in ("day_month", "month_day"):
            month, day = MONTHS[groups["mon"].lower()], int(groups["d"])
            if groups["y"]:
                return date(int(groups["y"]), month, day)
            return _latest(today, month, day)
    except ValueError:
        return None
    if kind == "before_yesterday":
        return today - timedelta(days=2)
    if kind == "yesterday":
        return today - timedelta(days=1)
    if kind == "today":
        return today
    if kind == "days_ago":
        count = NUMBER_WORDS.get(groups["n"].lower()) or int(groups["n"])
        return today - timedelta(days=count * (7 if groups["unit"].lower().startswith("week") else 1))
    weekday = WEEKDAYS[groups["wd"].lower()]
    back = (today.weekday() - weekday) % 7
    if kind == "last_weekday" and back == 0:
        back = 7
    return today - timedelta(days=back)


def find_date(message: Message, today: date, date_format: DateFormat, locale: str) -> FoundDate | None:
    """The first date phrase in the message (consumed), or None."""
    day_first = _day_first(date_format, locale)
    best: tuple[int, str, re.Match[str]] | None = None
    rest = message.rest
    for kind, pattern in PATTERNS:
        match = pattern.search(rest)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), kind, match)
    if best is None:
        return None
    _, kind, match = best
    value = _build(kind, match, today, day_first)
    if value is None:
        return None
    message.consume_match(match)
    if value > today:
        return FoundDate(today, in_future=True)
    return FoundDate(value)
