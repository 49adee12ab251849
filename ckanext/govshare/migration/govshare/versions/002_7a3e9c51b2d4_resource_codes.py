"""Resource-code sequences and the register of every code ever issued.

Revision ID: 7a3e9c51b2d4
Revises: 4f1c2a9b7d10
Create Date: 2026-11-25 23:15:00
"""
import sqlalchemy as sa
from alembic import op

revision = "7a3e9c51b2d4"
down_revision = "4f1c2a9b7d10"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "govshare_code_sequence",
        sa.Column("prefix", sa.Text, primary_key=True),
        sa.Column("last_value", sa.Integer, nullable=False),
    )
    op.create_table(
        "govshare_resource_code",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("package_id", sa.Text, nullable=False, index=True),
        sa.Column("org_id", sa.Text),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )


def downgrade():
    op.drop_table("govshare_resource_code")
    op.drop_table("govshare_code_sequence")
