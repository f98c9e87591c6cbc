"""Creating and finding accounts; the rules every account field obeys."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict, Unprocessable
from app.models import User, UserPreferences, UserProfile
from app.services.reference.queries import active_currency


@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def check_timezone(name: str) -> str:
    if name not in _time_zones():
        raise Unprocessable(f"'{name}' is not an IANA time zone such as 'Europe/Berlin' or 'UTC'.", field="timezone")
    return name


async def check_currency(session: AsyncSession, code: str, *, field: str = "preferred_currency") -> str:
    return (await active_currency(session, code, field=field)).code


async def find_by_login(session: AsyncSession, login: str, *, for_update: bool = False) -> User | None:
    """The account whose e-mail or username is `login`, ignoring case."""
    login = login.strip().lower()
    query = select(User).where(or_(func.lower(User.email) == login, func.lower(User.username) == login))
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def ensure_available(session: AsyncSession, *, email: str | None = None, username: str | None = None) -> None:
    """409 naming what is taken; the unique indexes back this up against races."""
    if email is not None:
        taken = await session.scalar(select(User.id).where(func.lower(User.email) == email.lower()))
        if taken is not None:
            raise Conflict("An account with this e-mail address already exists.", field="email")
    if username is not None:
        taken = await session.scalar(select(User.id).where(func.lower(User.username) == username.lower()))
        if taken is not None:
            raise Conflict("This username is taken; choose another.", field="username")


async def create_account(
    session: AsyncSession, *, email: str, username: str, password_hash: str, **fields: Any
) -> User:
    """A user with their profile and preferences rows."""
    email = email.strip().lower()
    username = username.strip()
    await ensure_available(session, email=email, username=username)
    user = User(email=email, username=username, password=password_hash, **fields)
    session.add(user)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict("An account with this e-mail address or username already exists.") from None
    session.add_all([UserProfile(user_id=user.id), UserPreferences(user_id=user.id)])
    await session.flush()
    return user
