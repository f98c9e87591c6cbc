"""Liveness and readiness probes (outside /api/v1: they describe the process, not the API)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from app.db import get_database
from app.errors import error_body, first_line
from app.jobs import get_queue

router = APIRouter(tags=["health"])

CHECK_TIMEOUT_SECONDS = 2.0


@router.get("/health", summary="The process is up")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/ready",
    summary="The database and Redis answer and the schema is migrated",
    responses={503: {"description": "A dependency does not answer; `detail` says which and why."}},
)
async def ready(request: Request) -> JSONResponse:
    results = await asyncio.gather(_check_database(request.app.state.head_revision), _check_redis())
    checks = dict(zip(("database", "redis"), results, strict=True))
    failed = {name: reason for name, reason in checks.items() if reason != "ok"}
    if failed:
        detail = "Not ready: " + "; ".join(f"{name}: {reason}" for name, reason in failed.items()) + "."
        return JSONResponse(error_body("not_ready", detail, checks=checks), status_code=503)
    return JSONResponse({"status": "ready", "checks": checks})


async def _check_database(head: str | None) -> str:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS), get_database().engine.connect() as connection:
            revision = (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    except TimeoutError:
        return f"no answer within {CHECK_TIMEOUT_SECONDS:.0f}s"
    except Exception as error:  # any driver error means "not ready"; say which
        return f"{type(error).__name__}: {first_line(error)}"
    if head is not None and revision != head:
        return f"schema is at revision {revision}, expected {head}; run `expense-tracker migrate`"
    return "ok"


async def _check_redis() -> str:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            await get_queue().ping()
    except TimeoutError:
        return f"no answer within {CHECK_TIMEOUT_SECONDS:.0f}s"
    except Exception as error:  # any client error means "not ready"
        return f"{type(error).__name__}: {first_line(error)}"
    return "ok"
