"""The DCAT harvest endpoint: ``govshare_dcat_fragment`` (each published or offline entry's
serialised fragments and its fixed place ``seq`` in the feed), ``govshare_harvest_request``
(each page the harvest account fetched) and ``govshare_harvest_delivery`` (per entry, when it
was last delivered and in which version).

Revision ID: c3d9e1f7a2b4
Revises: a5d1e7c3b920
Create Date: 2026-12-05 10:00:00
"""
from alembic import op

revision = "c3d9e1f7a2b4"
down_revision = "a5d1e7c3b920"
branch_labels = None
depends_on = None

_TEXTS = ",\n".join(f"{variant}_{fmt} text NOT NULL" for variant in ("meta", "data", "guarded")
                    for fmt in ("ttl", "jsonld", "xml"))


def upgrade():
    op.execute("CREATE SEQUENCE IF NOT EXISTS govshare_dcat_fragment_seq")
    op.execute(f"""
        CREATE TABLE IF NOT EXISTS govshare_dcat_fragment (
            package_id text PRIMARY KEY,
            seq bigint NOT NULL UNIQUE DEFAULT nextval('govshare_dcat_fragment_seq'),
            owner_org text,
            state text NOT NULL,
            modified timestamptz NOT NULL,
            {_TEXTS},
            built timestamptz NOT NULL DEFAULT now()
        )
    """)
    op.execute("ALTER SEQUENCE govshare_dcat_fragment_seq OWNED BY govshare_dcat_fragment.seq")
    op.execute("CREATE INDEX IF NOT EXISTS govshare_dcat_fragment_owner_org"
               " ON govshare_dcat_fragment (owner_org)")
    op.execute("CREATE INDEX IF NOT EXISTS govshare_dcat_fragment_modified"
               " ON govshare_dcat_fragment (modified, seq)")
    op.execute("""
        CREATE TABLE IF NOT EXISTS govshare_harvest_request (
            id bigserial PRIMARY KEY,
            user_id text NOT NULL,
            at timestamptz NOT NULL DEFAULT now(),
            format text NOT NULL,
            modified_since timestamptz,
            after_seq bigint,
            entries integer NOT NULL
        )
    """)
    op.execute("CREATE INDEX IF NOT EXISTS govshare_harvest_request_user_id"
               " ON govshare_harvest_request (user_id, at)")
    op.execute("""
        CREATE TABLE IF NOT EXISTS govshare_harvest_delivery (
            package_id text PRIMARY KEY,
            owner_org text,
            first_at timestamptz NOT NULL,
            last_at timestamptz NOT NULL,
            modified timestamptz NOT NULL
        )
    """)
    op.execute("CREATE INDEX IF NOT EXISTS govshare_harvest_delivery_owner_org"
               " ON govshare_harvest_delivery (owner_org)")


def downgrade():
    op.execute("DROP TABLE IF EXISTS govshare_harvest_delivery")
    op.execute("DROP TABLE IF EXISTS govshare_harvest_request")
    op.execute("DROP TABLE IF EXISTS govshare_dcat_fragment")
    op.execute("DROP SEQUENCE IF EXISTS govshare_dcat_fragment_seq")
