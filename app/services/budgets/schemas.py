"""Budgets and budget templates as the API takes and shows them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.models.enums import BudgetPeriod, BudgetType
from app.schemas import Money


def _amount(**default: object) -> Any:
    return Field(gt=0, max_digits=15, decimal_places=4, **default)  # type: ignore[call-overload]


def _percentage(**default: object) -> Any:
    return Field(gt=0, le=100, max_digits=7, decimal_places=4, **default)  # type: ignore[call-overload]


class AllocationIn(BaseModel):
    """A category's share of the budget: an amount, or a percentage of the budget's total."""

    model_config = ConfigDict(extra="forbid")

    category_id: uuid.UUID
    amount: Decimal | None = _amount(default=None)
    percentage: Decimal | None = _percentage(default=None)

    @model_validator(mode="after")
    def _one_of(self) -> AllocationIn:
        if (self.amount is None) == (self.percentage is None):
            raise ValueError("Give each category either an amount or a percentage.")
        return self


class BudgetCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100)
    group_id: uuid.UUID | None = Field(default=None, description="A group's budget: the whole group's spending.")
    period_type: BudgetPeriod = BudgetPeriod.MONTHLY
    start_date: date
    end_date: date | None = Field(default=None, description="Required for a custom period.")
    amount: Decimal = _amount()
    currency: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$", description="Default: yours (the group's).")
    allocations: list[AllocationIn] = Field(default_factory=list, max_length=100)
    alert_thresholds: list[int] = Field(default=[80, 100], max_length=5, description="Percents that alert once.")

    @model_validator(mode="after")
    def _dates(self) -> BudgetCreate:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("The end date is before the start date.")
        if self.period_type == BudgetPeriod.CUSTOM and self.end_date is None:
            raise ValueError("A custom period needs an end date.")
        if any(not 1 <= t <= 1000 for t in self.alert_thresholds):
            raise ValueError("Alert thresholds are percents from 1 to 1000.")
        return self


class BudgetPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=1, max_length=100)
    amount: Decimal | None = _amount(default=None)
    end_date: date | None = None
    allocations: list[AllocationIn] | None = Field(default=None, max_length=100)
    alert_thresholds: list[int] | None = Field(default=None, max_length=5)
    is_active: bool | None = None


class AllocationOut(BaseModel):
    category_id: uuid.UUID
    category: str
    amount: Money
    percentage: Money | None


class BudgetOut(BaseModel):
    id: uuid.UUID
    name: str
    group_id: uuid.UUID | None
    period_type: BudgetPeriod
    start_date: date
    end_date: date | None
    amount: Money
    currency: str
    allocations: list[AllocationOut]
    alert_thresholds: list[int]
    budget_type: BudgetType
    template_source: str | None
    ai_generation_context: dict[str, Any] | None
    is_active: bool
    created_at: datetime


class CategoryStatus(BaseModel):
    category_id: uuid.UUID
    category: str
    allocated: Money
    spent: Money
    remaining: Money
    percent_used: Money


class BudgetStatus(BaseModel):
    budget_id: uuid.UUID
    currency: str
    period_start: date
    period_end: date
    days_in_period: int
    days_elapsed: int
    amount: Money
    spent: Money = Field(
        description="Your own shares (a group budget: the group's), refunds netted, excluded rows out."
    )
    remaining: Money
    percent_used: Money
    projected: Money = Field(description="What the period ends at if spending goes on at the pace so far.")
    categories: list[CategoryStatus]
    unallocated_spent: Money = Field(description="Spending in categories the budget gives no allocation.")


class TemplateAllocation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category_id: uuid.UUID | None = Field(default=None, description="Leave out for the savings share.")
    percentage: Decimal = _percentage()
    savings: bool = Field(default=False, description="Set aside, not spent: stays out of the budget total.")


class TemplateCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    allocations: list[TemplateAllocation] = Field(min_length=1, max_length=100)
    target_income_range: dict[str, Any] = Field(default_factory=dict)
    location_tags: list[str] = Field(default_factory=list, max_length=20)


class TemplateOut(BaseModel):
    id: uuid.UUID
    name: str
    description: str | None
    is_system: bool
    category_allocations: dict[str, Any]
    target_income_range: dict[str, Any]
    location_tags: list[Any]
    usage_count: int


class FromTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    income: Decimal = Field(gt=0, max_digits=15, decimal_places=4, description="Income per budget period.")
    name: str | None = Field(default=None, min_length=1, max_length=100)
    period_type: BudgetPeriod = BudgetPeriod.MONTHLY
    start_date: date | None = Field(default=None, description="Default: the first of this month.")
    currency: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$")


class SuggestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    months: int = Field(default=3, ge=3, le=6, description="How many full months of spending to learn from.")
    name: str | None = Field(default=None, min_length=1, max_length=100)
    currency: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$")
