"""Exchange rates from a provider, when EXCHANGE_RATES_URL is set (off by default: administrators set
rates by hand through /admin/currencies).

The provider answers JSON with a base currency and rates as units per one base unit, the shape of
open.er-api.com, exchangerate.host and Frankfurter: {"base": "EUR" | "base_code": "USD",
"rates": {"USD": 1.08, ...}}. Stored is `exchange_rate_to_usd` (US dollars per unit), so with another
base each rate is converted through the base's dollar rate. Only active currencies the provider knows
change; a malformed answer changes nothing. Existing expenses keep the rate they were made with.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.logging import get_logger
from app.models import Currency

log = get_logger(__name__)

PLACES = Decimal("1e-10")  # currencies.exchange_rate_to_usd is NUMERIC(20, 10)


class RatesError(Exception):
    """The provider could not be reached or answered something unusable; the message says which."""


@dataclass(frozen=True)
class RatesUpdate:
    base: str
    updated: int
    unknown_to_provider: list[str]


def usd_rates(payload: object) -> dict[str, Decimal]:
    """US dollars per unit of each currency in a provider's answer."""
    if not isinstance(payload, dict) or not isinstance(payload.get("rates"), dict):
        raise RatesError("the answer has no 'rates' object")
    base = payload.get("base") or payload.get("base_code")
    if not isinstance(base, str) or len(base) != 3:
        raise RatesError("the answer does not say its base currency")
    try:
        per_base = {str(code).upper(): Decimal(str(value)) for code, value in payload["rates"].items()}
    except (InvalidOperation, ValueError):
        raise RatesError("a rate is not a number") from None
    per_base[base.upper()] = Decimal(1)
    if "USD" not in per_base or any(value <= 0 for value in per_base.values()):
        raise RatesError("the answer lacks USD or has a rate that is not positive")
    # value = units of the currency per base unit; USD per unit = (USD per base unit) / (units per base unit)
    usd_per_base = per_base["USD"]
    return {code: (usd_per_base / value).quantize(PLACES) for code, value in per_base.items()}


async def fetch(settings: Settings) -> dict[str, Decimal]:
    assert settings.exchange_rates_url
    try:
        async with httpx.AsyncClient(timeout=settings.exchange_rates_timeout_seconds) as client:
            response = await client.get(settings.exchange_rates_url)
    except httpx.HTTPError as error:
        raise RatesError(f"the rates provider could not be reached ({type(error).__name__})") from None
    if response.status_code != 200:
        raise RatesError(f"the rates provider answered HTTP {response.status_code}")
    try:
        payload = json.loads(response.content, parse_float=Decimal)
    except ValueError:
        raise RatesError("the rates provider's answer is not JSON") from None
    return usd_rates(payload)


async def refresh(session: AsyncSession, settings: Settings) -> RatesUpdate:
    rates = await fetch(settings)
    currencies = (await session.scalars(select(Currency).where(Currency.is_active).with_for_update())).all()
    updated = 0
    for currency in currencies:
        rate = rates.get(currency.code)
        if rate is not None and rate > 0 and rate != currency.exchange_rate_to_usd:
            currency.exchange_rate_to_usd = rate
            updated += 1
    await session.flush()
    unknown = sorted(c.code for c in currencies if c.code not in rates)
    log.info("exchange_rates_refreshed", updated=updated, unknown_to_provider=len(unknown))
    return RatesUpdate("USD", updated, unknown)
