"""The statement job: run the pipeline for one uploaded file (retried by arq if the worker dies)."""

from __future__ import annotations

import uuid
from typing import Any

from app.logging import get_logger
from app.services.statements.pipeline import process
from app.workers.context import job

log = get_logger(__name__)


@job
async def process_statement(ctx: dict[str, Any], file_id: str, password_token: str | None = None) -> str:
    status = await process(ctx["db"], ctx["settings"], uuid.UUID(file_id), ctx.get("redis"), password_token)
    log.info("statement_processed", file_id=file_id, status=status.value)
    return status.value
