"""Spending analytics, answered from the precomputed rows (see docs/analytics.md)."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter, Query

from app.db import SessionDep
from app.deps import CurrentUser
from app.models.enums import PeriodType
from app.services.analytics import service
from app.services.analytics.service import Categories, PatternsOut, Summary, Trends
from app.services.expenses.service import today_for

router = APIRouter(prefix="/analytics", tags=["analytics"])
Start = Query(default=None, description="Default: the first of the end date's month.")
End = Query(default=None, description="Default: today.")
GroupFilter = Query(default=None, description="A group of yours: its figures instead of your own.")


@router.get("/summary", response_model=Summary)
async def summary(
    user: CurrentUser, session: SessionDep, start: date | None = Start, end: date | None = End,
    group_id: uuid.UUID | None = GroupFilter,
) -> Summary:  # fmt: skip
    """Total, count, averages and the top five categories over the range: your own shares, or the group's."""
    return await service.summary(session, user, today_for(user), start, end, group_id)


@router.get("/trends", response_model=Trends)
async def trends(
    user: CurrentUser, session: SessionDep, period: PeriodType = PeriodType.MONTHLY,
    start: date | None = Query(default=None, description="Default: a year before the end."), end: date | None = End,
    group_id: uuid.UUID | None = GroupFilter,
) -> Trends:  # fmt: skip
    """Each day, week, month or year in the range with its change from the one before."""
    return await service.trends(session, user, today_for(user), period, start, end, group_id)


@router.get("/categories", response_model=Categories)
async def categories(
    user: CurrentUser, session: SessionDep, start: date | None = Start, end: date | None = End,
    group_id: uuid.UUID | None = GroupFilter,
) -> Categories:  # fmt: skip
    """Every category's total and share of the whole over the range."""
    return await service.categories(session, user, today_for(user), start, end, group_id)


@router.get("/patterns", response_model=PatternsOut)
async def patterns(user: CurrentUser, session: SessionDep) -> PatternsOut:
    """How you spend over the last year (analysed nightly)."""
    return await service.latest_patterns(session, user)
