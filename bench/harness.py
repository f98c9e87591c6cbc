"""What every benchmark needs: a real `serve` process, load loops and a report line."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from bench.http import Connection


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(name: str, latencies: list[float], seconds: float, errors: int) -> None:
    ms = [value * 1000 for value in latencies]
    print(
        f"{name}: {len(ms)} requests in {seconds:.1f} s = {len(ms) / seconds:.0f}/s, "
        f"p50 {statistics.median(ms):.1f} ms, p95 {percentile(ms, 0.95):.1f} ms, "
        f"p99 {percentile(ms, 0.99):.1f} ms, max {max(ms):.1f} ms, errors {errors}"
    )


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process (and its reaped children) has used, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, data_dir: Path, workers: int, *, worker: bool = True) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "AUTH_RATE_LIMIT_PER_MINUTE": "1000000",  # one address sends every request here
        "DATABASE_URL": "",  # always the embedded servers: the benchmark owns its data
        "REDIS_URL": "",
        "LOG_FORMAT": "json",
    }
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", str(workers)]
    command += [] if worker else ["--no-worker"]
    log = open(data_dir / "serve.log", "wb")  # noqa: SIM115 - the child keeps writing to it
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)


async def wait_ready(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("serve exited early; see serve.log in the data directory")
        try:
            connection = Connection("127.0.0.1", port)
            reply = await connection.request("GET", "/ready")
            await connection.close()
            if reply.status == 200:
                return
        except OSError:
            pass
        await asyncio.sleep(0.25)
    raise SystemExit("serve did not become ready within 120 s")


class Server(NamedTuple):
    port: int
    data_dir: Path
    process: subprocess.Popen[bytes]


@contextlib.asynccontextmanager
async def serving(workers: int = 1, *, worker: bool = True) -> AsyncIterator[Server]:
    """A ready `serve` on a free port with a fresh DATA_DIR (its own embedded servers), stopped and removed
    afterwards."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        process = start_server(port, Path(scratch), workers, worker=worker)
        try:
            await wait_ready(port, process)
            yield Server(port, Path(scratch), process)
        finally:
            process.terminate()
            process.wait(timeout=60)


async def closed_loop(port: int, clients: int, seconds: float, make_request) -> tuple[list[float], int, float]:  # type: ignore[no-untyped-def]
    latencies: list[float] = []
    errors = 0
    stop_at = time.perf_counter() + seconds

    async def client(index: int) -> None:
        nonlocal errors
        connection = Connection("127.0.0.1", port)
        try:
            while time.perf_counter() < stop_at:
                method, path, body, headers, expected = make_request(index)
                reply = await connection.request(method, path, body=body, headers=headers)
                if reply.status == expected:
                    latencies.append(reply.seconds)
                else:
                    errors += 1
        finally:
            await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(index) for index in range(clients)))
    return latencies, errors, time.perf_counter() - started


async def open_loop(port: int, clients: int, rate: float, seconds: float, make_request):  # type: ignore[no-untyped-def]
    """Each client sends on its own schedule (rate / clients per second, phases spread out), like users
    who each click now and then. Latency counts from the scheduled moment, so a slow answer that delays
    the next request is charged to that request too (no coordinated omission)."""
    latencies: list[float] = []
    errors = 0
    interval = clients / rate
    started = time.perf_counter()

    async def client(index: int) -> None:
        nonlocal errors
        connection = Connection("127.0.0.1", port)
        due = started + interval * index / clients
        try:
            while due < started + seconds:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                method, path, body, headers, expected = make_request(index)
                reply = await connection.request(method, path, body=body, headers=headers)
                if reply.status == expected:
                    latencies.append(time.perf_counter() - due)
                else:
                    errors += 1
                due += interval
        finally:
            await connection.close()

    await asyncio.gather(*(client(index) for index in range(clients)))
    return latencies, errors, time.perf_counter() - started


PASSWORD = "benchmark password 123"


@dataclass
class BenchUser:
    id: int
    username: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def register_users(port: int, count: int) -> list[BenchUser]:
    """Register and sign in `count` fresh users over HTTP."""
    setup = Connection("127.0.0.1", port)
    users = []
    try:
        for _ in range(count):
            name = f"bench_{uuid.uuid4().hex[:10]}"
            body = {"email": f"{name}@example.org", "username": name, "password": PASSWORD}
            created = await setup.request("POST", "/api/v1/auth/register", body=body)
            assert created.status == 201, created.body
            reply = await setup.request("POST", "/api/v1/auth/login", body={"login": name, "password": PASSWORD})
            users.append(BenchUser(created.json()["id"], name, reply.json()["access_token"]))  # type: ignore[index]
    finally:
        await setup.close()
    return users


def database_url(data_dir: Path) -> str:
    """The embedded PostgreSQL that `serve` started under `data_dir`."""
    return json.loads((data_dir / "run" / "services.json").read_text())["database_url"]


def redis_url(data_dir: Path) -> str:
    """The embedded Valkey that `serve` started under `data_dir`."""
    return json.loads((data_dir / "run" / "services.json").read_text())["redis_url"]
