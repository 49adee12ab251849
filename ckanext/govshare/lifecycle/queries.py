"""The lifecycle's reads: SQL over CKAN's tables (``package`` and its ``extras``, ``resource``,
``member``) joined with the lifecycle's own, and what the API shows of an entry's lifecycle.

Bound parameters only: field names, states and filters reach the database as parameters; no
statement is built from values. The writes are :mod:`~ckanext.govshare.lifecycle.service`'s
(which locks an entry through :func:`lock_package`).
"""
from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

import ckan.model as model
import sqlalchemy as sa

from ckanext.govshare import config as gs_config
from ckanext.govshare.catalogue import fields
from ckanext.govshare.department import roles
from ckanext.govshare.lifecycle import deadlines, freshness, machine, tables
from ckanext.govshare.model import base
from ckanext.govshare.model.lifecycle import EntryLifecycle
from ckanext.govshare.model.revision import Revision

# -- one entry, locked for a write ---------------------------------------------------------------

_LOCK = sa.text("""
    SELECT id, name, title, owner_org, type, extras FROM package
    WHERE (id = :ref OR name = :ref) AND state <> 'deleted'
    ORDER BY (id = :ref) DESC LIMIT 1
    FOR UPDATE
""")


def lock_package(ref: str) -> Any | None:
    """The ``package`` row of dataset ``ref`` (id or name; not deleted), locked ``FOR UPDATE``
    until the transaction ends: ``id, name, title, owner_org, type, extras``; ``None`` when
    there is none."""
    return model.Session.execute(_LOCK, {"ref": ref}).first()


# -- what the API shows of an entry's lifecycle --------------------------------------------------


def lifecycle_info(state: str | None, step: EntryLifecycle | None,
                   at: datetime.datetime | None = None,
                   revision: Revision | None = None) -> dict[str, Any]:
    """What the API shows of an entry's lifecycle: state, open step, ``due_at``, ``overdue``
    (whole to those who follow the entry's audit trail; everyone else gets
    ``permissions.PUBLIC_LIFECYCLE_FIELDS`` of it, cut where the actions attach it)."""
    at = at or base.now()
    info: dict[str, Any] = {
        "state": state,
        "stage": None, "submitted_by": None, "due_at": None, "overdue": False,
        "reason": None, "version": 0, "published_at": None,
    }
    if step is not None:
        info.update(step.dictize())
        info.pop("modified", None)
        info["overdue"] = bool(step.due_at and deadlines.is_overdue(step.due_at, at))
        if info.get("update_required"):
            info["update_required"]["overdue"] = deadlines.is_overdue(step.change_due_at, at)
    if revision is not None:
        info["pending_revision"] = {
            "id": revision.id, "state": revision.state,
            "due_at": revision.due_at.isoformat() if revision.due_at else None,
            "overdue": bool(revision.due_at and deadlines.is_overdue(revision.due_at, at)),
        }
    return info


def attach_lifecycle(pkg_dicts: Iterable[dict[str, Any]]) -> None:
    """Add ``govshare_lifecycle`` to catalogue entries' dicts, one query for all of them.

    Its ``freshness`` (DB14 §7.4 时效性, :func:`freshness.entry_freshness`): ``state``
    (``fresh``, ``due``, ``overdue``, ``delinquent``), ``next_update_due`` and
    ``last_update`` of a published entry with an update cycle, ``None`` otherwise.
    """
    entries = [d for d in pkg_dicts if isinstance(d, dict) and d.get("id")]
    if not entries:
        return
    ids = [d["id"] for d in entries]
    steps = {s.entry_id: s for s in model.Session.query(EntryLifecycle)
             .filter(EntryLifecycle.entry_id.in_(ids))}
    revisions = {r.entry_id: r for r in model.Session.query(Revision).filter(
        Revision.entry_id.in_(ids), Revision.state.in_(tables.REVISION_OPEN_STATES))}
    at = base.now()
    freshness_options = gs_config.freshness_options()
    last_updates = last_data_updates(ids)
    for d in entries:
        state = d.get(fields.CATALOGUE_STATE)
        if state is None and d["id"] not in steps:
            continue
        d["govshare_lifecycle"] = lifecycle_info(
            state, steps.get(d["id"]), at, revisions.get(d["id"]))
        d["govshare_lifecycle"]["freshness"] = freshness.entry_freshness(
            d, last_updates.get(d["id"]), at, freshness_options)


