"""The AI chat parsers, each through its official SDK against a fake of its HTTP API on 127.0.0.1: a good
answer, a malformed one, a truncated one, a timeout and rate limits, and the fallback to the system parser."""

from __future__ import annotations

import pytest

from app.services.ai.chat_parser import ask
from app.services.ai.structured import AIFailed, ProviderChoice
from tests.chat_corpus import load_context
from tests.factories import auth_headers, make_account
from tests.fakes.ai_providers import GOOD_KEYS
from tests.test_groups import friends

PROVIDERS = ["openai", "anthropic", "gemini"]
MODELS = {"openai": "gpt-4o-mini", "anthropic": "claude-haiku-4-5", "gemini": "gemini-2.0-flash"}
LUNCH = {
    "amount": "50.00", "currency": "USD", "description": "lunch at pizza place", "category": "restaurants",
    "expense_date": None, "group_id": None, "participants": [1, 2], "paid_by": 1, "tags": [],
    "classification": "regular_monthly", "mentions": [{"type": "user", "text": "@john", "id": "2"}],
}  # fmt: skip


def choice(provider: str) -> ProviderChoice:
    return ProviderChoice(provider, MODELS[provider], GOOD_KEYS[provider])


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_good_answer_becomes_a_checked_suggestion(ai, provider) -> None:
    settings, fake = ai
    fake.reset(
        "good",
        {
            **LUNCH,
            "participants": [1, 2, 99],
            "mentions": [*LUNCH["mentions"], {"type": "user", "text": "@ghost", "id": "99"}],
        },
    )
    result, usage = await ask(settings, choice(provider), "@john $50 lunch at pizza place", load_context())
    assert result.parser == provider and str(result.amount) == "50.00" and result.category == "restaurants"
    assert result.split.participants == [1, 2]  # 99 is nobody the user knows: dropped, with a warning
    assert result.mentions[0].user_id == 2 and result.mentions[1].user_id is None
    assert any("not among your friends" in w for w in result.warnings)
    assert usage.attempts == 1 and usage.input_tokens and usage.output_tokens and usage.latency_ms >= 0
    sent = fake.requests[-1]["body"]
    prompt = str(sent)
    assert '"username": "john"' in prompt and "restaurants" in prompt  # the directory went along
    structured = {
        "openai": lambda: sent["response_format"]["type"] == "json_schema",
        "anthropic": lambda: sent["tool_choice"] == {"type": "tool", "name": "record_expense"},
        "gemini": lambda: (
            sent["generationConfig"]["responseMimeType"] == "application/json"
            and "responseJsonSchema" in sent["generationConfig"]
        ),
    }
    assert structured[provider]()


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize(
    ("behaviour", "reason", "attempts"),
    [
        ("malformed", "not JSON", 1),
        ("truncated", "cut off", 1),
        ("429", "rate limited", 3),
        ("slow", "timed out", 1),
    ],
)
async def test_failures_are_reported_not_raised_to_the_user(ai, provider, behaviour, reason, attempts) -> None:
    settings, fake = ai
    fake.reset(behaviour, LUNCH)
    if behaviour == "slow":
        settings.ai_parse_timeout_seconds, fake.delay = 0.5, 1.5
    if provider == "anthropic" and behaviour == "malformed":
        reason = "did not use the tool"  # its malformed answer is prose instead of the forced tool call
    with pytest.raises(AIFailed) as failed:
        await ask(settings, choice(provider), "@john $50 lunch", load_context())
    assert reason in failed.value.reason
    assert failed.value.usage is not None and failed.value.usage.attempts == attempts


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_rate_limit_is_retried_with_backoff(ai, provider) -> None:
    settings, fake = ai
    fake.reset("429-once", LUNCH)
    result, usage = await ask(settings, choice(provider), "@john $50 lunch", load_context())
    assert usage.attempts == 2 and usage.errors == ["rate limited (429)"] and str(result.amount) == "50.00"


async def test_the_chat_endpoint_uses_the_ai_and_falls_back(client, session, ai) -> None:
    settings, fake = ai
    user = await make_account(session)
    friend = await make_account(session, username=f"pat{user.id}")
    await friends(session, user, friend)
    headers = await auth_headers(session, settings, user)
    keys = {"anthropic_api_key": GOOD_KEYS["anthropic"], "active_parser_provider": "claude"}
    assert (await client.patch("/api/v1/ai-settings", json=keys, headers=headers)).status_code == 200
    answer = {**LUNCH, "participants": [user.id, friend.id], "paid_by": user.id, "mentions": []}

    fake.reset("good", answer)
    confident = {"content": f"@{friend.username} $50 lunch at pizza place"}
    body = (await client.post("/api/v1/chat/parse", json=confident, headers=headers)).json()
    assert body["parser"] == "system" and fake.requests == []  # normal mode: confident enough without AI

    ai_mode = {**confident, "mode": "ai"}
    body = (await client.post("/api/v1/chat/parse", json=ai_mode, headers=headers)).json()
    assert body["parser"] == "anthropic" and body["split"]["participants"] == [user.id, friend.id]
    page = (await client.get("/api/v1/chat/conversations/main/messages", headers=headers)).json()
    assert page["items"][0]["metadata"]["ai"]["input_tokens"] == 300

    fake.reset("429", answer)
    body = (await client.post("/api/v1/chat/parse", json=ai_mode, headers=headers)).json()
    assert body["parser"] == "system" and str(body["amount"]) == "50.00"
    assert any("anthropic parser failed" in w for w in body["warnings"])
    page = (await client.get("/api/v1/chat/conversations/main/messages", headers=headers)).json()
    assert page["items"][0]["metadata"]["ai"]["fallback"] is True

    fake.reset("good", answer)
    unsure = (await client.post("/api/v1/chat/parse", json={"content": "lunch with pat"}, headers=headers)).json()
    assert unsure["parser"] == "anthropic" and len(fake.requests) == 1  # low confidence: the AI was asked
