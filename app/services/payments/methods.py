"""Each user's payment methods. The account identifier (number, handle) is stored only encrypted; the
API shows its last four characters. Removing one deactivates it: payments made with it stay on record."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotFound
from app.models import PaymentMethod, User
from app.security import SecretBox
from app.services.payments.schemas import PaymentMethodCreate, PaymentMethodOut, PaymentMethodPatch


def _out(row: PaymentMethod) -> PaymentMethodOut:
    return PaymentMethodOut(
        id=row.id,
        method_type=row.method_type,
        name=row.name,
        last_four=row.details.get("last_four"),
        external_id=row.external_id,
        is_default=row.is_default,
        is_verified=row.is_verified,
        created_at=row.created_at,
    )


def _store_identifier(box: SecretBox, row: PaymentMethod, identifier: str) -> None:
    row.encrypted_details = box.encrypt(identifier)
    row.details = {**row.details, "last_four": identifier.replace(" ", "")[-4:]}


async def _clear_default(session: AsyncSession, user: User) -> None:
    await session.execute(
        update(PaymentMethod).where(PaymentMethod.user_id == user.id, PaymentMethod.is_default).values(is_default=False)
    )


async def active_method(session: AsyncSession, user: User, method_id: uuid.UUID) -> PaymentMethod:
    row = await session.scalar(
        select(PaymentMethod).where(
            PaymentMethod.id == method_id, PaymentMethod.user_id == user.id, PaymentMethod.is_active
        )
    )
    if row is None:
        raise NotFound("No such payment method.")
    return row


async def create(session: AsyncSession, box: SecretBox, user: User, data: PaymentMethodCreate) -> PaymentMethodOut:
    if data.is_default:
        await _clear_default(session, user)
    row = PaymentMethod(
        id=uuid.uuid4(),
        created_at=datetime.now(UTC),
        user_id=user.id,
        method_type=data.method_type,
        name=data.name,
        details={},
        external_id=data.external_id,
        is_default=data.is_default,
    )
    if data.account_identifier:
        _store_identifier(box, row, data.account_identifier)
    session.add(row)
    await session.flush()
    await session.refresh(row)
    return _out(row)


async def listing(session: AsyncSession, user: User) -> list[PaymentMethodOut]:
    rows = await session.scalars(
        select(PaymentMethod)
        .where(PaymentMethod.user_id == user.id, PaymentMethod.is_active)
        .order_by(PaymentMethod.is_default.desc(), PaymentMethod.created_at)
    )
    return [_out(row) for row in rows]


async def patch(
    session: AsyncSession, box: SecretBox, user: User, method_id: uuid.UUID, data: PaymentMethodPatch
) -> PaymentMethodOut:
    row = await active_method(session, user, method_id)
    if data.name is not None:
        row.name = data.name
    if data.account_identifier is not None:
        _store_identifier(box, row, data.account_identifier)
    if data.is_default is not None and data.is_default != row.is_default:
        if data.is_default:
            await _clear_default(session, user)
        row.is_default = data.is_default
    await session.flush()
    await session.refresh(row)
    return _out(row)


async def remove(session: AsyncSession, user: User, method_id: uuid.UUID) -> None:
    row = await active_method(session, user, method_id)
    row.is_active, row.is_default = False, False
    row.encrypted_details = None  # nothing to pay with any more: the secret need not be kept
    await session.flush()
