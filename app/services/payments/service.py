"""Payments against a settlement: the payer says how they are paying (a method, a service, the provider's
transaction id); the provider's webhooks then move the payment, and a paid settlement completes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import flush_unique
from app.errors import Conflict, Forbidden, NotFound, Unprocessable
from app.models import Currency, Payment, User
from app.models.enums import PaymentStatus
from app.services.payments.methods import active_method
from app.services.payments.schemas import PaymentCreate, PaymentOut
from app.services.settlements.service import visible_settlement

# Payments that still count towards their settlement (not failed, cancelled or refunded).
LIVE = (PaymentStatus.PENDING, PaymentStatus.PROCESSING, PaymentStatus.COMPLETED)


def out(row: Payment, currency: Currency) -> PaymentOut:
    unit = Decimal(1).scaleb(-currency.decimal_places)
    return PaymentOut(
        id=row.id,
        settlement_id=row.settlement_id,
        amount=row.amount.quantize(unit),
        currency=currency.code,
        payment_method_id=row.payment_method_id,
        payment_service=row.payment_service,
        external_transaction_id=row.external_transaction_id,
        status=row.status,
        processing_fee=row.processing_fee.quantize(unit),
        initiated_at=row.initiated_at,
        processed_at=row.processed_at,
        error_code=row.error_code,
        error_message=row.error_message,
    )


async def paid_so_far(session: AsyncSession, settlement_id: uuid.UUID, statuses: tuple[PaymentStatus, ...]) -> Decimal:
    total = await session.scalar(
        select(func.coalesce(func.sum(Payment.amount), 0)).where(
            Payment.settlement_id == settlement_id, Payment.status.in_(statuses)
        )
    )
    return Decimal(total)


async def create(session: AsyncSession, user: User, settlement_id: uuid.UUID, data: PaymentCreate) -> PaymentOut:
    settlement = await visible_settlement(session, user, settlement_id, for_update=True)
    if settlement.payer_id != user.id:
        raise Forbidden("Only the person paying can add a payment to this settlement.")
    if settlement.status != PaymentStatus.PENDING:
        raise Unprocessable(f"This settlement is already {settlement.status.value}.")
    method = await active_method(session, user, data.payment_method_id)
    outstanding = settlement.amount - await paid_so_far(session, settlement.id, LIVE)
    if outstanding <= 0:
        raise Conflict("This settlement already has payments covering all of it.")
    row = Payment(
        id=uuid.uuid4(),
        settlement_id=settlement.id,
        amount=outstanding,
        currency_id=settlement.currency_id,
        payment_method_id=method.id,
        payment_service=data.payment_service,
        external_transaction_id=data.external_transaction_id,
        initiated_at=datetime.now(UTC),
    )
    session.add(row)
    await flush_unique(session, "A payment with this external transaction id is already recorded.")
    settlement.payment_method_id, settlement.payment_service = method.id, data.payment_service
    await session.flush()
    await session.refresh(row)
    currency = await session.get(Currency, row.currency_id)
    assert currency is not None
    return out(row, currency)


async def listing(session: AsyncSession, user: User, settlement_id: uuid.UUID) -> list[PaymentOut]:
    settlement = await visible_settlement(session, user, settlement_id)
    currency = await session.get(Currency, settlement.currency_id)
    assert currency is not None
    rows = await session.scalars(
        select(Payment).where(Payment.settlement_id == settlement.id).order_by(Payment.initiated_at, Payment.id)
    )
    return [out(row, currency) for row in rows]


async def get(session: AsyncSession, user: User, payment_id: uuid.UUID) -> PaymentOut:
    row = await session.get(Payment, payment_id)
    if row is None:
        raise NotFound("No such payment.")
    try:
        await visible_settlement(session, user, row.settlement_id)
    except NotFound:
        raise NotFound("No such payment.") from None
    currency = await session.get(Currency, row.currency_id)
    assert currency is not None
    return out(row, currency)
