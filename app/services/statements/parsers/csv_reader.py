"""Bank CSV exports in any dialect: the encoding (UTF-8/16 with or without BOM, else cp1252), the
delimiter, the header row and each column's role are detected; dates and decimal marks are read from
the whole column. A remembered mapping (per account) can name the columns instead.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from app.services.statements.parsers.common import (
    ParsedRow,
    ParsedStatement,
    StatementError,
    guess_date_format,
    guess_decimal_mark,
    parse_amount,
    read_date,
)

# Header words (accents and case folded) for each role, most specific first.
ROLES: dict[str, tuple[str, ...]] = {
    "date": ("booking date", "transaction date", "posted date", "posting date", "date", "buchungstag", "fecha",
             "date de valeur", "datum", "journaldate", "created", "value date", "wertstellung"),
    "debit": ("debit amount", "debit", "withdrawal", "withdrawals", "money out", "paid out", "outflow", "debito"),
    "credit": ("credit amount", "credit", "deposit", "deposits", "money in", "paid in", "inflow", "credito"),
    "amount": ("amount (eur)", "transaction amount", "amount", "betrag", "montant", "importe", "netamount", "total",
               "value"),
    "balance": ("running balance", "runningbalance", "balance", "kontostand", "solde", "saldo"),
    "description": ("description", "payee", "partner name", "merchant name", "merchant", "name", "details",
                    "narrative", "libelle", "concepto", "desc", "auftraggeber/empfanger", "buchungstext", "memo",
                    "reference", "items", "description 1", "description1"),
    "currency": ("currency", "monn.", "wahrung", "devise"),
    "indicator": ("debit/credit", "cr/dr", "dr/cr", "credit/debit indicator", "transaction type", "type"),
}  # fmt: skip


@dataclass
class Columns:
    date: int
    description: list[int]
    amount: int | None = None
    debit: int | None = None
    credit: int | None = None
    balance: int | None = None
    currency: int | None = None
    indicator: int | None = None


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was in."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(name), name
    if data[:200].count(b"\x00") > 20:  # UTF-16 without a BOM
        return data.decode("utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(text.strip().strip('"').lower().split())


def _role_of(header: str) -> str | None:
    folded = _fold(header)
    for role, names in ROLES.items():
        if folded in names:
            return role
    return None


def _find_header(rows: list[list[str]]) -> tuple[int, Columns] | None:
    for index, row in enumerate(rows[:30]):
        roles: dict[str, list[int]] = {}
        for position, cell in enumerate(row):
            role = _role_of(cell)
            if role:
                roles.setdefault(role, []).append(position)
        has_money = "amount" in roles or "debit" in roles or "credit" in roles
        if "date" in roles and has_money:
            return index, Columns(
                date=roles["date"][0],
                description=roles.get("description", [])[:2],
                amount=roles.get("amount", [None])[0],
                debit=roles.get("debit", [None])[0],
                credit=roles.get("credit", [None])[0],
                balance=roles.get("balance", [None])[0],
                currency=roles.get("currency", [None])[0],
                indicator=roles.get("indicator", [None])[0],
            )
    return None


MAPPABLE = ("date", "description", "amount", "debit", "credit", "balance", "currency", "indicator")


def _mapped_header(rows: list[list[str]], mapping: dict[str, list[str]]) -> tuple[int, Columns] | None:
    """The header row holding every column the mapping names (header names, compared folded)."""
    if not mapping.get("date"):
        return None
    for index, row in enumerate(rows[:30]):
        positions = {_fold(cell): position for position, cell in reversed(list(enumerate(row)))}
        named = {role: [positions.get(_fold(name)) for name in names] for role, names in mapping.items() if names}
        if any(position is None for found in named.values() for position in found):
            continue
        first = {role: found[0] for role, found in named.items()}
        return index, Columns(
            date=first["date"], description=[p for p in named.get("description", []) if p is not None][:3],
            amount=first.get("amount"), debit=first.get("debit"), credit=first.get("credit"),
            balance=first.get("balance"), currency=first.get("currency"), indicator=first.get("indicator"),
        )  # fmt: skip
    return None


def column_names(header: list[str], columns: Columns) -> dict[str, list[str]]:
    """The columns by their header names, as an account remembers them."""
    names: dict[str, list[str]] = {}
    for role in MAPPABLE:
        value = getattr(columns, role)
        positions = value if isinstance(value, list) else ([value] if value is not None else [])
        if positions:
            names[role] = [header[p].strip() for p in positions if p < len(header)]
    return names


def _dialect(text: str) -> csv.Dialect | type[csv.Dialect]:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def _cell(row: list[str], position: int | None) -> str:
    return row[position].strip() if position is not None and position < len(row) else ""


def parse_csv(
    data: bytes, *, day_first: bool | None = None, mapping: dict[str, list[str]] | None = None
) -> ParsedStatement:
    """`mapping` names the columns by header ({"date": ["Buchungstag"], "amount": ["Betrag"], ...}), as the
    account remembers them; a file whose header lacks one of them is read by detection instead."""
    text, encoding = decode(data)
    dialect = _dialect(text)
    # Old Mac exports end lines with a bare CR, which the csv module refuses.
    rows = list(csv.reader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n")), dialect))
    found = _mapped_header(rows, mapping) if mapping else None
    mapped = found is not None
    found = found or _find_header(rows)
    if found is None:
        raise StatementError(
            "No header row with a date and an amount (or debit/credit) column was found in this CSV file."
        )
    header_index, columns = found
    body = [(number, row) for number, row in enumerate(rows[header_index + 1 :], start=header_index + 2) if any(row)]
    dates = [_cell(row, columns.date) for _, row in body]
    date_format = guess_date_format(dates, day_first=day_first)
    # Whether the dates themselves settle day-or-month first (a day over 12 somewhere), so the account can
    # remember it for files that do not.
    settled = guess_date_format(dates, day_first=True) == guess_date_format(dates, day_first=False)
    if date_format is None:
        raise StatementError(f"The dates in column '{rows[header_index][columns.date]}' are in no format we know.")
    money_columns = [p for p in (columns.amount, columns.debit, columns.credit) if p is not None]
    money_cells = [_cell(row, p) for _, row in body for p in money_columns]
    mark = guess_decimal_mark(money_cells)
    parsed: list[ParsedRow] = []
    warnings: list[str] = []
    currencies: set[str] = set()
    for number, row in body:
        raw_date = _cell(row, columns.date)
        amount = _row_amount(row, columns, mark)
        if not raw_date or amount is None:
            warnings.append(f"Line {number} has no date or amount and was skipped.")
            continue
        description = " ".join(_cell(row, p) for p in columns.description if _cell(row, p)) or "Transaction"
        balance = parse_amount(_cell(row, columns.balance), mark) if columns.balance is not None else None
        if currency := _cell(row, columns.currency).upper():
            currencies.add(currency)
        try:
            booked_on = read_date(raw_date, date_format)
        except ValueError:
            warnings.append(f"Line {number}: '{raw_date[:30]}' is not a date; the line was skipped.")
            continue
        row_text = dialect.delimiter.join(row)[:500]
        parsed.append(ParsedRow(booked_on, description, amount, balance, raw=row_text, line=number))
    if not parsed:
        raise StatementError("This CSV file has no rows with both a date and an amount.")
    currency = currencies.pop() if len(currencies) == 1 else None
    return ParsedStatement(
        rows=parsed,
        currency=currency if currency and re.fullmatch(r"[A-Z]{3}", currency) else None,
        period_start=min(row.booked_on for row in parsed),
        period_end=max(row.booked_on for row in parsed),
        warnings=warnings[:50],
        details={
            "format": "csv", "encoding": encoding, "delimiter": dialect.delimiter, "header_line": header_index + 1,
            "date_format": date_format, "decimal_mark": mark, "date_order_settled_by_data": settled,
            "columns": {k: v for k, v in columns.__dict__.items() if v is not None},
            "column_names": column_names(rows[header_index], columns), "columns_from": "account" if mapped else
            "detected",
        },
    )  # fmt: skip


def _row_amount(row: list[str], columns: Columns, mark: str) -> Decimal | None:
    if columns.debit is not None or columns.credit is not None:
        debit = parse_amount(_cell(row, columns.debit), mark) if columns.debit is not None else None
        credit = parse_amount(_cell(row, columns.credit), mark) if columns.credit is not None else None
        if debit is None and credit is None:
            return parse_amount(_cell(row, columns.amount), mark) if columns.amount is not None else None
        return (credit or Decimal(0)) - abs(debit or Decimal(0))
    amount = parse_amount(_cell(row, columns.amount), mark)
    indicator = _cell(row, columns.indicator).upper()
    if amount is not None and indicator in ("D", "DR", "DEBIT"):
        amount = -abs(amount)
    return amount
