"""Recurring expenses: rent, subscriptions, pocket money; made by the worker when due."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from app.db import SessionDep
from app.deps import CurrentUser
from app.idempotency import Once
from app.services.recurring import service
from app.services.recurring.schemas import RecurringCreate, RecurringOut, RecurringPatch

router = APIRouter(prefix="/recurring-expenses", tags=["expenses"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Set up a recurring expense")
async def create_recurring(data: RecurringCreate, user: CurrentUser, session: SessionDep, once: Once) -> RecurringOut:
    return await once(lambda: service.create(session, user, data))


@router.get("", summary="Active recurring expenses you set up or that belong to your groups")
async def list_recurring(user: CurrentUser, session: SessionDep) -> list[RecurringOut]:
    return await service.list_templates(session, user)


@router.get("/{recurring_id}", summary="One recurring expense")
async def get_recurring(recurring_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> RecurringOut:
    return await service.get(session, user, recurring_id)


@router.patch("/{recurring_id}", summary="Change, pause (paused_until) or end (end_date) a recurring expense")
async def patch_recurring(
    recurring_id: uuid.UUID, patch: RecurringPatch, user: CurrentUser, session: SessionDep
) -> RecurringOut:
    return await service.update(session, user, recurring_id, patch)


@router.delete("/{recurring_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Stop a recurring expense")
async def stop_recurring(recurring_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    await service.stop(session, user, recurring_id)
