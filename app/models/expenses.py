"""Expense domain: expenses (seed 002's transactions), shares, payers, tags, recurrence, comments, mentions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Computed,
    ForeignKey,
    Index,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import (
    RATE,
    Base,
    CreatedAt,
    Timestamps,
    UUIDPrimaryKey,
    choice,
    fk,
    flag,
    json_array,
    json_object,
    money,
    pg_enum,
    user_fk,
)
from app.models.enums import (
    EXCLUDED_CLASSIFICATIONS,
    ExpenseClassification,
    ExpenseSource,
    ExpenseType,
    MentionType,
    RecurrenceFrequency,
    SplitType,
    TransactionType,
)

_EXCLUDED = ", ".join(f"'{c.value}'" for c in EXCLUDED_CLASSIFICATIONS)
# exclude_from_totals follows the classification unless the user set an override (SCHEMA-MAP.md).
EXCLUDE_FROM_TOTALS_SQL = f"COALESCE(exclude_from_totals_override, expense_classification::text IN ({_EXCLUDED}))"


class Expense(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "expenses"
    __table_args__ = (
        CheckConstraint("amount > 0", name="positive_amount"),
        # Seed 000 says expense_date <= CURRENT_DATE; the database works in UTC while a user in
        # UTC+14 is already a day ahead, so one day of slack lets "today" in every time zone through.
        # The service refuses dates after the user's own today.
        CheckConstraint("expense_date <= CURRENT_DATE + 1", name="expense_date_not_future"),
        CheckConstraint("NOT is_deleted OR deleted_at IS NOT NULL", name="deleted_at_when_deleted"),
        CheckConstraint("exchange_rate > 0", name="positive_exchange_rate"),
        Index("idx_expense_date_group", "expense_date", "group_id"),
        # Also serves seed 000's idx_expense_user_date (same columns; a B-tree reads both directions).
        Index("idx_expense_payer_date", "paid_by_id", text("expense_date DESC")),
        Index("idx_expense_group_date", "group_id", text("expense_date DESC")),
        # Also serves idx_expense_category.
        Index("idx_expense_category_date", "category_id", text("expense_date DESC")),
        # Also serves idx_expense_settlement.
        Index("idx_expense_settled_group", "is_settled", "group_id"),
        Index("idx_expense_title", "title"),
        Index("idx_expense_classification", "expense_classification"),
        Index("idx_expense_owner_date_class", "created_by_id", "expense_date", "expense_classification"),
        Index("idx_expense_owner_account_date", "created_by_id", "account_id", "expense_date"),
        Index("idx_expense_owner_excluded_date", "created_by_id", "exclude_from_totals", "expense_date"),
        Index(
            "idx_expense_title_search", text("to_tsvector('english'::regconfig, title::text)"), postgresql_using="gin"
        ),
        Index(
            "idx_expense_search",
            text("to_tsvector('english'::regconfig, (title::text || ' ') || COALESCE(description, ''))"),
            postgresql_using="gin",
        ),
        Index("idx_expense_split_data", "split_data", postgresql_using="gin"),
        # A statement row is imported once per account; deleted rows keep their key, so a
        # re-import does not bring them back.
        Index(
            "uq_expense_account_import_key",
            "account_id",
            "import_key",
            unique=True,
            postgresql_where=text("import_key IS NOT NULL"),
        ),
        # A recurring template yields at most one expense per occurrence date, whatever the workers do.
        Index(
            "uq_expense_recurrence",
            "recurring_expense_id",
            "recurrence_date",
            unique=True,
            postgresql_where=text("recurring_expense_id IS NOT NULL"),
        ),
        Index("idx_expense_uploaded_file", "uploaded_file_id"),
    )

    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    amount: Mapped[Decimal] = money()
    currency_id: Mapped[uuid.UUID] = fk("currencies.id", "RESTRICT")
    category_id: Mapped[uuid.UUID | None] = fk("categories.id", "SET NULL")
    expense_type: Mapped[ExpenseType] = pg_enum(ExpenseType, "expense_type", ExpenseType.INDIVIDUAL)
    group_id: Mapped[uuid.UUID | None] = fk("groups.id", "RESTRICT")
    paid_by_id: Mapped[int] = user_fk("RESTRICT")
    created_by_id: Mapped[int] = user_fk("RESTRICT")
    expense_date: Mapped[date]
    split_type: Mapped[SplitType] = pg_enum(SplitType, "split_type", SplitType.EQUAL)
    split_data: Mapped[dict[str, Any]] = json_object()
    receipt: Mapped[str | None] = mapped_column(String(255))
    attachments: Mapped[list[Any]] = json_array()
    ocr_data: Mapped[dict[str, Any]] = json_object()
    vendor: Mapped[str | None] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(200))
    is_settled: Mapped[bool] = flag(False)
    is_recurring: Mapped[bool] = flag(False)
    parent_expense_id: Mapped[uuid.UUID | None] = fk("expenses.id", "SET NULL")
    recurring_expense_id: Mapped[uuid.UUID | None] = fk("recurring_expenses.id", "SET NULL")
    recurrence_date: Mapped[date | None]
    requires_approval: Mapped[bool] = flag(False)
    is_approved: Mapped[bool] = flag(True)
    approved_by_id: Mapped[int | None] = user_fk("SET NULL")
    approved_at: Mapped[datetime | None]
    is_deleted: Mapped[bool] = flag(False)
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = user_fk("SET NULL")
    # Seed 002 and SCHEMA-MAP.md: what kind of money movement, where it came from, how it counts.
    transaction_type: Mapped[TransactionType] = choice(TransactionType, "transaction_type", TransactionType.EXPENSE)
    source: Mapped[ExpenseSource] = choice(ExpenseSource, "expense_source", ExpenseSource.MANUAL)
    expense_classification: Mapped[ExpenseClassification] = choice(
        ExpenseClassification, "expense_classification", ExpenseClassification.REGULAR_MONTHLY
    )
    exclude_from_totals_override: Mapped[bool | None] = mapped_column(Boolean)
    exclude_from_totals: Mapped[bool] = mapped_column(Boolean, Computed(EXCLUDE_FROM_TOTALS_SQL, persisted=True))
    # The rate from this expense's currency to base_currency (the group's or the user's) at creation.
    exchange_rate: Mapped[Decimal] = mapped_column(RATE, default=Decimal(1), server_default=text("1"))
    base_currency_id: Mapped[uuid.UUID | None] = fk("currencies.id", "RESTRICT")
    account_id: Mapped[uuid.UUID | None] = fk("accounts.id", "SET NULL")
    uploaded_file_id: Mapped[uuid.UUID | None] = fk("uploaded_files.id", "SET NULL")
    import_key: Mapped[str | None] = mapped_column(String(128))
    # chat_messages.expense_id points back here; use_alter breaks the cycle when creating tables.
    chat_message_id: Mapped[uuid.UUID | None] = fk("chat_messages.id", "SET NULL", use_alter=True)


class ExpenseShare(UUIDPrimaryKey, Timestamps, Base):
    """What one participant owes of an expense. The shares of an expense sum to its amount."""

    __tablename__ = "expense_shares"
    __table_args__ = (
        CheckConstraint("amount > 0", name="positive_share"),
        # Doubles as idx_share_expense_user.
        UniqueConstraint("expense_id", "user_id"),
        # Also serves idx_share_user_settled (its leading columns).
        Index("idx_share_balance", "user_id", "is_settled", "amount"),
        Index("idx_share_payer_settled", "paid_by_id", "is_settled"),
        Index("idx_share_payer", "paid_by_id", "user_id", "is_settled"),
        Index("idx_share_settlement", "settlement_id"),
    )

    expense_id: Mapped[uuid.UUID] = fk("expenses.id", "CASCADE")
    user_id: Mapped[int] = user_fk("RESTRICT")
    amount: Mapped[Decimal] = money()
    currency_id: Mapped[uuid.UUID] = fk("currencies.id", "RESTRICT")
    paid_by_id: Mapped[int] = user_fk("RESTRICT")
    is_settled: Mapped[bool] = flag(False)
    settled_at: Mapped[datetime | None]
    settlement_id: Mapped[uuid.UUID | None] = fk("settlements.id", "SET NULL")
    split_method: Mapped[SplitType] = pg_enum(SplitType, "split_type", SplitType.EQUAL)
    # The percentage (33.3333) or share count (2) this share was computed from.
    split_value: Mapped[Decimal] = mapped_column(Numeric(12, 4), default=Decimal(0), server_default=text("0"))


class ExpensePayer(UUIDPrimaryKey, Timestamps, Base):
    """Who paid how much of an expense (several payers allowed); the amounts sum to the expense."""

    __tablename__ = "expense_payers"
    __table_args__ = (
        CheckConstraint("amount > 0", name="positive_amount"),
        UniqueConstraint("expense_id", "user_id"),
        Index("idx_expense_payer_user", "user_id"),
    )

    expense_id: Mapped[uuid.UUID] = fk("expenses.id", "CASCADE")
    user_id: Mapped[int] = user_fk("RESTRICT")
    amount: Mapped[Decimal] = money()


expense_tags = Table(
    "expense_tags",
    Base.metadata,
    Column("expense_id", ForeignKey("expenses.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Index("idx_expense_tags_tag", "tag_id"),
)


class RecurringExpense(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "recurring_expenses"
    __table_args__ = (
        CheckConstraint("amount > 0", name="positive_amount"),
        CheckConstraint('"interval" > 0', name="positive_interval"),
        CheckConstraint("start_date <= COALESCE(end_date, '9999-12-31'::date)", name="date_range"),
        Index("idx_recurring_next_active", "next_due_date", "is_active"),
        Index("idx_recurring_group_active", "group_id", "is_active"),
        Index("idx_recurring_creator_active", "created_by_id", "is_active"),
    )

    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    amount: Mapped[Decimal] = money()
    currency_id: Mapped[uuid.UUID] = fk("currencies.id", "RESTRICT")
    category_id: Mapped[uuid.UUID | None] = fk("categories.id", "SET NULL")
    frequency: Mapped[RecurrenceFrequency] = choice(RecurrenceFrequency, "frequency")
    interval: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    group_id: Mapped[uuid.UUID | None] = fk("groups.id", "CASCADE")
    created_by_id: Mapped[int] = user_fk("CASCADE")
    paid_by_id: Mapped[int] = user_fk("CASCADE")
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    next_due_date: Mapped[date] = mapped_column(index=True)
    split_type: Mapped[SplitType] = pg_enum(SplitType, "split_type", SplitType.EQUAL)
    split_data: Mapped[dict[str, Any]] = json_object()
    is_active: Mapped[bool] = flag(True, index=True)
    is_paused: Mapped[bool] = flag(False)
    paused_until: Mapped[date | None]


class ExpenseComment(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "expense_comments"
    __table_args__ = (
        Index("idx_comment_expense", "expense_id", "created_at"),
        Index("idx_comment_user", "user_id", "created_at"),
    )

    expense_id: Mapped[uuid.UUID] = fk("expenses.id", "CASCADE")
    user_id: Mapped[int] = user_fk("CASCADE")
    comment: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[uuid.UUID | None] = fk("expense_comments.id", "CASCADE")
    is_edited: Mapped[bool] = flag(False)
    edited_at: Mapped[datetime | None]


class ExpenseMention(UUIDPrimaryKey, CreatedAt, Base):
    """An @user/@group/#category/#tag mention in the chat message an expense came from (seed 002)."""

    __tablename__ = "expense_mentions"
    __table_args__ = (
        CheckConstraint(
            "num_nonnulls(mentioned_user_id, mentioned_group_id, mentioned_category_id, mentioned_tag_id) = 1"
            " AND CASE mention_type"
            " WHEN 'user' THEN mentioned_user_id IS NOT NULL"
            " WHEN 'group' THEN mentioned_group_id IS NOT NULL"
            " WHEN 'category' THEN mentioned_category_id IS NOT NULL"
            " WHEN 'tag' THEN mentioned_tag_id IS NOT NULL END",
            name="target_matches_type",
        ),
        Index("idx_mention_expense_type", "expense_id", "mention_type"),
        Index("idx_mention_type_user", "mention_type", "mentioned_user_id"),
        Index("idx_mention_type_group", "mention_type", "mentioned_group_id"),
    )

    expense_id: Mapped[uuid.UUID] = fk("expenses.id", "CASCADE")
    created_by_id: Mapped[int] = user_fk("CASCADE")
    mention_type: Mapped[MentionType] = choice(MentionType, "mention_type")
    mentioned_user_id: Mapped[int | None] = user_fk("CASCADE")
    mentioned_group_id: Mapped[uuid.UUID | None] = fk("groups.id", "CASCADE")
    mentioned_category_id: Mapped[uuid.UUID | None] = fk("categories.id", "CASCADE")
    mentioned_tag_id: Mapped[uuid.UUID | None] = fk("tags.id", "CASCADE")
    mentioned_text: Mapped[str] = mapped_column(String(100))
