"""What a reader gets of the activities CKAN's activity plugin stored (ckanext-activity).

With every dataset activity CKAN stores a whole ``package_show`` snapshot, unredacted, and the
permission labels the dataset had at that moment. Neither is trusted here for who may read it:

* an activity whose object is a dataset reaches a reader only when the reader may see that
  dataset **now** (:func:`permissions.visible_package_ids` on the current ``package`` rows);
  a purged dataset's activities reach nobody but sysadmins;
* its snapshot is redacted by :func:`permissions.redact` twice: as it was recorded, and as the
  entry is now (the snapshot judged under the entry's current state and department), so an
  entry taken offline hides the data of its published snapshots from other departments;
* the other data of a dataset activity (a resource view's config, which names URLs) reaches
  only readers who may see the entry's data now (:func:`permissions.data_visible_ids`);
* a lifecycle step (:data:`~ckanext.govshare.activity.lifecycle.ACTIVITY_TYPE`, the entry's
  audit trail in the streams) reaches whole only those who may follow the entry's lifecycle
  now (its department's members); its publication and its going offline also every other
  reader of the entry, in their public part only (no actor, reason or internal states), and
  not in a user's stream, which lists a user's acts
  (:func:`permissions.lifecycle_step_access`, :func:`permissions.redact_public_step`).

Activities whose object is not a dataset (departments, groups, users) keep CKAN's rules. Calls
with ``ignore_auth`` and sysadmins get CKAN's answer unchanged. Nothing here decides who sees
what: it asks :mod:`~ckanext.govshare.permissions`. The chained actions are in
``logic/activity_action.py``, the chained auth in ``logic/activity_auth.py``, the guards of the
pages that read activities past the actions in ``activity_views.py``.
"""
from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import ckan.model as model

from ckanext.activity.logic.validators import VALIDATORS_PACKAGE_ACTIVITY_TYPES
from ckanext.activity.model import Activity
from ckanext.govshare import permissions
from ckanext.govshare.activity.lifecycle import ACTIVITY_TYPE as LIFECYCLE_TYPE

__all__ = [
    "DATASET_ACTIVITY_TYPES", "reader", "unrestricted", "dataset_ids",
    "readable", "may_read", "snapshot_whole", "redact_snapshot", "earlier_activity",
]

#: activity types whose object is a dataset (also when the dataset has been purged since)
DATASET_ACTIVITY_TYPES = frozenset(VALIDATORS_PACKAGE_ACTIVITY_TYPES) | {LIFECYCLE_TYPE}
#: what stays of a dataset activity's other data (not its snapshot) when the reader may not
#: see the entry's data: the ids that link the activity to its dataset and resource, and a
#: lifecycle step (already left with what the reader may read of it)
_KEPT_WITHOUT_DATA = ("actor", "id", "package_id", "resource_id", "view_type", "lifecycle")


#: the user an action runs for, and whether it reads unfiltered: permissions.py decides
reader = permissions.context_user
unrestricted = permissions.unrestricted


def dataset_ids(activities: Iterable[Any]) -> set[str]:
    """The object ids of ``activities`` (dicts or ``Activity`` rows) that are datasets: by
    activity type, or because a ``package`` row has that id."""
    rows = [(_get(a, "object_id"), _get(a, "activity_type")) for a in activities]
    ids = {oid for oid, kind in rows if oid and kind in DATASET_ACTIVITY_TYPES}
    others = {oid for oid, _kind in rows if oid and oid not in ids}
    if others:
        ids.update(r[0] for r in model.Session.query(model.Package.id)
                   .filter(model.Package.id.in_(others)))
    return ids


def _get(activity: Any, key: str) -> Any:
    return activity.get(key) if isinstance(activity, dict) else getattr(activity, key, None)


def readable(user: model.User | None, activities: list[dict[str, Any]], *,
             by_actor: bool = False) -> list[dict[str, Any]]:
    """The activity dicts among ``activities`` that ``user`` may read, in order, each with
    its data redacted for ``user`` (a copy: the stored data stays as it is).

    ``by_actor``: ``activities`` are a user's stream (their acts): a lifecycle step read in
    its public part, which names no actor, is left out.
    """
    datasets = dataset_ids(activities)
    if not datasets:
        return activities
    access, entries = _access(user, datasets, activities, by_actor=by_actor)
    kept = [(a, how) for a, how in zip(activities, access) if how]
    _redact(user, [a for a, _how in kept if a.get("object_id") in datasets], entries)
    for activity, how in kept:
        if how == permissions.STEP_PUBLIC:
            permissions.redact_public_step(activity)
    return [a for a, _how in kept]


