"""The sharing flows: ``govshare_case`` (requests, demands, collections, disputes, complaints,
incidents, grade sign-offs), ``govshare_case_event`` (their append-only audit),
``govshare_authorization`` (the grants an approved access request creates) and
``govshare_access_log`` (append-only: who reached an entry's data, when and under which grant).

One table holds every flow's cases (``kind``): each is a row on its flow's state machine with the
same columns for who acts next (``assignee_org`` / ``assignee_role`` / ``assignee_user``) and by
when (``due_at``), so every flow's list is queryable by assignee and due date with one index;
a flow's own fields are in ``data`` (JSONB, validated by the flow's schema). The audit tables
refuse UPDATE and DELETE (row trigger) and TRUNCATE (``govshare_no_truncate``) like
``govshare_audit``.

Revision ID: a5d1e7c3b920
Revises: 1ff6130c9ef2
Create Date: 2026-12-03 18:20:00
"""
from alembic import op

revision = "a5d1e7c3b920"
down_revision = "1ff6130c9ef2"
branch_labels = None
depends_on = None

APPEND_ONLY = ("govshare_case_event", "govshare_access_log")
AUTH_STATUS = "status IN ('pending_agreement', 'active', 'suspended', 'expired', 'revoked')"


def upgrade():
    op.execute("""
        CREATE TABLE IF NOT EXISTS govshare_case (
            id text PRIMARY KEY,
            kind text NOT NULL,
            number text NOT NULL UNIQUE,
            state text NOT NULL,
            title text NOT NULL,
            entry_id text,
            resource_code text,
            parent_id text,
            requester_user text,
            requester_org text,
            target_org text,
            assignee_org text,
            assignee_role text,
            assignee_user text,
            submitter text,
            clock text,
            due_at timestamptz,
            paused_days integer,
            data jsonb NOT NULL DEFAULT '{}'::jsonb,
            created timestamptz NOT NULL DEFAULT now(),
            modified timestamptz NOT NULL DEFAULT now(),
            closed_at timestamptz
        )
    """)
    op.execute("CREATE INDEX IF NOT EXISTS govshare_case_kind_state ON govshare_case (kind, state)")
    op.execute("CREATE INDEX IF NOT EXISTS govshare_case_assignee_due"
               " ON govshare_case (assignee_org, assignee_role, due_at)"
               " WHERE closed_at IS NULL")
    op.execute("CREATE INDEX IF NOT EXISTS govshare_case_assignee_user ON govshare_case (assignee_user)"
               " WHERE closed_at IS NULL AND assignee_user IS NOT NULL")
    op.execute("CREATE INDEX IF NOT EXISTS govshare_case_requester_org ON govshare_case (requester_org, created)")
    op.execute("CREATE INDEX IF NOT EXISTS govshare_case_requester_user"
               " ON govshare_case (requester_user, created)")
    op.execute("CREATE INDEX IF NOT EXISTS govshare_case_target_org ON govshare_case (target_org, created)")
    op.execute("CREATE INDEX IF NOT EXISTS govshare_case_entry ON govshare_case (entry_id)")
    op.execute("CREATE INDEX IF NOT EXISTS govshare_case_parent ON govshare_case (parent_id)")
    op.execute("CREATE SEQUENCE IF NOT EXISTS govshare_case_number_seq")

    op.execute("""
        CREATE TABLE IF NOT EXISTS govshare_case_event (
            id bigserial PRIMARY KEY,
            case_id text NOT NULL,
            kind text NOT NULL,
            entry_id text,
            org_id text,
            action text NOT NULL,
            from_state text,
            to_state text,
            actor text,
            at timestamptz NOT NULL DEFAULT now(),
            comment text,
            data jsonb
        )
    """)
    op.execute("CREATE INDEX IF NOT EXISTS govshare_case_event_case_at ON govshare_case_event (case_id, at)")
    op.execute("CREATE INDEX IF NOT EXISTS govshare_case_event_org_at ON govshare_case_event (org_id, at)")
    op.execute("CREATE INDEX IF NOT EXISTS govshare_case_event_entry_at"
               " ON govshare_case_event (entry_id, at)")

    op.execute(f"""
        CREATE TABLE IF NOT EXISTS govshare_authorization (
            id text PRIMARY KEY,
            number text NOT NULL UNIQUE,
            request_id text,
            entry_id text NOT NULL,
            provider_org text NOT NULL,
            consumer_org text NOT NULL,
            persons text[] NOT NULL DEFAULT '{{}}'::text[],
            items text[] NOT NULL DEFAULT '{{}}'::text[],
            purpose text,
            scenario text,
            region text,
            usage_scope text,
            provision_method text,
            valid_from timestamptz NOT NULL,
            valid_until timestamptz NOT NULL,
            status text NOT NULL,
            status_reason text,
            agreement jsonb,
            created timestamptz NOT NULL DEFAULT now(),
            modified timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT govshare_authorization_status_check CHECK ({AUTH_STATUS}),
            CONSTRAINT govshare_authorization_validity_check CHECK (valid_until > valid_from)
        )
    """)
    op.execute("CREATE INDEX IF NOT EXISTS govshare_authorization_entry_status"
               " ON govshare_authorization (entry_id, status)")
    op.execute("CREATE INDEX IF NOT EXISTS govshare_authorization_consumer_status"
               " ON govshare_authorization (consumer_org, status)")
    op.execute("CREATE INDEX IF NOT EXISTS govshare_authorization_provider_status"
               " ON govshare_authorization (provider_org, status)")
    op.execute("CREATE INDEX IF NOT EXISTS govshare_authorization_persons"
               " ON govshare_authorization USING gin (persons)")
    op.execute("CREATE INDEX IF NOT EXISTS govshare_authorization_valid_until"
               " ON govshare_authorization (valid_until) WHERE status = 'active'")

    op.execute("""
        CREATE TABLE IF NOT EXISTS govshare_access_log (
            id bigserial PRIMARY KEY,
            entry_id text NOT NULL,
            resource_id text,
            provider_org text,
            user_id text,
            user_orgs text[] NOT NULL DEFAULT '{}'::text[],
            channel text NOT NULL,
            authorization_id text,
            at timestamptz NOT NULL DEFAULT now()
        )
    """)
    op.execute("CREATE INDEX IF NOT EXISTS govshare_access_log_entry_at ON govshare_access_log (entry_id, at)")
    op.execute("CREATE INDEX IF NOT EXISTS govshare_access_log_provider_at"
               " ON govshare_access_log (provider_org, at)")
    op.execute("CREATE INDEX IF NOT EXISTS govshare_access_log_user_at ON govshare_access_log (user_id, at)")

    op.execute("""
        CREATE OR REPLACE FUNCTION govshare_sharing_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$
    """)
    for table in APPEND_ONLY:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS govshare_no_truncate ON {table}")
        op.execute(f"""
            CREATE TRIGGER {table}_append_only
            BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION govshare_sharing_append_only()
        """)
        op.execute(f"""
            CREATE TRIGGER govshare_no_truncate
            BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION govshare_refuse_truncate()
        """)


def downgrade():
    for table in reversed(APPEND_ONLY):
        op.execute(f"DROP TRIGGER IF EXISTS govshare_no_truncate ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    op.execute("DROP FUNCTION IF EXISTS govshare_sharing_append_only()")
    op.execute("DROP TABLE IF EXISTS govshare_access_log")
    op.execute("DROP TABLE IF EXISTS govshare_authorization")
    op.execute("DROP TABLE IF EXISTS govshare_case_event")
    op.execute("DROP SEQUENCE IF EXISTS govshare_case_number_seq")
    op.execute("DROP TABLE IF EXISTS govshare_case")
