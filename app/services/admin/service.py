"""What only administrators may change: system configuration, currencies and rates, user roles."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.errors import Conflict, NotFound, Unprocessable
from app.models import Currency, SystemConfiguration, User
from app.models.enums import ConfigDataType, UserRole
from app.services import audit
from app.services.admin.schemas import (
    MASK,
    ConfigurationIn,
    ConfigurationOut,
    CurrencyCreate,
    CurrencyPatch,
)
from app.services.audit import Action, ClientInfo
from app.services.reference.schemas import CurrencyOut

CONFIG_KEY_PATTERN = r"^[a-z][a-z0-9_.]{1,99}$"


def _check_value(value: str, data_type: ConfigDataType) -> str:
    try:
        if data_type == ConfigDataType.INTEGER:
            return str(int(value))
        if data_type == ConfigDataType.DECIMAL:
            number = Decimal(value)
            if not number.is_finite():
                raise ValueError(value)
            return str(number)
        if data_type == ConfigDataType.BOOLEAN:
            lowered = value.strip().lower()
            if lowered not in ("true", "false"):
                raise ValueError(value)
            return lowered
        if data_type == ConfigDataType.JSON:
            return json.dumps(json.loads(value), separators=(",", ":"))
    except (ValueError, InvalidOperation):
        raise Unprocessable(f"The value is not a valid {data_type.value}.", field="value") from None
    return value


def _config_out(row: SystemConfiguration) -> ConfigurationOut:
    return ConfigurationOut(
        key=row.key,
        value=MASK if row.is_sensitive else row.value,
        data_type=row.data_type,
        description=row.description,
        is_sensitive=row.is_sensitive,
        updated_at=row.updated_at,
    )


async def list_configurations(session: AsyncSession) -> list[ConfigurationOut]:
    rows = await session.scalars(select(SystemConfiguration).order_by(SystemConfiguration.key))
    return [_config_out(row) for row in rows]


async def put_configuration(
    session: AsyncSession, settings: Settings, admin: User, key: str, data: ConfigurationIn, client: ClientInfo
) -> ConfigurationOut:
    value = _check_value(data.value, data.data_type)
    stored = settings.secret_box().encrypt(value).decode() if data.is_sensitive else value
    row = await session.scalar(select(SystemConfiguration).where(SystemConfiguration.key == key).with_for_update())
    if row is None:
        row = SystemConfiguration(key=key, value=stored)
        session.add(row)
    row.value = stored
    row.data_type = data.data_type
    row.description = data.description
    row.is_sensitive = data.is_sensitive
    await session.flush()
    await session.refresh(row)
    audit.record(
        session, Action.CONFIG_CHANGE, user_id=admin.id, client=client, content_type="system_configuration",
        object_id=key, changes={"value": MASK if data.is_sensitive else value},
    )  # fmt: skip
    return _config_out(row)


async def delete_configuration(session: AsyncSession, admin: User, key: str, client: ClientInfo) -> None:
    row = await session.scalar(select(SystemConfiguration).where(SystemConfiguration.key == key))
    if row is None:
        raise NotFound("No such configuration key.")
    await session.delete(row)
    audit.record(
        session, Action.CONFIG_CHANGE, user_id=admin.id, client=client, content_type="system_configuration",
        object_id=key, changes={"deleted": True},
    )  # fmt: skip


async def create_currency(session: AsyncSession, admin: User, data: CurrencyCreate, client: ClientInfo) -> CurrencyOut:
    row = Currency(**data.model_dump())
    session.add(row)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(f"The currency {data.code} already exists.") from None
    audit.record(
        session, Action.CURRENCY_CHANGE, user_id=admin.id, client=client, content_type="currency",
        object_id=data.code, changes=data.model_dump(mode="json"),
    )  # fmt: skip
    return CurrencyOut.model_validate(row)


async def update_currency(
    session: AsyncSession, admin: User, code: str, patch: CurrencyPatch, client: ClientInfo
) -> CurrencyOut:
    row = await session.scalar(select(Currency).where(Currency.code == code.upper()).with_for_update())
    if row is None:
        raise NotFound("No such currency.")
    changes = patch.model_dump(exclude_unset=True)
    for name, value in changes.items():
        if value is None:
            raise Unprocessable(f"{name} cannot be empty.", field=name)
        setattr(row, name, value)
    await session.flush()
    audit.record(
        session, Action.CURRENCY_CHANGE, user_id=admin.id, client=client, content_type="currency",
        object_id=row.code, changes=patch.model_dump(exclude_unset=True, mode="json"),
    )  # fmt: skip
    return CurrencyOut.model_validate(row)


async def set_role(session: AsyncSession, admin: User, user_id: int, role: UserRole, client: ClientInfo) -> User:
    target = await session.get(User, user_id, with_for_update=True)
    if target is None:
        raise NotFound("No such user.")
    if target.id == admin.id and role != UserRole.ADMIN:
        raise Unprocessable("You cannot remove your own administrator role; ask another administrator.")
    previous = target.role
    target.role = role
    target.is_premium = role in (UserRole.PREMIUM, UserRole.ADMIN)
    target.is_staff = target.is_superuser = role == UserRole.ADMIN
    audit.record(
        session, Action.ROLE_CHANGE, user_id=admin.id, client=client, content_type="user",
        object_id=str(target.id), changes={"from": previous, "to": role},
    )  # fmt: skip
    if target.id != admin.id:
        audit.record(
            session, Action.ROLE_CHANGE, user_id=target.id, client=client, changes={"from": previous, "to": role}
        )
    return target
