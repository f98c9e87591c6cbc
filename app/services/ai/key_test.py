"""Testing a user's AI keys: one cheap call (a models list) to each configured provider through its SDK,
the outcome stored in `ai_settings` and never a key in a message. Kept apart from `keys` so that what only
reads settings (the worker, the parsers) does not import the three SDKs, which take seconds to load.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import anthropic
import httpx
import openai
from google.genai import errors as genai_errors
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.errors import Unprocessable
from app.logging import get_logger
from app.models import User
from app.security import mask_secret
from app.services.ai.clients import anthropic_client, gemini_client, openai_client
from app.services.ai.keys import KEY_COLUMNS, decrypted_key, settings_row
from app.services.ai.schemas import AITestOut, ProviderTestOut

log = get_logger(__name__)


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
