"""The "update required" step after a change event (DB14 §7.3 变更事由), on ``govshare_lifecycle``.

Kept beside the entry's review step (``clock``/``due_at``), not in it: a published entry can
have both an offline request and an update due at once. ``change_due_at`` is indexed for the
reminder run.

Revision ID: c7e2a4f9d1b3
Revises: 5d0c3d142687
Create Date: 2026-11-26 02:30:00
"""
from alembic import op

revision = "c7e2a4f9d1b3"
down_revision = "5d0c3d142687"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("change_reason", "text"),
    ("change_reported_by", "text"),
    ("change_occurred_at", "timestamptz"),
    ("change_due_at", "timestamptz"),
    ("change_reminded_at", "timestamptz"),
)


def upgrade():
    for name, kind in _COLUMNS:
        op.execute(f"ALTER TABLE govshare_lifecycle ADD COLUMN IF NOT EXISTS {name} {kind}")
    op.execute("CREATE INDEX IF NOT EXISTS govshare_lifecycle_change_due_at"
               " ON govshare_lifecycle (change_due_at)")


def downgrade():
    op.execute("DROP INDEX IF EXISTS govshare_lifecycle_change_due_at")
    for name, _kind in reversed(_COLUMNS):
        op.execute(f"ALTER TABLE govshare_lifecycle DROP COLUMN IF EXISTS {name}")
