"""Housekeeping: one-time tokens that can no longer be used are deleted after a grace period, and
idempotency keys after a day; exchange rates are fetched from the configured provider."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete

from app.db import Database
from app.idempotency import purge_old_keys
from app.logging import get_logger
from app.models import EmailVerification, PasswordReset, RefreshToken
from app.services.reference.rates import RatesError, refresh
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
        removed["idempotency_keys"] = await purge_old_keys(session, now)
    return removed


@job
async def purge_expired_tokens(ctx: dict[str, Any]) -> dict[str, int]:
    removed = await purge_expired_tokens_now(ctx["db"])
    log.info("expired_tokens_purged", **removed)
    return removed


RATES_REFRESHED_KEY = "exchange-rates:refreshed-at"


@job
async def refresh_exchange_rates(ctx: dict[str, Any]) -> int:
    """Hourly check; fetches when EXCHANGE_RATES_URL is set and the last fetch is older than the interval."""
    settings = ctx["settings"]
    if not settings.exchange_rates_url:
        return 0
    last = await ctx["redis"].get(RATES_REFRESHED_KEY)
    now = datetime.now(UTC).timestamp()
    if last is not None and now - float(last) < settings.exchange_rates_refresh_hours * 3600:
        return 0
    try:
        async with ctx["db"].session() as session:
            update = await refresh(session, settings)
    except RatesError as error:
        log.warning("exchange_rates_not_refreshed", reason=str(error))  # the next hour tries again
        return 0
    await ctx["redis"].set(RATES_REFRESHED_KEY, str(now))
    return update.updated
