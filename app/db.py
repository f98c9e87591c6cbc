"""Async engine and the per-request session.

The request session commits when the handler returns and rolls back on error; FastAPI runs that exit
before the response is sent (`scope="function"`), so a 2xx never precedes a failed commit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated

from fastapi import Depends
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from app import jobs
from app.config import Settings
from app.errors import AppError, Conflict


def create_engine(database_url: str, settings: Settings | None = None, **kwargs: object) -> AsyncEngine:
    pool = {}
    if settings is not None:
        pool = {"pool_size": settings.db_pool_size, "max_overflow": settings.db_max_overflow}
    return create_async_engine(
        database_url,
        pool_pre_ping=True,
        # Every session works in UTC; users' time zones are applied in the services.
        connect_args={"server_settings": {"timezone": "UTC", "application_name": "expense-tracker"}},
        **pool,
        **kwargs,
    )


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


async def flush_unique(session: AsyncSession, conflict: str) -> None:
    """Flush pending rows; a unique-constraint clash becomes a 409 with `conflict` and leaves the rest
    of the transaction usable (the flush runs in a savepoint)."""
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise Conflict(conflict) from None
