"""Expenses as the API takes and shows them. Money is a decimal string; never a float."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.models.enums import ExpenseClassification, SplitType, TransactionType
from app.schemas import Money

AmountIn = Annotated[Decimal, Field(gt=0, max_digits=15, decimal_places=4)]
# A tag name as typed, optionally with its leading #.
TagIn = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=51, pattern=r"^#?[^,#@]+$")]


class SplitParticipantIn(BaseModel):
    user_id: int
    value: Decimal | None = Field(
        default=None,
        max_digits=15,
        decimal_places=4,
        description="exact: the amount; percentage: the percent; shares: the share count; "
        "adjustment: + or - on top of an equal part; equal: leave out.",
    )


class SplitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: SplitType = SplitType.EQUAL
    participants: list[SplitParticipantIn] = Field(min_length=1, max_length=200)


class PayerIn(BaseModel):
    user_id: int
    amount: Decimal | None = Field(default=None, max_digits=15, decimal_places=4, description="Omit for a sole payer.")


class ExpenseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=200)
    amount: AmountIn
    currency: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$", description="Default: the group's or yours.")
    expense_date: date | None = Field(default=None, description="Default: today in your time zone.")
    group_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None
    description: str | None = Field(default=None, max_length=5000)
    vendor: str | None = Field(default=None, max_length=200)
    location: str | None = Field(default=None, max_length=200)
    split: SplitIn | None = Field(default=None, description="Default: equally among the group, or all yours.")
    payers: list[PayerIn] | None = Field(default=None, max_length=50, description="Default: you paid it all.")
    transaction_type: TransactionType = TransactionType.EXPENSE
    expense_classification: ExpenseClassification = ExpenseClassification.REGULAR_MONTHLY
    exclude_from_totals_override: bool | None = None
    tags: list[TagIn] = Field(default_factory=list, max_length=20, description="Your tag names; new ones are made.")


class ExpensePatch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str | None = Field(default=None, min_length=1, max_length=200)
    amount: AmountIn | None = None
    currency: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$")
    expense_date: date | None = None
    category_id: uuid.UUID | None = None
    description: str | None = Field(default=None, max_length=5000)
    vendor: str | None = Field(default=None, max_length=200)
    location: str | None = Field(default=None, max_length=200)
    split: SplitIn | None = None
    payers: list[PayerIn] | None = Field(default=None, max_length=50)
    transaction_type: TransactionType | None = None
    expense_classification: ExpenseClassification | None = None
    exclude_from_totals_override: bool | None = None
    tags: list[TagIn] | None = Field(default=None, max_length=20, description="Your tags on it become exactly these.")


class ShareOut(BaseModel):
    user_id: int
    amount: Money
    split_value: Money
    is_settled: bool


class PayerOut(BaseModel):
    user_id: int
    amount: Money


class ExpenseOut(BaseModel):
    id: uuid.UUID
    title: str
    description: str | None
    amount: Money
    currency: str
    expense_date: date
    group_id: uuid.UUID | None
    category_id: uuid.UUID | None
    vendor: str | None
    location: str | None
    split_type: SplitType
    shares: list[ShareOut]
    payers: list[PayerOut]
    created_by_id: int
    is_approved: bool
    is_settled: bool
    is_deleted: bool
    transaction_type: TransactionType
    expense_classification: ExpenseClassification
    exclude_from_totals: bool
    exchange_rate: Money = Field(description="From this currency to base_currency, fixed when the expense was made.")
    base_currency: str | None
    tags: list[str] = Field(description="Tag names on this expense.")
    created_at: datetime
    updated_at: datetime
