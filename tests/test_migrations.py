"""The baseline migration builds the whole schema, tears it down, builds it again, and matches the models."""

from __future__ import annotations

import asyncio

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from app.migrations import downgrade_to_base, upgrade_sql, upgrade_to_head
from app.models import Base

SEED_000_TABLES = {
    "auth_user", "user_profiles", "user_friendships", "user_devices", "email_verifications",
    "currencies", "categories", "tags", "countries", "system_configurations", "activity_logs",
    "expenses", "expense_shares", "expense_tags", "recurring_expenses", "expense_comments",
    "groups", "group_memberships", "group_invitations", "group_activities",
    "payment_methods", "settlements", "payments", "payment_webhooks",
    "expense_analytics", "user_spending_patterns", "report_templates", "generated_reports",
    "notifications", "notification_preferences", "notification_templates", "notification_logs",
}  # fmt: skip
SEED_002_TABLES = {
    "chat_messages", "statement_passwords", "statement_processing_logs", "expense_mentions",
    "budget_templates", "statement_merges", "statement_merge_files",
    "accounts", "uploaded_files", "budgets", "ai_settings", "user_preferences",
}  # fmt: skip


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
            return {row[0] for row in rows}
    finally:
        await engine.dispose()


async def _scalar(url: str, sql: str) -> object:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return (await connection.execute(text(sql))).scalar()
    finally:
        await engine.dispose()


@pytest.fixture
async def empty_database(servers):  # type: ignore[no-untyped-def]
    name, url = await servers.new_database("et_migration")
    yield url
    await servers.drop_database(name)


async def test_upgrade_downgrade_upgrade_on_empty_database(empty_database: str) -> None:
    await asyncio.to_thread(upgrade_to_head, empty_database)
    tables = await _tables(empty_database)
    assert tables >= SEED_000_TABLES
    assert tables >= SEED_002_TABLES
    assert len(tables - {"alembic_version"}) >= 45

    await asyncio.to_thread(downgrade_to_base, empty_database)
    assert await _tables(empty_database) == {"alembic_version"}
    assert await _scalar(empty_database, "SELECT count(*) FROM pg_type WHERE typtype = 'e'") == 0
    assert await _scalar(empty_database, "SELECT count(*) FROM pg_proc WHERE proname LIKE 'update_%'") == 0
    assert await _scalar(empty_database, "SELECT count(*) FROM pg_proc WHERE proname LIKE 'group_balance%'") == 0

    await asyncio.to_thread(upgrade_to_head, empty_database)
    assert len(await _tables(empty_database)) == len(tables)
    triggers = await _scalar(empty_database, "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal")
    # Seed 000's two (member count, user totals) and the five that keep group_balances.
    assert triggers == 7


async def test_models_and_migrations_do_not_drift(engine) -> None:  # type: ignore[no-untyped-def]
    async with engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata)
        )
    assert differences == []


def test_offline_sql_contains_the_schema() -> None:
    sql = upgrade_sql("postgresql+asyncpg://localhost/unused")
    assert "CREATE TABLE auth_user" in sql
    assert "CREATE TYPE split_type AS ENUM" in sql
    assert "CREATE TRIGGER trigger_update_member_count" in sql
    assert "USING gin (to_tsvector('english'::regconfig" in sql


async def test_seed_indexes_exist(session) -> None:  # type: ignore[no-untyped-def]
    wanted = {
        "idx_expense_search", "idx_expense_title_search", "idx_group_search", "idx_expense_split_data",
        "idx_notification_metadata", "idx_settlement_pending", "idx_expense_payer_date",
        "idx_share_balance", "idx_notification_user_read", "unique_default_per_account",
    }  # fmt: skip
    rows = await session.execute(text("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"))
    definitions = {name: definition for name, definition in rows}
    assert wanted <= definitions.keys()
    assert "USING gin" in definitions["idx_expense_search"]
    assert "WHERE" in definitions["idx_settlement_pending"]
    assert "'pending'" in definitions["idx_settlement_pending"]
