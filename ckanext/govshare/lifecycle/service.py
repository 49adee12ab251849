"""The lifecycle's write service: the glue between the pure state machines and CKAN.

What belongs here is what writes the catalogue lifecycle: lock an entry, load its state and
open step, fire an event through :func:`machine.transition`, write the new ``catalogue_state``
through ``package_patch`` (with :data:`~ckanext.govshare.catalogue.fields.LIFECYCLE_CONTEXT_KEY`,
the one context flag the read-only validator honours), keep the open step's bookkeeping
(:class:`~ckanext.govshare.model.lifecycle.EntryLifecycle`: stage, submitter, ``due_at`` on the
working-day clock), append to the audit trail, and the same for pending revisions (变更),
including an edit of a published entry that changes only no-review fields
(:func:`edit_published`, applied live), and the "update required" step a change event opens
on a published entry (:func:`change_event`, closed by the update). :func:`allowed_events` asks
the same guards in advance, for the pages and the review queue.

Not here: the reads (:mod:`~ckanext.govshare.lifecycle.queries`), the diff of a revision
(:mod:`~ckanext.govshare.lifecycle.diff`), the user's roles for an entry
(:func:`ckanext.govshare.department.roles.actor_roles`). Auth is the callers' job (the actions
check access once, before calling in); visibility is :mod:`~ckanext.govshare.permissions`';
emails are :mod:`~ckanext.govshare.lifecycle.notify`'.

Concurrency: every write starts with ``SELECT … FOR UPDATE`` on the dataset's ``package`` row
(:func:`queries.lock_package`) and reads the state after the lock, so two decisions on one
entry queue up and the second sees the first's result (an illegal transition by then).
"""
from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ckan.lib.plugins as lib_plugins
import ckan.logic as ckan_logic
import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.govshare import config as gs_config
from ckanext.govshare.catalogue import fields
from ckanext.govshare.department import roles
from ckanext.govshare.lifecycle import deadlines, diff, notify, options, queries, tables
from ckanext.govshare.lifecycle import machine as lifecycle
from ckanext.govshare.messages import text
from ckanext.govshare.model import base
from ckanext.govshare.model.audit import AuditEntry
from ckanext.govshare.model.lifecycle import EntryLifecycle
from ckanext.govshare.model.revision import Revision

__all__ = [
    "ACTION_NAMES",
    "AUDITED_SIGNAL",
    "OFFLINE_SIGNAL",
    "PUBLISHED_SIGNAL",
    "REVISED_SIGNAL",
    "REVISION_ACTION_NAMES",
    "LockedEntry",
    "allowed_events",
    "audit",
    "audited_signal",
    "change_event",
    "edit_published",
    "fire",
    "import_state",
    "lock_entry",
    "offline_signal",
    "published_signal",
    "revised_signal",
    "revision_fire",
    "revision_for_update",
    "revision_save",
    "step_due",
    "step_signal",
]

log = logging.getLogger(__name__)

#: blinker signal sent when an entry goes offline (the sharing issue suspends authorizations)
OFFLINE_SIGNAL = "govshare:catalogue_offline"
#: blinker signal sent when an approval publishes an entry (the sharing issue fulfils the
#: demands it answers)
PUBLISHED_SIGNAL = "govshare:catalogue_published"

#: catalogue event → the action that fires it
ACTION_NAMES: dict[str, str] = {e: f"govshare_catalogue_{e}" for e in tables.CATALOGUE_EVENTS}
#: revision event → the action that fires it
REVISION_ACTION_NAMES: dict[str, str] = {
    e: f"govshare_revision_{e}" for e in tables.REVISION_EVENTS
}


def offline_signal() -> Any:
    """The ``govshare:catalogue_offline`` signal (sender: the entry id)."""
    return tk.signals.ckanext.signal(OFFLINE_SIGNAL)


def published_signal() -> Any:
    """The ``govshare:catalogue_published`` signal (sender: the entry id)."""
    return tk.signals.ckanext.signal(PUBLISHED_SIGNAL)


#: blinker signal sent inside every catalogue and revision step once the state machine has
#: accepted it and before anything is written (sender: the entry id; keywords ``machine``,
#: ``event``, ``result``, ``entry_fields``, ``proposed`` and ``revision_id`` of a revision,
#: ``context``). A subscriber may refuse the step by raising ``tk.ValidationError`` (the grade
#: sign-off, :mod:`ckanext.govshare.sharing.security`) or write in the step's transaction.
STEP_SIGNAL = "govshare:lifecycle_step"