#: audit actions that change an entry's published content: an approved revision, an edit of
#: no-review fields; the lifecycle's own writes (decisions, state changes) are not among them
DATA_UPDATE_ACTIONS = (tables.REVISION_APPROVE, tables.UPDATED_WITHOUT_REVIEW)

_LAST_DATA_UPDATE = sa.text("""
    SELECT p.id, GREATEST(
        p.metadata_created AT TIME ZONE 'UTC',
        (SELECT max(GREATEST(r.created, r.last_modified, r.metadata_modified))
                AT TIME ZONE 'UTC'
         FROM resource r WHERE r.package_id = p.id AND r.state = 'active'),
        COALESCE((SELECT min(a.at) FROM govshare_audit a
                  WHERE a.entry_id = p.id AND a.action = :approve AND a.to_state = :published),
                 (SELECT s.published_at FROM govshare_lifecycle s WHERE s.entry_id = p.id)),
        (SELECT max(a.at) FROM govshare_audit a
         WHERE a.entry_id = p.id AND a.action = ANY(:actions))) AS last
    FROM package p WHERE p.id = ANY(:ids)
""")


def last_data_updates(entry_ids: Iterable[str]) -> dict[str, datetime.datetime]:
    """The last data update of each entry (DB14 §7.4 时效性, measured against its update cycle).

    The latest of: a change of its resources (created, ``last_modified``,
    ``metadata_modified``), an approved change of its metadata (:data:`DATA_UPDATE_ACTIONS`),
    its first publication (its first approval, or for an entry published by the import path
    the publication it recorded), its creation. Not ``metadata_modified`` of the dataset,
    which every lifecycle write bumps: an approval, a refused offline request or a stage
    change is no update of the data. One query for all; timezone-aware (UTC).
    """
    ids = list(dict.fromkeys(entry_ids))
    if not ids:
        return {}
    rows = model.Session.execute(_LAST_DATA_UPDATE, {
        "ids": ids, "actions": list(DATA_UPDATE_ACTIONS),
        "approve": tables.APPROVE, "published": tables.PUBLISHED})
    return {row.id: row.last for row in rows}


# -- the reminders' entries ----------------------------------------------------------------------

_OPEN_ENTRIES = sa.text("""
    SELECT p.id, p.name, p.title, p.owner_org, p.extras->>:code_field AS code,
           p.extras->>:state_field AS state, p.extras->>:unit_field AS unit
    FROM package p WHERE p.id = ANY(:ids) AND p.state = 'active'
""")


def active_entries(entry_ids: Iterable[str]) -> dict[str, Any]:
    """The active datasets among ``entry_ids``, by id: ``id, name, title, owner_org, code``
    (resource code), ``state`` (catalogue state) and ``unit`` (provider unit)."""
    rows = model.Session.execute(_OPEN_ENTRIES, {
        "ids": list(entry_ids), "code_field": fields.RESOURCE_CODE,
        "state_field": fields.CATALOGUE_STATE, "unit_field": fields.PROVIDER_UNIT})
    return {row.id: row for row in rows}


# -- the steps waiting for a reviewer (the navigation badge) -------------------------------------

