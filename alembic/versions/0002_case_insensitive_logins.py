"""Case-insensitive uniqueness for e-mail and username, which login looks up by lower().

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("uq_user_email_lower", "auth_user", [sa.literal_column("lower(email)")], unique=True)
    op.create_index("uq_user_username_lower", "auth_user", [sa.literal_column("lower(username)")], unique=True)


def downgrade() -> None:
    op.drop_index("uq_user_username_lower", table_name="auth_user")
    op.drop_index("uq_user_email_lower", table_name="auth_user")
