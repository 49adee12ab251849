"""The department's assessment and duplicate-source pages (DB14 §7.4 目录编制考核, §8.1), on the
``govshare`` blueprint (``views/__init__.py`` registers them).

``/organization/<id>/govshare/assessment`` shows a department's (or one unit's) scores for a
period — this month by default — and the trend of the stored monthly snapshots as plain HTML
tables, for the department's members. Those who may (administrators, reviewers,
coordinators) store the previous month's snapshot from it (POST ``…/assessment/snapshot``).
``/organization/<id>/govshare/duplicates`` lists the department's possible duplicate sources
(DB14 §8.1 一数一源): pairs of its own entries, and its entries against other departments'
published ones (``govshare_duplicate_list``), for the department's members.
Thin: the numbers are the actions', the refusals their auth functions' (shown as each view's
403 page, :func:`base.refusal`).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.common import request
from flask import Blueprint

from ckanext.govshare.assessment import service
from ckanext.govshare.core_messages import N_
from ckanext.govshare.department import roles
from ckanext.govshare.model import base as model_base
from ckanext.govshare.views import base

__all__ = ["register"]


def _dimension_labels() -> dict[str, str]:
    return {
        "score": tk._("Overall score"),
        "comprehensiveness": tk._("Comprehensiveness"),
        "completeness": tk._("Completeness"),
        "accuracy": tk._("Accuracy"),
        "timeliness": tk._("Timeliness"),
    }


@base.refusal(N_("Only members of the department may see its assessment"))
def assessment_page(id: str) -> str:
    """A department's (or unit's) assessment for a period and its trend."""
    org = base.department(id)
    data = {"organization_id": org["id"]}
    for key in ("period", "unit"):
        if request.args.get(key, "").strip():
            data[key] = request.args[key].strip()
    errors: list[str] = []
    try:
        result = tk.get_action("govshare_assessment_show")(base.context(), data)
    except tk.ValidationError as e:
        errors = base.messages(e.error_dict)
        result = tk.get_action("govshare_assessment_show")(
            base.context(), {"organization_id": org["id"]})
    return tk.render("govshare/assessment.html", base.page(
        org, result=result, errors=errors, data=data,
        units=roles.department_units(org["id"]),
        dimensions=list(service.SCORES[1:]),
        labels=_dimension_labels(),
        snapshot_period=service.previous_month(model_base.now()),
        can_snapshot=base.allowed("govshare_assessment_snapshot_create",
                                  {"organization_id": org["id"]}),
    ))


@base.refusal(N_("Only administrators, reviewers and coordinators of the department may store "
                  "its assessment snapshot"))
def assessment_snapshot(id: str) -> Any:
    """Store the previous month's snapshot of the department (POST)."""
    org = base.department(id)
    try:
        stored = tk.get_action("govshare_assessment_snapshot_create")(
            base.context(), {"organization_id": org["id"]})
    except tk.ValidationError as e:
        for message in base.messages(e.error_dict):
            tk.h.flash_error(message)
    else:
        tk.h.flash_success(tk._("Snapshot of {period} stored.").format(period=stored["period"]))
    return tk.redirect_to("govshare.assessment", id=org["name"])


@base.refusal(N_("Only members of the department may see its duplicate sources"))
def duplicates_page(id: str) -> str:
    """The department's possible duplicate sources: within it, and against other departments."""
    org = base.department(id)
    report = tk.get_action("govshare_duplicate_list")(
        base.context(), {"organization_id": org["id"]})
    within = [p for p in report["results"] if p["duplicate"]["organization_id"] == org["id"]]
    across = [p for p in report["results"] if p["duplicate"]["organization_id"] != org["id"]]
    return tk.render("govshare/duplicates.html", base.page(
        org, within=within, across=across, threshold=report["threshold"]))


def register(blueprint: Blueprint) -> None:
    """Add the assessment and duplicate-source pages to the ``govshare`` blueprint."""
    prefix = "/organization/<id>/govshare/assessment"
    blueprint.add_url_rule(prefix, view_func=assessment_page, endpoint="assessment")
    blueprint.add_url_rule(f"{prefix}/snapshot", view_func=assessment_snapshot,
                           endpoint="assessment_snapshot", methods=["POST"])
    blueprint.add_url_rule("/organization/<id>/govshare/duplicates", view_func=duplicates_page,
                           endpoint="duplicates")
