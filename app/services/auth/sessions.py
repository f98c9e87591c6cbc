"""Login sessions: a family of refresh tokens that rotate on every use.

Each refresh hands out a new token and marks the old one used. A used token presented again means it
was copied (or a client misbehaved): the whole family is revoked, so the thief and the owner both have
to sign in again, and every access token of that session stops working at once (see app/deps.py).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.errors import Unauthorized
from app.models import RefreshToken, User
from app.security import create_access_token, new_opaque_token, token_digest
from app.services import audit
from app.services.audit import Action, ClientInfo
from app.services.auth.schemas import TokenPair


def _issue(
    session: AsyncSession, settings: Settings, user_id: int, family_id: uuid.UUID, client: ClientInfo
) -> tuple[RefreshToken, TokenPair]:
    refresh = new_opaque_token()
    row = RefreshToken(
        id=uuid.uuid4(),
        user_id=user_id,
        family_id=family_id,
        token_hash=token_digest(refresh),
        expires_at=datetime.now(UTC) + timedelta(days=settings.refresh_token_days),
        ip_address=client.ip,
        user_agent=(client.user_agent or "")[:500] or None,
    )
    session.add(row)
    lifetime = timedelta(minutes=settings.access_token_minutes)
    access = create_access_token(
        user_id,
        family_id,
        secret=settings.secret_key.get_secret_value(),
        lifetime=lifetime,  # type: ignore[union-attr]
    )
    return row, TokenPair(access_token=access, refresh_token=refresh, expires_in=int(lifetime.total_seconds()))


def start_session(session: AsyncSession, settings: Settings, user: User, client: ClientInfo) -> TokenPair:
    _, pair = _issue(session, settings, user.id, uuid.uuid4(), client)
    return pair


async def rotate(session: AsyncSession, settings: Settings, refresh_token: str, client: ClientInfo) -> TokenPair:
    row = await session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == token_digest(refresh_token)).with_for_update()
    )
    now = datetime.now(UTC)
    if row is None:
        raise Unauthorized("This refresh token is not valid; sign in again.")
    if row.revoked_at is not None:
        raise Unauthorized("This session has ended; sign in again.")
    if row.used_at is not None:
        await revoke_family(session, row.family_id, reason="reuse", now=now)
        audit.record(
            session, Action.TOKEN_REUSE, user_id=row.user_id, client=client,
            content_type="session", object_id=str(row.family_id),
        )  # fmt: skip
        raise Unauthorized(
            "This refresh token was already used, so the session has been ended for safety; sign in again.",
            keep_changes=True,
        )
    if row.expires_at <= now:
        raise Unauthorized("This session has expired; sign in again.")
    user = await session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("This account can no longer sign in.")
    new_row, pair = _issue(session, settings, row.user_id, row.family_id, client)
    await session.flush()
    row.used_at = now
    row.replaced_by_id = new_row.id
    return pair


async def revoke_family(
    session: AsyncSession, family_id: uuid.UUID, *, reason: str, now: datetime | None = None
) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now or datetime.now(UTC), revoked_reason=reason)
    )


async def revoke_all(session: AsyncSession, user_id: int, *, reason: str, keep_family: uuid.UUID | None = None) -> None:
    """End every session of the user (but `keep_family`, the caller's own, when given)."""
    query = update(RefreshToken).where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
    if keep_family is not None:
        query = query.where(RefreshToken.family_id != keep_family)
    await session.execute(query.values(revoked_at=datetime.now(UTC), revoked_reason=reason))
