"""Friend requests, friendships and blocks."""

from __future__ import annotations

import uuid

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict, NotFound, Unprocessable
from app.models import User, UserFriendship
from app.models.enums import FriendshipStatus, ProfileVisibility
from app.services.friends.relations import pair_row
from app.services.friends.schemas import FriendOut, FriendRequestOut
from app.services.notifications import inapp
from app.services.users.cards import card


async def _reachable(session: AsyncSession, me: User, user_id: int) -> User:
    if user_id == me.id:
        raise Unprocessable("You cannot befriend yourself.", field="user_id")
    target = await session.get(User, user_id)
    if target is None or not target.is_active:
        raise NotFound("No such user.")
    return target


async def send_request(session: AsyncSession, me: User, user_id: int, message: str | None) -> FriendRequestOut:
    target = await _reachable(session, me, user_id)
    row = await pair_row(session, me.id, target.id, for_update=True)
    if row is not None and row.status == FriendshipStatus.BLOCKED:
        if row.from_user_id == me.id:
            raise Conflict("You have blocked this person; unblock them first.")
        raise NotFound("No such user.")  # a blocked person cannot tell they are blocked
    if target.profile_visibility == ProfileVisibility.PRIVATE:
        raise NotFound("No such user.")
    if row is not None and row.status == FriendshipStatus.ACCEPTED:
        raise Conflict("You are already friends.")
    if row is not None and row.status == FriendshipStatus.PENDING:
        if row.from_user_id == me.id:
            raise Conflict("You have already sent this person a request.")
        row.status = FriendshipStatus.ACCEPTED  # they asked first: asking back accepts
    elif row is not None:
        # A declined request may be sent again, by either side.
        row.from_user_id, row.to_user_id = me.id, target.id
        row.status = FriendshipStatus.PENDING
        row.message = message
    else:
        row = UserFriendship(from_user_id=me.id, to_user_id=target.id, message=message)
        session.add(row)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict("A request between you two was just created; reload and try again.") from None
    await session.refresh(row)
    if row.status == FriendshipStatus.PENDING:
        note = message or f"Accept {me.username}'s request to split expenses together."
        await inapp.notify(session, target.id, "friend_request", {"actor": me.username, "note": note},
                           related=("friend_request", str(row.id)))  # fmt: skip
    return FriendRequestOut.build(row, me.id, target)


async def _incoming_request(session: AsyncSession, me: User, request_id: uuid.UUID) -> UserFriendship:
    row = await session.scalar(
        select(UserFriendship)
        .where(
            UserFriendship.id == request_id,
            UserFriendship.to_user_id == me.id,
            UserFriendship.status == FriendshipStatus.PENDING,
        )
        .with_for_update()
    )
    if row is None:
        raise NotFound("No such friend request.")
    return row


async def accept(session: AsyncSession, me: User, request_id: uuid.UUID) -> FriendRequestOut:
    row = await _incoming_request(session, me, request_id)
    row.status = FriendshipStatus.ACCEPTED
    await session.flush()
    sender = await session.get(User, row.from_user_id)
    assert sender is not None
    return FriendRequestOut.build(row, me.id, sender)


async def decline(session: AsyncSession, me: User, request_id: uuid.UUID) -> None:
    row = await _incoming_request(session, me, request_id)
    row.status = FriendshipStatus.DECLINED


async def cancel(session: AsyncSession, me: User, request_id: uuid.UUID) -> None:
    row = await session.scalar(
        select(UserFriendship).where(
            UserFriendship.id == request_id,
            UserFriendship.from_user_id == me.id,
            UserFriendship.status == FriendshipStatus.PENDING,
        )
    )
    if row is None:
        raise NotFound("No such friend request.")
    await session.delete(row)


async def requests(session: AsyncSession, me: User, *, incoming: bool) -> list[FriendRequestOut]:
    mine, theirs = (UserFriendship.to_user_id, UserFriendship.from_user_id)
    if not incoming:
        mine, theirs = theirs, mine
    rows = await session.execute(
        select(UserFriendship, User)
        .join(User, User.id == theirs)
        .where(mine == me.id, UserFriendship.status == FriendshipStatus.PENDING, User.is_active)
        .order_by(UserFriendship.created_at.desc())
    )
    return [FriendRequestOut.build(row, me.id, other) for row, other in rows.all()]


async def friends(session: AsyncSession, me: User) -> list[FriendOut]:
    rows = await session.execute(
        select(UserFriendship, User)
        .join(
            User,
            or_(
                and_(UserFriendship.from_user_id == me.id, User.id == UserFriendship.to_user_id),
                and_(UserFriendship.to_user_id == me.id, User.id == UserFriendship.from_user_id),
            ),
        )
        .where(UserFriendship.status == FriendshipStatus.ACCEPTED, User.is_active)
        .order_by(User.username)
    )
    return [FriendOut(user=card(other, row.status), since=row.updated_at) for row, other in rows.all()]


async def unfriend(session: AsyncSession, me: User, user_id: int) -> None:
    row = await pair_row(session, me.id, user_id, for_update=True)
    if row is None or row.status != FriendshipStatus.ACCEPTED:
        raise NotFound("You are not friends with this person.")
    await session.delete(row)


async def block(session: AsyncSession, me: User, user_id: int) -> None:
    """Block someone: ends any friendship or request, and they can no longer reach you."""
    await _reachable(session, me, user_id)
    row = await pair_row(session, me.id, user_id, for_update=True)
    if row is not None and row.status == FriendshipStatus.BLOCKED:
        return  # already blocked, by either side: nothing more to stop
    if row is None:
        row = UserFriendship(from_user_id=me.id, to_user_id=user_id)
        session.add(row)
    row.from_user_id, row.to_user_id = me.id, user_id
    row.status = FriendshipStatus.BLOCKED
    row.message = None
    await session.flush()


async def unblock(session: AsyncSession, me: User, user_id: int) -> None:
    row = await session.scalar(
        select(UserFriendship).where(
            UserFriendship.from_user_id == me.id,
            UserFriendship.to_user_id == user_id,
            UserFriendship.status == FriendshipStatus.BLOCKED,
        )
    )
    if row is None:
        raise NotFound("You have not blocked this person.")
    await session.delete(row)


async def blocked(session: AsyncSession, me: User) -> list[FriendOut]:
    rows = await session.execute(
        select(UserFriendship, User)
        .join(User, User.id == UserFriendship.to_user_id)
        .where(UserFriendship.from_user_id == me.id, UserFriendship.status == FriendshipStatus.BLOCKED)
        .order_by(User.username)
    )
    return [FriendOut(user=card(other, row.status), since=row.updated_at) for row, other in rows.all()]
