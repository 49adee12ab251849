"""Actions of the catalogue lifecycle (DB14 §7.2–7.5, Appendix A; issue #4).

One action per transition of ``catalogue_state`` (``govshare_catalogue_<event>``) and of a
pending revision (``govshare_revision_<verb>``), the sysadmin import path, the review queue and
the audit trail. Each checks access once, validates (:mod:`ckanext.govshare.logic.schema`), and
hands over to :mod:`ckanext.govshare.lifecycle.service`, which locks the entry, asks the state
machine, writes, audits and notifies.

The steps at the end are what the lifecycle adds to CKAN's core actions, composed in
:mod:`ckanext.govshare.logic.action.core`: ``package_show`` and ``package_search`` redact what
:mod:`ckanext.govshare.permissions` hides and add ``govshare_lifecycle`` (state, open step,
``due_at``, ``overdue``, version; of it, those who do not follow the entry's audit trail get
the publication facts alone); ``package_update`` turns an edit of a published entry into a
pending revision, leaving the live entry untouched (unless it changes no-review fields only),
and refuses every live edit of an entry in review, awaiting offline review or offline
(:data:`LOCKED_STATES`); the resource actions (资源挂接) pass on draft and published entries.
"""
from __future__ import annotations

import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Action, Context, DataDict

from ckanext.govshare import permissions
from ckanext.govshare.catalogue import fields
from ckanext.govshare.lifecycle import deadlines, harvested, queries, service, tables
from ckanext.govshare.lifecycle import machine as lifecycle
from ckanext.govshare.logic import schema
from ckanext.govshare.logic.action import catalogue
from ckanext.govshare.logic.validators import expand_form_records, parameter_message
from ckanext.govshare.model import base
from ckanext.govshare.model.audit import AuditEntry
from ckanext.govshare.model.revision import Revision

__all__ = [
    "govshare_audit_list",
    "govshare_catalogue_approve",
    "govshare_catalogue_approve_offline",
    "govshare_catalogue_change_event",
    "govshare_catalogue_import",
    "govshare_catalogue_queue",
    "govshare_catalogue_reinstate",
    "govshare_catalogue_reject_offline",
    "govshare_catalogue_request_offline",
    "govshare_catalogue_return",
    "govshare_catalogue_submit",
    "govshare_revision_approve",
    "govshare_revision_create",
    "govshare_revision_discard",
    "govshare_revision_list",
    "govshare_revision_return",
    "govshare_revision_show",
    "govshare_revision_submit",
    "govshare_revision_update",
]

log = logging.getLogger(__name__)

# context key marking a package_update made on behalf of a resource action
_RESOURCE_ACTION = "govshare_resource_action"

#: ``govshare_revision_list``'s ``state`` for every open revision
REVISION_OPEN = "open"


def _id(data_dict: DataDict) -> str:
    errors: dict[str, list[str]] = {}
    ref = data_dict.get("id")
    if not ref or not str(ref).strip():
        errors["id"] = [parameter_message("id", tk._("is required"))]
        raise tk.ValidationError(errors)
    return str(ref).strip()


# -- catalogue transitions -----------------------------------------------------------------------


