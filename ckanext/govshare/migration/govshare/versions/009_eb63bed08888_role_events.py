"""The history of department roles: ``govshare_role_event``, append-only.

One row per change of a ``govshare_role`` row: granted, its units changed, revoked, or ended
because the holder's CKAN membership no longer supports it (removed from the department,
capacity lowered, user or department deleted). ``govshare_audit`` cannot hold these: its rows
belong to one catalogue entry. Like the audit trail, the table refuses UPDATE and DELETE of a
row (trigger ``govshare_role_event_append_only``); TRUNCATE stays possible for the test
fixture and an explicit retention purge.

Revision ID: eb63bed08888
Revises: c7e2a4f9d1b3
Create Date: 2026-12-03 09:50:00
"""
from alembic import op

revision = "eb63bed08888"
down_revision = "c7e2a4f9d1b3"
branch_labels = None
depends_on = None

# text + CHECK rather than ENUM types: CKAN's test reset drops tables but not types
EVENTS = "event IN ('granted', 'units_changed', 'revoked', 'ended_by_membership')"


def upgrade():
    op.execute(f"""
        CREATE TABLE IF NOT EXISTS govshare_role_event (
            id bigserial PRIMARY KEY,
            org_id text NOT NULL,
            user_id text NOT NULL,
            role text NOT NULL,
            units text[] NOT NULL DEFAULT '{{}}'::text[],
            event text NOT NULL,
            actor text,
            at timestamptz NOT NULL DEFAULT now(),
            comment text,
            CONSTRAINT govshare_role_event_event_check CHECK ({EVENTS})
        )
    """)
    op.execute("CREATE INDEX IF NOT EXISTS govshare_role_event_org_at"
               " ON govshare_role_event (org_id, at)")
    op.execute("CREATE INDEX IF NOT EXISTS govshare_role_event_user_at"
               " ON govshare_role_event (user_id, at)")
    op.execute("""
        CREATE OR REPLACE FUNCTION govshare_role_event_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'govshare_role_event is append-only: % refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$
    """)
    op.execute("""
        CREATE TRIGGER govshare_role_event_append_only
        BEFORE UPDATE OR DELETE ON govshare_role_event
        FOR EACH ROW EXECUTE FUNCTION govshare_role_event_append_only()
    """)


def downgrade():
    op.execute("DROP TRIGGER IF EXISTS govshare_role_event_append_only ON govshare_role_event")
    op.execute("DROP TABLE IF EXISTS govshare_role_event")
    op.execute("DROP FUNCTION IF EXISTS govshare_role_event_append_only()")
