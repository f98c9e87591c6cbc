"""Your AI provider keys and models."""

from __future__ import annotations

from fastapi import APIRouter

from app.db import SessionDep
from app.deps import ClientDep, CurrentUser, SettingsDep
from app.services.ai import keys
from app.services.ai.schemas import AISettingsOut, AISettingsPatch, AITestOut

router = APIRouter(prefix="/ai-settings", tags=["ai-settings"])


@router.get("", summary="Your AI providers: which keys are set (never the keys), models, active parser")
async def get_ai_settings(user: CurrentUser, session: SessionDep, settings: SettingsDep) -> AISettingsOut:
    return keys.describe(settings.secret_box(), await keys.settings_row(session, user))


@router.patch("", summary="Store or remove keys, pick models and the active parser (only the fields you send)")
async def patch_ai_settings(
    patch: AISettingsPatch, user: CurrentUser, session: SessionDep, settings: SettingsDep, client: ClientDep
) -> AISettingsOut:
    return await keys.update(session, settings, user, patch, client)


@router.post("/test", summary="Check each stored key with one cheap call to its provider")
async def test_ai_settings(user: CurrentUser, session: SessionDep, settings: SettingsDep) -> AITestOut:
    # Imported here: the three SDKs take seconds and tens of megabytes to load, and most servers never test a key.
    from app.services.ai import key_test

    return await key_test.test_keys(session, settings, user)
