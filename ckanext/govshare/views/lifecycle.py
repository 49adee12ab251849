"""Pages of the catalogue lifecycle, on the ``govshare`` blueprint (``views/__init__.py``
registers them).

* ``/govshare/review`` — the review queue of the user's departments: filter by department,
  unit, step, stage and due date; approve or return several entries at once with one reason;
  linked from the site navigation (``templates/header.html``) for those who review (the
  steps waiting for them are counted on the 工作台 badge, ``h.govshare_workbench_count``);
* ``/dataset/<id>/lifecycle`` — an entry's state badge, open step and deadline, the events the
  user may fire (with a reason where one is needed) and its timeline (the audit trail);
* ``/govshare/revision/<id>`` — a pending revision's field-by-field diff and its decisions.

Whoever may decide an entry or revision in review also sees its possible duplicate sources
(``govshare_duplicate_list``, DB14 §8.1 一数一源).

Thin: every decision is an action (``govshare_catalogue_*``, ``govshare_revision_*``), every
refusal its auth function's or the state machine's; the labels are ``lifecycle/labels.py``'s.
"""
from __future__ import annotations

import functools
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.common import current_user, request
from ckan.lib.pagination import Page
from flask import Blueprint
from flask.views import MethodView

from ckanext.govshare.catalogue import fields
from ckanext.govshare.core_messages import N_
from ckanext.govshare.lifecycle import machine, queries, service, tables
from ckanext.govshare.lifecycle.labels import labels
from ckanext.govshare.views import base

__all__ = ["DECISION_EVENTS", "decide_selected", "get_helpers", "govshare_entry_events",
           "register"]

#: events whose form asks for a reason (the state machine requires one)
REASON_EVENTS = sorted(machine.CATALOGUE.reason_required | machine.REVISION.reason_required)
_QUEUE_FILTERS = ("organization_id", "unit", "state", "stage", "due_before", "overdue", "kind")
#: steps per page of the review queue page (the action returns at most 1000 per call)
REVIEW_QUEUE_PAGE_SIZE = 50
#: events that decide a review step: who may fire one sees the possible duplicates
DECISION_EVENTS = frozenset({tables.APPROVE, tables.RETURN})
#: events a revision's page fires (its ``update`` is the entry's edit form)
REVISION_PAGE_EVENTS = (tables.SUBMIT, tables.APPROVE, tables.RETURN, tables.DISCARD)


# -- review queue --------------------------------------------------------------------------------


class ReviewQueueView(MethodView):
    """The open review steps; reviewers approve or return a selection with one reason."""

    @base.refusal(N_("Only members of the department may see its queue"))
    def get(self) -> str:
        if not current_user.is_authenticated:
            return tk.abort(403, tk._("Log in to see the review queue"))
        filters = {k: request.args.get(k) for k in _QUEUE_FILTERS if request.args.get(k)}
        page_number = tk.h.get_page_number(request.args)
        size = REVIEW_QUEUE_PAGE_SIZE
        try:
            queue = tk.get_action("govshare_catalogue_queue")(base.context(), {
                **filters, "limit": size, "offset": (page_number - 1) * size})
        except tk.ValidationError as e:
            for message in base.messages(e.error_dict):
                tk.h.flash_error(message)
            queue = {"count": 0, "results": []}
        departments = tk.get_action("organization_list_for_user")(
            base.context(), {"permission": "read"})
        page = Page(
            collection=queue["results"], page=page_number, item_count=queue["count"],
            items_per_page=size, presliced_list=True,
            url=functools.partial(tk.h.url_for, "govshare.review_queue", **filters))
        return tk.render("govshare/lifecycle/queue.html", {
            "queue": queue, "page": page, "filters": filters, "departments": departments,
            "labels": labels(), "decidable": any(i["allowed_actions"] for i in queue["results"]),
        })

    def post(self) -> Any:
        decision = request.form.get("decision", "")
        reason = request.form.get("reason", "").strip() or None
        selected = request.form.getlist("selected")
        if decision not in DECISION_EVENTS:
            return tk.abort(400, tk._("Unknown decision"))
        decide_selected(decision, reason, selected)
        back = {k: request.form.get(k) for k in (*_QUEUE_FILTERS, "page")
                if request.form.get(k)}
        return tk.redirect_to("govshare.review_queue", **back)


