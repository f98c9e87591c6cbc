"""Two `serve` processes on different ports sharing PostgreSQL and Redis: a message confirmed through one
reaches the same user's socket on the other (events fan out through Redis pub/sub)."""

from __future__ import annotations

import asyncio

import httpx
from httpx_ws import aconnect_ws

from tests.processes import start_serve, stop
from tests.test_cli import free_port, wait_ready


async def test_an_event_on_one_process_reaches_a_socket_on_the_other(process_env) -> None:
    ports = [free_port(), free_port()]
    processes = []
    try:
        for port in ports:  # one after the other: the first one migrates the new database
            processes.append(start_serve(process_env, port))
            await asyncio.to_thread(wait_ready, port, processes[-1], 60)
        first, second = (f"http://127.0.0.1:{port}" for port in ports)
        async with httpx.AsyncClient(timeout=10) as http:
            user = {"email": "pat@example.org", "username": "pat", "password": "a long enough password"}
            assert (await http.post(f"{first}/api/v1/auth/register", json=user)).status_code == 201
            login = {"login": "pat", "password": user["password"]}
            token = (await http.post(f"{first}/api/v1/auth/login", json=login)).json()["access_token"]
            ws_second = f"{second.replace('http', 'ws')}/api/v1/ws/chat?token={token}"
            ws_first = f"{first.replace('http', 'ws')}/api/v1/ws/chat?token={token}"
            async with aconnect_ws(ws_second, http) as laptop, aconnect_ws(ws_first, http) as phone:
                assert (await laptop.receive_json(timeout=5))["type"] == "ready"
                assert (await phone.receive_json(timeout=5))["type"] == "ready"
                await phone.send_json({"type": "message", "content": "coffee 4.50"})
                suggestion = await phone.receive_json(timeout=5)
                assert suggestion["type"] == "suggestion"
                heard = await laptop.receive_json(timeout=5)
                assert heard["type"] == "suggestion" and heard["message_id"] == suggestion["message_id"]
                await phone.send_json({"type": "confirm", "message_id": suggestion["message_id"]})
                created = await phone.receive_json(timeout=5)
                heard = await laptop.receive_json(timeout=5)
                assert heard["type"] == "expense_created" and heard["expense"]["id"] == created["expense"]["id"]
    finally:
        stop(*processes)
