"""Idempotent reference-data seeding: running it again adds only what is missing and changes nothing
an administrator edited (rates, symbols, colours)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Category, Country, Currency
from app.services.budgets.templates import seed_system_templates
from app.services.notifications.templates import seed_templates
from app.services.reference.categories import DEFAULT_CATEGORIES


@dataclass(frozen=True)
class SeedReport:
    currencies: int
    countries: int
    categories: int
    templates: int = 0
    budget_templates: int = 0

    def __str__(self) -> str:
        return (
            f"added {self.currencies} currencies, {self.countries} countries, {self.categories} categories, "
            f"{self.templates} message templates, {self.budget_templates} budget templates"
        )


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("app.services.reference").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


async def _insert_missing(session: AsyncSession, statement) -> int:  # type: ignore[no-untyped-def]
    result = await session.execute(statement.returning(statement.table.c.id))
    return len(result.all())


async def seed_reference_data(session: AsyncSession) -> SeedReport:
    currency_rows = [
        {
            "code": row["code"],
            "name": row["name"],
            "symbol": row["symbol"],
            "decimal_places": int(row["decimal_places"]),
        }
        for row in _rows("currencies.csv")
    ]
    added_currencies = await _insert_missing(
        session, insert(Currency).values(currency_rows).on_conflict_do_nothing(index_elements=["code"])
    )

    currency_ids = dict((await session.execute(select(Currency.code, Currency.id))).all())
    country_rows = [
        {
            "code": row["code"],
            "name": row["name"],
            "currency_id": currency_ids.get(row["currency"]),
            "phone_code": row["phone_code"] or None,
            "flag_emoji": row["flag_emoji"] or None,
        }
        for row in _rows("countries.csv")
    ]
    added_countries = await _insert_missing(
        session, insert(Country).values(country_rows).on_conflict_do_nothing(index_elements=["code"])
    )

    added_categories = await _seed_categories(session)
    added_templates = await seed_templates(session)
    added_budget_templates = await seed_system_templates(session)
    return SeedReport(added_currencies, added_countries, added_categories, added_templates, added_budget_templates)


async def _seed_categories(session: AsyncSession) -> int:
    system_only = Category.user_id.is_(None)

    def upsert(rows: list[dict[str, object]]):  # type: ignore[no-untyped-def]
        return insert(Category).values(rows).on_conflict_do_nothing(index_elements=["slug"], index_where=system_only)

    parents = [
        {"slug": spec.slug, "name": spec.name, "icon": spec.icon, "color": spec.color, "is_default": True}
        for spec in DEFAULT_CATEGORIES
    ]
    added = await _insert_missing(session, upsert(parents))
    parent_ids = dict((await session.execute(select(Category.slug, Category.id).where(system_only))).all())
    children = [
        {
            "slug": slug,
            "name": name,
            "icon": spec.icon,
            "color": spec.color,
            "is_default": True,
            "parent_id": parent_ids[spec.slug],
        }
        for spec in DEFAULT_CATEGORIES
        for slug, name in spec.children
    ]
    return added + await _insert_missing(session, upsert(children))