def step_signal() -> Any:
    """The ``govshare:lifecycle_step`` signal (see :data:`STEP_SIGNAL`)."""
    return tk.signals.ckanext.signal(STEP_SIGNAL)


#: blinker signal sent when an approved revision changes a published entry (the sharing issue
#: suspends the authorizations a stricter share type or a higher grade no longer covers)
REVISED_SIGNAL = "govshare:entry_revised"


def revised_signal() -> Any:
    """The ``govshare:entry_revised`` signal (sender: the entry id; ``before``: the live
    entry's fields, ``after``: the fields the approved revision writes; ``actor``,
    ``revision_id``), sent in the transaction that applies the revision."""
    return tk.signals.ckanext.signal(REVISED_SIGNAL)


#: blinker signal sent for every row appended to the audit trail, in its transaction (sender:
#: the entry id; ``row``: the :class:`AuditEntry`, staged, not flushed): the activity streams
#: record the step (:mod:`ckanext.govshare.activity.lifecycle`)
AUDITED_SIGNAL = "govshare:lifecycle_audited"


def audited_signal() -> Any:
    """The ``govshare:lifecycle_audited`` signal (see :data:`AUDITED_SIGNAL`)."""
    return tk.signals.ckanext.signal(AUDITED_SIGNAL)


# -- loading an entry ----------------------------------------------------------------------------


@dataclass
class LockedEntry:
    """A catalogue entry whose ``package`` row is locked by the current transaction."""

    id: str
    name: str
    title: str
    owner_org: str | None
    state: str
    fields: dict[str, Any]
    step: EntryLifecycle

    @property
    def unit(self) -> str | None:
        return self.fields.get(fields.PROVIDER_UNIT) or None

    @property
    def resource_code(self) -> str | None:
        return self.fields.get(fields.RESOURCE_CODE) or None


def lock_entry(ref: str) -> LockedEntry:
    """Lock the dataset ``ref`` (id or name) for this transaction and load its lifecycle.

    A dataset without ``catalogue_state`` counts as ``draft``.

    :raises tk.ObjectNotFound: no such dataset (or it is deleted)
    """
    model.Session.flush()
    row = queries.lock_package(ref)
    if row is None:
        raise tk.ObjectNotFound(tk._("catalogue entry not found"))
    # whatever this session cached of the dataset predates the lock: read it again
    model.Session.get(model.Package, row.id, populate_existing=True)
    extras = dict(row.extras or {})
    step = model.Session.get(EntryLifecycle, row.id, populate_existing=True)
    if step is None:
        step = EntryLifecycle(entry_id=row.id, org_id=row.owner_org, version=0,
                              modified=base.now())
        model.Session.add(step)
    return LockedEntry(
        id=row.id,
        name=row.name,
        title=row.title or row.name,
        owner_org=row.owner_org,
        state=extras.get(fields.CATALOGUE_STATE) or tables.DRAFT,
        fields={**extras, "name": row.name, "title": row.title, fields.OWNER_ORG: row.owner_org,
                "type": row.type},
        step=step,
    )


def _user(context: Mapping[str, Any]) -> model.User | None:
    user = context.get("auth_user_obj")
    if isinstance(user, model.User):
        return user
    return model.User.get(context.get("user") or "") if context.get("user") else None


def _actor(context: Mapping[str, Any]) -> str:
    user = _user(context)
    return user.id if user is not None else str(context.get("user") or "")


def allowed_events(machine: lifecycle.StateMachine, state: str, *,
                   user: model.User | str | None, org_id: str | None, unit: str | None,
                   stage: str | None, submitter: str | None,
                   stage_approver: str | None) -> list[str]:
    """The events of ``machine`` that ``user`` may fire now on an open step in ``state``.

    The guards :func:`fire` and :func:`revision_fire` apply, decided by the same state
    machine: the roles the user holds for the entry (:func:`roles.actor_roles`) and the
    four-eyes rule against the step's ``submitter`` and, at the coordinator stage, its
    ``stage_approver``. What the review queue and the entry and revision pages offer is thus
    what the transition accepts. ``user``: a User or a user name or id.
    """
    user_obj = model.User.get(user) if isinstance(user, str) else user
    return machine.allowed_events(
        state, stage=stage if state == machine.review_state else None,
        actor=user_obj.id if user_obj is not None else "", submitter=submitter,
        stage_approver=stage_approver, actor_roles=roles.actor_roles(user_obj, org_id, unit))


