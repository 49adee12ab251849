"""Steps of the chained auth of the activity plugin's single-activity actions (ckanext-activity),
composed in :mod:`ckanext.govshare.logic.auth.core`.

CKAN lets a reader see an activity when the permission labels **stored** with it match the
reader's, and (for its data) when the reader may ``package_show``/``package_update`` the dataset.
Here, first: an activity whose object is a dataset is read only by those who may see that
dataset **now** (:func:`activity.stream.may_read`, which asks
:mod:`~ckanext.govshare.permissions`); then CKAN's checks. ``activity_data_show`` and
``activity_diff`` are chained too: CKAN's versions call its ``activity_show`` auth directly, past
any chain. What the answer may contain is ``logic/action/activity.py``'s.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.activity.model import Activity
from ckanext.govshare import permissions
from ckanext.govshare.activity import stream

__all__: list[str] = []


def may_read(next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    """``activity_data_show``, ``activity_diff``: an activity of a dataset is read by those
    who may see the dataset now; then ``next_auth``'s checks (CKAN's ask for the data:
    ``package_update``)."""
    activity_id = str(data_dict.get("id") or "")
    activity = context.get("activity")
    # a context reused across calls (CKAN's changes pages) may still hold an earlier activity
    if activity is None or (activity_id and activity.id != activity_id):
        activity = Activity.get(activity_id)
    if activity is None:
        return next_auth(context, data_dict)  # CKAN's answer to a missing id
    if not stream.may_read(permissions.context_user(context), activity):
        return {"success": False, "msg": tk._("Unauthorized to view activity data")}
    return next_auth(context, data_dict)


def may_read_activity(next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    """``activity_show``: as :func:`may_read`."""
    # CKAN's check reads include_data unguarded (a KeyError, an HTTP 500, when left out)
    data_dict.setdefault("include_data", False)
    return may_read(next_auth, context, data_dict)
