"""Payment domain: payment methods, settlements between people, payments and provider webhooks."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Index, LargeBinary, String, Text, UniqueConstraint, func, text
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
    pg_enum,
    user_fk,
)
from app.models.enums import PaymentMethodType, PaymentStatus, SettlementMethod, WebhookStatus


class PaymentMethod(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "payment_methods"
    __table_args__ = (
        Index("idx_payment_method_user", "user_id", "is_active"),
        Index("idx_payment_method_type", "method_type", "is_active"),
        Index(
            "uq_payment_method_default",
            "user_id",
            unique=True,
            postgresql_where=text("is_default AND is_active"),
        ),
    )

    user_id: Mapped[int] = user_fk("CASCADE")
    method_type: Mapped[PaymentMethodType] = choice(PaymentMethodType, "method_type")
    name: Mapped[str] = mapped_column(String(100))
    # Display-safe details only (label, last four); account numbers go in encrypted_details.
    details: Mapped[dict[str, Any]] = json_object()
    encrypted_details: Mapped[bytes | None] = mapped_column(LargeBinary)
    external_id: Mapped[str | None] = mapped_column(String(255))
    meta: Mapped[dict[str, Any]] = json_object(name="metadata")
    is_active: Mapped[bool] = flag(True)
    is_verified: Mapped[bool] = flag(False)
    is_default: Mapped[bool] = flag(False)


class Settlement(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "settlements"
    __table_args__ = (
        CheckConstraint("amount > 0", name="positive_settlement"),
        CheckConstraint("payer_id <> payee_id", name="different_parties"),
        Index("idx_settlement_payer_status", "payer_id", "status"),
        Index("idx_settlement_payee_status", "payee_id", "status"),
        Index("idx_settlement_group_status", "group_id", "status"),
        Index("idx_settlement_status_due", "status", "due_date"),
        Index("idx_settlement_pending", "status", "due_date", postgresql_where=text("status = 'pending'")),
        Index("idx_settlement_user", "payer_id", "payee_id", "status"),
    )

    payer_id: Mapped[int] = user_fk("RESTRICT")
    payee_id: Mapped[int] = user_fk("RESTRICT")
    amount: Mapped[Decimal] = money()
    currency_id: Mapped[uuid.UUID] = fk("currencies.id", "RESTRICT")
    group_id: Mapped[uuid.UUID | None] = fk("groups.id", "RESTRICT")
    method: Mapped[SettlementMethod] = choice(SettlementMethod, "settlement_method", SettlementMethod.MANUAL)
    status: Mapped[PaymentStatus] = pg_enum(PaymentStatus, "payment_status", PaymentStatus.PENDING, index=True)
    payment_method_id: Mapped[uuid.UUID | None] = fk("payment_methods.id", "SET NULL")
    external_transaction_id: Mapped[str | None] = mapped_column(String(255))
    payment_service: Mapped[str | None] = mapped_column(String(50))
    payment_metadata: Mapped[dict[str, Any]] = json_object()
    due_date: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    description: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    is_confirmed_by_payer: Mapped[bool] = flag(False)
    is_confirmed_by_payee: Mapped[bool] = flag(False)
    confirmed_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = user_fk("SET NULL")


class Payment(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount > 0", name="positive_amount"),
        CheckConstraint("processing_fee >= 0", name="fee_not_negative"),
        Index("idx_payment_status", "status", "initiated_at"),
        # UNIQUE(external_transaction_id) doubles as idx_payment_external_id.
        Index("idx_payment_settlement", "settlement_id", "status"),
    )

    # RESTRICT: money that moved stays on record.
    settlement_id: Mapped[uuid.UUID] = fk("settlements.id", "RESTRICT")
    amount: Mapped[Decimal] = money()
    currency_id: Mapped[uuid.UUID] = fk("currencies.id", "RESTRICT")
    payment_method_id: Mapped[uuid.UUID] = fk("payment_methods.id", "RESTRICT")
    status: Mapped[PaymentStatus] = pg_enum(PaymentStatus, "payment_status", PaymentStatus.PENDING)
    external_transaction_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    payment_service: Mapped[str] = mapped_column(String(50))
    processing_fee: Mapped[Decimal] = money(0)
    initiated_at: Mapped[datetime] = mapped_column(server_default=func.now())
    processed_at: Mapped[datetime | None]
    meta: Mapped[dict[str, Any]] = json_object(name="metadata")
    error_code: Mapped[str | None] = mapped_column(String(100))
    error_message: Mapped[str | None] = mapped_column(Text)


class PaymentWebhook(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "payment_webhooks"
    __table_args__ = (
        # Seed 000 has UNIQUE(event_id); event ids are only unique within one provider.
        UniqueConstraint("service", "event_id"),
        Index("idx_webhook_service_type", "service", "event_type"),
        Index("idx_webhook_status", "status", "created_at"),
    )

    service: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str | None] = mapped_column(String(255))
    event_type: Mapped[str] = mapped_column(String(100))
    raw_payload: Mapped[dict[str, Any]]
    processed_payload: Mapped[dict[str, Any]] = json_object()
    status: Mapped[WebhookStatus] = choice(WebhookStatus, "webhook_status", WebhookStatus.RECEIVED)
    processed_at: Mapped[datetime | None]
    payment_id: Mapped[uuid.UUID | None] = fk("payments.id", "SET NULL")
    error_message: Mapped[str | None] = mapped_column(Text)
    retry_count: Mapped[int] = counter()
