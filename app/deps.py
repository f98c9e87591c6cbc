"""Request dependencies shared by every router: settings, Redis, the caller and where they call from.

`CurrentUser` is the one way a route learns who is signed in: it checks the access token, that its
login session (refresh-token family) is still open, and that the account is active, in one query.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated

import structlog
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.db import DriverStatement, SessionDep, as_persistent, columns_of
from app.errors import Forbidden, Unauthorized
from app.models import User
from app.models.enums import UserRole
from app.ratelimit import check_rate
from app.security import AccessClaims, read_access_token
from app.services.audit import ClientInfo

TOKEN_URL = "/api/v1/auth/login"
_bearer = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)


# These are `async def` although they do no I/O: FastAPI would run plain `def` ones in a thread.
async def _settings(request: Request) -> Settings:
    return request.app.state.settings


async def _redis(request: Request) -> Redis:
    return request.app.state.redis


async def _client(request: Request) -> ClientInfo:
    host = request.client.host if request.client else None
    try:
        ip = str(ipaddress.ip_address(host)) if host else None
    except ValueError:
        ip = None
    return ClientInfo(ip=ip, user_agent=request.headers.get("user-agent"))


SettingsDep = Annotated[Settings, Depends(_settings)]
RedisDep = Annotated[Redis, Depends(_redis)]
ClientDep = Annotated[ClientInfo, Depends(_client)]


# The user, if active and if the token's login session (refresh-token family) is still open: on the driver
# (every request runs it; the ORM's query machinery cost several times the query).
_CURRENT_USER = DriverStatement(
    f"""
    SELECT {columns_of(User, "u")} FROM auth_user u
    WHERE u.id = :user_id AND u.is_active AND EXISTS (
        SELECT 1 FROM refresh_tokens r WHERE r.family_id = :session_id AND r.user_id = u.id AND r.revoked_at IS NULL
    )
    """  # noqa: S608 - constant column names; the values are bound parameters
)


async def signed_in_user(session: AsyncSession, settings: Settings, token: str | None) -> tuple[User, AccessClaims]:
    """The user an access token belongs to, while its login session is open and the account active."""
    if not token:
        raise Unauthorized("Sign in first: this needs a bearer access token.")
    claims = read_access_token(token, secret=settings.secret_key.get_secret_value())  # type: ignore[union-attr]
    if claims is None:
        raise Unauthorized("The access token is invalid or has expired; refresh it or sign in again.")
    row = await _CURRENT_USER.fetchrow(session, {"user_id": claims.user_id, "session_id": claims.session_id})
    if row is None:
        raise Unauthorized("This session has ended; sign in again.")
    return as_persistent(session, User, row), claims


async def _current_user(
    request: Request, session: SessionDep, settings: SettingsDep, token: str | None = Depends(_bearer)
) -> User:
    user, claims = await signed_in_user(session, settings, token)
    request.state.session_id = claims.session_id
    structlog.contextvars.bind_contextvars(user_id=user.id)
    return user


CurrentUser = Annotated[User, Depends(_current_user)]


async def _admin_user(user: CurrentUser) -> User:
    if user.role != UserRole.ADMIN:
        raise Forbidden("Only administrators can do this.")
    return user


AdminUser = Annotated[User, Depends(_admin_user)]


def rate_limited(action: str) -> object:
    """A dependency counting one `action` attempt from the caller's address against the auth limit."""

    async def dependency(redis: RedisDep, settings: SettingsDep, client: ClientDep) -> None:
        await check_rate(redis, action, client.ip or "unknown", limit=settings.auth_rate_limit_per_minute)

    return Depends(dependency)
