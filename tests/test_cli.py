"""The command line as a user meets it: embedded serve starts, answers, stops cleanly and keeps its data;
mistakes end with one line and a non-zero exit, never a traceback."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest
from cryptography.fernet import Fernet

CLI = [sys.executable, "-m", "app.cli"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A new user's environment: no URLs, no secrets, a fresh DATA_DIR."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "TEST_", "SECRET_"))}
    clean.pop("ENCRYPTION_KEYS", None)
    clean["DATA_DIR"] = str(tmp_path / "data")
    clean["LOG_FORMAT"] = "json"
    return clean


def run(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False)


def start_serve(env: dict[str, str], port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CLI, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def wait_ready(port: int, process: subprocess.Popen[str], timeout: float = 30) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        assert process.poll() is None, f"serve exited: {process.stderr.read() if process.stderr else ''}"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1).status_code == 200:
                return time.monotonic() - started
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"/ready did not answer 200 within {timeout}s")


def server_pids(data_dir: Path) -> dict[str, int]:
    state = json.loads((data_dir / "run" / "services.json").read_text())
    return {"postgres": state["postgres_pid"], "valkey": state["valkey_pid"], "serve": state["pid"]}


def gone(pid: int, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.1)
    return False


def test_embedded_serve_starts_stops_cleanly_and_keeps_its_data(env: dict[str, str]) -> None:
    data_dir, port = Path(env["DATA_DIR"]), free_port()
    serve = start_serve(env, port)
    try:
        assert wait_ready(port, serve) < 30
        pids = server_pids(data_dir)
        # A second command beside the running server uses the same embedded servers.
        created = run(["create-admin", "--email", "Admin@Example.com", "--username", "admin"],
                      {**env, "ADMIN_PASSWORD": "a long passphrase"})  # fmt: skip
        assert created.returncode == 0, created.stderr
        serve.send_signal(signal.SIGINT)  # what Ctrl-C does
        assert serve.wait(30) == 0 or serve.returncode in (130, -signal.SIGINT)
    finally:
        if serve.poll() is None:
            serve.kill()
    assert all(gone(pid) for pid in pids.values()), "an embedded server outlived serve"
    assert not (data_dir / "run" / "services.json").exists()

    serve = start_serve(env, port)
    try:
        wait_ready(port, serve)
        again = run(["create-admin", "--email", "admin@example.com", "--username", "admin"],
                    {**env, "ADMIN_PASSWORD": "a long passphrase"})  # fmt: skip
        assert again.returncode == 1
        expected = "error: a user with e-mail admin@example.com or username admin already exists"
        assert again.stderr.strip().splitlines()[-1] == expected
        pids = server_pids(data_dir)
        serve.kill()  # a crash: no chance to clean up
        serve.wait(10)
    finally:
        if serve.poll() is None:
            serve.kill()
    assert all(gone(pid) for pid in pids.values()), "an embedded server outlived a killed serve"

    # After the crash the next start recovers (stale pid files, sockets) and has the data.
    serve = start_serve(env, port)
    try:
        wait_ready(port, serve)
    finally:
        serve.send_signal(signal.SIGTERM)  # what docker stop and systemd send
        serve.wait(30)


def test_busy_port_is_one_line(env: dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(["serve", "--port", str(port)], env)
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: port {port} on 127.0.0.1 is already in use; choose another with --port"


def test_unreachable_database_is_one_line(env: dict[str, str]) -> None:
    settings = {
        "DATABASE_URL": "postgresql://app:hunter2@127.0.0.1:1/app",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "SECRET_KEY": "s" * 40,
        "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DB_CONNECT_WAIT_SECONDS": "0",
    }
    result = run(["serve", "--port", str(free_port())], {**env, **settings})
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot reach the database at postgresql+asyncpg://app:***@127.0.0.1:1/app")
    assert "hunter2" not in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_malformed_encryption_keys_are_one_line(env: dict[str, str]) -> None:
    result = run(["serve"], {**env, "ENCRYPTION_KEYS": "definitely-not-a-key"})
    assert result.returncode == 2
    assert result.stderr.startswith("error: invalid configuration: ENCRYPTION_KEYS: key 1 is not a Fernet key")
    assert "definitely-not-a-key" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_migrate_sql_and_help(env: dict[str, str]) -> None:
    sql = run(["migrate", "--sql"], env)
    assert sql.returncode == 0, sql.stderr
    assert "CREATE TABLE expenses" in sql.stdout
    for command in ("serve", "worker", "migrate", "seed", "create-admin", "generate-key"):
        shown = run([command, "--help"], env)
        assert shown.returncode == 0 and "Usage" in shown.stdout, command


def test_the_api_process_does_not_load_the_pdf_or_ai_libraries() -> None:
    """PyMuPDF (about 100 MB with its layout model) and the AI SDKs (seconds to import) are only needed
    by the worker and by a key test; every `serve` process would otherwise carry them."""
    heavy = ("pymupdf", "onnxruntime", "openai", "anthropic", "google.genai")
    probe = f"import sys, app.main; print([m for m in {heavy!r} if m in sys.modules])"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"
