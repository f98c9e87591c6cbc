"""Connections and the driver path: a pooled connection dropped while idle is replaced before use; one that
dies within the idle window fails one request with a 503 and a sentence, and the next request connects
afresh. Statements run on the driver are inside the session's transaction, raise SQLAlchemy's errors, and
the rows they read become the same ORM objects a query would load."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError

from app import db
from app.config import Settings
from app.db import Database, DriverStatement, as_persistent, columns_of
from app.main import create_app
from app.models import User
from app.models.enums import ProfileVisibility, UserRole

BACKEND_PID = text("SELECT pg_backend_pid()")


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """A Database of the test's own, on the test database but outside the test's transaction."""
    own = Database(database_url)
    yield own
    await own.dispose()


async def _kill(database_url: str, pids: list[int] | None = None) -> None:
    """Terminate these backends, or (None) every app connection to this database but the killer's own."""
    killer = Database(database_url)
    async with killer.session() as session:
        killed = await session.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND (pid = ANY(CAST(:pids AS int[]))"
                " OR (CAST(:pids AS int[]) IS NULL AND application_name = 'expense-tracker'))"
            ),
            {"pids": pids},
        )
        assert killed and (pids is None or killed == len(pids))
    await killer.dispose()


async def test_a_connection_dropped_while_idle_is_replaced_before_use(
    database: Database, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with database.session() as session:
        first = await session.scalar(BACKEND_PID)
    await _kill(database_url, [first])
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # as if it had sat idle
    async with database.session() as session:
        second = await session.scalar(BACKEND_PID)
    assert second != first


async def test_a_connection_dropped_within_the_idle_window_fails_once_then_reconnects(
    database: Database, database_url: str
) -> None:
    async with database.session() as session:
        first = await session.scalar(BACKEND_PID)
    await _kill(database_url, [first])
    with pytest.raises(DBAPIError) as lost:
        async with database.session() as session:
            await session.scalar(BACKEND_PID)
    assert lost.value.connection_invalidated
    async with database.session() as session:
        assert await session.scalar(BACKEND_PID) != first


async def test_the_request_on_a_lost_connection_gets_a_503_and_the_next_one_works(
    settings: Settings, redis_client: object
) -> None:
    application = create_app(settings)  # its own pool on the test database, no test transaction

    def account() -> dict[str, str]:
        name = f"conn_{uuid.uuid4().hex[:10]}"
        return {"email": f"{name}@example.org", "username": name, "password": "a long enough password"}

    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            assert (await client.post("/api/v1/auth/register", json=account())).status_code == 201
            await _kill(settings.database_url or "")  # all used within the idle window
            lost = await client.post("/api/v1/auth/register", json=account())
            assert lost.status_code == 503
            assert lost.json() == {
                "error": "service_unavailable",
                "detail": "The connection to the database was lost; nothing was saved. Try again in a moment.",
            }
            assert (await client.post("/api/v1/auth/register", json=account())).status_code == 201


async def test_driver_statements_raise_sqlalchemy_errors_and_give_up_a_lost_connection(
    database: Database, database_url: str
) -> None:
    insert = DriverStatement("INSERT INTO seen (id) VALUES (:id) RETURNING id, :note AS note")
    async with database.sessionmaker() as session:
        await session.execute(text("CREATE TEMPORARY TABLE seen (id int PRIMARY KEY)"))
        row = await insert.fetchrow(session, {"id": 1, "note": "first"})
        assert (row.id, row.note) == (1, "first")
        with pytest.raises(IntegrityError):
            await insert.fetchrow(session, {"id": 1, "note": "again"})
        await session.rollback()
        with pytest.raises(DBAPIError) as failed:
            await DriverStatement("SELECT 1 / :zero").fetchrow(session, {"zero": 0})
        assert not failed.value.connection_invalidated
        await session.rollback()
        await _kill(database_url, [await session.scalar(BACKEND_PID)])
        with pytest.raises(DBAPIError) as lost:
            await DriverStatement("SELECT :one").fetchrow(session, {"one": 1})
        assert lost.value.connection_invalidated
    async with database.session() as session:
        assert (await DriverStatement("SELECT CAST(:one AS int) AS one").fetchrow(session, {"one": 1})).one == 1


async def test_a_row_read_on_the_driver_becomes_the_user_the_orm_would_load(database: Database) -> None:
    name = f"row_{uuid.uuid4().hex[:10]}"
    async with database.session() as session:
        user = User(
            username=name, email=f"{name}@example.org", password="hash", role=UserRole.ADMIN,
            profile_visibility=ProfileVisibility.PUBLIC, last_login_ip="10.0.0.7",
            user_notification_preferences={"digest": "weekly"}, date_of_birth=date(1990, 5, 17),
        )  # fmt: skip
        session.add(user)
    read = DriverStatement(f"SELECT {columns_of(User, 'u')} FROM auth_user u WHERE u.id = :id")  # noqa: S608
    async with database.sessionmaker() as session:
        loaded = await session.get(User, user.id)
        assert loaded is not None
        expected = {column.key: getattr(loaded, column.key) for column in User.__table__.columns}
    async with database.sessionmaker() as session:
        built = as_persistent(session, User, await read.fetchrow(session, {"id": user.id}))
        for key, value in expected.items():
            assert (getattr(built, key), type(getattr(built, key))) == (value, type(value)), key
        assert await session.get(User, user.id) is built and not session.is_modified(built)
        assert as_persistent(session, User, await read.fetchrow(session, {"id": user.id})) is built
        built.bio = "changed through the built object"
        await session.commit()
    async with database.sessionmaker() as session:
        loaded = await session.get(User, user.id)
        assert loaded is not None and loaded.bio == "changed through the built object"
        await session.delete(loaded)
        await session.commit()


async def test_a_connection_lost_on_the_driver_drops_the_rest_of_the_pool_too(
    database: Database, database_url: str
) -> None:
    async with database.sessionmaker() as first, database.sessionmaker() as second:
        pids = {await first.scalar(BACKEND_PID), await second.scalar(BACKEND_PID)}
    assert len(pids) == 2  # both back in the pool, both used just now
    await _kill(database_url, list(pids))
    with pytest.raises(DBAPIError):
        async with database.sessionmaker() as session:
            await DriverStatement("SELECT CAST(:one AS int) AS one").fetchrow(session, {"one": 1})
    async with database.session() as session:  # not the other dead one
        assert await session.scalar(BACKEND_PID) not in pids


class _LateHangupProxy:
    """A relay to the database server that passes on everything the server sends but, once the server
    hangs up, keeps the client's socket open until the client speaks again: the client holds the server's
    "terminating connection" message without having seen the connection close. That is a window of a
    fraction of a millisecond on a real link; here it lasts as long as the test needs."""

    def __init__(self, database_url: str) -> None:
        self.url = make_url(database_url)
        self.server: asyncio.Server | None = None
        self.clients: list[asyncio.StreamWriter] = []

    async def _open_upstream(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        socket_dir = self.url.query.get("host")  # the embedded server listens on a Unix socket
        if isinstance(socket_dir, str) and socket_dir.startswith("/"):
            return await asyncio.open_unix_connection(f"{socket_dir}/.s.PGSQL.{self.url.port or 5432}")
        return await asyncio.open_connection(self.url.host or "127.0.0.1", self.url.port or 5432)

    async def url_through(self) -> str:
        """Start relaying; the database URL that connects through this relay."""
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        relayed = self.url.difference_update_query(["host"]).set(host="127.0.0.1", port=port)
        return relayed.render_as_string(hide_password=False)

    async def _relay(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self.clients.append(client_writer)
        server_reader, server_writer = await self._open_upstream()

        async def pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()

        to_server = asyncio.create_task(pump(client_reader, server_writer))
        await pump(server_reader, client_writer)  # until the server hangs up
        server_writer.close()
        to_server.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await to_server
        await client_reader.read(1)  # the client's next word, which no server will read: now hang up
        client_writer.close()

    async def close(self) -> None:
        for client in self.clients:
            client.close()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


async def test_a_driver_statement_on_a_just_terminated_connection_fails_as_lost(database_url: str) -> None:
    """asyncpg that holds the server's goodbye but has not seen the socket close refuses the next statement
    with an InternalClientError (a protocol state it cannot leave): that too is a lost connection."""
    proxy = _LateHangupProxy(database_url)
    database = Database(await proxy.url_through())
    try:
        async with database.sessionmaker() as session:
            pid = await session.scalar(BACKEND_PID)
        await _kill(database_url, [pid])
        await asyncio.sleep(0.05)  # the goodbye has arrived; the socket is still open
        with pytest.raises(DBAPIError) as lost:
            async with database.sessionmaker() as session:
                await DriverStatement("SELECT CAST(:one AS int) AS one").fetchrow(session, {"one": 1})
        assert lost.value.connection_invalidated
    finally:
        await database.dispose()
        await proxy.close()


async def test_a_driver_statement_first_in_a_session_is_inside_its_transaction(database: Database) -> None:
    """asyncpg runs a statement in a transaction of its own unless one was begun, and SQLAlchemy begins one
    only on its own first statement: a driver statement that comes first must begin the session's."""
    async with database.sessionmaker() as session:
        first = await DriverStatement("SELECT CAST(txid_current() AS bigint) AS xid").fetchrow(session, {})
        assert first is not None
        assert await session.scalar(text("SELECT CAST(txid_current_if_assigned() AS bigint)")) == first.xid


async def test_a_driver_fetch_returns_every_row_by_position_and_by_name(database: Database) -> None:
    async with database.session() as session:
        rows = await DriverStatement(
            "SELECT n, CAST(n * :step AS numeric) AS total FROM generate_series(1, :count) AS n ORDER BY n"
        ).fetch(session, {"step": 2, "count": 3})
        assert [(row[0], row["total"]) for row in rows] == [(1, 2), (2, 4), (3, 6)]
        assert await DriverStatement("SELECT 1 WHERE :never").fetch(session, {"never": False}) == []


async def test_a_request_that_fails_after_its_expense_insert_saves_nothing(
    settings: Settings, redis_client: object, database: Database
) -> None:
    """Through the app on its own pool (no test transaction around it): the group expense's insert runs on
    the driver, and the tags step after it is made to fail; the expense must not be there afterwards."""
    application = create_app(settings)
    name = f"atomic_{uuid.uuid4().hex[:10]}"
    title = f"Dinner {name}"
    failing_tags = [
        "CREATE OR REPLACE FUNCTION refuse_tag() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'no tags today'; END"
        " $$ LANGUAGE plpgsql",
        "CREATE TRIGGER refuse_tag BEFORE INSERT ON expense_tags FOR EACH ROW EXECUTE FUNCTION refuse_tag()",
    ]
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test/api/v1") as client:
            account = {"email": f"{name}@example.org", "username": name, "password": "a long enough password"}
            assert (await client.post("/auth/register", json=account)).status_code == 201
            login = await client.post("/auth/login", json={"login": name, "password": account["password"]})
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            group = (await client.post("/groups", json={"name": "Atomic"}, headers=headers)).json()
            body = {"title": title, "amount": "12.00", "group_id": group["id"], "tags": ["food"]}
            try:
                async with database.session() as session:
                    for statement in failing_tags:
                        await session.execute(text(statement))
                failed = await client.post("/expenses", json=body, headers=headers)
            finally:
                async with database.session() as session:
                    await session.execute(text("DROP TRIGGER IF EXISTS refuse_tag ON expense_tags"))
                    await session.execute(text("DROP FUNCTION IF EXISTS refuse_tag()"))
            assert failed.status_code == 500
            async with database.session() as session:
                saved = text("SELECT count(*) FROM expenses WHERE title = :title")
                assert await session.scalar(saved, {"title": title}) == 0
            assert (await client.post("/expenses", json=body, headers=headers)).status_code == 201
