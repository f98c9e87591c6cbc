"""The security audit trail (`activity_logs`): who did what, from where."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import ActivityLog
from app.pagination import newest_first


@dataclass(frozen=True)
class ClientInfo:
    """Where a request came from, for the audit trail and rate limits."""

    ip: str | None = None
    user_agent: str | None = None


class Action:
    REGISTER = "register"
    EMAIL_VERIFIED = "email_verified"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOCKOUT = "lockout"
    LOGOUT = "logout"
    TOKEN_REUSE = "token_reuse"
    PASSWORD_CHANGE = "password_change"
    PASSWORD_RESET = "password_reset"
    AI_KEY_CHANGE = "ai_key_change"
    ROLE_CHANGE = "role_change"
    CONFIG_CHANGE = "config_change"
    CURRENCY_CHANGE = "currency_change"


def record(
    session: AsyncSession,
    action: str,
    *,
    user_id: int | None,
    client: ClientInfo | None = None,
    content_type: str | None = None,
    object_id: str | None = None,
    object_repr: str | None = None,
    changes: dict[str, Any] | None = None,
) -> None:
    """Add an audit row to the session (never secrets in `changes`: names of what changed, not values)."""
    session.add(
        ActivityLog(
            # The wall clock rather than now(): rows written in one transaction still sort in order.
            created_at=datetime.now(UTC),
            user_id=user_id,
            action=action,
            content_type=content_type,
            object_id=object_id,
            object_repr=object_repr[:200] if object_repr else None,
            changes=changes or {},
            ip_address=client.ip if client else None,
            user_agent=(client.user_agent or "")[:500] or None if client else None,
        )
    )


async def activity_page(
    session: AsyncSession, user_id: int, *, cursor: str | None, limit: int
) -> tuple[list[ActivityLog], str | None]:
    query = select(ActivityLog).where(ActivityLog.user_id == user_id)
    return await newest_first(session, query, ActivityLog, cursor=cursor, limit=limit)
