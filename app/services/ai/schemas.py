"""AI provider settings as the API shows them: never a key, only whether one is set and a hint."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from app.models.enums import ParserProvider


class ProviderOut(BaseModel):
    configured: bool = Field(description="Whether a key is stored.")
    key_hint: str | None = Field(description="Enough of the key to recognise it, e.g. `sk-...abcd`.")
    model: str


class AISettingsOut(BaseModel):
    openai: ProviderOut
    anthropic: ProviderOut
    gemini: ProviderOut
    openai_base_url: str | None
    active_parser_provider: ParserProvider
    api_key_last_tested: datetime | None
    api_key_test_status: dict[str, Any]


class AISettingsPatch(BaseModel):
    """Send a key to store it, null (or "") to delete it; leave a field out to keep it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    openai_api_key: str | None = Field(default=None, max_length=500)
    anthropic_api_key: str | None = Field(default=None, max_length=500)
    gemini_api_key: str | None = Field(default=None, max_length=500)
    openai_model: str | None = Field(default=None, min_length=1, max_length=100)
    anthropic_model: str | None = Field(default=None, min_length=1, max_length=100)
    gemini_model: str | None = Field(default=None, min_length=1, max_length=100)
    openai_base_url: HttpUrl | None = Field(default=None, description="An OpenAI-compatible server (local model).")
    active_parser_provider: ParserProvider | None = None


class ProviderTestOut(BaseModel):
    ok: bool
    detail: str
    models_found: int | None = None
    latency_ms: int | None = None


class AITestOut(BaseModel):
    tested_at: datetime
    results: dict[str, ProviderTestOut] = Field(description="Per provider that has a key (or a base URL).")
