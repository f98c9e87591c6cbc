"""Statements the system parser cannot read, read by the user's AI provider through its official SDK against
the fake provider servers. The AI's rows are imported only when they reconcile and every amount is printed
in the statement; a failing provider or a made-up amount imports nothing and says why."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from app.models import AISettings, StatementProcessingLog, UploadedFile
from app.models.enums import FileStatus, ParserProvider, ParserType, ProcessingStage, StageStatus
from app.services.statements import ai_reader, review, uploads
from app.services.statements.pipeline import process
from app.services.statements.review import AcceptRequest
from tests.fakes.ai_providers import GOOD_KEYS
from tests.statement_pdfs import Printed, bank_statement, unlabelled_statement
from tests.test_statements import expenses_of, upload
from tests.test_statements import world as world  # the fixture, shared

PROVIDER_OF = {"openai": ParserProvider.OPENAI, "anthropic": ParserProvider.CLAUDE, "gemini": ParserProvider.GEMINI}


async def use_provider(database, settings, user, provider: str) -> None:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        row = AISettings(user_id=user.id, active_parser_provider=PROVIDER_OF[provider])
        setattr(row, f"{provider}_api_key", settings.secret_box().encrypt(GOOD_KEYS[provider]))
        session.add(row)


def careful_model(printed: list[Printed], change: Callable[[list[dict[str, Any]]], None] | None = None):  # type: ignore[no-untyped-def]
    """Answers as a careful model would: the rows printed on the pages in the prompt."""

    def answer(prompt: str) -> dict[str, Any]:
        pages = {int(number) for number in re.findall(r"--- page (\d+) ---", prompt)}
        rows = [
            {"date": p.booked_on.isoformat(), "description": p.description, "amount": str(p.amount),
             "amount_text": p.amount_text, "balance": str(p.balance), "page": p.page}
            for p in printed if p.page in pages
        ]  # fmt: skip
        if change is not None:
            change(rows)
        return {"currency": None, "period_start": None, "period_end": None, "opening_balance": None,
                "closing_balance": None, "rows": rows}  # fmt: skip

    return answer


async def stage_logs(database, file_id) -> dict[ProcessingStage, StatementProcessingLog]:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        query = select(StatementProcessingLog).where(StatementProcessingLog.uploaded_file_id == file_id)
        return {row.processing_stage: row for row in (await session.scalars(query)).all()}


@pytest.mark.parametrize("provider", ["openai", "anthropic", "gemini"])
async def test_a_statement_the_system_parser_cannot_read_is_read_by_the_ai(world, ai, provider) -> None:
    (database, user), (settings, fake) = world, ai
    data, printed = unlabelled_statement(date(2026, 1, 3), 70)  # three pages
    await use_provider(database, settings, user, provider)
    fake.reset("good", careful_model(printed))
    queued, account_id = await upload(database, settings, user, data, "bare.pdf", currency="GBP")
    assert await process(database, settings, queued.id) == FileStatus.COMPLETED
    assert await expenses_of(database, account_id) == sorted((p.booked_on, p.description, p.amount) for p in printed)
    logs = await stage_logs(database, queued.id)
    assert logs[ProcessingStage.PARSE_ATTEMPT].status == StageStatus.FAILED  # the system parser found no table
    ai_log = logs[ProcessingStage.AI_PARSE]
    assert (ai_log.status, ai_log.parser_type, ai_log.ai_provider) == (StageStatus.SUCCESS, ParserType.AI, provider)
    assert ai_log.details["used"] == "ai" and ai_log.details["chunks"] == len(fake.requests) >= 1
    assert logs[ProcessingStage.VALIDATION].parser_type == ParserType.AI
    async with database.session() as session:
        file = await session.get(UploadedFile, queued.id)
        assert file.confidence == 90 and file.parsed_json["details"]["parser"] == "ai"
        compared = await uploads.comparison(session, user, queued.id)
    first = compared["rows"][0]
    assert first["line"] is not None and printed[0].amount_text in first["raw"]


def test_chunks_and_their_output_limits_follow_the_text() -> None:
    from app.services.statements.parsers.pdf_text import extract, open_pdf

    data, _ = unlabelled_statement(date(2026, 1, 3), 400, rows_per_page=50)  # eight pages
    chunks = ai_reader.pdf_chunks(extract(open_pdf(data)))
    assert [page for chunk in chunks for page in chunk.pages] == list(range(1, 9))
    assert all(len(chunk.text) <= ai_reader.CHUNK_CHARACTERS for chunk in chunks) and len(chunks) > 1
    assert "Statement of account, period" in chunks[0].text  # the header, though repeated on every page
    limits = [ai_reader.output_tokens_for(chunk) for chunk in chunks]
    assert all(ai_reader.MIN_OUTPUT_TOKENS <= limit <= ai_reader.MAX_OUTPUT_TOKENS for limit in limits)
    assert limits[-1] < limits[0]  # the last chunk holds less text, and may answer less


async def test_an_amount_the_ai_made_up_sends_the_statement_to_review(world, ai) -> None:
    (database, user), (settings, fake) = world, ai
    data, printed = unlabelled_statement(date(2026, 1, 3), 20)

    def invent(rows: list[dict[str, Any]]) -> None:
        # One row's amount and balance changed the same way: the balances still chain, but it is not printed.
        rows[4]["amount"], rows[4]["amount_text"] = "-99.99", "-99.99"
        for row in rows[4:]:
            row["balance"] = str(Decimal(row["balance"]) - Decimal("99.99") + (-Decimal(printed[4].amount)))

    await use_provider(database, settings, user, "openai")
    fake.reset("good", careful_model(printed, invent))
    queued, account_id = await upload(database, settings, user, data, "bare.pdf")
    assert await process(database, settings, queued.id) == FileStatus.NEEDS_REVIEW
    assert await expenses_of(database, account_id) == []
    async with database.session() as session:
        file = await session.get(UploadedFile, queued.id)
        assert "not printed in the statement" in file.error_message
        drafts = file.parsed_json["rows"]
        assert drafts[4].get("flags") == ["amount_not_in_text"] and "flags" not in drafts[3]
        # The user fixes the row and accepts: everything is imported.
        fixed = AcceptRequest(rows=[{"index": 4, "amount": printed[4].amount}])
        await review.accept(session, user, queued.id, fixed)
    assert len(await expenses_of(database, account_id)) == len(printed)


@pytest.mark.parametrize(("behaviour", "reason"), [("malformed", "not JSON"), ("truncated", "cut off"),
                                                   ("429", "rate limited")])  # fmt: skip
async def test_a_failing_provider_leaves_the_system_result_and_imports_nothing(world, ai, behaviour, reason) -> None:
    (database, user), (settings, fake) = world, ai
    data, printed = unlabelled_statement(date(2026, 1, 3), 10)
    await use_provider(database, settings, user, "openai")
    fake.reset(behaviour, careful_model(printed))
    queued, account_id = await upload(database, settings, user, data, "bare.pdf")
    assert await process(database, settings, queued.id) == FileStatus.FAILED
    assert await expenses_of(database, account_id) == []
    logs = await stage_logs(database, queued.id)
    assert logs[ProcessingStage.AI_PARSE].status == StageStatus.FAILED
    assert reason in logs[ProcessingStage.AI_PARSE].details["error"]
    async with database.session() as session:
        file = await session.get(UploadedFile, queued.id)
        assert "No transaction table was found" in file.error_message  # the system parser's reason


async def test_the_ai_is_not_asked_about_a_statement_that_reconciles_unless_the_user_asks(world, ai) -> None:
    (database, user), (settings, fake) = world, ai
    data, printed = bank_statement(date(2026, 2, 1), 10)
    await use_provider(database, settings, user, "gemini")
    queued, account_id = await upload(database, settings, user, data, "feb.pdf", currency="GBP")
    assert await process(database, settings, queued.id) == FileStatus.COMPLETED
    logs = await stage_logs(database, queued.id)
    assert logs[ProcessingStage.AI_PARSE].status == StageStatus.SKIPPED and fake.requests == []
    # Asked for, a reading that does not reconcile (a row missing) is logged and the system's rows stay.
    fake.reset("good", {"currency": None, "period_start": None, "period_end": None, "opening_balance": "1200.00",
                        "closing_balance": "1.00", "rows": []})  # fmt: skip
    async with database.session() as session:
        await uploads.reprocess(session, user, queued.id, None, use_ai=True)
    assert await process(database, settings, queued.id, use_ai=True) == FileStatus.COMPLETED
    async with database.session() as session:
        latest = (await session.scalars(select(StatementProcessingLog).where(
            StatementProcessingLog.uploaded_file_id == queued.id,
            StatementProcessingLog.processing_stage == ProcessingStage.AI_PARSE,
        ).order_by(StatementProcessingLog.created_at.desc()))).first()  # fmt: skip
    assert latest.details["used"] == "system" and len(fake.requests) == 1
    assert len(await expenses_of(database, account_id)) == len(printed)


async def test_without_a_provider_the_system_parsers_reason_stands(world, ai) -> None:
    (database, user), (settings, _) = world, ai
    data, _ = unlabelled_statement(date(2026, 1, 3), 5)
    queued, _ = await upload(database, settings, user, data, "bare.pdf")
    assert await process(database, settings, queued.id) == FileStatus.FAILED
    logs = await stage_logs(database, queued.id)
    assert "no AI provider" in logs[ProcessingStage.AI_PARSE].details["reason"]
    assert "No transaction table" in logs[ProcessingStage.VALIDATION].details["error"]