@validate(schema.transition)
def govshare_catalogue_submit(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Submit a draft catalogue entry for review (编制 → 审核).

    Fired by a compiler of the entry's unit. Opens the review step, due after
    ``ckanext.govshare.deadline.review_days`` working days; the department's reviewers are told.

    :param id: the entry's id or name
    :type id: string
    :param reason: an optional comment for the audit trail
    :type reason: string
    :returns: the entry (``package_show``) with ``govshare_lifecycle``
    :rtype: dictionary
    """
    tk.check_access("govshare_catalogue_submit", context, data_dict)
    return service.fire(context, data_dict["id"], tables.SUBMIT, reason=data_dict.get("reason"))


@validate(schema.transition)
def govshare_catalogue_approve(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Approve an entry in review: publish it, or pass it to the coordinator stage.

    A reviewer of the department approves at the reviewer stage; when the entry matches
    ``ckanext.govshare.lifecycle.second_stage`` a coordinator (another person) approves after
    them. Nobody approves what they submitted (four eyes). Publication bumps the version.

    :param id: the entry's id or name
    :type id: string
    :param reason: an optional comment
    :type reason: string
    :returns: the entry with ``govshare_lifecycle``
    :rtype: dictionary
    """
    tk.check_access("govshare_catalogue_approve", context, data_dict)
    return service.fire(context, data_dict["id"], tables.APPROVE, reason=data_dict.get("reason"))


@validate(schema.transition)
def govshare_catalogue_return(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Return an entry in review to its compiler (审核 → 编制), with a reason.

    :param id: the entry's id or name
    :type id: string
    :param reason: why it is returned (required)
    :type reason: string
    :returns: the entry with ``govshare_lifecycle``
    :rtype: dictionary
    """
    tk.check_access("govshare_catalogue_return", context, data_dict)
    return service.fire(context, data_dict["id"], tables.RETURN, reason=data_dict.get("reason"))


@validate(schema.transition)
def govshare_catalogue_request_offline(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Ask to take a published entry offline (下线), with a reason.

    The entry stays published until a reviewer decides, within
    ``ckanext.govshare.deadline.offline_review_days`` working days.

    :param id: the entry's id or name
    :type id: string
    :param reason: why (required)
    :type reason: string
    :returns: the entry with ``govshare_lifecycle``
    :rtype: dictionary
    """
    tk.check_access("govshare_catalogue_request_offline", context, data_dict)
    return service.fire(context, data_dict["id"], tables.REQUEST_OFFLINE,
                         reason=data_dict.get("reason"))


@validate(schema.transition)
def govshare_catalogue_approve_offline(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Take an entry offline: it stays visible as a tombstone, its data only to its department.

    The resource code stays reserved; the signal ``govshare:catalogue_offline`` is sent (sender:
    the entry id) in the same transaction, so subscribers suspend what depends on the entry.

    :param id: the entry's id or name
    :type id: string
    :param reason: an optional comment
    :type reason: string
    :returns: the entry with ``govshare_lifecycle``
    :rtype: dictionary
    """
    tk.check_access("govshare_catalogue_approve_offline", context, data_dict)
    return service.fire(context, data_dict["id"], tables.APPROVE_OFFLINE,
                         reason=data_dict.get("reason"))


@validate(schema.transition)
def govshare_catalogue_reject_offline(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Refuse an offline request, with a reason: the entry stays published.

    :param id: the entry's id or name
    :type id: string
    :param reason: why (required)
    :type reason: string
    :returns: the entry with ``govshare_lifecycle``
    :rtype: dictionary
    """
    tk.check_access("govshare_catalogue_reject_offline", context, data_dict)
    return service.fire(context, data_dict["id"], tables.REJECT_OFFLINE,
                         reason=data_dict.get("reason"))


@validate(schema.transition)
def govshare_catalogue_reinstate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Ask to bring an offline entry back: it goes to review again (same resource code).

    :param id: the entry's id or name
    :type id: string
    :param reason: an optional comment
    :type reason: string
    :returns: the entry with ``govshare_lifecycle``
    :rtype: dictionary
    """
    tk.check_access("govshare_catalogue_reinstate", context, data_dict)
    return service.fire(context, data_dict["id"], tables.REINSTATE, reason=data_dict.get("reason"))


@validate(schema.catalogue_import)
def govshare_catalogue_import(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Set an entry's ``catalogue_state`` directly, for migrating an existing catalogue.

    Sysadmins only. No guard applies; the audit trail records ``imported``. An entry imported
    ``in_review`` or ``offline_review`` is due like one submitted at ``submitted_at``.

    :param id: the entry's id or name
    :type id: string
    :param catalogue_state: ``draft``, ``in_review``, ``published``, ``offline_review`` or ``offline``
    :type catalogue_state: string
    :param comment: where the state comes from (optional)
    :type comment: string
    :param version: the entry's version number in the old catalogue (optional)
    :type version: int
    :param submitted_at: when an open step (review, offline review) was opened in the old
        catalogue, ISO 8601 (optional, default now; a date or naive time is Beijing time)
    :type submitted_at: string
    :param published_at: when the entry was first published in the old catalogue, ISO 8601
        (optional; a published entry without it was published now)
    :type published_at: string
    :param issued: the entry's publication date (发布日期, optional; default for a published
        entry without one: today)
    :type issued: string
    :param reason: the reason of the entry's last step in the old catalogue (an offline
        request's, a return's; optional)
    :type reason: string
    :returns: the entry with ``govshare_lifecycle``
    :rtype: dictionary
    """
    tk.check_access("govshare_catalogue_import", context, data_dict)
    return service.import_state(context, data_dict["id"], data_dict[fields.CATALOGUE_STATE],
                                 comment=data_dict.get("comment"),
                                 version=data_dict.get("version"),
                                 submitted_at=data_dict.get("submitted_at"),
                                 published_at=data_dict.get("published_at"),
                                 issued=data_dict.get(fields.ISSUED),
                                 reason=data_dict.get("reason"))


@validate(schema.catalogue_change_event)
def govshare_catalogue_change_event(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Record a change event (变更事由) on a published entry: its update becomes due.

    When the law, the department's functions or the data change, the entry is updated within
    ``ckanext.govshare.deadline.update_after_change_days`` working days of the event (DB14
    §7.3). A reviewer or coordinator of the entry's department (or a sysadmin) records it; the
    entry's ``govshare_lifecycle.update_required`` then shows the step with ``due_at`` and
    ``overdue`` until a revision is approved, an edit without review is applied or the entry
    goes offline. ``ckan govshare remind`` reminds the compilers of the entry's unit.

    :param id: the entry's id or name
    :type id: string
    :param reason: what changed (required)
    :type reason: string
    :param occurred_at: when it changed, ISO 8601 (optional, default now; a date or naive
        time is Beijing time; not in the future)
    :type occurred_at: string
    :returns: the entry with ``govshare_lifecycle``
    :rtype: dictionary
    """
    tk.check_access("govshare_catalogue_change_event", context, data_dict)
    return service.change_event(context, data_dict["id"], reason=data_dict.get("reason"),
                                 occurred_at=data_dict.get("occurred_at"))


# -- the review queue ----------------------------------------------------------------------------


def member_orgs(user: model.User | None) -> list[str] | None:
    """Ids of the user's departments; ``None`` for a sysadmin (all)."""
    if user is None:
        return []
    if user.sysadmin:
        return None
    return list(user.get_group_ids(group_type="organization"))


def _org_filter(context: Context, data_dict: DataDict) -> list[str] | None:
    orgs = member_orgs(permissions.context_user(context))
    ref = data_dict.get("organization_id")
    if ref:
        org = model.Group.get(ref)
        if org is None:
            raise tk.ObjectNotFound(tk._("department not found"))
        if orgs is not None and org.id not in orgs:
            raise tk.NotAuthorized(tk._("only your own departments"))
        return [org.id]
    return orgs


@tk.side_effect_free
@validate(schema.catalogue_queue)
def govshare_catalogue_queue(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The open review steps of the user's departments, soonest deadline first.

    Entries in review or offline review and revisions in review. Each item says which
    actions the user may take on it now (``allowed_actions``: roles, stage and four eyes).

    :param organization_id: one department (id or name); default: all of the user's
    :type organization_id: string
    :param unit: only entries of this internal unit (code)
    :type unit: string
    :param state: ``in_review``, ``offline_review`` or ``revision_review``
    :type state: string
    :param stage: ``reviewer`` or ``coordinator``
    :type stage: string
    :param due_before: only steps due before this ISO 8601 time
    :type due_before: string
    :param overdue: only overdue steps
    :type overdue: bool
    :param kind: ``entry`` or ``revision``
    :type kind: string
    :param limit: page size (default 100, at most 1000: page with ``offset`` beyond that)
    :type limit: int
    :param offset: how many steps of the ordered queue to skip (default 0)
    :type offset: int
    :returns: ``{"count": n, "results": [...]}``: ``count`` is the whole filtered queue's,
        ``results`` the page, each with ``due_at`` and ``overdue``
    :rtype: dictionary
    """
    tk.check_access("govshare_catalogue_queue", context, data_dict)
    orgs = _org_filter(context, data_dict)
    at = base.now()
    count, rows = queries.review_queue(
        orgs, unit=data_dict.get("unit") or None, state=data_dict.get("state") or None,
        stage=data_dict.get("stage") or None, kind=data_dict.get("kind") or None,
        due_before=data_dict.get("due_before") or None,
        overdue_at=at if data_dict.get("overdue") else None,
        limit=data_dict.get("limit", schema.QUEUE_PAGE_SIZE), offset=data_dict.get("offset", 0))
    user = permissions.context_user(context)
    results = []
    for row in rows:
        is_revision = row.kind == queries.QUEUE_KIND_REVISION
        machine = lifecycle.REVISION if is_revision else lifecycle.CATALOGUE
        allowed = service.allowed_events(
            machine, machine.review_state if is_revision else row.state,
            user=user, org_id=row.owner_org, unit=row.unit, stage=row.stage,
            submitter=row.submitted_by, stage_approver=row.stage_approver)
        names = service.REVISION_ACTION_NAMES if is_revision else service.ACTION_NAMES
        results.append({
            "kind": row.kind, "id": row.id, "name": row.name, "title": row.title,
            "organization_id": row.owner_org, fields.RESOURCE_CODE: row.code, "unit": row.unit,
            "state": row.state, "stage": row.stage, "submitted_by": row.submitted_by,
            "opened_at": row.opened_at.isoformat() if row.opened_at else None,
            "due_at": row.due_at.isoformat() if row.due_at else None,
            "overdue": bool(row.due_at and deadlines.is_overdue(row.due_at, at)),
            "reason": row.reason, "revision_id": row.revision_id,
            "allowed_actions": [names[e] for e in allowed if e in names],
        })
    return {"count": count, "results": results}


# -- audit trail ---------------------------------------------------------------------------------


@tk.side_effect_free
@validate(schema.audit_list)
def govshare_audit_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The lifecycle audit trail, newest first.

    Members of a department see its rows; sysadmins see all.

    :param entry_id: one entry (id or name)
    :type entry_id: string
    :param organization_id: one department (id or name)
    :type organization_id: string
    :param actor: one user (id or name)
    :type actor: string
    :param action: one action (``submit``, ``approve``, ``revision_approve``, ``imported`` …)
    :type action: string
    :param since: rows at or after this ISO 8601 time (a date or naive time is Beijing time)
    :type since: string
    :param until: rows before this ISO 8601 time
    :type until: string
    :param limit: page size (default 100, at most 1000)
    :type limit: int
    :param offset: page start
    :type offset: int
    :returns: ``{"count": n, "results": [row, ...]}``
    :rtype: dictionary
    """
    tk.check_access("govshare_audit_list", context, data_dict)
    query = model.Session.query(AuditEntry)
    orgs = _org_filter(context, data_dict)
    if orgs is not None:
        query = query.filter(AuditEntry.org_id.in_(orgs))
    if data_dict.get("entry_id"):
        pkg = model.Package.get(data_dict["entry_id"])
        query = query.filter(AuditEntry.entry_id == (pkg.id if pkg else data_dict["entry_id"]))
    if data_dict.get("actor"):
        actor = model.User.get(data_dict["actor"])
        query = query.filter(AuditEntry.actor == (actor.id if actor else data_dict["actor"]))
    if data_dict.get("action"):
        query = query.filter(AuditEntry.action == data_dict["action"])
    if data_dict.get("since"):
        query = query.filter(AuditEntry.at >= data_dict["since"])
    if data_dict.get("until"):
        query = query.filter(AuditEntry.at < data_dict["until"])
    count = query.count()
    rows = (query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .offset(data_dict.get("offset", 0)).limit(data_dict.get("limit", 100)).all())
    return {"count": count, "results": [r.dictize(context) for r in rows]}


# -- pending revisions ---------------------------------------------------------------------------


def govshare_revision_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Propose a change to a published entry (变更); the live entry stays as it is.

    Fields not given keep their live values. An open draft (or returned revision) of the
    entry is updated instead of a second one created. The proposal is validated like
    ``package_update`` would validate it.

    :param id: the entry's id or name
    :type id: string
    :param <field>: any metadata field of the entry (title, notes, info_items …)
    :returns: the revision, with ``proposed`` and the field-by-field ``diff``
    :rtype: dictionary
    """
    ref = _id(data_dict)
    tk.check_access("govshare_revision_create", context, data_dict)
    changes = {k: v for k, v in data_dict.items() if k != "id"}
    return service.revision_save(context, ref, changes).dictize(context)


def govshare_revision_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Change a draft or returned revision (a returned one becomes a draft again).

    :param id: the revision id
    :type id: string
    :param <field>: metadata fields of the entry to change in the proposal
    :returns: the revision
    :rtype: dictionary
    """
    ref = _id(data_dict)
    tk.check_access("govshare_revision_update", context, data_dict)
    changes = {k: v for k, v in data_dict.items() if k != "id"}
    return service.revision_save(context, "", changes, revision_id=ref).dictize(context)


@validate(schema.transition)
def govshare_revision_submit(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Submit a revision for review (due after ``revision_review_days`` working days).

    :param id: the revision id
    :type id: string
    :param reason: an optional comment
    :type reason: string
    :returns: the revision
    :rtype: dictionary
    """
    tk.check_access("govshare_revision_submit", context, data_dict)
    return service.revision_fire(context, data_dict["id"], tables.SUBMIT,
                                  reason=data_dict.get("reason")).dictize(context)


@validate(schema.transition)
def govshare_revision_approve(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Approve a revision: it is applied to the live entry and the version goes up by one.

    Same reviewer / coordinator stages and four-eyes rule as a first publication.

    :param id: the revision id
    :type id: string
    :param reason: an optional comment
    :type reason: string
    :returns: the revision (``version``: the entry's new version)
    :rtype: dictionary
    """
    tk.check_access("govshare_revision_approve", context, data_dict)
    return service.revision_fire(context, data_dict["id"], tables.APPROVE,
                                  reason=data_dict.get("reason")).dictize(context)


@validate(schema.transition)
def govshare_revision_return(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Return a revision with a reason; the live entry stays as it is.

    :param id: the revision id
    :type id: string
    :param reason: why (required)
    :type reason: string
    :returns: the revision
    :rtype: dictionary
    """
    tk.check_access("govshare_revision_return", context, data_dict)
    return service.revision_fire(context, data_dict["id"], tables.RETURN,
                                  reason=data_dict.get("reason")).dictize(context)


@validate(schema.transition)
def govshare_revision_discard(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Drop a draft or returned revision.

    :param id: the revision id
    :type id: string
    :returns: the revision
    :rtype: dictionary
    """
    tk.check_access("govshare_revision_discard", context, data_dict)
    return service.revision_fire(context, data_dict["id"], tables.DISCARD,
                                  reason=data_dict.get("reason")).dictize(context)


@tk.side_effect_free
@validate(schema.transition)
def govshare_revision_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One revision with its proposal and diff.

    :param id: the revision id
    :type id: string
    :rtype: dictionary
    """
    tk.check_access("govshare_revision_show", context, data_dict)
    rev = model.Session.get(Revision, data_dict["id"])
    result = rev.dictize(context)
    result["overdue"] = bool(rev.due_at and deadlines.is_overdue(rev.due_at, base.now()))
    return result


@tk.side_effect_free
@validate(schema.revision_list)
def govshare_revision_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Revisions of an entry or of the user's departments, newest first (without proposals).

    :param entry_id: one entry (id or name)
    :type entry_id: string
    :param organization_id: one department (id or name)
    :type organization_id: string
    :param state: ``draft``, ``in_review``, ``approved``, ``returned``, ``discarded`` or
        ``open`` (the first three)
    :type state: string
    :param limit: page size (default 100, at most 1000)
    :type limit: int
    :param offset: page start
    :type offset: int
    :returns: ``{"count": n, "results": [...]}``, each with ``due_at`` and ``overdue``
    :rtype: dictionary
    """
    tk.check_access("govshare_revision_list", context, data_dict)
    query = model.Session.query(Revision)
    orgs = _org_filter(context, data_dict)
    if orgs is not None:
        query = query.filter(Revision.org_id.in_(orgs))
    if data_dict.get("entry_id"):
        pkg = model.Package.get(data_dict["entry_id"])
        query = query.filter(Revision.entry_id == (pkg.id if pkg else data_dict["entry_id"]))
    state = data_dict.get("state")
    if state == REVISION_OPEN:
        query = query.filter(Revision.state.in_(tables.REVISION_OPEN_STATES))
    elif state:
        query = query.filter(Revision.state == state)
    count = query.count()
    at = base.now()
    rows = (query.order_by(Revision.modified.desc()).offset(data_dict.get("offset", 0))
            .limit(data_dict.get("limit", 100)).all())
    results = []
    for rev in rows:
        item = rev.dictize(context, include_proposed=False)
        item["overdue"] = bool(rev.due_at and deadlines.is_overdue(rev.due_at, at))
        results.append(item)
    return {"count": count, "results": results}


# -- steps of the chained core actions (composed in logic/action/core.py) ------------------------


#: catalogue states in which the live entry is not edited, with the events of the lifecycle
#: table that lead out of them (what the refusal tells the user to do instead). Only ``draft``
#: is edited live; ``published`` changes through a revision (DB14 §7.3).
LOCKED_STATES: dict[str, tuple[str, ...]] = {
    tables.IN_REVIEW: (tables.APPROVE, tables.RETURN),
    tables.OFFLINE_REVIEW: (tables.APPROVE_OFFLINE, tables.REJECT_OFFLINE),
    tables.OFFLINE: (tables.REINSTATE,),
}


def locked_message(state: str) -> str:
    """What a refused live edit of an entry in ``state`` (one of :data:`LOCKED_STATES`) says."""
    if state == tables.IN_REVIEW:
        return tk._("This entry is in review and cannot be edited. Wait for the reviewer's "
                    "decision, or ask the reviewer to return it to draft and edit it then.")
    if state == tables.OFFLINE_REVIEW:
        return tk._("This entry is awaiting the decision on taking it offline and cannot be "
                    "edited. Wait for the reviewer's decision: if the request is rejected, the "
                    "entry stays published and is changed through a revision.")
    return tk._("This entry is offline and cannot be edited. Reinstate it first: it goes to "
                "review again and is edited once returned to draft or, when published, "
                "through a revision.")


def _locked_state(pkg: model.Package | None) -> str | None:
    state = pkg.extras.get(fields.CATALOGUE_STATE) if pkg is not None else None
    return state if state in LOCKED_STATES else None


def _refuse_locked(context: Context, pkg: model.Package | None, auth: str,
                   data_dict: DataDict) -> None:
    """Refuse a live edit of ``pkg`` while it is locked; the lifecycle's own writes pass.

    Access is checked first (``auth``), so a caller who may not edit the entry learns nothing
    of its state.
    """
    # DB14 §7.3: an entry is changed only while compiled (draft) or through a reviewed revision
    state = _locked_state(pkg)
    if state is None or context.get(fields.LIFECYCLE_CONTEXT_KEY):
        return
    tk.check_access(auth, context, data_dict)
    raise tk.ValidationError({fields.CATALOGUE_STATE: [locked_message(state)]})


def _resource_package(resource_id: Any) -> model.Package | None:
    resource = model.Resource.get(str(resource_id)) if resource_id else None
    return resource.package if resource is not None else None


def _internal(context: Context) -> bool:
    return bool(context.get("ignore_auth") or context.get("for_update"))


def show_with_lifecycle(up: Action, context: Context, data_dict: DataDict) -> dict[str, Any]:
    """``package_show``: ``up``'s answer minus what the user may not see, plus
    ``govshare_lifecycle``."""
    result = up(context, data_dict)
    if _internal(context) or context.get("validate") is False:
        return result
    user = permissions.context_user(context)
    permissions.redact(user, result)
    _attach_lifecycle(user, [result])
    return result


def search_with_lifecycle(up: Action, context: Context, data_dict: DataDict) -> dict[str, Any]:
    """``package_search``: ``up``'s results (labels already applied) redacted, with
    ``govshare_lifecycle``."""
    result = up(context, data_dict)
    if context.get("ignore_auth"):
        return result
    user = permissions.context_user(context)
    entries = [r for r in result.get("results") or [] if isinstance(r, dict)]
    for pkg_dict in entries:
        if "resources" in pkg_dict:
            permissions.redact(user, pkg_dict)
    _attach_lifecycle(user, entries)
    return result


def _attach_lifecycle(user: model.User | None, entries: list[dict[str, Any]]) -> None:
    """Add ``govshare_lifecycle`` to ``entries``, whole for those who follow an entry's audit
    trail, its publication facts for everyone else (:func:`permissions.redact_lifecycle`)."""
    queries.attach_lifecycle(entries)
    permissions.redact_lifecycle(user, entries)


#: ``govshare_catalogue_import``'s parameters taken from a dumped entry's lifecycle summary
_SUMMARY_TO_IMPORT = {"version": "version", "opened_at": "submitted_at",
                      "published_at": "published_at", "reason": "reason"}


def create_in_given_state(up: Action, context: Context, data_dict: DataDict) -> Any:
    """``package_create``; a sysadmin (who may import states: ``govshare_catalogue_import``)
    gets the entry in the ``catalogue_state`` it sends. The user decides, never
    ``ignore_auth``: an internal call on a compiler's behalf creates a draft.

    This is how ``ckanapi load datasets`` restores what ``ckanapi dump datasets`` wrote: each
    line is ``package_show``'s answer, with ``catalogue_state``, ``issued`` and
    ``govshare_lifecycle`` (``version``, ``opened_at``, ``published_at``, ``reason``). The entry
    is created as a draft and imported into that state (audited as ``imported``), its creation
    and modification times kept as sent, in one transaction. Anyone else's ``catalogue_state``
    is ignored as before (the read-only field starts as ``draft``), and ``package_update`` never
    changes the state, whoever calls it. The lifecycle's own writes (a harvested copy) pass.
    """
    summary = data_dict.pop(fields.LIFECYCLE_SUMMARY, None)
    summary = summary if isinstance(summary, dict) else {}
    state = data_dict.get(fields.CATALOGUE_STATE)
    if (not state or context.get(fields.LIFECYCLE_CONTEXT_KEY)
            or (data_dict.get("type") or catalogue.ENTRY_TYPE) != catalogue.ENTRY_TYPE
            or not permissions.is_sysadmin(context.get("user"))):
        return up(context, data_dict)
    params = {"catalogue_state": state, fields.ISSUED: data_dict.get(fields.ISSUED),
              **{param: summary.get(key) for key, param in _SUMMARY_TO_IMPORT.items()}}
    times = service.Timestamps.of(data_dict)
    try:
        entry_id = up(dict(context, defer_commit=True, return_id_only=True), data_dict)
        tk.get_action("govshare_catalogue_import")(
            {"user": context.get("user") or "", "ignore_auth": True, "defer_commit": True},
            {"id": entry_id, **{k: v for k, v in params.items() if v not in (None, "")}})
        service.restore_timestamps(entry_id, times)
    except Exception:
        model.Session.rollback()
        raise
    if not context.get("defer_commit"):
        model.repo.commit()
    if context.get("return_id_only"):
        return entry_id
    return tk.get_action("package_show")(
        {"user": context.get("user") or "", "ignore_auth": bool(context.get("ignore_auth")),
         "use_cache": False}, {"id": entry_id})


def update_or_revise(up: Action, context: Context, data_dict: DataDict) -> Any:
    """``package_update``, except that an edit of a published entry becomes a revision.

    An edit that changes only ``ckanext.govshare.revision.no_review_fields`` (default: none)
    while no revision is open is applied to the live entry instead, audited as
    ``updated_without_review`` (:func:`service.edit_published`). An entry in one of
    :data:`LOCKED_STATES` is not edited at all (``ValidationError`` on ``catalogue_state``):
    this catches ``package_patch``, ``package_revise`` and the resource actions, which all
    write through here. The lifecycle's own writes (:data:`fields.LIFECYCLE_CONTEXT_KEY`)
    pass through to ``up``, and so do the package updates made by resource actions on other
    states. The answer to a revised entry is the live entry with ``govshare_revision`` (or its
    id with ``return_id_only``). A harvester's write of a harvested copy is applied as it
    comes and moves the copy to its source's state (:func:`_update_copy`).
    """
    for key in [k for k in data_dict if k.startswith("govshare_")]:
        data_dict.pop(key)
    if context.get(fields.LIFECYCLE_CONTEXT_KEY):
        return up(context, data_dict)
    ref = data_dict.get("id") or data_dict.get("name")
    pkg = model.Package.get(str(ref)) if ref else None
    if pkg is not None and _harvest_write(context, pkg.id):
        return _update_copy(up, context, data_dict, pkg)
    _refuse_locked(context, pkg, "package_update", data_dict)
    if context.get(_RESOURCE_ACTION):
        return up(context, data_dict)
    # the edit form's info_items-0-name … keys: records before anything compares them
    expand_form_records(data_dict, fields.ENTRY_RECORD_FIELDS)
    if pkg is None or pkg.extras.get(fields.CATALOGUE_STATE) != tables.PUBLISHED:
        return up(context, data_dict)
    tk.check_access("package_update", context, data_dict)
    rev = service.edit_published(context, pkg.id, data_dict)
    if context.get("return_id_only"):
        return pkg.id
    result = tk.get_action("package_show")(
        {"user": context.get("user") or "", "use_cache": False}, {"id": pkg.id})
    if rev is not None:
        result["govshare_revision"] = rev.dictize(context, include_proposed=False)
    return result


# -- harvested copies (lifecycle/harvested.py) ---------------------------------------------------


def _harvest_write(context: Context, package_id: str | None) -> bool:
    """Whether ckanext-harvest's import stage makes this write: ``ignore_auth``, as a sysadmin,
    on a dataset a harvest object names (:mod:`ckanext.govshare.lifecycle.harvested`)."""
    return bool(context.get("ignore_auth")) and permissions.is_sysadmin(context.get("user")) \
        and harvested.is_harvested(package_id)


def _as_lifecycle(up: Action, context: Context, data_dict: DataDict) -> Any:
    """``up`` as one of the lifecycle's own writes: its read-only fields written as given."""
    context[fields.LIFECYCLE_CONTEXT_KEY] = True  # type: ignore[literal-required]
    try:
        return up(context, data_dict)
    finally:
        context.pop(fields.LIFECYCLE_CONTEXT_KEY, None)  # type: ignore[misc]


def _follow_source(context: Context, package_id: str, state: str | None) -> None:
    """Put a harvested copy in its source's state, through the sysadmin import path (audited
    ``imported``); nothing when it is there already or the source sent no state."""
    pkg = model.Package.get(package_id)
    if state is None or pkg is None or pkg.extras.get(fields.CATALOGUE_STATE) == state:
        return
    tk.get_action("govshare_catalogue_import")(
        {"user": context.get("user") or ""},
        {"id": package_id, fields.CATALOGUE_STATE: state, "comment": HARVESTED_COMMENT})


#: the audit trail's comment on a state a harvested copy took from its source
HARVESTED_COMMENT = "harvested: the state of the entry at its source"


def create_entry_or_copy(up: Action, context: Context, data_dict: DataDict) -> Any:
    """``package_create``; a harvested copy (DB14 §7.5, §9.3: published at its source, exchanged
    through the platform) keeps its source's ``issued`` and takes its source's state rather
    than starting as a draft (:mod:`ckanext.govshare.lifecycle.harvested`)."""
    package_id = data_dict.get("id")
    if not package_id or not _harvest_write(context, str(package_id)):
        return up(context, data_dict)
    state = harvested.copy_state(data_dict.get(fields.CATALOGUE_STATE))
    data_dict[fields.CATALOGUE_STATE] = tables.DRAFT  # until the import path moves it on
    result = _as_lifecycle(up, context, data_dict)
    _follow_source(context, str(package_id), state)
    return result


def _update_copy(up: Action, context: Context, data_dict: DataDict,
                 pkg: model.Package) -> Any:
    """``package_update`` of a harvested copy: the source's change applied as it comes (it was
    reviewed there), then the copy moved to the source's state (a withdrawn entry retired)."""
    state = harvested.copy_state(data_dict.get(fields.CATALOGUE_STATE))
    data_dict[fields.CATALOGUE_STATE] = pkg.extras.get(fields.CATALOGUE_STATE)
    if not data_dict.get(fields.ISSUED) and pkg.extras.get(fields.ISSUED):
        data_dict[fields.ISSUED] = pkg.extras[fields.ISSUED]
    result = _as_lifecycle(up, context, data_dict)
    _follow_source(context, pkg.id, state)
    return result


def _through_resource_action(up: Action, context: Context, data_dict: DataDict) -> Any:
    context[_RESOURCE_ACTION] = True  # type: ignore[literal-required]
    try:
        return up(context, data_dict)
    finally:
        context.pop(_RESOURCE_ACTION, None)  # type: ignore[misc]


def create_resource_unless_locked(up: Action, context: Context, data_dict: DataDict) -> Any:
    """``resource_create``: attaching data (资源挂接) is not a revision of the metadata.

    Refused while the entry is locked (:data:`LOCKED_STATES`).
    """
    pkg = model.Package.get(str(data_dict.get("package_id") or "")) \
        if data_dict.get("package_id") else None
    _refuse_locked(context, pkg, "resource_create", data_dict)
    return _through_resource_action(up, context, data_dict)


def update_resource_unless_locked(up: Action, context: Context, data_dict: DataDict) -> Any:
    """``resource_update`` (and so ``resource_patch``): attaching data (资源挂接) is not a
    revision of the metadata. Refused while the entry is locked (:data:`LOCKED_STATES`)."""
    _refuse_locked(context, _resource_package(data_dict.get("id")), "resource_update", data_dict)
    return _through_resource_action(up, context, data_dict)


def delete_resource_unless_locked(up: Action, context: Context, data_dict: DataDict) -> Any:
    """``resource_delete``: attaching data (资源挂接) is not a revision of the metadata.

    Refused while the entry is locked (:data:`LOCKED_STATES`), before core's own handling,
    which does not expect a refusal that is not about a resource.
    """
    _refuse_locked(context, _resource_package(data_dict.get("id")), "resource_delete", data_dict)
    return _through_resource_action(up, context, data_dict)


def reorder_resources_unless_locked(up: Action, context: Context, data_dict: DataDict) -> Any:
    """``package_resource_reorder``: the order of the data is not a revision of the metadata.
    Refused while the entry is locked (:data:`LOCKED_STATES`)."""
    ref = data_dict.get("id")
    pkg = model.Package.get(str(ref)) if ref else None
    _refuse_locked(context, pkg, "package_update", {"id": pkg.id} if pkg else data_dict)
    return _through_resource_action(up, context, data_dict)


def move_drafts_only(up: Action, context: Context, data_dict: DataDict) -> Any:
    """``package_owner_org_update``: only a draft entry moves to another department.

    Core writes ``owner_org`` straight to the dataset, past ``package_update``; the department
    is a field a revision never changes (``lifecycle.diff``). The lifecycle's own
    writes and core's call from ``package_update`` that keeps the department pass.
    """
    ref = data_dict.get("id")
    pkg = model.Package.get(str(ref)) if ref else None
    state = pkg.extras.get(fields.CATALOGUE_STATE) if pkg is not None else None
    if state in (None, tables.DRAFT) or context.get(fields.LIFECYCLE_CONTEXT_KEY):
        return up(context, data_dict)
    target = data_dict.get("organization_id")
    org = model.Group.get(str(target)) if target else None
    if (org.id if org is not None else target or None) == pkg.owner_org:
        return up(context, data_dict)
    tk.check_access("package_owner_org_update", context, data_dict)
    # DB14 §7.2: 业务谁主管，谁编制 — the compiling department is part of the reviewed entry
    if state in LOCKED_STATES:
        raise tk.ValidationError({fields.CATALOGUE_STATE: [locked_message(state)]})
    raise tk.ValidationError({"organization_id": [
        tk._("Only a draft entry can move to another department.")]})
