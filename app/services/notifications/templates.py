"""Message templates: the defaults seeded into `notification_templates`, and rendering.

Administrators may edit the rows; rendering uses the row for the user's language when one is active,
else English, else the default here. `$name` placeholders (string.Template) are filled from variables.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Template

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import NotificationTemplate
from app.models.enums import DeliveryChannel


class NotificationType:
    EMAIL_VERIFICATION = "email_verification"
    PASSWORD_RESET = "password_reset"
    PASSWORD_CHANGED = "password_changed"
    ACCOUNT_LOCKED = "account_locked"
    GROUP_INVITATION = "group_invitation"


@dataclass(frozen=True)
class DefaultTemplate:
    notification_type: str
    subject: str
    body: str


DEFAULT_EMAIL_TEMPLATES = (
    DefaultTemplate(
        NotificationType.EMAIL_VERIFICATION,
        "Confirm your e-mail address",
        "Hello $name,\n\n"
        "Please confirm your e-mail address for Expense Tracker by opening this link:\n\n"
        "$link\n\n"
        "or by entering this code in the app: $token\n\n"
        "The link works once and expires in $hours hours. If you did not sign up, ignore this message.\n",
    ),
    DefaultTemplate(
        NotificationType.PASSWORD_RESET,
        "Reset your password",
        "Hello $name,\n\n"
        "Someone (hopefully you) asked to reset your Expense Tracker password. Choose a new one here:\n\n"
        "$link\n\n"
        "or enter this code in the app: $token\n\n"
        "The link works once and expires in $minutes minutes. If you did not ask, ignore this message:\n"
        "your password stays as it is.\n",
    ),
    DefaultTemplate(
        NotificationType.PASSWORD_CHANGED,
        "Your password was changed",
        "Hello $name,\n\n"
        "The password of your Expense Tracker account was changed and every other session was signed out.\n"
        "If this was not you, reset your password now and contact your administrator.\n",
    ),
    DefaultTemplate(
        NotificationType.ACCOUNT_LOCKED,
        "Your account was locked",
        "Hello $name,\n\n"
        "After $attempts wrong passwords in a row, sign-in to your Expense Tracker account is locked until\n"
        "$until (UTC). If this was not you, consider changing your password once the lock ends.\n",
    ),
    DefaultTemplate(
        NotificationType.GROUP_INVITATION,
        "$inviter invited you to $group",
        "Hello,\n\n"
        '$inviter invited you to share expenses in the group "$group" on Expense Tracker.\n'
        "$message\n"
        "Join here (sign up first if you have no account, with this e-mail address):\n\n"
        "$link\n\n"
        "or enter this code in the app: $token\n\n"
        "The invitation expires in $days days. If you do not know $inviter, ignore this message.\n",
    ),
)
_DEFAULTS = {template.notification_type: template for template in DEFAULT_EMAIL_TEMPLATES}

# The in-app title and message of each event notification; push uses them too, e-mail wraps them in a
# greeting, SMS joins them on one line. Seeded per channel in English; administrators may add languages.
EVENT_TEXTS: dict[str, tuple[str, str]] = {
    "expense_added": ("$actor added you to $title", "$share_line"),
    "expense_changed": ("$actor $action $title", "$share_line"),
    "comment": ("$actor commented on $title", "$share_line"),
    "friend_request": ("$actor wants to be your friend", "$note"),
    "group_invite": ("$actor invited you to $group", "Accept it in the app, or with the code in the e-mail we sent."),
    "payment_received": ("$amount $currency from $actor arrived", "Paid through $service; $detail."),
    "payment_reminder": ("$actor reminds you that you owe them $amounts", "$note"),
    "settlement": ("$actor $action $amount $currency", "$hint"),
    "statement": ("$file $outcome", "$detail"),
    "budget_alert": ("$budget: $category at $percent%",
                     "You have spent $spent $currency of $limit $currency on $category ($start to $end)."),
    "recurring_expense": ("$title: $count added", "Recurring expense made for $dates."),
    "report_ready": ("$name is ready", "$count expenses as $format; it can be downloaded for $days days."),
}  # fmt: skip


def _event_defaults(kind: str, channel: DeliveryChannel) -> tuple[str, str]:
    title, message = EVENT_TEXTS[kind]
    if channel == DeliveryChannel.EMAIL:
        return title, f"Hello $name,\n\n{message}\n\nOpen Expense Tracker to see it: $link\n"
    if channel == DeliveryChannel.SMS:
        return "", f"{title}: {message}"
    return title, message


def _event_rows() -> list[dict[str, object]]:
    return [
        {"name": f"{kind}.{channel.value}.en", "notification_type": kind, "template_type": channel,
         "subject": _event_defaults(kind, channel)[0] or None, "body": _event_defaults(kind, channel)[1],
         "language": "en", "variables": {"names": sorted(set(Template(" ".join(EVENT_TEXTS[kind])).get_identifiers()))}}
        for kind in EVENT_TEXTS
        for channel in DeliveryChannel
    ]  # fmt: skip


async def render_event(
    session: AsyncSession, kind: str, channel: DeliveryChannel, variables: dict[str, object], language: str = "en"
) -> tuple[str, str]:
    """The subject (title) and body of an event notification for a channel, from the active template in the
    user's language, else English, else the default above; `$names` filled from the variables."""
    return fill((await event_texts(session, kind, channel, {language}))[language], variables)


