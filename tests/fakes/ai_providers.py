"""Fake OpenAI, Anthropic and Gemini APIs on 127.0.0.1, speaking enough of each provider's HTTP API for
the official SDKs: the models list (key checks). Requests are recorded so tests can see what was sent."""

from __future__ import annotations

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
            ]
        )

    def _record(self, provider: str, request: Request) -> None:
        self.requests.append({"provider": provider, "path": request.url.path, "headers": dict(request.headers)})

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
            "id": "claude-3-5-haiku-latest",
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
