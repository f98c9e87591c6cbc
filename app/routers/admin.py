"""Administrators only: system configuration, currencies and exchange rates, roles."""

from __future__ import annotations

from fastapi import APIRouter, Path, status

from app.db import SessionDep
from app.deps import AdminUser, ClientDep, SettingsDep
from app.errors import BadGateway, Unprocessable
from app.services.admin import service
from app.services.admin.schemas import (
    ConfigurationIn,
    ConfigurationOut,
    CurrencyCreate,
    CurrencyPatch,
    RatesOut,
    RoleIn,
)
from app.services.reference import rates
from app.services.reference.schemas import CurrencyOut
from app.services.users.cards import card
from app.services.users.schemas import UserCard

router = APIRouter(prefix="/admin", tags=["admin"])

ConfigKey = Path(pattern=service.CONFIG_KEY_PATTERN, description="Lower-case, dots and underscores.")


@router.get("/configurations", summary="Every system configuration value (sensitive ones masked)")
async def list_configurations(admin: AdminUser, session: SessionDep) -> list[ConfigurationOut]:
    return await service.list_configurations(session)


@router.put("/configurations/{key}", summary="Set a configuration value")
async def put_configuration(
    admin: AdminUser,
    session: SessionDep,
    settings: SettingsDep,
    client: ClientDep,
    data: ConfigurationIn,
    key: str = ConfigKey,
) -> ConfigurationOut:
    return await service.put_configuration(session, settings, admin, key, data, client)


@router.delete("/configurations/{key}", status_code=status.HTTP_204_NO_CONTENT, summary="Remove a value")
async def delete_configuration(admin: AdminUser, session: SessionDep, client: ClientDep, key: str = ConfigKey) -> None:
    await service.delete_configuration(session, admin, key, client)


@router.post("/currencies", status_code=status.HTTP_201_CREATED, summary="Add a currency")
async def create_currency(
    data: CurrencyCreate, admin: AdminUser, session: SessionDep, client: ClientDep
) -> CurrencyOut:
    return await service.create_currency(session, admin, data, client)


@router.post("/currencies/refresh-rates", summary="Fetch exchange rates from EXCHANGE_RATES_URL now")
async def refresh_rates(_: AdminUser, session: SessionDep, settings: SettingsDep) -> RatesOut:
    if not settings.exchange_rates_url:
        raise Unprocessable("No rates provider is configured: set EXCHANGE_RATES_URL, or set rates by hand.")
    try:
        update = await rates.refresh(session, settings)
    except rates.RatesError as error:
        raise BadGateway(f"Exchange rates were not changed: {error}.") from None
    return RatesOut(updated=update.updated, unknown_to_provider=update.unknown_to_provider)


@router.patch("/currencies/{code}", summary="Change a currency: exchange rate, symbol, active")
async def update_currency(
    code: str, patch: CurrencyPatch, admin: AdminUser, session: SessionDep, client: ClientDep
) -> CurrencyOut:
    return await service.update_currency(session, admin, code, patch, client)


@router.put("/users/{user_id}/role", summary="Make someone a user, premium user or administrator")
async def set_role(user_id: int, data: RoleIn, admin: AdminUser, session: SessionDep, client: ClientDep) -> UserCard:
    return card(await service.set_role(session, admin, user_id, data.role, client))