def _roles_for_context(context: Mapping[str, Any], entry: LockedEntry) -> set[str] | None:
    # an internal call (ignore_auth: the site user, a CLI, a bulk job) has decided for itself
    if context.get("ignore_auth"):
        return None
    return roles.actor_roles(_user(context), entry.owner_org, entry.unit)


def _needs_second_stage(entry_fields: Mapping[str, Any]) -> bool:
    return lifecycle.needs_second_stage(entry_fields, gs_config.lifecycle_second_stage())


def step_due(clock: str | None, start: datetime.datetime) -> datetime.datetime | None:
    """When a step on working-day ``clock`` opened at ``start`` is due (``None``: no clock).

    The configured clock: ``ckanext.govshare.deadline.<clock>_days`` working days on the
    calendar with ``ckanext.govshare.calendar.last_official_year``; the open steps' ``due_at``
    and the assessment's review timeliness both use it.
    """
    # DB14 §7.3: each step of compiling and reviewing has a time limit in working days
    if clock is None:
        return None
    return deadlines.add_working_days(
        start, gs_config.deadline_days(clock),
        last_official_year=gs_config.calendar_last_official_year(),
    )


# -- writing -------------------------------------------------------------------------------------


def audit(*, entry: LockedEntry, action: str, actor: str, from_state: str | None,
          to_state: str | None, comment: str | None = None, revision_id: str | None = None,
          diff: Any = None, at: datetime.datetime | None = None) -> AuditEntry:
    """Append one row to the audit trail (in the current transaction) and tell the
    :data:`AUDITED_SIGNAL`'s subscribers."""
    row = AuditEntry(
        entry_id=entry.id, resource_code=entry.resource_code, org_id=entry.owner_org,
        action=action, from_state=from_state, to_state=to_state, actor=actor,
        at=at or base.now(), comment=comment, revision_id=revision_id, diff=diff,
    )
    model.Session.add(row)
    audited_signal().send(entry.id, row=row)
    return row


def _lifecycle_context(context: Mapping[str, Any]) -> dict[str, Any]:
    return {"user": context.get("user") or "", "ignore_auth": True,
            fields.LIFECYCLE_CONTEXT_KEY: True}


def _write(context: Mapping[str, Any], entry: LockedEntry, changes: dict[str, Any]) -> None:
    """Write ``changes`` to the dataset and end the transaction with everything staged before.

    A change of :data:`fields.STATE_FIELDS` only is written straight to the locked dataset
    row; anything else goes through ``package_patch`` (validated by the schema, reindexed, in
    the activity stream). CKAN 2.12's ``package_update`` commits the session, and under ``defer_commit`` discards
    its own changes, so the lifecycle's rows are staged first and this write comes last: the
    bookkeeping, the audit row and the dataset commit together or not at all. ``defer_commit``
    is honoured only when the dataset itself does not change (a stage change).
    """
    if not changes:
        if not context.get("defer_commit"):
            model.repo.commit()
        return
    if set(changes) <= fields.STATE_FIELDS:
        # only the fields the state machine owns: no schema to re-validate, no metadata that
        # changes; written on the locked row, the audit row being the record of the step
        pkg = model.Package.get(entry.id)
        for key, value in changes.items():
            if value in (None, ""):
                pkg.extras.pop(key, None)
            else:
                pkg.extras[key] = str(value)
        pkg.metadata_modified = datetime.datetime.utcnow()
        model.Session.flush()
        # the new state changes the entry's permission labels: reindex in this transaction
        ckan_logic.index_update_package({"ignore_auth": True}, entry.id)
        if not context.get("defer_commit"):
            model.repo.commit()
        return
    try:
        tk.get_action("package_patch")(_lifecycle_context(context), {"id": entry.id, **changes})
    except Exception:
        model.Session.rollback()
        raise


def _show(context: Mapping[str, Any], entry_id: str) -> dict[str, Any]:
    # the index row was written in this transaction: package_show may answer from it
    show_context = {"user": context.get("user") or "",
                    "ignore_auth": bool(context.get("ignore_auth"))}
    pkg_dict = tk.get_action("package_show")(show_context, {"id": entry_id})
    # package_show attached the summary as the user may read it; an internal call gets it whole
    if fields.LIFECYCLE_SUMMARY not in pkg_dict:
        queries.attach_lifecycle([pkg_dict])
    return pkg_dict


