"""The chat API's shapes: what a message parses into (seed 002's metadata.parsed, extended), and the
requests that ask for a parse or confirm one."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.models.enums import ChatMessageStatus, ExpenseClassification, MentionType, QuickAddMode
from app.schemas import Money

ParserName = Literal["system", "openai", "anthropic", "gemini"]


class MentionOut(BaseModel):
    type: MentionType
    text: str = Field(description="As typed, e.g. '@john' or '#groceries'.")
    user_id: int | None = None
    group_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None
    tag_id: uuid.UUID | None = None
    name: str | None = Field(default=None, description="Who or what it was matched to; null when unresolved.")


class SplitHint(BaseModel):
    type: Literal["equal"] = "equal"
    participants: list[int] = Field(description="Who shares the amount equally (user ids).")
    paid_by: int
    ways: int | None = Field(default=None, description="'split 3 ways': how many people the text says.")


class ParseResult(BaseModel):
    amount: Money | None
    currency: str | None
    description: str
    category: str | None = Field(description="A category slug, or null.")
    category_id: uuid.UUID | None = None
    expense_date: date
    group_id: uuid.UUID | None = None
    mentions: list[MentionOut] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list, description="Tag names; ones you do not have yet are made.")
    split: SplitHint
    expense_classification: ExpenseClassification = ExpenseClassification.REGULAR_MONTHLY
    confidence: float = Field(ge=0, le=1)
    parser: ParserName = "system"
    warnings: list[str] = Field(default_factory=list)


class ParseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    content: str = Field(min_length=1, max_length=1000)
    conversation_id: str = Field(default="main", min_length=1, max_length=255)
    group_id: uuid.UUID | None = None
    mode: QuickAddMode | None = Field(default=None, description="Default: your quick_add_mode preference.")


class SplitEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    participants: list[int] | None = Field(default=None, min_length=1, max_length=200)
    paid_by: int | None = None


class SuggestionEdits(BaseModel):
    """What the user changed in a suggestion before confirming it; anything left out stays as parsed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    amount: Decimal | None = Field(default=None, gt=0, max_digits=15, decimal_places=4)
    currency: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$")
    description: str | None = Field(default=None, min_length=1, max_length=200)
    category_id: uuid.UUID | None = None
    expense_date: date | None = None
    group_id: uuid.UUID | None = None
    split: SplitEdit | None = None
    tags: list[str] | None = Field(default=None, max_length=20)
    expense_classification: ExpenseClassification | None = None


class ChatMessageOut(BaseModel):
    id: uuid.UUID
    conversation_id: str
    message_type: str
    content: str
    status: ChatMessageStatus
    expense_id: uuid.UUID | None
    client_message_id: str | None
    metadata: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class ConversationOut(BaseModel):
    conversation_id: str
    message_count: int
    last_message: str
    last_message_at: datetime


class MentionSuggestion(BaseModel):
    type: MentionType
    id: str
    text: str = Field(description="What to insert, e.g. '@john' or '#groceries'.")
    name: str
