"""The catalogue lifecycle in CKAN's activity streams (issue #12 §3: "activity shows lifecycle
events").

Every row appended to the lifecycle's audit trail (submitted, approved, returned, offline
requested, a revision's steps, a change event …; :func:`lifecycle.service.audit` sends
:data:`~ckanext.govshare.lifecycle.service.AUDITED_SIGNAL`) is recorded, in the same
transaction, as one activity of type :data:`ACTIVITY_TYPE` on the entry, by the user who took
the step, through ckanext-activity's ``activity_create``. So the entry's activity tab, its
department's, the actor's page and the dashboards of those who follow them show the step
("张三 提交了目录条目 X 审核", the template ``snippets/activities/lifecycle_package.html``) among
CKAN's own activities, filtered and paged like them.

Like CKAN's ``changed package``, the activity keeps the entry's ``package_show`` as it is after
the step (its new ``catalogue_state``), so "changes" between versions stay whole; its
``lifecycle`` part is the audit row (action, states, reason, revision). Who reads it is
:mod:`~ckanext.govshare.permissions`' decision twice over: stored with
:func:`permissions.lifecycle_step_labels` (CKAN's own filter), and judged when read by
:mod:`~ckanext.govshare.activity.stream` — the entry's department, as its timeline; the
entry's publication and its going offline (:data:`permissions.PUBLIC_STEPS`) also every
reader of the entry, told as the department's act ("省市场监督管理局 发布了目录条目 X") without
the decision's actor, reason or states.

ckanext-activity (2.12) accepts an activity type only if its validator tables list it
(``activity_type_exists``, ``object_id_validator``) and its pages offer the dataset types of
``VALIDATORS_PACKAGE_ACTIVITY_TYPES`` as filters: :func:`register` adds the type there, as
CKAN expects of an extension with activities of its own (ckan/ckan#5865). The type's name
contains ``package`` because CKAN's ``activity_show`` auth recognises a dataset activity by it.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.activity.logic import validators as activity_validators
from ckanext.govshare import permissions
from ckanext.govshare.catalogue import fields
from ckanext.govshare.lifecycle import service
from ckanext.govshare.model.audit import AuditEntry

__all__ = ["ACTIVITY_TYPE", "record", "register", "signal_subscriptions"]

#: the activity type of a lifecycle step (one type: the step is ``data["lifecycle"]["action"]``)
ACTIVITY_TYPE = "lifecycle package"


def register() -> None:
    """Make :data:`ACTIVITY_TYPE` a dataset activity type of ckanext-activity (idempotent)."""
    activity_validators.object_id_validators[ACTIVITY_TYPE] = "package_id_exists"
    activity_validators.VALIDATORS_PACKAGE_ACTIVITY_TYPES[ACTIVITY_TYPE] = "package_id_exists"


def _streams_on() -> bool:
    return p.plugin_loaded("activity") and tk.asbool(
        tk.config.get("ckan.activity_streams_enabled"))


def record(entry_id: str, *, row: AuditEntry, **_: Any) -> None:
    """Record the audit ``row`` of entry ``entry_id`` as an activity, in the current
    transaction (a subscriber of :data:`~ckanext.govshare.lifecycle.service.AUDITED_SIGNAL`)."""
    if not _streams_on():
        return
    pkg = model.Package.get(entry_id)
    if pkg is None:
        return
    actor = model.User.get(row.actor) if row.actor else None
    if actor is None:  # a step nobody signed in took: CKAN's site user, hidden from the streams
        actor_name = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    else:
        actor_name = actor.name
    # the entry as the step leaves it: the state is written after the audit row
    snapshot = tk.get_action("package_show")(
        {"ignore_auth": True, "for_view": False}, {"id": entry_id, "include_tracking": False})
    if row.to_state:
        snapshot[fields.CATALOGUE_STATE] = row.to_state
    tk.get_action("activity_create")(
        {"ignore_auth": True, "defer_commit": True},
        {"user_id": actor_name, "object_id": entry_id, "activity_type": ACTIVITY_TYPE,
         "permission_labels": permissions.lifecycle_step_labels(pkg, row.action, row.to_state),
         "data": {"package": snapshot, "actor": actor_name, "lifecycle": {
             "action": row.action, "from_state": row.from_state, "to_state": row.to_state,
             "comment": row.comment, "revision_id": row.revision_id}}})


def signal_subscriptions() -> dict[Any, list[Callable[..., Any]]]:
    """The signals this module listens to (``ISignal.get_signal_subscriptions``)."""
    return {service.audited_signal(): [record]}
