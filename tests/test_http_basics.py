"""Health, readiness, the error format, request ids, CORS and the API documentation."""

from __future__ import annotations

import httpx
from arq.connections import ArqRedis
from fastapi import APIRouter
from sqlalchemy import text

from app import jobs
from app.db import SessionDep


async def test_health_and_ready(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
    ready = await client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"database": "ok", "redis": "ok"}}


async def test_ready_is_503_with_a_reason_when_redis_is_down(client: httpx.AsyncClient) -> None:
    healthy_queue = jobs.get_queue()
    # A client for a port nobody listens on (built lazily; arq's create_pool would refuse up front).
    jobs.set_queue(ArqRedis(host="127.0.0.1", port=1, socket_connect_timeout=1))
    try:
        response = await client.get("/ready")
    finally:
        await jobs.get_queue().aclose()
        jobs.set_queue(healthy_queue)
    assert response.status_code == 503
    body = response.json()
    assert body["error"] == "not_ready"
    assert body["checks"]["database"] == "ok"
    assert body["detail"].startswith("Not ready: redis:")


async def test_ready_reports_an_unmigrated_schema(app, client: httpx.AsyncClient) -> None:  # type: ignore[no-untyped-def]
    app.state.head_revision = "9999"
    response = await client.get("/ready")
    assert response.status_code == 503
    assert "expected 9999" in response.json()["detail"]


async def test_errors_have_one_shape(app, client: httpx.AsyncClient) -> None:  # type: ignore[no-untyped-def]
    missing = await client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404
    assert missing.json() == {"error": "not_found", "detail": "No such resource."}

    wrong_method = await client.delete("/health")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"] == "method_not_allowed"

    invalid = await client.get("/api/v1/currencies", params={"include_inactive": "perhaps"})
    assert invalid.status_code == 422
    body = invalid.json()
    assert body["error"] == "validation_error"
    assert body["detail"].startswith("The request is invalid: include_inactive:")

    router = APIRouter()

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internal detail")

    app.include_router(router)
    crash = await client.get("/boom", headers={"X-Request-ID": "trace-me-123"})
    assert crash.status_code == 500
    assert crash.json()["error"] == "internal_error"
    assert "secret internal detail" not in crash.text
    assert "trace-me-123" in crash.json()["detail"]


async def test_request_id_is_echoed_or_made(client: httpx.AsyncClient) -> None:
    given = await client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    made = await client.get("/health")
    assert len(made.headers["x-request-id"]) == 32
    unsafe = await client.get("/health", headers={"X-Request-ID": "bad id\nwith newline"})
    assert unsafe.headers["x-request-id"] != "bad id\nwith newline"


async def test_cors_allows_only_configured_origins(client: httpx.AsyncClient) -> None:
    allowed = await client.options(
        "/api/v1/currencies",
        headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"},
    )
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
    refused = await client.get("/api/v1/currencies", headers={"Origin": "https://evil.example.net"})
    assert "access-control-allow-origin" not in refused.headers
    # Browser code may read the headers it acts on: the request id, a replayed create, when to retry.
    answer = await client.get("/api/v1/currencies", headers={"Origin": "https://app.example.com"})
    exposed = {name.strip().lower() for name in answer.headers["access-control-expose-headers"].split(",")}
    assert exposed == {"x-request-id", "idempotent-replayed", "retry-after"}


async def test_docs_and_openapi(client: httpx.AsyncClient) -> None:
    assert (await client.get("/docs")).status_code == 200
    assert (await client.get("/redoc")).status_code == 200
    spec = (await client.get("/openapi.json")).json()
    tags = {tag["name"]: tag["description"] for tag in spec["tags"]}
    assert {"health", "auth", "expenses", "groups", "statements", "chat", "budgets"} <= tags.keys()
    assert all(tags.values())
    assert "/api/v1/currencies" in spec["paths"]


async def test_reference_data_over_http(client: httpx.AsyncClient) -> None:
    currencies = {c["code"]: c for c in (await client.get("/api/v1/currencies")).json()}
    assert (currencies["JPY"]["decimal_places"], currencies["USD"]["decimal_places"]) == (0, 2)
    assert currencies["KWD"]["decimal_places"] == 3
    assert currencies["EUR"]["symbol"] == "€"
    assert isinstance(currencies["USD"]["exchange_rate_to_usd"], str)

    countries = {c["code"]: c for c in (await client.get("/api/v1/countries")).json()}
    assert countries["DE"]["currency_code"] == "EUR"
    assert countries["IN"]["phone_code"] == "+91"
    assert countries["JP"]["flag_emoji"] == "🇯🇵"

    tree = (await client.get("/api/v1/categories/defaults")).json()
    roots = {node["slug"]: node for node in tree}
    assert {
        "food-dining", "groceries", "transport", "housing", "utilities", "health", "entertainment",
        "shopping", "travel", "education", "gifts-charity", "income", "transfers", "other",
    } == roots.keys()  # fmt: skip
    assert all(node["children"] for node in tree)
    assert "restaurants" in {child["slug"] for child in roots["food-dining"]["children"]}


async def test_a_write_that_loses_a_race_is_a_409_with_a_sentence(app, client: httpx.AsyncClient) -> None:  # type: ignore[no-untyped-def]
    """A unique violation nobody caught (the second of two requests that both checked first) is the caller's
    cue to try again, not a server error."""
    router = APIRouter()

    @router.post("/copy-usd")
    async def copy_usd(session: SessionDep) -> None:
        await session.execute(text("INSERT INTO currencies SELECT * FROM currencies WHERE code = 'USD'"))

    app.include_router(router)
    lost = await client.post("/copy-usd")
    assert lost.status_code == 409
    assert lost.json() == {
        "error": "conflict",
        "detail": "Another request changed the same data at the same moment; nothing was saved. Try again.",
    }


async def test_values_the_database_cannot_take_are_a_422(client, session, settings) -> None:  # type: ignore[no-untyped-def]
    """Found by fuzzing the API (schemathesis): each of these was a 500."""
    from tests.factories import auth_headers, make_account

    headers = await auth_headers(session, settings, await make_account(session))
    for path, params in (
        ("/api/v1/users/236147542538234920960", {}),  # beyond 64 bits
        ("/api/v1/users/search", {"q": "a\x00b"}),  # NUL in text
        ("/api/v1/expenses", {"min_amount": "2.5e107"}),  # beyond NUMERIC(19,4)
    ):
        answer = await client.get(path, params=params, headers=headers)
        assert answer.status_code == 422, (path, answer.text)
        assert answer.json()["detail"].startswith("A value in this request is out of range")
    # The year before 0001-01-01 does not exist: the trends start from the first day there is.
    first = await client.get("/api/v1/analytics/trends", params={"end": "0001-01-01"}, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["periods"] == []
