"""Chat messages parsed by an AI provider with structured output (`structured.ask`). The prompt carries
the caller's people, groups, categories and tags so mentions resolve to ids; the answer is checked against
the same directory before it becomes a ParseResult.

Any failure (timeout, rate limit after the retries, an error status, a malformed or truncated answer, an
answer that does not fit the schema) raises AIFailed; the caller falls back to the system parser.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from app.config import Settings
from app.models.enums import ExpenseClassification, MentionType
from app.services.ai import structured
from app.services.ai.structured import AIFailed, AIUsage, Budget, ProviderChoice, Question
from app.services.chat.parser.context import ParseContext
from app.services.chat.schemas import MentionOut, ParseResult, SplitHint

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


async def ask(
    settings: Settings, choice: ProviderChoice, text: str, context: ParseContext
) -> tuple[ParseResult, AIUsage]:
    """The provider's parse of `text`, retried with backoff within settings.ai_parse_timeout_seconds."""
    system, user = prompt_for(text, context)
    question = Question(TOOL_NAME, "Record the expense.", EXPENSE_SCHEMA, system, user, MAX_OUTPUT_TOKENS)
    budget = Budget(settings.ai_parse_timeout_seconds, settings.ai_parse_attempts, settings.ai_parse_backoff_seconds)
    answer, usage = await structured.ask(settings, choice, question, budget)
    try:
        return to_result(answer, context, choice.provider), usage
    except AIFailed as failure:
        usage.errors.append(failure.reason)
        failure.usage = usage
        raise


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
        raise AIFailed(f"the answer did not fit the schema ({type(error).__name__})") from None

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
