"""How a person is shown to others in lists (friends, search, requests)."""

from __future__ import annotations

from app.models import User
from app.models.enums import FriendshipStatus
from app.services.users.schemas import UserCard


def avatar_url(user: User) -> str | None:
    if not user.avatar:
        return None
    # The file name changes with every upload, so clients may cache the image for good.
    return f"/api/v1/users/{user.id}/avatar?v={user.avatar.rsplit('/', 1)[-1].split('.')[0]}"


def card(user: User, status: FriendshipStatus | None = None) -> UserCard:
    return UserCard(
        id=user.id,
        username=user.username,
        first_name=user.first_name,
        last_name=user.last_name,
        avatar_url=avatar_url(user),
        friendship_status=status,
    )
