"""The system parser for PDF statements, bank-agnostic: find the transaction table from its heading row
(date, description, debit/credit or amount, balance) and the x-positions of the headings, read each row
into those columns, join multi-line descriptions, and pick out the opening and closing balances.

Dates with or without a year (the year from the statement's own dates, across December/January), day or
month first decided from the whole statement; amounts as `1,234.56`, `1.234,56`, trailing minus,
parentheses and CR/DR. In a single amount column with no minus signs, plain amounts are money out (card
charges, withdrawals) and CR or parenthesised ones money in.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from app.services.statements.parsers.common import (
    ParsedRow,
    ParsedStatement,
    StatementError,
    guess_decimal_mark,
    parse_amount,
)
from app.services.statements.parsers.pdf_text import Line, PdfText, Word

HEADINGS: dict[str, tuple[str, ...]] = {
    "date": ("date", "posted", "posting"),
    "description": ("description", "details", "particulars", "narrative", "payee", "transaction", "merchant"),
    "debit": ("debit", "debits", "withdrawal", "withdrawals", "out", "charges"),
    "credit": ("credit", "credits", "deposit", "deposits", "in", "payments"),
    "amount": ("amount",),
    "balance": ("balance",),
}
MONEY_ROLES = ("debit", "credit", "amount", "balance")
OPENING = re.compile(
    r"(opening|previous|last month'?s|brought forward|b/f|beginning|start)\b.*balance|balance.*(b/f|brought forward)",
    re.I,
)
CLOSING = re.compile(
    r"(closing|new|ending|carried forward|c/f)\b.*balance|balance.*(c/f|carried forward)"
    r"|total amount due|statement balance",
    re.I,
)
TOTAL = re.compile(r"^\s*(sub)?total\b|\btotals?\s*$", re.I)
MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
_MONEY = re.compile(
    r"^\(?[-+]?[$€£¥₹]?\s?\d{1,3}(?:[,.' ]?\d{3})*(?:[.,]\d{1,2})?\)?-?(?:CR|DR)?$|^\(?-?\d+[.,]\d{2}\)?-?(?:CR|DR)?$",
    re.I,
)
_DATE_WORDS = [
    re.compile(r"^\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?$"),
    re.compile(rf"^\d{{1,2}}\s(?:{MONTHS})[a-z]*\.?(?:\s\d{{2,4}})?$", re.I),
    re.compile(rf"^(?:{MONTHS})[a-z]*\.?\s\d{{1,2}},?(?:\s\d{{4}})?$", re.I),
    re.compile(r"^\d{4}-\d{2}-\d{2}$"),
]


@dataclass
class Column:
    role: str
    x0: float
    x1: float

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class Draft:
    date_text: str
    words: list[str]
    money: dict[str, str]
    line: Line
    extra_lines: list[str] = field(default_factory=list)


def _heading_columns(line: Line) -> list[Column] | None:
    if "date" not in line.text.lower() and "posted" not in line.text.lower():
        return None
    found: dict[str, Column] = {}
    for word in line.words:
        token = re.sub(r"[^a-z]", "", word.text.lower())
        for role, names in HEADINGS.items():
            if token in names and (role not in found or role == "description"):
                if role == "description" and "description" in found and token != "description":
                    continue
                found[role] = Column(role, word.x0, word.x1)
    has_money = any(role in found for role in ("amount", "debit", "credit"))
    if "date" not in found or not has_money:
        return None
    # "TRANSACTION DATE": the word before "date" is part of the date heading, not the description's.
    description = found.get("description")
    next_to_date = description is not None and description.x0 < found["date"].x0 < description.x1 + 60
    if next_to_date and not any(w.text.lower().startswith(("descr", "detail", "partic")) for w in line.words):
        del found["description"]
    return sorted(found.values(), key=lambda column: column.x0)


def _date_prefix(words: list[Word]) -> tuple[str, int] | None:
    """A date at the start of the line, and how many words it took."""
    for count in (3, 2, 1):
        if len(words) >= count:
            text = " ".join(word.text for word in words[:count]).rstrip(",")
            if any(pattern.match(text) for pattern in _DATE_WORDS):
                return text, count
    return None


@functools.lru_cache(maxsize=65536)
def _is_money(text: str) -> bool:
    return any(ch.isdigit() for ch in text) and bool(_MONEY.match(text.replace(" ", "")))


def _money_role(word: Word, columns: list[Column]) -> str | None:
    money = [column for column in columns if column.role in MONEY_ROLES]
    if not money:
        return None
    # Numbers are right-aligned under (or a little past) their heading: compare right edges.
    return min(money, key=lambda column: abs(column.x1 - word.x1)).role


def _join_marks(words: list[Word]) -> list[Word]:
    """'300.00 CR' printed as two words becomes one amount word."""
    joined: list[Word] = []
    for word in words:
        if word.text.upper() in ("CR", "DR") and joined and _is_money(joined[-1].text):
            joined[-1] = Word(joined[-1].x0, word.x1, f"{joined[-1].text}{word.text.upper()}")
        else:
            joined.append(word)
    return joined


def _read_table(text: PdfText) -> tuple[list[Draft], dict[str, str], list[Column] | None]:
    drafts: list[Draft] = []
    fields: dict[str, str] = {}
    columns: list[Column] | None = None
    first_money_x = 0.0
    for line in text.lines:
        heading = _heading_columns(line)
        if heading:
            columns = heading
            first_money_x = min(c.x0 for c in columns if c.role in MONEY_ROLES) - 40
            continue
        words = _join_marks(line.words)
        amounts = [w for w in words if _is_money(w.text) and (columns is None or w.x1 > first_money_x)]
        money_ids = {id(w) for w in amounts}
        label = " ".join(w.text for w in words if id(w) not in money_ids)
        if amounts and OPENING.search(label):
            fields.setdefault("opening", amounts[-1].text)
            continue
        if amounts and CLOSING.search(label):
            fields["closing"] = amounts[-1].text
            continue
        if columns is None:
            continue
        found = _date_prefix(words)
        date_column = next(c for c in columns if c.role == "date")
        if found and words[0].x0 < date_column.x1 + 30 and amounts:
            date_text, used = found
            money = {}
            for word in amounts:
                role = _money_role(word, columns)
                if role and role not in money:
                    money[role] = word.text
            description = [w.text for w in words[used:] if id(w) not in money_ids]
            drafts.append(Draft(date_text, description, money, line))
        elif drafts and not amounts and not found and not TOTAL.search(label) and line.page == drafts[-1].line.page:
            gap = line.y - drafts[-1].line.y
            if 0 < gap <= 18 and words[0].x0 > date_column.x1 - 5:  # the next line, under the description
                drafts[-1].extra_lines.append(label)
    return drafts, fields, columns


_FULL_DATES = (
    re.compile(r"(?<![\d.,])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d.,])"),
    re.compile(rf"(?<![\d.,])(\d{{1,2}})()\s*({MONTHS})[a-z]*\.?\s+(\d{{4}}|\d{{2}})(?![\d.,])", re.I),
)


def _anchor(text: PdfText) -> date | None:
    """The latest full date printed in the statement (statement date, period end, due date), within ten
    years of today (so that numbers that only look like dates are not taken)."""
    latest, today = None, datetime.now().date()
    for line in [*text.repeated[:50], *text.lines[:400]]:
        for pattern in _FULL_DATES:
            for day, _, month, year in pattern.findall(line.text):
                number = MONTH_NUMBERS.get(month[:3].lower()) or int(month)
                years = int(year) + (2000 if len(year) == 2 else 0)
                for d, m in ((int(day), number), (number, int(day))):
                    try:
                        found = date(years, m, d)
                    except ValueError:
                        continue
                    if abs((found - today).days) < 3650:
                        latest = max(latest or found, found)
                    break
    return latest


MONTH_NUMBERS = {
    name: index
    for index, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
} | {"sept": 9}


_NUMERIC_DATE = re.compile(r"^\d{1,2}[/.-]\d{1,2}")
_DATE_SEPARATOR = re.compile(r"[/.-]")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DATE_PARTS = re.compile(r"[/\- ]+")
_MINUS = re.compile(r"^-|.*\d-$")


def _day_first(dates: list[str]) -> bool:
    numeric = [_DATE_SEPARATOR.split(d) for d in dates if _NUMERIC_DATE.match(d)]
    if any(int(parts[0]) > 12 for parts in numeric):
        return True
    # Day first unless a month-first reading is forced: most of the world writes dates that way.
    return not any(int(parts[1]) > 12 for parts in numeric)


def _to_date(text: str, day_first: bool, anchor: date | None) -> date | None:
    text = text.strip().rstrip(",").replace(".", " ").replace(",", "")
    iso = _ISO_DATE.match(text)
    if iso:
        return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    parts = _DATE_PARTS.split(text)
    year = None
    if len(parts) == 3:
        year = int(parts[2]) + (2000 if len(parts[2]) == 2 else 0)
    if parts[0].isdigit() and parts[1].isdigit():
        day, month = (int(parts[0]), int(parts[1])) if day_first else (int(parts[1]), int(parts[0]))
    elif parts[0].isdigit():
        day, month = int(parts[0]), MONTH_NUMBERS.get(parts[1][:3].lower(), 0)
    else:
        day, month = int(parts[1]), MONTH_NUMBERS.get(parts[0][:3].lower(), 0)
    if year is None:
        # The year that puts the date at or before the statement's latest printed date (December rows of a
        # January statement belong to the year before), with two months' slack; with no date printed, the
        # latest such date that is not in the future.
        reference, slack = (anchor, 62) if anchor else (datetime.now().date(), 0)
        for candidate in (reference.year + 1, reference.year, reference.year - 1):
            try:
                found = date(candidate, month, day)
            except ValueError:
                continue
            if reference - timedelta(days=366) < found <= reference + timedelta(days=slack):
                return found
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_pdf_text(text: PdfText) -> ParsedStatement:
    drafts, fields, columns = _read_table(text)
    if columns is None:
        raise StatementError("No transaction table was found: no heading row with a date and an amount column.")
    if not drafts:
        raise StatementError("The transaction table has no rows with a date and an amount.")
    anchor = _anchor(text)
    day_first = _day_first([d.date_text for d in drafts])
    all_money = [v for d in drafts for v in d.money.values()] + list(fields.values())
    mark = guess_decimal_mark(all_money)
    single = not any(r in {"debit", "credit"} for d in drafts for r in d.money)
    signed = single and any(_MINUS.match(d.money.get("amount", "")) for d in drafts)
    rows, warnings = [], []
    for draft in drafts:
        booked = _to_date(draft.date_text, day_first, anchor)
        amount = _amount(draft, mark, single, signed)
        if booked is None or amount is None:
            warnings.append(f"Page {draft.line.page} line {draft.line.number}: no readable date or amount; skipped.")
            continue
        balance = parse_amount(draft.money["balance"], mark) if "balance" in draft.money else None
        description = " ".join([*draft.words, *draft.extra_lines]).strip() or "Transaction"
        raw = " ".join([draft.line.text, *draft.extra_lines])
        rows.append(ParsedRow(booked, description, amount, balance, raw=raw, line=draft.line.number,
                              page=draft.line.page))  # fmt: skip
    opening = parse_amount(fields["opening"], mark) if "opening" in fields else None
    closing = parse_amount(fields["closing"], mark) if "closing" in fields else None
    return ParsedStatement(
        rows=rows,
        opening_balance=opening,
        closing_balance=closing,
        period_start=min((r.booked_on for r in rows), default=None),
        period_end=max((r.booked_on for r in rows), default=None),
        warnings=warnings,
        details={
            "format": "pdf", "pages": text.pages, "columns": [c.role for c in columns], "day_first": day_first,
            "decimal_mark": mark, "amount_column": "signed" if signed else ("unsigned" if single else "debit/credit"),
            "pages_without_text": text.pages_without_text, "repeated_lines_dropped": text.dropped_repeated,
            "statement_date": anchor.isoformat() if anchor else None,
        },
    )  # fmt: skip


def _amount(draft: Draft, mark: str, single: bool, signed: bool) -> Decimal | None:
    if not single:
        debit = parse_amount(draft.money.get("debit", ""), mark)
        credit = parse_amount(draft.money.get("credit", ""), mark)
        if debit is None and credit is None:
            return None
        return abs(credit or Decimal(0)) - abs(debit or Decimal(0))
    text = draft.money.get("amount", "")
    value = parse_amount(text, mark)
    if value is None or signed:
        return value
    money_in = text.upper().endswith("CR") or text.strip().startswith("(")
    return abs(value) if money_in else -abs(value)
