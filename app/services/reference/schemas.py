"""API shapes of reference data. Decimals serialise as strings, never floats."""

from __future__ import annotations

import uuid
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class CurrencyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    symbol: str
    decimal_places: int
    exchange_rate_to_usd: Decimal
    is_active: bool


class CountryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    currency_code: str | None
    phone_code: str | None
    flag_emoji: str | None


class CategoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    slug: str
    name: str
    icon: str | None
    color: str
    parent_id: uuid.UUID | None
    user_id: int | None = Field(default=None, description="Set on your own categories; null on the defaults.")
    children: list[CategoryOut] = []
