"""Real PostgreSQL and Redis for every test.

By default each xdist worker starts its own embedded PostgreSQL and Valkey (a few seconds); with
TEST_DATABASE_URL / TEST_REDIS_URL set (CI, the machine's servers) it uses those. Either way each
worker gets a fresh database built by `alembic upgrade head`, and each test runs inside a transaction
that is rolled back, so tests never see each other's rows.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import asyncpg
import httpx
import pytest
import redis.asyncio as aioredis
from arq.jobs import JobDef
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, create_async_engine

from app import jobs
from app.config import Settings, asyncpg_url
from app.db import Database, _request_session, _socket_sessions, set_database, unit_of_work
from app.main import create_app
from app.migrations import upgrade_to_head
from app.services.reference.seed import seed_reference_data
from tests.fakes.ai_providers import FakeAIProviders
from tests.fakes.server import serve_in_thread


def _worker_index() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(worker.removeprefix("gw") or 0)


async def _admin(admin_url: str, statements: list[str]) -> None:
    url = make_url(admin_url)
    connection = await asyncpg.connect(
        host=url.query.get("host") or url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        database=url.database,
    )
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


class TestServers:
    """Where this worker's PostgreSQL and Redis are, and how to make throwaway databases."""

    def __init__(self, admin_url: str, redis_url: str) -> None:
        self.admin_url = admin_url
        self.redis_url = redis_url

    def database_url(self, name: str) -> str:
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    async def new_database(self, prefix: str) -> tuple[str, str]:
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        await _admin(self.admin_url, [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'])
        return name, self.database_url(name)

    async def migrated_database(self, prefix: str) -> tuple[str, str]:
        """A new database at the head revision with reference data seeded, as `serve` leaves it."""
        name, url = await self.new_database(prefix)
        await asyncio.to_thread(upgrade_to_head, url)
        database = Database(url)
        async with database.session() as session:
            await seed_reference_data(session)
        await database.dispose()
        return name, url

    async def drop_database(self, name: str) -> None:
        await _admin(self.admin_url, [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'])


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestServers]:
    database_url = os.environ.get("TEST_DATABASE_URL")
    redis_url = os.environ.get("TEST_REDIS_URL")
    postgres = valkey = None
    data_dir = tmp_path_factory.mktemp("servers")
    if not database_url:
        from app.embedded.postgres import EmbeddedPostgres

        # Durability is not under test here; skipping fsync keeps the suite fast.
        postgres = EmbeddedPostgres(data_dir, extra_settings={"fsync": "off", "synchronous_commit": "off"})
        postgres.start()
        database_url = postgres.url("postgres")
    if not redis_url:
        from app.embedded.valkey import EmbeddedValkey

        valkey = EmbeddedValkey(data_dir)
        valkey.start()
        redis_url = valkey.url()
    else:
        # Shared Redis: each worker gets its own database number.
        base = redis_url.split("?")[0].rstrip("/")
        if base.count("/") > 2:
            base = base.rsplit("/", 1)[0]
        redis_url = f"{base}/{1 + _worker_index() % 15}"
    database_url = asyncpg_url(database_url)
    try:
        yield TestServers(database_url, redis_url)
    finally:
        if valkey is not None:
            valkey.stop()
        if postgres is not None:
            postgres.stop()


@pytest.fixture(scope="session")
async def database_url(servers: TestServers) -> AsyncIterator[str]:
    """A fresh database for this worker at the head revision, with reference data seeded."""
    name, url = await servers.migrated_database("et_test")
    yield url
    await servers.drop_database(name)


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[object]:
    engine = create_async_engine(database_url, connect_args={"server_settings": {"timezone": "UTC"}})
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine) -> AsyncIterator[AsyncConnection]:  # type: ignore[no-untyped-def]
    async with engine.connect() as connection:
        transaction = await connection.begin()
        yield connection
        if transaction.is_active:
            await transaction.rollback()


@pytest.fixture
async def session(connection: AsyncConnection) -> AsyncIterator[AsyncSession]:
    """A session inside the test's transaction; its commits become savepoints, all rolled back."""
    session = AsyncSession(
        bind=connection, expire_on_commit=False, autoflush=False, join_transaction_mode="create_savepoint"
    )
    yield session
    await session.close()


@pytest.fixture
def settings(database_url: str, servers: TestServers, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        redis_url=servers.redis_url,
        data_dir=tmp_path / "data",
        secret_key=SecretStr("test-secret-key-" + "x" * 32),
        encryption_keys=SecretStr(Fernet.generate_key().decode()),
        log_format="console",
        cors_origins=["https://app.example.com"],
    )


@pytest.fixture
async def redis_client(servers: TestServers) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(servers.redis_url)
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()


@pytest.fixture
async def app(settings: Settings, session: AsyncSession, redis_client: aioredis.Redis):  # type: ignore[no-untyped-def]
    """The real application (lifespan included) with request sessions joined to the test transaction."""
    application = create_app(settings)

    async def test_session() -> AsyncIterator[AsyncSession]:
        # As in production, a request commits or rolls back only its own work: here in a savepoint
        # after whatever the test set up.
        async with unit_of_work(session, nested=True):
            yield session

    one_at_a_time = asyncio.Lock()  # sockets share the test's one session, so take turns

    @asynccontextmanager
    async def socket_session() -> AsyncIterator[AsyncSession]:
        async with one_at_a_time, unit_of_work(session, nested=True):
            yield session

    async def test_socket_sessions() -> Callable[[], AbstractAsyncContextManager[AsyncSession]]:
        return socket_session

    application.dependency_overrides[_request_session] = test_session
    application.dependency_overrides[_socket_sessions] = test_socket_sessions
    async with application.router.lifespan_context(application):
        yield application
    set_database(None)
    jobs.set_queue(None)


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.fixture(scope="session")
def ai_providers() -> Iterator[FakeAIProviders]:
    """Fake OpenAI, Anthropic and Gemini APIs, shared by the tests of one worker."""
    fake = FakeAIProviders()
    with serve_in_thread(fake.app()) as base_url:
        fake.base_url = base_url
        yield fake


@pytest.fixture
def ai_settings(settings: Settings, ai_providers: FakeAIProviders) -> Settings:
    """Settings whose AI SDKs talk to the fake providers."""
    settings.openai_base_url = ai_providers.openai_url
    settings.anthropic_base_url = ai_providers.anthropic_url
    settings.gemini_base_url = ai_providers.gemini_url
    settings.ai_test_timeout_seconds = 5
    return settings


@pytest.fixture
def ai(ai_settings: Settings, ai_providers: FakeAIProviders) -> Iterator[tuple[Settings, FakeAIProviders]]:
    """Settings pointed at the fake providers with short time budgets, and the fakes (reset around the test)."""
    ai_settings.ai_parse_timeout_seconds = 3
    ai_settings.ai_statement_timeout_seconds = 3
    ai_settings.ai_parse_backoff_seconds = 0.05
    ai_providers.reset()
    yield ai_settings, ai_providers
    ai_providers.reset()


@pytest.fixture
async def process_env(servers: TestServers, tmp_path: Path) -> AsyncIterator[dict[str, str]]:
    """The environment of a `serve` or `worker` subprocess (tests/processes.py): a fresh database on this
    run's PostgreSQL, this worker's Redis, new secrets and its own DATA_DIR."""
    name, url = await servers.new_database("et_procs")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "TEST_"))}
    yield {
        **base,
        "DATABASE_URL": url,
        "REDIS_URL": servers.redis_url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DATA_DIR": str(tmp_path / "data"),
        "LOG_FORMAT": "json",
    }
    await servers.drop_database(name)


async def queued_jobs(app) -> list[JobDef]:  # type: ignore[no-untyped-def]
    """The jobs the app has sent to the queue (after their transactions committed)."""
    return list(await app.state.redis.queued_jobs())