#: the action of a bulk decision on each kind of selected step: an entry in review, a
#: revision in review, a request to take an entry offline (approve it or reject it)
BATCH_ACTIONS: dict[tuple[str, str], str] = {
    ("entry", tables.APPROVE): service.ACTION_NAMES[tables.APPROVE],
    ("entry", tables.RETURN): service.ACTION_NAMES[tables.RETURN],
    ("revision", tables.APPROVE): service.REVISION_ACTION_NAMES[tables.APPROVE],
    ("revision", tables.RETURN): service.REVISION_ACTION_NAMES[tables.RETURN],
    ("offline", tables.APPROVE): service.ACTION_NAMES[tables.APPROVE_OFFLINE],
    ("offline", tables.RETURN): service.ACTION_NAMES[tables.REJECT_OFFLINE],
}


def decide_selected(decision: str, reason: str | None, selected: list[str]) -> None:
    """Approve or return (``decision``) each selected step (``entry:<id>``,
    ``revision:<id>`` or ``offline:<id>``: :data:`BATCH_ACTIONS`) with one reason, each
    through its own action; the outcome flashed."""
    done, failed = 0, []
    for item in selected:
        kind, _sep, ref = item.partition(":")
        action = BATCH_ACTIONS.get((kind, decision), BATCH_ACTIONS["entry", decision])
        try:
            tk.get_action(action)(base.context(), {"id": ref, "reason": reason})
            done += 1
        except (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound) as e:
            detail = (base.messages(e.error_dict) if isinstance(e, tk.ValidationError)
                      else [str(e) or tk._("Not authorized")])
            failed.append(f"{ref}: {'; '.join(detail)}")
    if done:
        tk.h.flash_success(tk._("{count} decided.").format(count=done))
    for message in failed:
        tk.h.flash_error(message)
    if not selected:
        tk.h.flash_notice(tk._("Nothing selected."))


# -- an entry's lifecycle ------------------------------------------------------------------------


