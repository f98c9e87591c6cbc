"""Async engine and the per-request session.

The request session commits when the handler returns and rolls back on error; FastAPI runs that exit
before the response is sent (`scope="function"`), so a 2xx never precedes a failed commit.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from types import SimpleNamespace
from typing import Annotated, Any, TypeVar

import asyncpg
from fastapi import Depends
from sqlalchemy import event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import make_transient_to_detached

from app import jobs
from app.config import Settings
from app.errors import AppError, Conflict, first_line

T = TypeVar("T")

# A pooled connection idle this long is pinged before use; one used more recently is trusted.
PING_AFTER_IDLE_SECONDS = 10.0


def create_engine(database_url: str, settings: Settings | None = None, **kwargs: object) -> AsyncEngine:
    pool = {}
    if settings is not None:
        pool = {"pool_size": settings.db_pool_size, "max_overflow": settings.db_max_overflow}
    engine = create_async_engine(
        database_url,
        # Every session works in UTC; users' time zones are applied in the services.
        connect_args={"server_settings": {"timezone": "UTC", "application_name": "expense-tracker"}},
        **pool,
        **kwargs,
    )
    _ping_idle_connections(engine)
    return engine


def _ping_idle_connections(engine: AsyncEngine) -> None:
    """SQLAlchemy's pool_pre_ping costs a round trip on every checkout, a tenth of a cheap request's work.
    This pings only connections that sat idle (where a restarted server or a dropped link hides); a dead one
    is replaced before the request sees it. A connection lost within the idle window fails that one request
    with a 503 (errors.py) and SQLAlchemy discards the rest of the pool."""
    dialect = engine.sync_engine.dialect

    @event.listens_for(engine.sync_engine, "connect")
    @event.listens_for(engine.sync_engine, "checkin")
    def _mark_used(_dbapi_connection: Any, record: Any, *_args: Any) -> None:
        record.info["used_at"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get("used_at", 0.0) < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError(first_line(error)) from error


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def safe_url(database_url: str) -> str:
    """The URL with its password masked, for messages and logs."""
    return make_url(database_url).render_as_string(hide_password=True)


@asynccontextmanager
async def unit_of_work(session: AsyncSession, *, nested: bool = False) -> AsyncIterator[None]:
    """Commit on success and send the jobs queued on the session; roll back and drop them on error.

    An AppError raised with keep_changes=True commits first (a failed login still counts). `nested`
    works in a SAVEPOINT instead (the tests run each request inside the test's transaction).
    """
    transaction = await session.begin_nested() if nested else None
    commit = transaction.commit if transaction else session.commit
    rollback = transaction.rollback if transaction else session.rollback
    try:
        yield
    except AppError as error:
        if not error.keep_changes:
            jobs.discard_pending(session)
            await rollback()
            raise
        await commit()
        await jobs.dispatch_pending(session)
        raise
    except BaseException:
        jobs.discard_pending(session)
        await rollback()
        raise
    await commit()
    await jobs.dispatch_pending(session)


class Database:
    """Holds the engine and session factory for one process (the app or a worker)."""

    def __init__(self, database_url: str, settings: Settings | None = None) -> None:
        self.engine = create_engine(database_url, settings)
        self.sessionmaker = make_sessionmaker(self.engine)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A unit of work: commits on success, rolls back on error (workers, scripts)."""
        async with self.sessionmaker() as session, unit_of_work(session):
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


_database: Database | None = None


def set_database(database: Database | None) -> None:
    global _database
    _database = database


def get_database() -> Database:
    if _database is None:
        raise RuntimeError("the database is not initialised; the app lifespan sets it up")
    return _database


async def _request_session() -> AsyncIterator[AsyncSession]:
    async with get_database().session() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(_request_session, scope="function")]


async def _socket_sessions() -> Callable[[], AbstractAsyncContextManager[AsyncSession]]:
    return get_database().session


# A long-lived connection (a WebSocket) opens one unit of work per message it handles rather than
# holding a database connection for its whole life.
SocketSessions = Annotated[Callable[[], AbstractAsyncContextManager[AsyncSession]], Depends(_socket_sessions)]


