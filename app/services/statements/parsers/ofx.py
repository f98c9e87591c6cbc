"""A lenient OFX reader for SGML (1.x: tags often never closed) and XML (2.x) files.

Keeps each transaction's FITID (the bank's id, for de-duplication), the ledger balance and the period.
A file with several accounts gives the one matching `last_four`, else the first, with a warning.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from app.services.statements.parsers.common import ParsedRow, ParsedStatement, StatementError, parse_amount

_STATEMENT = re.compile(r"<(STMTRS|CCSTMTRS)>(.*?)(?:</\1>|(?=<(?:STMTRS|CCSTMTRS)>)|\Z)", re.S | re.I)
_TRANSACTION = re.compile(r"<STMTTRN>(.*?)(?:</STMTTRN>|(?=<STMTTRN>)|(?=</BANKTRANLIST>)|\Z)", re.S | re.I)


def _tag(block: str, name: str) -> str | None:
    match = re.search(rf"<{name}>([^<\r\n]*)", block, re.I)
    value = match.group(1).strip() if match else None
    return value or None


def _ofx_date(value: str | None) -> date | None:
    if not value:
        return None
    digits = re.match(r"(\d{4})(\d{2})(\d{2})", value)
    if not digits:
        return None
    try:
        return date(int(digits.group(1)), int(digits.group(2)), int(digits.group(3)))
    except ValueError:
        return None


def _balance(block: str, name: str) -> tuple[Decimal | None, date | None]:
    match = re.search(rf"<{name}>(.*?)(?:</{name}>|(?=<AVAILBAL>)|\Z)", block, re.S | re.I)
    if not match:
        return None, None
    amount = _tag(match.group(1), "BALAMT")
    return (parse_amount(amount, ".") if amount else None), _ofx_date(_tag(match.group(1), "DTASOF"))


def parse_ofx(text: str, last_four: str | None = None) -> ParsedStatement:
    statements = [m.group(2) for m in _STATEMENT.finditer(text)]
    if not statements:
        if error := re.search(r"<SEVERITY>\s*ERROR(.*?)(?:</STATUS>|\Z)", text, re.I | re.S):
            message = _tag(error.group(1), "MESSAGE") or "an error"
            raise StatementError(f"The bank's OFX file reports an error instead of a statement: {message}.")
        raise StatementError("This OFX file holds no bank or card statement.")
    warnings: list[str] = []
    chosen = statements[0]
    if len(statements) > 1:
        matching = [s for s in statements if last_four and (_tag(s, "ACCTID") or "").endswith(last_four)]
        chosen = matching[0] if matching else statements[0]
        warnings.append(f"The file holds {len(statements)} accounts; read {_tag(chosen, 'ACCTID') or 'the first'}.")
    rows: list[ParsedRow] = []
    line_of = _line_index(text)
    offset = text.find(chosen)
    for match in _TRANSACTION.finditer(chosen):
        block = match.group(1)
        booked_on = _ofx_date(_tag(block, "DTPOSTED")) or _ofx_date(_tag(block, "DTUSER"))
        raw_amount = _tag(block, "TRNAMT")
        amount = parse_amount(raw_amount) if raw_amount else None
        if booked_on is None or amount is None:
            warnings.append(
                f"A transaction without a readable date or amount was skipped (FITID {_tag(block, 'FITID')})."
            )
            continue
        name, memo = _tag(block, "NAME") or _tag(block, "PAYEE"), _tag(block, "MEMO")
        description = " – ".join(part for part in (name, memo if memo != name else None) if part)
        rows.append(
            ParsedRow(
                booked_on=booked_on,
                description=_unescape(description or _tag(block, "TRNTYPE") or "Transaction"),
                amount=amount,
                bank_id=_tag(block, "FITID"),
                raw=" ".join(block.split())[:500],
                line=line_of(offset + match.start()),
            )
        )
    closing, as_of = _balance(chosen, "LEDGERBAL")
    start = _ofx_date(_tag(chosen, "DTSTART"))
    end = _ofx_date(_tag(chosen, "DTEND")) or as_of
    return ParsedStatement(
        rows=rows,
        currency=(_tag(chosen, "CURDEF") or "").upper() or None,
        closing_balance=closing,
        period_start=start,
        period_end=end,
        account_hint=_tag(chosen, "ACCTID"),
        warnings=warnings,
        details={"format": "ofx", "accounts_in_file": len(statements)},
    )


def _unescape(text: str) -> str:
    return text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&apos;", "'").strip()


def _line_index(text: str):  # type: ignore[no-untyped-def]
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_of(position: int) -> int:
        low, high = 0, len(starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if starts[middle] <= position:
                low = middle
            else:
                high = middle - 1
        return low + 1

    return line_of
