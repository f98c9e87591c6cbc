"""Fake OpenAI, Anthropic and Gemini APIs on 127.0.0.1, speaking enough of each provider's HTTP API for
the official SDKs: the models list (key checks) and structured generation (chat completions with a JSON
schema, messages with a forced tool, generateContent with a response schema). Requests are recorded so
tests can see what was sent.

`behaviour` sets how generation answers: "good" (the `answer` dict, or what `answer(prompt)` returns for
the request's user prompt, in each provider's shape), "malformed"
(text that is not JSON), "truncated" (cut off at the token limit), "slow" (sleeps `delay` seconds first),
"429" (always rate limited) or "429-once" (rate limited once, then good).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

GOOD_KEYS = {
    "openai": "sk-test-openai-good-key-1234",
    "anthropic": "sk-ant-test-good-key-5678",
    "gemini": "AIza-test-gemini-good-key-9012",
}


@dataclass
class FakeAIProviders:
    base_url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    behaviour: str = "good"
    answer: dict[str, Any] | Callable[[str], dict[str, Any]] = field(default_factory=dict)
    delay: float = 2.0
    _limited: set[str] = field(default_factory=set)

    def reset(
        self, behaviour: str = "good", answer: dict[str, Any] | Callable[[str], dict[str, Any]] | None = None
    ) -> None:
        self.behaviour, self.answer = behaviour, answer or {}
        self.requests.clear()
        self._limited.clear()

    @property
    def openai_url(self) -> str:
        return f"{self.base_url}/openai/v1"

    @property
    def anthropic_url(self) -> str:
        return f"{self.base_url}/anthropic"

    @property
    def gemini_url(self) -> str:
        return f"{self.base_url}/gemini/"

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/openai/v1/models", self._openai_models),
                Route("/anthropic/v1/models", self._anthropic_models),
                Route("/gemini/{version}/models", self._gemini_models),
                Route("/openai/v1/chat/completions", self._openai_chat, methods=["POST"]),
                Route("/anthropic/v1/messages", self._anthropic_messages, methods=["POST"]),
                Route("/gemini/{version}/models/{model}:generateContent", self._gemini_generate, methods=["POST"]),
            ]
        )

    def _record(self, provider: str, request: Request, body: dict[str, Any] | None = None) -> None:
        self.requests.append(
            {"provider": provider, "path": request.url.path, "headers": dict(request.headers), "body": body}
        )

    async def _generation(self, provider: str, request: Request) -> JSONResponse | None:
        """Record the call and play the failure behaviours; None means answer normally."""
        self._record(provider, request, json.loads(await request.body()))
        if self.behaviour == "slow":
            # This request is over for its test once it has slept; whatever the next test set up is not its
            # business (a late reply must not use up the next test's one rate limit).
            await asyncio.sleep(self.delay)
            return JSONResponse({"error": "too late"}, status_code=504)
        limited = self.behaviour == "429" or (self.behaviour == "429-once" and provider not in self._limited)
        if limited:
            self._limited.add(provider)
            bodies = {
                "openai": {"error": {"message": "Rate limit reached", "type": "rate_limit_error",
                                     "code": "rate_limit_exceeded"}},
                "anthropic": {"type": "error", "error": {"type": "rate_limit_error", "message": "Rate limited"}},
                "gemini": {"error": {"code": 429, "message": "Resource exhausted", "status": "RESOURCE_EXHAUSTED"}},
            }  # fmt: skip
            return JSONResponse(bodies[provider], status_code=429, headers={"retry-after": "0"})
        return None

    def _answer(self, prompt: str) -> dict[str, Any]:
        return self.answer(prompt) if callable(self.answer) else self.answer

    def _text(self, prompt: str) -> str:
        if self.behaviour == "malformed":
            return "Sure! Here is the expense: lunch, fifty dollars."
        return json.dumps(self._answer(prompt))

    async def _openai_chat(self, request: Request) -> JSONResponse:
        if (failure := await self._generation("openai", request)) is not None:
            return failure
        prompt = self.requests[-1]["body"]["messages"][-1]["content"]
        message = {"role": "assistant", "content": self._text(prompt), "refusal": None}
        finish = "length" if self.behaviour == "truncated" else "stop"
        return JSONResponse({
            "id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": "gpt-4o-mini",
            "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
            "usage": {"prompt_tokens": 321, "completion_tokens": 45, "total_tokens": 366},
        })  # fmt: skip

    async def _anthropic_messages(self, request: Request) -> JSONResponse:
        if (failure := await self._generation("anthropic", request)) is not None:
            return failure
        body = self.requests[-1]["body"]
        prompt = body["messages"][-1]["content"]
        if self.behaviour == "malformed":
            content = [{"type": "text", "text": self._text(prompt)}]
        else:
            tool = body["tool_choice"]["name"]
            content = [{"type": "tool_use", "id": "toolu_1", "name": tool, "input": self._answer(prompt)}]
        return JSONResponse({
            "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
            "content": content, "stop_reason": "max_tokens" if self.behaviour == "truncated" else "tool_use",
            "stop_sequence": None, "usage": {"input_tokens": 300, "output_tokens": 40},
        })  # fmt: skip

    async def _gemini_generate(self, request: Request) -> JSONResponse:
        if (failure := await self._generation("gemini", request)) is not None:
            return failure
        prompt = self.requests[-1]["body"]["contents"][-1]["parts"][-1]["text"]
        finish = "MAX_TOKENS" if self.behaviour == "truncated" else "STOP"
        content = {"parts": [{"text": self._text(prompt)}], "role": "model"}
        return JSONResponse({
            "candidates": [{"content": content, "finishReason": finish, "index": 0}],
            "usageMetadata": {"promptTokenCount": 310, "candidatesTokenCount": 42, "totalTokenCount": 352},
            "modelVersion": "gemini-2.0-flash",
        })  # fmt: skip

    async def _openai_models(self, request: Request) -> JSONResponse:
        self._record("openai", request)
        if request.headers.get("authorization") != f"Bearer {GOOD_KEYS['openai']}":
            error = {
                "message": "Incorrect API key provided.",
                "type": "invalid_request_error",
                "code": "invalid_api_key",
            }
            return JSONResponse({"error": error}, status_code=401)
        models = [
            {"id": name, "object": "model", "created": 1700000000, "owned_by": "openai"}
            for name in ("gpt-4o-mini", "gpt-4o")
        ]
        return JSONResponse({"object": "list", "data": models})

    async def _anthropic_models(self, request: Request) -> JSONResponse:
        self._record("anthropic", request)
        # Older SDKs send x-api-key, newer ones a bearer token; the API takes either.
        key = request.headers.get("x-api-key") or request.headers.get("authorization", "").removeprefix("Bearer ")
        if key != GOOD_KEYS["anthropic"]:
            error = {"type": "authentication_error", "message": "invalid x-api-key"}
            return JSONResponse({"type": "error", "error": error}, status_code=401)
        model = {
            "type": "model",
            "id": "claude-haiku-4-5",
            "display_name": "Claude Haiku",
            "created_at": "2024-10-22T00:00:00Z",
        }
        return JSONResponse({"data": [model], "has_more": False, "first_id": model["id"], "last_id": model["id"]})

    async def _gemini_models(self, request: Request) -> JSONResponse:
        self._record("gemini", request)
        key = request.headers.get("x-goog-api-key") or request.query_params.get("key")
        if key != GOOD_KEYS["gemini"]:
            error = {
                "code": 400,
                "message": "API key not valid. Please pass a valid API key.",
                "status": "INVALID_ARGUMENT",
            }
            return JSONResponse({"error": error}, status_code=400)
        model = {
            "name": "models/gemini-2.0-flash",
            "displayName": "Gemini 2.0 Flash",
            "supportedGenerationMethods": ["generateContent"],
        }
        return JSONResponse({"models": [model]})
