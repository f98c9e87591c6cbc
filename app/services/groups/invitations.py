"""E-mail invitations to a group. Members who can write (not viewers) invite an address; the message
carries a one-time token (only its SHA-256 is stored) that expires. Whoever signs in with that e-mail
address accepts it and joins. Pending invitations are listed to admins and can be revoked.

Blocking holds here too: an address whose account blocked the inviter, or that the inviter blocked, or
that is blocked by anyone in the group, gets no e-mail, and the answer looks the same as for anyone
else (the inviter does not learn about the block).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, EmailStr, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.errors import BadRequest, Conflict, Forbidden, NotFound
from app.models import Group, GroupInvitation, GroupMembership, User
from app.models.enums import MemberRole
from app.security import new_opaque_token, token_digest
from app.services.friends.relations import is_blocked
from app.services.groups.access import lock_group
from app.services.groups.schemas import GroupDetail
from app.services.groups.service import (
    activate_membership,
    blocked_by_a_member,
    group_detail,
    record_activity,
    require_admin,
    require_writer,
)
from app.services.notifications import inapp
from app.services.notifications.email import queue_email
from app.services.notifications.templates import NotificationType


class InvitationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: EmailStr
    message: str | None = Field(default=None, max_length=500)


class InvitationAccept(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    token: str = Field(min_length=10, max_length=200)


class InvitationOut(BaseModel):
    id: uuid.UUID
    email: str | None
    invited_by_id: int
    message: str | None
    expires_at: datetime
    created_at: datetime


def _out(row: GroupInvitation) -> InvitationOut:
    return InvitationOut(
        id=row.id,
        email=row.email,
        invited_by_id=row.invited_by_id,
        message=row.message,
        expires_at=row.expires_at,
        created_at=row.created_at,
    )


async def invite(
    session: AsyncSession,
    settings: Settings,
    inviter: User,
    group: Group,
    membership: GroupMembership,
    data: InvitationCreate,
) -> InvitationOut:
    require_writer(membership)
    await lock_group(session, group.id)  # two invitations to one address at once would both find none pending
    email = data.email.lower()
    invitee = await session.scalar(select(User).where(func.lower(User.email) == email, User.is_active))
    if invitee is not None:
        already = await session.scalar(
            select(GroupMembership.id).where(
                GroupMembership.group_id == group.id, GroupMembership.user_id == invitee.id, GroupMembership.is_active
            )
        )
        if already:
            raise Conflict("This person is already a member of the group.")
    pending = await session.scalar(
        select(GroupInvitation.id).where(
            GroupInvitation.group_id == group.id,
            func.lower(GroupInvitation.email) == email,
            GroupInvitation.is_accepted.is_(False),
            GroupInvitation.is_expired.is_(False),
            GroupInvitation.expires_at > func.now(),
        )
    )
    if pending:
        raise Conflict("This address already has a pending invitation to the group; revoke it to send a new one.")
    token = new_opaque_token()
    now = datetime.now(UTC)
    row = GroupInvitation(
        id=uuid.uuid4(),
        created_at=now,
        group_id=group.id,
        invited_by_id=inviter.id,
        email=email,
        message=data.message,
        token_hash=token_digest(token),
        expires_at=now + timedelta(days=settings.group_invitation_days),
    )
    session.add(row)
    await session.flush()
    silent = invitee is not None and (
        await is_blocked(session, inviter.id, invitee.id) or await blocked_by_a_member(session, group.id, invitee.id)
    )
    if not silent:
        variables = {
            "inviter": inviter.username,
            "group": group.name,
            "message": f"\n{inviter.username} wrote: {data.message}\n" if data.message else "",
            "link": f"{settings.public_url.rstrip('/')}/invitations/accept?token={quote(token)}",
            "token": token,
            "days": settings.group_invitation_days,
        }
        recipient = invitee or inviter
        await queue_email(session, recipient, NotificationType.GROUP_INVITATION, variables, to=email)
        if invitee is not None:  # someone with an account hears of it in the app too (never the code)
            await inapp.notify(session, invitee.id, "group_invite", {"actor": inviter.username, "group": group.name},
                               related=("group_invitation", str(row.id)))  # fmt: skip
        await record_activity(
            session, group.id, inviter.id, "member_invited", f"{inviter.username} invited {email}",
            {"invitation_id": str(row.id)},
        )  # fmt: skip
    await session.flush()
    return _out(row)


async def pending(session: AsyncSession, group: Group, membership: GroupMembership) -> list[InvitationOut]:
    require_admin(membership)
    rows = await session.scalars(
        select(GroupInvitation)
        .where(
            GroupInvitation.group_id == group.id,
            GroupInvitation.is_accepted.is_(False),
            GroupInvitation.is_expired.is_(False),
            GroupInvitation.expires_at > func.now(),
        )
        .order_by(GroupInvitation.created_at.desc())
    )
    return [_out(row) for row in rows]


async def revoke(session: AsyncSession, group: Group, membership: GroupMembership, invitation_id: uuid.UUID) -> None:
    row = await session.scalar(
        select(GroupInvitation).where(GroupInvitation.id == invitation_id, GroupInvitation.group_id == group.id)
    )
    if row is None or row.is_accepted:
        raise NotFound("No such pending invitation.")
    if membership.role != MemberRole.ADMIN and row.invited_by_id != membership.user_id:
        raise Forbidden("Only admins and the person who sent it can revoke an invitation.")
    row.is_expired = True
    await session.flush()


async def accept(session: AsyncSession, user: User, data: InvitationAccept) -> GroupDetail:
    row = await session.scalar(
        select(GroupInvitation).where(GroupInvitation.token_hash == token_digest(data.token)).with_for_update()
    )
    if row is None or row.is_accepted or row.is_expired or row.expires_at <= datetime.now(UTC):
        raise BadRequest("This invitation is invalid, already used, revoked or expired; ask for a new one.")
    if (row.email or "").lower() != user.email.lower():
        raise Forbidden("This invitation was sent to another e-mail address; sign in with that one to accept it.")
    group = await session.get(Group, row.group_id)
    if (
        group is None
        or not group.is_active
        or group.is_archived
        or await blocked_by_a_member(session, group.id, user.id)
    ):
        raise BadRequest("This invitation is invalid, already used, revoked or expired; ask for a new one.")
    membership = await activate_membership(session, group, user.id, MemberRole.MEMBER, row.invited_by_id)
    row.is_accepted, row.accepted_at, row.accepted_by_id = True, datetime.now(UTC), user.id
    await record_activity(session, group.id, user.id, "member_joined", f"{user.username} accepted an invitation")
    await session.flush()
    await session.refresh(group)
    return await group_detail(session, group, membership)
