"""govshare's alembic migrations: every revision upgrades, downgrades and upgrades again."""
from __future__ import annotations

import os

import ckan.model as model
import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory

import ckanext.govshare

MIGRATIONS = os.path.join(os.path.dirname(ckanext.govshare.__file__), "migration", "govshare")


def _revisions() -> list[str]:
    """Revision ids from the first to the head."""
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    script = ScriptDirectory.from_config(config)
    return [r.revision for r in reversed(list(script.walk_revisions("base", "heads")))]


def _tables() -> set[str]:
    model.Session.remove()
    with model.meta.engine.connect() as conn:
        return {t for t in sa.inspect(conn).get_table_names()
                if t.startswith("govshare_") and t != "govshare_alembic_version"}


def _version() -> str | None:
    with model.meta.engine.connect() as conn:
        return conn.execute(sa.text("SELECT version_num FROM govshare_alembic_version")).scalar()


def test_one_linear_history():
    """The revisions form one chain (no branches), so ``head`` is well defined."""
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1
    assert len(_revisions()) == len(set(_revisions())) >= 3


@pytest.mark.usefixtures("clean_db")
def test_up_down_up(migrate_db_for):
    """All the way down to base, step by step up, step by step down, and up to head again."""
    head_tables = _tables()
    assert {"govshare_role", "govshare_filing", "govshare_filing_history"} <= head_tables

    migrate_db_for("govshare", "base", forward=False)
    assert _tables() == set()

    seen: list[set[str]] = []
    for revision in _revisions():
        migrate_db_for("govshare", revision)
        assert _version() == revision
        seen.append(_tables())
    assert seen[-1] == head_tables

    for revision, tables in zip(reversed(_revisions()[:-1]), reversed(seen[:-1])):
        migrate_db_for("govshare", revision, forward=False)
        assert _version() == revision
        assert _tables() == tables, f"downgrade to {revision} left other tables"

    migrate_db_for("govshare", "base", forward=False)
    assert _tables() == set()
    migrate_db_for("govshare")
    assert _tables() == head_tables


@pytest.mark.usefixtures("clean_db")
def test_roles_and_filing_constraints():
    """The vocabularies and uniqueness are enforced by the tables themselves."""
    def insert(sql: str) -> None:
        with model.meta.engine.begin() as conn:
            conn.execute(sa.text(sql))

    insert("INSERT INTO govshare_role (id, org_id, user_id, role) VALUES ('r1', 'o', 'u', 'compiler')")
    with pytest.raises(sa.exc.IntegrityError):
        insert("INSERT INTO govshare_role (id, org_id, user_id, role) VALUES ('r2', 'o', 'u', 'compiler')")
    with pytest.raises(sa.exc.IntegrityError):
        insert("INSERT INTO govshare_role (id, org_id, user_id, role) VALUES ('r3', 'o', 'u', 'boss')")
    person = "'张伟', '副局长', '0351-4567890', 'a@b.cn', DATE '2026-01-05'"
    insert("INSERT INTO govshare_filing (id, org_id, kind, name, title, phone, email, "
           f"effective_date) VALUES ('f1', 'o', 'lead', {person})")
    with pytest.raises(sa.exc.IntegrityError):
        insert("INSERT INTO govshare_filing (id, org_id, kind, name, title, phone, email, "
               f"effective_date, status) VALUES ('f2', 'o', 'contact', {person}, 'approved')")
    with pytest.raises(sa.exc.IntegrityError):
        insert("INSERT INTO govshare_filing (id, org_id, kind, name, title, phone, email, "
               f"effective_date) VALUES ('f3', 'o', 'lead', {person})")


@pytest.mark.usefixtures("clean_db")
def test_change_event_columns_down_and_up(migrate_db_for):
    """008 adds the "update required" step's columns to govshare_lifecycle and drops them again."""
    def columns() -> set[str]:
        model.Session.remove()
        with model.meta.engine.connect() as conn:
            return {c["name"] for c in sa.inspect(conn).get_columns("govshare_lifecycle")}

    added = {"change_reason", "change_reported_by", "change_occurred_at", "change_due_at",
             "change_reminded_at"}
    assert added <= columns()
    migrate_db_for("govshare", "5d0c3d142687", forward=False)
    assert not added & columns() and "due_at" in columns()
    migrate_db_for("govshare")
    assert added <= columns()


