"""Payments between people: record, confirm, cancel, list."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, status

from app.db import SessionDep
from app.deps import CurrentUser
from app.idempotency import Once
from app.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from app.services.settlements import service
from app.services.settlements.schemas import SettlementCreate, SettlementOut

router = APIRouter(prefix="/settlements", tags=["settlements"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Record a payment you made or received")
async def record_settlement(
    data: SettlementCreate, user: CurrentUser, session: SessionDep, once: Once
) -> SettlementOut:
    return await once(lambda: service.record(session, user, data))


@router.get("", summary="Payments you made, received, or that happened in your groups, newest first")
async def list_settlements(
    user: CurrentUser,
    session: SessionDep,
    group_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> Page[SettlementOut]:
    items, next_cursor = await service.page(session, user, group_id=group_id, cursor=cursor, limit=limit)
    return Page[SettlementOut](items=items, next_cursor=next_cursor)


@router.get("/{settlement_id}", summary="One payment")
async def get_settlement(settlement_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> SettlementOut:
    return await service.get(session, user, settlement_id)


@router.post("/{settlement_id}/confirm", summary="Confirm your side; with both sides it completes")
async def confirm_settlement(settlement_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> SettlementOut:
    return await service.confirm(session, user, settlement_id)


@router.post("/{settlement_id}/cancel", summary="Cancel a pending payment")
async def cancel_settlement(settlement_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> SettlementOut:
    return await service.cancel(session, user, settlement_id)
