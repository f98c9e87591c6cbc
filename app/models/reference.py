"""Core domain of seed 000: currencies, categories, tags, countries, configuration, audit log."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Index, SmallInteger, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import INET
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import (
    RATE,
    Base,
    Timestamps,
    UUIDPrimaryKey,
    choice,
    counter,
    fk,
    flag,
    json_object,
    user_fk,
)
from app.models.enums import ConfigDataType

HEX_COLOR = "~ '^#[0-9A-Fa-f]{6}$'"


class Currency(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "currencies"
    __table_args__ = (
        CheckConstraint("code ~ '^[A-Z]{3}$'", name="code_iso"),
        CheckConstraint("decimal_places BETWEEN 0 AND 4", name="decimal_places_range"),
        CheckConstraint("exchange_rate_to_usd > 0", name="positive_rate"),
        # UNIQUE(code) doubles as idx_currency_code.
        Index("idx_currency_active", "is_active"),
    )

    code: Mapped[str] = mapped_column(String(3), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    symbol: Mapped[str] = mapped_column(String(10))
    decimal_places: Mapped[int] = mapped_column(SmallInteger, default=2, server_default=text("2"))
    exchange_rate_to_usd: Mapped[Decimal] = mapped_column(RATE, default=Decimal(1), server_default=text("1"))
    is_active: Mapped[bool] = flag(True)


class Category(UUIDPrimaryKey, Timestamps, Base):
    """System categories have no owner; a user's own categories sit beside them (user_id set)."""

    __tablename__ = "categories"
    __table_args__ = (
        CheckConstraint(f"color {HEX_COLOR}", name="color_hex"),
        CheckConstraint("slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name="slug_format"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        # Seed 000's UNIQUE(name) and UNIQUE(slug), per owner: system rows among themselves, each
        # user's rows among theirs (NULL owners would never collide under a plain UNIQUE).
        Index("idx_category_name", "name", unique=True, postgresql_where=text("user_id IS NULL")),
        Index("idx_category_slug", "slug", unique=True, postgresql_where=text("user_id IS NULL")),
        Index("idx_category_user_name", "user_id", "name", unique=True, postgresql_where=text("user_id IS NOT NULL")),
        Index("idx_category_user_slug", "user_id", "slug", unique=True, postgresql_where=text("user_id IS NOT NULL")),
        Index("idx_category_parent", "parent_id"),
    )

    name: Mapped[str] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    icon: Mapped[str | None] = mapped_column(String(50))
    color: Mapped[str] = mapped_column(String(7), default="#007bff", server_default="#007bff")
    is_default: Mapped[bool] = flag(False)
    # RESTRICT: a parent with children cannot vanish and silently re-root its subtree.
    parent_id: Mapped[uuid.UUID | None] = fk("categories.id", "RESTRICT")
    user_id: Mapped[int | None] = user_fk("CASCADE")


class Tag(UUIDPrimaryKey, Timestamps, Base):
    """Tags belong to the user who made them (seed 000 calls them user-defined)."""

    __tablename__ = "tags"
    __table_args__ = (
        CheckConstraint(f"color {HEX_COLOR}", name="color_hex"),
        CheckConstraint("usage_count >= 0", name="usage_count_not_negative"),
        # Seed 000's UNIQUE(name), per owner; it doubles as idx_tag_name.
        UniqueConstraint("user_id", "name"),
        Index("idx_tag_usage", "user_id", text("usage_count DESC")),
    )

    user_id: Mapped[int] = user_fk("CASCADE")
    name: Mapped[str] = mapped_column(String(50))
    color: Mapped[str] = mapped_column(String(7), default="#6c757d", server_default="#6c757d")
    description: Mapped[str | None] = mapped_column(Text)
    usage_count: Mapped[int] = counter()


class Country(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "countries"
    __table_args__ = (
        CheckConstraint("code ~ '^[A-Z]{2}$'", name="code_iso"),
        # UNIQUE(code) doubles as idx_country_code.
        Index("idx_country_currency", "currency_id"),
    )

    name: Mapped[str] = mapped_column(String(100), unique=True)
    code: Mapped[str] = mapped_column(String(2), unique=True)
    currency_id: Mapped[uuid.UUID | None] = fk("currencies.id", "SET NULL")
    phone_code: Mapped[str | None] = mapped_column(String(10))
    flag_emoji: Mapped[str | None] = mapped_column(String(10))


class SystemConfiguration(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "system_configurations"

    # UNIQUE doubles as idx_config_key.
    key: Mapped[str] = mapped_column(String(100), unique=True)
    # Sensitive values are stored Fernet-encrypted (base64 text) and shown masked.
    value: Mapped[str] = mapped_column(Text)
    data_type: Mapped[ConfigDataType] = choice(ConfigDataType, "config_data_type", ConfigDataType.STRING)
    description: Mapped[str | None] = mapped_column(Text)
    is_sensitive: Mapped[bool] = flag(False)


class ActivityLog(UUIDPrimaryKey, Timestamps, Base):
    """Audit trail. SET NULL keeps the trail when a user is deleted."""

    __tablename__ = "activity_logs"
    __table_args__ = (
        Index("idx_activity_user_action", "user_id", "action", "created_at"),
        Index("idx_activity_object", "content_type", "object_id"),
        Index("idx_activity_user_created", "user_id", text("created_at DESC"), text("id DESC")),
    )

    user_id: Mapped[int | None] = user_fk("SET NULL")
    action: Mapped[str] = mapped_column(String(20))
    content_type: Mapped[str | None] = mapped_column(String(50))
    object_id: Mapped[str | None] = mapped_column(String(100))
    object_repr: Mapped[str | None] = mapped_column(String(200))
    changes: Mapped[dict[str, Any]] = json_object()
    ip_address: Mapped[str | None] = mapped_column(INET)
    user_agent: Mapped[str | None] = mapped_column(Text)
