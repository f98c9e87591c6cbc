"""Report jobs: generate one report (idempotent: a finished one is left alone), and every hour delete the
files of reports past their expiry."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from app.logging import get_logger
from app.services.reports import service
from app.workers.context import job

log = get_logger(__name__)


@job
async def generate_report(ctx: dict[str, Any], report_id: str) -> str:
    status = await service.generate(ctx["db"].session, ctx["settings"], uuid.UUID(report_id))
    log.info("report_generated", report_id=report_id, status=status.value)
    return status.value


@job
async def remove_expired_reports(ctx: dict[str, Any]) -> int:
    async with ctx["db"].session() as session:
        removed = await service.remove_expired(session, datetime.now(UTC))
    log.info("reports_expired", count=removed)
    return removed
