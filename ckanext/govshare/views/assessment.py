"""The department's assessment page (DB14 §7.4 目录编制考核), on the ``govshare`` blueprint
(registered by ``views.py``).

``/organization/<id>/govshare/assessment`` shows a department's (or one unit's) scores for a
period — this month by default — and the trend of the stored monthly snapshots as plain HTML
tables, for the department's members. Those who may (administrators, reviewers,
coordinators) store the previous month's snapshot from it (POST ``…/assessment/snapshot``).
``/organization/<id>/govshare/duplicates`` lists the department's possible duplicate sources
(DB14 §8.1 一数一源): pairs of its own entries, and its entries against other departments'
published ones (``govshare_duplicate_list``), for the department's members.
Thin: the numbers are the actions', the refusals their auth functions'; the page helpers are
``views.py``'s (imported when a page is served: ``views.py`` imports this module).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.common import request
from flask import Blueprint

from ckanext.govshare.assessment import service
from ckanext.govshare.lifecycle import service as workflow

__all__ = ["register"]


def _dimension_labels() -> dict[str, str]:
    return {
        "score": tk._("Overall score"),
        "comprehensiveness": tk._("Comprehensiveness"),
        "completeness": tk._("Completeness"),
        "accuracy": tk._("Accuracy"),
        "timeliness": tk._("Timeliness"),
    }


def assessment_page(id: str) -> str:
    """A department's (or unit's) assessment for a period and its trend."""
    from ckanext.govshare.department import roles
    from ckanext.govshare.views import _allowed, _context, _department, _messages, _page

    org = _department(id)
    data = {"organization_id": org["id"]}
    for key in ("period", "unit"):
        if request.args.get(key, "").strip():
            data[key] = request.args[key].strip()
    errors: list[str] = []
    try:
        result = tk.get_action("govshare_assessment_show")(_context(), data)
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only members of the department may see its assessment"))
    except tk.ValidationError as e:
        errors = _messages(e.error_dict)
        result = tk.get_action("govshare_assessment_show")(
            _context(), {"organization_id": org["id"]})
    return tk.render("govshare/assessment.html", _page(
        org, result=result, errors=errors, data=data,
        units=roles.department_units(org["id"]),
        dimensions=list(service.SCORES[1:]),
        labels=_dimension_labels(),
        snapshot_period=service.previous_month(workflow.now()),
        can_snapshot=_allowed("govshare_assessment_snapshot_create",
                              {"organization_id": org["id"]}),
    ))


def assessment_snapshot(id: str) -> Any:
    """Store the previous month's snapshot of the department (POST)."""
    from ckanext.govshare.views import _context, _department, _messages

    org = _department(id)
    try:
        stored = tk.get_action("govshare_assessment_snapshot_create")(
            _context(), {"organization_id": org["id"]})
    except tk.NotAuthorized:
        return tk.abort(403, tk._(
            "Only administrators, reviewers and coordinators of the department may store "
            "its assessment snapshot"))
    except tk.ValidationError as e:
        for message in _messages(e.error_dict):
            tk.h.flash_error(message)
    else:
        tk.h.flash_success(tk._("Snapshot of {period} stored.").format(period=stored["period"]))
    return tk.redirect_to("govshare.assessment", id=org["name"])


def duplicates_page(id: str) -> str:
    """The department's possible duplicate sources: within it, and against other departments."""
    from ckanext.govshare.views import _context, _department, _page

    org = _department(id)
    try:
        report = tk.get_action("govshare_duplicate_list")(_context(), {"organization_id": org["id"]})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only members of the department may see its duplicate sources"))
    within = [p for p in report["results"] if p["duplicate"]["organization_id"] == org["id"]]
    across = [p for p in report["results"] if p["duplicate"]["organization_id"] != org["id"]]
    return tk.render("govshare/duplicates.html", _page(
        org, within=within, across=across, threshold=report["threshold"]))


def register(blueprint: Blueprint) -> None:
    """Add the assessment and duplicate-source pages to the ``govshare`` blueprint."""
    prefix = "/organization/<id>/govshare/assessment"
    blueprint.add_url_rule(prefix, view_func=assessment_page, endpoint="assessment")
    blueprint.add_url_rule(f"{prefix}/snapshot", view_func=assessment_snapshot,
                           endpoint="assessment_snapshot", methods=["POST"])
    blueprint.add_url_rule("/organization/<id>/govshare/duplicates", view_func=duplicates_page,
                           endpoint="duplicates")
