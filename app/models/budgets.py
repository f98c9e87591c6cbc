"""Budgets and budget templates (seed 002)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import (
    Base,
    Timestamps,
    UUIDPrimaryKey,
    choice,
    counter,
    fk,
    flag,
    json_array,
    json_object,
    money,
    user_fk,
)
from app.models.enums import BudgetPeriod, BudgetType


class BudgetTemplate(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "budget_templates"
    __table_args__ = (
        CheckConstraint("is_system OR created_by_id IS NOT NULL", name="owner_unless_system"),
        CheckConstraint("usage_count >= 0", name="usage_count_not_negative"),
        # Also serves seed 002's (is_system, is_active).
        Index("idx_budget_template_system", "is_system", "is_active", text("usage_count DESC")),
        # Also serves seed 002's (created_by).
        Index("idx_budget_template_creator", "created_by_id", "is_active"),
        Index("idx_budget_template_usage", text("usage_count DESC")),
    )

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    is_system: Mapped[bool] = flag(False)
    created_by_id: Mapped[int | None] = user_fk("CASCADE")
    category_allocations: Mapped[dict[str, Any]]
    target_income_range: Mapped[dict[str, Any]] = json_object()
    location_tags: Mapped[list[Any]] = json_array()
    usage_count: Mapped[int] = counter()
    is_active: Mapped[bool] = flag(True)


class Budget(UUIDPrimaryKey, Timestamps, Base):
    """A user's budget, or a group's (group_id set, user_id is the member who made it)."""

    __tablename__ = "budgets"
    __table_args__ = (
        CheckConstraint("amount > 0", name="positive_amount"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="date_order"),
        CheckConstraint("period_type <> 'custom' OR end_date IS NOT NULL", name="custom_needs_end"),
        Index("idx_budget_user_active", "user_id", "is_active"),
        Index("idx_budget_group_active", "group_id", "is_active"),
    )

    user_id: Mapped[int] = user_fk("CASCADE")
    group_id: Mapped[uuid.UUID | None] = fk("groups.id", "CASCADE")
    name: Mapped[str] = mapped_column(String(100))
    period_type: Mapped[BudgetPeriod] = choice(BudgetPeriod, "budget_period", BudgetPeriod.MONTHLY)
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    amount: Mapped[Decimal] = money()
    currency_id: Mapped[uuid.UUID] = fk("currencies.id", "RESTRICT")
    is_active: Mapped[bool] = flag(True)
    # Percentages of the budget at which to alert (once per period each).
    alert_thresholds: Mapped[list[Any]] = mapped_column(
        default=lambda: [80, 100], server_default=text("'[80, 100]'::jsonb")
    )
    # Seed 002 fields.
    budget_type: Mapped[BudgetType] = choice(BudgetType, "budget_type", BudgetType.MANUAL)
    category_allocations: Mapped[dict[str, Any]] = json_object()
    template_source: Mapped[str | None] = mapped_column(String(100))
    template_id: Mapped[uuid.UUID | None] = fk("budget_templates.id", "SET NULL")
    ai_generation_context: Mapped[dict[str, Any] | None]
