"""Catalogue lifecycle: append-only audit trail, open-step bookkeeping, pending revisions.

``govshare_audit`` is append-only: the trigger ``govshare_audit_append_only`` refuses every
UPDATE and DELETE of a row. TRUNCATE is not a row operation and is left possible on purpose:
the test fixture empties govshare's tables with it, and a retention purge is an explicit act
of the table owner.

Revision ID: 3abc48a2f06d
Revises: 98bb0a00a455
Create Date: 2026-11-26 10:30:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "3abc48a2f06d"
down_revision = "98bb0a00a455"
branch_labels = None
depends_on = None

# text + CHECK rather than ENUM types: CKAN's test reset drops tables but not types
REVISION_STATES = "state IN ('draft', 'in_review', 'approved', 'returned', 'discarded')"


def _ts(name, **kwargs):
    return sa.Column(name, sa.DateTime(timezone=True), **kwargs)


def upgrade():
    op.create_table(
        "govshare_audit",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("entry_id", sa.Text, nullable=False),
        sa.Column("resource_code", sa.Text),
        sa.Column("org_id", sa.Text),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("from_state", sa.Text),
        sa.Column("to_state", sa.Text),
        sa.Column("actor", sa.Text),
        _ts("at", nullable=False, server_default=sa.func.now()),
        sa.Column("comment", sa.Text),
        sa.Column("revision_id", sa.Text),
        sa.Column("diff", postgresql.JSONB),
    )
    op.create_index("govshare_audit_entry_at", "govshare_audit", ["entry_id", "at"])
    op.create_index("govshare_audit_org_at", "govshare_audit", ["org_id", "at"])
    op.create_index("govshare_audit_actor_at", "govshare_audit", ["actor", "at"])
    op.execute("""
        CREATE OR REPLACE FUNCTION govshare_audit_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'govshare_audit is append-only: % refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$
    """)
    op.execute("""
        CREATE TRIGGER govshare_audit_append_only
        BEFORE UPDATE OR DELETE ON govshare_audit
        FOR EACH ROW EXECUTE FUNCTION govshare_audit_append_only()
    """)

    op.create_table(
        "govshare_lifecycle",
        sa.Column("entry_id", sa.Text, primary_key=True),
        sa.Column("org_id", sa.Text, index=True),
        sa.Column("stage", sa.Text),
        sa.Column("submitted_by", sa.Text),
        sa.Column("stage_approver", sa.Text),
        sa.Column("clock", sa.Text),
        _ts("opened_at"),
        _ts("due_at", index=True),
        sa.Column("reason", sa.Text),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
        _ts("published_at"),
        _ts("reminded_at"),
        _ts("modified", nullable=False, server_default=sa.func.now()),
    )

    op.create_table(
        "govshare_revision",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("entry_id", sa.Text, nullable=False, index=True),
        sa.Column("org_id", sa.Text, index=True),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False, server_default="draft"),
        sa.Column("stage", sa.Text),
        sa.Column("submitted_by", sa.Text),
        _ts("submitted_at"),
        sa.Column("stage_approver", sa.Text),
        sa.Column("proposed", postgresql.JSONB, nullable=False),
        sa.Column("diff", postgresql.JSONB, nullable=False),
        sa.Column("base_version", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer),
        sa.Column("reason", sa.Text),
        _ts("due_at", index=True),
        _ts("reminded_at"),
        sa.Column("decided_by", sa.Text),
        _ts("decided_at"),
        _ts("created", nullable=False, server_default=sa.func.now()),
        _ts("modified", nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(REVISION_STATES, name="govshare_revision_state_check"),
    )
    op.create_index(
        "govshare_revision_one_open", "govshare_revision", ["entry_id"], unique=True,
        postgresql_where=sa.text("state IN ('draft', 'in_review', 'returned')"),
    )


def downgrade():
    op.drop_index("govshare_revision_one_open", table_name="govshare_revision")
    op.drop_table("govshare_revision")
    op.drop_table("govshare_lifecycle")
    op.execute("DROP TRIGGER IF EXISTS govshare_audit_append_only ON govshare_audit")
    op.drop_table("govshare_audit")
    op.execute("DROP FUNCTION IF EXISTS govshare_audit_append_only()")
