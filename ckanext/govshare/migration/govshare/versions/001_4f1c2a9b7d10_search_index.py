"""The PostgreSQL search index (one row per indexed dataset and site).

Revision ID: 4f1c2a9b7d10
Revises:
Create Date: 2026-11-25 22:45:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "4f1c2a9b7d10"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "govshare_search_index",
        sa.Column("index_id", sa.Text, primary_key=True),
        sa.Column("package_id", sa.Text, nullable=False),
        sa.Column("site_id", sa.Text, nullable=False),
        sa.Column("name", sa.Text),
        sa.Column("title_string", sa.Text),
        sa.Column("metadata_created", sa.DateTime(timezone=True)),
        sa.Column("metadata_modified", sa.DateTime(timezone=True)),
        sa.Column("fields", postgresql.JSONB, nullable=False),
        sa.Column("tsv", postgresql.TSVECTOR, nullable=False),
        sa.Column("body", sa.Text, nullable=False, server_default=""),
        sa.Column("doc", postgresql.JSONB, nullable=False),
        sa.Column("indexed_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )
    op.create_index("govshare_search_index_package_id", "govshare_search_index", ["package_id"])
    op.create_index("govshare_search_index_site_modified", "govshare_search_index",
                    ["site_id", "metadata_modified"])
    op.create_index("govshare_search_index_created", "govshare_search_index",
                    ["metadata_created"])
    op.create_index("govshare_search_index_name", "govshare_search_index", ["name"])
    op.execute('CREATE INDEX govshare_search_index_title ON govshare_search_index '
               '(title_string COLLATE "C")')
    op.execute("CREATE INDEX govshare_search_index_fields ON govshare_search_index "
               "USING gin (fields jsonb_path_ops)")
    op.execute("CREATE INDEX govshare_search_index_tsv ON govshare_search_index USING gin (tsv)")
    # Range queries over arbitrary indexed values: casts that answer NULL instead of failing.
    op.execute("""
        CREATE OR REPLACE FUNCTION govshare_try_timestamptz(v text) RETURNS timestamptz
        LANGUAGE plpgsql STABLE AS $$
        BEGIN RETURN v::timestamptz; EXCEPTION WHEN others THEN RETURN NULL; END $$
    """)
    op.execute("""
        CREATE OR REPLACE FUNCTION govshare_try_numeric(v text) RETURNS numeric
        LANGUAGE plpgsql IMMUTABLE AS $$
        BEGIN RETURN v::numeric; EXCEPTION WHEN others THEN RETURN NULL; END $$
    """)


def downgrade():
    op.execute("DROP FUNCTION IF EXISTS govshare_try_numeric(text)")
    op.execute("DROP FUNCTION IF EXISTS govshare_try_timestamptz(text)")
    op.drop_table("govshare_search_index")
