"""The statistics action (issue #12 §6): counts and time-limit figures of a department's
catalogue and sharing flows, or of the whole portal's (:mod:`ckanext.govshare.statistics`).
"""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ckanext.govshare.logic import schema
from ckanext.govshare.model import base
from ckanext.govshare.statistics import service

__all__ = ["govshare_statistics_show"]


@tk.side_effect_free
@validate(schema.statistics_show)
def govshare_statistics_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Statistics of a department, or of the whole portal, as charts with their tables.

    Entries by share type, catalogue state, unit (处室; by department for the portal), format
    and catalogue class; reviews and access requests answered within their time limits
    (working days, per month); access requests per month; data demands and quality complaints
    by state; the trend of the stored assessment snapshots. Monthly charts cover the
    ``ckanext.govshare.statistics.months`` months ending with the current one.

    Every entry and case of the scope counts, whatever its state, and a chart holds only counts
    and averages, never an entry: so a department's statistics are for its members, the
    portal's (and any department's) for the coordinating department's coordinators and
    sysadmins (:func:`ckanext.govshare.permissions.may_see_statistics`).

    :param organization_id: the department (id or name); omitted: the whole portal
    :type organization_id: string
    :param charts: only these charts (names, a list or comma-separated); default all of the
        scope's: ``entries_by_share_type``, ``entries_by_state``, ``entries_by_unit`` (a
        department) or ``entries_by_department`` (the portal), ``entries_by_format``,
        ``entries_by_class``, ``review_times``, ``requests_per_month``, ``reply_times``,
        ``demands``, ``complaints``, ``assessment_trend``
    :type charts: list of strings
    :returns: ``{"scope": "department" | "portal", "organization_id", "months": [first,
        last], "charts": [{"name", "title", "type", "category", "series": [{"key", "label",
        "unit", "drawn"}], "rows": [{"key", "label", "values"}], "note"}]}``
    :rtype: dictionary
    """
    tk.check_access("govshare_statistics_show", context, data_dict)
    org_id = None
    if data_dict.get("organization_id"):
        org = model.Group.get(data_dict["organization_id"])
        if org is None or not org.is_organization or org.state != "active":
            raise tk.ObjectNotFound(tk._("Department not found"))
        org_id = org.id
    names = None
    if data_dict.get("charts"):
        names = [n.strip() for value in data_dict["charts"] for n in value.split(",")
                 if n.strip()]
    try:
        result = service.build(None if org_id is None else [org_id], base.now(), names)
    except KeyError as err:
        raise tk.ValidationError({"charts": [tk._("Unknown chart: {name}").format(
            name=err.args[0])]}) from None
    return {"scope": "portal" if org_id is None else "department",
            "organization_id": org_id, **result}
