"""The department's assessment and duplicate-source pages (DB14 §7.4 目录编制考核, §8.1), on the
``govshare`` blueprint (``views/__init__.py`` registers them).

``/organization/<id>/govshare/assessment`` shows a department's (or one unit's) scores for a
period — this month by default — and the trend of the stored monthly snapshots as plain HTML
tables, for the department's members. Those who may (administrators, reviewers,
coordinators) store the previous month's snapshot from it (POST ``…/assessment/snapshot``).
``/organization/<id>/govshare/duplicates`` lists the department's possible duplicate sources
(DB14 §8.1 一数一源), grouped per entry of the department and paged: its own entries, and
against other departments' published ones (``govshare_duplicate_list``), for the department's
members. Those who may (``govshare_duplicate_dismiss``) mark a pair "not a duplicate" (POST
``…/duplicates/dismiss``) or take that back (``…/duplicates/undismiss``).
Thin: the numbers are the actions', the refusals their auth functions' (shown as each view's
403 page, :func:`base.refusal`).
"""
from __future__ import annotations

import functools
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.common import request
from ckan.lib.pagination import Page
from flask import Blueprint

from ckanext.govshare.assessment import service
from ckanext.govshare.catalogue import duplicates
from ckanext.govshare.core_messages import N_
from ckanext.govshare.department import roles
from ckanext.govshare.model import base as model_base
from ckanext.govshare.views import base

__all__ = ["DUPLICATE_GROUPS_PER_PAGE", "register"]

#: entries (each with its possible duplicates) per page of the duplicates report
DUPLICATE_GROUPS_PER_PAGE = 10


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
    """The department's possible duplicate sources, grouped per entry of the department and
    paged, and the pairs decided not to be duplicates."""
    org = base.department(id)
    report = tk.get_action("govshare_duplicate_list")(
        base.context(), {"organization_id": org["id"], "include_dismissed": True})
    groups = duplicates.group(report["results"], org["id"])
    page = Page(collection=groups, page=tk.h.get_page_number(request.args),
                items_per_page=DUPLICATE_GROUPS_PER_PAGE,
                url=functools.partial(tk.h.url_for, "govshare.duplicates", id=org["name"]))
    may_decide = {}
    for group in page.items:
        for match in group["matches"]:
            may_decide[match["id"]] = base.allowed("govshare_duplicate_dismiss", {
                "id": group["entry"]["id"], "duplicate_id": match["id"]})
    return tk.render("govshare/duplicates.html", base.page(
        org, page=page, pairs=report["count"], threshold=report["threshold"],
        dismissed=report["dismissed"], may_decide=may_decide,
        may_undo={d["entry_a"] + d["entry_b"]: base.allowed(
            "govshare_duplicate_undismiss", {"id": d["entry_a"], "duplicate_id": d["entry_b"]})
            for d in report["dismissed"]}))


def _decide(id: str, action: str, done: str) -> Any:
    org = base.department(id)
    data = {k: (request.form.get(k) or "").strip() for k in ("id", "duplicate_id", "reason")}
    if action == "govshare_duplicate_undismiss":
        data.pop("reason")
    try:
        tk.get_action(action)(base.context(), data)
    except tk.ValidationError as e:
        for message in base.messages(e.error_dict):
            tk.h.flash_error(message)
    else:
        tk.h.flash_success(done)
    back = {"page": request.form["page"]} if request.form.get("page", "").isdigit() else {}
    return tk.redirect_to("govshare.duplicates", id=org["name"], **back)


@base.refusal(N_("Only the administrators, reviewers and coordinators of either department may "
                 "decide that two entries are not duplicates"))
def duplicate_dismiss(id: str) -> Any:
    """Mark a pair "not a duplicate" (POST from the report)."""
    return _decide(id, "govshare_duplicate_dismiss",
                   tk._("Marked as not a duplicate: the pair is no longer reported while "
                        "neither entry's title or data elements change."))


@base.refusal(N_("Only the administrators, reviewers and coordinators of either department may "
                 "decide that two entries are not duplicates"))
def duplicate_undismiss(id: str) -> Any:
    """Take a "not a duplicate" decision back (POST from the report)."""
    return _decide(id, "govshare_duplicate_undismiss",
                   tk._("The decision was taken back: the pair is reported again."))


def register(blueprint: Blueprint) -> None:
    """Add the assessment and duplicate-source pages to the ``govshare`` blueprint."""
    prefix = "/organization/<id>/govshare/assessment"
    blueprint.add_url_rule(prefix, view_func=assessment_page, endpoint="assessment")
    blueprint.add_url_rule(f"{prefix}/snapshot", view_func=assessment_snapshot,
                           endpoint="assessment_snapshot", methods=["POST"])
    blueprint.add_url_rule("/organization/<id>/govshare/duplicates", view_func=duplicates_page,
                           endpoint="duplicates")
    blueprint.add_url_rule("/organization/<id>/govshare/duplicates/dismiss",
                           view_func=duplicate_dismiss, endpoint="duplicate_dismiss",
                           methods=["POST"])
    blueprint.add_url_rule("/organization/<id>/govshare/duplicates/undismiss",
                           view_func=duplicate_undismiss, endpoint="duplicate_undismiss",
                           methods=["POST"])
