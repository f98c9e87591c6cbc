"""Analytics jobs: every five minutes the days touched by changed expenses are recomputed for the people
and groups involved, with the days changes left behind (fresh within minutes); every night yesterday is
recomputed for everyone and spending patterns are analysed for those active that day. Both are
idempotent: a second run writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.logging import get_logger
from app.services.analytics import service, stale
from app.workers.context import job

log = get_logger(__name__)
WATERMARK_KEY = "analytics:changed-until"
# updated_at is the time a transaction started; one still open when we look commits later with an older
# time. Looking only at changes at least this old catches it on the next pass.
SETTLE = timedelta(minutes=2)


@job
async def analytics_changes(ctx: dict[str, Any]) -> int:
    redis = ctx["redis"]
    until = datetime.now(UTC) - SETTLE
    stored = await redis.get(WATERMARK_KEY)
    since = datetime.fromisoformat(stored.decode() if isinstance(stored, bytes) else stored) if stored else (
        until - timedelta(minutes=10))  # fmt: skip
    days = await stale.pending()
    async with ctx["db"].session() as session:
        written = await service.changed_since(session, since, until, days)
    await redis.set(WATERMARK_KEY, until.isoformat())
    await stale.done(len(days))  # only now: a pass that dies leaves them for the next one
    log.info("analytics_changes", rows=written.rows, removed=written.removed, since=since.isoformat())
    return written.rows


@job
async def analytics_nightly(ctx: dict[str, Any]) -> int:
    day = datetime.now(UTC).date() - timedelta(days=1)
    async with ctx["db"].session() as session:
        written = await service.nightly(session, day)
    log.info("analytics_nightly", day=day.isoformat(), rows=written.rows, removed=written.removed)
    return written.rows