@pytest.mark.usefixtures("clean_db")
def test_role_events_down_and_up(migrate_db_for):
    """009 adds the append-only role history and removes it, trigger function included."""
    def function() -> bool:
        with model.meta.engine.connect() as conn:
            return bool(conn.execute(sa.text(
                "SELECT to_regprocedure('govshare_role_event_append_only()')")).scalar())

    assert "govshare_role_event" in _tables() and function()
    migrate_db_for("govshare", "c7e2a4f9d1b3", forward=False)
    assert "govshare_role_event" not in _tables() and not function()
    assert "govshare_role" in _tables()
    migrate_db_for("govshare")
    assert "govshare_role_event" in _tables() and function()
    with pytest.raises(sa.exc.IntegrityError):
        with model.meta.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO govshare_role_event (org_id, user_id, role, event)"
                                 " VALUES ('o', 'u', 'reviewer', 'promoted')"))


@pytest.mark.usefixtures("clean_db")
def test_no_truncate_down_and_up(migrate_db_for):
    """010 makes the append-only tables refuse TRUNCATE and, downgraded, lets it through again
    (trigger function included); the tables and their rows stay."""
    def guarded() -> set[str]:
        with model.meta.engine.connect() as conn:
            return set(conn.execute(sa.text(
                "SELECT tgrelid::regclass::text FROM pg_trigger"
                " WHERE tgname = 'govshare_no_truncate'")).scalars())

    def function() -> bool:
        with model.meta.engine.connect() as conn:
            return bool(conn.execute(sa.text(
                "SELECT to_regprocedure('govshare_refuse_truncate()')")).scalar())

    def truncate(table: str) -> None:
        with model.meta.engine.begin() as conn:
            conn.execute(sa.text(f"TRUNCATE {table}"))

    tables = {"govshare_audit", "govshare_role_event"}
    # 011 (sharing) guards its append-only tables with the same trigger
    later = {"govshare_case_event", "govshare_access_log"}
    assert guarded() == tables | later and function()
    model.Session.remove()
    migrate_db_for("govshare", "eb63bed08888", forward=False)
    assert _version() == "eb63bed08888"
    assert guarded() == set() and not function() and tables <= _tables()
    for table in sorted(tables):
        truncate(table)
    migrate_db_for("govshare")
    assert guarded() == tables | later and function()
    for table in sorted(tables | later):
        with pytest.raises(sa.exc.DBAPIError, match=f"{table} is append-only: TRUNCATE refused"):
            truncate(table)


SHARING_TABLES = {"govshare_case", "govshare_case_event", "govshare_authorization",
                  "govshare_access_log"}


@pytest.mark.usefixtures("clean_db")
def test_sharing_down_and_up(migrate_db_for):
    """011 adds the sharing tables (two of them append-only: no UPDATE, DELETE or TRUNCATE)
    and removes them, their sequence and trigger function included; the catalogue's stay."""
    def exists(kind: str, name: str) -> bool:
        with model.meta.engine.connect() as conn:
            return bool(conn.execute(sa.text(f"SELECT to_{kind}(:n)"), {"n": name}).scalar())

    assert SHARING_TABLES <= _tables() and exists("regclass", "govshare_case_number_seq")
    assert exists("regprocedure", "govshare_sharing_append_only()")
    with model.meta.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO govshare_case_event (case_id, kind, action)"
                             " VALUES ('c', 'demand', 'created')"))
    for statement in ("UPDATE govshare_case_event SET action = 'x'",
                      "DELETE FROM govshare_case_event"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with model.meta.engine.begin() as conn:
                conn.execute(sa.text(statement))
    with pytest.raises(sa.exc.IntegrityError):
        with model.meta.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO govshare_authorization (id, number, entry_id, provider_org,"
                " consumer_org, valid_from, valid_until, status) VALUES ('a', 'n', 'e', 'p',"
                " 'c', now(), now() + interval '1 day', 'granted')"))
    model.Session.remove()
    migrate_db_for("govshare", "1ff6130c9ef2", forward=False)
    assert not SHARING_TABLES & _tables() and "govshare_audit" in _tables()
    assert not exists("regclass", "govshare_case_number_seq")
    assert not exists("regprocedure", "govshare_sharing_append_only()")
    migrate_db_for("govshare")
    assert SHARING_TABLES <= _tables()
