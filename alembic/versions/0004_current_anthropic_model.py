"""A current Anthropic model by default: claude-3-5-haiku reached its end of life in February 2026, so
calls naming it fail. Settings still on that old default move to the new one.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 01:20:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RETIRED, CURRENT = "claude-3-5-haiku-latest", "claude-haiku-4-5"


def upgrade() -> None:
    op.alter_column("ai_settings", "anthropic_model", server_default=CURRENT)
    update = sa.text("UPDATE ai_settings SET anthropic_model = :current WHERE anthropic_model = :retired")
    op.execute(update.bindparams(current=CURRENT, retired=RETIRED))


def downgrade() -> None:
    op.alter_column("ai_settings", "anthropic_model", server_default=RETIRED)
