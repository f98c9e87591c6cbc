"""Chat entry over HTTP and the WebSocket: stored messages, suggestions, exactly-once confirmation,
mentions written, failures recorded, fan-out to the user's other sockets, and resuming after a drop."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from httpx_ws import WebSocketDisconnect, aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport
from sqlalchemy import func, select

from app.models import ChatMessage, Expense, ExpenseMention
from tests.factories import auth_headers, join, make_account, make_group
from tests.test_groups import friends

API = "/api/v1/chat"


async def people(session, settings):  # type: ignore[no-untyped-def]
    sam = await make_account(session, first_name="Sam")
    john = await make_account(session, username=f"john{sam.id}", first_name="John", last_name="Smith")
    await friends(session, sam, john)
    return sam, john, await auth_headers(session, settings, sam)


async def test_parse_stores_the_message_and_confirming_twice_makes_one_expense(client, session, settings) -> None:
    sam, john, headers = await people(session, settings)
    content = f"@{john.username} $50 lunch at pizza place #team"
    response = await client.post(f"{API}/parse", json={"content": content}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["amount"] == "50.00" and body["currency"] == "USD"
    assert body["description"] == "lunch at pizza place" and body["category"] == "restaurants"
    assert body["split"] == {"type": "equal", "participants": [sam.id, john.id], "paid_by": sam.id, "ways": None}
    assert body["mentions"][0]["user_id"] == john.id and body["parser"] == "system" and body["status"] == "draft"
    message_id = body["message_id"]

    first = await client.post(f"{API}/messages/{message_id}/confirm", headers=headers)
    second = await client.post(f"{API}/messages/{message_id}/confirm", headers=headers)
    assert first.status_code == second.status_code == 200, first.text
    expense = first.json()["expense"]
    assert second.json()["expense"]["id"] == expense["id"]
    assert [s["amount"] for s in expense["shares"]] == ["25.00", "25.00"] and expense["tags"] == ["team"]
    assert first.json()["message"]["status"] == "completed"
    made = await session.scalar(select(func.count()).select_from(Expense).where(Expense.chat_message_id == message_id))
    assert made == 1
    row = await session.get(Expense, expense["id"])
    assert row.source == "chat"
    mentions = (await session.scalars(select(ExpenseMention).where(ExpenseMention.expense_id == row.id))).all()
    assert sorted((m.mention_type, m.mentioned_text) for m in mentions) == [
        ("tag", "#team"),
        ("user", f"@{john.username}"),
    ]

    conversations = (await client.get(f"{API}/conversations", headers=headers)).json()
    assert conversations[0]["conversation_id"] == "main" and conversations[0]["message_count"] == 1
    page = (await client.get(f"{API}/conversations/main/messages", headers=headers)).json()
    assert page["items"][0]["expense_id"] == expense["id"] and page["items"][0]["metadata"]["confidence"] >= 0.9


async def test_a_failed_confirmation_is_recorded_and_can_be_fixed(client, session, settings) -> None:
    sam, john, headers = await people(session, settings)
    body = (await client.post(f"{API}/parse", json={"content": "@nobody 30 taxi"}, headers=headers)).json()
    assert body["mentions"][0]["user_id"] is None and any("@nobody" in w for w in body["warnings"])
    failed = await client.post(f"{API}/messages/{body['message_id']}/confirm", headers=headers)
    assert failed.status_code == 422 and "@nobody" in failed.json()["detail"]
    message = await session.get(ChatMessage, body["message_id"], populate_existing=True)
    assert message.status == "failed" and "@nobody" in message.meta["error"]

    edits = {"split": {"participants": [sam.id, john.id]}, "description": "Taxi home"}
    fixed = await client.post(f"{API}/messages/{body['message_id']}/confirm", json=edits, headers=headers)
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["expense"]["title"] == "Taxi home" and fixed.json()["message"]["status"] == "completed"
    assert "error" not in fixed.json()["message"]["metadata"]


async def test_cancel_and_bad_input(client, session, settings) -> None:
    _, _, headers = await people(session, settings)
    body = (await client.post(f"{API}/parse", json={"content": "coffee 4"}, headers=headers)).json()
    cancelled = await client.post(f"{API}/messages/{body['message_id']}/cancel", headers=headers)
    assert cancelled.json()["status"] == "failed" and cancelled.json()["metadata"]["cancelled"] is True
    again = await client.post(f"{API}/messages/{body['message_id']}/confirm", headers=headers)
    assert again.status_code == 409
    empty = await client.post(f"{API}/parse", json={"content": "  "}, headers=headers)
    assert empty.status_code == 422
    no_amount = (await client.post(f"{API}/parse", json={"content": "lunch"}, headers=headers)).json()
    refused = await client.post(f"{API}/messages/{no_amount['message_id']}/confirm", headers=headers)
    assert refused.status_code == 422 and "amount" in refused.json()["detail"]


async def test_group_context_and_mention_suggestions(client, session, settings) -> None:
    sam, john, headers = await people(session, settings)
    group = await make_group(session, sam, name="Roommates")
    await join(session, group, sam)
    await join(session, group, john)
    body = (await client.post(f"{API}/parse", json={"content": "@roommates wifi 60"}, headers=headers)).json()
    assert body["group_id"] == str(group.id) and sorted(body["split"]["participants"]) == sorted([sam.id, john.id])
    in_group = {"content": "paper towels 12", "group_id": str(group.id)}
    assert (await client.post(f"{API}/parse", json=in_group, headers=headers)).json()["group_id"] == str(group.id)

    found = (await client.get(f"{API}/mentions", params={"q": "@jo"}, headers=headers)).json()
    assert [item["text"] for item in found] == [f"@{john.username}"]
    assert (await client.get(f"{API}/mentions", params={"q": "@room"}, headers=headers)).json()[0]["type"] == "group"
    categories = (await client.get(f"{API}/mentions", params={"q": "#groc"}, headers=headers)).json()
    assert "#groceries" in [item["text"] for item in categories]


# --- WebSocket -------------------------------------------------------------------------------------


@asynccontextmanager
async def socket(app, headers, **params):  # type: ignore[no-untyped-def]
    token = headers["Authorization"].removeprefix("Bearer ")
    query = {"token": token, **params} if token else params
    async with (
        httpx.AsyncClient(transport=ASGIWebSocketTransport(app), base_url="http://test") as http,
        aconnect_ws("/api/v1/ws/chat", http, params=query) as ws,
    ):
        yield ws


async def receive(ws, kind: str):  # type: ignore[no-untyped-def]
    """The next event of this type (skipping others), within five seconds each."""
    while True:
        event = await ws.receive_json(timeout=5)
        if event["type"] == kind:
            return event


async def test_socket_message_confirm_and_fan_out(app, session, settings) -> None:
    sam, john, headers = await people(session, settings)
    async with socket(app, headers) as phone, socket(app, headers) as laptop:
        assert (await phone.receive_json())["type"] == "ready"
        assert (await laptop.receive_json())["type"] == "ready"
        await phone.send_json({"type": "ping"})
        assert (await phone.receive_json())["type"] == "pong"

        await phone.send_json({"type": "message", "content": f"@{john.username} 42 dinner", "client_message_id": "c1"})
        suggestion = await receive(phone, "suggestion")
        assert suggestion["suggestion"]["amount"] == "42.00" and suggestion["status"] == "draft"
        assert (await receive(laptop, "suggestion"))["message_id"] == suggestion["message_id"]

        # A resend after a reconnect gets the stored message back, not a second one.
        await phone.send_json({"type": "message", "content": f"@{john.username} 42 dinner", "client_message_id": "c1"})
        assert (await receive(phone, "suggestion"))["message_id"] == suggestion["message_id"]

        await phone.send_json({"type": "confirm", "message_id": suggestion["message_id"]})
        await phone.send_json({"type": "confirm", "message_id": suggestion["message_id"]})
        created = [await receive(phone, "expense_created"), await receive(phone, "expense_created")]
        assert created[0]["expense"]["id"] == created[1]["expense"]["id"]
        assert (await receive(laptop, "expense_created"))["expense_id"] == created[0]["expense"]["id"]

        await phone.send_json({"type": "confirm", "message_id": "not-a-uuid"})
        assert (await receive(phone, "error"))["detail"].startswith("message_id")
        await phone.send_text("{nope")
        assert (await receive(phone, "error"))["detail"] == "That is not JSON."
        await phone.send_json({"type": "message", "content": "coffee 4.50 \u0000", "client_message_id": "c2"})
        refused = await receive(phone, "error")  # PostgreSQL stores no NUL; the socket answers and stays open
        assert refused["code"] == "unprocessable" and "cannot be stored" in refused["detail"]
        await phone.send_json({"type": "ping"})
        assert (await phone.receive_json())["type"] == "pong"
    count = await session.scalar(select(func.count()).select_from(ChatMessage).where(ChatMessage.user_id == sam.id))
    assert count == 1


async def test_socket_resume_replays_what_was_missed(app, session, settings) -> None:
    _, _, headers = await people(session, settings)
    before = datetime.now(UTC) - timedelta(seconds=1)
    async with socket(app, headers) as ws:
        await receive(ws, "ready")
        await ws.send_json({"type": "message", "content": "coffee 4.50"})
        first = await receive(ws, "suggestion")
        await ws.send_json({"type": "cancel", "message_id": first["message_id"]})
        await receive(ws, "cancelled")
    async with socket(app, headers, since=before.isoformat()) as ws:
        await receive(ws, "ready")
        replayed = await receive(ws, "cancelled")
        assert replayed["message_id"] == first["message_id"] and replayed["replayed"] is True
        await ws.send_json({"type": "resume", "since": "yesterday-ish"})
        assert "since" in (await receive(ws, "error"))["detail"]
        await ws.send_json({"type": "resume", "since": first["at"]})  # the cancel came after the suggestion
        assert (await receive(ws, "cancelled"))["message_id"] == first["message_id"]


async def test_socket_refuses_a_bad_token(app, session, settings) -> None:
    async with socket(app, {"Authorization": "Bearer nonsense"}) as ws:
        with pytest.raises(WebSocketDisconnect) as closed:
            await ws.receive_json(timeout=5)
    assert closed.value.code == 4401
    _, _, headers = await people(session, settings)
    async with socket(app, {"Authorization": ""}) as ws:  # the token in the first message instead
        await ws.send_json({"type": "auth", "token": headers["Authorization"].removeprefix("Bearer ")})
        assert (await ws.receive_json(timeout=5))["type"] == "ready"
    await asyncio.sleep(0)
