"""Chat messages parsed by an AI provider, through its official SDK with structured output: OpenAI's JSON
schema response format (also for OpenAI-compatible servers via base_url), Anthropic tool use, Gemini's
response JSON schema. The prompt carries the caller's people, groups, categories and tags so mentions
resolve to ids; the answer is checked against the same directory before it becomes a ParseResult.

Any failure (timeout, rate limit after the retries, an error status, a malformed or truncated answer)
raises AIParseFailed; the caller falls back to the system parser.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import anthropic
import openai
from google.genai import errors as genai_errors
from google.genai import types as genai_types

from app.config import Settings
from app.logging import get_logger
from app.models.enums import ExpenseClassification, MentionType
from app.services.ai.clients import anthropic_client, gemini_client, openai_client
from app.services.chat.parser.context import ParseContext
from app.services.chat.schemas import MentionOut, ParseResult, SplitHint

log = get_logger(__name__)
TOOL_NAME = "record_expense"
MAX_OUTPUT_TOKENS = 800  # a parse is a few hundred tokens; more means the model is rambling
_NULLABLE_STRING = {"type": ["string", "null"]}

# One JSON schema for all three providers: every property required (OpenAI strict mode), nulls allowed.
EXPENSE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "amount", "currency", "description", "category", "expense_date", "group_id", "participants", "paid_by",
        "tags", "classification", "mentions",
    ],
    "properties": {
        "amount": {**_NULLABLE_STRING, "description": "The amount as a plain decimal, e.g. '1234.50'; null if none."},
        "currency": {**_NULLABLE_STRING, "description": "ISO 4217 code, e.g. 'USD'; null if not stated."},
        "description": {"type": "string", "description": "What it was for, without amount, date or mentions."},
        "category": {**_NULLABLE_STRING, "description": "One of the category slugs given, or null."},
        "expense_date": {**_NULLABLE_STRING, "description": "YYYY-MM-DD, never after today; null for today."},
        "group_id": {**_NULLABLE_STRING, "description": "The id of the group it belongs to, or null."},
        "participants": {"type": "array", "items": {"type": "integer"}, "description": "User ids sharing it."},
        "paid_by": {"type": ["integer", "null"], "description": "User id of who paid; null for the author."},
        "tags": {"type": "array", "items": {"type": "string"}},
        "classification": {"type": "string", "enum": [c.value for c in ExpenseClassification]},
        "mentions": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["type", "text", "id"],
                "properties": {
                    "type": {"type": "string", "enum": [t.value for t in MentionType]},
                    "text": {"type": "string", "description": "As written, e.g. '@john'."},
                    "id": {**_NULLABLE_STRING, "description": "The matched id from the lists, or null."},
                },
            },
        },
    },
}  # fmt: skip

INSTRUCTIONS = (
    "You turn one chat message into an expense record for an expense-splitting app. Use only the people, "
    "groups, categories and tags listed; never invent ids. The author is user {me}. '@name' names a person or "
    "a group; '#word' a category or a tag. By default the author paid and the amount is split equally between "
    "the author and everyone mentioned; 'for @x' means x owes all of it; '@x paid' or 'paid by @x' names the "
    "payer; 'I owe @x' means x paid and the author owes all. A group mention means every member shares it. "
    "Amounts may use ',' or '.' as the decimal mark, 'k' for thousands, symbols or words for the currency. "
    "Dates are relative to today ({today}) and never in the future. Answer only through the schema."
)


class AIParseFailed(Exception):
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


def prompt_for(text: str, context: ParseContext) -> tuple[str, str]:
    directory = context.directory
    lists = {
        "today": context.today.isoformat(),
        "author": {"id": context.user_id, "preferred_currency": context.preferred_currency},
        "current_group_id": str(context.group_id) if context.group_id else None,
        "people": [{"id": p.id, "username": p.username, "name": p.display} for p in directory.people[:300]],
        "groups": [
            {"id": str(g.id), "name": g.name, "currency": g.currency, "member_ids": sorted(g.member_ids)}
            for g in directory.groups[:100]
        ],
        "category_slugs": [c.slug for c in directory.categories],
        "tags": [t.name for t in directory.tags[:200]],
    }
    system = INSTRUCTIONS.format(me=context.user_id, today=context.today.isoformat())
    return system, f"Lists:\n{json.dumps(lists, ensure_ascii=False)}\n\nMessage:\n{text}"


# --- the three providers: each returns (the answer as a dict, input tokens, output tokens) -----------------

Answer = tuple[dict[str, Any], int | None, int | None]


def _loads(raw: str | None) -> dict[str, Any]:
    try:
        answer = json.loads(raw or "")
    except ValueError:
        raise AIParseFailed("the answer was not JSON") from None
    if not isinstance(answer, dict):
        raise AIParseFailed("the answer was not a JSON object")
    return answer


async def _ask_openai(settings: Settings, choice: ProviderChoice, system: str, user: str, seconds: float) -> Answer:
    client = openai_client(settings, choice.api_key, base_url=choice.base_url, timeout=seconds)
    response = await client.chat.completions.create(
        model=choice.model,
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
        response_format={
            "type": "json_schema",
            "json_schema": {"name": TOOL_NAME, "schema": EXPENSE_SCHEMA, "strict": True},
        },
        max_tokens=MAX_OUTPUT_TOKENS,
        temperature=0,
    )
    usage = response.usage
    tokens = (usage.prompt_tokens, usage.completion_tokens) if usage else (None, None)
    if not response.choices:
        raise AIParseFailed("the answer had no choices")
    first = response.choices[0]
    if first.finish_reason == "length":
        raise AIParseFailed("the answer was cut off at the token limit")
    if getattr(first.message, "refusal", None):
        raise AIParseFailed("the model refused")
    return _loads(first.message.content), *tokens


async def _ask_anthropic(settings: Settings, choice: ProviderChoice, system: str, user: str, seconds: float) -> Answer:
    client = anthropic_client(settings, choice.api_key or "", timeout=seconds)
    response = await client.messages.create(
        model=choice.model,
        max_tokens=MAX_OUTPUT_TOKENS,
        system=system,
        messages=[{"role": "user", "content": user}],
        tools=[{"name": TOOL_NAME, "description": "Record the expense.", "input_schema": EXPENSE_SCHEMA}],
        tool_choice={"type": "tool", "name": TOOL_NAME},
    )
    tokens = (response.usage.input_tokens, response.usage.output_tokens)
    if response.stop_reason == "max_tokens":
        raise AIParseFailed("the answer was cut off at the token limit")
    for block in response.content:
        if block.type == "tool_use" and block.name == TOOL_NAME:
            if not isinstance(block.input, dict):
                raise AIParseFailed("the tool input was not an object")
            return block.input, *tokens
    raise AIParseFailed("the answer did not use the tool")


async def _ask_gemini(settings: Settings, choice: ProviderChoice, system: str, user: str, seconds: float) -> Answer:
    client = gemini_client(settings, choice.api_key or "", timeout=seconds)
    response = await client.aio.models.generate_content(
        model=choice.model,
        contents=user,
        config=genai_types.GenerateContentConfig(
            system_instruction=system,
            response_mime_type="application/json",
            response_json_schema=EXPENSE_SCHEMA,
            max_output_tokens=MAX_OUTPUT_TOKENS,
            temperature=0,
        ),
    )
    meta = response.usage_metadata
    tokens = (meta.prompt_token_count, meta.candidates_token_count) if meta else (None, None)
    candidates = response.candidates or []
    if candidates and candidates[0].finish_reason == genai_types.FinishReason.MAX_TOKENS:
        raise AIParseFailed("the answer was cut off at the token limit")
    return _loads(response.text), *tokens


PROVIDERS: dict[str, Callable[[Settings, ProviderChoice, str, str, float], Awaitable[Answer]]] = {
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
    log.exception("ai_parse_unexpected_error")
    return type(error).__name__, False


async def ask(
    settings: Settings, choice: ProviderChoice, text: str, context: ParseContext
) -> tuple[ParseResult, AIUsage]:
    """The provider's parse of `text`, retried with backoff within settings.ai_parse_timeout_seconds."""
    usage = AIUsage(choice.provider, choice.model)
    system, user = prompt_for(text, context)
    started = time.perf_counter()
    deadline = started + settings.ai_parse_timeout_seconds
    ask_provider = PROVIDERS[choice.provider]
    try:
        while True:
            usage.attempts += 1
            remaining = deadline - time.perf_counter()
            try:
                async with asyncio.timeout(remaining + 0.5):  # the SDK's own timeout should fire first
                    answer, usage.input_tokens, usage.output_tokens = await ask_provider(
                        settings, choice, system, user, max(remaining, 0.1)
                    )
                return to_result(answer, context, choice.provider), usage
            except AIParseFailed as failure:
                usage.errors.append(failure.reason)
                raise
            except Exception as error:  # every SDK failure is sorted into "try again" or "give up"
                reason, retry = _classify(error)
                usage.errors.append(reason)
                wait = _retry_after(error) or settings.ai_parse_backoff_seconds * 2 ** (usage.attempts - 1)
                out_of_time = time.perf_counter() + wait >= deadline
                if not retry or usage.attempts >= settings.ai_parse_attempts or out_of_time:
                    raise AIParseFailed(f"the provider {reason}") from error
                await asyncio.sleep(wait)
    except AIParseFailed as failure:
        failure.usage = usage
        raise
    finally:
        usage.latency_ms = int((time.perf_counter() - started) * 1000)


