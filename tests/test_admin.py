"""Administrator endpoints: configuration (sensitive values encrypted and masked), currencies, roles."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from app.models import ActivityLog, Currency, SystemConfiguration
from app.models.enums import UserRole
from app.security import SecretBox
from tests.factories import auth_headers, make_account

API = "/api/v1/admin"


async def admin_headers(session, settings):  # type: ignore[no-untyped-def]
    admin = await make_account(session, role=UserRole.ADMIN)
    return admin, await auth_headers(session, settings, admin)


async def test_sensitive_configuration_is_encrypted_and_masked(client, session, settings) -> None:
    _, headers = await admin_headers(session, settings)
    secret = "smtp-relay-password-123"
    put = await client.put(
        f"{API}/configurations/mail.relay_password", json={"value": secret, "is_sensitive": True}, headers=headers
    )
    assert put.status_code == 200 and put.json()["value"] == "********"
    stored = await session.scalar(select(SystemConfiguration).where(SystemConfiguration.key == "mail.relay_password"))
    assert stored is not None and secret not in stored.value
    assert SecretBox(settings.fernet_keys()).decrypt(stored.value.encode()) == secret
    listed = await client.get(f"{API}/configurations", headers=headers)
    assert secret not in listed.text
    audit = await session.scalar(select(ActivityLog).where(ActivityLog.object_id == "mail.relay_password"))
    assert audit is not None and audit.changes == {"value": "********"}

    typed = await client.put(
        f"{API}/configurations/limits.max_group_size", json={"value": "lots", "data_type": "integer"}, headers=headers
    )
    assert typed.status_code == 422 and "not a valid integer" in typed.json()["detail"]
    assert (await client.delete(f"{API}/configurations/limits.nothing", headers=headers)).status_code == 404


async def test_currency_rates_and_new_currencies(client, session, settings) -> None:
    _, headers = await admin_headers(session, settings)
    rate = await client.patch(f"{API}/currencies/eur", json={"exchange_rate_to_usd": "1.0842"}, headers=headers)
    assert rate.status_code == 200 and rate.json()["exchange_rate_to_usd"] == "1.0842"
    assert (await session.scalar(select(Currency.exchange_rate_to_usd).where(Currency.code == "EUR"))) == Decimal(
        "1.0842"
    )
    negative = await client.patch(f"{API}/currencies/EUR", json={"exchange_rate_to_usd": "-1"}, headers=headers)
    assert negative.status_code == 422
    created = await client.post(
        f"{API}/currencies",
        json={"code": "XTS", "name": "Test units", "symbol": "T", "decimal_places": 3},
        headers=headers,
    )
    assert created.status_code == 201
    again = await client.post(f"{API}/currencies", json={"code": "XTS", "name": "x", "symbol": "x"}, headers=headers)
    assert again.status_code == 409


async def test_role_changes_are_audited_for_both_people(client, session, settings) -> None:
    admin, headers = await admin_headers(session, settings)
    user = await make_account(session)
    user_headers = await auth_headers(session, settings, user)
    assert (await client.get(f"{API}/configurations", headers=user_headers)).status_code == 403
    changed = await client.put(f"{API}/users/{user.id}/role", json={"role": "admin"}, headers=headers)
    assert changed.status_code == 200
    # The new role applies at once: the next request loads the user again.
    assert (await client.get(f"{API}/configurations", headers=user_headers)).status_code == 200
    mine = (await client.get("/api/v1/users/me/activity", headers=user_headers)).json()["items"]
    assert mine[0]["action"] == "role_change" and mine[0]["changes"] == {"from": "user", "to": "admin"}
    self_demote = await client.put(f"{API}/users/{admin.id}/role", json={"role": "user"}, headers=headers)
    assert self_demote.status_code == 422
