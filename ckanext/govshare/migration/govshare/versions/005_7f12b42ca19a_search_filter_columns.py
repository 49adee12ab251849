"""Search index: columns for the filters every query carries, and a small ``keys`` copy.

``fields`` holds every indexed value, long text included, so PostgreSQL stores it compressed
and decompresses it once per row and per condition: at 10 000 datasets ``package_show``'s
cache lookup, the always-present ``state``/``capacity``/``permission_labels`` filters and
every facet each cost a pass of decompression over the table. This adds

* ``state``, ``capacity``, ``dataset_type`` (text) and ``permission_labels`` (text[]): the
  filters CKAN adds to every search, compared without touching jsonb;
* ``keys``: ``fields`` without the long text fields (title, notes, resource names and
  descriptions, ``extras_*``, URLs), stored uncompressed in the row (``STORAGE MAIN``), which
  answers string-field filters and facets. Its GIN index replaces the one on ``fields``;
* an index in the default order of a search without free text (newest first) that also
  carries those filter columns, so counting and paging such searches reads only the index.

Existing rows are filled from ``fields``; no reindex is needed.

Revision ID: 7f12b42ca19a
Revises: 3abc48a2f06d
Create Date: 2026-11-25 23:10:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "7f12b42ca19a"
down_revision = "3abc48a2f06d"
branch_labels = None
depends_on = None

TABLE = "govshare_search_index"
# as ckanext.govshare.search.sql.in_keys() at this revision
NOT_KEYS = ("title", "notes", "res_name", "res_description", "author", "maintainer", "urls",
            "id", "index_id", "text", "url", "res_url", "title_string", "indexed_ts",
            "metadata_created", "metadata_modified")


def upgrade():
    op.add_column(TABLE, sa.Column("keys", postgresql.JSONB, nullable=False,
                                   server_default=sa.text("'{}'::jsonb")))
    op.add_column(TABLE, sa.Column("state", sa.Text))
    op.add_column(TABLE, sa.Column("capacity", sa.Text))
    op.add_column(TABLE, sa.Column("dataset_type", sa.Text))
    op.add_column(TABLE, sa.Column("permission_labels", postgresql.ARRAY(sa.Text), nullable=False,
                                   server_default=sa.text("'{}'::text[]")))
    op.execute(f"ALTER TABLE {TABLE} ALTER COLUMN keys SET STORAGE MAIN")
    op.execute(sa.text(f"""
        UPDATE {TABLE} SET
            keys = coalesce((SELECT jsonb_object_agg(key, value) FROM jsonb_each(fields)
                             WHERE NOT (key = ANY(:not_keys) OR key LIKE 'extras\\_%'
                                        OR key LIKE 'res\\_extras\\_%')), '{{}}'::jsonb),
            state = fields -> 'state' ->> 0,
            capacity = fields -> 'capacity' ->> 0,
            dataset_type = fields -> 'dataset_type' ->> 0,
            permission_labels = ARRAY(SELECT jsonb_array_elements_text(
                coalesce(fields -> 'permission_labels', '[]'::jsonb)))
    """).bindparams(not_keys=list(NOT_KEYS)))
    op.execute("DROP INDEX IF EXISTS govshare_search_index_fields")
    op.execute(f"CREATE INDEX govshare_search_index_keys ON {TABLE} USING gin (keys jsonb_path_ops)")
    # the default order without free text (``metadata_modified desc``, ties by index_id),
    # covering the filters above: counts and pages of unfiltered searches read only the index
    op.execute(f"CREATE INDEX govshare_search_index_recent ON {TABLE} "
               "(metadata_modified DESC NULLS LAST, index_id) "
               "INCLUDE (site_id, state, capacity, dataset_type, permission_labels)")


def downgrade():
    op.execute("DROP INDEX IF EXISTS govshare_search_index_recent")
    op.execute("DROP INDEX IF EXISTS govshare_search_index_keys")
    op.execute(f"CREATE INDEX govshare_search_index_fields ON {TABLE} "
               "USING gin (fields jsonb_path_ops)")
    for column in ("permission_labels", "dataset_type", "capacity", "state", "keys"):
        op.drop_column(TABLE, column)
