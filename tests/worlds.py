"""Resetting the database between tests fast, and test worlds built once and restored per test.

A test that writes needs the database as its world left it, not as the previous test left it.
Rebuilding the world for every test (users, departments, roles, entries through the actions)
costs about a second; restoring its rows costs a few milliseconds. So:

* :func:`restore` empties every table of the current schema with ``DELETE`` (children before
  parents) and, for a world, copies the world's rows back (``COPY FROM``) from the snapshot
  :func:`store` took (``COPY TO``, kept in this process: the database holds no extra object
  that a test reading the catalogue could see), all in one transaction. The append-only tables
  refuse ``DELETE`` (row trigger) and ``TRUNCATE`` (statement trigger): their triggers are
  disabled inside that transaction and enabled again before it commits, so no other session
  ever sees them off and every test runs with them on. Copied rows are the rows as built: no
  trigger fires on them.
* The plan (tables in foreign-key order, tables with triggers of their own) is read from the
  catalogue once per schema: :func:`fingerprint` names the schema by its tables' identities,
  columns and triggers, so a migration test that drops and recreates a table invalidates the
  plan and every snapshot, and the caller falls back to the full reset.

What is not in the database is the caller's business: Redis (``clean_queues``), uploaded files.
The search cache is keyed on a sequence, which :func:`restore` advances (the rows changed
under it).
"""
from __future__ import annotations

import copy
import io
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import close_all_sessions

#: snapshots kept at once (a module builds its own; older ones are dropped)
KEEP = 8

_FINGERPRINT = sa.text(
    "SELECT md5(coalesce(string_agg(concat_ws(':', c.oid, c.relname, c.relnatts,"
    " (SELECT count(*) FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal)),"
    " ',' ORDER BY c.oid), ''))"
    " FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'"
)


@dataclass
class Plan:
    """How to empty and refill the current schema's tables."""

    fingerprint: str
    tables: list[str]  # parents before children
    triggered: list[str]  # tables with triggers of their own (the append-only guards)


@dataclass
class Snapshot:
    rows: dict[str, bytes]  # COPY text of the non-empty tables, parents before children
    value: Any = None


@dataclass
class _State:
    plan: Plan | None = None
    snapshots: OrderedDict[Hashable, Snapshot] = field(default_factory=OrderedDict)


_state = _State()


def fingerprint(conn: Any) -> str:
    return conn.execute(_FINGERPRINT).scalar_one()


def _plan(conn: Any) -> Plan:
    tables = list(conn.execute(sa.text(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        " AND tablename NOT LIKE '%alembic\\_version' ORDER BY tablename")).scalars())
    parents: dict[str, set[str]] = {t: set() for t in tables}
    for child, parent in conn.execute(sa.text(
            "SELECT c.relname, p.relname FROM pg_constraint k"
            " JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid"
            " WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace")):
        if child in parents and parent in parents and child != parent:
            parents[child].add(parent)
    ordered: list[str] = []
    done: set[str] = set()

    def visit(table: str, path: tuple[str, ...] = ()) -> None:
        if table in done:
            return
        assert table not in path, f"foreign-key cycle through {path + (table,)}"
        for parent in sorted(parents[table]):
            visit(parent, path + (table,))
        done.add(table)
        ordered.append(table)

    for table in tables:
        visit(table)
    triggered = sorted(set(conn.execute(sa.text(
        "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
        " WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
    )).scalars()) & set(tables))
    return Plan(fingerprint(conn), ordered, triggered)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def ready(session: Any) -> bool:
    """Whether the plan still describes the schema (else: full reset, then :func:`adopt`)."""
    session.rollback()
    return _state.plan is not None and fingerprint(session) == _state.plan.fingerprint


def adopt(session: Any) -> None:
    """Read the plan of the schema as it is now (after a full reset and the migrations); forget
    the snapshots of any earlier schema."""
    plan = _plan(session.connection())
    if _state.plan is None or _state.plan.fingerprint != plan.fingerprint:
        _state.snapshots.clear()
    _state.plan = plan
    session.commit()


def restore(session: Any, snapshot: Snapshot | None = None) -> None:
    """Empty every table, then copy ``snapshot``'s rows back (none: leave them empty); commit,
    and start a new generation of cached search results."""
    plan = _state.plan
    assert plan is not None, "adopt() first"
    close_all_sessions()  # also a session a test's thread left open, holding locks
    statements = [f"ALTER TABLE {_q(t)} DISABLE TRIGGER USER" for t in plan.triggered]
    statements += [f"DELETE FROM {_q(t)}" for t in reversed(plan.tables)]
    session.execute(sa.text(";\n".join(statements)))
    if snapshot is not None:
        cursor = session.connection().connection.cursor()
        for table, rows in snapshot.rows.items():
            cursor.copy_expert(f"COPY {_q(table)} FROM STDIN", io.BytesIO(rows))
        cursor.close()
    if plan.triggered:
        session.execute(sa.text(";\n".join(
            f"ALTER TABLE {_q(t)} ENABLE TRIGGER USER" for t in plan.triggered)))
    session.commit()
    if session.execute(sa.text("SELECT to_regclass('govshare_search_generation')")).scalar():
        from ckanext.govshare.search import cache

        cache.advance(session.get_bind())
    session.remove()


def store(session: Any, key: Hashable, value: Any) -> None:
    """Keep the rows of every non-empty table (and ``value``, the world's handles) as
    snapshot ``key``."""
    plan = _state.plan
    assert plan is not None, "adopt() first"
    session.commit()
    conn = session.connection()
    filled = set(conn.execute(sa.text(" UNION ALL ".join(
        f"SELECT {i} WHERE EXISTS (SELECT 1 FROM {_q(t)})" for i, t in enumerate(plan.tables)
    ))).scalars())
    rows = {}
    cursor = conn.connection.cursor()
    for i, table in enumerate(plan.tables):
        if i in filled:
            out = io.BytesIO()
            cursor.copy_expert(f"COPY {_q(table)} TO STDOUT", out)
            rows[table] = out.getvalue()
    cursor.close()
    session.commit()
    while len(_state.snapshots) >= KEEP:
        _state.snapshots.popitem(last=False)
    _state.snapshots[key] = Snapshot(rows, copy.deepcopy(value))


def world(session: Any, key: Hashable, build: Callable[[], Any]) -> Any:
    """The world ``build()`` makes on the database just emptied: built the first time ``key``
    is asked for (and after a schema change), restored from its snapshot after that. Each
    caller gets its own copy of the handles ``build`` returned."""
    snapshot = _state.snapshots.get(key)
    if snapshot is not None and ready(session):
        restore(session, snapshot)
        _state.snapshots.move_to_end(key)
        return copy.deepcopy(snapshot.value)
    value = build()
    store(session, key, value)
    session.remove()
    return copy.deepcopy(_state.snapshots[key].value)
