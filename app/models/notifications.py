"""Notification domain: in-app notifications, per-type preferences, templates and delivery logs."""

from __future__ import annotations

import uuid
from datetime import datetime, time
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
    json_array,
    json_object,
    pg_enum,
    user_fk,
)
from app.models.enums import DeliveryChannel, DeliveryFrequency, DeliveryStatus, NotificationPriority


class Notification(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "notifications"
    __table_args__ = (
        # Also serves seed 000's idx_notification_unread (same columns, same order).
        Index("idx_notification_user_read", "user_id", "is_read", text("created_at DESC")),
        Index("idx_notification_type", "notification_type", "created_at"),
        Index("idx_notification_priority", "priority", "is_sent"),
        Index("idx_notification_metadata", "metadata", postgresql_using="gin"),
        Index("idx_notification_user_created", "user_id", text("created_at DESC"), text("id DESC")),
        Index("idx_notification_due", "scheduled_for", postgresql_where=text("NOT is_sent")),
        # A notification with a key (meta "key") is made once per user and type: see inapp.notify_all.
        Index(
            "idx_notification_key",
            "user_id",
            "notification_type",
            text("(metadata ->> 'key')"),
            unique=True,
            postgresql_where=text("(metadata ->> 'key') IS NOT NULL"),
        ),
    )

    user_id: Mapped[int] = user_fk("CASCADE")
    sender_id: Mapped[int | None] = user_fk("SET NULL")
    notification_type: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    priority: Mapped[NotificationPriority] = pg_enum(
        NotificationPriority, "notification_priority", NotificationPriority.NORMAL
    )
    is_read: Mapped[bool] = flag(False)
    read_at: Mapped[datetime | None]
    related_object_type: Mapped[str | None] = mapped_column(String(50))
    related_object_id: Mapped[str | None] = mapped_column(String(100))
    action_url: Mapped[str | None] = mapped_column(String(500))
    meta: Mapped[dict[str, Any]] = json_object(name="metadata")
    is_sent: Mapped[bool] = flag(False)
    sent_at: Mapped[datetime | None]
    delivery_channels: Mapped[list[Any]] = json_array()
    # Held back (quiet hours, digests) until this time; NULL means deliver now.
    scheduled_for: Mapped[datetime | None]


class NotificationPreference(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "notification_type"),)

    user_id: Mapped[int] = user_fk("CASCADE")
    notification_type: Mapped[str] = mapped_column(String(30))
    is_enabled: Mapped[bool] = flag(True)
    delivery_methods: Mapped[list[Any]] = json_array()
    quiet_hours_start: Mapped[time | None]
    quiet_hours_end: Mapped[time | None]
    frequency_limit: Mapped[DeliveryFrequency] = choice(
        DeliveryFrequency, "frequency_limit", DeliveryFrequency.IMMEDIATE
    )


class NotificationTemplate(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "notification_templates"
    __table_args__ = (UniqueConstraint("notification_type", "template_type", "language"),)

    name: Mapped[str | None] = mapped_column(String(100), unique=True)
    notification_type: Mapped[str] = mapped_column(String(30))
    template_type: Mapped[DeliveryChannel] = choice(DeliveryChannel, "template_type")
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    variables: Mapped[dict[str, Any]] = json_object()
    is_active: Mapped[bool] = flag(True)
    language: Mapped[str] = mapped_column(String(10), default="en", server_default="en")


class NotificationLog(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "notification_logs"
    __table_args__ = (
        CheckConstraint("retry_count >= 0", name="retry_count_not_negative"),
        Index("idx_log_notification", "notification_id", "delivery_method"),
        Index("idx_log_status", "status", "sent_at"),
    )

    notification_id: Mapped[uuid.UUID] = fk("notifications.id", "CASCADE")
    delivery_method: Mapped[DeliveryChannel] = choice(DeliveryChannel, "delivery_method")
    recipient: Mapped[str] = mapped_column(String(255))
    status: Mapped[DeliveryStatus] = choice(DeliveryStatus, "delivery_status", DeliveryStatus.PENDING)
    external_id: Mapped[str | None] = mapped_column(String(255))
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]
    clicked_at: Mapped[datetime | None]
    error_message: Mapped[str | None] = mapped_column(Text)
    retry_count: Mapped[int] = counter()
    meta: Mapped[dict[str, Any]] = json_object(name="metadata")
