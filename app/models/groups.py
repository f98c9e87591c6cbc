"""Group domain: groups, memberships, invitations, activity feed."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import (
    Base,
    Timestamps,
    UUIDPrimaryKey,
    choice,
    counter,
    fk,
    flag,
    json_object,
    money,
    user_fk,
)
from app.models.enums import GroupType, MemberRole, MembershipStatus


class Group(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "groups"
    __table_args__ = (
        CheckConstraint("member_count >= 0", name="member_count_not_negative"),
        Index("idx_group_name_active", "name", "is_active"),
        Index(
            "idx_group_search",
            text("to_tsvector('english'::regconfig, (name::text || ' ') || COALESCE(description, ''))"),
            postgresql_using="gin",
        ),
        # UNIQUE(invite_code) doubles as idx_group_invite_code.
    )

    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    group_type: Mapped[GroupType] = choice(GroupType, "group_type", GroupType.OTHER)
    image: Mapped[str | None] = mapped_column(String(255))
    currency_id: Mapped[uuid.UUID] = fk("currencies.id", "RESTRICT")
    is_private: Mapped[bool] = flag(False)
    invite_code: Mapped[str | None] = mapped_column(String(12), unique=True)
    # Kept by the update_group_member_count trigger.
    member_count: Mapped[int] = counter()
    total_expenses: Mapped[Decimal] = money(0)
    settled_amount: Mapped[Decimal] = money(0)
    is_active: Mapped[bool] = flag(True, index=True)
    is_archived: Mapped[bool] = flag(False)
    archived_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = user_fk("SET NULL")
    # Settle-up with the fewest transfers (on) or pairwise debts as recorded (off).
    simplify_debts: Mapped[bool] = flag(True)
    # New expenses start unapproved until a group admin approves them.
    requires_approval: Mapped[bool] = flag(False)


class GroupMembership(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "group_memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "group_id"),
        CheckConstraint("(is_active AND status = 'accepted') OR NOT is_active", name="active_status"),
        Index("idx_membership_group_active", "group_id", "is_active"),
        # Also serves seed 000's idx_group_user_active (same columns).
        Index("idx_membership_user_active", "user_id", "is_active"),
        Index("idx_group_member", "group_id", "user_id", "is_active"),
    )

    user_id: Mapped[int] = user_fk("CASCADE")
    group_id: Mapped[uuid.UUID] = fk("groups.id", "CASCADE")
    role: Mapped[MemberRole] = choice(MemberRole, "member_role", MemberRole.MEMBER)
    status: Mapped[MembershipStatus] = choice(MembershipStatus, "membership_status", MembershipStatus.PENDING)
    invited_by_id: Mapped[int | None] = user_fk("SET NULL")
    invitation_message: Mapped[str | None] = mapped_column(Text)
    # Seed 000 says DEFAULT TRUE, but its own CHECK allows an active row only once accepted and the
    # status starts 'pending'; a membership becomes active when it is accepted.
    is_active: Mapped[bool] = flag(False)
    joined_at: Mapped[datetime | None]
    left_at: Mapped[datetime | None]
    notification_preferences: Mapped[dict[str, Any]] = json_object()


class GroupInvitation(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "group_invitations"
    __table_args__ = (
        CheckConstraint("email IS NOT NULL OR phone_number IS NOT NULL", name="has_recipient"),
        Index("idx_invitation_email", "email", "is_accepted"),
        Index("idx_invitation_group", "group_id", "is_accepted"),
    )

    group_id: Mapped[uuid.UUID] = fk("groups.id", "CASCADE")
    invited_by_id: Mapped[int] = user_fk("CASCADE")
    email: Mapped[str | None] = mapped_column(String(254))
    phone_number: Mapped[str | None] = mapped_column(String(17))
    message: Mapped[str | None] = mapped_column(Text)
    # Hash of the token in the invitation link.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    is_accepted: Mapped[bool] = flag(False)
    is_expired: Mapped[bool] = flag(False)
    accepted_by_id: Mapped[int | None] = user_fk("SET NULL")
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]


class GroupActivity(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "group_activities"
    __table_args__ = (
        Index("idx_activity_group", "group_id", text("created_at DESC"), text("id DESC")),
        Index("idx_activity_user_type", "user_id", "activity_type"),
    )

    group_id: Mapped[uuid.UUID] = fk("groups.id", "CASCADE")
    user_id: Mapped[int] = user_fk("CASCADE")
    activity_type: Mapped[str] = mapped_column(String(20), index=True)
    description: Mapped[str] = mapped_column(Text)
    # "metadata" is reserved on declarative classes; the column keeps the seed's name.
    meta: Mapped[dict[str, Any]] = json_object(name="metadata")


class GroupBalance(Base):
    """Each member's running balance in a group, per currency: what they paid minus their shares of
    live (not deleted, approved) expenses, plus completed settlements they paid, minus those they
    received. Kept by triggers (migration 0003) on every write, so reading balances never scans the
    ledger; `expense-tracker` never writes it directly."""

    __tablename__ = "group_balances"

    group_id: Mapped[uuid.UUID] = fk("groups.id", "CASCADE", primary_key=True)
    user_id: Mapped[int] = user_fk("CASCADE", primary_key=True)
    currency_id: Mapped[uuid.UUID] = fk("currencies.id", "CASCADE", primary_key=True)
    balance: Mapped[Decimal] = money(0)
