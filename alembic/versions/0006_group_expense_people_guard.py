"""A group expense's insert takes the group's lock and then checks that its people are still members.

The API reads the group's members, computes the split, then inserts. A member who left in between (their
leave committed, or was waiting for the same lock) would otherwise get a share in a group they are no longer
in, and be gone with an open balance that their leave was meant to refuse. The check runs inside the insert
statement, so it costs no round trip; being in a VOLATILE function, its query sees what committed while the
lock was awaited (the statement's own snapshot is older).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:10:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The value of the inserted expense's `group_id`: the group's id once its people are checked. SQLSTATE ETM01
# is a class of the project's own; app/services/expenses/service.py answers it with a 409.
GUARD = """
CREATE FUNCTION checked_group_id(g uuid, people bigint[]) RETURNS uuid AS $$
DECLARE gone bigint[];
BEGIN
  IF g IS NULL THEN RETURN NULL; END IF;
  PERFORM 1 FROM groups WHERE id = g FOR NO KEY UPDATE;
  SELECT array_agg(DISTINCT p ORDER BY p) INTO gone FROM unnest(people) AS p
  WHERE NOT EXISTS (SELECT 1 FROM group_memberships m WHERE m.group_id = g AND m.user_id = p AND m.is_active);
  IF gone IS NOT NULL THEN
    RAISE EXCEPTION 'not active members of group %: %', g, gone USING ERRCODE = 'ETM01';
  END IF;
  RETURN g;
END $$ LANGUAGE plpgsql VOLATILE
"""


def upgrade() -> None:
    op.execute(GUARD)


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS checked_group_id(uuid, bigint[])")
