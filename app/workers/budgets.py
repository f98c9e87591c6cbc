"""The budget-alert job: every ten minutes, each active budget's current period is checked and a
notification goes out for every threshold newly crossed (once per category, threshold and period)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.logging import get_logger
from app.services.budgets.service import check_all
from app.workers.context import job

log = get_logger(__name__)


@job
async def check_budget_alerts(ctx: dict[str, Any]) -> int:
    async with ctx["db"].session() as session:
        sent = await check_all(session, datetime.now(UTC))
    log.info("budget_alerts_sent", count=sent)
    return sent
