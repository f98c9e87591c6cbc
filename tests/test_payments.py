"""Payment methods (encrypted identifiers), payments against settlements, and signed provider webhooks."""

from __future__ import annotations

import json
import time

from pydantic import SecretStr
from sqlalchemy import func, select, text

from app.models import PaymentWebhook
from app.services.payments.webhooks import sign
from tests.factories import auth_headers, make_account
from tests.test_expenses import trio

SECRET = "whsec_test_secret"
HOOK = "/api/v1/payments/webhooks/stripe"


def event(event_id: str, kind: str, obj: dict) -> bytes:  # type: ignore[type-arg]
    return json.dumps({"id": event_id, "type": kind, "data": {"object": obj}}).encode()


async def deliver(client, body: bytes, *, secret: str = SECRET, at: int | None = None):  # type: ignore[no-untyped-def]
    signature = sign(secret, body, int(time.time()) if at is None else at)
    return await client.post(
        HOOK, content=body, headers={"Stripe-Signature": signature, "Content-Type": "application/json"}
    )


async def webhook_rows(session) -> int:  # type: ignore[no-untyped-def]
    return await session.scalar(select(func.count()).select_from(PaymentWebhook))


async def test_payment_methods_keep_identifiers_encrypted(client, session, settings) -> None:
    alice, mallory = await make_account(session), await make_account(session)
    ha, hm = await auth_headers(session, settings, alice), await auth_headers(session, settings, mallory)
    card = await client.post(
        "/api/v1/payment-methods",
        json={"method_type": "card", "name": "Visa", "account_identifier": "4242 4242 4242 4242", "is_default": True},
        headers=ha,
    )
    assert card.status_code == 201, card.text
    assert card.json()["last_four"] == "4242" and card.json()["is_default"]
    raw = (await session.execute(text("SELECT details::text, encrypted_details FROM payment_methods"))).one()
    assert "4242 4242" not in raw[0] and b"4242" not in raw[1]
    assert settings.secret_box().decrypt(raw[1]) == "4242 4242 4242 4242"
    upi = (
        await client.post(
            "/api/v1/payment-methods",
            json={"method_type": "upi", "name": "UPI", "account_identifier": "alice@okbank", "is_default": True},
            headers=ha,
        )
    ).json()
    listed = (await client.get("/api/v1/payment-methods", headers=ha)).json()
    assert [(m["id"], m["is_default"]) for m in listed] == [(upi["id"], True), (card.json()["id"], False)]
    assert "account_identifier" not in json.dumps(listed)
    assert (
        await client.patch(f"/api/v1/payment-methods/{upi['id']}", json={"name": "x"}, headers=hm)
    ).status_code == 404
    assert (await client.delete(f"/api/v1/payment-methods/{upi['id']}", headers=hm)).status_code == 404
    assert (await client.delete(f"/api/v1/payment-methods/{upi['id']}", headers=ha)).status_code == 204
    assert [m["id"] for m in (await client.get("/api/v1/payment-methods", headers=ha)).json()] == [card.json()["id"]]
    bad = await client.post("/api/v1/payment-methods", json={"method_type": "gold", "name": "x"}, headers=ha)
    assert bad.status_code == 422


async def _owed_settlement(client, session, settings):  # type: ignore[no-untyped-def]
    """b owes a 10.00 in a group; b records paying it and starts a Stripe payment."""
    settings.payment_webhook_secrets = {"stripe": SecretStr(SECRET)}
    (a, b, c), (ha, hb, hc), group = await trio(client, session, settings)
    gid = group["id"]
    await client.post("/api/v1/expenses", json={"title": "Dinner", "amount": "30.00", "group_id": gid}, headers=ha)
    settlement = (
        await client.post(
            "/api/v1/settlements",
            json={"payer_id": b.id, "payee_id": a.id, "amount": "10.00", "group_id": gid},
            headers=hb,
        )
    ).json()
    method = (
        await client.post("/api/v1/payment-methods", json={"method_type": "stripe", "name": "Card"}, headers=hb)
    ).json()
    return (a, b, c), (ha, hb, hc), gid, settlement, method