def _refused(err: lifecycle.LifecycleError, actions: Mapping[str, str]) -> Exception:
    if isinstance(err, lifecycle.NotPermitted):
        return tk.NotAuthorized(err.message)
    errors: dict[str, list[str]] = err.error_dict()
    if isinstance(err, lifecycle.IllegalTransition):
        errors["allowed_actions"] = [actions[e] for e in err.allowed_events] or ["-"]
    return tk.ValidationError(errors)


def _stage_diff(result: lifecycle.TransitionResult) -> dict[str, Any] | None:
    """``{"stage": [from, to]}`` when a review moves on to its next stage, else ``None``."""
    if result.from_stage and result.new_stage and result.from_stage != result.new_stage:
        return {"stage": [result.from_stage, result.new_stage]}
    return None


def fire(context: dict[str, Any], ref: str, event: str, *,
         reason: str | None = None) -> dict[str, Any]:
    """Apply catalogue ``event`` to entry ``ref`` as the context's user; returns the entry.

    :raises tk.ValidationError: illegal in the current state, or a guard failed (``reason``)
    :raises tk.NotAuthorized: the actor's roles or the four-eyes rule refuse it
    """
    entry = lock_entry(ref)
    step = entry.step
    actor = _actor(context)
    try:
        result = lifecycle.transition(
            entry.state, event,
            actor=actor,
            submitter=step.submitted_by,
            reason=reason,
            stage=step.stage if entry.state == lifecycle.CATALOGUE.review_state else None,
            needs_second_stage=_needs_second_stage(entry.fields),
            stage_approver=step.stage_approver,
            actor_roles=_roles_for_context(context, entry),
        )
    except lifecycle.LifecycleError as err:
        raise _refused(err, ACTION_NAMES) from None
    # subscribers refuse (the security officer's grade sign-off) or join this transaction
    step_signal().send(entry.id, machine=lifecycle.CATALOGUE.name, event=event, result=result,
                       entry_fields=entry.fields, proposed=None, revision_id=None,
                       context=context)

    at = base.now()
    previous_submitter = step.submitted_by
    changes: dict[str, Any] = {}
    if result.new_state != entry.state:
        changes[fields.CATALOGUE_STATE] = result.new_state
    published = result.new_state == tables.PUBLISHED and event == tables.APPROVE
    if published:
        step.version = (step.version or 0) + 1
        step.published_at = at
        if not entry.fields.get(fields.ISSUED):
            changes[fields.ISSUED] = at.astimezone(deadlines.SHANGHAI).date().isoformat()
    step.org_id = entry.owner_org
    step.stage = result.new_stage
    step.submitted_by = result.submitter
    step.stage_approver = result.stage_approver
    step.clock = result.clock
    step.opened_at = at if result.clock else None
    step.due_at = step_due(result.clock, at)
    step.reminded_at = None
    if result.reason:
        step.reason = result.reason
    elif published:
        step.reason = None
    step.modified = at

    stage_diff = _stage_diff(result)
    audit(entry=entry, action=event, actor=actor, from_state=entry.state,
          to_state=result.new_state, comment=result.reason, diff=stage_diff, at=at)

    if result.new_state == tables.OFFLINE:
        _close_change_step(entry, tables.OFFLINE, actor, at)
        # subscribers (the sharing issue suspends authorizations) write in this transaction
        offline_signal().send(entry.id, entry_name=entry.name, organization_id=entry.owner_org,
                              actor=actor, reason=step.reason)
    if published:
        # subscribers (the sharing issue fulfils demands) write in this transaction
        published_signal().send(entry.id, entry_name=entry.name,
                                organization_id=entry.owner_org, actor=actor)
    _write(context, entry, changes)
    notify.transition(entry_fields=entry.fields, entry_id=entry.id, event=event,
                      result=result, actor=actor, previous_submitter=previous_submitter,
                      due_at=step.due_at, kind=lifecycle.CATALOGUE.name)
    return _show(context, entry.id)


