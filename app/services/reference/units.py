"""A currency's code and decimal places by id, kept in the process: both are fixed once the currency
exists (admins change rates, symbols and whether it is active), and pages of expenses or analytics need
them for every row."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Currency


class Unit(NamedTuple):
    code: str
    decimal_places: int


_UNITS: dict[uuid.UUID, Unit] = {}


async def units(session: AsyncSession, currency_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Unit]:
    wanted = set(currency_ids)
    missing = wanted - _UNITS.keys()
    if missing:
        found = await session.execute(
            select(Currency.id, Currency.code, Currency.decimal_places).where(Currency.id.in_(missing))
        )
        _UNITS.update({row.id: Unit(row.code, row.decimal_places) for row in found})
    return {currency_id: _UNITS[currency_id] for currency_id in wanted if currency_id in _UNITS}
