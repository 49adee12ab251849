"""Duplicate sources: ``govshare_duplicate_dismissal``, the "not a duplicate" decisions
(DB14 §8.1 一数一源). One row per pair of entries (``entry_a < entry_b``) with the fingerprint
of each entry's normalized title and 信息项 names when it was decided: the pair is not
reported again while both fingerprints stay the same.

Revision ID: 5b8e2d7c4a61
Revises: c3d9e1f7a2b4
Create Date: 2026-12-04 17:30:00
"""
from alembic import op

revision = "5b8e2d7c4a61"
down_revision = "c3d9e1f7a2b4"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
        CREATE TABLE IF NOT EXISTS govshare_duplicate_dismissal (
            entry_a text NOT NULL,
            entry_b text NOT NULL,
            fingerprint_a text NOT NULL,
            fingerprint_b text NOT NULL,
            org_a text,
            org_b text,
            reason text,
            decided_by text,
            decided_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (entry_a, entry_b),
            CONSTRAINT govshare_duplicate_dismissal_ordered CHECK (entry_a < entry_b)
        )
    """)
    op.execute("CREATE INDEX IF NOT EXISTS govshare_duplicate_dismissal_entry_b"
               " ON govshare_duplicate_dismissal (entry_b)")


def downgrade():
    op.execute("DROP TABLE IF EXISTS govshare_duplicate_dismissal")