def import_state(context: dict[str, Any], ref: str, state: str, *,
                 comment: str | None = None, version: int | None = None,
                 submitted_at: datetime.datetime | None = None,
                 published_at: datetime.datetime | None = None,
                 issued: datetime.datetime | None = None,
                 reason: str | None = None) -> dict[str, Any]:
    """The sysadmin import path: set ``catalogue_state`` directly, audited as ``imported``.

    For migrating an existing catalogue: no guard. An entry imported into a state with an open
    step (``in_review``, ``offline_review``) gets that step's clock and ``due_at`` as if it had
    been submitted at ``submitted_at`` (default: now), with no known submitter; otherwise the
    open step is cleared. ``published_at`` (the first publication) and ``issued`` (its date,
    Beijing time) are kept as given; a published entry without them was published now.
    ``reason`` is the reason of the entry's last step there (an offline request's, a return's).
    """
    if state not in tables.CATALOGUE_STATES:
        raise tk.ValidationError({fields.CATALOGUE_STATE: [tk._("unknown catalogue state: {state}").format(state=state)]})
    entry = lock_entry(ref)
    at = base.now()
    changes: dict[str, Any] = {fields.CATALOGUE_STATE: state}
    step = entry.step
    if published_at is not None:
        step.published_at = published_at
    if issued is not None:
        changes[fields.ISSUED] = issued.astimezone(deadlines.SHANGHAI).date().isoformat()
    if state == tables.PUBLISHED:
        step.version = version if version is not None else max(step.version or 0, 1)
        step.published_at = step.published_at or at
        if not entry.fields.get(fields.ISSUED) and issued is None:
            changes[fields.ISSUED] = at.astimezone(deadlines.SHANGHAI).date().isoformat()
    elif version is not None:
        step.version = version
    step.org_id = entry.owner_org
    step.stage = tables.STAGE_REVIEWER if state == tables.IN_REVIEW else None
    step.submitted_by = step.stage_approver = None
    if reason:
        step.reason = reason
    # DB14 §7.3: an imported open step runs on its clock like a submitted one
    step.clock = lifecycle.CATALOGUE.clocks.get(state)
    step.opened_at = (submitted_at or at) if step.clock else None
    step.due_at = step_due(step.clock, step.opened_at) if step.opened_at else None
    step.reminded_at = None
    step.modified = at
    audit(entry=entry, action=tables.IMPORTED, actor=_actor(context), from_state=entry.state,
          to_state=state, comment=comment, at=at)
    if state in (tables.DRAFT, tables.IN_REVIEW, tables.OFFLINE):
        # no longer the live entry: nothing to update (the step is recorded as closed)
        _close_change_step(entry, tables.OFFLINE if state == tables.OFFLINE else tables.IMPORTED,
                           _actor(context), at, force=True)
    _write(context, entry, changes)
    return _show(context, entry.id)


@dataclass
class Timestamps:
    """A dumped dataset's times (``package_show``'s naive UTC ISO 8601), kept on import."""

    created: datetime.datetime | None
    modified: datetime.datetime | None
    resources: dict[str, datetime.datetime]  # resource id: its metadata_modified

    @classmethod
    def of(cls, pkg_dict: Mapping[str, Any]) -> Timestamps:
        """The times of ``pkg_dict``; a malformed one is a ``ValidationError`` naming it."""
        resources = {}
        for res in pkg_dict.get("resources") or []:
            at = _utc(res, "metadata_modified") if isinstance(res, dict) else None
            if at is not None and res.get("id"):
                resources[str(res["id"])] = at
        return cls(_utc(pkg_dict, "metadata_created"), _utc(pkg_dict, "metadata_modified"),
                   resources)


def _utc(data: Mapping[str, Any], key: str) -> datetime.datetime | None:
    """``data[key]`` as a naive UTC time (CKAN's columns), or ``None`` when absent."""
    value = data.get(key)
    if value in (None, ""):
        return None
    try:
        at = datetime.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        raise tk.ValidationError({key: [tk._("Must be an ISO 8601 date and time")]}) from None
    if at.tzinfo is not None:
        at = at.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return at


def restore_timestamps(entry_id: str, times: Timestamps) -> None:
    """Give an imported entry and its resources the times they had where they were dumped, and
    reindex it; in the caller's transaction."""
    pkg = model.Package.get(entry_id)
    pkg.metadata_created = times.created or pkg.metadata_created
    pkg.metadata_modified = times.modified or pkg.metadata_modified
    for res in pkg.resources_all:
        res.metadata_modified = times.resources.get(res.id) or res.metadata_modified
    model.Session.flush()
    ckan_logic.index_update_package({"ignore_auth": True}, entry_id)


