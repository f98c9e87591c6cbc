"""Read-only queries over reference data."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Unprocessable
from app.models import Category, Country, Currency
from app.services.reference.schemas import CategoryOut, CountryOut, CurrencyOut


async def list_currencies(session: AsyncSession, *, include_inactive: bool = False) -> list[CurrencyOut]:
    query = select(Currency).order_by(Currency.code)
    if not include_inactive:
        query = query.where(Currency.is_active)
    return [CurrencyOut.model_validate(row) for row in (await session.scalars(query)).all()]


async def list_countries(session: AsyncSession) -> list[CountryOut]:
    query = (
        select(Country, Currency.code).outerjoin(Currency, Country.currency_id == Currency.id).order_by(Country.name)
    )
    return [
        CountryOut(
            code=country.code,
            name=country.name,
            currency_code=currency_code,
            phone_code=country.phone_code,
            flag_emoji=country.flag_emoji,
        )
        for country, currency_code in (await session.execute(query)).all()
    ]


async def category_tree(session: AsyncSession, user_id: int | None = None) -> list[CategoryOut]:
    """The system categories, with this user's own among them, as a tree (each level in name order)."""
    owner = (
        Category.user_id.is_(None) if user_id is None else or_(Category.user_id.is_(None), Category.user_id == user_id)
    )
    rows = (await session.scalars(select(Category).where(owner).order_by(func.lower(Category.name)))).all()
    nodes = {row.id: CategoryOut.model_validate(row) for row in rows}
    roots: list[CategoryOut] = []
    for row in rows:
        node = nodes[row.id]
        parent = nodes.get(row.parent_id) if row.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


async def active_currency(session: AsyncSession, code: str, *, field: str = "currency") -> Currency:
    """The active currency with this ISO code (any case), or a 422 naming the field."""
    found = await session.scalar(select(Currency).where(Currency.code == code.upper(), Currency.is_active))
    if found is None:
        raise Unprocessable(f"'{code.upper()}' is not an active currency code.", field=field)
    return found
