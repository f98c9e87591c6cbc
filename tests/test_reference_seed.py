"""Reference data: complete, correct minor units, and seeding twice changes nothing."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Category, Country, Currency
from app.services.reference.seed import seed_reference_data


async def test_seeding_again_adds_nothing_and_keeps_admin_edits(session: AsyncSession) -> None:
    await session.execute(update(Currency).where(Currency.code == "EUR").values(exchange_rate_to_usd=Decimal("1.08")))
    report = await seed_reference_data(session)
    assert (report.currencies, report.countries, report.categories) == (0, 0, 0)
    rate = await session.scalar(select(Currency.exchange_rate_to_usd).where(Currency.code == "EUR"))
    assert rate == Decimal("1.08")


async def test_currencies_are_the_iso_list_with_minor_units(session: AsyncSession) -> None:
    places = dict((await session.execute(select(Currency.code, Currency.decimal_places))).all())
    assert len(places) >= 150
    assert (places["JPY"], places["USD"], places["KWD"], places["CLF"]) == (0, 2, 3, 4)
    assert places["BHD"] == 3 and places["KRW"] == 0 and places["INR"] == 2
    assert "XAU" not in places and "XTS" not in places


async def test_countries_and_category_tree(session: AsyncSession) -> None:
    assert await session.scalar(select(func.count()).select_from(Country)) >= 240
    roots = await session.scalar(select(func.count()).where(Category.parent_id.is_(None), Category.user_id.is_(None)))
    children = await session.scalar(
        select(func.count()).where(Category.parent_id.is_not(None), Category.user_id.is_(None))
    )
    assert roots == 14
    assert children >= 40
