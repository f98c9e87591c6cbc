"""Groups and memberships as the API shows them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.models.enums import GroupType, MemberRole
from app.services.users.schemas import UserCard


class GroupCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    group_type: GroupType = GroupType.OTHER
    currency: str = Field(default="USD", pattern=r"^[A-Za-z]{3}$", description="The group's default currency.")
    is_private: bool = False
    simplify_debts: bool = Field(default=True, description="Settle up with the fewest transfers.")
    requires_approval: bool = Field(default=False, description="New expenses wait for an admin's approval.")


class GroupPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    group_type: GroupType | None = None
    currency: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$")
    is_private: bool | None = None
    simplify_debts: bool | None = None
    requires_approval: bool | None = None


class MemberOut(BaseModel):
    user: UserCard
    role: MemberRole
    joined_at: datetime | None


class GroupOut(BaseModel):
    id: uuid.UUID
    name: str
    description: str | None
    group_type: GroupType
    currency: str
    is_private: bool
    simplify_debts: bool
    requires_approval: bool
    is_archived: bool
    member_count: int
    my_role: MemberRole
    invite_code: str | None = Field(description="Shown to admins only: anyone with it can join.")
    created_at: datetime


class GroupDetail(GroupOut):
    members: list[MemberOut]


class JoinIn(BaseModel):
    invite_code: str = Field(min_length=4, max_length=12)


class AddMemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: int
    role: MemberRole = MemberRole.MEMBER


class RoleIn(BaseModel):
    role: MemberRole


class RemoveIn(BaseModel):
    force: bool = Field(default=False, description="Admins only: remove even with an open balance.")
    reason: str | None = Field(default=None, max_length=500, description="Required with force.")


class ActivityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    user_id: int
    activity_type: str
    description: str
    meta: dict[str, Any] = Field(serialization_alias="metadata")
    created_at: datetime
