"""Once-only notifications are kept once by the database: a unique index on (user, type, key) for the
notifications that carry a key, so a batch of notifications is one INSERT ... ON CONFLICT DO NOTHING
instead of a lookup per notification, and two workers handling the same event cannot both write it.
Earlier duplicates (possible only in such a race) keep their oldest row.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 23:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        DELETE FROM notifications n USING notifications o
        WHERE n.metadata ->> 'key' IS NOT NULL AND n.user_id = o.user_id
          AND n.notification_type = o.notification_type AND n.metadata ->> 'key' = o.metadata ->> 'key'
          AND (n.created_at, n.id) > (o.created_at, o.id)
        """
    )
    op.create_index(
        "idx_notification_key",
        "notifications",
        ["user_id", "notification_type", sa.text("(metadata ->> 'key')")],
        unique=True,
        postgresql_where=sa.text("(metadata ->> 'key') IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("idx_notification_key", table_name="notifications")
