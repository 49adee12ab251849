"""我的工作台 (``/dashboard/workbench``, endpoint ``govshare.workbench``): every to-do of the
signed-in user across the catalogue lifecycle and the sharing flows, soonest due first, with
the working days left or overdue; filters by kind, department and unit; approve or return
several selected review steps at once with one reason (as the review queue does).

Thin: the list is ``govshare_workbench_list``'s, each decision its own action's
(:func:`ckanext.govshare.views.lifecycle.decide_selected`); each row links to the page where
its flow is decided.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.common import current_user, request
from flask import Blueprint
from flask.views import MethodView

from ckanext.govshare.core_messages import N_
from ckanext.govshare.department import queries as dept_queries
from ckanext.govshare.department import roles
from ckanext.govshare.lifecycle import tables
from ckanext.govshare.lifecycle.labels import labels
from ckanext.govshare.portal import queries, workbench
from ckanext.govshare.sharing import cases, flows
from ckanext.govshare.views import base, lifecycle, sharing

__all__ = ["register"]

_FILTERS = ("kind", "organization_id", "unit")

#: the page of each kind of catalogue to-do: (endpoint, its argument, the item's key)
_PAGES: dict[str, tuple[str, str, str]] = {
    workbench.KIND_REVIEW: ("govshare.entry_lifecycle", "id", "entry_id"),
    workbench.KIND_OFFLINE_REVIEW: ("govshare.entry_lifecycle", "id", "entry_id"),
    workbench.KIND_REVISION_REVIEW: ("govshare.revision", "revision_id", "id"),
    queries.KIND_REVISION_DRAFT: ("govshare.revision", "revision_id", "id"),
    queries.KIND_RETURNED: ("govshare.entry_lifecycle", "id", "entry_id"),
    queries.KIND_UPDATE_REQUIRED: ("govshare.entry_lifecycle", "id", "entry_id"),
    queries.KIND_DRAFT: ("dataset.read", "id", "entry_id"),
    queries.KIND_EXPIRING: ("govshare.authorization_read", "id", "id"),
    **{kind: (endpoint, "id", "id") for kind, endpoint in sharing.READ_ENDPOINTS.items()},
}


def kind_label(kind: str) -> str:
    """A kind of to-do in the page's language."""
    msgid = workbench.KINDS.get(kind)
    if msgid:
        return tk._(msgid)
    return cases.label(flows.KINDS[kind]) if kind in flows.KINDS else kind


def _state_label(item: dict[str, Any], names: dict[str, Any]) -> str:
    kind, state = item["kind"], item["state"]
    if kind in flows.MACHINES:
        return cases.label(flows.MACHINES[kind].states[state])
    if kind == queries.KIND_EXPIRING:
        return cases.label(flows.AUTHORIZATION_STATES[state])
    if kind in (workbench.KIND_REVISION_REVIEW, queries.KIND_REVISION_DRAFT):
        return names["revision_states"].get(state, state)
    if kind == queries.KIND_RETURNED:
        return tk._("Returned for changes")
    return names["states"].get(state, state or "")


def _due_text(days_left: int | None) -> str:
    if days_left is None:
        return tk._("No deadline")
    if days_left < 0:
        return tk._("Overdue by {n} working days").format(n=-days_left)
    if days_left == 0:
        return tk._("Due today")
    return tk._("{n} working days left").format(n=days_left)


def _batch_ref(item: dict[str, Any]) -> str | None:
    """What the batch form posts for a step decided in bulk (``entry:<id>``,
    ``revision:<id>``, ``offline:<id>``: :data:`lifecycle.BATCH_ACTIONS`)."""
    if not item["decisions"]:
        return None
    prefix = {workbench.KIND_REVISION_REVIEW: "revision",
              workbench.KIND_OFFLINE_REVIEW: "offline"}.get(item["kind"], "entry")
    return f"{prefix}:{item['id']}"


def _rows(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    names = labels()
    orgs = dept_queries.department_names(i["organization_id"] for i in results)
    units = {org_id: roles.unit_names(org_id) for org_id in orgs}
    out = []
    for item in results:
        endpoint, arg, key = _PAGES[item["kind"]]
        org_id = item["organization_id"]
        unit = item["unit"]
        out.append({
            **item,
            "kind_label": kind_label(item["kind"]),
            "state_label": _state_label(item, names),
            "url": tk.h.url_for(endpoint, **{arg: item[key]}) if item[key] else None,
            "department": orgs[org_id].title if org_id in orgs else None,
            "unit_label": (f"{unit} {units.get(org_id, {}).get(unit, '')}".strip()
                           if unit else None),
            "due_text": _due_text(item["days_left"]),
            "batch_ref": _batch_ref(item),
        })
    return out


class WorkbenchView(MethodView):
    """The user's to-dos; several review steps decided at once."""

    @base.refusal(N_("Log in to see your workbench"))
    def get(self) -> str:
        if not current_user.is_authenticated:
            return tk.abort(403, tk._("Log in to see your workbench"))
        filters = {k: request.args.get(k) for k in _FILTERS if request.args.get(k)}
        try:
            found = tk.get_action("govshare_workbench_list")(base.context(), dict(filters))
        except tk.ValidationError as e:
            for message in base.messages(e.error_dict):
                tk.h.flash_error(message)
            found = {"count": 0, "counts": {}, "results": []}
        except tk.ObjectNotFound:
            tk.h.flash_error(tk._("Department not found"))
            found = {"count": 0, "counts": {}, "results": []}
        rows = _rows(found["results"])
        departments = tk.get_action("organization_list_for_user")(
            base.context(), {"permission": "read"})
        return tk.render("govshare/workbench/index.html", {
            "rows": rows, "count": found["count"], "filters": filters,
            "kinds": [(kind, kind_label(kind), n) for kind in workbench.KINDS
                      if (n := found["counts"].get(kind, 0)) or kind == filters.get("kind")],
            "total": sum(found["counts"].values()),
            "overdue": sum(1 for r in rows if r["overdue"]),
            "departments": departments,
            "decidable": any(r["batch_ref"] for r in rows),
            "decisions": [(e, base.label(tables.CATALOGUE_EVENTS[e]))
                          for e in (tables.APPROVE, tables.RETURN)],
        })

    def post(self) -> Any:
        decision = request.form.get("decision", "")
        if decision not in lifecycle.DECISION_EVENTS:
            return tk.abort(400, tk._("Unknown decision"))
        lifecycle.decide_selected(decision, request.form.get("reason", "").strip() or None,
                                  request.form.getlist("selected"))
        back = {k: request.form.get(k) for k in _FILTERS if request.form.get(k)}
        return tk.redirect_to("govshare.workbench", **back)


def register(blueprint: Blueprint) -> None:
    """Add the workbench to the ``govshare`` blueprint."""
    blueprint.add_url_rule("/dashboard/workbench",
                           view_func=WorkbenchView.as_view("workbench"))
