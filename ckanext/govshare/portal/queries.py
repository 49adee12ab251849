"""The workbench's reads that no feature package answers already: SQL over CKAN's ``package``
and ``member`` tables joined with the lifecycle's and the sharing flows' own.

One statement per kind of to-do (no N+1): the compiler's entries (drafts, returned entries,
updates required after a change event, revisions still being written or returned; a department
administrator's own and those of units without a compiler) and the
authorizations about to expire that the user's department may renew. The review steps are
:func:`ckanext.govshare.lifecycle.queries.waiting_steps`' and the sharing cases
:func:`ckanext.govshare.sharing.cases.open_cases_for`'. Bound parameters only.
"""
from __future__ import annotations

import datetime
from typing import Any

import ckan.model as model
import sqlalchemy as sa

from ckanext.govshare.catalogue import fields
from ckanext.govshare.department import roles
from ckanext.govshare.lifecycle import tables
from ckanext.govshare.sharing import flows

__all__ = ["compiler_count", "compiler_rows", "expiring_count", "expiring_rows",
           "KIND_DRAFT", "KIND_RETURNED", "KIND_UPDATE_REQUIRED",
           "KIND_REVISION_DRAFT", "KIND_EXPIRING"]

#: a draft entry never returned (编制中)
KIND_DRAFT = "draft"
#: a draft entry a reviewer returned (退回修改), with the reason
KIND_RETURNED = "returned"
#: a published entry whose update is due after a change event (DB14 §7.3)
KIND_UPDATE_REQUIRED = "update_required"
#: a pending revision still being written, or returned by the reviewer
KIND_REVISION_DRAFT = "revision_draft"
#: an active authorization whose validity ends soon (its consumer may renew it)
KIND_EXPIRING = "authorization_expiring"

# A compiler of entry p: a compiler role in force in its department, bound to its unit (or the
# entry has none): roles.actor_roles in SQL. {who} narrows it to the user.
_UNIT_COMPILER = """
    EXISTS (
        SELECT 1 FROM govshare_role g
        WHERE {who} g.org_id = p.owner_org AND g.role = :compiler
          AND (p.extras->>:unit_field IS NULL OR p.extras->>:unit_field = ANY(g.units))
          AND """ + roles.IN_FORCE_SQL + """)
"""

# Whose to-do entry p is (a revision's {author} is its own): its unit's compiler's and, as
# permissions.may_compile lets a department's administrator compile any entry, the
# administrator's for the entries they compiled themselves and for those of a unit no compiler
# is bound to (nobody else's to-do until the department binds one). An administrator does not
# get the drafts of the units' compilers: those are the compilers' (业务谁主管，谁编制).
_MINE = """(""" + _UNIT_COMPILER.replace("{who}", "g.user_id = :user AND") + """
    OR (EXISTS (
            SELECT 1 FROM member a
            WHERE a.table_name = 'user' AND a.table_id = :user AND a.group_id = p.owner_org
              AND a.state = 'active' AND a.capacity = :admin)
        AND ({author} = :user OR NOT """ + _UNIT_COMPILER.replace("{who}", "") + """)))
"""
_ENTRY_MINE = _MINE.replace("{author}", "p.creator_user_id")

_COMPILER_ITEMS = """
    SELECT * FROM (
        SELECT CASE WHEN l.reason IS NOT NULL THEN :kind_returned ELSE :kind_draft END AS kind,
               p.id AS ref, p.id, p.name, p.title, p.owner_org,
               p.extras->>:state_field AS state, p.extras->>:code_field AS code,
               p.extras->>:unit_field AS unit, CAST(NULL AS timestamptz) AS due_at,
               p.metadata_modified AT TIME ZONE 'UTC' AS since, l.reason
        FROM package p LEFT JOIN govshare_lifecycle l ON l.entry_id = p.id
        WHERE p.state = 'active'
          AND p.extras->>:state_field = :draft AND """ + _ENTRY_MINE + """
        UNION ALL
        SELECT :kind_update, p.id, p.id, p.name, p.title, p.owner_org,
               p.extras->>:state_field, p.extras->>:code_field, p.extras->>:unit_field,
               l.change_due_at, l.change_occurred_at, l.change_reason
        FROM govshare_lifecycle l JOIN package p ON p.id = l.entry_id
        WHERE p.state = 'active' AND l.change_due_at IS NOT NULL AND """ + _ENTRY_MINE + """
        UNION ALL
        SELECT :kind_revision, r.id, p.id, p.name, p.title, p.owner_org, r.state,
               p.extras->>:code_field, p.extras->>:unit_field, CAST(NULL AS timestamptz),
               r.modified, r.reason
        FROM govshare_revision r JOIN package p ON p.id = r.entry_id
        WHERE p.state = 'active' AND r.state = ANY(:revision_states)
          AND """ + _MINE.replace("{author}", "r.author") + """
    ) q
"""
_COMPILER_ROWS = sa.text(_COMPILER_ITEMS + " ORDER BY q.due_at NULLS LAST, q.since DESC, q.ref")
_COMPILER_COUNT = sa.text("SELECT count(*) FROM (" + _COMPILER_ITEMS + ") c")


