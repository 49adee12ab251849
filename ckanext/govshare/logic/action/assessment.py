"""Actions of the catalogue assessment (DB14 §7.4) and duplicate sources (§8.1; issue #4 §6).

``govshare_assessment_show`` scores a department or one of its units for a period
(:mod:`ckanext.govshare.assessment.service`), with the trend of the stored monthly snapshots;
``govshare_assessment_snapshot_create`` stores a month's snapshot of a department and its
units, ``govshare_assessment_snapshot_list`` reads the series; ``govshare_duplicate_list`` lists
the possible duplicates of one entry, or every pair touching a department
(:mod:`ckanext.govshare.catalogue.duplicates`), but the pairs decided not to be duplicates
(``govshare_duplicate_dismiss``, taken back by ``govshare_duplicate_undismiss``).
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
from ckanext.govshare.model import base
from ckanext.govshare.model.revision import Revision

__all__ = ["govshare_assessment_show", "govshare_assessment_snapshot_create",
           "govshare_assessment_snapshot_list", "govshare_duplicate_list",
           "govshare_duplicate_dismiss", "govshare_duplicate_undismiss"]


def _org(ref: str | None) -> model.Group:
    if not ref or not ref.strip():
        raise tk.ValidationError({"organization_id": [tk._("Department (organization_id) is required")]})
    org = model.Group.get(ref.strip())
    if org is None or not org.is_organization or org.state != "active":
        raise tk.ObjectNotFound(tk._("department not found"))
    return org


def _unit(org: model.Group, unit: str | None) -> str | None:
    """``unit`` if it is one of the department's internal units (None: the department)."""
    if not unit:
        return None
    if unit not in {u["code"] for u in roles.department_units(org.id)}:
        raise tk.ValidationError({"unit": [tk._("Unit (unit) {unit} is not one of the department's").format(unit=unit)]})
    return unit


def _month(field: str, value: str | None) -> str | None:
    if value and not service.is_month(value):
        raise tk.ValidationError({field: [tk._("Month ({field}) must be YYYY-MM").format(field=field)]})
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
        raise tk.ValidationError({"period": [tk._("Period (period) must be YYYY, YYYY-MM or YYYY-Qn")]}) from None
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
        raise tk.ValidationError({"period": [tk._("Month (period) {period} has not begun").format(period=period)]})
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
    at least one entry of the department. A pair decided not to be duplicates is left out
    while neither entry's title or 信息项 changed. Only entries the user may see are compared
    (:func:`ckanext.govshare.permissions.can_see_entry_row`): all of the user's departments',
    and the published or offline entries of others.

    :param id: one entry (id or name)
    :type id: string
    :param revision_id: one pending revision of an entry
    :type revision_id: string
    :param organization_id: a department (id or name), for the report
    :type organization_id: string
    :param include_dismissed: also list, under ``dismissed``, the pairs left out because they
        were decided not to be duplicates (``govshare_duplicate_dismiss``), with the decision
    :type include_dismissed: bool
    :returns: ``{"threshold": t, "count": n, "results": [...]}`` (and ``dismissed``)
    :rtype: dictionary
    """
    tk.check_access("govshare_duplicate_list", context, data_dict)
    threshold = gs_config.duplicates_threshold()
    entry: dict[str, Any] | None = None
    org_id = None
    pool = duplicates.candidates(member_orgs(permissions.context_user(context)))
    if data_dict.get("revision_id"):
        rev = model.Session.get(Revision, data_dict["revision_id"])
        if rev is None:
            raise tk.ObjectNotFound(tk._("revision not found"))
        proposed = rev.proposed or {}
        entry = {"id": rev.entry_id, "title": proposed.get("title"),
                 fields.INFO_ITEMS: proposed.get(fields.INFO_ITEMS)}
        dismissed = duplicates.dismissed_pairs(
            [entry, *(e for e in pool if e["id"] != rev.entry_id)])
        results = duplicates.find_for(entry, pool, threshold, dismissed)
    elif data_dict.get("id"):
        pkg = model.Package.get(data_dict["id"])
        if pkg is None or pkg.state != "active":
            raise tk.ObjectNotFound(tk._("entry not found"))
        entry = next((e for e in pool if e["id"] == pkg.id), None) or {
            "id": pkg.id, "title": pkg.title,
            fields.INFO_ITEMS: (pkg.extras or {}).get(fields.INFO_ITEMS)}
        dismissed = duplicates.dismissed_pairs(
            [entry, *(e for e in pool if e["id"] != pkg.id)])
        results = duplicates.find_for(entry, pool, threshold, dismissed)
    elif data_dict.get("organization_id"):
        org_id = _org(data_dict["organization_id"]).id
        dismissed = duplicates.dismissed_pairs(pool)
        results = duplicates.report(org_id, pool, threshold, dismissed)
    else:
        raise tk.ValidationError({"id": [tk._("give an entry (id) or a department (organization_id)")]})
    out: dict[str, Any] = {"threshold": threshold, "count": len(results), "results": results}
    if data_dict.get("include_dismissed"):
        out["dismissed"] = _dismissed_report(dismissed, pool, entry["id"] if entry else None,
                                             org_id)
    return out


def _dismissed_report(dismissed: dict[tuple[str, str], dict[str, Any]],
                      pool: list[dict[str, Any]], entry_id: str | None,
                      org_id: str | None) -> list[dict[str, Any]]:
    """The decisions in force behind a result, with both entries as the results show them:
    those naming the entry ``entry_id``, or touching the department ``org_id``."""
    by_id = {e["id"]: e for e in pool}
    org = org_id
    out = []
    for (a, b), decision in dismissed.items():
        if a not in by_id or b not in by_id:
            continue
        if org and org not in (by_id[a]["organization_id"], by_id[b]["organization_id"]):
            continue
        if entry_id and entry_id not in (a, b):
            continue
        out.append(dict(decision, entry=duplicates.public(by_id[a]),
                        duplicate=duplicates.public(by_id[b])))
    return sorted(out, key=lambda d: d["decided_at"] or "", reverse=True)


def _pair(context: Context, data_dict: DataDict) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two entries of a decision, as the user's comparison pool has them (404 for an
    entry the user may not see)."""
    pool = {e["id"]: e for e in duplicates.candidates(
        member_orgs(permissions.context_user(context)))}
    found = []
    for key in ("id", "duplicate_id"):
        pkg = model.Package.get(str(data_dict.get(key) or "")) if data_dict.get(key) else None
        if not data_dict.get(key):
            raise tk.ValidationError({key: [tk._("Missing value")]})
        if pkg is None or pkg.id not in pool:
            raise tk.ObjectNotFound(tk._("Entry not found"))
        found.append(pool[pkg.id])
    if found[0]["id"] == found[1]["id"]:
        raise tk.ValidationError({"duplicate_id": [tk._("An entry is not its own duplicate")]})
    return found[0], found[1]


