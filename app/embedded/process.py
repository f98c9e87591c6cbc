"""Shared pieces for supervising an embedded server process."""

from __future__ import annotations

import ctypes
import hashlib
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

_PR_SET_PDEATHSIG = 1
# AF_UNIX paths are limited to 107 bytes on Linux; keep a margin for the socket's own name.
_MAX_SOCKET_DIR = 80


class EmbeddedError(RuntimeError):
    """An embedded server could not be started; the message is meant for the operator."""


def die_with_parent(sig: int) -> Callable[[], None]:
    """preexec_fn: the child receives `sig` when the process that started it dies (Linux).

    Without it, a `kill -9` of `expense-tracker serve` would leave PostgreSQL and Valkey behind.
    """

    def _set() -> None:
        try:
            libc = ctypes.CDLL("libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, sig)
        except OSError:  # not Linux: the stale-process recovery at the next start still applies
            pass

    return _set


def short_run_dir(data_dir: Path, name: str) -> Path:
    """A directory for unix sockets: inside DATA_DIR when its path is short enough, else in /tmp."""
    preferred = data_dir / "run" / name
    if len(str(preferred)) <= _MAX_SOCKET_DIR:
        return preferred
    digest = hashlib.sha256(str(data_dir).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"expense-tracker-{digest}" / name


def live_process(pid: int, marker: str) -> psutil.Process | None:
    """The process `pid` if it is alive and its command line mentions `marker` (our data path)."""
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return None
        if any(marker in part for part in process.cmdline()):
            return process
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    return None


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def stop_process(process: psutil.Process | None, first_signal: int, timeout: float) -> None:
    """Ask politely with `first_signal`, then SIGKILL after `timeout` seconds."""
    if process is None:
        return
    try:
        process.send_signal(first_signal)
        process.wait(timeout)
    except psutil.TimeoutExpired:
        process.kill()
        process.wait(5)
    except psutil.NoSuchProcess:
        pass


class ChildServer:
    """A server process we start, watch until ready, and stop with its own polite signal."""

    def __init__(self, name: str, log_path: Path, stop_signal: int) -> None:
        self.name = name
        self.log_path = log_path
        self.stop_signal = stop_signal
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process and self._process.poll() is None else None

    def spawn(self, command: list[str], ready: Callable[[], bool], timeout: float, **popen: Any) -> None:
        with open(self.log_path, "ab") as log:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                # Its own session: Ctrl-C in the terminal reaches `serve`, which then stops us in order.
                start_new_session=True,
                preexec_fn=die_with_parent(self.stop_signal),
                **popen,
            )
        try:
            wait_until(ready, timeout, self._exited)
        except EmbeddedError as error:
            self.stop()
            raise EmbeddedError(f"{self.name} did not start: {error}") from None

    def stop(self, timeout: float = 30) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(self.stop_signal)
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(5)
        self._process = None

    def _exited(self) -> str | None:
        if self._process is not None and self._process.poll() is not None:
            return f"exited with code {self._process.returncode}: {tail(self.log_path)}"
        return None


def wait_until(check: Callable[[], bool], timeout: float, failed: Callable[[], str | None]) -> None:
    """Poll `check` until true; `failed` returns a reason to give up early (the process died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        reason = failed()
        if reason:
            raise EmbeddedError(reason)
        time.sleep(0.05)
    raise EmbeddedError(f"timed out after {timeout:.0f}s")


def tail(path: Path, lines: int = 5) -> str:
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(text[-lines:])


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


SIGINT = signal.SIGINT
SIGTERM = signal.SIGTERM