def _access(user: model.User | None, datasets: set[str], activities: list[Any], *,
            by_actor: bool = False) -> tuple[list[str | None], set[str]]:
    """How ``user`` may read each of ``activities`` (:data:`permissions.STEP_WHOLE`,
    :data:`permissions.STEP_PUBLIC` or ``None``), and the ids among ``datasets`` they see:
    any activity of an entry they see, its lifecycle steps as
    :func:`permissions.lifecycle_step_access` says."""
    entries = permissions.visible_package_ids(user, datasets)
    access: list[str | None] = [
        permissions.STEP_WHOLE if _get(a, "object_id") not in datasets
        or _get(a, "object_id") in entries else None for a in activities]
    steps = [i for i, a in enumerate(activities) if access[i]
             and _get(a, "object_id") in datasets and _get(a, "activity_type") == LIFECYCLE_TYPE]
    if steps:
        told = permissions.lifecycle_step_access(
            user, [_step(activities[i]) for i in steps], seen=entries, by_actor=by_actor)
        for i, how in zip(steps, told):
            access[i] = how
    return access, entries


def _step(activity: Any) -> tuple[str, str | None, str | None]:
    """``(entry id, audit action, state it left the entry in)`` of a lifecycle step."""
    data = _get(activity, "data")
    step = (data.get("lifecycle") if isinstance(data, dict) else None) or {}
    return _get(activity, "object_id"), step.get("action"), step.get("to_state")


def may_read(user: model.User | None, activity: Any) -> bool:
    """Whether ``user`` may read ``activity`` (an ``Activity`` row or dict) at all."""
    datasets = dataset_ids([activity])
    if not datasets:
        return True
    return _access(user, datasets, [activity])[0][0] is not None


def earlier_activity(activity_id: str, *, skip_type: str | None = None) -> Activity | None:
    """The newest activity on the object of activity ``activity_id`` before it, of any type
    but ``skip_type``: what a diff compares with when the one right before may not be read."""
    current = Activity.get(activity_id)
    if current is None:
        return None
    q = model.Session.query(Activity).filter(Activity.object_id == current.object_id,
                                             Activity.timestamp < current.timestamp)
    if skip_type:
        q = q.filter(Activity.activity_type != skip_type)
    return q.order_by(Activity.timestamp.desc()).first()


def snapshot_whole(user: model.User | None, activity: Any) -> bool:
    """Whether ``user`` may read ``activity`` and its data **unredacted**: what a page that
    renders the stored snapshot itself must ask."""
    if not may_read(user, activity):
        return False
    data = _get(activity, "data") or {}
    probe = {"object_id": _get(activity, "object_id"),
             "activity_type": _get(activity, "activity_type"), "data": data}
    return readable(user, [dict(probe)])[0]["data"] == data


def _redact(user: model.User | None, activities: list[dict[str, Any]], ids: set[str]) -> None:
    if not activities:
        return
    packages = {p.id: p for p in model.Session.query(model.Package)
                .filter(model.Package.id.in_(ids))}
    data_seen = permissions.data_visible_ids(user, ids)
    for activity in activities:
        data = activity.get("data")
        if not isinstance(data, dict):
            continue
        data = copy.deepcopy(data)
        pkg_id = activity["object_id"]
        snapshot = data.get("package")
        if isinstance(snapshot, dict):
            redact_snapshot(user, snapshot, packages.get(pkg_id))
        if pkg_id not in data_seen:
            for key in [k for k in data if k != "package" and k not in _KEPT_WITHOUT_DATA]:
                del data[key]
        activity["data"] = data


def redact_snapshot(user: model.User | None, snapshot: dict[str, Any],
                    pkg: model.Package | None) -> dict[str, Any]:
    """Redact a stored ``package_show`` snapshot (in place) for ``user``: by
    :func:`permissions.redact` as recorded, then as if it carried the entry's current values
    of the fields ``redact`` judges by (the stricter of then and now); returns it."""
    permissions.redact(user, snapshot)
    if pkg is None:
        return snapshot
    # the fields permissions.redact judges a dataset dict by (those of redact_index_fields too)
    current = {"catalogue_state": permissions.entry_state(pkg), "owner_org": pkg.owner_org}
    now = dict(snapshot, **current)
    permissions.redact(user, now)
    for key in [k for k in snapshot if k not in now]:
        del snapshot[key]
    for key, value in now.items():
        if key not in current:
            snapshot[key] = value
    return snapshot
