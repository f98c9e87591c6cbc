"""Bodies of the administrators' endpoints."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from app.models.enums import ConfigDataType, UserRole

MASK = "********"


class ConfigurationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: str = Field(max_length=10_000, description="The value as text; checked against data_type.")
    data_type: ConfigDataType = ConfigDataType.STRING
    description: str | None = Field(default=None, max_length=1000)
    is_sensitive: bool = Field(default=False, description="Stored encrypted and always shown masked.")


class ConfigurationOut(BaseModel):
    key: str
    value: str = Field(description=f"`{MASK}` for sensitive values.")
    data_type: ConfigDataType
    description: str | None
    is_sensitive: bool
    updated_at: datetime


class CurrencyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(pattern=r"^[A-Z]{3}$")
    name: str = Field(min_length=1, max_length=50)
    symbol: str = Field(min_length=1, max_length=10)
    decimal_places: int = Field(default=2, ge=0, le=4)
    exchange_rate_to_usd: Decimal = Field(default=Decimal(1), gt=0, max_digits=20, decimal_places=10)
    is_active: bool = True


class CurrencyPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=1, max_length=50)
    symbol: str | None = Field(default=None, min_length=1, max_length=10)
    exchange_rate_to_usd: Decimal | None = Field(
        default=None,
        gt=0,
        max_digits=20,
        decimal_places=10,
        description="What one unit of this currency is worth in USD (EUR about 1.08, JPY about 0.0067).",
    )
    is_active: bool | None = None


class RoleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: UserRole


class RatesOut(BaseModel):
    updated: int = Field(description="Currencies whose rate changed.")
    unknown_to_provider: list[str] = Field(description="Active currencies the provider has no rate for (unchanged).")
