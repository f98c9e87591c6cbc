"""Which groups a user may see: the ones they are an active member of. Anything else is 404."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotFound
from app.models import Group, GroupMembership, User


async def member_group(session: AsyncSession, user: User, group_id: uuid.UUID) -> tuple[Group, GroupMembership]:
    row = (
        await session.execute(
            select(Group, GroupMembership)
            .join(GroupMembership, GroupMembership.group_id == Group.id)
            .where(Group.id == group_id, GroupMembership.user_id == user.id, GroupMembership.is_active)
        )
    ).one_or_none()
    if row is None:
        raise NotFound("No such group.")
    return row[0], row[1]