class DriverStatement:
    """SQL run straight on the asyncpg connection under a session's transaction, for the few statements on
    the hottest paths: SQLAlchemy's execution layers cost about 0.1 ms a statement, two to three times the
    driver's own work. `:name` parameters become asyncpg's `$n`; values must be what asyncpg takes (enum
    values as str, Decimal, UUID, date, lists for arrays). `fetchrow` gives a row with its columns as
    attributes, `fetch` asyncpg's records. The first driver statement in a session begins its transaction.
    Errors are raised as SQLAlchemy's, and a lost connection is handled as SQLAlchemy handles
    one: it is invalidated and the pool's other connections are dropped."""

    _PARAMETER = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")

    def __init__(self, sql: str) -> None:
        self.names: list[str] = []

        def number(match: re.Match[str]) -> str:
            if match.group(1) not in self.names:
                self.names.append(match.group(1))
            return f"${self.names.index(match.group(1)) + 1}"

        self.sql = self._PARAMETER.sub(number, sql)

    async def fetchrow(self, session: AsyncSession, params: Mapping[str, Any]) -> SimpleNamespace | None:
        """The first row (its columns as attributes, like SQLAlchemy's rows), or None."""
        record = await self._run(session, params, first=True)
        return None if record is None else SimpleNamespace(**dict(record.items()))

    async def fetch(self, session: AsyncSession, params: Mapping[str, Any]) -> list[asyncpg.Record]:
        """Every row, as asyncpg's records (read by position or by `record["name"]`): for many rows."""
        return await self._run(session, params, first=False)  # type: ignore[no-any-return]

    async def _run(self, session: AsyncSession, params: Mapping[str, Any], *, first: bool) -> Any:
        connection = await session.connection()
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        values = [params[name] for name in self.names]
        try:
            await _begin_if_needed(raw.dbapi_connection, driver)
            return await (driver.fetchrow(self.sql, *values) if first else driver.fetch(self.sql, *values))
        except _CONNECTION_LOST as error:
            await connection.invalidate()
            await connection.engine.dispose(close=False)  # the pooled ones went with the server: start afresh
            raise DBAPIError(self.sql, None, error, connection_invalidated=True) from error
        except asyncpg.IntegrityConstraintViolationError as error:
            raise IntegrityError(self.sql, None, error) from error
        except asyncpg.PostgresError as error:
            raise DBAPIError(self.sql, None, error) from error


# InternalClientError: the server's "terminating connection" arrived while the connection sat idle, and
# asyncpg refuses the next statement before it notices the socket closed.
_CONNECTION_LOST = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, asyncpg.InternalClientError, OSError)


async def _begin_if_needed(adapter: Any, driver: asyncpg.Connection) -> None:
    """Begin the session's transaction on the driver, as SQLAlchemy's asyncpg adapter does before its own
    first statement (`_start_transaction`); without it a driver statement that comes first in a session
    would commit on its own. The adapter's `_transaction` is where it keeps that transaction, to commit or
    roll back with the session."""
    if adapter._transaction is not None or adapter.isolation_level == "autocommit":
        return
    transaction = driver.transaction(
        isolation=adapter.isolation_level, readonly=adapter.readonly, deferrable=adapter.deferrable
    )
    await transaction.start()
    adapter._transaction = transaction


def columns_of(model: type[Any], alias: str) -> str:
    """The table's columns for a DriverStatement's SELECT list, in the order `as_persistent` reads them."""
    return ", ".join(f"{alias}.{column.name}" for column in model.__table__.columns)


_LOADERS: dict[tuple[type[Any], str], list[tuple[str, str, Callable[[Any], Any] | None]]] = {}


def as_persistent(session: AsyncSession, model: type[T], row: SimpleNamespace) -> T:
    """The ORM object for a row a DriverStatement read (all of `columns_of(model)`), in the session as if
    a query had loaded it: values converted as SQLAlchemy's loading converts them (enums, JSON, INET), no
    pending changes, and the session's own copy if it already holds one."""
    dialect = session.get_bind().dialect
    mapper = sa_inspect(model)
    key = mapper.identity_key_from_primary_key([getattr(row, column.name) for column in mapper.primary_key])
    existing = session.identity_map.get(key)
    if existing is not None:
        return existing  # type: ignore[return-value]
    loader = _LOADERS.get((model, dialect.name))
    if loader is None:
        loader = _LOADERS[(model, dialect.name)] = [
            (column.name, mapper.get_property_by_column(column).key,
             column.type.dialect_impl(dialect).result_processor(dialect, None))
            for column in model.__table__.columns
        ]  # fmt: skip
    values = {key: process(getattr(row, name)) if process else getattr(row, name) for name, key, process in loader}
    instance = model(**values)
    make_transient_to_detached(instance)
    session.add(instance)
    return instance


async def flush_unique(session: AsyncSession, conflict: str) -> None:
    """Flush pending rows; a unique-constraint clash becomes a 409 with `conflict` and leaves the rest
    of the transaction usable (the flush runs in a savepoint)."""
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise Conflict(conflict) from None
