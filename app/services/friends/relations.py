"""Who may see and reach whom: the one place friendship and blocking are read.

One `user_friendships` row per pair of people (a unique index on the unordered pair). A block is that
row with status 'blocked' and the blocker as `from_user_id`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement

from app.models import User, UserFriendship
from app.models.enums import FriendshipStatus, ProfileVisibility


def between(
    a: int | ColumnElement[int], b: int | ColumnElement[int], table: Any = UserFriendship
) -> ColumnElement[bool]:
    return or_(
        and_(table.from_user_id == a, table.to_user_id == b),
        and_(table.from_user_id == b, table.to_user_id == a),
    )


async def pair_row(session: AsyncSession, a: int, b: int, *, for_update: bool = False) -> UserFriendship | None:
    query = select(UserFriendship).where(between(a, b))
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


def _pair_has(viewer_id: int, user_column: ColumnElement[int], status: FriendshipStatus) -> ColumnElement[bool]:
    # Its own alias, so the EXISTS never correlates with a friendship table of the outer query.
    row = aliased(UserFriendship)
    return exists().where(between(viewer_id, user_column, row), row.status == status)


def blocked_between(viewer_id: int, user_column: ColumnElement[int]) -> ColumnElement[bool]:
    """SQL: either of the two has blocked the other."""
    return _pair_has(viewer_id, user_column, FriendshipStatus.BLOCKED)


def are_friends(viewer_id: int, user_column: ColumnElement[int]) -> ColumnElement[bool]:
    return _pair_has(viewer_id, user_column, FriendshipStatus.ACCEPTED)


async def is_blocked(session: AsyncSession, a: int, b: int) -> bool:
    """Either has blocked the other: no requests, invitations or mentions between them."""
    row = await pair_row(session, a, b)
    return row is not None and row.status == FriendshipStatus.BLOCKED


async def blocked_ids(session: AsyncSession, user_id: int) -> set[int]:
    """Everyone this user blocked or was blocked by (for filtering mentions and invitations)."""
    rows = await session.execute(
        select(UserFriendship.from_user_id, UserFriendship.to_user_id).where(
            or_(UserFriendship.from_user_id == user_id, UserFriendship.to_user_id == user_id),
            UserFriendship.status == FriendshipStatus.BLOCKED,
        )
    )
    return {b if a == user_id else a for a, b in rows.all()}


@dataclass(frozen=True)
class View:
    """What a viewer may see of a person."""

    card: bool  # username, names, avatar
    profile: bool  # bio, occupation, links
    status: FriendshipStatus | None  # the relationship as the viewer sees it


def view_of(viewer_id: int, target: User, row: UserFriendship | None) -> View:
    if viewer_id == target.id:
        return View(card=True, profile=True, status=None)
    status = row.status if row is not None else None
    if status == FriendshipStatus.BLOCKED:
        # The blocker still sees whom they blocked (to unblock); the blocked sees nothing.
        blocker = row is not None and row.from_user_id == viewer_id
        return View(card=blocker, profile=False, status=FriendshipStatus.BLOCKED if blocker else None)
    if not target.is_active:
        return View(card=False, profile=False, status=None)
    friends = status == FriendshipStatus.ACCEPTED
    visible = target.profile_visibility == ProfileVisibility.PUBLIC or (
        friends and target.profile_visibility == ProfileVisibility.FRIENDS
    )
    shown_status = status if status in (FriendshipStatus.ACCEPTED, FriendshipStatus.PENDING) else None
    return View(card=visible or friends, profile=visible, status=shown_status)
