"""Delivering notifications on their channels beyond the app, by the worker.

Every minute (and at once after an immediate one is made) the due notifications are taken, locked with
SKIP LOCKED so two workers never send the same one, and grouped per user and channel: one due
notification is sent as itself; several (a digest, or quiet hours ending) go as one message listing them.
Each attempt writes a `notification_logs` row per notification and channel. A channel that fails for a
passing reason is tried again with a growing delay, up to NOTIFICATION_MAX_TRIES; a wrong address fails at
once; a push token the provider no longer knows deactivates that device. A notification is `is_sent` once
every channel is settled (sent, skipped for want of configuration, or failed for good).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.logging import get_logger
from app.models import Notification, NotificationLog, User, UserDevice, UserPreferences
from app.models.enums import DeliveryChannel, DeliveryStatus
from app.security import mask_secret
from app.services.notifications import channels, templates
from app.services.notifications.channels import Outcome

log = get_logger(__name__)
BATCH = 500
_FINAL = {"sent": DeliveryStatus.SENT, "skipped": DeliveryStatus.SKIPPED, "failed": DeliveryStatus.FAILED}


@dataclass
class Report:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    devices_deactivated: int = 0
    by_channel: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def backoff(tries: int) -> timedelta:
    """30 s, 2 min, 8 min, 32 min... after the first, second, third try."""
    return timedelta(seconds=30 * 4 ** max(tries - 1, 0))


async def _tries(session: AsyncSession, ids: list[uuid.UUID]) -> dict[tuple[uuid.UUID, str], tuple[int, bool]]:
    """(notification, channel) -> (attempts so far, settled)."""
    rows = await session.execute(
        select(
            NotificationLog.notification_id,
            NotificationLog.delivery_method,
            func.count(),
            func.bool_or(
                NotificationLog.status.in_([DeliveryStatus.SENT, DeliveryStatus.SKIPPED])
                | ~NotificationLog.meta["retry"].as_boolean()
            ),
        )
        .where(NotificationLog.notification_id.in_(ids))
        .group_by(NotificationLog.notification_id, NotificationLog.delivery_method)
    )
    return {(n, str(c)): (count, bool(done)) for n, c, count, done in rows.all()}


async def _message(session: AsyncSession, settings: Settings, user: User, language: str, channel: str,
                   pending: list[Notification]) -> tuple[str, str]:  # fmt: skip
    """Each notification's text for the channel from its type's template; several as one list."""
    texts = []
    for notification in pending:
        variables = {**notification.meta.get("variables", {}), "name": user.first_name or user.username,
                     "link": settings.public_url}  # fmt: skip
        if not notification.meta.get("variables"):  # made before templates: its own words
            texts.append((notification.title, notification.message))
            continue
        texts.append(await templates.render_event(session, notification.notification_type, DeliveryChannel(channel),
                                                  variables, language))  # fmt: skip
    if len(texts) == 1:
        return texts[0]
    lines = "\n".join(f"- {title}: {body}" if title else f"- {body}" for title, body in texts)
    return f"{len(texts)} updates from Expense Tracker", lines


async def _push(session: AsyncSession, settings: Settings, user: User, title: str, body: str,
                pending: list[Notification], report: Report) -> tuple[Outcome, str]:  # fmt: skip
    devices = list(await session.scalars(select(UserDevice).where(UserDevice.user_id == user.id, UserDevice.is_active)))
    if not devices:
        return Outcome("skipped", "no registered device"), ""
    data = {"notification_id": str(pending[0].id), "type": pending[0].notification_type, "count": str(len(pending))}
    outcomes = []
    for device in devices:
        outcome = await channels.send_push(settings, device.device_token, title, body, data)
        if outcome.token_gone:
            device.is_active = False
            report.devices_deactivated += 1
            log.info("push_token_deactivated", device_id=str(device.id))
        outcomes.append(outcome)
    recipients = ", ".join(mask_secret(d.device_token) for d in devices)
    for wanted in ("sent", "retry", "skipped"):
        found = [o for o in outcomes if o.status == wanted]
        if found:
            return found[0], recipients
    return outcomes[0], recipients


async def deliver_due(session: AsyncSession, settings: Settings, now: datetime) -> Report:
    report = Report()
    query = (
        select(Notification)
        .where(Notification.is_sent.is_(False), Notification.scheduled_for <= now)
        .order_by(Notification.user_id, Notification.created_at)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    due = list(await session.scalars(query))
    if not due:
        return report
    tries = await _tries(session, [n.id for n in due])
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for notification in due:
        by_user[notification.user_id].append(notification)
    for user_id, notes in by_user.items():
        user = await session.get(User, user_id)
        if user is None:
            continue
        locale = await session.scalar(select(UserPreferences.locale).where(UserPreferences.user_id == user_id))
        language = (locale or "en").split("-")[0].lower()
        wanted = sorted({c for n in notes for c in n.delivery_channels if c != DeliveryChannel.IN_APP.value})
        for channel in wanted:
            pending = [n for n in notes if channel in n.delivery_channels and not tries.get((n.id, channel),
                                                                                            (0, False))[1]]  # fmt: skip
            if not pending:
                continue
            title, body = await _message(session, settings, user, language, channel, pending)
            if channel == DeliveryChannel.EMAIL.value:
                outcome, recipient = await channels.send_email(settings, user.email, title, body), user.email
            elif channel == DeliveryChannel.SMS.value:
                outcome = await channels.send_sms(settings, user.phone_number, f"{title}\n{body}" if title else body)
                recipient = user.phone_number or ""
            else:
                outcome, recipient = await _push(session, settings, user, title, body, pending, report)
            for notification in pending:
                attempt = tries.get((notification.id, channel), (0, False))[0] + 1
                retry = outcome.status == "retry" and attempt < settings.notification_max_tries
                session.add(NotificationLog(
                    notification_id=notification.id, delivery_method=channel, recipient=recipient[:255],
                    status=_FINAL.get(outcome.status, DeliveryStatus.FAILED), external_id=outcome.external_id,
                    sent_at=now if outcome.status == "sent" else None, error_message=outcome.detail or None,
                    retry_count=attempt - 1, meta={"retry": retry, "digest_of": len(pending)},
                ))  # fmt: skip
                tries[(notification.id, channel)] = (attempt, not retry)
            counter = {"sent": "sent", "skipped": "skipped", "retry": "retried"}.get(outcome.status, "failed")
            setattr(report, counter, getattr(report, counter) + len(pending))
            report.by_channel[channel] += len(pending)
        for notification in notes:
            external = [c for c in notification.delivery_channels if c != DeliveryChannel.IN_APP.value]
            states = [tries.get((notification.id, c), (0, False)) for c in external]
            if all(done for _, done in states):
                notification.is_sent, notification.sent_at = True, now
            else:
                notification.scheduled_for = now + backoff(max(attempts for attempts, _ in states))
    await session.flush()
    return report
