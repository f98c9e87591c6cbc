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


async def lock_group(session: AsyncSession, group_id: uuid.UUID) -> None:
    """Take the group's row lock until commit (FOR NO KEY UPDATE, the lock the balance ledger takes), so
    membership changes in one group run one at a time: a check like "someone else is still admin" or
    "not a member yet" then stays true until the change it allowed is saved."""
    await session.execute(select(Group.id).where(Group.id == group_id).with_for_update(key_share=True))


async def locked_membership(session: AsyncSession, membership: GroupMembership) -> GroupMembership:
    """The caller's membership read again under the group's lock: a change committed while the request
    waited (a demotion, a removal) counts."""
    await lock_group(session, membership.group_id)
    fresh = await session.scalar(
        select(GroupMembership)
        .where(GroupMembership.id == membership.id, GroupMembership.is_active)
        .execution_options(populate_existing=True)
    )
    if fresh is None:
        raise NotFound("No such group.")
    return fresh
