"""Steps of the activity plugin's chained actions (ckanext-activity): what a reader gets of the
stored activities follows the entry's **current** visibility and is redacted like
``package_show``. The chained actions are defined in :mod:`ckanext.govshare.logic.action.core`.

CKAN filters activities by the permission labels stored with them (those of the moment the
activity was recorded) and returns the stored ``package_show`` snapshots as they are. Here every
answer goes through :func:`activity.stream.readable` (an activity of a dataset the reader may
not see now is left out; snapshots are redacted), for the lists (``package_``,
``organization_``, ``group_``, ``user_``, ``dashboard_`` and
``recently_changed_packages_activity_list``; ``dashboard_new_activities_count`` counts the
chained ``dashboard_activity_list``) and for ``activity_show``, ``activity_data_show`` and
``activity_diff`` (whose diff is recomputed from the redacted snapshots when redaction changed
them). Who may read a single activity at all is ``logic/auth/activity.py``'s.

Pages stay full: a list is filtered page by page as CKAN reads it, reading on until
``offset + limit`` readable activities are found or the stream ends, so ``limit`` and ``offset``
count readable activities, ``dashboard_new_activities_count`` agrees with the dashboard, and a
short page means the end of the stream. CKAN's own filter by the stored labels still runs first,
in SQL: it only ever leaves out more (an entry's activities recorded before it was published
stay with its department), never lets through what the entry's visibility now refuses, and
leaves out most of what is hidden before it leaves the database, so the reading rarely needs a
second round. (Filtering by the visible ids in SQL instead would mean rewriting CKAN's six
queries.)

Calls with ``ignore_auth`` and sysadmins get CKAN's answer unchanged.
"""
from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

from ckanext.activity.logic import schema as activity_schema
from ckanext.activity.model.activity import activity_dictize
from ckanext.govshare import permissions
from ckanext.govshare.activity import stream

__all__: list[str] = []


