"""Bring up whatever DATABASE_URL / REDIS_URL leave unset, once per DATA_DIR.

The first process to take DATA_DIR's lock owns the embedded servers and records their URLs in
DATA_DIR/run/services.json; another command started meanwhile (`create-admin` beside a running
`serve`) reads that file and uses the same servers instead of starting a second copy.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from app.config import Settings
from app.embedded.postgres import SUPERUSER, EmbeddedPostgres
from app.embedded.process import EmbeddedError
from app.embedded.valkey import EmbeddedValkey

DATABASE_NAME = "expense_tracker"


@dataclass(frozen=True)
class ServiceUrls:
    database_url: str
    redis_url: str
    owner: bool
    postgres_pid: int | None = None
    valkey_pid: int | None = None


@contextmanager
def running_services(
    settings: Settings, *, need_redis: bool = True, postgres_settings: dict[str, str] | None = None
) -> Iterator[ServiceUrls]:
    """Yield the URLs to use; embedded servers are started (and stopped on exit) when needed.

    `need_redis=False` (migrations, seeding) leaves Redis alone and yields an empty redis_url if unset.
    """
    embedded_redis = settings.embedded_redis and need_redis
    if not settings.embedded_database and not embedded_redis:
        assert settings.database_url
        yield ServiceUrls(settings.database_url, settings.redis_url or "", owner=False)
        return

    data_dir = settings.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    state_file = data_dir / "run" / "services.json"
    lock_handle = open(data_dir / ".lock", "a+")  # noqa: SIM115 - held for the whole block
    try:
        try:
            fcntl.flock(lock_handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield _attach(settings, state_file)
            return
        postgres = EmbeddedPostgres(data_dir, extra_settings=postgres_settings) if settings.embedded_database else None
        valkey = EmbeddedValkey(data_dir) if embedded_redis else None
        try:
            if postgres is not None:
                postgres.start()
                _create_database(postgres)
            if valkey is not None:
                valkey.start()
            urls = ServiceUrls(
                database_url=postgres.url(DATABASE_NAME) if postgres else settings.database_url or "",
                redis_url=valkey.url() if valkey else settings.redis_url or "",
                owner=True,
                postgres_pid=postgres.pid if postgres else None,
                valkey_pid=valkey.pid if valkey else None,
            )
            state_file.parent.mkdir(parents=True, exist_ok=True)
            state = {
                "database_url": urls.database_url,
                "redis_url": urls.redis_url,
                "pid": os.getpid(),
                "postgres_pid": urls.postgres_pid,
                "valkey_pid": urls.valkey_pid,
            }
            state_file.write_text(json.dumps(state))
            yield urls
        finally:
            state_file.unlink(missing_ok=True)
            if valkey is not None:
                valkey.stop()
            if postgres is not None:
                postgres.stop()
    finally:
        lock_handle.close()


def _attach(settings: Settings, state_file: Path) -> ServiceUrls:
    try:
        state = json.loads(state_file.read_text())
    except (OSError, ValueError):
        raise EmbeddedError(
            f"another expense-tracker process is starting or stopping the servers in {settings.data_dir}; "
            "try again in a moment"
        ) from None
    return ServiceUrls(
        database_url=settings.database_url or state["database_url"],
        redis_url=settings.redis_url or state["redis_url"],
        owner=False,
    )


def _create_database(postgres: EmbeddedPostgres) -> None:
    import asyncpg

    async def create() -> None:
        connection = await asyncpg.connect(host=str(postgres.socket_dir), user=SUPERUSER, database="postgres")
        try:
            exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DATABASE_NAME)
            if not exists:
                await connection.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
        finally:
            await connection.close()

    asyncio.run(create())
