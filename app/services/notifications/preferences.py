"""Notification preferences per type (seed 000's notification_preferences): on or off, the channels
(in_app, email, push, sms), quiet hours in the user's time zone and a frequency (immediate, or an hourly or
daily digest). A type without a row uses the defaults: on, in the app only, immediately.

`schedule` turns a preference into when the other channels deliver: now, the end of the quiet hours, or
the next digest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import and_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotFound, Unprocessable
from app.models import NotificationPreference, User, UserPreferences
from app.models.enums import DeliveryChannel, DeliveryFrequency

# The events that notify, and what each is about.
TYPES: dict[str, str] = {
    "expense_added": "You were added to an expense",
    "expense_changed": "An expense you are in was edited, deleted or restored",
    "comment": "Someone commented on an expense of yours",
    "friend_request": "Someone asked to be your friend",
    "group_invite": "Someone invited you to a group",
    "settlement": "A payment between you and someone was recorded or confirmed",
    "payment_received": "A payment to you arrived through a payment provider",
    "payment_reminder": "Someone you owe reminded you to settle up",
    "statement": "A bank statement was imported or needs you (a password, a review)",
    "budget_alert": "A budget category reached an alert threshold",
    "recurring_expense": "A recurring expense was created",
    "report_ready": "A report you asked for is ready",
}
# In the app only until the user chooses more (a mobile client turns push on when it registers a device):
# nothing is sent to a channel nobody asked for, and a notification costs no delivery work by default.
DEFAULT_CHANNELS = [DeliveryChannel.IN_APP.value]
DAILY_DIGEST_AT = time(8, 0)  # local time, unless quiet hours end later


class PreferenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    is_enabled: bool = True
    delivery_methods: list[DeliveryChannel] = Field(
        default_factory=lambda: list(map(DeliveryChannel, DEFAULT_CHANNELS))
    )
    quiet_hours_start: time | None = Field(default=None, description="Local time; with quiet_hours_end.")
    quiet_hours_end: time | None = None
    frequency_limit: DeliveryFrequency = DeliveryFrequency.IMMEDIATE


class PreferenceOut(PreferenceIn):
    notification_type: str
    description: str


def _out(kind: str, row: NotificationPreference | None) -> PreferenceOut:
    if row is None:
        return PreferenceOut(notification_type=kind, description=TYPES[kind])
    return PreferenceOut(
        notification_type=kind, description=TYPES[kind], is_enabled=row.is_enabled,
        delivery_methods=[DeliveryChannel(m) for m in row.delivery_methods], quiet_hours_start=row.quiet_hours_start,
        quiet_hours_end=row.quiet_hours_end, frequency_limit=row.frequency_limit,
    )  # fmt: skip


async def list_preferences(session: AsyncSession, user_id: int) -> list[PreferenceOut]:
    rows = {r.notification_type: r for r in await session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user_id))}  # fmt: skip
    return [_out(kind, rows.get(kind)) for kind in TYPES]


async def preference(session: AsyncSession, user_id: int, kind: str) -> PreferenceOut:
    return (await for_delivery(session, user_id, kind)).preference


@dataclass(frozen=True)
class Recipient:
    preference: PreferenceOut
    timezone: str
    language: str  # "en", from the user's locale ("en-GB")


async def for_delivery(session: AsyncSession, user_id: int, kind: str) -> Recipient:
    """The user's preference for `kind`, time zone and language, in one query."""
    return (await for_delivery_many(session, [user_id], kind))[user_id]


async def for_delivery_many(session: AsyncSession, user_ids: Iterable[int], kind: str) -> dict[int, Recipient]:
    """`for_delivery` for many users in one query (users that do not exist are left out)."""
    found = await session.execute(
        select(User.id, User.timezone, UserPreferences.locale, NotificationPreference)
        .outerjoin(UserPreferences, UserPreferences.user_id == User.id)
        .outerjoin(NotificationPreference, and_(NotificationPreference.user_id == User.id,
                                                NotificationPreference.notification_type == kind))
        .where(User.id.in_(set(user_ids))))  # fmt: skip
    default = _out(kind, None) if kind in TYPES else PreferenceOut(notification_type=kind, description=kind)
    return {
        user_id: Recipient(
            _out(kind, row) if row is not None else default,
            timezone,
            (locale or "en").split("-")[0].split("_")[0].lower(),
        )
        for user_id, timezone, locale, row in found
    }


async def set_preference(session: AsyncSession, user_id: int, kind: str, data: PreferenceIn) -> PreferenceOut:
    if kind not in TYPES:
        raise NotFound(f"No notification type '{kind}'; the types are: {', '.join(TYPES)}.")
    if (data.quiet_hours_start is None) != (data.quiet_hours_end is None):
        raise Unprocessable("Give both ends of the quiet hours, or neither.", field="quiet_hours_start")
    values = {
        "is_enabled": data.is_enabled, "delivery_methods": sorted({m.value for m in data.delivery_methods}),
        "quiet_hours_start": data.quiet_hours_start, "quiet_hours_end": data.quiet_hours_end,
        "frequency_limit": data.frequency_limit,
    }  # fmt: skip
    statement = insert(NotificationPreference).values(user_id=user_id, notification_type=kind, **values)
    await session.execute(statement.on_conflict_do_update(index_elements=["user_id", "notification_type"],
                                                          set_=values))  # fmt: skip
    return await preference(session, user_id, kind)


def _quiet(local: datetime, start: time, end: time) -> datetime | None:
    """When the quiet hours around `local` end (None: not in them). Overnight hours (22:00-07:00) too."""
    now = local.time()
    inside = start <= now < end if start < end else (now >= start or now < end)
    if not inside:
        return None
    ends = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    return ends if ends > local else ends + timedelta(days=1)


def schedule(pref: PreferenceOut, timezone: str, now: datetime) -> datetime:
    """When the channels other than in-app deliver (UTC)."""
    local = now.astimezone(ZoneInfo(timezone))
    due = local
    if pref.frequency_limit == DeliveryFrequency.HOURLY_DIGEST:
        due = (local + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    elif pref.frequency_limit == DeliveryFrequency.DAILY_DIGEST:
        due = local.replace(hour=DAILY_DIGEST_AT.hour, minute=DAILY_DIGEST_AT.minute, second=0, microsecond=0)
        if due <= local:
            due += timedelta(days=1)
    if pref.quiet_hours_start is not None and pref.quiet_hours_end is not None:
        held = _quiet(due, pref.quiet_hours_start, pref.quiet_hours_end)
        due = held or due
    return due.astimezone(UTC)