@validate(schema.duplicate_dismiss)
def govshare_duplicate_dismiss(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Decide that two entries reported as possible duplicates are not (不是重复).

    The pair is left out of ``govshare_duplicate_list`` (the entry's matches, a revision's and
    the department's report) until either entry's title or 信息项 change as the comparison sees
    them; deciding again renews the decision. Sysadmins, and the administrators, reviewers and
    coordinators of either entry's department who may see both entries.

    :param id: one entry (id or name)
    :type id: string
    :param duplicate_id: the other entry (id or name)
    :type duplicate_id: string
    :param reason: why they are not duplicates (optional)
    :type reason: string
    :returns: the decision: ``entry_a``, ``entry_b`` (ids, the smaller first),
        ``organization_a``, ``organization_b``, ``reason``, ``decided_by``, ``decided_at``
    :rtype: dictionary
    """
    tk.check_access("govshare_duplicate_dismiss", context, data_dict)
    a, b = _pair(context, data_dict)
    # DB14 §8.1 一数一源: only a pair the detection reports can be decided
    if duplicates.compare(a, b, gs_config.duplicates_threshold()) is None:
        raise tk.ValidationError({"duplicate_id": [tk._(
            "These entries are not reported as possible duplicates")]})
    user = permissions.context_user(context)
    decision = duplicates.dismiss(a, b, reason=(data_dict.get("reason") or None),
                                  actor=getattr(user, "id", None), at=base.now())
    if not context.get("defer_commit"):
        model.repo.commit()
    return decision


@validate(schema.duplicate_undismiss)
def govshare_duplicate_undismiss(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Take back a "not a duplicate" decision: the pair is reported again. Whoever may take
    the decision (``govshare_duplicate_dismiss``).

    :param id: one entry (id or name)
    :type id: string
    :param duplicate_id: the other entry (id or name)
    :type duplicate_id: string
    :returns: ``{"entry_a", "entry_b"}``
    :rtype: dictionary
    """
    tk.check_access("govshare_duplicate_undismiss", context, data_dict)
    a, b = _pair(context, data_dict)
    if not duplicates.undismiss(a["id"], b["id"]):
        raise tk.ObjectNotFound(tk._("No such decision"))
    if not context.get("defer_commit"):
        model.repo.commit()
    first, second = duplicates.pair_key(a["id"], b["id"])
    return {"entry_a": first, "entry_b": second}