async def event_texts(
    session: AsyncSession, kind: str, channel: DeliveryChannel, languages: set[str]
) -> dict[str, tuple[str, str]]:
    """The (subject, body) template of an event for a channel in each of `languages` (English, else the
    default above, where a language has none), in one query."""
    rows = await session.execute(
        select(NotificationTemplate.language, NotificationTemplate.subject, NotificationTemplate.body).where(
            NotificationTemplate.notification_type == kind, NotificationTemplate.template_type == channel,
            NotificationTemplate.is_active, NotificationTemplate.language.in_(languages | {"en"}))
    )  # fmt: skip
    by_language = {row.language: (row.subject or "", row.body) for row in rows}
    fallback = by_language.get("en") or _event_defaults(kind, channel)
    return {language: by_language.get(language) or fallback for language in languages}


def fill(texts: tuple[str, str], variables: dict[str, object]) -> tuple[str, str]:
    values = {key: str(value) for key, value in variables.items()}
    return Template(texts[0]).safe_substitute(values), Template(texts[1]).safe_substitute(values)


async def seed_templates(session: AsyncSession) -> int:
    rows = [
        {
            "name": f"{template.notification_type}.email.en",
            "notification_type": template.notification_type,
            "template_type": DeliveryChannel.EMAIL,
            "subject": template.subject,
            "body": template.body,
            "language": "en",
        }
        for template in DEFAULT_EMAIL_TEMPLATES
    ] + _event_rows()
    result = await session.execute(
        insert(NotificationTemplate).values(rows).on_conflict_do_nothing().returning(NotificationTemplate.id)
    )
    return len(result.all())


async def render_email(
    session: AsyncSession, notification_type: str, variables: dict[str, object], *, language: str = "en"
) -> tuple[str, str]:
    """The subject and body for this type of e-mail, filled in."""
    rows = await session.scalars(
        select(NotificationTemplate).where(
            NotificationTemplate.notification_type == notification_type,
            NotificationTemplate.template_type == DeliveryChannel.EMAIL,
            NotificationTemplate.is_active,
            NotificationTemplate.language.in_({language, "en"}),
        )
    )
    by_language = {row.language: row for row in rows}
    row = by_language.get(language) or by_language.get("en")
    if row is not None:
        subject, body = row.subject or _DEFAULTS[notification_type].subject, row.body
    else:
        subject, body = _DEFAULTS[notification_type].subject, _DEFAULTS[notification_type].body
    values = {key: str(value) for key, value in variables.items()}
    return Template(subject).safe_substitute(values), Template(body).safe_substitute(values)