async def test_a_webhook_delivered_three_times_moves_the_payment_once(client, session, settings) -> None:
    (a, b, c), (ha, hb, _), gid, settlement, method = await _owed_settlement(client, session, settings)
    sid = settlement["id"]
    payment = await client.post(
        f"/api/v1/settlements/{sid}/payments",
        json={"payment_method_id": method["id"], "payment_service": "stripe", "external_transaction_id": "pi_1"},
        headers=hb,
    )
    assert payment.status_code == 201, payment.text
    assert payment.json()["amount"] == "10.00" and payment.json()["status"] == "pending"
    # Only the payer pays, once.
    assert (await client.post(f"/api/v1/settlements/{sid}/payments", json={"payment_method_id": method["id"]},
                              headers=ha)).status_code == 403  # fmt: skip
    again = await client.post(
        f"/api/v1/settlements/{sid}/payments", json={"payment_method_id": method["id"]}, headers=hb
    )
    assert again.status_code == 409

    body = event("evt_1", "payment_intent.succeeded", {"id": "pi_1", "amount_received": 1000, "currency": "usd"})
    answers = [(await deliver(client, body)).json() for _ in range(3)]
    assert answers == [
        {"received": True, "duplicate": False, "status": "processed"},
        {"received": True, "duplicate": True, "status": "processed"},
        {"received": True, "duplicate": True, "status": "processed"},
    ]
    assert await webhook_rows(session) == 1
    paid = (await client.get(f"/api/v1/payments/{payment.json()['id']}", headers=ha)).json()
    assert paid["status"] == "completed" and paid["processed_at"]
    done = (await client.get(f"/api/v1/settlements/{sid}", headers=ha)).json()
    assert done["status"] == "completed" and done["is_confirmed_by_payee"]
    arrived = [n for n in (await client.get("/api/v1/notifications", headers=ha)).json()["items"]
               if n["notification_type"] == "payment_received"]  # fmt: skip
    assert [n["title"] for n in arrived] == [f"10.00 USD from {b.username} arrived"]  # once, though sent thrice
    balances = (await client.get(f"/api/v1/groups/{gid}/balances", headers=ha)).json()
    assert {x["user_id"]: x["balance"] for x in balances[0]["balances"]} == {a.id: "10.00", c.id: "-10.00"}
    assert (await client.get(f"/api/v1/payments/{payment.json()['id']}", headers=await auth_headers(
        session, settings, await make_account(session)))).status_code == 404  # fmt: skip

    # A refund reverses the settlement: the balance is owed again and the shares reopen.
    refund = event("evt_2", "charge.refunded", {"id": "ch_1", "payment_intent": "pi_1", "amount_refunded": 1000})
    assert (await deliver(client, refund)).json()["status"] == "processed"
    assert (await client.get(f"/api/v1/settlements/{sid}", headers=ha)).json()["status"] == "refunded"
    balances = (await client.get(f"/api/v1/groups/{gid}/balances", headers=ha)).json()
    assert {x["user_id"]: x["balance"] for x in balances[0]["balances"]} == {
        a.id: "20.00",
        b.id: "-10.00",
        c.id: "-10.00",
    }
    # An out-of-order event for a refunded payment is stored and ignored.
    late = event("evt_3", "payment_intent.payment_failed", {"id": "pi_1"})
    assert (await deliver(client, late)).json()["status"] == "ignored"


async def test_bad_signatures_store_nothing(client, session, settings) -> None:
    await _owed_settlement(client, session, settings)
    body = event("evt_9", "payment_intent.succeeded", {"id": "pi_9", "amount_received": 1000, "currency": "usd"})
    forged = await deliver(client, body, secret="whsec_wrong")
    assert forged.status_code == 400 and "does not match" in forged.json()["detail"]
    stale = await deliver(client, body, at=int(time.time()) - 3600)
    assert stale.status_code == 400 and "too old" in stale.json()["detail"]
    unsigned = await client.post(HOOK, content=body)
    assert unsigned.status_code == 400 and "missing" in unsigned.json()["detail"]
    tampered = await client.post(
        HOOK, content=body.replace(b"1000", b"9000"), headers={"Stripe-Signature": sign(SECRET, body, int(time.time()))}
    )
    assert tampered.status_code == 400
    assert (await deliver(client, b"not json")).status_code == 400
    assert (await client.post("/api/v1/payments/webhooks/paypal", content=body)).status_code == 404
    assert await webhook_rows(session) == 0


async def test_an_early_event_is_kept_and_applied_when_delivered_again(client, session, settings) -> None:
    _, (ha, hb, _), _, settlement, method = await _owed_settlement(client, session, settings)
    sid = settlement["id"]
    body = event("evt_5", "payment_intent.succeeded", {"id": "pi_5", "amount_received": 1000, "currency": "usd"})
    early = await deliver(client, body)
    assert early.status_code == 409 and "deliver it again" in early.json()["detail"]
    stored = await session.scalar(select(PaymentWebhook))
    assert stored is not None and stored.status == "failed" and stored.error_message == "no payment matches this event"
    await client.post(
        f"/api/v1/settlements/{sid}/payments",
        json={"payment_method_id": method["id"], "payment_service": "stripe", "external_transaction_id": "pi_5"},
        headers=hb,
    )
    assert (await deliver(client, body)).json() == {"received": True, "duplicate": False, "status": "processed"}
    assert (await client.get(f"/api/v1/settlements/{sid}", headers=ha)).json()["status"] == "completed"
    await session.refresh(stored)
    assert stored.retry_count == 1 and stored.payment_id is not None


async def test_an_event_for_the_wrong_amount_moves_nothing(client, session, settings) -> None:
    _, (ha, hb, _), _, settlement, method = await _owed_settlement(client, session, settings)
    sid = settlement["id"]
    payment = (
        await client.post(
            f"/api/v1/settlements/{sid}/payments",
            json={"payment_method_id": method["id"], "payment_service": "stripe", "external_transaction_id": "pi_7"},
            headers=hb,
        )
    ).json()
    short = event("evt_7", "payment_intent.succeeded", {"id": "pi_7", "amount_received": 999, "currency": "usd"})
    assert (await deliver(client, short)).json()["status"] == "failed"
    assert (await client.get(f"/api/v1/payments/{payment['id']}", headers=hb)).json()["status"] == "pending"
    assert (await client.get(f"/api/v1/settlements/{sid}", headers=ha)).json()["status"] == "pending"
    failed = event("evt_8", "payment_intent.payment_failed", {
        "id": "pi_7", "last_payment_error": {"code": "card_declined", "message": "Your card was declined."}
    })  # fmt: skip
    assert (await deliver(client, failed)).json()["status"] == "processed"
    shown = (await client.get(f"/api/v1/payments/{payment['id']}", headers=hb)).json()
    assert (shown["status"], shown["error_code"], shown["error_message"]) == (
        "failed",
        "card_declined",
        "Your card was declined.",
    )
    # A failed payment no longer covers the settlement: the payer can try again.
    retry = await client.post(
        f"/api/v1/settlements/{sid}/payments", json={"payment_method_id": method["id"]}, headers=hb
    )
    assert retry.status_code == 201