def _stream(up: Action, context: Context, data_dict: DataDict,
            schema: Callable[[], dict[str, Any]], *, windowed: bool = True,
            by_actor: bool = False) -> Any:
    """CKAN's list ``up``, left with the activities the reader may read and redacted.

    ``windowed``: the action honours ``after``/``before`` (CKAN answers an ``after``-only
    window oldest first, pages it, and reverses each page). ``by_actor``: ``up`` lists a
    user's acts (:func:`activity.stream.readable`).
    """
    if permissions.unrestricted(context):
        return up(context, data_dict)
    data, errors = tk.navl_validate(dict(data_dict), schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    user = permissions.context_user(context)
    offset, limit = int(data.get("offset") or 0), int(data["limit"])
    oldest_first = windowed and bool(data.get("after")) and not data.get("before")
    want = offset + limit
    largest = int(tk.config.get("ckan.activity_list_limit_max"))
    size = min(want, largest) if limit else 0  # limit 0: CKAN answers the whole stream
    kept: list[dict[str, Any]] = []
    read = 0
    while True:
        page = up(context, {**data_dict, "offset": read, "limit": size})
        got = len(page)
        if oldest_first:
            page.reverse()
        kept.extend(stream.readable(user, page, by_actor=by_actor))
        read += got
        if not size or got < size or len(kept) >= want:
            break
        size = largest
    result = kept[offset:want] if limit else kept[offset:]
    if oldest_first:
        result.reverse()
    return result


def readable_activity_list(up: Action, context: Context, data_dict: DataDict, *,
                           by_actor: bool = False) -> Any:
    """CKAN's ``package_``, ``organization_``, ``group_`` or ``user_activity_list`` (``up``;
    ``by_actor`` for the user's), without the activities of entries the reader may not see
    now, snapshots redacted.

    :param id: the id or name of the dataset, department, group or user
    :type id: string
    :param offset: readable activities to skip (default 0)
    :type offset: int
    :param limit: readable activities to return (default ``ckan.activity_list_limit``)
    :type limit: int
    """
    return _stream(up, context, data_dict, activity_schema.default_activity_list_schema,
                   by_actor=by_actor)


def readable_dashboard_list(up: Action, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``dashboard_activity_list``, without the activities of entries the reader may not
    see now, snapshots redacted (``dashboard_new_activities_count`` counts this list).

    :param offset: readable activities to skip (default 0)
    :type offset: int
    :param limit: readable activities to return (default ``ckan.activity_list_limit``)
    :type limit: int
    """
    return _stream(up, context, data_dict,
                   activity_schema.default_dashboard_activity_list_schema)


def readable_recent_list(up: Action, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``recently_changed_packages_activity_list``, without the activities of entries
    the reader may not see now, snapshots redacted.

    :param offset: readable activities to skip (default 0)
    :type offset: int
    :param limit: readable activities to return (default ``ckan.activity_list_limit``)
    :type limit: int
    """
    return _stream(up, context, data_dict,
                   activity_schema.default_dashboard_activity_list_schema, windowed=False)


def _redacted(context: Context, activities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``activities`` redacted for the reader (the auth function let the reader in)."""
    found = stream.readable(permissions.context_user(context), activities)
    if len(found) != len(activities):
        raise tk.NotAuthorized(tk._("Unauthorized to view activity data"))
    return found


def redact_activity(up: Action, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``activity_show``, its snapshot redacted for the reader.

    :param id: the id of the activity
    :type id: string
    :param include_data: whether the caller asks for the activity's data (decides the auth)
    :type include_data: bool
    """
    result = up(context, data_dict)
    if permissions.unrestricted(context):
        return result
    return _redacted(context, [result])[0]


def redact_activity_data(up: Action, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``activity_data_show``, the data redacted for the reader.

    :param id: the id of the activity
    :type id: string
    :param object_type: 'package', 'user', 'group' or 'organization' (optional)
    :type object_type: string
    """
    if permissions.unrestricted(context):
        return up(context, data_dict)
    object_type = data_dict.get("object_type")
    data = up(context, {k: v for k, v in data_dict.items() if k != "object_type"})
    stored = context["activity"]  # set by CKAN's activity_data_show
    data = _redacted(context, [{"object_id": stored.object_id,
                                "activity_type": stored.activity_type, "data": data}])[0]["data"]
    if not object_type:
        return data
    try:
        return data[object_type]
    except KeyError:
        raise tk.ObjectNotFound("Could not find that object_type in the activity") from None


def redact_activity_diff(up: Action, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``activity_diff``, both activities redacted for the reader and the diff made
    from what is left of them.

    :param id: the id of the activity
    :type id: string
    :param object_type: 'package', 'user', 'group' or 'organization'
    :type object_type: string
    :param diff_type: 'unified', 'context', 'html'
    :type diff_type: string
    """
    result = up(context, data_dict)
    if permissions.unrestricted(context):
        return result
    object_type = data_dict["object_type"]
    stored = [(a.get("data") or {}).get(object_type) for a in result["activities"]]
    activities = _redacted(context, _previous_readable(context, result["activities"]))
    shown = [(a.get("data") or {}).get(object_type) for a in activities]
    result["activities"] = activities
    if shown != stored:
        result["diff"] = _diff(shown, data_dict.get("diff_type", "unified"))
    return result


def _previous_readable(context: Context, activities: list[dict[str, Any]]
                       ) -> list[dict[str, Any]]:
    """``[previous, activity]`` as CKAN's ``activity_diff`` found them, the previous one being
    the activity before on the same object, whatever it is: a lifecycle step the reader may
    not follow gives way to the newest earlier activity that is not one (CKAN's answer when
    there is none: not found)."""
    previous, activity = activities
    if stream.may_read(permissions.context_user(context), previous):
        return activities
    earlier = stream.earlier_activity(activity["id"], skip_type=previous.get("activity_type"))
    if earlier is None:
        raise tk.ObjectNotFound("Previous activity for this object not found")
    return [activity_dictize(earlier, context), activity]


def _diff(objs: list[Any], diff_type: str) -> str:
    """CKAN's diff of two object dicts (``activity_diff``), for the redacted ones."""
    obj_lines = [json.dumps(obj, indent=2, sort_keys=True).split("\n") for obj in objs]
    if diff_type == "unified":
        return "\n".join(difflib.unified_diff(*obj_lines))
    if diff_type == "context":
        return "\n".join(difflib.context_diff(*obj_lines))
    # "html" (CKAN refused any other type before): word-wrapped, as CKAN does
    wrapped = [[part for line in lines for part in re.findall(r".{1,70}(?:\s+|$)", line)]
               for lines in obj_lines]
    return difflib.HtmlDiff().make_table(*wrapped)
