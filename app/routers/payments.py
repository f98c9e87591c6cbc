"""Payment methods, payments against settlements, and the webhook payment providers call."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from app.db import SessionDep
from app.deps import CurrentUser, SettingsDep
from app.errors import PayloadTooLarge
from app.idempotency import Once
from app.services.payments import methods, service, webhooks
from app.services.payments.schemas import (
    PaymentCreate,
    PaymentMethodCreate,
    PaymentMethodOut,
    PaymentMethodPatch,
    PaymentOut,
    WebhookOut,
)
from app.services.settlements.service import visible_settlement

router = APIRouter(tags=["payments"])

WEBHOOK_MAX_BYTES = 1024 * 1024


async def settlement_visible(settlement_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    """A stranger's settlement is 404 before the body is even validated."""
    await visible_settlement(session, user, settlement_id)


@router.get("/payment-methods", summary="Your payment methods, the default first")
async def list_payment_methods(user: CurrentUser, session: SessionDep) -> list[PaymentMethodOut]:
    return await methods.listing(session, user)


@router.post("/payment-methods", status_code=status.HTTP_201_CREATED, summary="Add a payment method")
async def create_payment_method(
    data: PaymentMethodCreate,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    once: Once,
) -> PaymentMethodOut:
    return await once(lambda: methods.create(session, settings.secret_box(), user, data))


@router.patch("/payment-methods/{method_id}", summary="Rename, replace the account identifier, make default")
async def patch_payment_method(
    method_id: uuid.UUID, data: PaymentMethodPatch, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> PaymentMethodOut:
    return await methods.patch(session, settings.secret_box(), user, method_id, data)


@router.delete(
    "/payment-methods/{method_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Remove a payment method"
)
async def delete_payment_method(method_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Response:
    await methods.remove(session, user, method_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/settlements/{settlement_id}/payments",
    status_code=status.HTTP_201_CREATED,
    summary="Pay a settlement you owe: the method, the service and its transaction id",
)
async def create_payment(
    settlement_id: uuid.UUID,
    _visible: Annotated[None, Depends(settlement_visible)],
    data: PaymentCreate,
    user: CurrentUser,
    session: SessionDep,
    once: Once,
) -> PaymentOut:
    return await once(lambda: service.create(session, user, settlement_id, data))


@router.get("/settlements/{settlement_id}/payments", summary="The payments made against a settlement")
async def list_payments(settlement_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> list[PaymentOut]:
    return await service.listing(session, user, settlement_id)


@router.get("/payments/{payment_id}", summary="One payment")
async def get_payment(payment_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> PaymentOut:
    return await service.get(session, user, payment_id)


@router.post(
    "/payments/webhooks/{service_name}",
    summary="Events from a payment provider (signed in Stripe's scheme; no token)",
    responses={400: {"description": "Bad or missing signature; nothing was stored."}},
)
async def payment_webhook(
    service_name: str, request: Request, session: SessionDep, settings: SettingsDep
) -> WebhookOut:
    body = await request.body()
    if len(body) > WEBHOOK_MAX_BYTES:
        raise PayloadTooLarge("A webhook body may be at most 1 MB.")
    duplicate, outcome = await webhooks.receive(session, settings, service_name.lower(), request.headers, body)
    return WebhookOut(duplicate=duplicate, status=outcome.value)
