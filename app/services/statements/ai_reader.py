"""Statements read by an AI provider, for those the system parser cannot read or cannot reconcile.

The extracted text goes to the user's provider a chunk of pages at a time with a JSON schema for the
answer (period, balances, rows with their page and the amount exactly as printed). The output-token
limit is sized to the chunk, and an answer cut off at that limit is a failure, not a short statement.

Nothing the model says is taken on trust: every row's printed amount must occur in its chunk's text and
read as the amount it gave, and the rows still go through the same balance reconciliation as the system
parser's (pipeline validation). A row whose amount is not in the text is flagged, which sends the
statement to review instead of importing it.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from app.config import Settings
from app.services.ai import structured
from app.services.ai.structured import AIFailed, AIUsage, Budget, ProviderChoice, Question
from app.services.statements.parsers.common import ParsedRow, ParsedStatement, parse_amount
from app.services.statements.parsers.pdf_text import PdfText

TOOL_NAME = "record_statement"
CHUNK_CHARACTERS = 8000  # pages are put together up to this much text; a longer page is a chunk alone
CSV_LINES_PER_CHUNK = 150
CONCURRENT_CHUNKS = 3
# Each printed row of ~60-100 characters comes back as ~100 characters of JSON: about a token per two
# characters of input covers it with room to spare; the floor covers the period and balances.
MIN_OUTPUT_TOKENS, MAX_OUTPUT_TOKENS = 1024, 16384

_NULLABLE_STRING = {"type": ["string", "null"]}
STATEMENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["currency", "period_start", "period_end", "opening_balance", "closing_balance", "rows"],
    "properties": {
        "currency": {**_NULLABLE_STRING, "description": "ISO 4217 code of the statement, if printed."},
        "period_start": {**_NULLABLE_STRING, "description": "YYYY-MM-DD, if printed on these pages."},
        "period_end": {**_NULLABLE_STRING, "description": "YYYY-MM-DD, if printed on these pages."},
        "opening_balance": {**_NULLABLE_STRING, "description": "Plain decimal, e.g. '-1234.50', if printed."},
        "closing_balance": {**_NULLABLE_STRING, "description": "Plain decimal, if printed on these pages."},
        "rows": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["date", "description", "amount", "amount_text", "balance", "page"],
                "properties": {
                    "date": {"type": "string", "description": "YYYY-MM-DD"},
                    "description": {"type": "string"},
                    "amount": {"type": "string", "description": "Plain signed decimal: negative is money out."},
                    "amount_text": {"type": "string", "description": "The amount exactly as printed."},
                    "balance": {**_NULLABLE_STRING, "description": "The row's running balance, plain decimal."},
                    "page": {"type": "integer"},
                },
            },
        },
    },
}

INSTRUCTIONS = (
    "You read bank and credit-card statements. From the text below (one or more pages, each starting with "
    "'--- page N ---'), list every transaction row in the order printed, and nothing else: no balances brought "
    "or carried forward, totals, summaries or advertising. For each row give the date as YYYY-MM-DD (when the "
    "year is not printed, take it from the statement period: {period}), the description (joining a description "
    "that wraps onto the next line), the amount as a plain signed decimal with '.' as the decimal mark "
    "(negative for money leaving the account: purchases, debits, fees, withdrawals; positive for money coming "
    "in: deposits, credits, refunds, payments to a card), amount_text: the amount exactly as printed, character "
    "for character, the running balance if the row prints one, and the page number. Give the period, opening "
    "and closing balances and currency only when these pages print them. Answer only through the schema."
)


@dataclass
class Chunk:
    pages: list[int]
    text: str
    # (page, line number, text) of every line, to point each row at the line it came from
    lines: list[tuple[int, int, str]] = field(default_factory=list)


@dataclass
class AIReading:
    statement: ParsedStatement
    usage: list[AIUsage]
    # rows whose amount_text is not in their chunk's text, or does not read as the amount given
    unverified: list[int] = field(default_factory=list)

    def usage_details(self) -> dict[str, Any]:
        return {
            "chunks": len(self.usage),
            "input_tokens": sum(u.input_tokens or 0 for u in self.usage),
            "output_tokens": sum(u.output_tokens or 0 for u in self.usage),
            "attempts": sum(u.attempts for u in self.usage),
            "latency_ms": max((u.latency_ms for u in self.usage), default=0),
        }


def pdf_chunks(text: PdfText) -> list[Chunk]:
    """Pages in order, headers and footers included (they print the period and balances)."""
    by_page: dict[int, list[tuple[float, int, str]]] = {}
    for line in [*text.lines, *text.repeated]:
        by_page.setdefault(line.page, []).append((line.y, line.number, line.text))
    chunks: list[Chunk] = []
    for page in sorted(by_page):
        lines = sorted(by_page[page])
        body = f"--- page {page} ---\n" + "\n".join(line for _, _, line in lines)
        if chunks and len(chunks[-1].text) + len(body) <= CHUNK_CHARACTERS:
            chunk = chunks[-1]
            chunk.pages.append(page)
            chunk.text += "\n" + body
        else:
            chunk = Chunk([page], body)
            chunks.append(chunk)
        chunk.lines.extend((page, number, line) for _, number, line in lines)
    return chunks


def csv_chunks(text: str) -> list[Chunk]:
    """The header line, then a slice of the rows, per chunk (the 'page' is the slice's number)."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    header, body = lines[0], lines[1:] or [""]
    chunks = []
    for index in range(0, len(body), CSV_LINES_PER_CHUNK):
        page = index // CSV_LINES_PER_CHUNK + 1
        part = body[index : index + CSV_LINES_PER_CHUNK]
        numbered = [(page, index + offset + 2, line) for offset, line in enumerate(part)]
        chunks.append(Chunk([page], f"--- page {page} ---\n{header}\n" + "\n".join(part), numbered))
    return chunks


def output_tokens_for(chunk: Chunk) -> int:
    return max(MIN_OUTPUT_TOKENS, min(MAX_OUTPUT_TOKENS, len(chunk.text) // 2 + 512))


_SPACE = re.compile(r"\s+")


def _squash(text: str) -> str:
    return _SPACE.sub("", text)


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise AIFailed(f"the answer gave '{str(value)[:30]}' as a number") from None
    if not number.is_finite():
        raise AIFailed("the answer gave a number that is not finite")
    return number


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise AIFailed(f"the answer gave '{str(value)[:30]}' as a date") from None


def _printed_as(row: dict[str, Any], amount: Decimal, chunk: Chunk) -> tuple[bool, int | None, str]:
    """Whether the amount as printed is in the chunk and reads as `amount`, and the line it is on."""
    printed = str(row.get("amount_text") or "").strip()
    read = parse_amount(printed) if printed else None
    if not printed or read is None or abs(read) != abs(amount) or _squash(printed) not in _squash(chunk.text):
        return False, None, ""
    page = row.get("page")
    squashed = _squash(printed)
    for line_page, number, text in chunk.lines:
        if (page is None or line_page == page) and squashed in _squash(text):
            return True, number, text
    return True, None, ""


def read_answer(answer: dict[str, Any], chunk: Chunk) -> tuple[ParsedStatement, list[int]]:
    """One chunk's answer as a ParsedStatement, and the indexes of its rows whose amounts are not in the text."""
    rows, unverified = [], []
    raw_rows = answer.get("rows")
    if not isinstance(raw_rows, list):
        raise AIFailed("the answer has no list of rows")
    for raw in raw_rows:
        if not isinstance(raw, dict):
            raise AIFailed("a row of the answer is not an object")
        booked_on, amount = _date(raw.get("date")), _decimal(raw.get("amount"))
        if booked_on is None or amount is None:
            raise AIFailed("a row of the answer has no date or amount")
        found, line, text = _printed_as(raw, amount, chunk)
        if not found:
            unverified.append(len(rows))
        page = raw.get("page") if isinstance(raw.get("page"), int) else chunk.pages[0]
        description = " ".join(str(raw.get("description") or "").split())[:500]
        rows.append(ParsedRow(booked_on, description, amount, _decimal(raw.get("balance")), None,
                              text or str(raw.get("amount_text") or "")[:200], line, page))  # fmt: skip
    currency = answer.get("currency")
    statement = ParsedStatement(
        rows,
        currency=currency.upper() if isinstance(currency, str) and len(currency) == 3 else None,
        opening_balance=_decimal(answer.get("opening_balance")),
        closing_balance=_decimal(answer.get("closing_balance")),
        period_start=_date(answer.get("period_start")),
        period_end=_date(answer.get("period_end")),
    )
    return statement, unverified


def combine(parts: list[ParsedStatement], unverified: list[list[int]], details: dict[str, Any]) -> AIReading:
    """The chunks' answers as one statement: rows in order, the first opening and last closing balance."""
    rows: list[ParsedRow] = []
    flagged: list[int] = []
    for part, bad in zip(parts, unverified, strict=True):
        flagged.extend(len(rows) + index for index in bad)
        rows.extend(part.rows)
    openings = [p.opening_balance for p in parts if p.opening_balance is not None]
    closings = [p.closing_balance for p in parts if p.closing_balance is not None]
    starts = [p.period_start for p in parts if p.period_start]
    ends = [p.period_end for p in parts if p.period_end]
    currencies = {p.currency for p in parts if p.currency}
    statement = ParsedStatement(
        rows,
        currency=currencies.pop() if len(currencies) == 1 else None,
        opening_balance=openings[0] if openings else None,
        closing_balance=closings[-1] if closings else None,
        period_start=min(starts) if starts else None,
        period_end=max(ends) if ends else None,
        details={**details, "parser": "ai"},
    )
    if flagged:
        statement.warnings.append(f"{len(flagged)} amount(s) the AI gave are not printed in the statement.")
    return AIReading(statement, [], flagged)


async def read(
    settings: Settings, choice: ProviderChoice, chunks: list[Chunk], period_hint: str, details: dict[str, Any]
) -> AIReading:
    """Ask the provider about every chunk (a few at a time); any chunk failing fails the whole reading."""
    if not chunks:
        raise AIFailed("the statement has no text to read")
    system = INSTRUCTIONS.format(period=period_hint or "not known; use the dates printed")
    budget = Budget(
        settings.ai_statement_timeout_seconds, settings.ai_parse_attempts, settings.ai_parse_backoff_seconds
    )
    gate = asyncio.Semaphore(CONCURRENT_CHUNKS)
    usage: list[AIUsage] = []

    async def one(chunk: Chunk) -> tuple[ParsedStatement, list[int]]:
        question = Question(TOOL_NAME, "Record the statement's rows.", STATEMENT_SCHEMA, system, chunk.text,
                            output_tokens_for(chunk))  # fmt: skip
        async with gate:
            answer, spent = await structured.ask(settings, choice, question, budget)
        usage.append(spent)
        try:
            return read_answer(answer, chunk)
        except AIFailed as failure:
            failure.usage = spent
            raise

    try:
        async with asyncio.TaskGroup() as group:  # a failing chunk cancels the others
            tasks = [group.create_task(one(chunk)) for chunk in chunks]
    except* AIFailed as failures:
        raise failures.exceptions[0] from None
    results = [task.result() for task in tasks]
    reading = combine([r[0] for r in results], [r[1] for r in results], details)
    reading.usage = usage
    return reading
