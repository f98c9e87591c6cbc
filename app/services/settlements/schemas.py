"""Settlements (payments between two people) as the API takes and shows them."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from app.models.enums import PaymentStatus
from app.schemas import Money


class SettlementCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    payer_id: int = Field(description="Who paid; you or the other person.")
    payee_id: int = Field(description="Who received it; you or the other person.")
    amount: Decimal = Field(gt=0, max_digits=15, decimal_places=4)
    currency: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$", description="Default: the group's.")
    group_id: uuid.UUID | None = None
    description: str | None = Field(default=None, max_length=500)


class SettlementOut(BaseModel):
    id: uuid.UUID
    payer_id: int
    payee_id: int
    amount: Money
    currency: str
    group_id: uuid.UUID | None
    status: PaymentStatus
    is_confirmed_by_payer: bool
    is_confirmed_by_payee: bool
    description: str | None
    completed_at: datetime | None
    created_at: datetime
