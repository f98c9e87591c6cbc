"""The statement job: run the pipeline for one uploaded file.

The pipeline is idempotent, so a job that fails for a reason of ours (the database went away, a deadlock)
is tried again a few times with a growing delay; a worker that dies is picked up again by arq. After the
last try the statement is marked failed with the reason, never left 'processing'.
"""

from __future__ import annotations

import uuid
from typing import Any

from arq import Retry

from app.logging import get_logger
from app.services.statements.pipeline import give_up, process
from app.workers.context import job

log = get_logger(__name__)
TRIES = 4


@job
async def process_statement(
    ctx: dict[str, Any], file_id: str, password_token: str | None = None, use_ai: bool = False
) -> str:
    try:
        status = await process(
            ctx["db"], ctx["settings"], uuid.UUID(file_id), ctx.get("redis"), password_token, use_ai=use_ai
        )
    except Exception as error:
        attempt = ctx.get("job_try", 1)
        log.exception("statement_job_failed", file_id=file_id, attempt=attempt)
        if attempt < TRIES:
            raise Retry(defer=2 * attempt) from error
        await give_up(ctx["db"], uuid.UUID(file_id), type(error).__name__)
        return "failed"
    log.info("statement_processed", file_id=file_id, status=status.value)
    return status.value