# -- the "update required" step after a change event ---------------------------------------------


def change_event(context: dict[str, Any], ref: str, *, reason: str | None,
                 occurred_at: datetime.datetime | None = None) -> dict[str, Any]:
    """Record a change event (变更事由) on a published entry and open its "update required" step.

    The step is due ``ckanext.govshare.deadline.update_after_change_days`` working days after
    ``occurred_at`` (default: now); reported again while open, the earlier deadline stands.
    The audit trail records :data:`tables.CHANGE_EVENT` with the reason and the dates.

    :raises tk.ValidationError: the entry is not published, no reason, an event in the future
    :raises tk.NotAuthorized: the actor is neither reviewer nor coordinator of the department
    """
    entry = lock_entry(ref)
    step = entry.step
    actor = _actor(context)
    user = _user(context)
    at = base.now()
    occurred = occurred_at or at
    roles_ = None if user is not None and user.sysadmin else _roles_for_context(context, entry)
    try:
        clean = lifecycle.check_change_event(entry.state, reason=reason, occurred_at=occurred,
                                             now=at, actor_roles=roles_)
    except lifecycle.LifecycleError as err:
        raise _refused(err, ACTION_NAMES) from None
    # DB14 §7.3: the entry is updated within the limit after the change
    due = step_due(tables.CHANGE_CLOCK, occurred)
    if lifecycle.change_due(step.change_due_at, due) == due:
        # the first event, or one with an earlier deadline: the step now answers to it
        step.change_due_at, step.change_occurred_at = due, occurred
        step.change_reason, step.change_reported_by = clean, actor
        step.change_reminded_at = None
    step.org_id = entry.owner_org
    step.modified = at
    audit(entry=entry, action=tables.CHANGE_EVENT, actor=actor, from_state=entry.state,
          to_state=entry.state, comment=clean, at=at,
          diff={"occurred_at": occurred.isoformat(), "due_at": step.change_due_at.isoformat()})
    _write(context, entry, {})
    notify.change_event(entry_fields=entry.fields, entry_id=entry.id, unit=entry.unit,
                        reason=clean, due_at=step.change_due_at, actor=actor)
    return _show(context, entry.id)


def _close_change_step(entry: LockedEntry, outcome: str, actor: str, at: datetime.datetime, *,
                       revision_id: str | None = None, force: bool = False) -> None:
    """Close the entry's open "update required" step when ``outcome`` closes it (or ``force``:
    an import away from ``published``), recording :data:`tables.CHANGE_CLOSED`."""
    step = entry.step
    if step.change_due_at is None or not (force or lifecycle.closes_change_step(outcome)):
        return
    audit(entry=entry, action=tables.CHANGE_CLOSED, actor=actor, from_state=entry.state,
          to_state=entry.state, comment=step.change_reason, revision_id=revision_id, at=at,
          diff={"outcome": outcome, "due_at": step.change_due_at.isoformat(),
                "overdue": deadlines.is_overdue(step.change_due_at, at)})
    step.change_reason = step.change_reported_by = None
    step.change_occurred_at = step.change_due_at = step.change_reminded_at = None
    step.modified = at


# -- pending revisions ---------------------------------------------------------------------------


def _live(entry: LockedEntry) -> dict[str, Any]:
    return tk.get_action("package_show")(
        {"ignore_auth": True, "use_cache": False, "for_update": True}, {"id": entry.id})


def _validate_proposed(context: Mapping[str, Any], entry: LockedEntry,
                       proposed: dict[str, Any], live: Mapping[str, Any]) -> None:
    """Validate a proposed entry as ``package_update`` would, without writing anything.

    The proposal's record fields (信息项, 共享范围) are replaced by their validated form (a
    length posted as "300" is proposed as 300), so the diff compares like with like.
    """
    pkg = model.Package.get(entry.id)
    plugin = lib_plugins.lookup_package_plugin(pkg.type)
    data = {**proposed, "id": entry.id, "owner_org": live.get("owner_org"),
            "resources": live.get("resources") or [], "type": pkg.type}
    vctx = {"model": model, "session": model.Session, "user": context.get("user") or "",
            "package": pkg, "ignore_auth": True}
    validated, errors = lib_plugins.plugin_validate(
        plugin, vctx, data, plugin.update_package_schema(), "package_update")
    if errors:
        raise tk.ValidationError(errors)
    stored = {e.get("key"): e.get("value") for e in validated.get("extras") or ()
              if isinstance(e, dict)}
    for name in fields.ENTRY_RECORD_FIELDS:
        if name in proposed and isinstance(stored.get(name), str):
            proposed[name] = json.loads(stored[name])