# --- checking the answer ------------------------------------------------------------------------------------


def _known_id(value: Any, known: dict[str, Any]) -> Any:
    return known.get(str(value)) if value is not None else None


def to_result(answer: dict[str, Any], context: ParseContext, provider: str) -> ParseResult:
    """The provider's answer as a ParseResult, with every id checked against the caller's directory:
    anything it made up is dropped with a warning, never passed on."""
    directory, me = context.directory, context.user_id
    warnings: list[str] = []
    people = {str(p.id): p for p in directory.people}
    groups = {str(g.id): g for g in directory.groups}
    categories = {str(c.id): c for c in directory.categories}
    tags = {str(t.id): t for t in directory.tags}
    try:
        group = _known_id(answer.get("group_id"), groups) or directory.group(context.group_id)
        currency = (answer.get("currency") or "").upper() or None
        if currency is not None and currency not in context.currency_places:
            warnings.append(f"{currency} is not available here; the default currency was used.")
            currency = None
        currency = currency or (group.currency if group else context.preferred_currency)
        amount = None
        if answer.get("amount") not in (None, ""):
            places = context.currency_places.get(currency, 2)
            amount = Decimal(str(answer["amount"]).replace(",", "")).quantize(
                Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
            )
            if amount <= 0:
                warnings.append("The amount must be more than zero.")
                amount = None
        if amount is None:
            warnings.append("No amount found.")
        expense_date = context.today
        if answer.get("expense_date"):
            expense_date = date.fromisoformat(str(answer["expense_date"]))
            if expense_date > context.today:
                warnings.append("That date is in the future; today was used.")
                expense_date = context.today
        classification = ExpenseClassification(answer.get("classification") or "regular_monthly")
    except (InvalidOperation, ValueError, TypeError) as error:
        raise AIParseFailed(f"the answer did not fit the schema ({type(error).__name__})") from None

    allowed = {me, *(p.id for p in directory.people)}
    raw_participants = [p for p in answer.get("participants") or [] if isinstance(p, int)]
    participants = [p for p in dict.fromkeys(raw_participants) if p in allowed]
    if len(participants) < len(set(raw_participants)):
        warnings.append("The AI named people who are not among your friends; they were left out.")
    if not participants:
        participants = sorted(group.member_ids) if group else [me]
    paid_by = answer.get("paid_by") if answer.get("paid_by") in allowed else me

    mentions = []
    for raw in answer.get("mentions") or []:
        if not isinstance(raw, dict) or raw.get("type") not in {t.value for t in MentionType}:
            continue
        kind, text, ref = MentionType(raw["type"]), str(raw.get("text") or "")[:100], raw.get("id")
        mention = MentionOut(type=kind, text=text)
        if kind == MentionType.USER and (person := _known_id(ref, people)):
            mention.user_id, mention.name = person.id, person.display
        elif kind == MentionType.GROUP and (found := _known_id(ref, groups)):
            mention.group_id, mention.name = found.id, found.name
        elif kind == MentionType.CATEGORY and (category := _known_id(ref, categories)):
            mention.category_id, mention.name = category.id, category.slug
        elif kind == MentionType.TAG and (tag := _known_id(ref, tags)):
            mention.tag_id, mention.name = tag.id, tag.name
        elif kind == MentionType.TAG:
            mention.name = text.lstrip("#") or None
        else:
            warnings.append(f"No friend, group or category called {text}.")
        mentions.append(mention)

    slug = answer.get("category")
    category = directory.categories_by_slug.get(slug) if isinstance(slug, str) else None
    tag_names = [t.lstrip("#") for t in answer.get("tags") or [] if isinstance(t, str) and t.strip("# ")]
    score = 0.9 if amount is not None else 0.3
    return ParseResult(
        amount=amount,
        currency=currency,
        description=str(answer.get("description") or "")[:200],
        category=category.slug if category else None,
        category_id=category.id if category else None,
        expense_date=expense_date,
        group_id=group.id if group else None,
        mentions=mentions,
        tags=list(dict.fromkeys(tag_names))[:20],
        split=SplitHint(participants=participants, paid_by=paid_by),
        expense_classification=classification,
        confidence=round(max(0.0, score - 0.1 * len(warnings)), 2),
        parser=provider,
        warnings=warnings,
    )
