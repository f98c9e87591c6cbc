"""What every job gets: a database, the settings, and log lines tied to the request that queued it."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

import structlog

from app.config import get_settings
from app.db import Database, set_database
from app.jobs import set_queue
from app.logging import configure_logging, get_logger

log = get_logger(__name__)

JobFunction = Callable[..., Awaitable[Any]]


def job(function: JobFunction) -> JobFunction:
    """Bind the job id and the enqueuing request's id to every log line the job writes."""

    @functools.wraps(function)
    async def wrapper(ctx: dict[str, Any], *args: Any, request_id: str | None = None, **kwargs: Any) -> Any:
        with structlog.contextvars.bound_contextvars(
            job_id=ctx.get("job_id"), job=function.__name__, request_id=request_id, job_try=ctx.get("job_try")
        ):
            return await function(ctx, *args, **kwargs)

    return wrapper


async def startup(ctx: dict[str, Any]) -> None:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    assert settings.database_url, "the worker needs DATABASE_URL (the CLI sets it in embedded mode)"
    ctx["settings"] = settings
    ctx["db"] = Database(settings.database_url, settings)
    set_database(ctx["db"])
    set_queue(ctx["redis"])
    log.info("worker_started")


async def shutdown(ctx: dict[str, Any]) -> None:
    database: Database | None = ctx.get("db")
    if database is not None:
        await database.dispose()
    set_database(None)
    set_queue(None)
    log.info("worker_stopped")