def _open_revision(entry_id: str) -> Revision | None:
    return (model.Session.query(Revision)
            .filter(Revision.entry_id == entry_id,
                    Revision.state.in_(tables.REVISION_OPEN_STATES))
            .populate_existing().one_or_none())


def revision_for_update(revision_id: str) -> tuple[Revision, LockedEntry]:
    """The revision and its entry, the entry locked (revisions are written under its lock)."""
    rev = model.Session.get(Revision, revision_id)
    if rev is None:
        raise tk.ObjectNotFound(tk._("revision not found"))
    entry = lock_entry(rev.entry_id)
    model.Session.refresh(rev)
    return rev, entry


def revision_save(context: dict[str, Any], ref: str, changes: Mapping[str, Any], *,
                  revision_id: str | None = None, whole_entry: bool = False) -> Revision:
    """Create the entry's pending revision, or update its open draft, with ``changes``.

    ``changes`` are top-level fields of the entry (patch semantics: fields not given keep the
    live value, or the draft's). With ``whole_entry`` (an edit form or ``package_update``
    sending the whole entry, based on the live version) only the fields that differ from the
    live entry count as changes, so a second edit keeps the draft's earlier ones. The live
    entry is not touched.
    """
    if revision_id:
        rev, entry = revision_for_update(revision_id)
    else:
        entry = lock_entry(ref)
        rev = _open_revision(entry.id)
    actor = _actor(context)
    if entry.state != tables.PUBLISHED:
        raise tk.ValidationError({fields.CATALOGUE_STATE: [tk._("only a published entry can be revised (current state: {state})").format(
            state=text(tables.CATALOGUE_STATES[entry.state]))]})
    live = _live(entry)
    at = base.now()
    action = tables.REVISION_CREATE
    if rev is not None:
        try:
            lifecycle.revision_transition(rev.state, tables.UPDATE, actor=actor, actor_roles=None)
        except lifecycle.LifecycleError as err:
            raise _refused(err, REVISION_ACTION_NAMES) from None
        draft = dict(rev.proposed)
        action = tables.REVISION_UPDATE
    else:
        draft = diff.metadata(live)
    changes = diff.metadata(changes)
    if whole_entry:
        changes = {k: v for k, v in changes.items() if not diff.same(v, live.get(k))}
    proposed = {**draft, **changes}
    _validate_proposed(context, entry, proposed, live)
    changed = diff.diff_entries(live, proposed)
    if rev is None:
        rev = Revision(entry_id=entry.id, org_id=entry.owner_org, author=actor,
                       state=tables.DRAFT, proposed=proposed, diff=changed,
                       base_version=entry.step.version or 0, created=at, modified=at)
        model.Session.add(rev)
        model.Session.flush()
    else:
        # a returned revision goes back to draft; its return reason stays on record
        rev.state, rev.proposed, rev.diff, rev.modified = tables.DRAFT, proposed, changed, at
    audit(entry=entry, action=action, actor=actor, from_state=entry.state, to_state=entry.state,
          revision_id=rev.id, diff=changed, at=at)
    _write(context, entry, {})
    return rev


