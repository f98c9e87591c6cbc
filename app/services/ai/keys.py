"""Each user's AI provider keys: stored Fernet-encrypted, shown only as hints, tested on request."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import anthropic
import httpx
import openai
from google.genai import errors as genai_errors
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.errors import Unprocessable
from app.logging import get_logger
from app.models import AISettings, User
from app.models.enums import ParserProvider
from app.security import SecretBox, mask_secret
from app.services import audit
from app.services.ai.clients import anthropic_client, gemini_client, openai_client
from app.services.ai.schemas import AISettingsOut, AISettingsPatch, AITestOut, ProviderOut, ProviderTestOut
from app.services.audit import Action, ClientInfo

log = get_logger(__name__)

# API provider name -> the ai_settings column holding its key, and the parser provider it powers.
KEY_COLUMNS = {"openai": "openai_api_key", "anthropic": "anthropic_api_key", "gemini": "gemini_api_key"}
PARSER_FOR = {"openai": ParserProvider.OPENAI, "anthropic": ParserProvider.CLAUDE, "gemini": ParserProvider.GEMINI}


async def settings_row(session: AsyncSession, user: User, *, for_update: bool = False) -> AISettings:
    query = select(AISettings).where(AISettings.user_id == user.id)
    if for_update:
        query = query.with_for_update()
    row = await session.scalar(query)
    if row is None:
        row = AISettings(user_id=user.id)
        session.add(row)
        await session.flush()
        await session.refresh(row)
    return row


def decrypted_key(box: SecretBox, row: AISettings, provider: str) -> str | None:
    token = getattr(row, KEY_COLUMNS[provider])
    return box.decrypt(token) if token else None


def describe(box: SecretBox, row: AISettings) -> AISettingsOut:
    def provider(name: str, model: str) -> ProviderOut:
        try:
            key = decrypted_key(box, row, name)
            hint = mask_secret(key) if key else None
        except ValueError:
            key, hint = "", "(stored under a retired encryption key)"
        return ProviderOut(configured=key is not None, key_hint=hint, model=model)

    return AISettingsOut(
        openai=provider("openai", row.openai_model),
        anthropic=provider("anthropic", row.anthropic_model),
        gemini=provider("gemini", row.gemini_model),
        openai_base_url=row.openai_base_url,
        active_parser_provider=row.active_parser_provider,
        api_key_last_tested=row.api_key_last_tested,
        api_key_test_status=row.api_key_test_status,
    )


async def update(
    session: AsyncSession, settings: Settings, user: User, patch: AISettingsPatch, client: ClientInfo
) -> AISettingsOut:
    box = settings.secret_box()
    row = await settings_row(session, user, for_update=True)
    changes = patch.model_dump(exclude_unset=True, mode="json")
    changed_keys: dict[str, str] = {}
    for provider, column in KEY_COLUMNS.items():
        if column not in changes:
            continue
        value = changes.pop(column)
        setattr(row, column, box.encrypt(value) if value else None)
        changed_keys[provider] = "set" if value else "removed"
        # A new key has not been tested yet.
        row.api_key_test_status = {k: v for k, v in row.api_key_test_status.items() if k != provider}
    for name in ("openai_model", "anthropic_model", "gemini_model", "active_parser_provider"):
        if name in changes and changes[name] is None:
            raise Unprocessable(f"{name} cannot be empty.", field=name)
    for name, value in changes.items():
        setattr(row, name, value)
    _check_active_provider(row)
    if changed_keys:
        audit.record(session, Action.AI_KEY_CHANGE, user_id=user.id, client=client, changes=changed_keys)
    await session.flush()
    return describe(box, row)


def _check_active_provider(row: AISettings) -> None:
    active = row.active_parser_provider
    for provider, parser in PARSER_FOR.items():
        if active != parser:
            continue
        usable = getattr(row, KEY_COLUMNS[provider]) is not None or (provider == "openai" and row.openai_base_url)
        if not usable:
            raise Unprocessable(
                f"Add a {provider} key (or choose another provider) before making it the active parser.",
                field="active_parser_provider",
            )


async def test_keys(session: AsyncSession, settings: Settings, user: User) -> AITestOut:
    """Call each configured provider once (a models list) and store what happened."""
    box = settings.secret_box()
    row = await settings_row(session, user, for_update=True)
    timeout = settings.ai_test_timeout_seconds
    checks: dict[str, Callable[[], Awaitable[int]]] = {}
    secrets_in_play: list[str] = []
    for provider in KEY_COLUMNS:
        try:
            key = decrypted_key(box, row, provider)
        except ValueError:
            checks[provider] = _fails("The stored key was encrypted with a retired key; enter it again.")
            continue
        if key:
            secrets_in_play.append(key)
        if provider == "openai" and (key or row.openai_base_url):
            client = openai_client(settings, key, base_url=row.openai_base_url, timeout=timeout)
            checks[provider] = lambda client=client: _count_openai(client)
        elif provider == "anthropic" and key:
            checks[provider] = lambda key=key: _count_anthropic(anthropic_client(settings, key, timeout=timeout))
        elif provider == "gemini" and key:
            checks[provider] = lambda key=key: _count_gemini(gemini_client(settings, key, timeout=timeout))
    if not checks:
        raise Unprocessable("There is no AI provider key to test; add one first.")
    outcomes = await asyncio.gather(*(_run(check, timeout, secrets_in_play) for check in checks.values()))
    results = dict(zip(checks, outcomes, strict=True))
    now = datetime.now(UTC)
    row.api_key_last_tested = now
    row.api_key_test_status = {
        **row.api_key_test_status,
        **{name: {**result.model_dump(), "tested_at": now.isoformat()} for name, result in results.items()},
    }
    return AITestOut(tested_at=now, results=results)


def _fails(message: str) -> Callable[[], Awaitable[int]]:
    async def check() -> int:
        raise _CheckFailed(message)

    return check


class _CheckFailed(Exception):
    pass


async def _count_openai(client: openai.AsyncOpenAI) -> int:
    return len([model async for model in client.models.list()])


async def _count_anthropic(client: anthropic.AsyncAnthropic) -> int:
    page = await client.models.list()
    return len(page.data)


async def _count_gemini(client) -> int:  # type: ignore[no-untyped-def]
    pager = await client.aio.models.list()
    return len([model async for model in pager])


async def _run(check: Callable[[], Awaitable[int]], limit_seconds: float, secrets: list[str]) -> ProviderTestOut:
    started = time.perf_counter()
    try:
        # The SDKs have their own timeout; this bounds a provider that trickles bytes forever.
        async with asyncio.timeout(limit_seconds + 1):
            count = await check()
    except _CheckFailed as error:
        return ProviderTestOut(ok=False, detail=str(error))
    except (openai.AuthenticationError, anthropic.AuthenticationError, openai.PermissionDeniedError):
        return _failure("The provider rejected the key.", started, secrets)
    except (openai.APIStatusError, anthropic.APIStatusError) as error:
        return _failure(f"The provider answered {error.status_code}: {error.message}", started, secrets)
    except genai_errors.APIError as error:
        return _failure(f"The provider answered {error.code}: {error.message}", started, secrets)
    except (openai.APIConnectionError, anthropic.APIConnectionError, httpx.HTTPError, TimeoutError, OSError) as error:
        return _failure(f"Could not reach the provider ({type(error).__name__}).", started, secrets)
    latency = int((time.perf_counter() - started) * 1000)
    return ProviderTestOut(
        ok=True, detail=f"The key works; {count} models available.", models_found=count, latency_ms=latency
    )


def _failure(detail: str, started: float, secrets: list[str]) -> ProviderTestOut:
    for secret in secrets:
        detail = detail.replace(secret, mask_secret(secret))  # providers sometimes echo the key back
    log.info("ai_key_test_failed", detail=detail)
    return ProviderTestOut(ok=False, detail=detail[:300], latency_ms=int((time.perf_counter() - started) * 1000))