def _entry(id: str) -> dict[str, Any]:
    try:
        return tk.get_action("package_show")(base.context(), {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Dataset not found"))


def _duplicates(events: list[str], data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """The possible duplicate sources (DB14 §8.1 一数一源) shown to whoever may decide a review
    step (``events`` holds a decision); empty for everyone else."""
    if not DECISION_EVENTS & set(events):
        return []
    try:
        return tk.get_action("govshare_duplicate_list")(base.context(), data_dict)["results"]
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return []


def _info(pkg: dict[str, Any]) -> dict[str, Any]:
    """The entry's lifecycle (state, open step) as ``package_show`` gives it."""
    return pkg.get("govshare_lifecycle") or queries.lifecycle_info(
        pkg.get(fields.CATALOGUE_STATE) or tables.DRAFT, None)


def _allowed_events(pkg: dict[str, Any], info: dict[str, Any]) -> list[str]:
    """The catalogue events the signed-in user may fire on the entry now (none when anonymous)."""
    if not current_user.is_authenticated:
        return []
    return service.allowed_events(
        machine.CATALOGUE, info.get("state") or tables.DRAFT, user=current_user.name,
        org_id=pkg.get(fields.OWNER_ORG), unit=pkg.get(fields.PROVIDER_UNIT),
        stage=info.get("stage"), submitter=info.get("submitted_by"),
        stage_approver=info.get("stage_approver"))


def govshare_entry_events(pkg: dict[str, Any]) -> list[dict[str, Any]]:
    """Template helper: the lifecycle events the signed-in user may fire on the entry ``pkg``,
    as ``{"event", "label", "reason"}`` (``reason``: the event needs one, asked on the
    lifecycle page), for the buttons of the entry's page."""
    if not pkg.get(fields.CATALOGUE_STATE):
        return []
    return [{"event": event, "label": base.label(tables.CATALOGUE_EVENTS[event]),
             "reason": event in REASON_EVENTS}
            for event in _allowed_events(pkg, _info(pkg))]


def get_helpers() -> dict[str, Any]:
    """The template helpers of this module, by name (collected by ``helpers.py``)."""
    return {"govshare_entry_events": govshare_entry_events}


def entry_lifecycle(id: str) -> str:
    """State badge, open step, the user's possible events and the timeline of an entry."""
    pkg = _entry(id)
    info = _info(pkg)
    state = info.get("state") or tables.DRAFT
    events = _allowed_events(pkg, info)
    try:
        timeline = tk.get_action("govshare_audit_list")(
            base.context(), {"entry_id": pkg["id"], "limit": 200})["results"]
    except (tk.NotAuthorized, tk.ObjectNotFound):  # a deleted entry has no lifecycle to read
        timeline = None
    return tk.render("govshare/lifecycle/entry.html", {
        "pkg": pkg, "pkg_dict": pkg, "dataset_type": pkg.get("type"), "info": info,
        "events": events, "reason_events": REASON_EVENTS, "timeline": timeline,
        "labels": labels(),
        "duplicates": _duplicates(events, {"id": pkg["id"]}) if state == tables.IN_REVIEW else [],
    })


def entry_event(id: str, event: str) -> Any:
    """Fire one catalogue event on an entry (POST from its lifecycle page)."""
    if event not in tables.CATALOGUE_EVENTS:
        return tk.abort(404, tk._("Unknown event"))
    reason = request.form.get("reason", "").strip() or None
    try:
        tk.get_action(service.ACTION_NAMES[event])(base.context(), {"id": id, "reason": reason})
    except tk.NotAuthorized as e:
        tk.h.flash_error(str(e) or tk._("Not authorized"))
    except tk.ValidationError as e:
        for message in base.messages(e.error_dict):
            tk.h.flash_error(message)
    else:
        tk.h.flash_success(base.label(tables.CATALOGUE_EVENTS[event]))
    if request.form.get("return_to") == "entry":  # a button of the entry's own page
        return tk.redirect_to("dataset.read", id=id)
    return tk.redirect_to("govshare.entry_lifecycle", id=id)


# -- a pending revision --------------------------------------------------------------------------


def revision(revision_id: str) -> str:
    """A pending revision: its diff (信息项 item by item) and the user's possible decisions."""
    try:
        rev = tk.get_action("govshare_revision_show")(base.context(), {"id": revision_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Revision not found"))
    pkg = _entry(rev["entry_id"])
    events = [e for e in service.allowed_events(
        machine.REVISION, rev["state"], user=current_user.name, org_id=pkg.get(fields.OWNER_ORG),
        unit=pkg.get(fields.PROVIDER_UNIT), stage=rev["stage"], submitter=rev["submitted_by"],
        stage_approver=rev["stage_approver"]) if e not in (tables.UPDATE, tables.DISCARD)]
    if tables.DISCARD in machine.REVISION.allowed_events(rev["state"]) and \
            base.allowed("govshare_revision_discard", {"id": rev["id"]}):
        events.append(tables.DISCARD)
    return tk.render("govshare/lifecycle/revision.html", {
        "rev": rev, "pkg": pkg, "events": events, "reason_events": REASON_EVENTS,
        "labels": labels(),
        "duplicates": (_duplicates(events, {"revision_id": rev["id"]})
                       if rev["state"] == tables.IN_REVIEW else []),
    })


def revision_event(revision_id: str, event: str) -> Any:
    """Submit, approve, return or discard a revision (POST from its page)."""
    if event not in REVISION_PAGE_EVENTS:
        return tk.abort(404, tk._("Unknown event"))
    reason = request.form.get("reason", "").strip() or None
    try:
        tk.get_action(service.REVISION_ACTION_NAMES[event])(
            base.context(), {"id": revision_id, "reason": reason})
    except (tk.NotAuthorized, tk.ObjectNotFound) as e:
        tk.h.flash_error(str(e) or tk._("Not authorized"))
    except tk.ValidationError as e:
        for message in base.messages(e.error_dict):
            tk.h.flash_error(message)
    else:
        tk.h.flash_success(base.label(tables.REVISION_EVENTS[event]))
    return tk.redirect_to("govshare.revision", revision_id=revision_id)


def register(blueprint: Blueprint) -> None:
    """Add the lifecycle pages to the ``govshare`` blueprint."""
    blueprint.add_url_rule("/govshare/review",
                           view_func=ReviewQueueView.as_view("review_queue"))
    blueprint.add_url_rule("/dataset/<id>/lifecycle", view_func=entry_lifecycle,
                           endpoint="entry_lifecycle")
    blueprint.add_url_rule("/dataset/<id>/lifecycle/<event>", view_func=entry_event,
                           endpoint="entry_event", methods=["POST"])
    blueprint.add_url_rule("/govshare/revision/<revision_id>", view_func=revision,
                           endpoint="revision")
    blueprint.add_url_rule("/govshare/revision/<revision_id>/<event>",
                           view_func=revision_event, endpoint="revision_event",
                           methods=["POST"])
