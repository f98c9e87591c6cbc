"""Declarative base, constraint naming convention, shared column types and mixins."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    Time,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Every constraint gets a predictable name, so migrations can drop and alter them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Money: 15 integer digits and 4 decimals, enough for every ISO 4217 currency (CLF and UYW have 4
# minor digits, KWD 3, USD 2, JPY 0). Amounts are rounded to the currency's decimal_places in services.
MONEY = Numeric(19, 4)
# Exchange rates keep seed 000's DECIMAL(20,10).
RATE = Numeric(20, 10)
PERCENT = Numeric(5, 2)
# Stands in for NULL in unique indexes over nullable UUID columns (NULLs never collide).
NIL_UUID_SQL = "'00000000-0000-0000-0000-000000000000'::uuid"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: DateTime(timezone=True),
        date: Date,
        time: Time,
        Decimal: MONEY,
        dict[str, Any]: JSONB,
        list[Any]: JSONB,
        bool: Boolean,
        int: Integer,
    }


class UUIDPrimaryKey:
    id: Mapped[uuid.UUID] = mapped_column(
        primary_key=True, default=uuid.uuid4, server_default=text("gen_random_uuid()")
    )


class CreatedAt:
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Timestamps(CreatedAt):
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


def user_fk(ondelete: str, **kwargs: Any) -> Any:
    """A column referencing auth_user.id (a BIGINT identity; every other key is a UUID)."""
    return mapped_column(BigInteger, ForeignKey("auth_user.id", ondelete=ondelete), **kwargs)


def fk(target: str, ondelete: str, **kwargs: Any) -> Any:
    fk_kwargs = {"use_alter": kwargs.pop("use_alter")} if "use_alter" in kwargs else {}
    return mapped_column(ForeignKey(target, ondelete=ondelete, **fk_kwargs), **kwargs)


def flag(default: bool, **kwargs: Any) -> Any:
    """A NOT NULL boolean with a server-side default (the seed's DEFAULT TRUE/FALSE)."""
    return mapped_column(Boolean, default=default, server_default=text(str(default).lower()), **kwargs)


def counter(**kwargs: Any) -> Any:
    return mapped_column(default=0, server_default=text("0"), **kwargs)


def money(default: int | None = None, **kwargs: Any) -> Any:
    if default is None:
        return mapped_column(MONEY, **kwargs)
    return mapped_column(MONEY, default=Decimal(default), server_default=text(str(default)), **kwargs)


def json_object(**kwargs: Any) -> Any:
    return mapped_column(JSONB, default=dict, server_default=text("'{}'::jsonb"), **kwargs)


def json_array(**kwargs: Any) -> Any:
    return mapped_column(JSONB, default=list, server_default=text("'[]'::jsonb"), **kwargs)


def _values(enum_cls: type[enum.Enum]) -> list[str]:
    return [str(member.value) for member in enum_cls]


def choice(enum_cls: type[enum.StrEnum], name: str, default: enum.StrEnum | None = None, **kwargs: Any) -> Any:
    """A VARCHAR column limited to the enum's values by a CHECK constraint named `name`."""
    column_type = Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(20, *(len(v) for v in _values(enum_cls))),
        values_callable=_values,
        validate_strings=True,
    )
    if default is not None:
        kwargs.setdefault("default", default)
        kwargs.setdefault("server_default", default.value)
    return mapped_column(column_type, **kwargs)


def pg_enum(enum_cls: type[enum.StrEnum], name: str, default: enum.StrEnum, **kwargs: Any) -> Any:
    """A native PostgreSQL enum type (seed 000's CREATE TYPE ... AS ENUM)."""
    column_type = Enum(enum_cls, name=name, values_callable=_values, validate_strings=True)
    return mapped_column(column_type, default=default, server_default=default.value, **kwargs)
