"""Department roles and the filing (备案) of responsible persons.

Revision ID: 98bb0a00a455
Revises: 7a3e9c51b2d4
Create Date: 2026-11-26 09:30:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "98bb0a00a455"
down_revision = "7a3e9c51b2d4"
branch_labels = None
depends_on = None

# text + CHECK rather than ENUM types: CKAN's test reset drops tables but not types
KINDS = "kind IN ('lead', 'share_manager', 'contact', 'security_officer')"
STATUSES = "status IN ('to_be_filed', 'filed', 'changed_to_be_refiled')"


def upgrade():
    op.create_table(
        "govshare_role",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("org_id", sa.Text, nullable=False, index=True),
        sa.Column("user_id", sa.Text, nullable=False, index=True),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("units", postgresql.ARRAY(sa.Text), nullable=False,
                  server_default=sa.text("'{}'::text[]")),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("created_by", sa.Text),
        sa.UniqueConstraint("org_id", "user_id", "role", name="govshare_role_org_user_role_key"),
        sa.CheckConstraint(
            "role IN ('compiler', 'reviewer', 'security_officer', 'coordinator')",
            name="govshare_role_role_check",
        ),
    )
    op.create_table(
        "govshare_filing",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("org_id", sa.Text, nullable=False, index=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("unit", sa.Text),
        sa.Column("phone", sa.Text, nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("effective_date", sa.Date, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="to_be_filed"),
        sa.Column("receipt", sa.Text),
        sa.Column("filed_at", sa.DateTime(timezone=True)),
        sa.Column("filed_by", sa.Text),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("created_by", sa.Text),
        sa.Column("modified_by", sa.Text),
        sa.UniqueConstraint("org_id", "kind", name="govshare_filing_org_kind_key"),
        sa.CheckConstraint(KINDS, name="govshare_filing_kind_check"),
        sa.CheckConstraint(STATUSES, name="govshare_filing_status_check"),
    )
    op.create_table(
        "govshare_filing_history",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("filing_id", sa.Text, nullable=False, index=True),
        sa.Column("org_id", sa.Text, nullable=False, index=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("event", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("unit", sa.Text),
        sa.Column("phone", sa.Text, nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("effective_date", sa.Date, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("receipt", sa.Text),
        sa.Column("actor", sa.Text),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.UniqueConstraint("filing_id", "version", name="govshare_filing_history_version_key"),
        sa.CheckConstraint("event IN ('created', 'updated', 'filed')",
                           name="govshare_filing_history_event_check"),
        sa.CheckConstraint(KINDS, name="govshare_filing_history_kind_check"),
        sa.CheckConstraint(STATUSES, name="govshare_filing_history_status_check"),
    )


def downgrade():
    op.drop_table("govshare_filing_history")
    op.drop_table("govshare_filing")
    op.drop_table("govshare_role")
