"""Authentication domain (seed 000) plus user preferences (seed 002) and login sessions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Identity,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import INET
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import (
    Base,
    CreatedAt,
    Timestamps,
    UUIDPrimaryKey,
    choice,
    counter,
    fk,
    flag,
    json_object,
    money,
    pg_enum,
    user_fk,
)
from app.models.enums import (
    ChatParserChoice,
    DateFormat,
    DeviceType,
    FriendshipStatus,
    ProfileVisibility,
    QuickAddMode,
    Theme,
    UserRole,
)


class User(Timestamps, Base):
    __tablename__ = "auth_user"
    __table_args__ = (
        CheckConstraint("failed_login_attempts >= 0", name="failed_login_attempts_not_negative"),
        CheckConstraint("preferred_currency ~ '^[A-Z]{3}$'", name="preferred_currency_iso"),
        # UNIQUE(email) and UNIQUE(username) already index idx_user_email / idx_user_username; these
        # make "Alice@x.io" and "alice@x.io" (or "Bob" and "bob") one account, and serve login lookups.
        Index("uq_user_email_lower", func.lower(text("email")), unique=True),
        Index("uq_user_username_lower", func.lower(text("username")), unique=True),
        Index("idx_user_is_active", "is_active", "is_verified"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password: Mapped[str] = mapped_column(String(128))
    first_name: Mapped[str | None] = mapped_column(String(150))
    last_name: Mapped[str | None] = mapped_column(String(150))
    phone_number: Mapped[str | None] = mapped_column(String(17))
    avatar: Mapped[str | None] = mapped_column(String(100))
    bio: Mapped[str | None] = mapped_column(Text)
    date_of_birth: Mapped[date | None]
    preferred_currency: Mapped[str] = mapped_column(String(3), default="USD", server_default="USD")
    timezone: Mapped[str] = mapped_column(String(50), default="UTC", server_default="UTC")
    user_notification_preferences: Mapped[dict[str, Any]] = json_object()
    role: Mapped[UserRole] = pg_enum(UserRole, "user_role", UserRole.USER)
    is_verified: Mapped[bool] = flag(False)
    is_premium: Mapped[bool] = flag(False)
    profile_visibility: Mapped[ProfileVisibility] = choice(
        ProfileVisibility, "profile_visibility", ProfileVisibility.FRIENDS
    )
    last_login_ip: Mapped[str | None] = mapped_column(INET)
    failed_login_attempts: Mapped[int] = counter()
    account_locked_until: Mapped[datetime | None]
    is_active: Mapped[bool] = flag(True)
    is_staff: Mapped[bool] = flag(False)
    is_superuser: Mapped[bool] = flag(False)
    date_joined: Mapped[datetime] = mapped_column(server_default=func.now())
    last_login: Mapped[datetime | None]


class UserProfile(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "user_profiles"

    # UNIQUE(user_id) doubles as seed 000's idx_profile_user.
    user_id: Mapped[int] = user_fk("CASCADE", unique=True)
    occupation: Mapped[str | None] = mapped_column(String(100))
    company: Mapped[str | None] = mapped_column(String(100))
    website: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(50))
    city: Mapped[str | None] = mapped_column(String(50))
    social_links: Mapped[dict[str, Any]] = json_object()
    # Caches kept by the update_user_totals trigger.
    total_expenses: Mapped[Decimal] = money(0)
    total_groups: Mapped[int] = counter()
    expense_count: Mapped[int] = counter()


class UserFriendship(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "user_friendships"
    __table_args__ = (
        # UNIQUE(from_user_id, to_user_id) doubles as seed 000's idx_friendship_users.
        UniqueConstraint("from_user_id", "to_user_id"),
        CheckConstraint("from_user_id <> to_user_id", name="different_users"),
        # One relationship per pair of people, whoever asked first.
        Index(
            "uq_friendship_pair",
            func.least(text("from_user_id"), text("to_user_id")),
            func.greatest(text("from_user_id"), text("to_user_id")),
            unique=True,
        ),
        Index("idx_friendship_status", "status"),
        Index("idx_friendship_to_user", "to_user_id", "status"),
    )

    from_user_id: Mapped[int] = user_fk("CASCADE")
    to_user_id: Mapped[int] = user_fk("CASCADE")
    status: Mapped[FriendshipStatus] = choice(FriendshipStatus, "friendship_status", FriendshipStatus.PENDING)
    message: Mapped[str | None] = mapped_column(Text)


class UserDevice(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "user_devices"
    __table_args__ = (Index("idx_device_user", "user_id", "is_active"),)

    user_id: Mapped[int] = user_fk("CASCADE")
    # UNIQUE doubles as idx_device_token.
    device_token: Mapped[str] = mapped_column(String(255), unique=True)
    device_type: Mapped[DeviceType] = choice(DeviceType, "device_type")
    device_name: Mapped[str | None] = mapped_column(String(100))
    is_active: Mapped[bool] = flag(True)
    last_used: Mapped[datetime | None]


class EmailVerification(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "email_verifications"
    __table_args__ = (Index("idx_verification_user", "user_id", "is_used"),)

    user_id: Mapped[int] = user_fk("CASCADE")
    # UNIQUE doubles as idx_verification_token. Holds a hash of the token, never the token itself.
    token: Mapped[str] = mapped_column(String(100), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    is_used: Mapped[bool] = flag(False)
    expires_at: Mapped[datetime]


class PasswordReset(UUIDPrimaryKey, Timestamps, Base):
    """One-time password-reset tokens (stored hashed), the reset twin of email_verifications."""

    __tablename__ = "password_resets"
    __table_args__ = (Index("idx_password_reset_user", "user_id", "used_at"),)

    user_id: Mapped[int] = user_fk("CASCADE")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    ip_address: Mapped[str | None] = mapped_column(INET)


class RefreshToken(UUIDPrimaryKey, Timestamps, Base):
    """A refresh token of a login session. Tokens rotate within a family; reuse revokes the family."""

    __tablename__ = "refresh_tokens"
    __table_args__ = (
        Index("idx_refresh_token_user", "user_id", "revoked_at"),
        Index("idx_refresh_token_family", "family_id"),
    )

    user_id: Mapped[int] = user_fk("CASCADE")
    family_id: Mapped[uuid.UUID]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    replaced_by_id: Mapped[uuid.UUID | None] = fk("refresh_tokens.id", "SET NULL")
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(30))
    ip_address: Mapped[str | None] = mapped_column(INET)
    user_agent: Mapped[str | None] = mapped_column(Text)


class IdempotencyKey(CreatedAt, Base):
    """A client's `Idempotency-Key` on a request that creates something, with the answer it got: a retry
    with the same key (a double tap, a resend after a timeout) gets that answer again instead of making a
    second expense or payment. Written in the request's own transaction, so the key is taken exactly when
    the thing it made is saved; kept at least a day (maintenance purges older ones)."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (Index("idx_idempotency_key_created", "created_at"),)

    user_id: Mapped[int] = user_fk("CASCADE", primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    # sha256 of method, path and body: the same key on a different request is refused, not replayed.
    fingerprint: Mapped[str] = mapped_column(String(64))
    # Empty only inside the transaction that took the key; nobody else sees the row before it commits.
    status_code: Mapped[int | None]
    # `json`, not `jsonb`: the replay gives back the body with its keys in their order.
    body: Mapped[Any | None] = mapped_column(JSON)


class UserPreferences(UUIDPrimaryKey, Timestamps, Base):
    """One row per user: seed 002's UI fields and the everyday defaults."""

    __tablename__ = "user_preferences"

    user_id: Mapped[int] = user_fk("CASCADE", unique=True)
    sidebar_collapsed: Mapped[bool] = flag(False)
    quick_add_mode: Mapped[QuickAddMode] = choice(QuickAddMode, "quick_add_mode", QuickAddMode.NORMAL)
    default_chat_parser: Mapped[ChatParserChoice] = choice(ChatParserChoice, "default_chat_parser", ChatParserChoice.AI)
    locale: Mapped[str] = mapped_column(String(10), default="en", server_default="en")
    date_format: Mapped[DateFormat] = choice(DateFormat, "date_format", DateFormat.ISO)
    theme: Mapped[Theme] = choice(Theme, "theme", Theme.SYSTEM)
    default_group_id: Mapped[uuid.UUID | None] = fk("groups.id", "SET NULL")
    default_account_id: Mapped[uuid.UUID | None] = fk("accounts.id", "SET NULL")
