"""Real `serve` and `worker` processes for the tests that need more than one process: they share this
test run's PostgreSQL (a fresh database) and Redis through the `process_env` fixture."""

from __future__ import annotations

import subprocess
import sys


def start_serve(env: dict[str, str], port: int) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--no-worker"]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def start_worker(env: dict[str, str]) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "app.cli", "worker"]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)


def stop(*processes: subprocess.Popen[str]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
