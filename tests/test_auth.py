"""Registration, verification e-mail over real SMTP, sign-in, lockout, rate limits, token rotation, passwords."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from app.config import Settings
from app.models import ActivityLog, NotificationLog, RefreshToken, User
from app.services.notifications.email import DELIVER_EMAIL_JOB, Delivery, deliver_email_now
from tests.conftest import queued_jobs
from tests.factories import TEST_PASSWORD, auth_headers, make_account
from tests.fakes.smtp import smtp_server

API = "/api/v1"
NEW_USER = {"email": "Ada@Example.org", "username": "ada", "password": "analytical engine 1843", "first_name": "Ada"}


async def deliver_queued_emails(app, session, settings: Settings, **smtp) -> list[Delivery]:  # type: ignore[no-untyped-def]
    """Run the e-mail jobs the app queued, as the worker would, against `smtp` settings."""
    mail_settings = settings.model_copy(update=smtp)
    outcomes = []
    for job in await queued_jobs(app):
        if job.function == DELIVER_EMAIL_JOB:
            log_id, to, subject, body = job.args
            outcomes.append(
                await deliver_email_now(session, mail_settings, uuid.UUID(log_id), to, subject, body, last_try=False)
            )
    await app.state.redis.flushdb()
    return outcomes


def token_from(body: str) -> str:
    return body.split("code in the app: ")[1].split()[0]


async def login(client: httpx.AsyncClient, login_name: str, password: str = TEST_PASSWORD) -> httpx.Response:
    return await client.post(f"{API}/auth/login", json={"login": login_name, "password": password})


def bearer(tokens: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def test_register_sends_a_verification_email_over_smtp(client, app, session, settings) -> None:
    response = await client.post(f"{API}/auth/register", json=NEW_USER)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["email"] == "ada@example.org" and created["is_verified"] is False
    assert "password" not in response.text

    with smtp_server() as (host, port, inbox):
        outcomes = await deliver_queued_emails(
            app, session, settings, smtp_host=host, smtp_port=port, smtp_security="none"
        )
    assert outcomes == [Delivery.SENT]
    [message] = inbox.messages
    assert message["To"] == "ada@example.org"
    assert message["Subject"] == "Confirm your e-mail address"
    body = message.get_content()
    assert "Hello Ada" in body and "http://localhost:8000/verify-email?token=" in body
    log_row = await session.scalar(select(NotificationLog).where(NotificationLog.recipient == "ada@example.org"))
    assert log_row is not None and log_row.status == "sent" and log_row.sent_at is not None

    assert (await client.post(f"{API}/auth/verify-email", json={"token": token_from(body)})).status_code == 200
    again = await client.post(f"{API}/auth/verify-email", json={"token": token_from(body)})
    assert again.status_code == 400 and "already used" in again.json()["detail"]

    tokens = (await login(client, "ADA", NEW_USER["password"])).json()
    me = await client.get(f"{API}/users/me", headers=bearer(tokens))
    assert me.json()["is_verified"] is True


async def test_without_smtp_the_email_goes_to_the_logs(client, app, session, settings, caplog) -> None:
    await client.post(f"{API}/auth/register", json=NEW_USER)
    caplog.set_level("INFO")
    assert await deliver_queued_emails(app, session, settings, smtp_host=None) == [Delivery.LOGGED]
    entry = await session.scalar(select(NotificationLog).where(NotificationLog.recipient == "ada@example.org"))
    assert entry is not None and entry.status == "skipped"
    assert "verify-email?token=" in entry.meta["body"]
    assert "email_not_sent_no_smtp" in caplog.text and "verify-email?token=" in caplog.text


async def test_an_unreachable_smtp_server_is_retried(client, app, session, settings) -> None:
    await client.post(f"{API}/auth/register", json=NEW_USER)
    outcomes = await deliver_queued_emails(
        app, session, settings, smtp_host="127.0.0.1", smtp_port=1, smtp_security="none", smtp_timeout_seconds=2
    )
    assert outcomes == [Delivery.RETRY]
    entry = await session.scalar(select(NotificationLog).where(NotificationLog.recipient == "ada@example.org"))
    assert entry is not None and entry.status == "pending" and entry.retry_count == 1 and entry.error_message


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"password": "short"}, "at least 10 characters"),
        ({"password": "ada"}, "at least 10 characters"),
        ({"username": "adalovelace", "password": "AdaLovelace"}, "must not be the username"),
        ({"email": "lovelace1815@example.org", "password": "lovelace1815"}, "must not be the e-mail"),
        ({"timezone": "Mars/Olympus"}, "IANA time zone"),
        ({"preferred_currency": "XYZ"}, "not an active currency"),
        ({"email": "not-an-email"}, "email"),
        ({"username": "a b"}, "username"),
    ],
)
async def test_registration_problems_are_clear_422s(client, change, message) -> None:
    response = await client.post(f"{API}/auth/register", json={**NEW_USER, **change})
    assert response.status_code == 422, response.text
    assert message in response.json()["detail"]


async def test_email_and_username_are_unique_ignoring_case(client) -> None:
    assert (await client.post(f"{API}/auth/register", json=NEW_USER)).status_code == 201
    same_email = await client.post(f"{API}/auth/register", json={**NEW_USER, "username": "other"})
    assert same_email.status_code == 409 and "e-mail" in same_email.json()["detail"]
    same_name = await client.post(
        f"{API}/auth/register", json={**NEW_USER, "email": "x@example.org", "username": "ADA"}
    )
    assert same_name.status_code == 409 and "username" in same_name.json()["detail"]


async def test_login_by_json_or_oauth2_form(client, session) -> None:
    user = await make_account(session)
    by_email = await login(client, user.email.upper())
    assert by_email.status_code == 200
    body = by_email.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 15 * 60
    form = await client.post(f"{API}/auth/login", data={"username": user.username, "password": TEST_PASSWORD})
    assert form.status_code == 200 and form.json()["access_token"]
    assert (await session.get(User, user.id)).last_login_ip is not None  # type: ignore[union-attr]
    bad = await client.post(f"{API}/auth/login", json={"login": user.username})
    assert bad.status_code == 422 and "password" in bad.json()["detail"]


async def test_six_wrong_passwords_lock_the_account_until_it_expires(client, session) -> None:
    user = await make_account(session)
    user_id = user.id
    answers = [await login(client, user.username, "wrong password!") for _ in range(5)]
    assert [a.status_code for a in answers] == [401, 401, 401, 401, 423]
    assert answers[0].json()["attempts_remaining"] == 4
    sixth = await login(client, user.username)  # the right password, still refused
    assert sixth.status_code == 423
    assert "locked until" in sixth.json()["detail"] and sixth.json()["locked_until"]
    assert int(sixth.headers["Retry-After"]) > 14 * 60

    actions = list(await session.scalars(select(ActivityLog.action).where(ActivityLog.user_id == user_id)))
    assert actions.count("login_failed") == 4 and actions.count("lockout") == 1

    locked = await session.get(User, user_id)
    assert locked is not None
    locked.account_locked_until = datetime.now(UTC) - timedelta(seconds=1)  # fifteen minutes later
    await session.flush()
    assert (await login(client, user.username)).status_code == 200
    assert (await session.get(User, user_id)).failed_login_attempts == 0  # type: ignore[union-attr]


async def test_a_success_resets_the_failure_count(client, session) -> None:
    user = await make_account(session)
    for _ in range(4):
        await login(client, user.username, "wrong password!")
    assert (await login(client, user.username)).status_code == 200
    assert (await login(client, user.username, "wrong password!")).json()["attempts_remaining"] == 4


async def test_unknown_login_is_the_same_401(client) -> None:
    response = await login(client, "nobody-here")
    assert response.status_code == 401 and response.json()["detail"] == "The login or password is wrong."


async def test_rate_limit_per_address_answers_429_with_retry_after(client, settings) -> None:
    settings.auth_rate_limit_per_minute = 3
    # The limit counts per clock minute: start well inside one, so the window cannot roll over mid-test.
    if time.time() % 60 > 50:
        await asyncio.sleep(61 - time.time() % 60)
    codes = [(await login(client, "nobody-here")).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    limited = await login(client, "nobody-here")
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert "Too many attempts" in limited.json()["detail"]
    # Other actions have their own counters.
    reset = await client.post(f"{API}/auth/password-reset", json={"email": "x@example.org"})
    assert reset.status_code == 202


async def test_refresh_rotates_and_reuse_revokes_the_family(client, session) -> None:
    user = await make_account(session)
    user_id, username = user.id, user.username  # a failed request rolls back and expires loaded rows
    first = (await login(client, username)).json()
    second = (await client.post(f"{API}/auth/refresh", json={"refresh_token": first["refresh_token"]})).json()
    assert second["refresh_token"] != first["refresh_token"]
    third = (await client.post(f"{API}/auth/refresh", json={"refresh_token": second["refresh_token"]})).json()
    assert (await client.get(f"{API}/users/me", headers=bearer(third))).status_code == 200

    reused = await client.post(f"{API}/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401 and "already used" in reused.json()["detail"]
    assert reused.headers["WWW-Authenticate"] == "Bearer"
    # The newest token of the family is dead too, and so is its access token.
    newest = await client.post(f"{API}/auth/refresh", json={"refresh_token": third["refresh_token"]})
    assert newest.status_code == 401
    assert (await client.get(f"{API}/users/me", headers=bearer(third))).status_code == 401
    revoked = await session.scalars(select(RefreshToken.revoked_reason).where(RefreshToken.user_id == user_id))
    assert set(revoked) == {"reuse"}
    # Another session of the same user is untouched.
    assert (await login(client, username)).status_code == 200


async def test_logout_ends_the_session_and_its_access_tokens(client, session) -> None:
    user = await make_account(session)
    tokens = (await login(client, user.username)).json()
    other = (await login(client, user.username)).json()
    assert (await client.post(f"{API}/auth/logout", headers=bearer(tokens))).status_code == 204
    assert (await client.get(f"{API}/users/me", headers=bearer(tokens))).status_code == 401
    refreshed = await client.post(f"{API}/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401
    assert (await client.get(f"{API}/users/me", headers=bearer(other))).status_code == 200
    everywhere = await client.post(f"{API}/auth/logout", headers=bearer(other), json={"all_sessions": True})
    assert everywhere.status_code == 204
    assert (await client.get(f"{API}/users/me", headers=bearer(other))).status_code == 401


async def test_bad_tokens_get_401_with_www_authenticate(client, settings) -> None:
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic abc"}):
        response = await client.get(f"{API}/users/me", headers=headers)
        assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"
    from app.security import create_access_token

    expired = create_access_token(
        1, uuid.uuid4(), secret=settings.secret_key.get_secret_value(), lifetime=timedelta(seconds=-1)
    )
    response = await client.get(f"{API}/users/me", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401 and "expired" in response.json()["detail"]


async def test_password_reset_never_tells_and_signs_everyone_out(client, app, session, settings) -> None:
    user = await make_account(session)
    username, email = user.username, user.email  # a failed request rolls back and expires loaded rows
    tokens = (await login(client, username)).json()
    unknown = await client.post(f"{API}/auth/password-reset", json={"email": "nobody@example.org"})
    known = await client.post(f"{API}/auth/password-reset", json={"email": email})
    assert unknown.status_code == known.status_code == 202 and unknown.json() == known.json()

    with smtp_server() as (host, port, inbox):
        await deliver_queued_emails(app, session, settings, smtp_host=host, smtp_port=port, smtp_security="none")
    [message] = inbox.messages
    assert message["To"] == email and message["Subject"] == "Reset your password"
    token = token_from(message.get_content())

    weak = await client.post(f"{API}/auth/password-reset/confirm", json={"token": token, "new_password": "short"})
    assert weak.status_code == 422
    new_password = "a brand new password"
    done = await client.post(f"{API}/auth/password-reset/confirm", json={"token": token, "new_password": new_password})
    assert done.status_code == 200
    assert (await client.get(f"{API}/users/me", headers=bearer(tokens))).status_code == 401
    again = await client.post(f"{API}/auth/password-reset/confirm", json={"token": token, "new_password": new_password})
    assert again.status_code == 400
    assert (await login(client, username)).status_code == 401
    assert (await login(client, username, new_password)).status_code == 200


async def test_change_password_keeps_this_session_only(client, session) -> None:
    user = await make_account(session)
    mine = (await login(client, user.username)).json()
    elsewhere = (await login(client, user.username)).json()
    wrong = await client.post(
        f"{API}/auth/password",
        headers=bearer(mine),
        json={"current_password": "not it at all", "new_password": "another long password"},
    )
    assert wrong.status_code == 422 and "current password is wrong" in wrong.json()["detail"]
    changed = await client.post(
        f"{API}/auth/password",
        headers=bearer(mine),
        json={"current_password": TEST_PASSWORD, "new_password": "another long password"},
    )
    assert changed.status_code == 200
    assert (await client.get(f"{API}/users/me", headers=bearer(mine))).status_code == 200
    assert (await client.get(f"{API}/users/me", headers=bearer(elsewhere))).status_code == 401


async def test_security_events_are_in_my_activity_log(client, session) -> None:
    user = await make_account(session)
    await login(client, user.username, "wrong password!")
    tokens = (await login(client, user.username)).json()
    page = (await client.get(f"{API}/users/me/activity", params={"limit": 1}, headers=bearer(tokens))).json()
    assert [item["action"] for item in page["items"]] == ["login"]
    assert page["items"][0]["ip_address"] == "127.0.0.1"
    rest = await client.get(f"{API}/users/me/activity", params={"cursor": page["next_cursor"]}, headers=bearer(tokens))
    assert [item["action"] for item in rest.json()["items"]] == ["login_failed"]
    assert rest.json()["next_cursor"] is None
    bad = await client.get(f"{API}/users/me/activity", params={"cursor": "garbage"}, headers=bearer(tokens))
    assert bad.status_code == 400


async def test_resend_verification_only_when_needed(client, app, session, settings) -> None:
    user = await make_account(session)
    headers = await auth_headers(session, settings, user)
    sent = await client.post(f"{API}/auth/verify-email/resend", headers=headers)
    assert sent.status_code == 202 and user.email in sent.json()["detail"]
    assert [job.function for job in await queued_jobs(app)] == [DELIVER_EMAIL_JOB]
    user.is_verified = True
    await session.flush()
    already = await client.post(f"{API}/auth/verify-email/resend", headers=headers)
    assert already.status_code == 202 and "already confirmed" in already.json()["detail"]
