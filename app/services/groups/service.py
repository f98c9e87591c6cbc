"""Groups, memberships and the activity feed."""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import exists, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict, Forbidden, NotFound, Unprocessable
from app.models import Currency, Group, GroupActivity, GroupMembership, User
from app.models.enums import MemberRole, MembershipStatus
from app.pagination import newest_first
from app.services.balances.pairwise import recorded_debts
from app.services.balances.queries import group_balances
from app.services.expenses.allocation import from_units
from app.services.friends.relations import blocked_between, is_blocked, pair_row
from app.services.groups.access import lock_group, locked_membership
from app.services.groups.schemas import GroupCreate, GroupDetail, GroupOut, GroupPatch, MemberOut
from app.services.reference.queries import active_currency
from app.services.users.cards import card

INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read aloud and typed


def new_invite_code() -> str:
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(10))


def require_admin(membership: GroupMembership) -> None:
    if membership.role != MemberRole.ADMIN:
        raise Forbidden("Only group admins can do this.")


def require_writer(membership: GroupMembership) -> None:
    if membership.role == MemberRole.VIEWER:
        raise Forbidden("Viewers can look but not change anything in this group.")


# A prepared statement rather than an ORM object: activity rows are written on every expense change.
_INSERT_ACTIVITY = text(
    """
    INSERT INTO group_activities (id, created_at, updated_at, group_id, user_id, activity_type, description, metadata)
    VALUES (gen_random_uuid(), :now, :now, :group_id, :user_id, :kind, :description, CAST(:meta AS jsonb))
    """
)


async def record_activity(
    session: AsyncSession,
    group_id: uuid.UUID,
    user_id: int,
    kind: str,
    description: str,
    meta: dict[str, Any] | None = None,
) -> None:
    await session.flush()  # the group (or member) it refers to may still be pending in the session
    params = {
        "now": datetime.now(UTC),  # the wall clock, so one transaction's rows keep their order
        "group_id": group_id,
        "user_id": user_id,
        "kind": kind,
        "description": description,
        "meta": json.dumps(meta or {}),
    }
    await session.execute(_INSERT_ACTIVITY, params)


async def _currency_id(session: AsyncSession, code: str) -> uuid.UUID:
    return (await active_currency(session, code)).id


async def create_group(session: AsyncSession, user: User, data: GroupCreate) -> GroupOut:
    group = Group(
        name=data.name,
        description=data.description,
        group_type=data.group_type,
        currency_id=await _currency_id(session, data.currency),
        is_private=data.is_private,
        simplify_debts=data.simplify_debts,
        requires_approval=data.requires_approval,
        invite_code=new_invite_code(),
        created_by_id=user.id,
    )
    session.add(group)
    await session.flush()
    membership = GroupMembership(
        group_id=group.id,
        user_id=user.id,
        role=MemberRole.ADMIN,
        status=MembershipStatus.ACCEPTED,
        is_active=True,
        joined_at=datetime.now(UTC),
    )
    session.add(membership)
    await record_activity(session, group.id, user.id, "group_created", f"{user.username} created the group")
    await session.flush()
    await session.refresh(group)
    return await _out(session, group, membership)


async def _out(session: AsyncSession, group: Group, membership: GroupMembership) -> GroupOut:
    code = await session.scalar(select(Currency.code).where(Currency.id == group.currency_id))
    return GroupOut(
        id=group.id,
        name=group.name,
        description=group.description,
        group_type=group.group_type,
        currency=code or "",
        is_private=group.is_private,
        simplify_debts=group.simplify_debts,
        requires_approval=group.requires_approval,
        is_archived=group.is_archived,
        member_count=group.member_count,
        my_role=membership.role,
        invite_code=group.invite_code if membership.role == MemberRole.ADMIN else None,
        created_at=group.created_at,
    )


async def list_groups(session: AsyncSession, user: User, *, archived: bool) -> list[GroupOut]:
    rows = await session.execute(
        select(Group, GroupMembership)
        .join(GroupMembership, GroupMembership.group_id == Group.id)
        .where(GroupMembership.user_id == user.id, GroupMembership.is_active, Group.is_archived == archived)
        .order_by(func.lower(Group.name), Group.id)
    )
    return [await _out(session, group, membership) for group, membership in rows.all()]


async def group_detail(session: AsyncSession, group: Group, membership: GroupMembership) -> GroupDetail:
    rows = await session.execute(
        select(GroupMembership, User)
        .join(User, User.id == GroupMembership.user_id)
        .where(GroupMembership.group_id == group.id, GroupMembership.is_active)
        .order_by(GroupMembership.joined_at, User.id)
    )
    members = [MemberOut(user=card(member), role=row.role, joined_at=row.joined_at) for row, member in rows.all()]
    return GroupDetail(**(await _out(session, group, membership)).model_dump(), members=members)


