"""AI keys: encrypted at rest, never shown or logged, tested through the official SDKs, rotatable."""

from __future__ import annotations

import logging

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy import select, text

from app.db import Database
from app.models import AISettings
from app.security import SecretBox
from app.services.admin.rotation import rotate_all
from tests.factories import auth_headers, make_account
from tests.fakes.ai_providers import GOOD_KEYS

API = "/api/v1/ai-settings"


async def test_keys_are_encrypted_masked_and_never_logged(client, session, ai_settings, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    user = await make_account(session)
    headers = await auth_headers(session, ai_settings, user)
    patch = {
        "openai_api_key": GOOD_KEYS["openai"],
        "anthropic_api_key": GOOD_KEYS["anthropic"],
        "gemini_api_key": GOOD_KEYS["gemini"],
        "active_parser_provider": "claude",
        "gemini_model": "gemini-2.5-flash",
    }
    response = await client.patch(API, json=patch, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["openai"] == {"configured": True, "key_hint": "sk-...1234", "model": "gpt-4o-mini"}
    assert body["anthropic"]["key_hint"] == "sk-...5678" and body["active_parser_provider"] == "claude"
    assert body["gemini"]["model"] == "gemini-2.5-flash"

    raw = (
        await session.execute(
            text("SELECT openai_api_key, anthropic_api_key, gemini_api_key FROM ai_settings WHERE user_id = :u"),
            {"u": user.id},
        )
    ).one()
    for column, key in zip(raw, GOOD_KEYS.values(), strict=True):
        assert key.encode() not in bytes(column)
        assert SecretBox(ai_settings.fernet_keys()).decrypt(bytes(column)) == key

    tested = await client.post(f"{API}/test", headers=headers)
    assert tested.status_code == 200, tested.text
    results = tested.json()["results"]
    assert {name: result["ok"] for name, result in results.items()} == {
        "openai": True,
        "anthropic": True,
        "gemini": True,
    }
    assert results["openai"]["models_found"] == 2
    shown = (await client.get(API, headers=headers)).json()
    assert shown["api_key_last_tested"] and shown["api_key_test_status"]["gemini"]["ok"] is True

    everything = response.text + tested.text + (await client.get(API, headers=headers)).text + caplog.text
    for key in GOOD_KEYS.values():
        assert key not in everything
    activity = (await client.get("/api/v1/users/me/activity", headers=headers)).json()["items"]
    assert activity[0]["action"] == "ai_key_change"
    assert activity[0]["changes"] == {"openai": "set", "anthropic": "set", "gemini": "set"}


async def test_rejected_and_unreachable_keys_are_reported_per_provider(client, session, ai_settings) -> None:
    user = await make_account(session)
    headers = await auth_headers(session, ai_settings, user)
    wrong = "sk-wrong-key-000000000000"
    await client.patch(API, json={"openai_api_key": wrong, "gemini_api_key": "AIza-wrong-key-000000"}, headers=headers)
    ai_settings.anthropic_base_url = "http://127.0.0.1:1"
    await client.patch(API, json={"anthropic_api_key": GOOD_KEYS["anthropic"]}, headers=headers)
    results = (await client.post(f"{API}/test", headers=headers)).json()["results"]
    assert results["openai"] == {**results["openai"], "ok": False, "detail": "The provider rejected the key."}
    assert results["gemini"]["ok"] is False and "400" in results["gemini"]["detail"]
    assert results["anthropic"]["ok"] is False and "Could not reach" in results["anthropic"]["detail"]
    assert wrong not in str(results)


async def test_removing_keys_and_choosing_a_provider_without_one(client, session, ai_settings) -> None:
    user = await make_account(session)
    headers = await auth_headers(session, ai_settings, user)
    no_key = await client.patch(API, json={"active_parser_provider": "gemini"}, headers=headers)
    assert no_key.status_code == 422 and "Add a gemini key" in no_key.json()["detail"]
    await client.patch(API, json={"openai_api_key": GOOD_KEYS["openai"]}, headers=headers)
    removed = await client.patch(API, json={"openai_api_key": None}, headers=headers)
    assert removed.json()["openai"] == {"configured": False, "key_hint": None, "model": "gpt-4o-mini"}
    nothing = await client.post(f"{API}/test", headers=headers)
    assert nothing.status_code == 422 and "no AI provider key" in nothing.json()["detail"]
    local = await client.patch(
        API, json={"openai_base_url": "http://127.0.0.1:11434/v1", "active_parser_provider": "openai"}, headers=headers
    )
    assert local.status_code == 200 and local.json()["openai_base_url"] == "http://127.0.0.1:11434/v1"


async def test_rotate_keys_reencrypts_every_secret_under_the_new_key(database_url, ai_settings) -> None:
    old_key = ai_settings.encryption_keys.get_secret_value()
    old_box = SecretBox([old_key.encode()])
    database = Database(database_url)
    try:
        async with database.session() as session:
            user = await make_account(session)
            session.add(AISettings(user_id=user.id, openai_api_key=old_box.encrypt("sk-secret-to-rotate-1")))
        new_key = Fernet.generate_key()
        rotated = ai_settings.model_copy(update={"encryption_keys": SecretStr(f"{new_key.decode()},{old_key}")})
        counts = await rotate_all(database, rotated.secret_box())
        assert counts["ai_settings"] >= 1
        async with database.session() as session:
            stored = await session.scalar(select(AISettings.openai_api_key).where(AISettings.user_id == user.id))
            assert SecretBox([new_key]).decrypt(stored) == "sk-secret-to-rotate-1"  # the new key alone reads it
            with pytest.raises(ValueError, match="no longer configured"):
                old_box.decrypt(stored)
            await session.delete(await session.get(type(user), user.id))
    finally:
        await database.dispose()
