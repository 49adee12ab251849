"""Emptying govshare's tables between tests, past the append-only tables' TRUNCATE guard.

The append-only tables (``govshare_audit``, ``govshare_role_event``) refuse TRUNCATE through the
statement trigger ``govshare_no_truncate`` (migration ``no_truncate``). The test fixture, which
connects as their owner, disables that trigger for its own TRUNCATE and enables it again in the
same transaction, so no other session ever sees it off and every test runs with it on.
"""
from __future__ import annotations

import sqlalchemy as sa

#: the statement trigger by which a govshare table refuses TRUNCATE (one name on every table)
TRUNCATE_GUARD = "govshare_no_truncate"


def govshare_tables(session) -> list[str]:
    """govshare's tables in the current schema, its alembic version table excepted."""
    return list(session.execute(sa.text(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
        "AND tablename LIKE 'govshare\\_%' AND tablename <> 'govshare_alembic_version'"
    )).scalars())


def guarded_tables(session) -> list[str]:
    """The tables of the current schema that carry the TRUNCATE guard."""
    return list(session.execute(sa.text(
        "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE t.tgname = :guard AND n.nspname = current_schema() ORDER BY c.relname"
    ), {"guard": TRUNCATE_GUARD}).scalars())


def truncate_govshare(session) -> list[str]:
    """TRUNCATE every govshare table in one transaction, guard off for that statement only,
    and commit; returns the tables emptied."""
    tables = govshare_tables(session)
    if tables:
        guarded = [t for t in guarded_tables(session) if t in tables]
        for table in guarded:
            session.execute(sa.text(f'ALTER TABLE "{table}" DISABLE TRIGGER {TRUNCATE_GUARD}'))
        session.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)))
        for table in guarded:
            session.execute(sa.text(f'ALTER TABLE "{table}" ENABLE TRIGGER {TRUNCATE_GUARD}'))
    session.commit()
    return tables
