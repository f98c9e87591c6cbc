"""Small builders for rows the schema tests need (through the ORM, inside the test transaction)."""

from __future__ import annotations

import itertools
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Currency, Expense, Group, GroupMembership, User, UserProfile
from app.models.enums import MembershipStatus

_sequence = itertools.count(1)


async def currency_id(session: AsyncSession, code: str = "USD") -> uuid.UUID:
    found = await session.scalar(select(Currency.id).where(Currency.code == code))
    assert found is not None, f"{code} is not seeded"
    return found


async def make_user(session: AsyncSession, **overrides: Any) -> User:
    n = next(_sequence)
    user = User(
        username=overrides.pop("username", f"user{n}_{uuid.uuid4().hex[:6]}"),
        email=overrides.pop("email", f"user{n}_{uuid.uuid4().hex[:6]}@example.com"),
        password="argon2-hash-placeholder",
        **overrides,
    )
    session.add(user)
    await session.flush()
    session.add(UserProfile(user_id=user.id))
    await session.flush()
    return user


async def make_group(session: AsyncSession, creator: User, **overrides: Any) -> Group:
    group = Group(
        name=overrides.pop("name", f"Group {next(_sequence)}"),
        currency_id=overrides.pop("currency_id", await currency_id(session)),
        created_by_id=creator.id,
        **overrides,
    )
    session.add(group)
    await session.flush()
    return group


async def join(session: AsyncSession, group: Group, user: User, *, active: bool = True) -> GroupMembership:
    membership = GroupMembership(
        group_id=group.id,
        user_id=user.id,
        status=MembershipStatus.ACCEPTED if active else MembershipStatus.PENDING,
        is_active=active,
    )
    session.add(membership)
    await session.flush()
    return membership


async def make_expense(session: AsyncSession, payer: User, **overrides: Any) -> Expense:
    expense = Expense(
        title=overrides.pop("title", "Dinner"),
        amount=overrides.pop("amount", Decimal("30.00")),
        currency_id=overrides.pop("currency_id", await currency_id(session)),
        paid_by_id=payer.id,
        created_by_id=overrides.pop("created_by_id", payer.id),
        expense_date=overrides.pop("expense_date", date.today()),
        **overrides,
    )
    session.add(expense)
    await session.flush()
    return expense


TEST_PASSWORD = "a long enough test password"
_test_password_hash: str | None = None


def test_password_hash() -> str:
    """One argon2 hash of TEST_PASSWORD per test process (hashing is slow by design)."""
    global _test_password_hash
    if _test_password_hash is None:
        from app.security import hash_password

        _test_password_hash = hash_password(TEST_PASSWORD)
    return _test_password_hash


async def make_account(session: AsyncSession, **overrides: Any) -> User:
    """A user who can sign in with TEST_PASSWORD, with profile and preferences rows."""
    from app.models import UserPreferences

    user = await make_user(session, **overrides)
    user.password = test_password_hash()
    session.add(UserPreferences(user_id=user.id))
    await session.flush()
    return user


async def auth_headers(session: AsyncSession, settings: Any, user: User) -> dict[str, str]:
    """Bearer headers for a fresh login session of `user`, without the cost of a password check."""
    from app.services.audit import ClientInfo
    from app.services.auth.sessions import start_session

    pair = start_session(session, settings, user, ClientInfo(ip="127.0.0.1"))
    await session.flush()
    return {"Authorization": f"Bearer {pair.access_token}"}
