"""Uploaded statements and their processing logs as the API shows them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.models.enums import FileFormat, FileStatus, ParserType, ProcessingStage, StageStatus
from app.schemas import Money


class StatementQueued(BaseModel):
    id: uuid.UUID
    status: FileStatus
    duplicate_of: uuid.UUID | None = None


class StatementOut(BaseModel):
    id: uuid.UUID
    account_id: uuid.UUID | None
    original_filename: str
    detected_format: FileFormat
    file_size: int
    status: FileStatus
    error_message: str | None
    period_start: date | None
    period_end: date | None
    opening_balance: Money | None
    closing_balance: Money | None
    transactions_found: int
    transactions_created: int
    confidence: Decimal | None = Field(description="0-100: how sure the import is (source and checks).")
    duplicate_of: uuid.UUID | None
    is_password_protected: bool
    processed_at: datetime | None
    created_at: datetime


class ProcessingLogOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    processing_stage: ProcessingStage
    status: StageStatus
    parser_type: ParserType | None
    ai_provider: str | None
    details: dict[str, Any]
    execution_time_ms: int | None
    created_at: datetime


class UnlockRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=1, max_length=200)
    remember: bool = Field(default=True, description="Store it (encrypted) for this account's next statements.")


class ReprocessRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account_id: uuid.UUID | None = Field(default=None, description="Put the statement in this account.")
    use_ai: bool = Field(
        default=False,
        description="Read it with your AI provider even if the system parser's rows reconcile; the AI's rows are "
        "used only when they reconcile too and every amount is printed in the statement.",
    )
