"""Statement import (seed 002): accounts, uploaded files, stored passwords, processing logs, merges."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import (
    NIL_UUID_SQL,
    PERCENT,
    Base,
    CreatedAt,
    Timestamps,
    UUIDPrimaryKey,
    choice,
    counter,
    fk,
    flag,
    json_object,
    money,
    user_fk,
)
from app.models.enums import (
    AccountType,
    FileFormat,
    FilePurpose,
    FileStatus,
    MergeStatus,
    MergeStrategy,
    ParserType,
    ProcessingStage,
    StageStatus,
)


class Account(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint("last_four ~ '^[0-9]{4}$'", name="last_four_digits"),
        Index("idx_account_user_active", "user_id", "is_active"),
    )

    user_id: Mapped[int] = user_fk("CASCADE")
    name: Mapped[str] = mapped_column(String(100))
    account_type: Mapped[AccountType] = choice(AccountType, "account_type")
    institution: Mapped[str | None] = mapped_column(String(100))
    currency_id: Mapped[uuid.UUID] = fk("currencies.id", "RESTRICT")
    last_four: Mapped[str | None] = mapped_column(String(4))
    opening_balance: Mapped[Decimal] = money(0)
    is_active: Mapped[bool] = flag(True)
    # Remembered CSV column mapping and other per-account import choices.
    import_settings: Mapped[dict[str, Any]] = json_object()


class UploadedFile(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "uploaded_files"
    __table_args__ = (
        CheckConstraint("file_size >= 0", name="file_size_not_negative"),
        CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="sha256_hex"),
        CheckConstraint("duplicate_confidence BETWEEN 0 AND 100", name="duplicate_confidence_range"),
        CheckConstraint("confidence BETWEEN 0 AND 100", name="confidence_range"),
        Index("idx_upload_user_created", "user_id", text("created_at DESC"), text("id DESC")),
        Index("idx_upload_user_sha256", "user_id", "sha256"),
        Index("idx_upload_duplicate_of", "duplicate_of_id"),
        Index("idx_upload_status", "status"),
    )

    user_id: Mapped[int] = user_fk("CASCADE")
    account_id: Mapped[uuid.UUID | None] = fk("accounts.id", "SET NULL")
    purpose: Mapped[FilePurpose] = choice(FilePurpose, "file_purpose", FilePurpose.STATEMENT)
    original_filename: Mapped[str] = mapped_column(String(255))
    stored_path: Mapped[str] = mapped_column(String(500))
    content_type: Mapped[str | None] = mapped_column(String(100))
    file_size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    detected_format: Mapped[FileFormat] = choice(FileFormat, "detected_format", FileFormat.UNKNOWN)
    status: Mapped[FileStatus] = choice(FileStatus, "file_status", FileStatus.QUEUED)
    error_message: Mapped[str | None] = mapped_column(Text)
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    opening_balance: Mapped[Decimal | None] = money()
    closing_balance: Mapped[Decimal | None] = money()
    transactions_found: Mapped[int] = counter()
    transactions_created: Mapped[int] = counter()
    confidence: Mapped[Decimal | None] = mapped_column(PERCENT)
    processed_at: Mapped[datetime | None]
    # Seed 002 fields.
    is_password_protected: Mapped[bool] = flag(False)
    used_password_id: Mapped[uuid.UUID | None] = fk("statement_passwords.id", "SET NULL")
    raw_text_extracted: Mapped[str | None] = mapped_column(Text)
    parsed_json: Mapped[dict[str, Any] | None]
    duplicate_of_id: Mapped[uuid.UUID | None] = fk("uploaded_files.id", "SET NULL")
    duplicate_confidence: Mapped[Decimal | None] = mapped_column(PERCENT)
    processing_version: Mapped[str] = mapped_column(String(20), default="1.0", server_default="1.0")


class StatementPassword(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "statement_passwords"
    __table_args__ = (
        CheckConstraint("success_count >= 0", name="success_count_not_negative"),
        Index("idx_statement_password_user_account", "user_id", "account_id"),
        Index("idx_statement_password_user_default", "user_id", "is_default"),
        # Seed 002's unique_default_per_account; the COALESCE makes "no account" one slot too.
        Index(
            "unique_default_per_account",
            "user_id",
            text(f"COALESCE(account_id, {NIL_UUID_SQL})"),
            unique=True,
            postgresql_where=text("is_default"),
        ),
    )

    user_id: Mapped[int] = user_fk("CASCADE")
    account_id: Mapped[uuid.UUID | None] = fk("accounts.id", "CASCADE")
    encrypted_password: Mapped[bytes] = mapped_column(LargeBinary)
    password_hint: Mapped[str | None] = mapped_column(String(255))
    file_pattern: Mapped[str | None] = mapped_column(String(255))
    is_default: Mapped[bool] = flag(False)
    last_used: Mapped[datetime | None]
    success_count: Mapped[int] = counter()


class StatementProcessingLog(UUIDPrimaryKey, CreatedAt, Base):
    __tablename__ = "statement_processing_logs"
    __table_args__ = (
        CheckConstraint("execution_time_ms >= 0", name="execution_time_not_negative"),
        # Also serves seed 002's (uploaded_file, processing_stage).
        Index("idx_processing_log_file_stage", "uploaded_file_id", "processing_stage", "status"),
        Index("idx_processing_log_file_status", "uploaded_file_id", "status"),
        Index("idx_processing_log_file_created", "uploaded_file_id", text("created_at DESC")),
        Index("idx_processing_log_created", "created_at"),
    )

    uploaded_file_id: Mapped[uuid.UUID] = fk("uploaded_files.id", "CASCADE")
    processing_stage: Mapped[ProcessingStage] = choice(ProcessingStage, "processing_stage")
    status: Mapped[StageStatus] = choice(StageStatus, "stage_status", StageStatus.PENDING)
    parser_type: Mapped[ParserType | None] = choice(ParserType, "parser_type")
    ai_provider: Mapped[str | None] = mapped_column(String(50))
    details: Mapped[dict[str, Any]] = json_object()
    execution_time_ms: Mapped[int | None]


class StatementMerge(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "statement_merges"
    __table_args__ = (
        CheckConstraint("similarity_score BETWEEN 0 AND 100", name="similarity_range"),
        Index("idx_merge_primary_status", "primary_file_id", "status"),
        Index("idx_merge_user_status", "merged_by_id", "status"),
        Index("idx_merge_user_created", "merged_by_id", text("created_at DESC")),
        Index("idx_merge_status_score", "status", text("similarity_score DESC")),
        Index("idx_merge_created", "created_at"),
    )

    primary_file_id: Mapped[uuid.UUID] = fk("uploaded_files.id", "CASCADE")
    merged_by_id: Mapped[int] = user_fk("CASCADE")
    merge_strategy: Mapped[MergeStrategy] = choice(MergeStrategy, "merge_strategy", MergeStrategy.MANUAL)
    status: Mapped[MergeStatus] = choice(MergeStatus, "merge_status", MergeStatus.SUGGESTED)
    similarity_score: Mapped[Decimal] = mapped_column(PERCENT)
    # What was compared and why it matched (rows, dates, description similarity).
    details: Mapped[dict[str, Any]] = json_object()
    merged_at: Mapped[datetime | None]


statement_merge_files = Table(
    "statement_merge_files",
    Base.metadata,
    Column("merge_id", ForeignKey("statement_merges.id", ondelete="CASCADE"), primary_key=True),
    Column("uploaded_file_id", ForeignKey("uploaded_files.id", ondelete="CASCADE"), primary_key=True),
    Index("idx_merge_files_file", "uploaded_file_id"),
)