# The decision steps (kind, review state, state, stage, role) and the (role, capacity) pairs
# under which a role is in force (roles.in_force) come as parallel arrays.
_WAITING = """
    WITH steps(kind, review_state, state, stage, role) AS (
        SELECT * FROM unnest(CAST(:step_kinds AS text[]), CAST(:step_review_states AS text[]),
                             CAST(:step_states AS text[]), CAST(:step_stages AS text[]),
                             CAST(:step_roles AS text[]))
    ),
    open AS (
        SELECT CAST(:kind_entry AS text) AS kind, p.id, p.name, p.title, p.owner_org,
               p.extras->>:state_field AS state, p.extras->>:code_field AS code,
               p.extras->>:unit_field AS unit, l.stage, l.submitted_by, l.stage_approver,
               l.due_at, l.opened_at, l.reason, CAST(NULL AS text) AS revision_id
        FROM govshare_lifecycle l JOIN package p ON p.id = l.entry_id
        WHERE p.state = 'active' AND l.due_at IS NOT NULL
        UNION ALL
        SELECT CAST(:kind_revision AS text), p.id, p.name, p.title, p.owner_org, r.state,
               p.extras->>:code_field, p.extras->>:unit_field, r.stage, r.submitted_by,
               r.stage_approver, r.due_at, r.submitted_at, r.reason, r.id
        FROM govshare_revision r JOIN package p ON p.id = r.entry_id
        WHERE p.state = 'active' AND r.state = :revision_review
    )
    SELECT {select} FROM open o
    WHERE o.submitted_by IS DISTINCT FROM :user
      AND EXISTS (
        SELECT 1 FROM steps s JOIN govshare_role g ON g.role = s.role
        WHERE g.user_id = :user AND g.org_id = o.owner_org
          AND """ + roles.IN_FORCE_SQL + """
          AND s.kind = o.kind AND s.state = o.state
          AND s.stage IS NOT DISTINCT FROM (CASE WHEN o.state = s.review_state THEN
                                            coalesce(o.stage, :first_stage) END)
          AND (s.stage IS DISTINCT FROM :second_stage
               OR o.stage_approver IS DISTINCT FROM :user))
"""
_WAITING_COUNT = sa.text(_WAITING.replace("{select}", "count(*)"))
_WAITING_ROWS = sa.text(_WAITING.replace("{select}", "o.*")
                        + " ORDER BY o.due_at, o.title, o.id, o.revision_id")


def _waiting_params(user_id: str) -> dict[str, Any]:
    steps = [(kind, m.review_state, state, stage, role)
             for kind, m in ((QUEUE_KIND_ENTRY, machine.CATALOGUE),
                             (QUEUE_KIND_REVISION, machine.REVISION))
             for state, stage, role in machine.decision_steps(m)]
    force_roles, force_capacities = roles.in_force_pairs()
    return {
        "user": user_id, "revision_review": machine.REVISION.review_state,
        "first_stage": tables.STAGE_REVIEWER, "second_stage": tables.STAGE_COORDINATOR,
        "kind_entry": QUEUE_KIND_ENTRY, "kind_revision": QUEUE_KIND_REVISION,
        "state_field": fields.CATALOGUE_STATE, "code_field": fields.RESOURCE_CODE,
        "unit_field": fields.PROVIDER_UNIT,
        "force_roles": force_roles, "force_capacities": force_capacities,
        **{f"step_{key}": [step[i] for step in steps]
           for i, key in enumerate(("kinds", "review_states", "states", "stages", "roles"))},
    }


def waiting_count(user_id: str) -> int:
    """Open review steps the user may decide now, in one query.

    Steps of the departments where the user holds a deciding role in force
    (:func:`roles.in_force`) for the step's state and stage
    (:func:`machine.decision_steps`), minus their own submissions and, at the
    coordinator stage, what they approved at the first (four eyes).
    """
    return int(model.Session.execute(_WAITING_COUNT, _waiting_params(user_id)).scalar() or 0)


def waiting_steps(user_id: str) -> list[Any]:
    """The steps :func:`waiting_count` counts, soonest due first, in one query: ``kind``
    (:data:`QUEUE_KIND_ENTRY` or :data:`QUEUE_KIND_REVISION`), ``id, name, title, owner_org,
    state, code, unit, stage, submitted_by, stage_approver, due_at, opened_at, reason,
    revision_id``."""
    return list(model.Session.execute(_WAITING_ROWS, _waiting_params(user_id)))


# -- the review queue ----------------------------------------------------------------------------

#: the review queue's two kinds of open step
QUEUE_KIND_ENTRY = "entry"
QUEUE_KIND_REVISION = "revision"
#: the queue's ``state`` (and deadline clock) of a revision in review
QUEUE_REVISION_REVIEW = tables.CLOCK_REVISION_REVIEW
#: the catalogue states whose entries wait for a review decision
QUEUE_ENTRY_STATES = (tables.IN_REVIEW, tables.OFFLINE_REVIEW)

