"""Each user's AI provider keys: stored Fernet-encrypted, shown only as hints, tested on request."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.errors import Unprocessable
from app.logging import get_logger
from app.models import AISettings, User
from app.models.enums import ParserProvider
from app.security import SecretBox, mask_secret
from app.services import audit
from app.services.ai.schemas import AISettingsOut, AISettingsPatch, ProviderOut
from app.services.audit import Action, ClientInfo

log = get_logger(__name__)

# API provider name -> the ai_settings column holding its key, and the parser provider it powers.
KEY_COLUMNS = {"openai": "openai_api_key", "anthropic": "anthropic_api_key", "gemini": "gemini_api_key"}
PARSER_FOR = {"openai": ParserProvider.OPENAI, "anthropic": ParserProvider.CLAUDE, "gemini": ParserProvider.GEMINI}


async def settings_row(session: AsyncSession, user: User, *, for_update: bool = False) -> AISettings:
    query = select(AISettings).where(AISettings.user_id == user.id)
    if for_update:
        query = query.with_for_update()
    row = await session.scalar(query)
    if row is None:
        row = AISettings(user_id=user.id)
        session.add(row)
        await session.flush()
        await session.refresh(row)
    return row


def decrypted_key(box: SecretBox, row: AISettings, provider: str) -> str | None:
    token = getattr(row, KEY_COLUMNS[provider])
    return box.decrypt(token) if token else None


def describe(box: SecretBox, row: AISettings) -> AISettingsOut:
    def provider(name: str, model: str) -> ProviderOut:
        try:
            key = decrypted_key(box, row, name)
            hint = mask_secret(key) if key else None
        except ValueError:
            key, hint = "", "(stored under a retired encryption key)"
        return ProviderOut(configured=key is not None, key_hint=hint, model=model)

    return AISettingsOut(
        openai=provider("openai", row.openai_model),
        anthropic=provider("anthropic", row.anthropic_model),
        gemini=provider("gemini", row.gemini_model),
        openai_base_url=row.openai_base_url,
        active_parser_provider=row.active_parser_provider,
        api_key_last_tested=row.api_key_last_tested,
        api_key_test_status=row.api_key_test_status,
    )


async def update(
    session: AsyncSession, settings: Settings, user: User, patch: AISettingsPatch, client: ClientInfo
) -> AISettingsOut:
    box = settings.secret_box()
    row = await settings_row(session, user, for_update=True)
    changes = patch.model_dump(exclude_unset=True, mode="json")
    changed_keys: dict[str, str] = {}
    for provider, column in KEY_COLUMNS.items():
        if column not in changes:
            continue
        value = changes.pop(column)
        setattr(row, column, box.encrypt(value) if value else None)
        changed_keys[provider] = "set" if value else "removed"
        # A new key has not been tested yet.
        row.api_key_test_status = {k: v for k, v in row.api_key_test_status.items() if k != provider}
    for name in ("openai_model", "anthropic_model", "gemini_model", "active_parser_provider"):
        if name in changes and changes[name] is None:
            raise Unprocessable(f"{name} cannot be empty.", field=name)
    for name, value in changes.items():
        setattr(row, name, value)
    _check_active_provider(row)
    if changed_keys:
        audit.record(session, Action.AI_KEY_CHANGE, user_id=user.id, client=client, changes=changed_keys)
    await session.flush()
    return describe(box, row)


def _check_active_provider(row: AISettings) -> None:
    active = row.active_parser_provider
    for provider, parser in PARSER_FOR.items():
        if active != parser:
            continue
        usable = getattr(row, KEY_COLUMNS[provider]) is not None or (provider == "openai" and row.openai_base_url)
        if not usable:
            raise Unprocessable(
                f"Add a {provider} key (or choose another provider) before making it the active parser.",
                field="active_parser_provider",
            )
