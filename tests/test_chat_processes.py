"""Two `serve` processes on different ports sharing PostgreSQL and Redis: a message confirmed through one
reaches the same user's socket on the other (events fan out through Redis pub/sub)."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from httpx_ws import aconnect_ws

from tests.test_cli import free_port, wait_ready


@pytest.fixture
async def shared_env(servers, tmp_path: Path) -> Iterator[dict[str, str]]:  # type: ignore[no-untyped-def]
    name, url = await servers.new_database("et_procs")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "TEST_"))}
    yield {
        **base,
        "DATABASE_URL": url,
        "REDIS_URL": servers.redis_url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DATA_DIR": str(tmp_path / "data"),
        "LOG_FORMAT": "json",
    }
    await servers.drop_database(name)


def start(env: dict[str, str], port: int) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--no-worker"]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


async def test_an_event_on_one_process_reaches_a_socket_on_the_other(shared_env) -> None:
    ports = [free_port(), free_port()]
    processes = []
    try:
        for port in ports:  # one after the other: the first one migrates the new database
            processes.append(start(shared_env, port))
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
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
