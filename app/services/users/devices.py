"""Push-notification devices. A push token identifies one app install: registering a token another
account had (a shared phone, a new sign-in) moves it to the caller."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotFound
from app.models import User, UserDevice
from app.services.users.schemas import DeviceIn


async def register_device(session: AsyncSession, user: User, data: DeviceIn) -> tuple[UserDevice, bool]:
    """The device row and whether it was new."""
    device = await session.scalar(
        select(UserDevice).where(UserDevice.device_token == data.device_token).with_for_update()
    )
    created = device is None
    if device is None:
        device = UserDevice(user_id=user.id, device_token=data.device_token, device_type=data.device_type)
        session.add(device)
    device.user_id = user.id
    device.device_type = data.device_type
    device.device_name = data.device_name
    device.is_active = True
    device.last_used = datetime.now(UTC)
    await session.flush()
    await session.refresh(device)
    return device, created


async def list_devices(session: AsyncSession, user: User) -> list[UserDevice]:
    query = select(UserDevice).where(UserDevice.user_id == user.id).order_by(UserDevice.created_at.desc())
    return list(await session.scalars(query))


async def remove_device(session: AsyncSession, user: User, device_id: uuid.UUID) -> None:
    device = await session.scalar(select(UserDevice).where(UserDevice.id == device_id, UserDevice.user_id == user.id))
    if device is None:
        raise NotFound("No such device.")
    await session.delete(device)
