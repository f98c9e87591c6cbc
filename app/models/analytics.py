"""Analytics domain: precomputed spending figures, behaviour patterns, report templates and runs."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Index,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import (
    NIL_UUID_SQL,
    PERCENT,
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
from app.models.enums import PeriodType, ReportFormat, ReportStatus, Weekday


class ExpenseAnalytics(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "expense_analytics"
    __table_args__ = (
        CheckConstraint("period_start <= period_end", name="period_order"),
        # Seed 000's UNIQUE(user_id, group_id, category_id, period_type, period_start), written so that
        # NULL scopes ("all groups", "all categories") collide too: upserts stay idempotent.
        Index(
            "uq_expense_analytics_scope",
            text("COALESCE(user_id, 0)"),
            text(f"COALESCE(group_id, {NIL_UUID_SQL})"),
            text(f"COALESCE(category_id, {NIL_UUID_SQL})"),
            "period_type",
            "period_start",
            unique=True,
        ),
        Index("idx_analytics_user_period", "user_id", "period_type", "period_start"),
        Index("idx_analytics_group_period", "group_id", "period_type", "period_start"),
        Index("idx_analytics_category", "category_id", "period_start"),
    )

    user_id: Mapped[int | None] = user_fk("CASCADE")
    group_id: Mapped[uuid.UUID | None] = fk("groups.id", "CASCADE")
    category_id: Mapped[uuid.UUID | None] = fk("categories.id", "CASCADE")
    period_type: Mapped[PeriodType] = choice(PeriodType, "period_type")
    period_start: Mapped[date] = mapped_column(index=True)
    period_end: Mapped[date] = mapped_column(index=True)
    total_amount: Mapped[Decimal] = money(0)
    currency_id: Mapped[uuid.UUID] = fk("currencies.id", "RESTRICT")
    expense_count: Mapped[int] = counter()
    average_amount: Mapped[Decimal] = money(0)
    category_breakdown: Mapped[dict[str, Any]] = json_object()
    # Seed 000 has DECIMAL(5,2), which overflows past 999.99 %: a month ten times the last is +900 %.
    trend_percentage: Mapped[Decimal] = mapped_column(Numeric(9, 2), default=Decimal(0), server_default=text("0"))


class UserSpendingPattern(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "user_spending_patterns"
    __table_args__ = (
        UniqueConstraint("user_id", "analysis_date"),
        CheckConstraint("most_active_hour BETWEEN 0 AND 23", name="hour_range"),
    )

    user_id: Mapped[int] = user_fk("CASCADE")
    analysis_date: Mapped[date] = mapped_column(index=True)
    most_active_day: Mapped[Weekday | None] = choice(Weekday, "weekday")
    most_active_hour: Mapped[int | None] = mapped_column(SmallInteger)
    top_categories: Mapped[list[Any]] = json_array()
    category_distribution: Mapped[dict[str, Any]] = json_object()
    average_expense_amount: Mapped[Decimal] = money(0)
    expense_frequency: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal(0), server_default=text("0"))
    group_vs_individual_ratio: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal(0), server_default=text("0"))
    most_active_groups: Mapped[list[Any]] = json_array()
    seasonal_spending: Mapped[dict[str, Any]] = json_object()


class ReportTemplate(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "report_templates"
    __table_args__ = (
        Index("idx_template_creator", "created_by_id", "report_type"),
        Index("idx_template_public", "is_public", "usage_count"),
    )

    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    report_type: Mapped[str] = mapped_column(String(30))
    created_by_id: Mapped[int] = user_fk("CASCADE")
    filters: Mapped[dict[str, Any]] = json_object()
    fields: Mapped[list[Any]] = json_array()
    grouping: Mapped[dict[str, Any]] = json_object()
    sorting: Mapped[dict[str, Any]] = json_object()
    output_format: Mapped[ReportFormat] = choice(ReportFormat, "output_format", ReportFormat.PDF)
    styling: Mapped[dict[str, Any]] = json_object()
    is_public: Mapped[bool] = flag(False)
    usage_count: Mapped[int] = counter()
    last_used: Mapped[datetime | None]


class GeneratedReport(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "generated_reports"
    __table_args__ = (
        Index("idx_report_generator", "generated_by_id", "status"),
        Index("idx_report_status", "status", "expires_at"),
    )

    template_id: Mapped[uuid.UUID] = fk("report_templates.id", "CASCADE")
    generated_by_id: Mapped[int] = user_fk("CASCADE")
    parameters: Mapped[dict[str, Any]] = json_object()
    status: Mapped[ReportStatus] = choice(ReportStatus, "report_status", ReportStatus.QUEUED)
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    file_path: Mapped[str | None] = mapped_column(String(500))
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    download_count: Mapped[int] = counter()
    error_message: Mapped[str | None] = mapped_column(Text)
