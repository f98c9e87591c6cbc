"""Creating administrator accounts (from the CLI)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict
from app.models.enums import UserRole
from app.security import hash_password
from app.services.users.accounts import create_account


class AdminExists(Exception):
    pass


async def create_admin_user(session: AsyncSession, *, email: str, username: str, password: str) -> int:
    try:
        user = await create_account(
            session,
            email=email,
            username=username,
            password_hash=hash_password(password),
            role=UserRole.ADMIN,
            is_verified=True,
            is_staff=True,
            is_superuser=True,
        )
    except Conflict:
        taken = f"a user with e-mail {email.strip().lower()} or username {username.strip()} already exists"
        raise AdminExists(taken) from None
    return user.id
