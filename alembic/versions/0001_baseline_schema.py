"""Baseline schema: every table of seed 000 and seed 002 as joined by SCHEMA-MAP.md, and seed 000's triggers.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 05:58:42.424094+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


NATIVE_ENUM_TYPES = ("user_role", "expense_type", "split_type", "payment_status", "notification_priority")

# Seed 000's two triggers, corrected: the seed's versions read NEW on DELETE (NULL there) and recount
# with a sub-select, which two concurrent joins can both get wrong. These apply deltas under the row
# lock of the group (or profile) they change, so concurrent writers add up.
TRIGGERS_UP = (
    """
    CREATE OR REPLACE FUNCTION update_group_member_count() RETURNS trigger AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.is_active THEN
        UPDATE groups SET member_count = member_count - 1 WHERE id = OLD.group_id;
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.is_active THEN
        UPDATE groups SET member_count = member_count + 1 WHERE id = NEW.group_id;
      END IF;
      RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER trigger_update_member_count
    AFTER INSERT OR UPDATE OF is_active, group_id OR DELETE ON group_memberships
    FOR EACH ROW EXECUTE FUNCTION update_group_member_count()
    """,
    # total_expenses / expense_count on the payer's profile count live spending rows (not income,
    # refunds or transfers, not soft-deleted ones), kept right through edits and deletes too.
    """
    CREATE OR REPLACE FUNCTION update_user_totals() RETURNS trigger AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') AND NOT OLD.is_deleted AND OLD.transaction_type = 'expense' THEN
        UPDATE user_profiles
           SET total_expenses = total_expenses - OLD.amount, expense_count = expense_count - 1
         WHERE user_id = OLD.paid_by_id;
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') AND NOT NEW.is_deleted AND NEW.transaction_type = 'expense' THEN
        UPDATE user_profiles
           SET total_expenses = total_expenses + NEW.amount, expense_count = expense_count + 1
         WHERE user_id = NEW.paid_by_id;
      END IF;
      RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER trigger_update_user_totals
    AFTER INSERT OR UPDATE OF amount, paid_by_id, is_deleted, transaction_type OR DELETE ON expenses
    FOR EACH ROW EXECUTE FUNCTION update_user_totals()
    """,
)

TRIGGERS_DOWN = (
    "DROP TRIGGER IF EXISTS trigger_update_user_totals ON expenses",
    "DROP FUNCTION IF EXISTS update_user_totals()",
    "DROP TRIGGER IF EXISTS trigger_update_member_count ON group_memberships",
    "DROP FUNCTION IF EXISTS update_group_member_count()",
)


def upgrade() -> None:
    op.create_table(
        "auth_user",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("username", sa.String(length=150), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password", sa.String(length=128), nullable=False),
        sa.Column("first_name", sa.String(length=150), nullable=True),
        sa.Column("last_name", sa.String(length=150), nullable=True),
        sa.Column("phone_number", sa.String(length=17), nullable=True),
        sa.Column("avatar", sa.String(length=100), nullable=True),
        sa.Column("bio", sa.Text(), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("preferred_currency", sa.String(length=3), server_default="USD", nullable=False),
        sa.Column("timezone", sa.String(length=50), server_default="UTC", nullable=False),
        sa.Column(
            "user_notification_preferences",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("role", sa.Enum("user", "premium", "admin", name="user_role"), server_default="user", nullable=False),
        sa.Column("is_verified", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("is_premium", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "profile_visibility",
            sa.Enum(
                "public",
                "friends",
                "private",
                name="profile_visibility",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            server_default="friends",
            nullable=False,
        ),
        sa.Column("last_login_ip", postgresql.INET(), nullable=True),
        sa.Column("failed_login_attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("account_locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("is_staff", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("is_superuser", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("date_joined", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("last_login", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("preferred_currency ~ '^[A-Z]{3}$'", name=op.f("ck_auth_user_preferred_currency_iso")),
        sa.CheckConstraint("failed_login_attempts >= 0", name=op.f("ck_auth_user_failed_login_attempts_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_user")),
        sa.UniqueConstraint("email", name=op.f("uq_auth_user_email")),
        sa.UniqueConstraint("username", name=op.f("uq_auth_user_username")),
    )
    op.create_index("idx_user_is_active", "auth_user", ["is_active", "is_verified"], unique=False)
    op.create_table(
        "currencies",
        sa.Column("code", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("symbol", sa.String(length=10), nullable=False),
        sa.Column("decimal_places", sa.SmallInteger(), server_default=sa.text("2"), nullable=False),
        sa.Column(
            "exchange_rate_to_usd", sa.Numeric(precision=20, scale=10), server_default=sa.text("1"), nullable=False
        ),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("code ~ '^[A-Z]{3}$'", name=op.f("ck_currencies_code_iso")),
        sa.CheckConstraint("decimal_places BETWEEN 0 AND 4", name=op.f("ck_currencies_decimal_places_range")),
        sa.CheckConstraint("exchange_rate_to_usd > 0", name=op.f("ck_currencies_positive_rate")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_currencies")),
        sa.UniqueConstraint("code", name=op.f("uq_currencies_code")),
    )
    op.create_index("idx_currency_active", "currencies", ["is_active"], unique=False)
    op.create_table(
        "notification_templates",
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("notification_type", sa.String(length=30), nullable=False),
        sa.Column(
            "template_type",
            sa.Enum(
                "in_app",
                "email",
                "push",
                "sms",
                name="template_type",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "variables", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("language", sa.String(length=10), server_default="en", nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_templates")),
        sa.UniqueConstraint("name", name=op.f("uq_notification_templates_name")),
        sa.UniqueConstraint(
            "notification_type",
            "template_type",
            "language",
            name=op.f("uq_notification_templates_notification_type_template_type_language"),
        ),
    )
    op.create_table(
        "system_configurations",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column(
            "data_type",
            sa.Enum(
                "string",
                "integer",
                "decimal",
                "boolean",
                "json",
                name="config_data_type",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            server_default="string",
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("is_sensitive", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_system_configurations")),
        sa.UniqueConstraint("key", name=op.f("uq_system_configurations_key")),
    )
    op.create_table(
        "accounts",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "account_type",
            sa.Enum(
                "bank",
                "credit_card",
                "cash",
                "wallet",
                name="account_type",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("institution", sa.String(length=100), nullable=True),
        sa.Column("currency_id", sa.Uuid(), nullable=False),
        sa.Column("last_four", sa.String(length=4), nullable=True),
        sa.Column("opening_balance", sa.Numeric(precision=19, scale=4), server_default=sa.text("0"), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "import_settings",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("last_four ~ '^[0-9]{4}$'", name=op.f("ck_accounts_last_four_digits")),
        sa.ForeignKeyConstraint(
            ["currency_id"], ["currencies.id"], name=op.f("fk_accounts_currency_id_currencies"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], name=op.f("fk_accounts_user_id_auth_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
    )
    op.create_index("idx_account_user_active", "accounts", ["user_id", "is_active"], unique=False)
    op.create_table(
        "activity_logs",
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("content_type", sa.String(length=50), nullable=True),
        sa.Column("object_id", sa.String(length=100), nullable=True),
        sa.Column("object_repr", sa.String(length=200), nullable=True),
        sa.Column(
            "changes", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("ip_address", postgresql.INET(), nullable=True),
        sa.Column("user_agent", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], name=op.f("fk_activity_logs_user_id_auth_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_logs")),
    )
    op.create_index("idx_activity_object", "activity_logs", ["content_type", "object_id"], unique=False)
    op.create_index("idx_activity_user_action", "activity_logs", ["user_id", "action", "created_at"], unique=False)
    op.create_index(
        "idx_activity_user_created",
        "activity_logs",
        ["user_id", sa.literal_column("created_at DESC"), sa.literal_column("id DESC")],
        unique=False,
    )
    op.create_table(
        "ai_settings",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("openai_api_key", sa.LargeBinary(), nullable=True),
        sa.Column("anthropic_api_key", sa.LargeBinary(), nullable=True),
        sa.Column("gemini_api_key", sa.LargeBinary(), nullable=True),
        sa.Column("openai_model", sa.String(length=100), server_default="gpt-4o-mini", nullable=False),
        sa.Column("anthropic_model", sa.String(length=100), server_default="claude-3-5-haiku-latest", nullable=False),
        sa.Column("gemini_model", sa.String(length=100), server_default="gemini-2.0-flash", nullable=False),
        sa.Column("openai_base_url", sa.String(length=500), nullable=True),
        sa.Column(
            "active_parser_provider",
            sa.Enum(
                "system",
                "openai",
                "claude",
                "gemini",
                name="active_parser_provider",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            server_default="system",
            nullable=False,
        ),
        sa.Column("api_key_last_tested", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "api_key_test_status",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], name=op.f("fk_ai_settings_user_id_auth_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_settings")),
        sa.UniqueConstraint("user_id", name=op.f("uq_ai_settings_user_id")),
    )
    op.create_table(
        "budget_templates",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("is_system", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_by_id", sa.BigInteger(), nullable=True),
        sa.Column("category_allocations", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "target_income_range",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "location_tags",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("usage_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "is_system OR created_by_id IS NOT NULL", name=op.f("ck_budget_templates_owner_unless_system")
        ),
        sa.CheckConstraint("usage_count >= 0", name=op.f("ck_budget_templates_usage_count_not_negative")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["auth_user.id"],
            name=op.f("fk_budget_templates_created_by_id_auth_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_templates")),
    )
    op.create_index("idx_budget_template_creator", "budget_templates", ["created_by_id", "is_active"], unique=False)
    op.create_index(
        "idx_budget_template_system",
        "budget_templates",
        ["is_system", "is_active", sa.literal_column("usage_count DESC")],
        unique=False,
    )
    op.create_index(
        "idx_budget_template_usage", "budget_templates", [sa.literal_column("usage_count DESC")], unique=False
    )
    op.create_table(
        "categories",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("icon", sa.String(length=50), nullable=True),
        sa.Column("color", sa.String(length=7), server_default="#007bff", nullable=False),
        sa.Column("is_default", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("color ~ '^#[0-9A-Fa-f]{6}$'", name=op.f("ck_categories_color_hex")),
        sa.CheckConstraint("slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name=op.f("ck_categories_slug_format")),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name=op.f("ck_categories_not_own_parent")),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["categories.id"], name=op.f("fk_categories_parent_id_categories"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], name=op.f("fk_categories_user_id_auth_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
    )
    op.create_index(
        "idx_category_name", "categories", ["name"], unique=True, postgresql_where=sa.text("user_id IS NULL")
    )
    op.create_index("idx_category_parent", "categories", ["parent_id"], unique=False)
    op.create_index(
        "idx_category_slug", "categories", ["slug"], unique=True, postgresql_where=sa.text("user_id IS NULL")
    )
    op.create_index(
        "idx_category_user_name",
        "categories",
        ["user_id", "name"],
        unique=True,
        postgresql_where=sa.text("user_id IS NOT NULL"),
    )
    op.create_index(
        "idx_category_user_slug",
        "categories",
        ["user_id", "slug"],
        unique=True,
        postgresql_where=sa.text("user_id IS NOT NULL"),
    )
    op.create_table(
        "countries",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("currency_id", sa.Uuid(), nullable=True),
        sa.Column("phone_code", sa.String(length=10), nullable=True),
        sa.Column("flag_emoji", sa.String(length=10), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("code ~ '^[A-Z]{2}$'", name=op.f("ck_countries_code_iso")),
        sa.ForeignKeyConstraint(
            ["currency_id"], ["currencies.id"], name=op.f("fk_countries_currency_id_currencies"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_countries")),
        sa.UniqueConstraint("code", name=op.f("uq_countries_code")),
        sa.UniqueConstraint("name", name=op.f("uq_countries_name")),
    )
    op.create_index("idx_country_currency", "countries", ["currency_id"], unique=False)
    op.create_table(
        "email_verifications",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("token", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("is_used", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], name=op.f("fk_email_verifications_user_id_auth_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_verifications")),
        sa.UniqueConstraint("token", name=op.f("uq_email_verifications_token")),
    )
    op.create_index("idx_verification_user", "email_verifications", ["user_id", "is_used"], unique=False)
    op.create_table(
        "groups",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "group_type",
            sa.Enum(
                "personal",
                "trip",
                "home",
                "couple",
                "project",
                "other",
                name="group_type",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            server_default="other",
            nullable=False,
        ),
        sa.Column("image", sa.String(length=255), nullable=True),
        sa.Column("currency_id", sa.Uuid(), nullable=False),
        sa.Column("is_private", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("invite_code", sa.String(length=12), nullable=True),
        sa.Column("member_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("total_expenses", sa.Numeric(precision=19, scale=4), server_default=sa.text("0"), nullable=False),
        sa.Column("settled_amount", sa.Numeric(precision=19, scale=4), server_default=sa.text("0"), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("is_archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.BigInteger(), nullable=True),
        sa.Column("simplify_debts", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("requires_approval", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("member_count >= 0", name=op.f("ck_groups_member_count_not_negative")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["auth_user.id"], name=op.f("fk_groups_created_by_id_auth_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["currency_id"], ["currencies.id"], name=op.f("fk_groups_currency_id_currencies"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_groups")),
        sa.UniqueConstraint("invite_code", name=op.f("uq_groups_invite_code")),
    )
    op.create_index("idx_group_name_active", "groups", ["name", "is_active"], unique=False)
    op.create_index(
        "idx_group_search",
        "groups",
        [sa.literal_column("to_tsvector('english'::regconfig, (name::text || ' ') || COALESCE(description, ''))")],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(op.f("ix_groups_is_active"), "groups", ["is_active"], unique=False)
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("notification_type", sa.String(length=30), nullable=False),
        sa.Column("is_enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "delivery_methods",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("quiet_hours_start", sa.Time(), nullable=True),
        sa.Column("quiet_hours_end", sa.Time(), nullable=True),
        sa.Column(
            "frequency_limit",
            sa.Enum(
                "immediate",
                "hourly_digest",
                "daily_digest",
                name="frequency_limit",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            server_default="immediate",
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["auth_user.id"],
            name=op.f("fk_notification_preferences_user_id_auth_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_preferences")),
        sa.UniqueConstraint(
            "user_id", "notification_type", name=op.f("uq_notification_preferences_user_id_notification_type")
        ),
    )
    op.create_table(
        "notifications",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("sender_id", sa.BigInteger(), nullable=True),
        sa.Column("notification_type", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column(
            "priority",
            sa.Enum("low", "normal", "high", "urgent", name="notification_priority"),
            server_default="normal",
            nullable=False,
        ),
        sa.Column("is_read", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("related_object_type", sa.String(length=50), nullable=True),
        sa.Column("related_object_id", sa.String(length=100), nullable=True),
        sa.Column("action_url", sa.String(length=500), nullable=True),
        sa.Column(
            "metadata", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("is_sent", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "delivery_channels",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["sender_id"], ["auth_user.id"], name=op.f("fk_notifications_sender_id_auth_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], name=op.f("fk_notifications_user_id_auth_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index(
        "idx_notification_due",
        "notifications",
        ["scheduled_for"],
        unique=False,
        postgresql_where=sa.text("NOT is_sent"),
    )
    op.create_index("idx_notification_metadata", "notifications", ["metadata"], unique=False, postgresql_using="gin")
    op.create_index("idx_notification_priority", "notifications", ["priority", "is_sent"], unique=False)
    op.create_index("idx_notification_type", "notifications", ["notification_type", "created_at"], unique=False)
    op.create_index(
        "idx_notification_user_created",
        "notifications",
        ["user_id", sa.literal_column("created_at DESC"), sa.literal_column("id DESC")],
        unique=False,
    )
    op.create_index(
        "idx_notification_user_read",
        "notifications",
        ["user_id", "is_read", sa.literal_column("created_at DESC")],
        unique=False,
    )
    op.create_table(
        "password_resets",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ip_address", postgresql.INET(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], name=op.f("fk_password_resets_user_id_auth_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_resets")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_resets_token_hash")),
    )
    op.create_index("idx_password_reset_user", "password_resets", ["user_id", "used_at"], unique=False)
    op.create_table(
        "payment_methods",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "method_type",
            sa.Enum(
                "bank",
                "card",
                "paypal",
                "stripe",
                "venmo",
                "upi",
                "cash",
                "other",
                name="method_type",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "details", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("encrypted_details", sa.LargeBinary(), nullable=True),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column(
            "metadata", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("is_verified", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("is_default", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], name=op.f("fk_payment_methods_user_id_auth_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_methods")),
    )
    op.create_index("idx_payment_method_type", "payment_methods", ["method_type", "is_active"], unique=False)
    op.create_index("idx_payment_method_user", "payment_methods", ["user_id", "is_active"], unique=False)
    op.create_index(
        "uq_payment_method_default",
        "payment_methods",
        ["user_id"],
        unique=True,
        postgresql_where=sa.text("is_default AND is_active"),
    )
    op.create_table(
        "refresh_tokens",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("replaced_by_id", sa.Uuid(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=30), nullable=True),
        sa.Column("ip_address", postgresql.INET(), nullable=True),
        sa.Column("user_agent", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["replaced_by_id"],
            ["refresh_tokens.id"],
            name=op.f("fk_refresh_tokens_replaced_by_id_refresh_tokens"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], name=op.f("fk_refresh_tokens_user_id_auth_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_refresh_tokens_token_hash")),
    )
    op.create_index("idx_refresh_token_family", "refresh_tokens", ["family_id"], unique=False)
    op.create_index("idx_refresh_token_user", "refresh_tokens", ["user_id", "revoked_at"], unique=False)
    op.create_table(
        "report_templates",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("report_type", sa.String(length=30), nullable=False),
        sa.Column("created_by_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "filters", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column(
            "fields", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False
        ),
        sa.Column(
            "grouping", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column(
            "sorting", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column(
            "output_format",
            sa.Enum("pdf", "csv", "xlsx", name="output_format", native_enum=False, create_constraint=True, length=20),
            server_default="pdf",
            nullable=False,
        ),
        sa.Column(
            "styling", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("is_public", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("usage_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_used", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["auth_user.id"],
            name=op.f("fk_report_templates_created_by_id_auth_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_templates")),
    )
    op.create_index("idx_template_creator", "report_templates", ["created_by_id", "report_type"], unique=False)
    op.create_index("idx_template_public", "report_templates", ["is_public", "usage_count"], unique=False)
    op.create_table(
        "tags",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("color", sa.String(length=7), server_default="#6c757d", nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("usage_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("color ~ '^#[0-9A-Fa-f]{6}$'", name=op.f("ck_tags_color_hex")),
        sa.CheckConstraint("usage_count >= 0", name=op.f("ck_tags_usage_count_not_negative")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], name=op.f("fk_tags_user_id_auth_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("user_id", "name", name=op.f("uq_tags_user_id_name")),
    )
    op.create_index("idx_tag_usage", "tags", ["user_id", sa.literal_column("usage_count DESC")], unique=False)
    op.create_table(
        "user_devices",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("device_token", sa.String(length=255), nullable=False),
        sa.Column(
            "device_type",
            sa.Enum("ios", "android", "web", name="device_type", native_enum=False, create_constraint=True, length=20),
            nullable=False,
        ),
        sa.Column("device_name", sa.String(length=100), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("last_used", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], name=op.f("fk_user_devices_user_id_auth_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_devices")),
        sa.UniqueConstraint("device_token", name=op.f("uq_user_devices_device_token")),
    )
    op.create_index("idx_device_user", "user_devices", ["user_id", "is_active"], unique=False)
    op.create_table(
        "user_friendships",
        sa.Column("from_user_id", sa.BigInteger(), nullable=False),
        sa.Column("to_user_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "blocked",
                "declined",
                name="friendship_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            server_default="pending",
            nullable=False,
        ),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("from_user_id <> to_user_id", name=op.f("ck_user_friendships_different_users")),
        sa.ForeignKeyConstraint(
            ["from_user_id"],
            ["auth_user.id"],
            name=op.f("fk_user_friendships_from_user_id_auth_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_user_id"], ["auth_user.id"], name=op.f("fk_user_friendships_to_user_id_auth_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_friendships")),
        sa.UniqueConstraint("from_user_id", "to_user_id", name=op.f("uq_user_friendships_from_user_id_to_user_id")),
    )
    op.create_index("idx_friendship_status", "user_friendships", ["status"], unique=False)
    op.create_index("idx_friendship_to_user", "user_friendships", ["to_user_id", "status"], unique=False)
    op.create_index(
        "uq_friendship_pair",
        "user_friendships",
        [sa.literal_column("least(from_user_id, to_user_id)"), sa.literal_column("greatest(from_user_id, to_user_id)")],
        unique=True,
    )
    op.create_table(
        "user_profiles",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("occupation", sa.String(length=100), nullable=True),
        sa.Column("company", sa.String(length=100), nullable=True),
        sa.Column("website", sa.String(length=200), nullable=True),
        sa.Column("country", sa.String(length=50), nullable=True),
        sa.Column("city", sa.String(length=50), nullable=True),
        sa.Column(
            "social_links",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("total_expenses", sa.Numeric(precision=19, scale=4), server_default=sa.text("0"), nullable=False),
        sa.Column("total_groups", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("expense_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], name=op.f("fk_user_profiles_user_id_auth_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_profiles")),
        sa.UniqueConstraint("user_id", name=op.f("uq_user_profiles_user_id")),
    )
    op.create_table(
        "user_spending_patterns",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("analysis_date", sa.Date(), nullable=False),
        sa.Column(
            "most_active_day",
            sa.Enum(
                "monday",
                "tuesday",
                "wednesday",
                "thursday",
                "friday",
                "saturday",
                "sunday",
                name="weekday",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("most_active_hour", sa.SmallInteger(), nullable=True),
        sa.Column(
            "top_categories",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "category_distribution",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "average_expense_amount", sa.Numeric(precision=19, scale=4), server_default=sa.text("0"), nullable=False
        ),
        sa.Column("expense_frequency", sa.Numeric(precision=5, scale=2), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "group_vs_individual_ratio", sa.Numeric(precision=5, scale=2), server_default=sa.text("0"), nullable=False
        ),
        sa.Column(
            "most_active_groups",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "seasonal_spending",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("most_active_hour BETWEEN 0 AND 23", name=op.f("ck_user_spending_patterns_hour_range")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], name=op.f("fk_user_spending_patterns_user_id_auth_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_spending_patterns")),
        sa.UniqueConstraint("user_id", "analysis_date", name=op.f("uq_user_spending_patterns_user_id_analysis_date")),
    )
    op.create_index(
        op.f("ix_user_spending_patterns_analysis_date"), "user_spending_patterns", ["analysis_date"], unique=False
    )
    op.create_table(
        "budgets",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "period_type",
            sa.Enum(
                "weekly",
                "monthly",
                "yearly",
                "custom",
                name="budget_period",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            server_default="monthly",
            nullable=False,
        ),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=19, scale=4), nullable=False),
        sa.Column("currency_id", sa.Uuid(), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "alert_thresholds",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[80, 100]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "budget_type",
            sa.Enum(
                "manual",
                "template",
                "ai_suggested",
                name="budget_type",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            server_default="manual",
            nullable=False,
        ),
        sa.Column(
            "category_allocations",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("template_source", sa.String(length=100), nullable=True),
        sa.Column("template_id", sa.Uuid(), nullable=True),
        sa.Column("ai_generation_context", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("period_type <> 'custom' OR end_date IS NOT NULL", name=op.f("ck_budgets_custom_needs_end")),
        sa.CheckConstraint("amount > 0", name=op.f("ck_budgets_positive_amount")),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name=op.f("ck_budgets_date_order")),
        sa.ForeignKeyConstraint(
            ["currency_id"], ["currencies.id"], name=op.f("fk_budgets_currency_id_currencies"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_budgets_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["budget_templates.id"],
            name=op.f("fk_budgets_template_id_budget_templates"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], name=op.f("fk_budgets_user_id_auth_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budgets")),
    )
    op.create_index("idx_budget_group_active", "budgets", ["group_id", "is_active"], unique=False)
    op.create_index("idx_budget_user_active", "budgets", ["user_id", "is_active"], unique=False)
    op.create_table(
        "expense_analytics",
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("group_id", sa.Uuid(), nullable=True),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column(
            "period_type",
            sa.Enum(
                "daily",
                "weekly",
                "monthly",
                "yearly",
                name="period_type",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("total_amount", sa.Numeric(precision=19, scale=4), server_default=sa.text("0"), nullable=False),
        sa.Column("currency_id", sa.Uuid(), nullable=False),
        sa.Column("expense_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("average_amount", sa.Numeric(precision=19, scale=4), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "category_breakdown",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("trend_percentage", sa.Numeric(precision=9, scale=2), server_default=sa.text("0"), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("period_start <= period_end", name=op.f("ck_expense_analytics_period_order")),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_expense_analytics_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["currency_id"],
            ["currencies.id"],
            name=op.f("fk_expense_analytics_currency_id_currencies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_expense_analytics_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], name=op.f("fk_expense_analytics_user_id_auth_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expense_analytics")),
    )
    op.create_index("idx_analytics_category", "expense_analytics", ["category_id", "period_start"], unique=False)
    op.create_index(
        "idx_analytics_group_period", "expense_analytics", ["group_id", "period_type", "period_start"], unique=False
    )
    op.create_index(
        "idx_analytics_user_period", "expense_analytics", ["user_id", "period_type", "period_start"], unique=False
    )
    op.create_index(op.f("ix_expense_analytics_period_end"), "expense_analytics", ["period_end"], unique=False)
    op.create_index(op.f("ix_expense_analytics_period_start"), "expense_analytics", ["period_start"], unique=False)
    op.create_index(
        "uq_expense_analytics_scope",
        "expense_analytics",
        [
            sa.literal_column("COALESCE(user_id, 0)"),
            sa.literal_column("COALESCE(group_id, '00000000-0000-0000-0000-000000000000'::uuid)"),
            sa.literal_column("COALESCE(category_id, '00000000-0000-0000-0000-000000000000'::uuid)"),
            "period_type",
            "period_start",
        ],
        unique=True,
    )
    op.create_table(
        "generated_reports",
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("generated_by_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "parameters", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "completed",
                "failed",
                "expired",
                name="report_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            server_default="queued",
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("file_path", sa.String(length=500), nullable=True),
        sa.Column("file_size", sa.BigInteger(), nullable=True),
        sa.Column("download_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["generated_by_id"],
            ["auth_user.id"],
            name=op.f("fk_generated_reports_generated_by_id_auth_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["report_templates.id"],
            name=op.f("fk_generated_reports_template_id_report_templates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_generated_reports")),
    )
    op.create_index("idx_report_generator", "generated_reports", ["generated_by_id", "status"], unique=False)
    op.create_index("idx_report_status", "generated_reports", ["status", "expires_at"], unique=False)
    op.create_table(
        "group_activities",
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("activity_type", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "metadata", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_group_activities_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], name=op.f("fk_group_activities_user_id_auth_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_activities")),
    )
    op.create_index(
        "idx_activity_group",
        "group_activities",
        ["group_id", sa.literal_column("created_at DESC"), sa.literal_column("id DESC")],
        unique=False,
    )
    op.create_index("idx_activity_user_type", "group_activities", ["user_id", "activity_type"], unique=False)
    op.create_index(op.f("ix_group_activities_activity_type"), "group_activities", ["activity_type"], unique=False)
    op.create_table(
        "group_invitations",
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("invited_by_id", sa.BigInteger(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone_number", sa.String(length=17), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("is_accepted", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("is_expired", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("accepted_by_id", sa.BigInteger(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "email IS NOT NULL OR phone_number IS NOT NULL", name=op.f("ck_group_invitations_has_recipient")
        ),
        sa.ForeignKeyConstraint(
            ["accepted_by_id"],
            ["auth_user.id"],
            name=op.f("fk_group_invitations_accepted_by_id_auth_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_group_invitations_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["auth_user.id"],
            name=op.f("fk_group_invitations_invited_by_id_auth_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_group_invitations_token_hash")),
    )
    op.create_index("idx_invitation_email", "group_invitations", ["email", "is_accepted"], unique=False)
    op.create_index("idx_invitation_group", "group_invitations", ["group_id", "is_accepted"], unique=False)
    op.create_table(
        "group_memberships",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin", "member", "viewer", name="member_role", native_enum=False, create_constraint=True, length=20
            ),
            server_default="member",
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "declined",
                "left",
                "removed",
                name="membership_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            server_default="pending",
            nullable=False,
        ),
        sa.Column("invited_by_id", sa.BigInteger(), nullable=True),
        sa.Column("invitation_message", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "notification_preferences",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "(is_active AND status = 'accepted') OR NOT is_active", name=op.f("ck_group_memberships_active_status")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_group_memberships_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["auth_user.id"],
            name=op.f("fk_group_memberships_invited_by_id_auth_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], name=op.f("fk_group_memberships_user_id_auth_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_memberships")),
        sa.UniqueConstraint("user_id", "group_id", name=op.f("uq_group_memberships_user_id_group_id")),
    )
    op.create_index("idx_group_member", "group_memberships", ["group_id", "user_id", "is_active"], unique=False)
    op.create_index("idx_membership_group_active", "group_memberships", ["group_id", "is_active"], unique=False)
    op.create_index("idx_membership_user_active", "group_memberships", ["user_id", "is_active"], unique=False)
    op.create_table(
        "notification_logs",
        sa.Column("notification_id", sa.Uuid(), nullable=False),
        sa.Column(
            "delivery_method",
            sa.Enum(
                "in_app",
                "email",
                "push",
                "sms",
                name="delivery_method",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("recipient", sa.String(length=255), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sent",
                "delivered",
                "opened",
                "clicked",
                "failed",
                "bounced",
                "skipped",
                name="delivery_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            server_default="pending",
            nullable=False,
        ),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("clicked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("retry_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "metadata", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("retry_count >= 0", name=op.f("ck_notification_logs_retry_count_not_negative")),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_notification_logs_notification_id_notifications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_logs")),
    )
    op.create_index("idx_log_notification", "notification_logs", ["notification_id", "delivery_method"], unique=False)
    op.create_index("idx_log_status", "notification_logs", ["status", "sent_at"], unique=False)
    op.create_table(
        "recurring_expenses",
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=19, scale=4), nullable=False),
        sa.Column("currency_id", sa.Uuid(), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column(
            "frequency",
            sa.Enum(
                "daily",
                "weekly",
                "monthly",
                "quarterly",
                "yearly",
                name="frequency",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("interval", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=True),
        sa.Column("created_by_id", sa.BigInteger(), nullable=False),
        sa.Column("paid_by_id", sa.BigInteger(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("next_due_date", sa.Date(), nullable=False),
        sa.Column(
            "split_type",
            sa.Enum("equal", "exact", "percentage", "shares", "adjustment", name="split_type"),
            server_default="equal",
            nullable=False,
        ),
        sa.Column(
            "split_data", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("is_paused", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("paused_until", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "start_date <= COALESCE(end_date, '9999-12-31'::date)", name=op.f("ck_recurring_expenses_date_range")
        ),
        sa.CheckConstraint('"interval" > 0', name=op.f("ck_recurring_expenses_positive_interval")),
        sa.CheckConstraint("amount > 0", name=op.f("ck_recurring_expenses_positive_amount")),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_recurring_expenses_category_id_categories"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["auth_user.id"],
            name=op.f("fk_recurring_expenses_created_by_id_auth_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["currency_id"],
            ["currencies.id"],
            name=op.f("fk_recurring_expenses_currency_id_currencies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_recurring_expenses_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["paid_by_id"],
            ["auth_user.id"],
            name=op.f("fk_recurring_expenses_paid_by_id_auth_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recurring_expenses")),
    )
    op.create_index("idx_recurring_creator_active", "recurring_expenses", ["created_by_id", "is_active"], unique=False)
    op.create_index("idx_recurring_group_active", "recurring_expenses", ["group_id", "is_active"], unique=False)
    op.create_index("idx_recurring_next_active", "recurring_expenses", ["next_due_date", "is_active"], unique=False)
    op.create_index(op.f("ix_recurring_expenses_is_active"), "recurring_expenses", ["is_active"], unique=False)
    op.create_index(op.f("ix_recurring_expenses_next_due_date"), "recurring_expenses", ["next_due_date"], unique=False)
    op.create_table(
        "settlements",
        sa.Column("payer_id", sa.BigInteger(), nullable=False),
        sa.Column("payee_id", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=19, scale=4), nullable=False),
        sa.Column("currency_id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=True),
        sa.Column(
            "method",
            sa.Enum(
                "manual",
                "automatic",
                "external",
                name="settlement_method",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            server_default="manual",
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("pending", "processing", "completed", "failed", "refunded", "cancelled", name="payment_status"),
            server_default="pending",
            nullable=False,
        ),
        sa.Column("payment_method_id", sa.Uuid(), nullable=True),
        sa.Column("external_transaction_id", sa.String(length=255), nullable=True),
        sa.Column("payment_service", sa.String(length=50), nullable=True),
        sa.Column(
            "payment_metadata",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("due_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("is_confirmed_by_payer", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("is_confirmed_by_payee", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.BigInteger(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_settlements_positive_settlement")),
        sa.CheckConstraint("payer_id <> payee_id", name=op.f("ck_settlements_different_parties")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["auth_user.id"],
            name=op.f("fk_settlements_created_by_id_auth_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["currency_id"], ["currencies.id"], name=op.f("fk_settlements_currency_id_currencies"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_settlements_group_id_groups"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["payee_id"], ["auth_user.id"], name=op.f("fk_settlements_payee_id_auth_user"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["payer_id"], ["auth_user.id"], name=op.f("fk_settlements_payer_id_auth_user"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["payment_method_id"],
            ["payment_methods.id"],
            name=op.f("fk_settlements_payment_method_id_payment_methods"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlements")),
    )
    op.create_index("idx_settlement_group_status", "settlements", ["group_id", "status"], unique=False)
    op.create_index("idx_settlement_payee_status", "settlements", ["payee_id", "status"], unique=False)
    op.create_index("idx_settlement_payer_status", "settlements", ["payer_id", "status"], unique=False)
    op.create_index(
        "idx_settlement_pending",
        "settlements",
        ["status", "due_date"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index("idx_settlement_status_due", "settlements", ["status", "due_date"], unique=False)
    op.create_index("idx_settlement_user", "settlements", ["payer_id", "payee_id", "status"], unique=False)
    op.create_index(op.f("ix_settlements_status"), "settlements", ["status"], unique=False)
    op.create_table(
        "statement_passwords",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("encrypted_password", sa.LargeBinary(), nullable=False),
        sa.Column("password_hint", sa.String(length=255), nullable=True),
        sa.Column("file_pattern", sa.String(length=255), nullable=True),
        sa.Column("is_default", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("last_used", sa.DateTime(timezone=True), nullable=True),
        sa.Column("success_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("success_count >= 0", name=op.f("ck_statement_passwords_success_count_not_negative")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_statement_passwords_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], name=op.f("fk_statement_passwords_user_id_auth_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_passwords")),
    )
    op.create_index(
        "idx_statement_password_user_account", "statement_passwords", ["user_id", "account_id"], unique=False
    )
    op.create_index(
        "idx_statement_password_user_default", "statement_passwords", ["user_id", "is_default"], unique=False
    )
    op.create_index(
        "unique_default_per_account",
        "statement_passwords",
        ["user_id", sa.literal_column("COALESCE(account_id, '00000000-0000-0000-0000-000000000000'::uuid)")],
        unique=True,
        postgresql_where=sa.text("is_default"),
    )
    op.create_table(
        "user_preferences",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("sidebar_collapsed", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "quick_add_mode",
            sa.Enum(
                "normal", "ai", "shortcut", name="quick_add_mode", native_enum=False, create_constraint=True, length=20
            ),
            server_default="normal",
            nullable=False,
        ),
        sa.Column(
            "default_chat_parser",
            sa.Enum("system", "ai", name="default_chat_parser", native_enum=False, create_constraint=True, length=20),
            server_default="ai",
            nullable=False,
        ),
        sa.Column("locale", sa.String(length=10), server_default="en", nullable=False),
        sa.Column(
            "date_format",
            sa.Enum(
                "YYYY-MM-DD",
                "DD/MM/YYYY",
                "MM/DD/YYYY",
                "DD.MM.YYYY",
                name="date_format",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            server_default="YYYY-MM-DD",
            nullable=False,
        ),
        sa.Column(
            "theme",
            sa.Enum("system", "light", "dark", name="theme", native_enum=False, create_constraint=True, length=20),
            server_default="system",
            nullable=False,
        ),
        sa.Column("default_group_id", sa.Uuid(), nullable=True),
        sa.Column("default_account_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["default_account_id"],
            ["accounts.id"],
            name=op.f("fk_user_preferences_default_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["default_group_id"],
            ["groups.id"],
            name=op.f("fk_user_preferences_default_group_id_groups"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], name=op.f("fk_user_preferences_user_id_auth_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_preferences")),
        sa.UniqueConstraint("user_id", name=op.f("uq_user_preferences_user_id")),
    )
    op.create_table(
        "payments",
        sa.Column("settlement_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=19, scale=4), nullable=False),
        sa.Column("currency_id", sa.Uuid(), nullable=False),
        sa.Column("payment_method_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "processing", "completed", "failed", "refunded", "cancelled", name="payment_status"),
            server_default="pending",
            nullable=False,
        ),
        sa.Column("external_transaction_id", sa.String(length=255), nullable=True),
        sa.Column("payment_service", sa.String(length=50), nullable=False),
        sa.Column("processing_fee", sa.Numeric(precision=19, scale=4), server_default=sa.text("0"), nullable=False),
        sa.Column("initiated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "metadata", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("error_code", sa.String(length=100), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payments_positive_amount")),
        sa.CheckConstraint("processing_fee >= 0", name=op.f("ck_payments_fee_not_negative")),
        sa.ForeignKeyConstraint(
            ["currency_id"], ["currencies.id"], name=op.f("fk_payments_currency_id_currencies"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["payment_method_id"],
            ["payment_methods.id"],
            name=op.f("fk_payments_payment_method_id_payment_methods"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["settlement_id"],
            ["settlements.id"],
            name=op.f("fk_payments_settlement_id_settlements"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("external_transaction_id", name=op.f("uq_payments_external_transaction_id")),
    )
    op.create_index("idx_payment_settlement", "payments", ["settlement_id", "status"], unique=False)
    op.create_index("idx_payment_status", "payments", ["status", "initiated_at"], unique=False)
    op.create_table(
        "uploaded_files",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column(
            "purpose",
            sa.Enum(
                "statement",
                "receipt",
                "attachment",
                name="file_purpose",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            server_default="statement",
            nullable=False,
        ),
        sa.Column("original_filename", sa.String(length=255), nullable=False),
        sa.Column("stored_path", sa.String(length=500), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("file_size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "detected_format",
            sa.Enum(
                "pdf",
                "csv",
                "ofx",
                "camt053",
                "image",
                "unknown",
                name="detected_format",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            server_default="unknown",
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "processing",
                "needs_password",
                "needs_review",
                "completed",
                "failed",
                "duplicate",
                "stored",
                name="file_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            server_default="queued",
            nullable=False,
        ),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("opening_balance", sa.Numeric(precision=19, scale=4), nullable=True),
        sa.Column("closing_balance", sa.Numeric(precision=19, scale=4), nullable=True),
        sa.Column("transactions_found", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("transactions_created", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("confidence", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_password_protected", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("used_password_id", sa.Uuid(), nullable=True),
        sa.Column("raw_text_extracted", sa.Text(), nullable=True),
        sa.Column("parsed_json", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("duplicate_of_id", sa.Uuid(), nullable=True),
        sa.Column("duplicate_confidence", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("processing_version", sa.String(length=20), server_default="1.0", nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name=op.f("ck_uploaded_files_sha256_hex")),
        sa.CheckConstraint("confidence BETWEEN 0 AND 100", name=op.f("ck_uploaded_files_confidence_range")),
        sa.CheckConstraint(
            "duplicate_confidence BETWEEN 0 AND 100", name=op.f("ck_uploaded_files_duplicate_confidence_range")
        ),
        sa.CheckConstraint("file_size >= 0", name=op.f("ck_uploaded_files_file_size_not_negative")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_uploaded_files_account_id_accounts"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"],
            ["uploaded_files.id"],
            name=op.f("fk_uploaded_files_duplicate_of_id_uploaded_files"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["used_password_id"],
            ["statement_passwords.id"],
            name=op.f("fk_uploaded_files_used_password_id_statement_passwords"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], name=op.f("fk_uploaded_files_user_id_auth_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uploaded_files")),
    )
    op.create_index("idx_upload_duplicate_of", "uploaded_files", ["duplicate_of_id"], unique=False)
    op.create_index("idx_upload_status", "uploaded_files", ["status"], unique=False)
    op.create_index(
        "idx_upload_user_created",
        "uploaded_files",
        ["user_id", sa.literal_column("created_at DESC"), sa.literal_column("id DESC")],
        unique=False,
    )
    op.create_index("idx_upload_user_sha256", "uploaded_files", ["user_id", "sha256"], unique=False)
    op.create_table(
        "expenses",
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=19, scale=4), nullable=False),
        sa.Column("currency_id", sa.Uuid(), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column(
            "expense_type",
            sa.Enum("individual", "group", "recurring", name="expense_type"),
            server_default="individual",
            nullable=False,
        ),
        sa.Column("group_id", sa.Uuid(), nullable=True),
        sa.Column("paid_by_id", sa.BigInteger(), nullable=False),
        sa.Column("created_by_id", sa.BigInteger(), nullable=False),
        sa.Column("expense_date", sa.Date(), nullable=False),
        sa.Column(
            "split_type",
            sa.Enum("equal", "exact", "percentage", "shares", "adjustment", name="split_type"),
            server_default="equal",
            nullable=False,
        ),
        sa.Column(
            "split_data", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("receipt", sa.String(length=255), nullable=True),
        sa.Column(
            "attachments",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "ocr_data", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("vendor", sa.String(length=200), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("is_settled", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("is_recurring", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("parent_expense_id", sa.Uuid(), nullable=True),
        sa.Column("recurring_expense_id", sa.Uuid(), nullable=True),
        sa.Column("recurrence_date", sa.Date(), nullable=True),
        sa.Column("requires_approval", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("is_approved", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("approved_by_id", sa.BigInteger(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "transaction_type",
            sa.Enum(
                "expense",
                "income",
                "refund",
                "transfer",
                name="transaction_type",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            server_default="expense",
            nullable=False,
        ),
        sa.Column(
            "source",
            sa.Enum(
                "manual",
                "chat",
                "statement",
                "recurring",
                "import",
                name="expense_source",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            server_default="manual",
            nullable=False,
        ),
        sa.Column(
            "expense_classification",
            sa.Enum(
                "regular_monthly",
                "charity",
                "family_support",
                "reimbursable",
                "one_time",
                "irregular",
                name="expense_classification",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            server_default="regular_monthly",
            nullable=False,
        ),
        sa.Column("exclude_from_totals_override", sa.Boolean(), nullable=True),
        sa.Column(
            "exclude_from_totals",
            sa.Boolean(),
            sa.Computed(
                "COALESCE(exclude_from_totals_override, expense_classification::text IN ('charity', 'family_support', 'reimbursable'))",
                persisted=True,
            ),
            nullable=False,
        ),
        sa.Column("exchange_rate", sa.Numeric(precision=20, scale=10), server_default=sa.text("1"), nullable=False),
        sa.Column("base_currency_id", sa.Uuid(), nullable=True),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("uploaded_file_id", sa.Uuid(), nullable=True),
        sa.Column("import_key", sa.String(length=128), nullable=True),
        sa.Column("chat_message_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "NOT is_deleted OR deleted_at IS NOT NULL", name=op.f("ck_expenses_deleted_at_when_deleted")
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_expenses_positive_amount")),
        sa.CheckConstraint("exchange_rate > 0", name=op.f("ck_expenses_positive_exchange_rate")),
        sa.CheckConstraint("expense_date <= CURRENT_DATE + 1", name=op.f("ck_expenses_expense_date_not_future")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_expenses_account_id_accounts"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["auth_user.id"], name=op.f("fk_expenses_approved_by_id_auth_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["base_currency_id"],
            ["currencies.id"],
            name=op.f("fk_expenses_base_currency_id_currencies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"], ["categories.id"], name=op.f("fk_expenses_category_id_categories"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["auth_user.id"], name=op.f("fk_expenses_created_by_id_auth_user"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["currency_id"], ["currencies.id"], name=op.f("fk_expenses_currency_id_currencies"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"], ["auth_user.id"], name=op.f("fk_expenses_deleted_by_id_auth_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_expenses_group_id_groups"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["paid_by_id"], ["auth_user.id"], name=op.f("fk_expenses_paid_by_id_auth_user"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["parent_expense_id"],
            ["expenses.id"],
            name=op.f("fk_expenses_parent_expense_id_expenses"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recurring_expense_id"],
            ["recurring_expenses.id"],
            name=op.f("fk_expenses_recurring_expense_id_recurring_expenses"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_file_id"],
            ["uploaded_files.id"],
            name=op.f("fk_expenses_uploaded_file_id_uploaded_files"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expenses")),
    )
    op.create_index(
        "idx_expense_category_date", "expenses", ["category_id", sa.literal_column("expense_date DESC")], unique=False
    )
    op.create_index("idx_expense_classification", "expenses", ["expense_classification"], unique=False)
    op.create_index("idx_expense_date_group", "expenses", ["expense_date", "group_id"], unique=False)
    op.create_index(
        "idx_expense_group_date", "expenses", ["group_id", sa.literal_column("expense_date DESC")], unique=False
    )
    op.create_index(
        "idx_expense_owner_account_date", "expenses", ["created_by_id", "account_id", "expense_date"], unique=False
    )
    op.create_index(
        "idx_expense_owner_date_class",
        "expenses",
        ["created_by_id", "expense_date", "expense_classification"],
        unique=False,
    )
    op.create_index(
        "idx_expense_owner_excluded_date",
        "expenses",
        ["created_by_id", "exclude_from_totals", "expense_date"],
        unique=False,
    )
    op.create_index(
        "idx_expense_payer_date", "expenses", ["paid_by_id", sa.literal_column("expense_date DESC")], unique=False
    )
    op.create_index(
        "idx_expense_search",
        "expenses",
        [sa.literal_column("to_tsvector('english'::regconfig, (title::text || ' ') || COALESCE(description, ''))")],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index("idx_expense_settled_group", "expenses", ["is_settled", "group_id"], unique=False)
    op.create_index("idx_expense_split_data", "expenses", ["split_data"], unique=False, postgresql_using="gin")
    op.create_index("idx_expense_title", "expenses", ["title"], unique=False)
    op.create_index(
        "idx_expense_title_search",
        "expenses",
        [sa.literal_column("to_tsvector('english'::regconfig, title::text)")],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index("idx_expense_uploaded_file", "expenses", ["uploaded_file_id"], unique=False)
    op.create_index(
        "uq_expense_account_import_key",
        "expenses",
        ["account_id", "import_key"],
        unique=True,
        postgresql_where=sa.text("import_key IS NOT NULL"),
    )
    op.create_index(
        "uq_expense_recurrence",
        "expenses",
        ["recurring_expense_id", "recurrence_date"],
        unique=True,
        postgresql_where=sa.text("recurring_expense_id IS NOT NULL"),
    )
    op.create_table(
        "payment_webhooks",
        sa.Column("service", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=True),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("raw_payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "processed_payload",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "received",
                "processing",
                "processed",
                "failed",
                "ignored",
                name="webhook_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            server_default="received",
            nullable=False,
        ),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("retry_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_payment_webhooks_payment_id_payments"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_webhooks")),
        sa.UniqueConstraint("service", "event_id", name=op.f("uq_payment_webhooks_service_event_id")),
    )
    op.create_index("idx_webhook_service_type", "payment_webhooks", ["service", "event_type"], unique=False)
    op.create_index("idx_webhook_status", "payment_webhooks", ["status", "created_at"], unique=False)
    op.create_table(
        "statement_merges",
        sa.Column("primary_file_id", sa.Uuid(), nullable=False),
        sa.Column("merged_by_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "merge_strategy",
            sa.Enum(
                "keep_primary",
                "merge_all",
                "manual",
                name="merge_strategy",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            server_default="manual",
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "suggested",
                "approved",
                "rejected",
                "completed",
                name="merge_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            server_default="suggested",
            nullable=False,
        ),
        sa.Column("similarity_score", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column(
            "details", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("merged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("similarity_score BETWEEN 0 AND 100", name=op.f("ck_statement_merges_similarity_range")),
        sa.ForeignKeyConstraint(
            ["merged_by_id"],
            ["auth_user.id"],
            name=op.f("fk_statement_merges_merged_by_id_auth_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["primary_file_id"],
            ["uploaded_files.id"],
            name=op.f("fk_statement_merges_primary_file_id_uploaded_files"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_merges")),
    )
    op.create_index("idx_merge_created", "statement_merges", ["created_at"], unique=False)
    op.create_index("idx_merge_primary_status", "statement_merges", ["primary_file_id", "status"], unique=False)
    op.create_index(
        "idx_merge_status_score",
        "statement_merges",
        ["status", sa.literal_column("similarity_score DESC")],
        unique=False,
    )
    op.create_index(
        "idx_merge_user_created",
        "statement_merges",
        ["merged_by_id", sa.literal_column("created_at DESC")],
        unique=False,
    )
    op.create_index("idx_merge_user_status", "statement_merges", ["merged_by_id", "status"], unique=False)
    op.create_table(
        "statement_processing_logs",
        sa.Column("uploaded_file_id", sa.Uuid(), nullable=False),
        sa.Column(
            "processing_stage",
            sa.Enum(
                "upload",
                "password_decrypt",
                "text_extraction",
                "parse_attempt",
                "ai_parse",
                "validation",
                "deduplication",
                "transaction_creation",
                "completion",
                name="processing_stage",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "running",
                "success",
                "failed",
                "skipped",
                name="stage_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            server_default="pending",
            nullable=False,
        ),
        sa.Column(
            "parser_type",
            sa.Enum("system", "ai", "hybrid", name="parser_type", native_enum=False, create_constraint=True, length=20),
            nullable=True,
        ),
        sa.Column("ai_provider", sa.String(length=50), nullable=True),
        sa.Column(
            "details", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("execution_time_ms", sa.Integer(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "execution_time_ms >= 0", name=op.f("ck_statement_processing_logs_execution_time_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_file_id"],
            ["uploaded_files.id"],
            name=op.f("fk_statement_processing_logs_uploaded_file_id_uploaded_files"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_processing_logs")),
    )
    op.create_index("idx_processing_log_created", "statement_processing_logs", ["created_at"], unique=False)
    op.create_index(
        "idx_processing_log_file_created",
        "statement_processing_logs",
        ["uploaded_file_id", sa.literal_column("created_at DESC")],
        unique=False,
    )
    op.create_index(
        "idx_processing_log_file_stage",
        "statement_processing_logs",
        ["uploaded_file_id", "processing_stage", "status"],
        unique=False,
    )
    op.create_index(
        "idx_processing_log_file_status", "statement_processing_logs", ["uploaded_file_id", "status"], unique=False
    )
    op.create_table(
        "chat_messages",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("expense_id", sa.Uuid(), nullable=True),
        sa.Column("uploaded_file_id", sa.Uuid(), nullable=True),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column(
            "message_type",
            sa.Enum(
                "user",
                "system",
                "suggestion",
                name="message_type",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            server_default="user",
            nullable=False,
        ),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column(
            "metadata", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "processing",
                "completed",
                "failed",
                name="chat_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            server_default="draft",
            nullable=False,
        ),
        sa.Column("client_message_id", sa.String(length=100), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["expense_id"], ["expenses.id"], name=op.f("fk_chat_messages_expense_id_expenses"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_file_id"],
            ["uploaded_files.id"],
            name=op.f("fk_chat_messages_uploaded_file_id_uploaded_files"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], name=op.f("fk_chat_messages_user_id_auth_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_messages")),
    )
    op.create_index("idx_chat_created", "chat_messages", ["created_at"], unique=False)
    op.create_index(
        "idx_chat_user_conversation",
        "chat_messages",
        ["user_id", "conversation_id", sa.literal_column("created_at DESC")],
        unique=False,
    )
    op.create_index(
        "idx_chat_user_status",
        "chat_messages",
        ["user_id", "status", sa.literal_column("created_at DESC")],
        unique=False,
    )
    op.create_index(op.f("ix_chat_messages_conversation_id"), "chat_messages", ["conversation_id"], unique=False)
    op.create_index(
        "uq_chat_client_message",
        "chat_messages",
        ["user_id", "client_message_id"],
        unique=True,
        postgresql_where=sa.text("client_message_id IS NOT NULL"),
    )
    op.create_table(
        "expense_comments",
        sa.Column("expense_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("is_edited", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["expense_id"], ["expenses.id"], name=op.f("fk_expense_comments_expense_id_expenses"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["expense_comments.id"],
            name=op.f("fk_expense_comments_parent_id_expense_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], name=op.f("fk_expense_comments_user_id_auth_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expense_comments")),
    )
    op.create_index("idx_comment_expense", "expense_comments", ["expense_id", "created_at"], unique=False)
    op.create_index("idx_comment_user", "expense_comments", ["user_id", "created_at"], unique=False)
    op.create_table(
        "expense_mentions",
        sa.Column("expense_id", sa.Uuid(), nullable=False),
        sa.Column("created_by_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "mention_type",
            sa.Enum(
                "user",
                "group",
                "category",
                "tag",
                name="mention_type",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("mentioned_user_id", sa.BigInteger(), nullable=True),
        sa.Column("mentioned_group_id", sa.Uuid(), nullable=True),
        sa.Column("mentioned_category_id", sa.Uuid(), nullable=True),
        sa.Column("mentioned_tag_id", sa.Uuid(), nullable=True),
        sa.Column("mentioned_text", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "num_nonnulls(mentioned_user_id, mentioned_group_id, mentioned_category_id, mentioned_tag_id) = 1 AND CASE mention_type WHEN 'user' THEN mentioned_user_id IS NOT NULL WHEN 'group' THEN mentioned_group_id IS NOT NULL WHEN 'category' THEN mentioned_category_id IS NOT NULL WHEN 'tag' THEN mentioned_tag_id IS NOT NULL END",
            name=op.f("ck_expense_mentions_target_matches_type"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["auth_user.id"],
            name=op.f("fk_expense_mentions_created_by_id_auth_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["expense_id"], ["expenses.id"], name=op.f("fk_expense_mentions_expense_id_expenses"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["mentioned_category_id"],
            ["categories.id"],
            name=op.f("fk_expense_mentions_mentioned_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentioned_group_id"],
            ["groups.id"],
            name=op.f("fk_expense_mentions_mentioned_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentioned_tag_id"],
            ["tags.id"],
            name=op.f("fk_expense_mentions_mentioned_tag_id_tags"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentioned_user_id"],
            ["auth_user.id"],
            name=op.f("fk_expense_mentions_mentioned_user_id_auth_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expense_mentions")),
    )
    op.create_index("idx_mention_expense_type", "expense_mentions", ["expense_id", "mention_type"], unique=False)
    op.create_index("idx_mention_type_group", "expense_mentions", ["mention_type", "mentioned_group_id"], unique=False)
    op.create_index("idx_mention_type_user", "expense_mentions", ["mention_type", "mentioned_user_id"], unique=False)
    op.create_table(
        "expense_payers",
        sa.Column("expense_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=19, scale=4), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_expense_payers_positive_amount")),
        sa.ForeignKeyConstraint(
            ["expense_id"], ["expenses.id"], name=op.f("fk_expense_payers_expense_id_expenses"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], name=op.f("fk_expense_payers_user_id_auth_user"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expense_payers")),
        sa.UniqueConstraint("expense_id", "user_id", name=op.f("uq_expense_payers_expense_id_user_id")),
    )
    op.create_index("idx_expense_payer_user", "expense_payers", ["user_id"], unique=False)
    op.create_table(
        "expense_shares",
        sa.Column("expense_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=19, scale=4), nullable=False),
        sa.Column("currency_id", sa.Uuid(), nullable=False),
        sa.Column("paid_by_id", sa.BigInteger(), nullable=False),
        sa.Column("is_settled", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("settlement_id", sa.Uuid(), nullable=True),
        sa.Column(
            "split_method",
            sa.Enum("equal", "exact", "percentage", "shares", "adjustment", name="split_type"),
            server_default="equal",
            nullable=False,
        ),
        sa.Column("split_value", sa.Numeric(precision=12, scale=4), server_default=sa.text("0"), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_expense_shares_positive_share")),
        sa.ForeignKeyConstraint(
            ["currency_id"],
            ["currencies.id"],
            name=op.f("fk_expense_shares_currency_id_currencies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["expense_id"], ["expenses.id"], name=op.f("fk_expense_shares_expense_id_expenses"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["paid_by_id"], ["auth_user.id"], name=op.f("fk_expense_shares_paid_by_id_auth_user"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["settlement_id"],
            ["settlements.id"],
            name=op.f("fk_expense_shares_settlement_id_settlements"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], name=op.f("fk_expense_shares_user_id_auth_user"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expense_shares")),
        sa.UniqueConstraint("expense_id", "user_id", name=op.f("uq_expense_shares_expense_id_user_id")),
    )
    op.create_index("idx_share_balance", "expense_shares", ["user_id", "is_settled", "amount"], unique=False)
    op.create_index("idx_share_payer", "expense_shares", ["paid_by_id", "user_id", "is_settled"], unique=False)
    op.create_index("idx_share_payer_settled", "expense_shares", ["paid_by_id", "is_settled"], unique=False)
    op.create_index("idx_share_settlement", "expense_shares", ["settlement_id"], unique=False)
    op.create_table(
        "expense_tags",
        sa.Column("expense_id", sa.Uuid(), nullable=False),
        sa.Column("tag_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["expense_id"], ["expenses.id"], name=op.f("fk_expense_tags_expense_id_expenses"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], name=op.f("fk_expense_tags_tag_id_tags"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("expense_id", "tag_id", name=op.f("pk_expense_tags")),
    )
    op.create_index("idx_expense_tags_tag", "expense_tags", ["tag_id"], unique=False)
    op.create_table(
        "statement_merge_files",
        sa.Column("merge_id", sa.Uuid(), nullable=False),
        sa.Column("uploaded_file_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merge_id"],
            ["statement_merges.id"],
            name=op.f("fk_statement_merge_files_merge_id_statement_merges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_file_id"],
            ["uploaded_files.id"],
            name=op.f("fk_statement_merge_files_uploaded_file_id_uploaded_files"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("merge_id", "uploaded_file_id", name=op.f("pk_statement_merge_files")),
    )
    op.create_index("idx_merge_files_file", "statement_merge_files", ["uploaded_file_id"], unique=False)
    # expenses <-> chat_messages reference each other: this key is added once both tables exist.
    op.create_foreign_key(
        op.f("fk_expenses_chat_message_id_chat_messages"),
        "expenses",
        "chat_messages",
        ["chat_message_id"],
        ["id"],
        ondelete="SET NULL",
    )
    for statement in TRIGGERS_UP:
        op.execute(statement)


def downgrade() -> None:
    for statement in TRIGGERS_DOWN:
        op.execute(statement)
    op.drop_constraint(op.f("fk_expenses_chat_message_id_chat_messages"), "expenses", type_="foreignkey")
    op.drop_index("idx_merge_files_file", table_name="statement_merge_files")
    op.drop_table("statement_merge_files")
    op.drop_index("idx_expense_tags_tag", table_name="expense_tags")
    op.drop_table("expense_tags")
    op.drop_index("idx_share_settlement", table_name="expense_shares")
    op.drop_index("idx_share_payer_settled", table_name="expense_shares")
    op.drop_index("idx_share_payer", table_name="expense_shares")
    op.drop_index("idx_share_balance", table_name="expense_shares")
    op.drop_table("expense_shares")
    op.drop_index("idx_expense_payer_user", table_name="expense_payers")
    op.drop_table("expense_payers")
    op.drop_index("idx_mention_type_user", table_name="expense_mentions")
    op.drop_index("idx_mention_type_group", table_name="expense_mentions")
    op.drop_index("idx_mention_expense_type", table_name="expense_mentions")
    op.drop_table("expense_mentions")
    op.drop_index("idx_comment_user", table_name="expense_comments")
    op.drop_index("idx_comment_expense", table_name="expense_comments")
    op.drop_table("expense_comments")
    op.drop_index(
        "uq_chat_client_message", table_name="chat_messages", postgresql_where=sa.text("client_message_id IS NOT NULL")
    )
    op.drop_index(op.f("ix_chat_messages_conversation_id"), table_name="chat_messages")
    op.drop_index("idx_chat_user_status", table_name="chat_messages")
    op.drop_index("idx_chat_user_conversation", table_name="chat_messages")
    op.drop_index("idx_chat_created", table_name="chat_messages")
    op.drop_table("chat_messages")
    op.drop_index("idx_processing_log_file_status", table_name="statement_processing_logs")
    op.drop_index("idx_processing_log_file_stage", table_name="statement_processing_logs")
    op.drop_index("idx_processing_log_file_created", table_name="statement_processing_logs")
    op.drop_index("idx_processing_log_created", table_name="statement_processing_logs")
    op.drop_table("statement_processing_logs")
    op.drop_index("idx_merge_user_status", table_name="statement_merges")
    op.drop_index("idx_merge_user_created", table_name="statement_merges")
    op.drop_index("idx_merge_status_score", table_name="statement_merges")
    op.drop_index("idx_merge_primary_status", table_name="statement_merges")
    op.drop_index("idx_merge_created", table_name="statement_merges")
    op.drop_table("statement_merges")
    op.drop_index("idx_webhook_status", table_name="payment_webhooks")
    op.drop_index("idx_webhook_service_type", table_name="payment_webhooks")
    op.drop_table("payment_webhooks")
    op.drop_index(
        "uq_expense_recurrence", table_name="expenses", postgresql_where=sa.text("recurring_expense_id IS NOT NULL")
    )
    op.drop_index(
        "uq_expense_account_import_key", table_name="expenses", postgresql_where=sa.text("import_key IS NOT NULL")
    )
    op.drop_index("idx_expense_uploaded_file", table_name="expenses")
    op.drop_index("idx_expense_title_search", table_name="expenses", postgresql_using="gin")
    op.drop_index("idx_expense_title", table_name="expenses")
    op.drop_index("idx_expense_split_data", table_name="expenses", postgresql_using="gin")
    op.drop_index("idx_expense_settled_group", table_name="expenses")
    op.drop_index("idx_expense_search", table_name="expenses", postgresql_using="gin")
    op.drop_index("idx_expense_payer_date", table_name="expenses")
    op.drop_index("idx_expense_owner_excluded_date", table_name="expenses")
    op.drop_index("idx_expense_owner_date_class", table_name="expenses")
    op.drop_index("idx_expense_owner_account_date", table_name="expenses")
    op.drop_index("idx_expense_group_date", table_name="expenses")
    op.drop_index("idx_expense_date_group", table_name="expenses")
    op.drop_index("idx_expense_classification", table_name="expenses")
    op.drop_index("idx_expense_category_date", table_name="expenses")
    op.drop_table("expenses")
    op.drop_index("idx_upload_user_sha256", table_name="uploaded_files")
    op.drop_index("idx_upload_user_created", table_name="uploaded_files")
    op.drop_index("idx_upload_status", table_name="uploaded_files")
    op.drop_index("idx_upload_duplicate_of", table_name="uploaded_files")
    op.drop_table("uploaded_files")
    op.drop_index("idx_payment_status", table_name="payments")
    op.drop_index("idx_payment_settlement", table_name="payments")
    op.drop_table("payments")
    op.drop_table("user_preferences")
    op.drop_index(
        "unique_default_per_account", table_name="statement_passwords", postgresql_where=sa.text("is_default")
    )
    op.drop_index("idx_statement_password_user_default", table_name="statement_passwords")
    op.drop_index("idx_statement_password_user_account", table_name="statement_passwords")
    op.drop_table("statement_passwords")
    op.drop_index(op.f("ix_settlements_status"), table_name="settlements")
    op.drop_index("idx_settlement_user", table_name="settlements")
    op.drop_index("idx_settlement_status_due", table_name="settlements")
    op.drop_index("idx_settlement_pending", table_name="settlements", postgresql_where=sa.text("status = 'pending'"))
    op.drop_index("idx_settlement_payer_status", table_name="settlements")
    op.drop_index("idx_settlement_payee_status", table_name="settlements")
    op.drop_index("idx_settlement_group_status", table_name="settlements")
    op.drop_table("settlements")
    op.drop_index(op.f("ix_recurring_expenses_next_due_date"), table_name="recurring_expenses")
    op.drop_index(op.f("ix_recurring_expenses_is_active"), table_name="recurring_expenses")
    op.drop_index("idx_recurring_next_active", table_name="recurring_expenses")
    op.drop_index("idx_recurring_group_active", table_name="recurring_expenses")
    op.drop_index("idx_recurring_creator_active", table_name="recurring_expenses")
    op.drop_table("recurring_expenses")
    op.drop_index("idx_log_status", table_name="notification_logs")
    op.drop_index("idx_log_notification", table_name="notification_logs")
    op.drop_table("notification_logs")
    op.drop_index("idx_membership_user_active", table_name="group_memberships")
    op.drop_index("idx_membership_group_active", table_name="group_memberships")
    op.drop_index("idx_group_member", table_name="group_memberships")
    op.drop_table("group_memberships")
    op.drop_index("idx_invitation_group", table_name="group_invitations")
    op.drop_index("idx_invitation_email", table_name="group_invitations")
    op.drop_table("group_invitations")
    op.drop_index(op.f("ix_group_activities_activity_type"), table_name="group_activities")
    op.drop_index("idx_activity_user_type", table_name="group_activities")
    op.drop_index("idx_activity_group", table_name="group_activities")
    op.drop_table("group_activities")
    op.drop_index("idx_report_status", table_name="generated_reports")
    op.drop_index("idx_report_generator", table_name="generated_reports")
    op.drop_table("generated_reports")
    op.drop_index("uq_expense_analytics_scope", table_name="expense_analytics")
    op.drop_index(op.f("ix_expense_analytics_period_start"), table_name="expense_analytics")
    op.drop_index(op.f("ix_expense_analytics_period_end"), table_name="expense_analytics")
    op.drop_index("idx_analytics_user_period", table_name="expense_analytics")
    op.drop_index("idx_analytics_group_period", table_name="expense_analytics")
    op.drop_index("idx_analytics_category", table_name="expense_analytics")
    op.drop_table("expense_analytics")
    op.drop_index("idx_budget_user_active", table_name="budgets")
    op.drop_index("idx_budget_group_active", table_name="budgets")
    op.drop_table("budgets")
    op.drop_index(op.f("ix_user_spending_patterns_analysis_date"), table_name="user_spending_patterns")
    op.drop_table("user_spending_patterns")
    op.drop_table("user_profiles")
    op.drop_index("uq_friendship_pair", table_name="user_friendships")
    op.drop_index("idx_friendship_to_user", table_name="user_friendships")
    op.drop_index("idx_friendship_status", table_name="user_friendships")
    op.drop_table("user_friendships")
    op.drop_index("idx_device_user", table_name="user_devices")
    op.drop_table("user_devices")
    op.drop_index("idx_tag_usage", table_name="tags")
    op.drop_table("tags")
    op.drop_index("idx_template_public", table_name="report_templates")
    op.drop_index("idx_template_creator", table_name="report_templates")
    op.drop_table("report_templates")
    op.drop_index("idx_refresh_token_user", table_name="refresh_tokens")
    op.drop_index("idx_refresh_token_family", table_name="refresh_tokens")
    op.drop_table("refresh_tokens")
    op.drop_index(
        "uq_payment_method_default", table_name="payment_methods", postgresql_where=sa.text("is_default AND is_active")
    )
    op.drop_index("idx_payment_method_user", table_name="payment_methods")
    op.drop_index("idx_payment_method_type", table_name="payment_methods")
    op.drop_table("payment_methods")
    op.drop_index("idx_password_reset_user", table_name="password_resets")
    op.drop_table("password_resets")
    op.drop_index("idx_notification_user_read", table_name="notifications")
    op.drop_index("idx_notification_user_created", table_name="notifications")
    op.drop_index("idx_notification_type", table_name="notifications")
    op.drop_index("idx_notification_priority", table_name="notifications")
    op.drop_index("idx_notification_metadata", table_name="notifications", postgresql_using="gin")
    op.drop_index("idx_notification_due", table_name="notifications", postgresql_where=sa.text("NOT is_sent"))
    op.drop_table("notifications")
    op.drop_table("notification_preferences")
    op.drop_index(op.f("ix_groups_is_active"), table_name="groups")
    op.drop_index("idx_group_search", table_name="groups", postgresql_using="gin")
    op.drop_index("idx_group_name_active", table_name="groups")
    op.drop_table("groups")
    op.drop_index("idx_verification_user", table_name="email_verifications")
    op.drop_table("email_verifications")
    op.drop_index("idx_country_currency", table_name="countries")
    op.drop_table("countries")
    op.drop_index("idx_category_user_slug", table_name="categories", postgresql_where=sa.text("user_id IS NOT NULL"))
    op.drop_index("idx_category_user_name", table_name="categories", postgresql_where=sa.text("user_id IS NOT NULL"))
    op.drop_index("idx_category_slug", table_name="categories", postgresql_where=sa.text("user_id IS NULL"))
    op.drop_index("idx_category_parent", table_name="categories")
    op.drop_index("idx_category_name", table_name="categories", postgresql_where=sa.text("user_id IS NULL"))
    op.drop_table("categories")
    op.drop_index("idx_budget_template_usage", table_name="budget_templates")
    op.drop_index("idx_budget_template_system", table_name="budget_templates")
    op.drop_index("idx_budget_template_creator", table_name="budget_templates")
    op.drop_table("budget_templates")
    op.drop_table("ai_settings")
    op.drop_index("idx_activity_user_created", table_name="activity_logs")
    op.drop_index("idx_activity_user_action", table_name="activity_logs")
    op.drop_index("idx_activity_object", table_name="activity_logs")
    op.drop_table("activity_logs")
    op.drop_index("idx_account_user_active", table_name="accounts")
    op.drop_table("accounts")
    op.drop_table("system_configurations")
    op.drop_table("notification_templates")
    op.drop_index("idx_currency_active", table_name="currencies")
    op.drop_table("currencies")
    op.drop_index("idx_user_is_active", table_name="auth_user")
    op.drop_table("auth_user")
    for enum_type in NATIVE_ENUM_TYPES:
        op.execute(f"DROP TYPE IF EXISTS {enum_type}")
