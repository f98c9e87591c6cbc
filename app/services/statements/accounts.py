"""Accounts statements land in: bank accounts, credit cards, cash and wallets."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotFound, Unprocessable
from app.models import Account, Currency, User
from app.models.enums import AccountType
from app.schemas import Money

LastFour = Annotated[str, Field(pattern=r"^[0-9]{4}$")]


class AccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100)
    account_type: AccountType
    currency: str = Field(pattern=r"^[A-Za-z]{3}$")
    institution: str | None = Field(default=None, max_length=100)
    last_four: LastFour | None = None
    opening_balance: Decimal = Field(default=Decimal(0), max_digits=15, decimal_places=4)


ColumnName = Annotated[str, Field(min_length=1, max_length=100)]


class CsvColumns(BaseModel):
    """Which columns of this account's CSV exports hold what, by their header names. Learnt from each
    import; set it when the detection got a column wrong, then reprocess."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    date: ColumnName
    description: list[ColumnName] = Field(default_factory=list, max_length=3)
    amount: ColumnName | None = None
    debit: ColumnName | None = None
    credit: ColumnName | None = None
    balance: ColumnName | None = None
    currency: ColumnName | None = None
    indicator: ColumnName | None = Field(default=None, description="A debit/credit mark column (D/C, DR/CR).")

    @model_validator(mode="after")
    def _has_money(self) -> CsvColumns:
        if not (self.amount or self.debit or self.credit):
            raise ValueError("Name the amount column, or the debit and/or credit columns.")
        return self

    def stored(self) -> dict[str, list[str]]:
        return {role: value if isinstance(value, list) else [value]
                for role, value in self.model_dump(exclude_none=True).items() if value}  # fmt: skip

    @classmethod
    def from_stored(cls, stored: dict[str, list[str]] | None) -> CsvColumns | None:
        if not stored or not stored.get("date"):
            return None
        single = {role: names[0] for role, names in stored.items() if names and role != "description"}
        try:
            return cls(**single, description=stored.get("description", []))
        except ValueError:
            return None


class AccountPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=1, max_length=100)
    institution: str | None = Field(default=None, max_length=100)
    last_four: LastFour | None = None
    opening_balance: Decimal | None = Field(default=None, max_digits=15, decimal_places=4)
    is_active: bool | None = None
    csv_columns: CsvColumns | None = Field(default=None, description="null: detect the columns again.")


class AccountOut(BaseModel):
    id: uuid.UUID
    name: str
    account_type: AccountType
    currency: str
    institution: str | None
    last_four: str | None
    opening_balance: Money
    is_active: bool
    csv_columns: CsvColumns | None = Field(description="How this account's CSV exports are read, once known.")
    created_at: datetime


async def _currency(session: AsyncSession, code: str) -> Currency:
    currency = await session.scalar(select(Currency).where(Currency.code == code.upper(), Currency.is_active))
    if currency is None:
        raise Unprocessable(f"{code.upper()} is not an available currency.", field="currency")
    return currency


def account_out(account: Account, code: str) -> AccountOut:
    return AccountOut(
        id=account.id, name=account.name, account_type=account.account_type, currency=code,
        institution=account.institution, last_four=account.last_four, opening_balance=account.opening_balance,
        is_active=account.is_active, created_at=account.created_at,
        csv_columns=CsvColumns.from_stored(account.import_settings.get("csv", {}).get("columns")),
    )  # fmt: skip


async def create(session: AsyncSession, user: User, data: AccountCreate) -> AccountOut:
    currency = await _currency(session, data.currency)
    account = Account(
        user_id=user.id, name=data.name, account_type=data.account_type, currency_id=currency.id,
        institution=data.institution, last_four=data.last_four, opening_balance=data.opening_balance,
    )  # fmt: skip
    session.add(account)
    await session.flush()
    await session.refresh(account)
    return account_out(account, currency.code)


async def owned(session: AsyncSession, user: User, account_id: uuid.UUID) -> tuple[Account, str]:
    row = (
        await session.execute(
            select(Account, Currency.code)
            .join(Currency, Currency.id == Account.currency_id)
            .where(Account.id == account_id, Account.user_id == user.id)
        )
    ).one_or_none()
    if row is None:
        raise NotFound("No such account.")
    return row[0], row[1]


async def list_accounts(session: AsyncSession, user: User) -> list[AccountOut]:
    rows = await session.execute(
        select(Account, Currency.code)
        .join(Currency, Currency.id == Account.currency_id)
        .where(Account.user_id == user.id)
        .order_by(Account.is_active.desc(), Account.name)
    )
    return [account_out(account, code) for account, code in rows.all()]


async def update(session: AsyncSession, user: User, account_id: uuid.UUID, patch: AccountPatch) -> AccountOut:
    account, code = await owned(session, user, account_id)
    changes = patch.model_dump(exclude_unset=True)
    if "csv_columns" in changes:
        changes.pop("csv_columns")
        csv_settings = {k: v for k, v in account.import_settings.get("csv", {}).items() if k != "columns"}
        if patch.csv_columns is not None:
            csv_settings["columns"] = patch.csv_columns.stored()
        account.import_settings = {**account.import_settings, "csv": csv_settings}
    for name, value in changes.items():
        if value is None and name in ("name", "opening_balance", "is_active"):
            raise Unprocessable(f"{name} cannot be empty.", field=name)
        setattr(account, name, value)
    await session.flush()
    return account_out(account, code)