async def update_group(
    session: AsyncSession, user: User, group: Group, membership: GroupMembership, patch: GroupPatch
) -> GroupDetail:
    require_admin(membership)
    changes = patch.model_dump(exclude_unset=True)
    for required in ("name", "group_type", "currency", "is_private", "simplify_debts", "requires_approval"):
        if required in changes and changes[required] is None:
            raise Unprocessable(f"{required} cannot be empty.", field=required)
    if "currency" in changes:
        group.currency_id = await _currency_id(session, changes.pop("currency"))
    for name, value in changes.items():
        setattr(group, name, value)
    await record_activity(session, group.id, user.id, "group_updated", f"{user.username} changed the group settings")
    await session.flush()
    return await group_detail(session, group, membership)


async def set_archived(
    session: AsyncSession, user: User, group: Group, membership: GroupMembership, archived: bool
) -> GroupDetail:
    require_admin(membership)
    group.is_archived = archived
    group.archived_at = datetime.now(UTC) if archived else None
    kind = "group_archived" if archived else "group_unarchived"
    await record_activity(
        session, group.id, user.id, kind, f"{user.username} {'archived' if archived else 'reopened'} the group"
    )
    await session.flush()
    return await group_detail(session, group, membership)


async def regenerate_invite_code(session: AsyncSession, group: Group, membership: GroupMembership) -> GroupDetail:
    require_admin(membership)
    group.invite_code = new_invite_code()
    await session.flush()
    return await group_detail(session, group, membership)


async def activate_membership(
    session: AsyncSession, group: Group, user_id: int, role: MemberRole, invited_by: int | None
) -> GroupMembership:
    await lock_group(session, group.id)  # two joins at once (a double tap) would both find no membership
    membership = await session.scalar(
        select(GroupMembership)
        .where(GroupMembership.group_id == group.id, GroupMembership.user_id == user_id)
        .with_for_update()
    )
    if membership is not None and membership.is_active:
        raise Conflict("Already a member of this group.")
    if membership is None:
        membership = GroupMembership(group_id=group.id, user_id=user_id)
        session.add(membership)
    membership.role = role
    membership.status = MembershipStatus.ACCEPTED
    membership.is_active = True
    membership.invited_by_id = invited_by
    membership.joined_at = datetime.now(UTC)
    membership.left_at = None
    await session.flush()
    return membership


async def blocked_by_a_member(session: AsyncSession, group_id: uuid.UUID, user_id: int) -> bool:
    """Someone in the group blocked this person, or was blocked by them: they do not meet in a group."""
    return bool(
        await session.scalar(
            select(
                exists().where(
                    GroupMembership.group_id == group_id,
                    GroupMembership.is_active,
                    blocked_between(user_id, GroupMembership.user_id),
                )
            )
        )
    )


async def join_by_code(session: AsyncSession, user: User, code: str) -> GroupDetail:
    group = await session.scalar(
        select(Group).where(Group.invite_code == code.strip().upper(), Group.is_active, Group.is_archived.is_(False))
    )
    if group is None or await blocked_by_a_member(session, group.id, user.id):
        raise NotFound("No group has this invite code; ask for a new one.")
    membership = await activate_membership(session, group, user.id, MemberRole.MEMBER, None)
    await record_activity(session, group.id, user.id, "member_joined", f"{user.username} joined with the invite code")
    await session.flush()
    await session.refresh(group)
    return await group_detail(session, group, membership)


async def add_member(
    session: AsyncSession, admin: User, group: Group, membership: GroupMembership, user_id: int, role: MemberRole
) -> GroupDetail:
    """Admins add their friends directly, as Splitwise does; a blocked relationship cannot be bridged."""
    require_admin(membership)
    target = await session.get(User, user_id)
    relation = await pair_row(session, admin.id, user_id) if target else None
    if target is None or not target.is_active or await is_blocked(session, admin.id, user_id):
        raise NotFound("No such user.")
    if relation is None or relation.status != "accepted":
        raise Unprocessable("You can add your friends; invite anyone else by e-mail or with the invite code.")
    await activate_membership(session, group, user_id, role, admin.id)
    await record_activity(
        session, group.id, admin.id, "member_added", f"{admin.username} added {target.username}", {"member_id": user_id}
    )
    await session.flush()
    await session.refresh(group)
    return await group_detail(session, group, membership)