def _compiler_params(user_id: str) -> dict[str, Any]:
    force_roles, force_capacities = roles.in_force_pairs()
    return {
        "user": user_id, "compiler": tables.ROLE_COMPILER, "admin": "admin",
        "force_roles": force_roles, "force_capacities": force_capacities,
        "state_field": fields.CATALOGUE_STATE, "code_field": fields.RESOURCE_CODE,
        "unit_field": fields.PROVIDER_UNIT, "draft": tables.DRAFT,
        "revision_states": [tables.DRAFT, tables.RETURNED],
        "kind_draft": KIND_DRAFT, "kind_returned": KIND_RETURNED,
        "kind_update": KIND_UPDATE_REQUIRED, "kind_revision": KIND_REVISION_DRAFT,
    }


def compiler_rows(user_id: str) -> list[Any]:
    """What waits on ``user_id`` as the compiler of its unit (or as a department administrator
    who compiles: see ``_MINE``), in one query: draft and returned entries, updates required
    after a change event, revisions in draft or returned. Each row:
    ``kind, ref`` (the entry's id, or the revision's), ``id, name, title, owner_org, state,
    code, unit, due_at`` (only an update required has one), ``since, reason``."""
    return list(model.Session.execute(_COMPILER_ROWS, _compiler_params(user_id)))


def compiler_count(user_id: str) -> int:
    """How many rows :func:`compiler_rows` has, counted in SQL (the header's badge)."""
    return int(model.Session.execute(_COMPILER_COUNT, _compiler_params(user_id)).scalar() or 0)


# The consuming side renews (govshare_authorization_renew): its reviewers act for the
# department (统一提出), the requester for themself.
_EXPIRING = """
    SELECT a.id, a.number, a.entry_id, a.provider_org, a.consumer_org, a.status,
           a.valid_until, a.purpose, p.name, p.title, p.extras->>:code_field AS code,
           p.extras->>:unit_field AS unit
    FROM govshare_authorization a LEFT JOIN package p ON p.id = a.entry_id
    WHERE a.status = :active AND a.valid_until > :now AND a.valid_until <= :until
      AND (EXISTS (SELECT 1 FROM govshare_case c
                   WHERE c.id = a.request_id AND c.requester_user = :user)
           OR EXISTS (
             SELECT 1 FROM govshare_role g
             WHERE g.user_id = :user AND g.org_id = a.consumer_org AND g.role = :reviewer
               AND """ + roles.IN_FORCE_SQL + """))
"""
_EXPIRING_ROWS = sa.text(_EXPIRING + " ORDER BY a.valid_until, a.number")
_EXPIRING_COUNT = sa.text("SELECT count(*) FROM (" + _EXPIRING + ") c")


def _expiring_params(user_id: str, now: datetime.datetime,
                     until: datetime.datetime) -> dict[str, Any]:
    force_roles, force_capacities = roles.in_force_pairs()
    return {"user": user_id, "active": flows.ACTIVE, "now": now, "until": until,
            "reviewer": tables.ROLE_REVIEWER, "code_field": fields.RESOURCE_CODE,
            "unit_field": fields.PROVIDER_UNIT,
            "force_roles": force_roles, "force_capacities": force_capacities}


def expiring_rows(user_id: str, now: datetime.datetime, until: datetime.datetime) -> list[Any]:
    """Active authorizations ending after ``now`` and by ``until`` that ``user_id`` may renew
    (a reviewer of the consuming department, or the requester), soonest first; one query."""
    return list(model.Session.execute(_EXPIRING_ROWS, _expiring_params(user_id, now, until)))


def expiring_count(user_id: str, now: datetime.datetime, until: datetime.datetime) -> int:
    """How many rows :func:`expiring_rows` has, counted in SQL."""
    return int(model.Session.execute(
        _EXPIRING_COUNT, _expiring_params(user_id, now, until)).scalar() or 0)

