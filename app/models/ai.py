"""Per-user AI provider settings (seed 002's AISettings); keys are Fernet-encrypted bytes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Timestamps, UUIDPrimaryKey, choice, json_object, user_fk
from app.models.enums import ParserProvider


class AISettings(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "ai_settings"

    user_id: Mapped[int] = user_fk("CASCADE", unique=True)
    openai_api_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    anthropic_api_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    gemini_api_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    openai_model: Mapped[str] = mapped_column(String(100), default="gpt-4o-mini", server_default="gpt-4o-mini")
    anthropic_model: Mapped[str] = mapped_column(
        String(100), default="claude-haiku-4-5", server_default="claude-haiku-4-5"
    )
    # Seed 002 defaults to 'gemini-pro', which Google has retired; a current model works out of the box.
    gemini_model: Mapped[str] = mapped_column(
        String(100), default="gemini-2.0-flash", server_default="gemini-2.0-flash"
    )
    # An OpenAI-compatible server (a local model) used instead of api.openai.com when set.
    openai_base_url: Mapped[str | None] = mapped_column(String(500))
    active_parser_provider: Mapped[ParserProvider] = choice(
        ParserProvider, "active_parser_provider", ParserProvider.SYSTEM
    )
    api_key_last_tested: Mapped[datetime | None]
    api_key_test_status: Mapped[dict[str, Any]] = json_object()