# Every filter is always present and off while its parameter is NULL (``all_departments``
# switches the department filter off), so the statement is one constant text.
_REVIEW_QUEUE = """
    SELECT * FROM (
        SELECT p.id, p.name, p.title, p.owner_org, p.extras->>:state_field AS state,
               p.extras->>:code_field AS code, p.extras->>:unit_field AS unit,
               l.stage, l.submitted_by, l.stage_approver, l.due_at, l.opened_at, l.clock,
               l.reason, NULL AS revision_id, :kind_entry AS kind
        FROM govshare_lifecycle l JOIN package p ON p.id = l.entry_id
        WHERE p.state = 'active' AND l.due_at IS NOT NULL
          AND p.extras->>:state_field = ANY(:entry_states)
        UNION ALL
        SELECT p.id, p.name, p.title, p.owner_org, :revision_review AS state,
               p.extras->>:code_field, p.extras->>:unit_field,
               r.stage, r.submitted_by, r.stage_approver, r.due_at, r.submitted_at,
               :revision_review, r.reason, r.id, :kind_revision
        FROM govshare_revision r JOIN package p ON p.id = r.entry_id
        WHERE p.state = 'active' AND r.state = :revision_state
    ) q
    WHERE (:all_departments OR q.owner_org = ANY(:org_ids))
      AND (:unit IS NULL OR q.unit = :unit)
      AND (:state IS NULL OR q.state = :state)
      AND (:stage IS NULL OR q.stage = :stage)
      AND (:kind IS NULL OR q.kind = :kind)
      AND (:due_before IS NULL OR q.due_at < :due_before)
      AND (:overdue_at IS NULL OR q.due_at < :overdue_at)
"""
_REVIEW_QUEUE_COUNT = sa.text("SELECT count(*) FROM (" + _REVIEW_QUEUE + ") c")
_REVIEW_QUEUE_PAGE = sa.text(
    _REVIEW_QUEUE
    + " ORDER BY q.due_at, q.title, q.id, q.revision_id LIMIT :limit OFFSET :offset")


def review_queue(org_ids: Sequence[str] | None, *, unit: str | None = None,
                 state: str | None = None, stage: str | None = None, kind: str | None = None,
                 due_before: datetime.datetime | None = None,
                 overdue_at: datetime.datetime | None = None, limit: int,
                 offset: int = 0) -> tuple[int, list[Any]]:
    """The open review steps, soonest deadline first: ``(count of all, rows of the page)``.

    Entries in review or offline review (with a due date) and revisions in review, of the
    departments ``org_ids`` (``None``: every department), narrowed by the filters given:
    ``unit``, ``state`` (a catalogue state or :data:`QUEUE_REVISION_REVIEW`), ``stage``,
    ``kind`` (:data:`QUEUE_KIND_ENTRY` or :data:`QUEUE_KIND_REVISION`), due before
    ``due_before``, and overdue at ``overdue_at``. Each row has ``kind, id, name, title,
    owner_org, state, code, unit, stage, submitted_by, stage_approver, due_at, opened_at,
    clock, reason, revision_id``.
    """
    params: dict[str, Any] = {
        "state_field": fields.CATALOGUE_STATE, "code_field": fields.RESOURCE_CODE,
        "unit_field": fields.PROVIDER_UNIT, "entry_states": list(QUEUE_ENTRY_STATES),
        "revision_state": tables.IN_REVIEW, "revision_review": QUEUE_REVISION_REVIEW,
        "kind_entry": QUEUE_KIND_ENTRY, "kind_revision": QUEUE_KIND_REVISION,
        "all_departments": org_ids is None, "org_ids": list(org_ids or []),
        "unit": unit, "state": state, "stage": stage, "kind": kind,
        "due_before": due_before, "overdue_at": overdue_at,
    }
    count = model.Session.execute(_REVIEW_QUEUE_COUNT, params).scalar() or 0
    rows = model.Session.execute(
        _REVIEW_QUEUE_PAGE, {**params, "limit": limit, "offset": offset}).all()
    return int(count), list(rows)


# -- harvested copies ----------------------------------------------------------------------------

_HARVEST_OBJECT_TABLE = sa.text("SELECT to_regclass('harvest_object') IS NOT NULL")
_HARVEST_OBJECT_NAMES = sa.text("SELECT 1 FROM harvest_object WHERE package_id = :id LIMIT 1")


def harvest_object_names(package_id: str) -> bool:
    """Whether a harvest object (ckanext-harvest's ``harvest_object`` table, when it exists)
    names dataset ``package_id``: a harvester flushes its object before it creates the dataset,
    and the objects of earlier harvests name the dataset it updates."""
    if not model.Session.execute(_HARVEST_OBJECT_TABLE).scalar():
        return False
    return model.Session.execute(_HARVEST_OBJECT_NAMES, {"id": package_id}).first() is not None
