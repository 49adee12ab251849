"""Search index generation: a sequence advanced after every commit that wrote index rows.

Revision ID: b41d7e2c9a53
Revises: 7f12b42ca19a
Create Date: 2026-11-25 23:30:00
"""
from alembic import op

revision = "b41d7e2c9a53"
down_revision = "7f12b42ca19a"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE SEQUENCE IF NOT EXISTS govshare_search_generation")


def downgrade():
    op.execute("DROP SEQUENCE IF EXISTS govshare_search_generation")
