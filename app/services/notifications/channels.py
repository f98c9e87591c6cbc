"""The channels beyond the app: e-mail over SMTP, push through Firebase Cloud Messaging's HTTP v1 API, SMS
through Twilio's Messages API. Each send answers an Outcome: sent (with the provider's id), retry later
(the provider or the network is down, or rate limited), or failed for good (the address is wrong); a push
token the provider no longer knows is reported so the device can be deactivated.

Without configuration a channel is skipped with a reason (logged on the notification's log row), never an
error: a self-hosted install may have no SMS account.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiosmtplib
import httpx

from app.config import Settings
from app.logging import get_logger
from app.services.notifications.email import smtp_send

log = get_logger(__name__)


@dataclass(frozen=True)
class Outcome:
    status: str  # sent, retry, failed, skipped
    detail: str = ""
    external_id: str | None = None
    token_gone: bool = False


async def send_email(settings: Settings, to: str | None, subject: str, body: str) -> Outcome:
    if not to:
        return Outcome("failed", "the user has no e-mail address")
    if not settings.smtp_host:
        log.info("email_not_sent_no_smtp", to=to, subject=subject)
        return Outcome("skipped", "SMTP is not configured; the message was written to the logs instead")
    try:
        await smtp_send(settings, to, subject, body)
    except (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPSenderRefused) as error:
        return Outcome("failed", f"{type(error).__name__}: {error}"[:500])
    except (aiosmtplib.SMTPException, OSError) as error:
        return Outcome("retry", f"{type(error).__name__}: {error}"[:500])
    return Outcome("sent")


async def send_push(settings: Settings, token: str, title: str, body: str, data: dict[str, str]) -> Outcome:
    """FCM HTTP v1: POST /v1/projects/{project}/messages:send with a bearer token."""
    if not settings.push_fcm_project or not settings.push_fcm_token:
        return Outcome("skipped", "push is not configured (PUSH_FCM_PROJECT, PUSH_FCM_TOKEN)")
    url = f"{settings.push_fcm_url.rstrip('/')}/v1/projects/{settings.push_fcm_project}/messages:send"
    message = {"message": {"token": token, "notification": {"title": title, "body": body[:1000]}, "data": data}}
    headers = {"Authorization": f"Bearer {settings.push_fcm_token.get_secret_value()}"}
    try:
        async with httpx.AsyncClient(timeout=settings.notification_timeout_seconds) as client:
            reply = await client.post(url, json=message, headers=headers)
    except httpx.HTTPError as error:
        return Outcome("retry", f"FCM could not be reached ({type(error).__name__})")
    if reply.status_code == 200:
        return Outcome("sent", external_id=str(reply.json().get("name", "")) or None)
    error = _error_of(reply)
    codes = {d.get("errorCode") for d in error.get("details", []) if isinstance(d, dict)}
    if reply.status_code == 404 or "UNREGISTERED" in codes:
        return Outcome("failed", "FCM no longer knows this device token", token_gone=True)
    if reply.status_code == 429 or reply.status_code >= 500:
        return Outcome("retry", f"FCM answered {reply.status_code}")
    return Outcome("failed", f"FCM answered {reply.status_code}: {error.get('message', '')}"[:500],
                   token_gone="INVALID_ARGUMENT" in codes or error.get("status") == "INVALID_ARGUMENT")  # fmt: skip


async def send_sms(settings: Settings, to: str | None, body: str) -> Outcome:
    """Twilio: POST /2010-04-01/Accounts/{sid}/Messages.json, basic auth, form fields To, From, Body."""
    if not to:
        return Outcome("failed", "the user has no phone number")
    if not settings.sms_twilio_sid or not settings.sms_twilio_token or not settings.sms_from:
        return Outcome("skipped", "SMS is not configured (SMS_TWILIO_SID, SMS_TWILIO_TOKEN, SMS_FROM)")
    sid = settings.sms_twilio_sid
    url = f"{settings.sms_twilio_url.rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json"
    try:
        async with httpx.AsyncClient(timeout=settings.notification_timeout_seconds) as client:
            reply = await client.post(url, data={"To": to, "From": settings.sms_from, "Body": body[:1600]},
                                      auth=(sid, settings.sms_twilio_token.get_secret_value()))  # fmt: skip
    except httpx.HTTPError as error:
        return Outcome("retry", f"Twilio could not be reached ({type(error).__name__})")
    if reply.status_code in (200, 201):
        return Outcome("sent", external_id=reply.json().get("sid"))
    if reply.status_code == 429 or reply.status_code >= 500:
        return Outcome("retry", f"Twilio answered {reply.status_code}")
    return Outcome("failed", f"Twilio answered {reply.status_code}: {_error_of(reply).get('message', '')}"[:500])


def _error_of(reply: httpx.Response) -> dict:
    try:
        body = reply.json()
    except ValueError:
        return {}
    error = body.get("error", body) if isinstance(body, dict) else {}
    return error if isinstance(error, dict) else {}
