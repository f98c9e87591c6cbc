"""`expense-tracker`: serve, worker, migrate, seed, create-admin, rotate-keys, generate-key.

Every failure a user can cause (bad setting, unreachable database, busy port) ends with one line on
stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import asyncio
import errno
import functools
import getpass
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from cryptography.fernet import Fernet

from app.config import ConfigError, Settings, get_settings, load_settings
from app.db import Database, safe_url
from app.embedded.process import SIGTERM, EmbeddedError, die_with_parent
from app.embedded.services import ServiceUrls, running_services
from app.errors import first_line
from app.logging import configure_logging, get_logger

cli = typer.Typer(
    name="expense-tracker",
    help="Self-hostable expense tracker. With DATABASE_URL/REDIS_URL unset, runs its own PostgreSQL and Valkey.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
log = get_logger("app.cli")
F = TypeVar("F", bound=Callable[..., Any])


class StartupError(Exception):
    """A dependency is not usable; the message is one line for the operator."""


def fail_cleanly(function: F) -> F:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except (ConfigError, EmbeddedError, StartupError) as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2 if isinstance(error, ConfigError) else 1) from None
        except KeyboardInterrupt:
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def _settings() -> Settings:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    return settings


def _export(settings: Settings, urls: ServiceUrls) -> None:
    """Hand the resolved URLs and secrets to this process's later reads and to child processes."""
    os.environ["DATABASE_URL"] = urls.database_url
    if urls.redis_url:
        os.environ["REDIS_URL"] = urls.redis_url
    assert settings.secret_key is not None and settings.encryption_keys is not None
    os.environ["SECRET_KEY"] = settings.secret_key.get_secret_value()
    os.environ["ENCRYPTION_KEYS"] = settings.encryption_keys.get_secret_value()
    os.environ["DATA_DIR"] = str(settings.data_dir.resolve())
    get_settings.cache_clear()


def _check_port(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise StartupError(f"port {port} on {host} is already in use; choose another with --port") from None
            raise StartupError(f"cannot listen on {host}:{port}: {error.strerror}") from None


def _wait_for_database(database_url: str, wait_seconds: float) -> None:
    async def probe() -> None:
        database = Database(database_url)
        try:
            deadline = time.monotonic() + wait_seconds
            while True:
                try:
                    async with database.engine.connect():
                        return
                except Exception as error:
                    if time.monotonic() >= deadline:
                        raise StartupError(
                            f"cannot reach the database at {safe_url(database_url)}: {first_line(error)}"
                        ) from None
                    await asyncio.sleep(0.5)
        finally:
            await database.dispose()

    asyncio.run(probe())


def _wait_for_redis(redis_url: str, wait_seconds: float) -> None:
    import redis

    client = redis.Redis.from_url(redis_url, socket_connect_timeout=2)
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                client.ping()
                return
            except redis.RedisError as error:
                if time.monotonic() >= deadline:
                    raise StartupError(f"cannot reach Redis at {_safe_redis_url(redis_url)}: {error}") from None
                time.sleep(0.5)
    finally:
        client.close()


def _safe_redis_url(redis_url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(redis_url)
    if parts.password:
        return redis_url.replace(f":{parts.password}@", ":***@")
    return redis_url


def _migrate(database_url: str) -> None:
    from app.migrations import upgrade_to_head

    upgrade_to_head(database_url)


def _seed(database_url: str) -> str:
    from app.services.reference.seed import seed_reference_data

    async def run() -> str:
        database = Database(database_url)
        try:
            async with database.session() as session:
                return str(await seed_reference_data(session))
        finally:
            await database.dispose()

    return asyncio.run(run())


def _prepare(settings: Settings, urls: ServiceUrls, *, need_redis: bool = True) -> None:
    _export(settings, urls)
    _wait_for_database(urls.database_url, settings.db_connect_wait_seconds)
    if need_redis:
        _wait_for_redis(urls.redis_url, settings.db_connect_wait_seconds)


def _raise_interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


@cli.command()
@fail_cleanly
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="API worker processes.")] = 1,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
    with_worker: Annotated[
        bool | None,
        typer.Option(
            "--with-worker/--no-worker",
            help="Also run the background worker. Default: on in embedded mode, off with DATABASE_URL set.",
        ),
    ] = None,
) -> None:
    """Migrate the database to the latest schema, then serve the API (and, embedded, the worker)."""
    import uvicorn

    settings = _settings()
    _check_port(host, port)
    # SIGTERM (docker stop, systemd) must unwind like Ctrl-C so the embedded servers stop cleanly.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    with running_services(settings) as urls:
        _prepare(settings, urls)
        _migrate(urls.database_url)
        log.info("reference_data", result=_seed(urls.database_url))
        run_worker = settings.embedded_database if with_worker is None else with_worker
        worker = _spawn_worker() if run_worker else None
        try:
            log.info("serving", url=f"http://{host}:{port}", docs=f"http://{host}:{port}/docs")
            uvicorn.run(
                "app.main:create_app",
                factory=True,
                host=host,
                port=port,
                workers=workers if not reload else None,
                reload=reload,
                log_config=None,
                access_log=False,
                proxy_headers=True,
            )
        finally:
            _stop_child(worker)


