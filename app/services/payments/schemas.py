"""Payment methods and payments as the API takes and shows them."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.models.enums import PaymentMethodType, PaymentStatus
from app.schemas import Money


class PaymentMethodCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    method_type: PaymentMethodType
    name: str = Field(min_length=1, max_length=100, description="Your label, e.g. 'Joint checking'.")
    account_identifier: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Account number, card number, UPI id, PayPal or Venmo handle: stored encrypted, "
        "shown back only as its last four characters.",
    )
    external_id: str | None = Field(default=None, max_length=255, description="The provider's id for it.")
    is_default: bool = False


class PaymentMethodPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=1, max_length=100)
    account_identifier: str | None = Field(default=None, min_length=1, max_length=200)
    is_default: bool | None = None


class PaymentMethodOut(BaseModel):
    id: uuid.UUID
    method_type: PaymentMethodType
    name: str
    last_four: str | None
    external_id: str | None
    is_default: bool
    is_verified: bool
    created_at: datetime


class PaymentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    payment_method_id: uuid.UUID
    payment_service: str = Field(
        default="manual", min_length=1, max_length=50, pattern=r"^[a-z0-9_-]+$", description="e.g. stripe"
    )
    external_transaction_id: str | None = Field(
        default=None,
        max_length=255,
        description="The provider's id (a Stripe PaymentIntent id): webhooks find the payment by it.",
    )


class PaymentOut(BaseModel):
    id: uuid.UUID
    settlement_id: uuid.UUID
    amount: Money
    currency: str
    payment_method_id: uuid.UUID
    payment_service: str
    external_transaction_id: str | None
    status: PaymentStatus
    processing_fee: Money
    initiated_at: datetime
    processed_at: datetime | None
    error_code: str | None
    error_message: str | None


class WebhookOut(BaseModel):
    received: bool = True
    duplicate: bool = Field(default=False, description="This event was delivered before; nothing changed.")
    status: str = Field(description="processed, ignored or failed (why is in the stored event).")
