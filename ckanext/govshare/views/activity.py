"""Guards of the activity plugin's pages that read activities past the chained actions.

Every page of ckanext-activity reads activities through its actions (chained in
``logic/action/activity.py``) with two exceptions, guarded here before their view runs (an app
request hook that ``views/__init__.py`` registers on the ``govshare`` blueprint):

* the history of a resource (``/dataset/<id>/resources/<resource_id>/history/<activity_id>``)
  checks only that the reader may see the dataset now, then renders the stored snapshot as it
  is, resource URL included: it is answered 404 unless the reader may read the activity and its
  snapshot unredacted (:func:`stream.snapshot_whole`);
* the range of changes (``/dataset/changes_multiple``, ``/organization/changes_multiple``,
  ``/group/changes_multiple``) calls ``activity_show`` for ``new_id`` and ``old_id`` without
  catching a refusal or a missing id (an HTTP 500): the same check runs first and answers 403
  or 404.
"""
from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.common import current_user, request
from flask import Blueprint

from ckanext.activity.model import Activity
from ckanext.govshare import permissions
from ckanext.govshare.activity import stream

__all__ = ["RANGE_ENDPOINTS", "SNAPSHOT_ENDPOINTS", "register"]

#: endpoints that render a stored snapshot themselves: the view argument naming the activity
SNAPSHOT_ENDPOINTS = {"activity.resource_history": "activity_id"}
#: endpoints that show activities named by request parameters, refusals uncaught
RANGE_ENDPOINTS = {
    "activity.package_changes_multiple": ("new_id", "old_id"),
    "activity.group_changes_multiple": ("new_id", "old_id"),
    "activity.organization_changes_multiple": ("new_id", "old_id"),
}


def _guard_activity_pages() -> None:
    endpoint = request.endpoint or ""
    if endpoint in SNAPSHOT_ENDPOINTS:
        _guard_snapshot(str((request.view_args or {}).get(SNAPSHOT_ENDPOINTS[endpoint]) or ""))
    elif endpoint in RANGE_ENDPOINTS:
        for param in RANGE_ENDPOINTS[endpoint]:
            _guard_shown(request.args.get(param) or "")


def _guard_snapshot(activity_id: str) -> None:
    user = permissions.current_user()
    if permissions.is_sysadmin(user):
        return
    activity = Activity.get(activity_id)
    if activity is not None and not stream.snapshot_whole(user, activity):
        tk.abort(404, tk._("Resource not found"))


def _guard_shown(activity_id: str) -> None:
    if not activity_id or Activity.get(activity_id) is None:
        tk.abort(404, tk._("Activity not found"))
    context = {"user": current_user.name if current_user.is_authenticated else "",
               "auth_user_obj": permissions.current_user(), "model": model,
               "session": model.Session}
    try:
        tk.check_access("activity_show", context, {"id": activity_id, "include_data": False})
    except tk.NotAuthorized:
        tk.abort(403, tk._("Unauthorized to view activity data"))


def register(blueprint: Blueprint) -> None:
    """Guard the activity plugin's pages that read activities past the actions."""
    blueprint.before_app_request(_guard_activity_pages)