def revision_fire(context: dict[str, Any], revision_id: str, event: str, *,
                  reason: str | None = None) -> Revision:
    """Apply revision ``event`` (``submit``, ``approve``, ``return``, ``discard``).

    ``approve`` writes the proposed metadata to the live entry and bumps its version, in the
    transaction that records the decision.
    """
    rev, entry = revision_for_update(revision_id)
    actor = _actor(context)
    changes: dict[str, Any] = {}
    roles_ = _roles_for_context(context, entry)
    if event == tables.DISCARD and roles_ is not None:
        roles_ = None  # whoever may edit the entry may drop its draft (checked by auth)
    try:
        result = lifecycle.revision_transition(
            rev.state, event, actor=actor, submitter=rev.submitted_by, reason=reason,
            stage=rev.stage if rev.state == lifecycle.REVISION.review_state else None,
            needs_second_stage=_needs_second_stage({**entry.fields, **rev.proposed}),
            stage_approver=rev.stage_approver, actor_roles=roles_,
        )
    except lifecycle.LifecycleError as err:
        raise _refused(err, REVISION_ACTION_NAMES) from None
    step_signal().send(entry.id, machine=lifecycle.REVISION.name, event=event, result=result,
                       entry_fields=entry.fields, proposed=dict(rev.proposed or {}),
                       revision_id=rev.id, context=context)

    at = base.now()
    previous_submitter = rev.submitted_by
    if result.new_state == tables.APPROVED:
        if entry.state != tables.PUBLISHED:
            raise tk.ValidationError({fields.CATALOGUE_STATE: [tk._("the entry is no longer published ({state}): the revision cannot apply").format(state=entry.state)]})
        if rev.base_version != (entry.step.version or 0):
            raise tk.ValidationError({"base_version": [tk._("the revision was made against an older version: revise again")]})
        changes = dict(rev.proposed)
        entry.step.version = (entry.step.version or 0) + 1
        entry.step.modified = at
        rev.version = entry.step.version
    if event == tables.SUBMIT:
        rev.submitted_at = at
    if result.new_state in (tables.APPROVED, tables.RETURNED, tables.DISCARDED):
        rev.decided_by, rev.decided_at = actor, at
    rev.state = result.new_state
    rev.stage = result.new_stage
    rev.submitted_by = result.submitter
    rev.stage_approver = result.stage_approver
    rev.due_at = step_due(result.clock, at)
    rev.reminded_at = None
    if result.reason:
        rev.reason = result.reason
    rev.modified = at
    stage_diff = _stage_diff(result)
    audit(entry=entry, action=f"revision_{event}", actor=actor, from_state=entry.state,
          to_state=entry.state, comment=result.reason, revision_id=rev.id,
          diff=rev.diff if result.new_state == tables.APPROVED else stage_diff, at=at)
    if result.new_state == tables.APPROVED:
        _close_change_step(entry, tables.OUTCOME_REVISION_APPROVED, actor, at,
                           revision_id=rev.id)
        # subscribers (the sharing issue re-checks authorizations) write in this transaction
        revised_signal().send(entry.id, before=dict(entry.fields),
                              after={**entry.fields, **changes}, actor=actor,
                              revision_id=rev.id)
    _write(context, entry, changes)
    notify.transition(entry_fields=entry.fields, entry_id=entry.id, event=event, result=result,
                      actor=actor, previous_submitter=previous_submitter, due_at=rev.due_at,
                      kind=lifecycle.REVISION.name, author=rev.author)
    return rev


def edit_published(context: dict[str, Any], ref: str,
                   data_dict: Mapping[str, Any]) -> Revision | None:
    """An edit of a published entry (``package_update``, the whole entry as the form sends it).

    When it changes only ``ckanext.govshare.revision.no_review_fields`` and no revision of the
    entry is open, it is applied to the live entry at once (validated by ``package_patch``):
    the version goes up by one, as on an approved revision, and the audit trail records
    :data:`tables.UPDATED_WITHOUT_REVIEW` with the diff; returns ``None``. Otherwise the whole edit
    goes to the entry's pending revision (:func:`revision_save`), which is returned. An open
    revision takes every edit, so that it is not overtaken by a version it was not based on.
    """
    no_review = options.no_review_fields()
    if no_review:
        entry = lock_entry(ref)
        if entry.state == tables.PUBLISHED and _open_revision(entry.id) is None:
            live = _live(entry)
            changes = {k: v for k, v in diff.metadata(data_dict).items()
                       if not diff.same(v, live.get(k))}
            changed = diff.diff_entries(live, {**diff.metadata(live), **changes})
            if not lifecycle.needs_review([d["field"] for d in changed], no_review):
                _apply_without_review(context, entry, changes, changed)
                return None
    return revision_save(context, ref, data_dict, whole_entry=True)


def _apply_without_review(context: dict[str, Any], entry: LockedEntry, changes: dict[str, Any],
                          changed: list[dict[str, Any]]) -> None:
    at = base.now()
    entry.step.version = (entry.step.version or 0) + 1
    entry.step.modified = at
    audit(entry=entry, action=tables.UPDATED_WITHOUT_REVIEW, actor=_actor(context),
          from_state=entry.state, to_state=entry.state, diff=changed, at=at)
    _close_change_step(entry, tables.UPDATED_WITHOUT_REVIEW, _actor(context), at)
    _write(context, entry, changes)
