"""Friend requests and friendships as the API shows them."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.models import User, UserFriendship
from app.models.enums import FriendshipStatus
from app.services.users.cards import card
from app.services.users.schemas import UserCard


class FriendRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: int
    message: str | None = Field(default=None, max_length=500)


class UserIdIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: int


class FriendRequestOut(BaseModel):
    id: uuid.UUID
    direction: str = Field(description="'incoming' (they asked you) or 'outgoing'.")
    status: FriendshipStatus
    user: UserCard
    message: str | None
    created_at: datetime

    @classmethod
    def build(cls, row: UserFriendship, me_id: int, other: User) -> FriendRequestOut:
        return cls(
            id=row.id,
            direction="outgoing" if row.from_user_id == me_id else "incoming",
            status=row.status,
            user=card(other, row.status),
            message=row.message,
            created_at=row.created_at,
        )


class FriendOut(BaseModel):
    user: UserCard
    since: datetime
