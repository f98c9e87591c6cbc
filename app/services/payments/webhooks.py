"""Payment-provider webhooks, in Stripe's format and signing scheme.

A delivery is trusted only with a valid signature: header `t=<unix time>,v1=<hex>` where the hex is
HMAC-SHA256(secret, f"{t}.{raw body}"), within the tolerance of now. A bad one is refused (400) before
anything is stored. Each event is stored once per (service, event id): a redelivery finds the row and
changes nothing, and two deliveries at the same moment are serialised by that unique key. An event that
matched no payment (delivered before the app recorded it) is kept as failed, answered 409 so the provider
delivers it again, and applied then.

Events move the payment they name (by the provider's object id, or `metadata.payment_id`):
succeeded → completed (and the settlement completes once completed payments cover it), processing,
failed, canceled, refunded (a completed settlement is reversed). Anything else is stored as ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.errors import BadRequest, Conflict, NotFound
from app.models import Currency, Payment, PaymentWebhook, Settlement, User
from app.models.enums import PaymentStatus, WebhookStatus
from app.services.expenses.allocation import to_units
from app.services.notifications import inapp
from app.services.payments.service import paid_so_far
from app.services.settlements.service import complete, reverse

SIGNATURE_HEADERS = ("stripe-signature", "webhook-signature")


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header a provider sends for `body` at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, body: bytes, header: str | None, tolerance: int, now: float | None = None) -> None:
    if not header:
        raise BadRequest("The webhook signature header is missing.")
    parts = [item.split("=", 1) for item in header.split(",") if "=" in item]
    timestamps = [value for key, value in parts if key.strip() == "t"]
    signatures = [value.strip() for key, value in parts if key.strip() == "v1"]
    if len(timestamps) != 1 or not timestamps[0].strip().isdigit() or not signatures:
        raise BadRequest("The webhook signature header is malformed.")
    timestamp = int(timestamps[0])
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        raise BadRequest("The webhook signature is too old (or from the future).")
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise BadRequest("The webhook signature does not match.")


@dataclass(frozen=True)
class Move:
    """What an event type does to its payment: the new status and the statuses it may come from."""

    status: PaymentStatus
    allowed_from: tuple[PaymentStatus, ...]


_OPEN = (PaymentStatus.PENDING, PaymentStatus.PROCESSING)
MOVES: dict[str, Move] = {
    "payment_intent.succeeded": Move(PaymentStatus.COMPLETED, (*_OPEN, PaymentStatus.FAILED)),
    "charge.succeeded": Move(PaymentStatus.COMPLETED, (*_OPEN, PaymentStatus.FAILED)),
    "payment_intent.processing": Move(PaymentStatus.PROCESSING, (PaymentStatus.PENDING,)),
    "payment_intent.payment_failed": Move(PaymentStatus.FAILED, _OPEN),
    "charge.failed": Move(PaymentStatus.FAILED, _OPEN),
    "payment_intent.canceled": Move(PaymentStatus.CANCELLED, (*_OPEN, PaymentStatus.FAILED)),
    "charge.refunded": Move(PaymentStatus.REFUNDED, (PaymentStatus.COMPLETED,)),
}


def _event(body: bytes) -> dict[str, Any]:
    try:
        event = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("The webhook body is not JSON.") from None
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
        raise BadRequest("The webhook body is not an event (it needs an id and a type).")
    return event


def _object(event: dict[str, Any]) -> dict[str, Any]:
    data = event.get("data")
    found = data.get("object") if isinstance(data, dict) else None
    return found if isinstance(found, dict) else {}


async def _payment_for(session: AsyncSession, service: str, obj: dict[str, Any]) -> Payment | None:
    ids = [value for value in (obj.get("payment_intent"), obj.get("id")) if isinstance(value, str)]
    if ids:
        row = await session.scalar(
            select(Payment)
            .where(Payment.payment_service == service, Payment.external_transaction_id.in_(ids))
            .with_for_update()
        )
        if row is not None:
            return row
    metadata = obj.get("metadata")
    reference = metadata.get("payment_id") if isinstance(metadata, dict) else None
    try:
        payment_id = uuid.UUID(str(reference))
    except ValueError:
        return None
    return await session.scalar(
        select(Payment).where(Payment.id == payment_id, Payment.payment_service == service).with_for_update()
    )


async def receive(
    session: AsyncSession, settings: Settings, service: str, headers: Mapping[str, str], body: bytes
) -> tuple[bool, WebhookStatus]:
    """Verify, store once, apply. Returns (was it a redelivery of a settled event, the event's status)."""
    secret = settings.payment_webhook_secrets.get(service)
    if secret is None:
        raise NotFound("No webhooks are configured for this payment service.")
    header = next((headers[name] for name in SIGNATURE_HEADERS if name in headers), None)
    verify(secret.get_secret_value(), body, header, settings.payment_webhook_tolerance_seconds)
    event = _event(body)
    await session.execute(
        insert(PaymentWebhook)
        .values(
            id=uuid.uuid4(),
            service=service,
            event_id=event["id"],
            event_type=event["type"][:100],
            raw_payload=event,
            status=WebhookStatus.RECEIVED,
        )
        .on_conflict_do_nothing(index_elements=["service", "event_id"])
    )
    webhook = await session.scalar(
        select(PaymentWebhook)
        .where(PaymentWebhook.service == service, PaymentWebhook.event_id == event["id"])
        .with_for_update()
    )
    assert webhook is not None
    if webhook.status in (WebhookStatus.PROCESSED, WebhookStatus.IGNORED):
        return True, webhook.status
    if webhook.status == WebhookStatus.FAILED:
        webhook.retry_count += 1  # a redelivery of one that failed (its payment was not recorded yet) retries
    status, note, payment = await _apply(session, service, event)
    webhook.status, webhook.processed_at = status, datetime.now(UTC)
    webhook.payment_id = payment.id if payment else None
    webhook.error_message = note if status == WebhookStatus.FAILED else None
    webhook.processed_payload = {"result": note}
    await session.flush()
    if status == WebhookStatus.FAILED and payment is None:
        # Not a 2xx, so the provider delivers it again later: the payment may simply not be recorded yet.
        raise Conflict(f"Event {event['id']} is stored but {note}; deliver it again later.", keep_changes=True)
    return False, status


async def _apply(
    session: AsyncSession, service: str, event: dict[str, Any]
) -> tuple[WebhookStatus, str, Payment | None]:
    move = MOVES.get(event["type"])
    if move is None:
        return WebhookStatus.IGNORED, f"event type {event['type']} does not move payments", None
    obj = _object(event)
    payment = await _payment_for(session, service, obj)
    if payment is None:
        return WebhookStatus.FAILED, "no payment matches this event", None
    if payment.status == move.status:
        return WebhookStatus.IGNORED, f"the payment is already {payment.status.value}", payment
    if payment.status not in move.allowed_from:
        return WebhookStatus.IGNORED, f"a {payment.status.value} payment cannot become {move.status.value}", payment
    currency = await session.get(Currency, payment.currency_id)
    assert currency is not None
    if move.status == PaymentStatus.COMPLETED:
        mismatch = _amount_mismatch(obj, payment, currency)
        if mismatch:
            return WebhookStatus.FAILED, mismatch, payment
    payment.status = move.status
    payment.processed_at = datetime.now(UTC)
    if move.status == PaymentStatus.FAILED:
        error = obj.get("last_payment_error") if isinstance(obj.get("last_payment_error"), dict) else obj
        payment.error_code = str(error.get("code") or error.get("failure_code") or "payment_failed")[:100]
        payment.error_message = str(error.get("message") or error.get("failure_message") or "")[:1000] or None
    await session.flush()
    settlement = await session.scalar(
        select(Settlement).where(Settlement.id == payment.settlement_id).with_for_update()
    )
    assert settlement is not None
    note = f"payment {move.status.value}"
    # Money that moved is the truth: even a settlement someone cancelled meanwhile completes.
    open_settlement = settlement.status in (PaymentStatus.PENDING, PaymentStatus.CANCELLED)
    if (
        move.status == PaymentStatus.COMPLETED
        and open_settlement
        and await paid_so_far(session, settlement.id, (PaymentStatus.COMPLETED,)) >= settlement.amount
    ):
        await complete(session, settlement, settlement.payee_id, f"Payment received through {service}")
        note += "; settlement completed"
    if move.status == PaymentStatus.COMPLETED:
        payer = await session.scalar(select(User.username).where(User.id == settlement.payer_id))
        detail = "the settlement is complete" if settlement.status == PaymentStatus.COMPLETED else "more is due"
        amount = payment.amount.quantize(Decimal(1).scaleb(-currency.decimal_places))
        variables = {"amount": amount, "currency": currency.code, "actor": payer or "someone", "service": service,
                     "detail": detail}  # fmt: skip
        await inapp.notify(
            session,
            settlement.payee_id,
            "payment_received",
            variables,
            related=("payment", str(payment.id)),
            key=f"payment:{payment.id}",
        )
    if (
        move.status == PaymentStatus.REFUNDED
        and settlement.status == PaymentStatus.COMPLETED
        and await paid_so_far(session, settlement.id, (PaymentStatus.COMPLETED,)) < settlement.amount
    ):
        await reverse(session, settlement, PaymentStatus.REFUNDED)
        note += "; settlement reversed"
    return WebhookStatus.PROCESSED, note, payment


def _amount_mismatch(obj: dict[str, Any], payment: Payment, currency: Currency) -> str | None:
    """Stripe states amounts in integer minor units with a lower-case currency code."""
    received = obj.get("amount_received", obj.get("amount"))
    code = obj.get("currency")
    if isinstance(code, str) and code.upper() != currency.code:
        return f"the event is in {code.upper()}, the payment in {currency.code}"
    if isinstance(received, int) and received != to_units(payment.amount, currency.decimal_places):
        return f"the event pays {received} minor units, the payment is for {payment.amount} {currency.code}"
    return None
