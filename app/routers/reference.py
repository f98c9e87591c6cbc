"""Reference data every client needs before anything else: currencies, countries, categories."""

from __future__ import annotations

from fastapi import APIRouter, Query

from app.db import SessionDep
from app.services.reference import queries
from app.services.reference.schemas import CategoryOut, CountryOut, CurrencyOut

router = APIRouter(tags=["reference"])


@router.get("/currencies", summary="ISO 4217 currencies with their minor units")
async def list_currencies(
    session: SessionDep,
    include_inactive: bool = Query(default=False, description="Also list disabled currencies."),
) -> list[CurrencyOut]:
    return await queries.list_currencies(session, include_inactive=include_inactive)


@router.get("/countries", summary="ISO 3166 countries with currency and calling code")
async def list_countries(session: SessionDep) -> list[CountryOut]:
    return await queries.list_countries(session)


@router.get("/categories/defaults", summary="The default category tree")
async def default_categories(session: SessionDep) -> list[CategoryOut]:
    return await queries.category_tree(session)