async def _active_membership(session: AsyncSession, group_id: uuid.UUID, user_id: int) -> GroupMembership:
    found = await session.scalar(
        select(GroupMembership)
        .where(GroupMembership.group_id == group_id, GroupMembership.user_id == user_id, GroupMembership.is_active)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise NotFound("This person is not a member of the group.")
    return found


async def _admin_count(session: AsyncSession, group_id: uuid.UUID) -> int:
    return (
        await session.scalar(
            select(func.count()).where(
                GroupMembership.group_id == group_id,
                GroupMembership.is_active,
                GroupMembership.role == MemberRole.ADMIN,
            )
        )
        or 0
    )


async def set_role(
    session: AsyncSession, admin: User, group: Group, membership: GroupMembership, user_id: int, role: MemberRole
) -> GroupDetail:
    group_id = group.id
    membership = await locked_membership(session, membership)  # two admins demoting each other at once
    require_admin(membership)
    target = await _active_membership(session, group_id, user_id)
    if target.role == MemberRole.ADMIN and role != MemberRole.ADMIN and await _admin_count(session, group_id) == 1:
        raise Conflict("A group needs at least one admin; make someone else admin first.")
    target.role = role
    await record_activity(
        session,
        group_id,
        admin.id,
        "role_changed",
        f"{admin.username} changed a member's role",
        {"member_id": user_id, "role": role},
    )
    await session.flush()
    await session.refresh(group)
    return await group_detail(session, group, membership)


async def remove_member(
    session: AsyncSession,
    actor: User,
    membership: GroupMembership,
    user_id: int,
    *,
    force: bool,
    reason: str | None,
) -> None:
    """Leave (yourself) or remove (admins). Refused while the member's balance is not zero, unless an
    admin forces it and says why; the reason goes into the activity feed."""
    group_id = membership.group_id
    # Under the group's lock: the last two admins leaving at once, or an expense for this member landing
    # while they leave, see each other.
    membership = await locked_membership(session, membership)
    leaving = user_id == actor.id
    if not leaving:
        require_admin(membership)
    target = membership if leaving else await _active_membership(session, group_id, user_id)
    others = await session.scalar(
        select(func.count()).where(GroupMembership.group_id == group_id, GroupMembership.is_active)
    )
    if target.role == MemberRole.ADMIN and await _admin_count(session, group_id) == 1 and (others or 0) > 1:
        raise Conflict("You are the only admin: make someone else admin before leaving.")
    open_balances = await _open_balances(session, group_id, user_id)
    if open_balances:
        if not force:
            raise Conflict(
                f"This member's balance is not settled ({', '.join(open_balances)}); settle up first.",
                balances=open_balances,
            )
        if membership.role != MemberRole.ADMIN or not (reason and reason.strip()):
            raise Unprocessable("Only an admin can force a removal, and must give a reason.", field="reason")
    target.is_active = False
    target.status = MembershipStatus.LEFT if leaving else MembershipStatus.REMOVED
    target.left_at = datetime.now(UTC)
    kind = "member_left" if leaving else "member_removed"
    meta: dict[str, Any] = {"member_id": user_id}
    if open_balances:
        meta |= {"forced": True, "reason": reason, "open_balances": open_balances}
    await record_activity(
        session, group_id, actor.id, kind, f"{actor.username} {'left' if leaving else 'removed a member'}", meta
    )
    await session.flush()


async def _open_balances(session: AsyncSession, group_id: uuid.UUID, user_id: int) -> list[str]:
    """What still stands between this member and the rest: the net balance, or in a group that does not
    simplify debts, each debt as recorded (a zero net can hide a debt to one member and a claim on another)."""
    group = await session.get(Group, group_id)
    assert group is not None
    if group.simplify_debts:
        return [
            f"{entry.balances[user_id]} {entry.currency}"
            for entry in await group_balances(session, group_id)
            if entry.balances.get(user_id)
        ]
    described = []
    for debt in await recorded_debts(session, group_id=group_id):
        amount = f"{from_units(debt.units, debt.decimal_places)} {debt.currency}"
        if debt.debtor == user_id:
            described.append(f"owes {amount} to user {debt.creditor}")
        elif debt.creditor == user_id:
            described.append(f"is owed {amount} by user {debt.debtor}")
    return described


async def activity_page(
    session: AsyncSession, group_id: uuid.UUID, *, cursor: str | None, limit: int
) -> tuple[list[GroupActivity], str | None]:
    query = select(GroupActivity).where(GroupActivity.group_id == group_id)
    return await newest_first(session, query, GroupActivity, cursor=cursor, limit=limit)
