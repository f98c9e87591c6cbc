"""Notifications: preferences per type, the in-app copy at once over the user's socket, other channels held
through quiet hours and delivered when they end, a failing channel retried and logged, a push token the
provider rejects deactivated, digests as one message; push and SMS through fake FCM and Twilio servers."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from app.models import Notification, NotificationLog, UserDevice
from app.models.enums import DeliveryStatus, DeviceType
from app.services.notifications import delivery, expense_events, inapp, preferences
from app.services.notifications.preferences import PreferenceIn
from tests.factories import auth_headers, make_account
from tests.fakes.push_sms import FCM_TOKEN, TWILIO_SID, TWILIO_TOKEN, FakePushSms
from tests.fakes.server import serve_in_thread
from tests.test_chat import receive, socket

API = "/api/v1"


@pytest.fixture(scope="session")
def providers():  # type: ignore[no-untyped-def]
    fake = FakePushSms()
    with serve_in_thread(fake.app()) as base_url:
        fake.base_url = base_url
        yield fake


@pytest.fixture
def channels(settings, providers):  # type: ignore[no-untyped-def]
    providers.reset()
    settings.push_fcm_url, settings.push_fcm_project = providers.base_url, "expense-tracker-test"
    settings.push_fcm_token = SecretStr(FCM_TOKEN)
    settings.sms_twilio_url, settings.sms_twilio_sid = providers.base_url, TWILIO_SID
    settings.sms_twilio_token, settings.sms_from = SecretStr(TWILIO_TOKEN), "+15550000000"
    return settings, providers


async def person(session, **extra):  # type: ignore[no-untyped-def]
    user = await make_account(session, phone_number="+15551230000", **extra)
    session.add(UserDevice(user_id=user.id, device_token=f"fcm-token-{user.id}", device_type=DeviceType.ANDROID))
    await session.flush()
    return user


async def logs(session, notification_id) -> list[NotificationLog]:  # type: ignore[no-untyped-def]
    query = select(NotificationLog).where(NotificationLog.notification_id == notification_id)
    return list((await session.scalars(query.order_by(NotificationLog.created_at))).all())


async def test_preferences_api(client, session, settings) -> None:
    user = await make_account(session)
    headers = await auth_headers(session, settings, user)
    listed = (await client.get(f"{API}/notification-preferences", headers=headers)).json()
    budget = next(p for p in listed if p["notification_type"] == "budget_alert")
    assert budget["is_enabled"] and budget["delivery_methods"] == ["in_app"]  # more only when asked for
    body = {"delivery_methods": ["in_app", "sms"], "quiet_hours_start": "22:00", "quiet_hours_end": "07:00",
            "frequency_limit": "hourly_digest"}  # fmt: skip
    saved = await client.put(f"{API}/notification-preferences/budget_alert", json=body, headers=headers)
    assert saved.status_code == 200 and saved.json()["quiet_hours_end"] == "07:00:00"
    half = {"quiet_hours_start": "22:00"}
    assert (await client.put(f"{API}/notification-preferences/comment", json=half, headers=headers)).status_code == 422
    assert (await client.put(f"{API}/notification-preferences/nope", json={}, headers=headers)).status_code == 404
    off = await client.put(f"{API}/notification-preferences/friend_request", json={"is_enabled": False},
                           headers=headers)  # fmt: skip
    assert off.status_code == 200
    assert await inapp.notify(session, user.id, "friend_request", {"actor": "x"}) is None  # turned off: nothing


def test_quiet_hours_and_digests_schedule_in_local_time() -> None:
    quiet = preferences.PreferenceOut(notification_type="comment", description="", quiet_hours_start=time(22),
                                      quiet_hours_end=time(7))  # fmt: skip
    late = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    assert preferences.schedule(quiet, "UTC", late) == datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    assert preferences.schedule(quiet, "UTC", late.replace(hour=12)) == late.replace(hour=12)
    # 23:30 UTC is 08:30 in Tokyo: not quiet there.
    assert preferences.schedule(quiet, "Asia/Tokyo", late) == late
    hourly = quiet.model_copy(update={"frequency_limit": "hourly_digest", "quiet_hours_start": None,
                                      "quiet_hours_end": None})  # fmt: skip
    assert preferences.schedule(hourly, "UTC", late) == datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    daily = hourly.model_copy(update={"frequency_limit": "daily_digest"})
    assert preferences.schedule(daily, "UTC", late) == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


async def test_quiet_hours_hold_the_other_channels_not_the_in_app_copy(app, client, session, channels) -> None:
    settings, fake = channels
    user = await person(session)
    headers = await auth_headers(session, settings, user)
    now = datetime.now(UTC)
    start, end = (now - timedelta(hours=1)).time(), (now + timedelta(hours=1)).time()
    body = {"delivery_methods": ["in_app", "push", "sms"], "quiet_hours_start": start.strftime("%H:%M"),
            "quiet_hours_end": end.strftime("%H:%M")}  # fmt: skip
    await client.put(f"{API}/notification-preferences/friend_request", json=body, headers=headers)
    asker = await make_account(session)
    async with socket(app, headers) as phone:
        assert (await phone.receive_json())["type"] == "ready"
        sent = await client.post(f"{API}/friends/requests", json={"user_id": user.id},
                                 headers=await auth_headers(session, settings, asker))  # fmt: skip
        assert sent.status_code == 201, sent.text
        live = await receive(phone, "notification")  # the in-app copy, at once
    assert live["notification"]["title"] == f"{asker.username} wants to be your friend"
    note = (await session.scalars(select(Notification).where(Notification.user_id == user.id))).one()
    assert note.scheduled_for > now + timedelta(minutes=50) and not note.is_sent
    assert (await delivery.deliver_due(session, settings, datetime.now(UTC))).sent == 0  # still quiet
    assert fake.pushes == [] and fake.texts == []
    report = await delivery.deliver_due(session, settings, note.scheduled_for + timedelta(seconds=1))
    assert report.sent == 2 and note.is_sent
    assert fake.pushes[0]["token"] == f"fcm-token-{user.id}" and fake.texts[0]["To"] == "+15551230000"
    assert {(entry.delivery_method, entry.status) for entry in await logs(session, note.id)} == {
        ("push", DeliveryStatus.SENT), ("sms", DeliveryStatus.SENT)}  # fmt: skip


async def test_a_failing_channel_is_retried_and_logged_and_a_rejected_token_deactivated(session, channels) -> None:
    settings, fake = channels
    user = await person(session)
    await preferences.set_preference(session, user.id, "budget_alert",
                                     PreferenceIn(delivery_methods=["in_app", "push", "sms"]))  # fmt: skip
    fake.fail_next, fake.gone = 1, {f"fcm-token-{user.id}"}
    alert = {"budget": "Food", "category": "Groceries", "percent": "85.0", "spent": "85.00", "limit": "100.00",
             "currency": "USD", "start": "2026-12-01", "end": "2026-12-31"}  # fmt: skip
    note = await inapp.notify(session, user.id, "budget_alert", alert)
    assert note.title == "Food: Groceries at 85.0%"
    first = await delivery.deliver_due(session, settings, datetime.now(UTC))
    assert first.retried == 1 and first.failed == 1 and first.devices_deactivated == 1
    device = (await session.scalars(select(UserDevice).where(UserDevice.user_id == user.id))).one()
    assert device.is_active is False and not note.is_sent
    attempts = await logs(session, note.id)
    assert [(e.delivery_method, e.status, e.meta["retry"]) for e in attempts] == [
        ("push", DeliveryStatus.FAILED, False), ("sms", DeliveryStatus.FAILED, True)]  # fmt: skip
    assert "500" in attempts[1].error_message
    later = note.scheduled_for + timedelta(seconds=1)
    second = await delivery.deliver_due(session, settings, later)
    assert second.sent == 1 and note.is_sent and len(fake.texts) == 1
    sms = [e for e in await logs(session, note.id) if e.delivery_method == "sms"]
    assert [(e.status, e.retry_count) for e in sms] == [(DeliveryStatus.FAILED, 0), (DeliveryStatus.SENT, 1)]


async def test_a_digest_is_one_message(session, channels) -> None:
    settings, fake = channels
    user = await person(session)
    await preferences.set_preference(session, user.id, "settlement", PreferenceIn(
        delivery_methods=["in_app", "push"], frequency_limit="hourly_digest"))  # fmt: skip
    paid = {"actor": "pat", "action": "paid you", "currency": "USD", "hint": "Confirm it."}
    notes = [await inapp.notify(session, user.id, "settlement", {**paid, "amount": f"{n}.00"}) for n in range(3)]
    assert await delivery.deliver_due(session, settings, datetime.now(UTC)) == delivery.Report()  # not due yet
    report = await delivery.deliver_due(session, settings, notes[0].scheduled_for)
    assert report.sent == 3 and len(fake.pushes) == 1
    assert fake.pushes[0]["notification"]["title"] == "3 updates from Expense Tracker"
    assert all(n.is_sent for n in notes)


async def test_the_people_in_an_expense_hear_of_it_once(app, client, session, settings) -> None:
    from app import jobs
    from tests.test_budgets import foursome

    users, headers, group = await foursome(client, session, settings)
    created = await client.post(f"{API}/expenses", json={"title": "Pizza", "amount": "40.00", "group_id": group["id"]},
                                headers=headers[0])  # fmt: skip
    expense_id = created.json()["id"]
    await client.post(f"{API}/expenses/{expense_id}/comments", json={"comment": "Thanks!"}, headers=headers[2])
    events = [e for e in await jobs.event_batch(expense_events.STREAM, 1000) if e["expense_id"] == expense_id]
    assert [e["event"] for e in events] == ["added", "comment"]  # pushed after each commit, in order
    for event in events:
        assert await expense_events.notify_people(session, [event]) == 3
        assert await expense_events.notify_people(session, [event]) == 0  # handled twice: nothing new
    assert await expense_events.notify_people(session, events + events) == 0  # a batch with both, twice
    # The worker's drain handles the whole list (again: nothing new) and empties it.
    from tests.test_reports import sessions

    assert await expense_events.drain(sessions(session)) == 0
    assert await jobs.event_batch(expense_events.STREAM, 10) == []
    told = (await client.get(f"{API}/notifications", headers=headers[1])).json()["items"]
    assert [n["title"] for n in told] == [f"{users[2].username} commented on Pizza",
                                          f"{users[0].username} added you to Pizza"]  # fmt: skip
    assert told[1]["message"] == "Your share is 10.00 USD of 40.00 USD."
    assert (await client.get(f"{API}/notifications", headers=headers[0])).json()["items"][0]["notification_type"] \
        == "comment"  # fmt: skip


async def test_texts_come_from_the_templates_in_the_users_language(session, channels) -> None:
    from app.models import NotificationTemplate, UserPreferences

    settings, fake = channels
    user = await person(session)
    (await session.scalars(select(UserPreferences).where(UserPreferences.user_id == user.id))).one().locale = "fr-FR"
    await preferences.set_preference(session, user.id, "friend_request",
                                     PreferenceIn(delivery_methods=["in_app", "push"]))  # fmt: skip
    session.add(NotificationTemplate(name="friend_request.in_app.fr", notification_type="friend_request",
                                     template_type="in_app", subject="$actor veut être votre ami", body="$note",
                                     language="fr"))  # fmt: skip
    await session.flush()
    note = await inapp.notify(session, user.id, "friend_request", {"actor": "pat", "note": "Salut !"})
    assert (note.title, note.message) == ("pat veut être votre ami", "Salut !")
    # No French push template: the seeded English one, with the same variables.
    await delivery.deliver_due(session, settings, datetime.now(UTC))
    assert fake.pushes[0]["notification"] == {"title": "pat wants to be your friend", "body": "Salut !"}


async def test_e_mail_goes_over_smtp_from_its_template(session, channels) -> None:
    from tests.fakes.smtp import smtp_server

    settings, _ = channels
    user = await person(session)
    await preferences.set_preference(session, user.id, "recurring_expense",
                                     PreferenceIn(delivery_methods=["in_app", "email"]))  # fmt: skip
    note = await inapp.notify(session, user.id, "recurring_expense", {"title": "Gym", "count": 2,
                                                                        "dates": "2026-11-23, 2026-11-30"})  # fmt: skip
    with smtp_server() as (host, port, inbox):
        settings.smtp_host, settings.smtp_port, settings.smtp_security = host, port, "none"
        report = await delivery.deliver_due(session, settings, datetime.now(UTC))
    assert report.sent == 1 and note.is_sent
    message = inbox.messages[0]
    assert message["To"] == user.email and message["Subject"] == "Gym: 2 added"
    assert "Recurring expense made for 2026-11-23, 2026-11-30." in message.get_content()
    assert settings.public_url in message.get_content()
