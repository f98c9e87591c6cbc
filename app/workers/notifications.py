"""Notification delivery jobs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from arq import Retry

from app.logging import get_logger
from app.services.notifications.delivery import deliver_due
from app.services.notifications.email import Delivery, deliver_email_now
from app.services.notifications.expense_events import drain
from app.workers.context import job

log = get_logger(__name__)
MAX_EMAIL_TRIES = 5


@job
async def deliver_email(ctx: dict[str, Any], log_id: str, to: str, subject: str, body: str) -> str:
    last_try = ctx.get("job_try", 1) >= MAX_EMAIL_TRIES
    async with ctx["db"].session() as session:
        outcome = await deliver_email_now(
            session, ctx["settings"], uuid.UUID(log_id), to, subject, body, last_try=last_try
        )
    if outcome is Delivery.RETRY:
        # Back off 10 s, 40 s, 90 s, 160 s: an SMTP server that is down for a few minutes loses nothing.
        raise Retry(defer=10 * ctx.get("job_try", 1) ** 2)
    return outcome.value


@job
async def deliver_due_notifications(ctx: dict[str, Any]) -> int:
    """Every minute, and at once after an immediate notification: e-mail, push and SMS for what is due."""
    async with ctx["db"].session() as session:
        report = await deliver_due(session, ctx["settings"], datetime.now(UTC))
    if report.sent or report.retried or report.failed:
        log.info("notifications_delivered", sent=report.sent, retried=report.retried, failed=report.failed,
                 skipped=report.skipped, devices_deactivated=report.devices_deactivated)  # fmt: skip
    return report.sent


@job
async def notify_expense_people(ctx: dict[str, Any]) -> int:
    """Every two seconds: the notifications for expenses added, changed or commented on since the last run."""
    return await drain(ctx["db"].session)
