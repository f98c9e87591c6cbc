"""Clients of the three AI providers' official SDKs, built per call from a user's own key.

Base URLs come from the user's settings (an OpenAI-compatible local server) or the server-wide
OPENAI_BASE_URL / ANTHROPIC_BASE_URL / GEMINI_BASE_URL (proxies, and the fake servers of the tests).
"""

from __future__ import annotations

from anthropic import AsyncAnthropic
from google import genai
from google.genai import types as genai_types
from openai import AsyncOpenAI

from app.config import Settings


def openai_client(settings: Settings, api_key: str | None, *, base_url: str | None, timeout: float) -> AsyncOpenAI:
    # A local OpenAI-compatible server often needs no key, but the SDK insists on one.
    return AsyncOpenAI(
        api_key=api_key or "not-needed",
        base_url=base_url or settings.openai_base_url,
        timeout=timeout,
        max_retries=0,
    )


def anthropic_client(settings: Settings, api_key: str, *, timeout: float) -> AsyncAnthropic:
    return AsyncAnthropic(api_key=api_key, base_url=settings.anthropic_base_url, timeout=timeout, max_retries=0)


def gemini_client(settings: Settings, api_key: str, *, timeout: float) -> genai.Client:
    options = genai_types.HttpOptions(timeout=int(timeout * 1000))
    if settings.gemini_base_url:
        options.base_url = settings.gemini_base_url
    return genai.Client(api_key=api_key, http_options=options)
