"""The workbench's action (我的工作台): every to-do of the user across the catalogue lifecycle
and the sharing flows (:mod:`ckanext.govshare.portal.workbench`)."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ckanext.govshare import permissions
from ckanext.govshare.logic import schema
from ckanext.govshare.portal import workbench

__all__ = ["govshare_workbench_list"]


@tk.side_effect_free
@validate(schema.workbench_list)
def govshare_workbench_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """What waits on the user: review steps they may decide, their units' drafts, returned
    entries, updates required and revisions to finish, the sharing cases assigned to them and
    the authorizations their department may renew before they end; soonest due first.

    Each item has ``kind``, ``id`` (of the entry, revision, case or authorization), ``entry_id``,
    ``title``, ``number`` (of a case or authorization), ``organization_id``, ``unit``,
    ``resource_code``, ``state``, ``due_at`` (``null`` when the step has no deadline),
    ``days_left`` (working days; negative when overdue), ``overdue``, ``reason`` and
    ``decisions`` (the decisions the workbench may take on several items at once).

    :param kind: only to-dos of this kind (``review``, ``revision_review``,
        ``offline_review``, ``returned``, ``update_required``, ``revision_draft``, ``draft``,
        a sharing flow's kind such as ``access_request``, ``authorization_expiring``)
    :type kind: string
    :param organization_id: only to-dos of this department (id or name)
    :type organization_id: string
    :param unit: only to-dos of this internal unit (处室 code)
    :type unit: string
    :returns: ``{"count": n, "counts": {kind: n}, "results": [...]}``: ``counts`` per kind
        of every to-do of the department and unit asked for, before the kind filter
    :rtype: dictionary
    """
    tk.check_access("govshare_workbench_list", context, data_dict)
    kind = data_dict.get("kind")
    if kind and kind not in workbench.KINDS:
        raise tk.ValidationError({"kind": [tk._("Unknown kind of to-do: {kind}").format(
            kind=kind)]})
    user = permissions.context_user(context)
    if user is None:  # the site user of an internal call has no to-dos of its own
        return {"count": 0, "counts": {}, "results": []}
    org_id = None
    if data_dict.get("organization_id"):
        org = model.Group.get(data_dict["organization_id"])
        if org is None or not org.is_organization:
            raise tk.ObjectNotFound(tk._("Department not found"))
        org_id = org.id
    unit = data_dict.get("unit")
    found = [i for i in workbench.items(user)
             if (org_id is None or i["organization_id"] == org_id)
             and (not unit or i["unit"] == unit)]
    counts: dict[str, int] = {}
    for item in found:
        counts[item["kind"]] = counts.get(item["kind"], 0) + 1
    results = [i for i in found if not kind or i["kind"] == kind]
    return {"count": len(results), "counts": counts, "results": results}
