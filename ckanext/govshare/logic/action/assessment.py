"""Actions of the catalogue assessment (DB14 §7.4) and duplicate sources (§8.1; issue #4 §6).

``govshare_assessment_show`` scores a department or one of its units for a period
(:mod:`ckanext.govshare.assessment.service`), with the trend of the stored monthly snapshots;
``govshare_assessment_snapshot_create`` stores a month's snapshot of a department and its
units, ``govshare_assessment_snapshot_list`` reads the series; ``govshare_duplicate_list`` lists
the possible duplicates of one entry, or every pair touching a department
(:mod:`ckanext.govshare.catalogue.duplicates`).
"""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ckanext.govshare import config as gs_config
from ckanext.govshare import permissions
from ckanext.govshare.assessment import service
from ckanext.govshare.catalogue import duplicates, fields
from ckanext.govshare.department import roles
from ckanext.govshare.logic import schema
from ckanext.govshare.logic.action.lifecycle import member_orgs
from ckanext.govshare.messages import bilingual
from ckanext.govshare.model import base
from ckanext.govshare.model.revision import Revision

__all__ = ["govshare_assessment_show", "govshare_assessment_snapshot_create",
           "govshare_assessment_snapshot_list", "govshare_duplicate_list"]


def _org(ref: str | None) -> model.Group:
    if not ref or not ref.strip():
        raise tk.ValidationError({"organization_id": [bilingual(
            "部门（organization_id）不能为空", "Department (organization_id) is required")]})
    org = model.Group.get(ref.strip())
    if org is None or not org.is_organization or org.state != "active":
        raise tk.ObjectNotFound(bilingual("部门不存在", "department not found"))
    return org


def _unit(org: model.Group, unit: str | None) -> str | None:
    """``unit`` if it is one of the department's internal units (None: the department)."""
    if not unit:
        return None
    if unit not in {u["code"] for u in roles.department_units(org.id)}:
        raise tk.ValidationError({"unit": [bilingual(
            f"内设机构（unit）{unit} 不属于该部门", f"Unit (unit) {unit} is not one of the department's")]})
    return unit


def _month(field: str, value: str | None) -> str | None:
    if value and not service.is_month(value):
        raise tk.ValidationError({field: [bilingual(
            f"月份（{field}）应为 YYYY-MM", f"Month ({field}) must be YYYY-MM")]})
    return value or None


@tk.side_effect_free
@validate(schema.assessment_show)
def govshare_assessment_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The catalogue compilation assessment of a department or unit (目录编制考核).

    全面性 (comprehensiveness), 完整性 (completeness), 准确性 (accuracy) and 时效性
    (timeliness), each a share in [0, 1] with its counts, and the overall score weighted by
    ``ckanext.govshare.assessment.weights``. ``trend``: the stored monthly snapshots of the
    same department or unit (``govshare_assessment_snapshot_create``) of the
    ``ckanext.govshare.assessment.trend_months`` months ending with the period's last month,
    oldest first. Members of the department and sysadmins.

    :param organization_id: the department (id or name)
    :type organization_id: string
    :param unit: one internal unit (code) of the department (optional)
    :type unit: string
    :param period: ``YYYY``, ``YYYY-MM`` or ``YYYY-Qn`` (Beijing time); default this month
    :type period: string
    :returns: the scores, counts, period bounds, weights and trend
    :rtype: dictionary
    """
    tk.check_access("govshare_assessment_show", context, data_dict)
    org = _org(data_dict.get("organization_id"))
    unit = _unit(org, data_dict.get("unit"))
    now = base.now()
    try:
        result = service.assess(org.id, unit, data_dict.get("period"), now)
    except ValueError:
        raise tk.ValidationError({"period": [bilingual(
            "考核周期（period）应为 YYYY、YYYY-MM 或 YYYY-Qn",
            "Period (period) must be YYYY, YYYY-MM or YYYY-Qn")]}) from None
    result["trend"] = service.trend(org.id, unit, service.last_month(result["period"], now),
                                       gs_config.assessment_trend_months())
    return result


@validate(schema.assessment_snapshot_create)
def govshare_assessment_snapshot_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Store the month's assessment of a department and of each of its units (for trends).

    Taking the snapshot of a month again replaces it: one row per department, unit and
    month. The department's administrators, reviewers and coordinators, and sysadmins;
    ``ckan govshare assessment snapshot`` takes every department's (cron).

    :param organization_id: the department (id or name)
    :type organization_id: string
    :param period: the month ``YYYY-MM`` (Beijing time), not after the current one; default
        the previous month
    :type period: string
    :returns: ``{"organization_id", "period", "count", "results": [...]}``, the department's
        row first, then its units'
    :rtype: dictionary
    """
    tk.check_access("govshare_assessment_snapshot_create", context, data_dict)
    org = _org(data_dict.get("organization_id"))
    now = base.now()
    period = _month("period", data_dict.get("period")) or service.previous_month(now)
    if period > service.last_month(None, now):
        raise tk.ValidationError({"period": [bilingual(
            f"月份（period）{period} 尚未开始", f"Month (period) {period} has not begun")]})
    results = service.take_snapshots(org.id, period, now,
                                        getattr(permissions.context_user(context), "id", None),
                                        commit=not context.get("defer_commit"))
    return {"organization_id": org.id, "period": period, "count": len(results),
            "results": results}


