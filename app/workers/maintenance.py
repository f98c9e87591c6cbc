"""Housekeeping: one-time tokens that can no longer be used are deleted after a grace period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete

from app.db import Database
from app.logging import get_logger
from app.models import EmailVerification, PasswordReset, RefreshToken
from app.workers.context import job

log = get_logger(__name__)

# Kept this long after expiry so support can still see why a link did not work.
TOKEN_GRACE = timedelta(days=7)


async def purge_expired_tokens_now(database: Database, now: datetime | None = None) -> dict[str, int]:
    cutoff = (now or datetime.now(UTC)) - TOKEN_GRACE
    removed: dict[str, int] = {}
    async with database.session() as session:
        for model in (EmailVerification, PasswordReset, RefreshToken):
            result = await session.execute(delete(model).where(model.expires_at < cutoff))
            removed[model.__tablename__] = result.rowcount or 0
    return removed


@job
async def purge_expired_tokens(ctx: dict[str, Any]) -> dict[str, int]:
    removed = await purge_expired_tokens_now(ctx["db"])
    log.info("expired_tokens_purged", **removed)
    return removed
