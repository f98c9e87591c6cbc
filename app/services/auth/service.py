"""Registration, e-mail verification, sign-in with lockout, and passwords.

argon2 takes tens of milliseconds by design, so hashing runs in a thread and never stalls the event
loop for other requests.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.errors import BadRequest, Forbidden, Locked, Unauthorized, Unprocessable
from app.models import EmailVerification, PasswordReset, User
from app.security import (
    DUMMY_PASSWORD_HASH,
    hash_password,
    new_opaque_token,
    password_needs_rehash,
    password_problem,
    token_digest,
    verify_password,
)
from app.services import audit
from app.services.audit import Action, ClientInfo
from app.services.auth import sessions
from app.services.auth.schemas import RegisterIn, TokenPair
from app.services.notifications.email import queue_email
from app.services.notifications.templates import NotificationType
from app.services.users.accounts import check_currency, check_timezone, create_account, find_by_login


def display_name(user: User) -> str:
    return user.first_name or user.username


def _link(settings: Settings, path: str, token: str) -> str:
    return f"{settings.public_url.rstrip('/')}/{path}?token={quote(token)}"


def check_password_policy(password: str, *, username: str, email: str) -> None:
    problem = password_problem(password, username=username, email=email)
    if problem:
        raise Unprocessable(problem, field="password")


async def register(session: AsyncSession, settings: Settings, data: RegisterIn, client: ClientInfo) -> User:
    check_password_policy(data.password, username=data.username, email=data.email)
    check_timezone(data.timezone)
    currency = await check_currency(session, data.preferred_currency)
    user = await create_account(
        session,
        email=data.email,
        username=data.username,
        password_hash=await asyncio.to_thread(hash_password, data.password),
        first_name=data.first_name,
        last_name=data.last_name,
        preferred_currency=currency,
        timezone=data.timezone,
    )
    audit.record(session, Action.REGISTER, user_id=user.id, client=client, content_type="user", object_id=str(user.id))
    await send_verification(session, settings, user)
    return user


async def send_verification(session: AsyncSession, settings: Settings, user: User) -> None:
    token = new_opaque_token()
    session.add(
        EmailVerification(
            user_id=user.id,
            token=token_digest(token),
            email=user.email,
            expires_at=datetime.now(UTC) + timedelta(hours=settings.email_verification_hours),
        )
    )
    await queue_email(
        session,
        user,
        NotificationType.EMAIL_VERIFICATION,
        {
            "name": display_name(user),
            "link": _link(settings, "verify-email", token),
            "token": token,
            "hours": settings.email_verification_hours,
        },
    )


async def verify_email(session: AsyncSession, token: str, client: ClientInfo) -> User:
    row = await session.scalar(
        select(EmailVerification).where(EmailVerification.token == token_digest(token)).with_for_update()
    )
    if row is None or row.is_used or row.expires_at <= datetime.now(UTC):
        raise BadRequest("This verification code is invalid, already used or expired; ask for a new one.")
    user = await session.get(User, row.user_id)
    if user is None or user.email != row.email:
        raise BadRequest("This verification code is for an address the account no longer uses.")
    row.is_used = True
    user.is_verified = True
    audit.record(session, Action.EMAIL_VERIFIED, user_id=user.id, client=client, content_type="user")
    return user


async def login(
    session: AsyncSession, settings: Settings, login_name: str, password: str, client: ClientInfo
) -> TokenPair:
    user = await find_by_login(session, login_name, for_update=True)
    now = datetime.now(UTC)
    if user is None:
        await asyncio.to_thread(verify_password, DUMMY_PASSWORD_HASH, password)
        audit.record(session, Action.LOGIN_FAILED, user_id=None, client=client, changes={"reason": "unknown_login"})
        raise Unauthorized("The login or password is wrong.", keep_changes=True)
    if user.account_locked_until is not None and user.account_locked_until > now:
        raise _locked(user.account_locked_until, now)
    if not await asyncio.to_thread(verify_password, user.password, password):
        return await _count_failure(session, settings, user, client, now)
    if not user.is_active:
        raise Forbidden("This account has been deactivated; contact your administrator.")
    user.failed_login_attempts = 0
    user.account_locked_until = None
    user.last_login = now
    user.last_login_ip = client.ip
    if password_needs_rehash(user.password):
        user.password = await asyncio.to_thread(hash_password, password)
    audit.record(session, Action.LOGIN, user_id=user.id, client=client)
    return sessions.start_session(session, settings, user, client)


def _locked(until: datetime, now: datetime, *, keep_changes: bool = False) -> Locked:
    seconds = max(1, int((until - now).total_seconds()) + 1)
    return Locked(
        f"Too many wrong passwords: this account is locked until {until.strftime('%Y-%m-%d %H:%M:%S')} UTC.",
        headers={"Retry-After": str(seconds)},
        locked_until=until.isoformat(),
        keep_changes=keep_changes,
    )


async def _count_failure(
    session: AsyncSession, settings: Settings, user: User, client: ClientInfo, now: datetime
) -> TokenPair:
    user.failed_login_attempts += 1
    if user.failed_login_attempts >= settings.login_max_failures:
        until = now + timedelta(minutes=settings.lockout_minutes)
        user.account_locked_until = until
        user.failed_login_attempts = 0
        audit.record(
            session, Action.LOCKOUT, user_id=user.id, client=client, changes={"locked_until": until.isoformat()}
        )
        await queue_email(
            session,
            user,
            NotificationType.ACCOUNT_LOCKED,
            {"name": display_name(user), "attempts": settings.login_max_failures, "until": until.strftime("%H:%M")},
        )
        raise _locked(until, now, keep_changes=True)
    audit.record(session, Action.LOGIN_FAILED, user_id=user.id, client=client, changes={"reason": "wrong_password"})
    remaining = settings.login_max_failures - user.failed_login_attempts
    raise Unauthorized("The login or password is wrong.", keep_changes=True, attempts_remaining=remaining)


async def request_password_reset(session: AsyncSession, settings: Settings, email: str, client: ClientInfo) -> None:
    """Send a reset link if the address belongs to an active account; say nothing either way."""
    user = await session.scalar(select(User).where(User.email == email.strip().lower(), User.is_active))
    if user is None:
        return
    token = new_opaque_token()
    session.add(
        PasswordReset(
            user_id=user.id,
            token_hash=token_digest(token),
            expires_at=datetime.now(UTC) + timedelta(minutes=settings.password_reset_minutes),
            ip_address=client.ip,
        )
    )
    await queue_email(
        session,
        user,
        NotificationType.PASSWORD_RESET,
        {
            "name": display_name(user),
            "link": _link(settings, "reset-password", token),
            "token": token,
            "minutes": settings.password_reset_minutes,
        },
    )


async def confirm_password_reset(session: AsyncSession, token: str, new_password: str, client: ClientInfo) -> None:
    now = datetime.now(UTC)
    row = await session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == token_digest(token)).with_for_update()
    )
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise BadRequest("This reset code is invalid, already used or expired; ask for a new one.")
    user = await session.get(User, row.user_id, with_for_update=True)
    if user is None or not user.is_active:
        raise BadRequest("This reset code is invalid, already used or expired; ask for a new one.")
    check_password_policy(new_password, username=user.username, email=user.email)
    user.password = await asyncio.to_thread(hash_password, new_password)
    user.failed_login_attempts = 0
    user.account_locked_until = None
    row.used_at = now
    # Every other outstanding reset code dies with this one.
    await session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    await sessions.revoke_all(session, user.id, reason="password_reset")
    audit.record(session, Action.PASSWORD_RESET, user_id=user.id, client=client)
    await queue_email(session, user, NotificationType.PASSWORD_CHANGED, {"name": display_name(user)})


async def change_password(
    session: AsyncSession,
    user: User,
    current_password: str,
    new_password: str,
    client: ClientInfo,
    *,
    keep_session: uuid.UUID,
) -> None:
    if not await asyncio.to_thread(verify_password, user.password, current_password):
        raise Unprocessable("The current password is wrong.", field="current_password")
    check_password_policy(new_password, username=user.username, email=user.email)
    user.password = await asyncio.to_thread(hash_password, new_password)
    await sessions.revoke_all(session, user.id, reason="password_change", keep_family=keep_session)
    audit.record(session, Action.PASSWORD_CHANGE, user_id=user.id, client=client)
    await queue_email(session, user, NotificationType.PASSWORD_CHANGED, {"name": display_name(user)})


async def logout(
    session: AsyncSession, user: User, session_id: uuid.UUID, client: ClientInfo, *, all_sessions: bool
) -> None:
    if all_sessions:
        await sessions.revoke_all(session, user.id, reason="logout_all")
    else:
        await sessions.revoke_family(session, session_id, reason="logout")
    audit.record(session, Action.LOGOUT, user_id=user.id, client=client, changes={"all_sessions": all_sessions})
