"""Group balances kept by triggers, so reading them never scans a group's whole ledger.

`group_balances` holds, per group, member and currency, what the member paid minus their shares of
live expenses (not deleted, approved), plus completed settlements paid minus received. Triggers keep
it on every write to expense_payers, expense_shares, expenses (deletion, approval, group or currency
changes, hard deletes) and settlements. Each trigger first takes the group's row lock (FOR NO KEY
UPDATE), so concurrent writers in one group queue up instead of deadlocking on ledger rows; writers in
different groups do not wait for each other.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 07:40:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTIONS = (
    """
    CREATE FUNCTION group_balance_add(g uuid, u bigint, c uuid, delta numeric) RETURNS void AS $$
    BEGIN
      IF g IS NULL OR delta = 0 THEN RETURN; END IF;
      PERFORM 1 FROM groups WHERE id = g FOR NO KEY UPDATE;
      INSERT INTO group_balances (group_id, user_id, currency_id, balance) VALUES (g, u, c, delta)
      ON CONFLICT (group_id, user_id, currency_id)
      DO UPDATE SET balance = group_balances.balance + EXCLUDED.balance;
    END $$ LANGUAGE plpgsql
    """,
    # sign = +1 adds an expense's whole contribution, -1 takes it away.
    """
    CREATE FUNCTION group_balance_apply_expense(e_id uuid, g uuid, c uuid, sign int) RETURNS void AS $$
    DECLARE r record;
    BEGIN
      IF g IS NULL THEN RETURN; END IF;
      FOR r IN
        SELECT user_id, sum(delta) AS delta FROM (
          SELECT user_id, amount AS delta FROM expense_payers WHERE expense_id = e_id
          UNION ALL
          SELECT user_id, -amount FROM expense_shares WHERE expense_id = e_id
        ) moves GROUP BY user_id ORDER BY user_id
      LOOP
        PERFORM group_balance_add(g, r.user_id, c, sign * r.delta);
      END LOOP;
    END $$ LANGUAGE plpgsql
    """,
    # A payer (+) or share (-) row of a live group expense.
    """
    CREATE FUNCTION group_balance_expense_row() RETURNS trigger AS $$
    DECLARE e record; sign int;
    BEGIN
      sign := CASE WHEN TG_TABLE_NAME = 'expense_payers' THEN 1 ELSE -1 END;
      IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT group_id, currency_id INTO e FROM expenses
          WHERE id = OLD.expense_id AND NOT is_deleted AND is_approved;
        IF FOUND THEN PERFORM group_balance_add(e.group_id, OLD.user_id, e.currency_id, -sign * OLD.amount); END IF;
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT group_id, currency_id INTO e FROM expenses
          WHERE id = NEW.expense_id AND NOT is_deleted AND is_approved;
        IF FOUND THEN PERFORM group_balance_add(e.group_id, NEW.user_id, e.currency_id, sign * NEW.amount); END IF;
      END IF;
      RETURN NULL;
    END $$ LANGUAGE plpgsql
    """,
    # An expense deleted or restored, approved, moved to another group or currency, or removed outright.
    """
    CREATE FUNCTION group_balance_expense() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        IF NOT OLD.is_deleted AND OLD.is_approved THEN
          PERFORM group_balance_apply_expense(OLD.id, OLD.group_id, OLD.currency_id, -1);
        END IF;
        RETURN OLD;
      END IF;
      IF (OLD.is_deleted, OLD.is_approved, OLD.group_id, OLD.currency_id)
         IS NOT DISTINCT FROM (NEW.is_deleted, NEW.is_approved, NEW.group_id, NEW.currency_id) THEN
        RETURN NEW;
      END IF;
      IF NOT OLD.is_deleted AND OLD.is_approved THEN
        PERFORM group_balance_apply_expense(OLD.id, OLD.group_id, OLD.currency_id, -1);
      END IF;
      IF NOT NEW.is_deleted AND NEW.is_approved THEN
        PERFORM group_balance_apply_expense(NEW.id, NEW.group_id, NEW.currency_id, 1);
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE FUNCTION group_balance_settlement() RETURNS trigger AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'completed' THEN
        PERFORM group_balance_add(OLD.group_id, OLD.payer_id, OLD.currency_id, -OLD.amount);
        PERFORM group_balance_add(OLD.group_id, OLD.payee_id, OLD.currency_id, OLD.amount);
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'completed' THEN
        PERFORM group_balance_add(NEW.group_id, NEW.payer_id, NEW.currency_id, NEW.amount);
        PERFORM group_balance_add(NEW.group_id, NEW.payee_id, NEW.currency_id, -NEW.amount);
      END IF;
      RETURN NULL;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER group_balance_payers AFTER INSERT OR UPDATE OR DELETE ON expense_payers
    FOR EACH ROW EXECUTE FUNCTION group_balance_expense_row()
    """,
    """
    CREATE TRIGGER group_balance_shares AFTER INSERT OR UPDATE OR DELETE ON expense_shares
    FOR EACH ROW EXECUTE FUNCTION group_balance_expense_row()
    """,
    """
    CREATE TRIGGER group_balance_expense_update AFTER UPDATE ON expenses
    FOR EACH ROW EXECUTE FUNCTION group_balance_expense()
    """,
    # BEFORE: the payer and share rows are still there to be subtracted; the cascade follows.
    """
    CREATE TRIGGER group_balance_expense_delete BEFORE DELETE ON expenses
    FOR EACH ROW EXECUTE FUNCTION group_balance_expense()
    """,
    """
    CREATE TRIGGER group_balance_settlements AFTER INSERT OR UPDATE OR DELETE ON settlements
    FOR EACH ROW EXECUTE FUNCTION group_balance_settlement()
    """,
)

BACKFILL = """
INSERT INTO group_balances (group_id, user_id, currency_id, balance)
SELECT group_id, user_id, currency_id, sum(delta) FROM (
    SELECT e.group_id, p.user_id, e.currency_id, p.amount AS delta
    FROM expense_payers p JOIN expenses e ON e.id = p.expense_id
    WHERE e.group_id IS NOT NULL AND NOT e.is_deleted AND e.is_approved
    UNION ALL
    SELECT e.group_id, s.user_id, e.currency_id, -s.amount
    FROM expense_shares s JOIN expenses e ON e.id = s.expense_id
    WHERE e.group_id IS NOT NULL AND NOT e.is_deleted AND e.is_approved
    UNION ALL
    SELECT group_id, payer_id, currency_id, amount FROM settlements
    WHERE group_id IS NOT NULL AND status = 'completed'
    UNION ALL
    SELECT group_id, payee_id, currency_id, -amount FROM settlements
    WHERE group_id IS NOT NULL AND status = 'completed'
) moves GROUP BY group_id, user_id, currency_id
"""


def upgrade() -> None:
    op.create_table(
        "group_balances",
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("currency_id", sa.Uuid(), nullable=False),
        sa.Column("balance", sa.Numeric(precision=19, scale=4), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(
            ["currency_id"],
            ["currencies.id"],
            name=op.f("fk_group_balances_currency_id_currencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_group_balances_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], name=op.f("fk_group_balances_user_id_auth_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("group_id", "user_id", "currency_id", name=op.f("pk_group_balances")),
    )
    for statement in FUNCTIONS:
        op.execute(statement)
    op.execute(BACKFILL)


def downgrade() -> None:
    for trigger, table in (
        ("group_balance_settlements", "settlements"),
        ("group_balance_expense_delete", "expenses"),
        ("group_balance_expense_update", "expenses"),
        ("group_balance_shares", "expense_shares"),
        ("group_balance_payers", "expense_payers"),
    ):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
    for function in (
        "group_balance_settlement()",
        "group_balance_expense()",
        "group_balance_expense_row()",
        "group_balance_apply_expense(uuid, uuid, uuid, int)",
        "group_balance_add(uuid, bigint, uuid, numeric)",
    ):
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
    op.drop_table("group_balances")
