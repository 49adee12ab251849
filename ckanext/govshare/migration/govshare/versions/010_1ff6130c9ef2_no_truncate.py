"""The append-only tables refuse TRUNCATE too: ``govshare_audit`` and ``govshare_role_event``.

Migrations ``lifecycle`` (004) and ``role_events`` (009) made each of these tables refuse UPDATE
and DELETE of a row, and left TRUNCATE open, which is not a row operation: a plain
``TRUNCATE govshare_audit`` by the application's own database user emptied the trail. This
revision closes it with a statement-level ``BEFORE TRUNCATE`` trigger named
``govshare_no_truncate`` on each table (one shared function, ``govshare_refuse_truncate()``);
it also fires for a table reached through ``TRUNCATE … CASCADE`` or named among others.

Emptying such a table is now a deliberate act of its owner, who must disable the trigger for
the statement, in one transaction, so that no other session ever sees it off::

    BEGIN;
    ALTER TABLE govshare_audit DISABLE TRIGGER govshare_no_truncate;
    TRUNCATE govshare_audit;
    ALTER TABLE govshare_audit ENABLE TRIGGER govshare_no_truncate;
    COMMIT;

The test fixture does exactly this between tests (``tests/database.py``). A later append-only
table adds the same trigger, under the same name, in its own migration.

Revision ID: 1ff6130c9ef2
Revises: eb63bed08888
Create Date: 2026-12-03 14:00:00
"""
from alembic import op

revision = "1ff6130c9ef2"
down_revision = "eb63bed08888"
branch_labels = None
depends_on = None

TABLES = ("govshare_audit", "govshare_role_event")
TRIGGER = "govshare_no_truncate"


def upgrade():
    op.execute("""
        CREATE OR REPLACE FUNCTION govshare_refuse_truncate() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only: TRUNCATE refused', TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END $$
    """)
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}")
        op.execute(f"""
            CREATE TRIGGER {TRIGGER}
            BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION govshare_refuse_truncate()
        """)


def downgrade():
    for table in reversed(TABLES):
        op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS govshare_refuse_truncate()")
