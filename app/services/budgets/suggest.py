"""Budgets suggested from the user's own last 3-6 full months of spending: by their AI provider with a
structured answer, or, without a key (or when the provider fails), by a deterministic rule on the same
history. Either way the budget is stored as `ai_suggested` with what it was made from
(`ai_generation_context`: the history, and for the AI the prompt, the answer and its cost).
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.errors import Unprocessable
from app.models import Currency, User
from app.models.enums import BudgetPeriod, BudgetType
from app.services.ai import structured
from app.services.ai.structured import AIFailed, Question
from app.services.budgets import service, spending
from app.services.budgets.schemas import AllocationIn, BudgetCreate, BudgetOut, SuggestRequest
from app.services.expenses.service import today_for

TOOL_NAME = "suggest_budget"
SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["allocations", "rationale"],
    "properties": {
        "allocations": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["category_id", "amount", "reason"],
                "properties": {
                    "category_id": {"type": "string", "description": "One of the category ids given."},
                    "amount": {"type": "string", "description": "Monthly amount, a plain decimal."},
                    "reason": {"type": "string"},
                },
            },
        },
        "rationale": {"type": "string", "description": "Two or three sentences for the user."},
    },
}
INSTRUCTIONS = (
    "You suggest a realistic monthly budget from a person's own spending history. For each category give a "
    "monthly amount in {currency}: near what they usually spend, a little lower where spending jumps from month "
    "to month or looks discretionary, never below fixed costs such as rent. Use only the category ids given. "
    "Answer only through the schema."
)


def months_before(today: date, count: int) -> list[tuple[date, date]]:
    """The last `count` full calendar months before today's, oldest first."""
    months, end = [], today.replace(day=1) - timedelta(days=1)
    for _ in range(count):
        start = end.replace(day=1)
        months.append((start, end))
        end = start - timedelta(days=1)
    return months[::-1]


def _root(category: uuid.UUID | None, tree: dict[uuid.UUID, tuple[str, uuid.UUID | None]]) -> uuid.UUID | None:
    while category is not None and tree.get(category, ("", None))[1] is not None:
        category = tree[category][1]
    return category


def nice(amount: Decimal, places: int) -> Decimal:
    """Rounded up to a step people budget in: 5 below 100, 10 below 1,000, 50 above."""
    step = Decimal(5) if amount < 100 else Decimal(10) if amount < 1000 else Decimal(50)
    return ((amount / step).to_integral_value(ROUND_CEILING) * step).quantize(Decimal(1).scaleb(-places))


def system_suggestion(history: dict[uuid.UUID, list[Decimal]], places: int) -> dict[uuid.UUID, Decimal]:
    """Each category's average month, rounded up to a budgeting step (a month without spending counts)."""
    suggestion = {}
    for category, months in history.items():
        average = sum(months, Decimal(0)) / len(months)
        if average > 0:
            suggestion[category] = nice(average, places)
    return suggestion


async def _history(
    session: AsyncSession, user: User, currency: Currency, months: list[tuple[date, date]]
) -> tuple[dict[uuid.UUID, list[Decimal]], dict[uuid.UUID, tuple[str, uuid.UUID | None]]]:
    """Spending per top-level category and month (categorised spending only)."""
    tree = await spending.category_tree(session, user.id)
    history: dict[uuid.UUID, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * len(months))
    for index, (start, end) in enumerate(months):
        for category, amount in (await spending.by_category(session, currency, start, end, user_id=user.id)).items():
            root = _root(category, tree)
            if root is not None:
                history[root][index] += amount
    return dict(history), tree


async def _ask_ai(
    session: AsyncSession, settings: Settings, user: User, currency: Currency, table: list[dict[str, Any]]
) -> tuple[dict[uuid.UUID, Decimal], dict[str, Any]] | None:
    choice = await structured.choose_provider(session, settings, user.id)
    if choice is None:
        return None
    system = INSTRUCTIONS.format(currency=currency.code)
    prompt = "Monthly spending, oldest month first:\n" + json.dumps(table, ensure_ascii=False)
    question = Question(TOOL_NAME, "Suggest the budget.", SCHEMA, system, prompt, 2000)
    # A longer answer than a chat parse: four times its budget.
    budget = structured.Budget(
        settings.ai_parse_timeout_seconds * 4, settings.ai_parse_attempts, settings.ai_parse_backoff_seconds
    )
    context: dict[str, Any] = {"provider": choice.provider, "model": choice.model, "prompt": prompt}
    try:
        answer, usage = await structured.ask(settings, choice, question, budget)
        known = {row["category_id"] for row in table}
        amounts: dict[uuid.UUID, Decimal] = {}
        for row in answer.get("allocations") or []:
            amount = Decimal(str(row.get("amount"))).quantize(Decimal(1).scaleb(-currency.decimal_places))
            if row.get("category_id") in known and amount.is_finite() and amount > 0:
                amounts[uuid.UUID(row["category_id"])] = amount
        if not amounts:
            raise AIFailed("the answer allocated nothing to the categories given")
    except AIFailed as failure:
        spent = failure.usage.as_metadata() if failure.usage else {}
        return {}, {**context, "error": failure.reason, "usage": spent}
    except (InvalidOperation, TypeError, ValueError, AttributeError):
        return {}, {**context, "error": "the answer did not fit the schema"}
    return amounts, {**context, "answer": answer, "usage": usage.as_metadata()}


async def suggest(session: AsyncSession, settings: Settings, user: User, request: SuggestRequest) -> BudgetOut:
    currency = await service.budget_currency(session, user, None, request.currency)
    today = today_for(user)
    months = months_before(today, request.months)
    history, tree = await _history(session, user, currency, months)
    if not history:
        raise Unprocessable(f"There is no categorised spending in the last {request.months} full months to learn from.")
    table = [
        {"category_id": str(category), "category": tree[category][0], "months": [str(m) for m in amounts]}
        for category, amounts in sorted(history.items(), key=lambda item: -sum(item[1]))
    ]
    context: dict[str, Any] = {"months": [start.isoformat()[:7] for start, _ in months], "history": table}
    asked = await _ask_ai(session, settings, user, currency, table)
    if asked is not None and asked[0]:
        amounts, context["source"] = asked[0], "ai"
    else:
        amounts, context["source"] = system_suggestion(history, currency.decimal_places), "system"
    if asked is not None:
        context["ai"] = asked[1]
    data = BudgetCreate(
        name=request.name or f"Suggested from {context['months'][0]} to {context['months'][-1]}",
        period_type=BudgetPeriod.MONTHLY, start_date=today.replace(day=1), amount=sum(amounts.values(), Decimal(0)),
        currency=currency.code,
        allocations=[AllocationIn(category_id=category, amount=amount) for category, amount in amounts.items()],
    )  # fmt: skip
    return await service.create(session, user, data, budget_type=BudgetType.AI_SUGGESTED, ai_context=context)