@tk.side_effect_free
@validate(schema.assessment_snapshot_list)
def govshare_assessment_snapshot_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Stored monthly assessment snapshots: the trend series, oldest month first.

    Members of the department; without ``organization_id`` the snapshots of every department
    (sysadmins only).

    :param organization_id: the department (id or name)
    :type organization_id: string
    :param unit: one internal unit (code): its series instead of the department's
    :type unit: string
    :param include_units: the units' rows besides the department's (default false)
    :type include_units: bool
    :param period_from: first month ``YYYY-MM`` (inclusive)
    :type period_from: string
    :param period_to: last month ``YYYY-MM`` (inclusive)
    :type period_to: string
    :returns: ``{"count": n, "results": [...]}``, each with the month, the overall and
        dimension scores, the counts, the weights, ``taken_at`` and ``taken_by``
    :rtype: dictionary
    """
    tk.check_access("govshare_assessment_snapshot_list", context, data_dict)
    org_ids = None
    unit = None
    if data_dict.get("organization_id"):
        org = _org(data_dict["organization_id"])
        org_ids, unit = [org.id], _unit(org, data_dict.get("unit"))
    results = service.list_snapshots(
        org_ids, unit, bool(data_dict.get("include_units")),
        _month("period_from", data_dict.get("period_from")),
        _month("period_to", data_dict.get("period_to")))
    return {"count": len(results), "results": results}


@tk.side_effect_free
@validate(schema.duplicate_list)
def govshare_duplicate_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Possible duplicate sources (一数一源): entries that describe the same data.

    With ``id``: the entries that look like this one (equal normalized title, or 信息项 names
    overlapping by at least ``ckanext.govshare.duplicates.threshold``), best first. With
    ``revision_id``: the entries that look like a pending revision's proposal (its title and
    信息项), the revision's own entry excluded. With ``organization_id``: every such pair with
    at least one entry of the department. Only entries the user may see are compared
    (:func:`ckanext.govshare.permissions.can_see_entry_row`): all of the user's departments',
    and the published or offline entries of others.

    :param id: one entry (id or name)
    :type id: string
    :param revision_id: one pending revision of an entry
    :type revision_id: string
    :param organization_id: a department (id or name), for the report
    :type organization_id: string
    :returns: ``{"threshold": t, "count": n, "results": [...]}``
    :rtype: dictionary
    """
    tk.check_access("govshare_duplicate_list", context, data_dict)
    threshold = gs_config.duplicates_threshold()
    pool = duplicates.candidates(member_orgs(permissions.context_user(context)))
    if data_dict.get("revision_id"):
        rev = model.Session.get(Revision, data_dict["revision_id"])
        if rev is None:
            raise tk.ObjectNotFound(bilingual("变更不存在", "revision not found"))
        proposed = rev.proposed or {}
        entry = {"id": rev.entry_id, "title": proposed.get("title"),
                 fields.INFO_ITEMS: proposed.get(fields.INFO_ITEMS)}
        results = duplicates.find_for(entry, pool, threshold)
    elif data_dict.get("id"):
        pkg = model.Package.get(data_dict["id"])
        if pkg is None or pkg.state != "active":
            raise tk.ObjectNotFound(bilingual("目录条目不存在", "entry not found"))
        entry = next((e for e in pool if e["id"] == pkg.id), None) or {
            "id": pkg.id, "title": pkg.title,
            fields.INFO_ITEMS: (pkg.extras or {}).get(fields.INFO_ITEMS)}
        results = duplicates.find_for(entry, pool, threshold)
    elif data_dict.get("organization_id"):
        results = duplicates.report(_org(data_dict["organization_id"]).id, pool, threshold)
    else:
        raise tk.ValidationError({"id": [bilingual(
            "请给出目录条目（id）或部门（organization_id）",
            "give an entry (id) or a department (organization_id)")]})
    return {"threshold": threshold, "count": len(results), "results": results}
