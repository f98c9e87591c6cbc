"""Recurring expense templates as the API takes and shows them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from app.models.enums import RecurrenceFrequency
from app.schemas import Money
from app.services.expenses.schemas import PayerIn, SplitIn


class RecurringCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=200)
    amount: Decimal = Field(gt=0, max_digits=15, decimal_places=4)
    currency: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$")
    group_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None
    description: str | None = Field(default=None, max_length=5000)
    frequency: RecurrenceFrequency
    interval: int = Field(default=1, ge=1, le=366, description="Every N days, weeks, months, quarters or years.")
    start_date: date
    end_date: date | None = None
    split: SplitIn | None = None
    payers: list[PayerIn] | None = Field(default=None, max_length=50)


class RecurringPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str | None = Field(default=None, min_length=1, max_length=200)
    amount: Decimal | None = Field(default=None, gt=0, max_digits=15, decimal_places=4)
    end_date: date | None = None
    is_paused: bool | None = None
    paused_until: date | None = Field(default=None, description="Resume on this date; nothing is made before it.")
    split: SplitIn | None = None
    payers: list[PayerIn] | None = Field(default=None, max_length=50)


class RecurringOut(BaseModel):
    id: uuid.UUID
    title: str
    amount: Money
    currency: str
    group_id: uuid.UUID | None
    frequency: RecurrenceFrequency
    interval: int
    start_date: date
    end_date: date | None
    next_due_date: date
    is_active: bool
    is_paused: bool
    paused_until: date | None
    split: dict[str, object]
    created_by_id: int
    created_at: datetime
