"""The recurring-expense job: every hour, make whatever has fallen due (catching up after downtime)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.logging import get_logger
from app.services.recurring.service import run_due
from app.workers.context import job

log = get_logger(__name__)


@job
async def create_due_recurring_expenses(ctx: dict[str, Any]) -> int:
    async with ctx["db"].session() as session:
        made = await run_due(session, datetime.now(UTC).date())
    log.info("recurring_expenses_made", count=made)
    return made