def _spawn_worker() -> subprocess.Popen[bytes]:
    # Same process group: a Ctrl-C in the terminal reaches it too, and it shuts down gracefully.
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker"],
        preexec_fn=die_with_parent(SIGTERM),
    )


def _stop_child(process: subprocess.Popen[bytes] | None, timeout: float = 20) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@cli.command()
@fail_cleanly
def worker() -> None:
    """Run the background worker (statement processing, recurring expenses, analytics, notifications)."""
    from arq.worker import run_worker

    from app.jobs import redis_settings
    from app.workers.settings import WorkerSettings

    settings = _settings()
    with running_services(settings) as urls:
        _prepare(settings, urls)
        _use_uvloop()
        run_worker(
            WorkerSettings,  # type: ignore[arg-type]
            redis_settings=redis_settings(urls.redis_url),
            max_jobs=settings.worker_max_jobs,
            job_timeout=settings.worker_job_timeout_seconds,
        )


def _use_uvloop() -> None:
    """The worker's event loop on uvloop, as uvicorn's is (arq takes whatever loop is current): its socket
    reads and writes to PostgreSQL and Redis cost less CPU than asyncio's own loop."""
    try:
        import uvloop
    except ImportError:  # uvicorn[standard] brings it, except where it has no wheel
        return
    asyncio.set_event_loop(uvloop.new_event_loop())


@cli.command()
@fail_cleanly
def migrate(
    sql: Annotated[bool, typer.Option("--sql", help="Print the SQL instead of running it.")] = False,
) -> None:
    """Upgrade the database schema to the latest revision."""
    from app.migrations import upgrade_sql

    if sql:
        settings = load_settings()
        typer.echo(upgrade_sql(settings.database_url or "postgresql+asyncpg://localhost/expense_tracker"))
        return
    settings = _settings()
    with running_services(settings, need_redis=False) as urls:
        _prepare(settings, urls, need_redis=False)
        _migrate(urls.database_url)
    typer.echo("database is at the latest schema revision")


@cli.command()
@fail_cleanly
def seed() -> None:
    """Add the reference data (currencies, countries, default categories); safe to run again."""
    settings = _settings()
    with running_services(settings, need_redis=False) as urls:
        _prepare(settings, urls, need_redis=False)
        _migrate(urls.database_url)
        typer.echo(_seed(urls.database_url))


@cli.command("create-admin")
@fail_cleanly
def create_admin(
    email: Annotated[str, typer.Option(help="The administrator's e-mail address.")],
    username: Annotated[str, typer.Option(help="The administrator's username.")],
    password: Annotated[
        str | None,
        typer.Option(help="Read from ADMIN_PASSWORD or asked for when not given.", envvar="ADMIN_PASSWORD"),
    ] = None,
) -> None:
    """Create an administrator account (verified, role admin)."""
    from app.security import password_problem
    from app.services.users.admin import AdminExists, create_admin_user

    if password is None:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != password:
            raise StartupError("the passwords do not match")
    problem = password_problem(password, username=username, email=email)
    if problem:
        raise StartupError(problem)
    settings = _settings()
    with running_services(settings, need_redis=False) as urls:
        _prepare(settings, urls, need_redis=False)
        _migrate(urls.database_url)

        async def run() -> int:
            database = Database(urls.database_url)
            try:
                async with database.session() as session:
                    return await create_admin_user(session, email=email, username=username, password=password)
            except AdminExists as error:
                raise StartupError(str(error)) from None
            finally:
                await database.dispose()

        user_id = asyncio.run(run())
    typer.echo(f"created administrator {username} (id {user_id})")


@cli.command("rotate-keys")
@fail_cleanly
def rotate_keys() -> None:
    """Re-encrypt every stored secret with the first of ENCRYPTION_KEYS (prepend a new key first)."""
    from app.services.admin.rotation import rotate_all

    settings = _settings()
    with running_services(settings, need_redis=False) as urls:
        _prepare(settings, urls, need_redis=False)
        _migrate(urls.database_url)

        async def run() -> dict[str, int]:
            database = Database(urls.database_url)
            try:
                return await rotate_all(database, settings.secret_box())
            except ValueError as error:
                raise StartupError(f"{error}; keep the old key in ENCRYPTION_KEYS until rotation has run") from None
            finally:
                await database.dispose()

        counts = asyncio.run(run())
    summary = ", ".join(f"{count} in {table}" for table, count in counts.items())
    typer.echo(f"re-encrypted {sum(counts.values())} secrets with the newest key ({summary})")


@cli.command("generate-key")
def generate_key() -> None:
    """Print a new Fernet key (for ENCRYPTION_KEYS) and a SECRET_KEY."""
    import secrets

    typer.echo(f"ENCRYPTION_KEYS={Fernet.generate_key().decode()}")
    typer.echo(f"SECRET_KEY={secrets.token_urlsafe(48)}")


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
