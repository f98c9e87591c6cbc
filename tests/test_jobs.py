"""Jobs leave only after their transaction commits, and the maintenance job really cleans up."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import redis.asyncio as aioredis
from sqlalchemy import select

from app import jobs
from app.db import Database
from app.models import EmailVerification, IdempotencyKey, RefreshToken
from tests.factories import make_user


@pytest.fixture
async def queue(redis_client: aioredis.Redis, servers):  # type: ignore[no-untyped-def]
    connection = await jobs.connect(servers.redis_url)
    jobs.set_queue(connection)
    yield redis_client
    jobs.set_queue(None)
    await connection.aclose()


async def queued_ids(redis_client: aioredis.Redis) -> set[str]:
    return {member.decode() for member in await redis_client.zrange(jobs.QUEUE_NAME, 0, -1)}


async def test_job_is_sent_after_commit_and_dropped_on_rollback(queue: aioredis.Redis, database_url: str) -> None:
    database = Database(database_url)
    try:
        async with database.session() as session:
            jobs.enqueue_after_commit(session, "purge_expired_tokens", job_id="purge:committed")
            assert await queued_ids(queue) == set()
        assert await queued_ids(queue) == {"purge:committed"}

        with pytest.raises(RuntimeError):
            async with database.session() as session:
                jobs.enqueue_after_commit(session, "purge_expired_tokens", job_id="purge:rolled-back")
                raise RuntimeError("the request failed")
        assert await queued_ids(queue) == {"purge:committed"}

        # Deterministic ids make a second enqueue of the same job harmless.
        assert await jobs.enqueue("purge_expired_tokens", job_id="purge:committed") is None
    finally:
        await database.dispose()


async def test_purge_expired_tokens_removes_only_long_expired(database_url: str) -> None:
    from app.workers.maintenance import purge_expired_tokens_now

    database = Database(database_url)
    now = datetime.now(UTC)
    try:
        async with database.session() as session:
            user = await make_user(session)
            session.add_all([
                EmailVerification(
                    user_id=user.id, token=f"old-{user.id}", email="a@x.io", expires_at=now - timedelta(days=30)
                ),
                EmailVerification(
                    user_id=user.id, token=f"new-{user.id}", email="a@x.io", expires_at=now + timedelta(days=1)
                ),
                RefreshToken(
                    user_id=user.id, family_id=uuid.uuid4(),
                    token_hash=f"{user.id:064d}", expires_at=now - timedelta(days=8),
                ),
                IdempotencyKey(user_id=user.id, key="yesterday", fingerprint="0" * 64, status_code=201, body={},
                               created_at=now - timedelta(hours=25)),
                IdempotencyKey(user_id=user.id, key="just-now", fingerprint="0" * 64, status_code=201, body={},
                               created_at=now - timedelta(minutes=5)),
            ])  # fmt: skip
        removed = await purge_expired_tokens_now(database, now=now)
        assert removed["email_verifications"] >= 1 and removed["refresh_tokens"] >= 1
        assert removed["idempotency_keys"] >= 1
        async with database.session() as session:
            left = (
                await session.scalars(select(EmailVerification.token).where(EmailVerification.user_id == user.id))
            ).all()
            assert left == [f"new-{user.id}"]
            kept = await session.scalars(select(IdempotencyKey.key).where(IdempotencyKey.user_id == user.id))
            assert kept.all() == ["just-now"]
            await session.delete(user)
    finally:
        await database.dispose()


async def test_recurring_job_run_twice_makes_one_expense_per_occurrence(database_url: str, settings, servers) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import func

    from app import jobs
    from app.models import Expense, Notification, RecurringExpense
    from app.workers.recurring import create_due_recurring_expenses
    from tests.factories import currency_id

    database = Database(database_url)
    queue = await jobs.connect(servers.redis_url)  # as the worker's start-up sets it: notifications go out
    jobs.set_queue(queue)
    ctx = {"db": database, "settings": settings, "job_id": "cron:recurring", "job_try": 1}
    try:
        async with database.session() as session:
            user = await make_user(session)
            template = RecurringExpense(
                title="Gym", amount=40, currency_id=await currency_id(session), frequency="weekly",
                created_by_id=user.id, paid_by_id=user.id, start_date=datetime.now(UTC).date() - timedelta(days=14),
                next_due_date=datetime.now(UTC).date() - timedelta(days=14),
            )  # fmt: skip
            session.add(template)
        assert await create_due_recurring_expenses(ctx) >= 3  # two weeks ago, last week, today
        assert await create_due_recurring_expenses(ctx) == 0
        async with database.session() as session:
            made = await session.scalar(select(func.count()).where(Expense.recurring_expense_id == template.id))
            assert made == 3
            told = (await session.scalars(select(Notification.title).where(Notification.user_id == user.id))).all()
            assert told == ["Gym: 3 added"]  # one notification for the catch-up, none for the second run
            await session.execute(Notification.__table__.delete().where(Notification.user_id == user.id))
            await session.execute(Expense.__table__.delete().where(Expense.recurring_expense_id == template.id))
            await session.delete(await session.get(RecurringExpense, template.id))
            await session.delete(await session.get(type(user), user.id))
    finally:
        jobs.set_queue(None)
        await queue.aclose()
        await database.dispose()
