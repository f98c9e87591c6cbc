"""Idempotency keys: a client's retry of a request that creates something (an expense, a settlement, a
payment, a group, ...) gets the first answer again instead of creating a second one (app/idempotency.py).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 10:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("body", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], name=op.f("fk_idempotency_keys_user_id_auth_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_index("idx_idempotency_key_created", "idempotency_keys", ["created_at"])


def downgrade() -> None:
    op.drop_index("idx_idempotency_key_created", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
