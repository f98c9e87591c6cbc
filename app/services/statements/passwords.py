"""Stored statement passwords (seed 002): Fernet-encrypted, never returned, tried in a sensible order.

Order of tries for a protected PDF: the password sent with the upload, the account's default, the ones
whose `file_pattern` matches the file name, then the rest by how often they worked; at most 20.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotFound
from app.models import StatementPassword, User
from app.security import SecretBox
from app.services.statements import accounts

MAX_TRIES = 20


class PasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=1, max_length=200)
    account_id: uuid.UUID | None = None
    password_hint: str | None = Field(default=None, max_length=255)
    file_pattern: str | None = Field(default=None, max_length=255, description="A regular expression on file names.")
    is_default: bool = False

    @field_validator("file_pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value:
            try:
                re.compile(value)
            except re.error as error:
                raise ValueError(f"not a valid regular expression: {error}") from None
        return value


class PasswordOut(BaseModel):
    """Never the password itself."""

    id: uuid.UUID
    account_id: uuid.UUID | None
    password_hint: str | None
    file_pattern: str | None
    is_default: bool
    success_count: int
    last_used: datetime | None
    created_at: datetime


def password_out(row: StatementPassword) -> PasswordOut:
    return PasswordOut(
        id=row.id, account_id=row.account_id, password_hint=row.password_hint, file_pattern=row.file_pattern,
        is_default=row.is_default, success_count=row.success_count, last_used=row.last_used, created_at=row.created_at,
    )  # fmt: skip


async def store(session: AsyncSession, box: SecretBox, user: User, data: PasswordIn) -> StatementPassword:
    if data.account_id is not None:
        await accounts.owned(session, user, data.account_id)
    if data.is_default:  # one default per account (a unique index backs this)
        await session.execute(
            update(StatementPassword)
            .where(
                StatementPassword.user_id == user.id, StatementPassword.account_id.is_not_distinct_from(data.account_id)
            )
            .values(is_default=False)
        )
    row = StatementPassword(
        user_id=user.id, account_id=data.account_id, encrypted_password=box.encrypt(data.password),
        password_hint=data.password_hint, file_pattern=data.file_pattern, is_default=data.is_default,
    )  # fmt: skip
    session.add(row)
    await session.flush()
    await session.refresh(row)
    return row


async def listing_for(session: AsyncSession, user_id: int) -> list[StatementPassword]:
    query = select(StatementPassword).where(StatementPassword.user_id == user_id)
    return list(await session.scalars(query.order_by(StatementPassword.created_at)))


async def remove(session: AsyncSession, user: User, password_id: uuid.UUID) -> None:
    row = await session.scalar(
        select(StatementPassword).where(StatementPassword.id == password_id, StatementPassword.user_id == user.id)
    )
    if row is None:
        raise NotFound("No such statement password.")
    await session.delete(row)


def _pattern_matches(pattern: str | None, filename: str) -> bool:
    if not pattern:
        return False
    try:
        return re.search(pattern, filename, re.IGNORECASE) is not None
    except re.error:
        return False


def candidates(
    rows: list[StatementPassword], account_id: uuid.UUID | None, filename: str
) -> Iterator[StatementPassword]:
    """The stored passwords in the order they are tried (after the one sent with the upload)."""

    def rank(row: StatementPassword) -> tuple[int, int]:
        if row.is_default and row.account_id is not None and row.account_id == account_id:
            first = 0
        elif _pattern_matches(row.file_pattern, filename):
            first = 1
        elif row.account_id == account_id:
            first = 2
        else:
            first = 3
        return first, -row.success_count

    yield from sorted(rows, key=rank)


async def record_success(session: AsyncSession, password_id: uuid.UUID) -> None:
    await session.execute(
        update(StatementPassword)
        .where(StatementPassword.id == password_id)
        .values(success_count=StatementPassword.success_count + 1, last_used=datetime.now(UTC))
    )
