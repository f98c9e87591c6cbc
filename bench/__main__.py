"""Benchmarks of a real `expense-tracker serve` process.

    python -m bench auth [--clients 50] [--seconds 15] [--login-clients 4]

Starts `expense-tracker serve` (embedded PostgreSQL and Valkey under a temporary DATA_DIR, or the
servers in DATABASE_URL / REDIS_URL), registers users over HTTP, then measures
1. login (argon2id verification included): throughput and latency with a few concurrent clients;
2. GET /api/v1/users/me with N concurrent keep-alive clients, first each sending its next request as
   soon as the previous answer arrives (closed loop: the server's saturation throughput; latency there
   is mostly queueing, N / throughput), then each sending on a schedule at given total rates
   (open loop: the latency people see while the server is busy but not overrun).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

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


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, data_dir: Path, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "AUTH_RATE_LIMIT_PER_MINUTE": "1000000",  # one address sends every request here
        "LOG_FORMAT": "json",
    }
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", str(workers)]
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


async def run_auth(args: argparse.Namespace) -> None:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        process = start_server(port, Path(scratch), args.workers)
        try:
            await wait_ready(port, process)
            password = "benchmark password 123"
            users = [f"bench{index}_{uuid.uuid4().hex[:6]}" for index in range(args.clients)]
            setup = Connection("127.0.0.1", port)
            tokens = []
            for name in users:
                body = {"email": f"{name}@example.org", "username": name, "password": password}
                assert (await setup.request("POST", "/api/v1/auth/register", body=body)).status == 201
                reply = await setup.request("POST", "/api/v1/auth/login", body={"login": name, "password": password})
                tokens.append(reply.json()["access_token"])  # type: ignore[index]
            await setup.close()
            print(f"serve with {args.workers} API process(es) on 127.0.0.1:{port}; {len(users)} users registered")

            def login(index: int):  # type: ignore[no-untyped-def]
                body = {"login": users[index % len(users)], "password": password}
                return "POST", "/api/v1/auth/login", body, None, 200

            latencies, errors, elapsed = await closed_loop(port, args.login_clients, args.seconds, login)
            report(f"login, {args.login_clients} clients", latencies, elapsed, errors)

            def me(index: int):  # type: ignore[no-untyped-def]
                return "GET", "/api/v1/users/me", None, {"Authorization": f"Bearer {tokens[index]}"}, 200

            await closed_loop(port, args.clients, 2, me)  # warm up pools and caches
            latencies, errors, elapsed = await closed_loop(port, args.clients, args.seconds, me)
            report(f"GET /users/me, {args.clients} clients back to back (saturation)", latencies, elapsed, errors)
            for rate in args.rates:
                latencies, errors, elapsed = await open_loop(port, args.clients, rate, args.seconds, me)
                name = f"GET /users/me, {args.clients} clients sending {rate:g}/s in all"
                report(name, latencies, elapsed, errors)
        finally:
            process.terminate()
            process.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="benchmark", required=True)
    auth = sub.add_parser("auth", help="login and GET /users/me against a real serve process")
    auth.add_argument("--clients", type=int, default=50, help="concurrent GET /users/me clients")
    auth.add_argument("--login-clients", type=int, default=4, help="concurrent login clients")
    auth.add_argument("--seconds", type=float, default=15, help="length of each measurement")
    auth.add_argument("--workers", type=int, default=1, help="API processes of the serve command")
    auth.add_argument(
        "--rates",
        type=float,
        nargs="*",
        default=[100, 200, 300],
        help="total request rates (per second) of the open-loop GET /users/me runs",
    )
    args = parser.parse_args()
    if args.benchmark == "auth":
        asyncio.run(run_auth(args))


if __name__ == "__main__":
    main()
