"""One structured answer from an AI provider, through its official SDK: OpenAI's JSON schema response
format (also for OpenAI-compatible servers via base_url), Anthropic's forced tool use, Gemini's response
JSON schema. Chat parsing, statement reading and budget suggestions all ask through here.

The SDKs are imported when first asked (they take seconds to load; a worker that never calls a provider
should not pay for them).

Rate limits, timeouts and server errors are retried with backoff inside one time budget. Any failure
(after the retries, an error status, a refusal, a malformed or truncated answer) raises AIFailed with a
short reason; callers fall back to the system parsers.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.logging import get_logger
from app.models import AISettings
from app.services.ai import keys

log = get_logger(__name__)


class AIFailed(Exception):
    def __init__(self, reason: str, usage: AIUsage | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.usage = usage


@dataclass
class AIUsage:
    provider: str
    model: str
    attempts: int = 0
    latency_ms: int = 0
    input_tokens: int | None = None
    output_tokens: int | None = None
    errors: list[str] = field(default_factory=list)

    def as_metadata(self) -> dict[str, Any]:
        return {
            "provider": self.provider, "model": self.model, "attempts": self.attempts, "latency_ms": self.latency_ms,
            "input_tokens": self.input_tokens, "output_tokens": self.output_tokens, "errors": self.errors,
        }  # fmt: skip


@dataclass(frozen=True)
class ProviderChoice:
    provider: str  # openai, anthropic or gemini
    model: str
    api_key: str | None
    base_url: str | None = None


@dataclass(frozen=True)
class Question:
    """What to ask: instructions, the input, and the JSON schema the answer must follow (every property
    required and nulls allowed, as OpenAI's strict mode wants)."""

    name: str  # the schema's (and Anthropic tool's) name
    description: str
    schema: dict[str, Any]
    system: str
    user: str
    max_output_tokens: int


@dataclass(frozen=True)
class Budget:
    seconds: float
    attempts: int
    backoff_seconds: float


async def choose_provider(session: AsyncSession, settings: Settings, user_id: int) -> ProviderChoice | None:
    """The provider to ask: the active one if it is set up, else the first with a key (or a base URL)."""
    row = await session.scalar(select(AISettings).where(AISettings.user_id == user_id))
    if row is None:
        return None
    box = settings.secret_box()
    active = next((name for name, parser in keys.PARSER_FOR.items() if parser == row.active_parser_provider), None)
    models = {"openai": row.openai_model, "anthropic": row.anthropic_model, "gemini": row.gemini_model}
    for provider in sorted(keys.KEY_COLUMNS, key=lambda name: name != active):
        try:
            key = keys.decrypted_key(box, row, provider)
        except ValueError:  # stored under a retired encryption key
            continue
        if key or (provider == "openai" and row.openai_base_url):
            base_url = row.openai_base_url if provider == "openai" else None
            return ProviderChoice(provider, models[provider], key, base_url)
    return None


# --- the three providers: each returns (the answer as a dict, input tokens, output tokens) -----------------

Answer = tuple[dict[str, Any], int | None, int | None]
TRUNCATED = "the answer was cut off at the token limit"


def _loads(raw: str | None) -> dict[str, Any]:
    try:
        answer = json.loads(raw or "")
    except ValueError:
        raise AIFailed("the answer was not JSON") from None
    if not isinstance(answer, dict):
        raise AIFailed("the answer was not a JSON object")
    return answer


async def _ask_openai(settings: Settings, choice: ProviderChoice, question: Question, seconds: float) -> Answer:
    from app.services.ai.clients import openai_client

    client = openai_client(settings, choice.api_key, base_url=choice.base_url, timeout=seconds)
    response = await client.chat.completions.create(
        model=choice.model,
        messages=[{"role": "system", "content": question.system}, {"role": "user", "content": question.user}],
        response_format={
            "type": "json_schema",
            "json_schema": {"name": question.name, "schema": question.schema, "strict": True},
        },
        max_tokens=question.max_output_tokens,
        temperature=0,
    )
    usage = response.usage
    tokens = (usage.prompt_tokens, usage.completion_tokens) if usage else (None, None)
    if not response.choices:
        raise AIFailed("the answer had no choices")
    first = response.choices[0]
    if first.finish_reason == "length":
        raise AIFailed(TRUNCATED)
    if getattr(first.message, "refusal", None):
        raise AIFailed("the model refused")
    return _loads(first.message.content), *tokens


async def _ask_anthropic(settings: Settings, choice: ProviderChoice, question: Question, seconds: float) -> Answer:
    from app.services.ai.clients import anthropic_client

    client = anthropic_client(settings, choice.api_key or "", timeout=seconds)
    response = await client.messages.create(
        model=choice.model,
        max_tokens=question.max_output_tokens,
        system=question.system,
        messages=[{"role": "user", "content": question.user}],
        tools=[{"name": question.name, "description": question.description, "input_schema": question.schema}],
        tool_choice={"type": "tool", "name": question.name},
    )
    tokens = (response.usage.input_tokens, response.usage.output_tokens)
    if response.stop_reason == "max_tokens":
        raise AIFailed(TRUNCATED)
    for block in response.content:
        if block.type == "tool_use" and block.name == question.name:
            if not isinstance(block.input, dict):
                raise AIFailed("the tool input was not an object")
            return block.input, *tokens
    raise AIFailed("the answer did not use the tool")


async def _ask_gemini(settings: Settings, choice: ProviderChoice, question: Question, seconds: float) -> Answer:
    from google.genai import types as genai_types

    from app.services.ai.clients import gemini_client

    client = gemini_client(settings, choice.api_key or "", timeout=seconds)
    response = await client.aio.models.generate_content(
        model=choice.model,
        contents=question.user,
        config=genai_types.GenerateContentConfig(
            system_instruction=question.system,
            response_mime_type="application/json",
            response_json_schema=question.schema,
            max_output_tokens=question.max_output_tokens,
            temperature=0,
        ),
    )
    meta = response.usage_metadata
    tokens = (meta.prompt_token_count, meta.candidates_token_count) if meta else (None, None)
    candidates = response.candidates or []
    if candidates and candidates[0].finish_reason == genai_types.FinishReason.MAX_TOKENS:
        raise AIFailed(TRUNCATED)
    return _loads(response.text), *tokens


PROVIDERS: dict[str, Callable[[Settings, ProviderChoice, Question, float], Awaitable[Answer]]] = {
    "openai": _ask_openai,
    "anthropic": _ask_anthropic,
    "gemini": _ask_gemini,
}


# --- retries -----------------------------------------------------------------------------------------------


def _retry_after(error: Exception) -> float | None:
    headers = getattr(getattr(error, "response", None), "headers", None)
    header = headers.get("retry-after") if headers is not None else None
    try:
        return float(header) if header else None
    except ValueError:
        return None


def _classify(error: Exception) -> tuple[str, bool]:
    """A short reason, and whether trying again may help."""
    import anthropic
    import openai
    from google.genai import errors as genai_errors

    if isinstance(error, openai.RateLimitError | anthropic.RateLimitError) or (
        isinstance(error, genai_errors.APIError) and error.code == 429
    ):
        return "rate limited (429)", True
    # google-genai ships its own fork of httpx (httpx2): its exceptions are recognised by class name.
    lineage = {cls.__name__ for cls in type(error).__mro__}
    if isinstance(error, openai.APITimeoutError | anthropic.APITimeoutError | TimeoutError) or (
        "TimeoutException" in lineage
    ):
        return "timed out", True
    if isinstance(error, openai.APIStatusError | anthropic.APIStatusError):
        return f"answered {error.status_code}", error.status_code >= 500
    if isinstance(error, genai_errors.APIError):
        return f"answered {error.code}", (error.code or 0) >= 500
    if isinstance(error, openai.APIConnectionError | anthropic.APIConnectionError | OSError) or "HTTPError" in lineage:
        return "could not be reached", True
    log.exception("ai_request_unexpected_error")
    return type(error).__name__, False


async def ask(
    settings: Settings, choice: ProviderChoice, question: Question, budget: Budget
) -> tuple[dict[str, Any], AIUsage]:
    """The provider's answer to `question`, retried with backoff within the budget."""
    usage = AIUsage(choice.provider, choice.model)
    # Load the SDKs before the clock starts: the first call in a process would otherwise spend a few seconds
    # of the user's budget importing them and time out against a provider that answered at once.
    from app.services.ai import clients  # noqa: F401 - all three SDKs

    started = time.perf_counter()
    deadline = started + budget.seconds
    ask_provider = PROVIDERS[choice.provider]
    try:
        while True:
            usage.attempts += 1
            remaining = deadline - time.perf_counter()
            try:
                async with asyncio.timeout(remaining + 0.5):  # the SDK's own timeout should fire first
                    answer, usage.input_tokens, usage.output_tokens = await ask_provider(
                        settings, choice, question, max(remaining, 0.1)
                    )
                return answer, usage
            except AIFailed as failure:
                usage.errors.append(failure.reason)
                raise
            except Exception as error:  # every SDK failure is sorted into "try again" or "give up"
                reason, retry = _classify(error)
                usage.errors.append(reason)
                wait = _retry_after(error) or budget.backoff_seconds * 2 ** (usage.attempts - 1)
                out_of_time = time.perf_counter() + wait >= deadline
                if not retry or usage.attempts >= budget.attempts or out_of_time:
                    raise AIFailed(f"the provider {reason}") from error
                await asyncio.sleep(wait)
    except AIFailed as failure:
        failure.usage = usage
        raise
    finally:
        usage.latency_ms = int((time.perf_counter() - started) * 1000)
