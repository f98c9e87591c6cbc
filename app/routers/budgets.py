"""Budgets (your own or a group's), their status for the current period, suggestions from your spending,
and budget templates (see docs/budgets.md)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from app.db import SessionDep
from app.deps import CurrentUser, SettingsDep
from app.idempotency import Once
from app.services.budgets import service, suggest, templates
from app.services.budgets.schemas import (
    BudgetCreate,
    BudgetOut,
    BudgetPatch,
    BudgetStatus,
    FromTemplate,
    SuggestRequest,
    TemplateCreate,
    TemplateOut,
)

router = APIRouter(tags=["budgets"])


@router.post("/budgets", response_model=BudgetOut, status_code=status.HTTP_201_CREATED)
async def create_budget(body: BudgetCreate, user: CurrentUser, session: SessionDep, once: Once) -> BudgetOut:
    return await once(lambda: service.create(session, user, body))


@router.get("/budgets", response_model=list[BudgetOut])
async def list_budgets(
    user: CurrentUser, session: SessionDep, active: bool = Query(default=True, description="Only active ones.")
) -> list[BudgetOut]:
    """Your budgets and those of your groups."""
    return await service.list_budgets(session, user, active_only=active)


@router.post("/budgets/suggest", response_model=BudgetOut, status_code=status.HTTP_201_CREATED)
async def suggest_budget(
    body: SuggestRequest, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> BudgetOut:
    """A monthly budget from your last 3-6 full months of spending: by your AI provider if one is set up,
    else by averaging each category. Stored as `ai_suggested` with what it was made from."""
    return await suggest.suggest(session, settings, user, body)


@router.get("/budgets/{budget_id}", response_model=BudgetOut)
async def get_budget(budget_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> BudgetOut:
    return await service.get(session, user, budget_id)


@router.patch("/budgets/{budget_id}", response_model=BudgetOut)
async def update_budget(budget_id: uuid.UUID, body: BudgetPatch, user: CurrentUser, session: SessionDep) -> BudgetOut:
    return await service.update(session, user, budget_id, body)


@router.delete("/budgets/{budget_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_budget(budget_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Response:
    await service.remove(session, user, budget_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/budgets/{budget_id}/status", response_model=BudgetStatus)
async def budget_status(budget_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> BudgetStatus:
    """Spent against allocated, per category, in the current period; and where the period is heading."""
    return await service.status(session, user, budget_id)


@router.get("/budget-templates", response_model=list[TemplateOut])
async def list_templates(user: CurrentUser, session: SessionDep) -> list[TemplateOut]:
    """The system templates and your own, most used first."""
    return await templates.list_templates(session, user)


@router.post("/budget-templates", response_model=TemplateOut, status_code=status.HTTP_201_CREATED)
async def create_template(body: TemplateCreate, user: CurrentUser, session: SessionDep) -> TemplateOut:
    return await templates.create(session, user, body)


@router.get("/budget-templates/{template_id}", response_model=TemplateOut)
async def get_template(template_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> TemplateOut:
    return await templates.get(session, user, template_id)


@router.delete("/budget-templates/{template_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_template(template_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Response:
    await templates.remove(session, user, template_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


async def _usable_template(template_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    """Someone else's template is 404 before the body is looked at."""
    await templates.get(session, user, template_id)


@router.post("/budget-templates/{template_id}/budgets", response_model=BudgetOut, status_code=201)
async def budget_from_template(
    template_id: uuid.UUID,
    _: Annotated[None, Depends(_usable_template)],
    body: FromTemplate,
    user: CurrentUser,
    session: SessionDep,
) -> BudgetOut:
    """A budget of the template's shares of your income (less its savings share)."""
    return await templates.budget_from(session, user, template_id, body)
