"""ISO 20022 CAMT.053 bank-to-customer statements (XML): entries with their amounts, credit/debit marks,
booking dates, the bank's reference, and the opening (OPBD) and closing (CLBD) booked balances."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree

from app.services.statements.parsers.common import ParsedRow, ParsedStatement, StatementError


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: ElementTree.Element | None, *path: str) -> ElementTree.Element | None:
    for name in path:
        if element is None:
            return None
        element = next((c for c in element if _local(c.tag) == name), None)
    return element


def _text(element: ElementTree.Element | None, *path: str) -> str | None:
    found = _child(element, *path)
    return found.text.strip() if found is not None and found.text else None


def _signed(entry: ElementTree.Element) -> tuple[Decimal, str | None]:
    amount = _child(entry, "Amt")
    if amount is None or not amount.text:
        raise ValueError("no amount")
    value = Decimal(amount.text.strip())
    return (-value if _text(entry, "CdtDbtInd") == "DBIT" else value), amount.get("Ccy")


def _iso_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _day(element: ElementTree.Element | None) -> date | None:
    return _iso_day(_text(element, "Dt") or _text(element, "DtTm"))


def parse_camt(data: bytes) -> ParsedStatement:
    try:
        root = ElementTree.fromstring(data)  # noqa: S314 - expat refuses entity expansion bombs (2.4+)
    except ElementTree.ParseError as error:
        raise StatementError(f"This CAMT.053 file is not well-formed XML ({error}).") from None
    statement = next((e for e in root.iter() if _local(e.tag) == "Stmt"), None)
    if statement is None:
        raise StatementError("This XML file holds no CAMT.053 statement.")
    rows, warnings, currency = [], [], None
    opening = closing = None
    for balance in (e for e in statement if _local(e.tag) == "Bal"):
        kind = _text(balance, "Tp", "CdOrPrtry", "Cd")
        try:
            value, currency = _signed(balance)
        except (ValueError, InvalidOperation):
            continue
        if kind in ("OPBD", "PRCD"):
            opening = value
        elif kind == "CLBD":
            closing = value
    for number, entry in enumerate((e for e in statement if _local(e.tag) == "Ntry"), start=1):
        try:
            amount, entry_currency = _signed(entry)
        except (ValueError, InvalidOperation):
            warnings.append(f"Entry {number} has no readable amount and was skipped.")
            continue
        booked = _day(_child(entry, "BookgDt")) or _day(_child(entry, "ValDt"))
        if booked is None:
            warnings.append(f"Entry {number} has no booking date and was skipped.")
            continue
        details = _child(entry, "NtryDtls", "TxDtls")
        description = (
            _text(details, "RmtInf", "Ustrd") or _text(details, "RltdPties", "Cdtr", "Nm")
            or _text(details, "RltdPties", "Dbtr", "Nm") or _text(entry, "AddtlNtryInf") or "Transaction"
        )  # fmt: skip
        reference = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
        rows.append(ParsedRow(booked, description, amount, bank_id=reference, raw=description, line=number))
        currency = currency or entry_currency
    period = _child(statement, "FrToDt")
    return ParsedStatement(
        rows=rows,
        currency=currency,
        opening_balance=opening,
        closing_balance=closing,
        period_start=_iso_day(_text(period, "FrDtTm")),
        period_end=_iso_day(_text(period, "ToDtTm")),
        account_hint=_text(statement, "Acct", "Id", "IBAN"),
        warnings=warnings,
        details={"format": "camt053", "entries": len(rows)},
    )
