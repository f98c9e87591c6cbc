"""E-mail through the notification tables: a `notifications` row, a `notification_logs` row per attempt
history, and delivery by a worker job over SMTP (aiosmtplib).

With no SMTP_HOST configured (embedded mode) the message is written to the notification log row and the
application log instead, so a self-hoster can still read the verification link. The one-time links in
these messages are never stored anywhere else: the job carries the rendered text.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from enum import StrEnum

import aiosmtplib
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import jobs
from app.config import Settings
from app.logging import get_logger
from app.models import Notification, NotificationLog, User
from app.models.enums import DeliveryChannel, DeliveryStatus
from app.services.notifications.templates import render_email

log = get_logger(__name__)

DELIVER_EMAIL_JOB = "deliver_email"
# Retrying cannot fix these; anything else (connection refused, timeouts, 4xx replies) may pass later.
_PERMANENT_SMTP_ERRORS = (
    aiosmtplib.SMTPRecipientsRefused,
    aiosmtplib.SMTPSenderRefused,
    aiosmtplib.SMTPAuthenticationError,
)


class Delivery(StrEnum):
    SENT = "sent"
    LOGGED = "logged"  # no SMTP configured: written to the logs instead
    ALREADY_DONE = "already_done"
    RETRY = "retry"  # a transient failure: try again later
    FAILED = "failed"


async def queue_email(
    session: AsyncSession,
    user: User,
    notification_type: str,
    variables: dict[str, object],
    *,
    language: str = "en",
    to: str | None = None,
) -> NotificationLog:
    """Record the e-mail and send it from a worker once this transaction commits. It goes to `user`, or
    to the address `to` when the recipient has no account (the record then stays with `user`, who
    caused it: an invitation's sender)."""
    recipient = to or user.email
    subject, body = await render_email(session, notification_type, variables, language=language)
    notification = Notification(
        user_id=user.id,
        notification_type=notification_type,
        title=subject,
        message=f"E-mail sent to {recipient}.",
        delivery_channels=[DeliveryChannel.EMAIL.value],
    )
    session.add(notification)
    await session.flush()
    entry = NotificationLog(notification_id=notification.id, delivery_method=DeliveryChannel.EMAIL, recipient=recipient)
    session.add(entry)
    await session.flush()
    jobs.enqueue_after_commit(
        session, DELIVER_EMAIL_JOB, str(entry.id), recipient, subject, body, job_id=f"email:{entry.id}"
    )
    return entry


async def smtp_send(settings: Settings, to: str, subject: str, body: str) -> None:
    """Send one message with the configured SMTP server (raises aiosmtplib's errors)."""
    await aiosmtplib.send(
        build_message(settings, to, subject, body),
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        use_tls=settings.smtp_security == "tls",
        start_tls=settings.smtp_security == "starttls",
        timeout=settings.smtp_timeout_seconds,
    )


def build_message(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@expense-tracker>"
    message.set_content(body)
    return message


async def deliver_email_now(
    session: AsyncSession, settings: Settings, log_id: uuid.UUID, to: str, subject: str, body: str, *, last_try: bool
) -> Delivery:
    """Send one queued e-mail and record the outcome on its log row. Safe to run again after a crash."""
    entry = await session.scalar(select(NotificationLog).where(NotificationLog.id == log_id).with_for_update())
    if entry is None or entry.status in (DeliveryStatus.SENT, DeliveryStatus.SKIPPED):
        return Delivery.ALREADY_DONE
    now = datetime.now(UTC)
    notification = await session.get(Notification, entry.notification_id)
    if not settings.smtp_host:
        log.info("email_not_sent_no_smtp", to=to, subject=subject, body=body)
        entry.status = DeliveryStatus.SKIPPED
        entry.error_message = "SMTP is not configured; the message was written to the logs instead."
        entry.meta = {"subject": subject, "body": body}
        return Delivery.LOGGED
    try:
        await smtp_send(settings, to, subject, body)
    except _PERMANENT_SMTP_ERRORS as error:
        return _failed(entry, error, permanent=True)
    except (aiosmtplib.SMTPException, OSError) as error:
        return _failed(entry, error, permanent=last_try)
    entry.status = DeliveryStatus.SENT
    entry.sent_at = now
    entry.error_message = None
    if notification is not None:
        notification.is_sent = True
        notification.sent_at = now
    log.info("email_sent", to=to, subject=subject)
    return Delivery.SENT


def _failed(entry: NotificationLog, error: Exception, *, permanent: bool) -> Delivery:
    entry.error_message = f"{type(error).__name__}: {error}"[:1000]
    if permanent:
        entry.status = DeliveryStatus.FAILED
        log.warning("email_failed", recipient=entry.recipient, error=entry.error_message)
        return Delivery.FAILED
    entry.retry_count += 1
    log.info("email_retry", recipient=entry.recipient, error=entry.error_message, retry=entry.retry_count)
    return Delivery.RETRY
