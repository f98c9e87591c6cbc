"""Exchange rates fetched from a provider (a fake one on 127.0.0.1 speaking the open.er-api.com shape)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from app.models import Currency
from app.services.reference.rates import RatesError, usd_rates
from tests.factories import auth_headers, make_account
from tests.fakes.server import serve_in_thread
from tests.test_admin import admin_headers

ANSWERS = {
    "/latest/USD": {"result": "success", "base_code": "USD", "rates": {"USD": 1, "EUR": 0.8, "JPY": 160, "KWD": 0.3}},
    "/latest/EUR": {"base": "EUR", "rates": {"USD": 1.25, "GBP": 0.8}},
}


async def provider(request):  # type: ignore[no-untyped-def]
    path = request.url.path
    if path in ANSWERS:
        return JSONResponse(ANSWERS[path])
    if path == "/broken":
        return PlainTextResponse("<html>maintenance</html>")
    return JSONResponse({"error": "unknown"}, status_code=404)


def test_rates_become_dollars_per_unit_whatever_the_base() -> None:
    from_usd = usd_rates(ANSWERS["/latest/USD"])
    assert from_usd["EUR"] == Decimal("1.25") and from_usd["JPY"] == Decimal("0.00625") and from_usd["USD"] == 1
    from_eur = usd_rates(ANSWERS["/latest/EUR"])
    assert from_eur["EUR"] == Decimal("1.25") and from_eur["GBP"] == Decimal("1.5625")
    for bad in ({}, {"rates": {"EUR": 1}}, {"base": "EUR", "rates": {"GBP": 1}}, {"base": "USD", "rates": {"EUR": 0}}):
        with pytest.raises(RatesError):
            usd_rates(bad)


async def test_admins_refresh_rates_and_a_bad_answer_changes_nothing(client, session, settings) -> None:
    _, headers = await admin_headers(session, settings)
    url = "/api/v1/admin/currencies/refresh-rates"
    off = await client.post(url, headers=headers)
    assert off.status_code == 422 and "EXCHANGE_RATES_URL" in off.json()["detail"]
    user = await auth_headers(session, settings, await make_account(session))
    assert (await client.post(url, headers=user)).status_code == 403

    with serve_in_thread(Starlette(routes=[Route("/{path:path}", provider)])) as base:
        settings.exchange_rates_url = f"{base}/latest/USD"
        done = await client.post(url, headers=headers)
        assert done.status_code == 200, done.text
        assert done.json()["updated"] >= 3 and "GBP" in done.json()["unknown_to_provider"]
        rates = dict((await session.execute(select(Currency.code, Currency.exchange_rate_to_usd))).all())
        assert (rates["EUR"], rates["JPY"], rates["KWD"]) == (
            Decimal("1.25"),
            Decimal("0.00625"),
            Decimal("3.3333333333"),
        )
        # A new expense in euros converts with the fresh rate; the bad answers below change nothing.
        settings.exchange_rates_url = f"{base}/broken"
        broken = await client.post(url, headers=headers)
        assert broken.status_code == 502 and "not JSON" in broken.json()["detail"]
        settings.exchange_rates_url = f"{base}/missing"
        assert (await client.post(url, headers=headers)).status_code == 502
    settings.exchange_rates_url = "http://127.0.0.1:9/latest"  # nothing listens on the discard port
    unreachable = await client.post(url, headers=headers)
    assert unreachable.status_code == 502 and "could not be reached" in unreachable.json()["detail"]
    assert dict((await session.execute(select(Currency.code, Currency.exchange_rate_to_usd))).all()) == rates


async def test_the_worker_fetches_once_per_interval(database_url, settings, redis_client) -> None:  # type: ignore[no-untyped-def]
    from app.db import Database
    from app.workers.maintenance import refresh_exchange_rates

    database = Database(database_url)
    ctx = {"db": database, "settings": settings, "redis": redis_client, "job_id": "cron:rates", "job_try": 1}
    async with database.session() as session:
        before = dict((await session.execute(select(Currency.code, Currency.exchange_rate_to_usd))).all())
    try:
        assert await refresh_exchange_rates(ctx) == 0  # no provider configured: nothing to do
        with serve_in_thread(Starlette(routes=[Route("/{path:path}", provider)])) as base:
            settings.exchange_rates_url = f"{base}/latest/USD"
            assert await refresh_exchange_rates(ctx) >= 3
            assert await refresh_exchange_rates(ctx) == 0  # fetched less than EXCHANGE_RATES_REFRESH_HOURS ago
        async with database.session() as session:
            assert await session.scalar(select(Currency.exchange_rate_to_usd).where(Currency.code == "JPY")) == Decimal(
                "0.00625"
            )
    finally:
        async with database.session() as session:
            for currency in await session.scalars(select(Currency)):
                currency.exchange_rate_to_usd = before[currency.code]
        await database.dispose()
