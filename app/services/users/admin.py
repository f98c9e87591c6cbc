"""Creating administrator accounts (from the CLI)."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import User, UserPreferences, UserProfile
from app.models.enums import UserRole
from app.security import hash_password


class AdminExists(Exception):
    pass


async def create_admin_user(session: AsyncSession, *, email: str, username: str, password: str) -> int:
    email = email.strip().lower()
    username = username.strip()
    taken = await session.scalar(select(User.id).where(or_(func.lower(User.email) == email, User.username == username)))
    if taken is not None:
        raise AdminExists(f"a user with e-mail {email} or username {username} already exists")
    user = User(
        email=email,
        username=username,
        password=hash_password(password),
        role=UserRole.ADMIN,
        is_verified=True,
        is_staff=True,
        is_superuser=True,
    )
    session.add(user)
    await session.flush()
    session.add_all([UserProfile(user_id=user.id), UserPreferences(user_id=user.id)])
    await session.flush()
    return user.id
