"""Monthly assessment snapshots (DB14 §7.4 目录编制考核), kept for trends.

One row per department (``unit = ''``) or internal unit per month ``YYYY-MM``: the four
dimension scores, the overall score, the counts they come from and the weights used. Taking a
snapshot of a month again replaces the row (the unique key is the upsert target).

Revision ID: 5d0c3d142687
Revises: b41d7e2c9a53
Create Date: 2026-11-27 10:00:00
"""
from alembic import op

revision = "5d0c3d142687"
down_revision = "b41d7e2c9a53"
branch_labels = None
depends_on = None

_SCORE = "double precision CHECK ({0} IS NULL OR {0} BETWEEN 0 AND 1)"


def upgrade():
    scores = ",\n            ".join(
        f"{name} {_SCORE.format(name)}"
        for name in ("score", "comprehensiveness", "completeness", "accuracy", "timeliness"))
    op.execute(f"""
        CREATE TABLE IF NOT EXISTS govshare_assessment_snapshot (
            id text PRIMARY KEY,
            org_id text NOT NULL,
            unit text NOT NULL DEFAULT '',
            period text NOT NULL
                CONSTRAINT govshare_assessment_snapshot_period_check
                CHECK (period ~ '^[0-9]{{4}}-(0[1-9]|1[0-2])$'),
            {scores},
            counts jsonb NOT NULL DEFAULT '{{}}'::jsonb,
            weights jsonb NOT NULL DEFAULT '{{}}'::jsonb,
            taken_at timestamptz NOT NULL DEFAULT now(),
            taken_by text,
            CONSTRAINT govshare_assessment_snapshot_key UNIQUE (org_id, unit, period)
        )
    """)
    op.execute("CREATE INDEX IF NOT EXISTS govshare_assessment_snapshot_period"
               " ON govshare_assessment_snapshot (period)")


def downgrade():
    op.execute("DROP TABLE IF EXISTS govshare_assessment_snapshot")
