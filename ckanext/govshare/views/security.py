"""Pages of the security officer's duties (DB14 §11.1–11.2), on the ``govshare`` blueprint
(``views/__init__.py`` registers them).

* ``/govshare/incident`` — the security incidents the user may see (state, severity, days since
  reported); ``/govshare/incident/new`` — report one (a reviewer or security officer of the
  department); ``/govshare/incident/<number>`` — its fields, affected entries, responsible
  person, handling steps, the security officer's forms (record a step, close) and timeline;
* ``/govshare/signoff`` — the grade sign-offs of the user's departments (state, due date,
  working days left or overdue); ``/govshare/signoff/<number>`` — the entry, the grade asked
  for, sign or object, the timeline;
* ``/organization/<id>/govshare/access-overview`` — who can reach the department's data now,
  and who did; ``…/access-overview/export.xlsx`` — the same as a workbook.

Thin: every decision is an action's (``govshare_incident_*``, ``govshare_signoff_*``,
``govshare_access_overview``), every refusal its auth function's or the flow's table's; the
labels are the flow tables' (:mod:`ckanext.govshare.sharing.flows`) in the page's language.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.common import request
from flask import Blueprint, Response
from flask.views import MethodView

from ckanext.govshare.catalogue import vocab
from ckanext.govshare.core_messages import N_
from ckanext.govshare.lifecycle import tables
from ckanext.govshare.logic.action import security as actions
from ckanext.govshare.messages import Label
from ckanext.govshare.sharing import flows, notify
from ckanext.govshare.sharing import security as service
from ckanext.govshare.views import base

__all__ = ["register"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: the fields of the incident form
INCIDENT_FIELDS = ("organization_id", "title", "severity", "occurred_at", "description",
                   "responsible")
#: the form field that carries each event's text, and whether it is required
EVENT_FIELDS: dict[str, tuple[str, bool]] = {
    flows.HANDLE: ("text", True), flows.CLOSE: ("conclusion", True),
    flows.SIGN: ("comment", False), flows.OBJECT: ("reason", True),
}
_AUDIT_ACTIONS: dict[str, Label] = {
    service.REGRADED: Label("调整待确认等级", "grade changed"),
}


def _labels(kind: str) -> dict[str, Any]:
    """The labels a page of ``kind`` shows, in its language."""
    m = flows.MACHINES[kind]
    created = Label("报告", "reported") if kind == flows.INCIDENT else Label("提请确认", "asked")
    actions = {notify.CREATED: created, **_AUDIT_ACTIONS, **m.events}
    return {
        "kind": base.label(flows.KINDS[kind]),
        "states": {k: base.label(v) for k, v in m.states.items()},
        "events": {k: base.label(v) for k, v in m.events.items()},
        "actions": {k: base.label(v) for k, v in actions.items()},
        "severities": {k: base.label(v) for k, v in flows.INCIDENT_SEVERITIES.items()},
        "audiences": {k: base.label(v) for k, v in service.AUDIENCES.items()},
    }


def _flash(error: Exception) -> None:
    if isinstance(error, tk.ValidationError):
        for message in base.messages(error.error_dict):
            tk.h.flash_error(message)
    else:
        tk.h.flash_error(str(error) or tk._("Not authorized"))


def _list_filters(*names: str) -> dict[str, str]:
    return {k: request.args[k] for k in names if request.args.get(k, "").strip()}


def _departments() -> list[dict[str, Any]]:
    return tk.get_action("organization_list_for_user")(base.context(), {"permission": "read"})


# -- security incidents ---------------------------------------------------------------------------

@base.refusal(N_("Log in to see security incidents"))
def incident_list() -> str:
    """The incidents the user may see, open ones first."""
    filters = _list_filters("organization_id", "state", "waiting")
    try:
        found = tk.get_action("govshare_incident_list")(base.context(), {**filters,
                                                                          "limit": 1000})
    except tk.ValidationError as e:
        _flash(e)
        found = {"count": 0, "results": []}
    return tk.render("govshare/security/incident_list.html", {
        "found": found, "filters": filters, "departments": _departments(),
        "labels": _labels(flows.INCIDENT),
        "can_report": any(base.allowed("govshare_incident_create", {"organization_id": o["id"]})
                          for o in _departments()),
    })


class IncidentNewView(MethodView):
    """Report a security incident: the department first, then its entries and people."""

    def _render(self, data: dict[str, Any], errors: dict[str, list[str]]) -> str:
        reporting = [o for o in _departments()
                     if base.allowed("govshare_incident_create", {"organization_id": o["id"]})]
        if not reporting:
            return tk.abort(403, tk._("Only a reviewer or the security officer of a department "
                                      "may report a security incident"))
        chosen = next((o for o in reporting if data.get("organization_id") in (o["id"], o["name"])),
                      reporting[0])
        entries = tk.get_action("package_search")(base.context(), {
            "fq": f'owner_org:"{chosen["id"]}"', "rows": 1000, "include_private": True,
            "sort": "title_string asc"})["results"]
        members = tk.get_action("member_list")(base.context(), {
            "id": chosen["id"], "object_type": "user"})
        people = [tk.get_action("user_show")(base.context(), {"id": m[0]}) for m in members]
        return tk.render("govshare/security/incident_form.html", {
            "departments": reporting, "department": chosen, "entries": entries,
            "people": sorted(people, key=lambda u: u["display_name"]), "data": data,
            "errors": errors, "error_summary": base.messages(errors),
            "labels": _labels(flows.INCIDENT),
        })

    def get(self) -> str:
        return self._render({"organization_id": request.args.get("organization_id", "")}, {})

    @base.refusal(N_("Only a reviewer or the security officer of the department may report a "
                     "security incident"))
    def post(self) -> Any:
        data = {k: request.form.get(k, "") for k in INCIDENT_FIELDS}
        data["entries"] = request.form.getlist("entries")
        if request.form.get("choose"):  # the department was changed: show its entries
            return self._render(data, {})
        try:
            case = tk.get_action("govshare_incident_create")(base.context(), dict(data))
        except tk.ValidationError as e:
            return self._render(data, e.error_dict)
        tk.h.flash_success(tk._("Security incident {number} reported.").format(
            number=case["number"]))
        return tk.redirect_to("govshare.incident", id=case["number"])


def incident(id: str) -> str:
    """An incident: its fields, entries, responsible person, steps, forms and timeline."""
    try:
        case = tk.get_action("govshare_incident_show")(base.context(), {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Security incident not found"))
    return tk.render("govshare/security/incident.html", {
        "case": case, "labels": _labels(flows.INCIDENT), "event_fields": EVENT_FIELDS,
        "department": tk.get_action("organization_show")(
            {"ignore_auth": True}, {"id": case["target_org"], "include_datasets": False,
                                    "include_users": False}),
    })


def incident_event(id: str, event: str) -> Any:
    """Record a handling step or close an incident (POST from its page)."""
    if event not in actions.INCIDENT_ACTIONS:
        return tk.abort(404, tk._("Unknown event"))
    field, _required = EVENT_FIELDS[event]
    try:
        tk.get_action(actions.INCIDENT_ACTIONS[event])(
            base.context(), {"id": id, field: request.form.get(field, "")})
    except (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound) as e:
        _flash(e)
    else:
        tk.h.flash_success(base.label(flows.INCIDENT_EVENTS[event]))
    return tk.redirect_to("govshare.incident", id=id)


# -- grade sign-off -------------------------------------------------------------------------------

@base.refusal(N_("Log in to see grade sign-offs"))
def signoff_list() -> str:
    """The sign-offs of the user's departments: open ones first, soonest due first."""
    filters = _list_filters("organization_id", "state", "waiting")
    try:
        found = tk.get_action("govshare_signoff_list")(base.context(), {**filters,
                                                                         "limit": 1000})
    except tk.ValidationError as e:
        _flash(e)
        found = {"count": 0, "results": []}
    return tk.render("govshare/security/signoff_list.html", {
        "found": found, "filters": filters, "departments": _departments(),
        "labels": _labels(flows.GRADE_SIGNOFF),
    })


def signoff(id: str) -> str:
    """A sign-off: the entry, the grade asked for, the security officer's forms, timeline."""
    try:
        case = tk.get_action("govshare_signoff_show")(base.context(), {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Grade sign-off not found"))
    return tk.render("govshare/security/signoff.html", {
        "case": case, "labels": _labels(flows.GRADE_SIGNOFF), "event_fields": EVENT_FIELDS,
        "catalogue_states": {k: base.label(v) for k, v in tables.CATALOGUE_STATES.items()},
    })


def signoff_event(id: str, event: str) -> Any:
    """Sign or object (POST from the sign-off's page)."""
    if event not in actions.SIGNOFF_ACTIONS:
        return tk.abort(404, tk._("Unknown event"))
    field, _required = EVENT_FIELDS[event]
    try:
        tk.get_action(actions.SIGNOFF_ACTIONS[event])(
            base.context(), {"id": id, field: request.form.get(field, "")})
    except (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound) as e:
        _flash(e)
    else:
        tk.h.flash_success(base.label(flows.SIGNOFF_EVENTS[event]))
    return tk.redirect_to("govshare.signoff", id=id)


# -- who can access what now ----------------------------------------------------------------------

def _overview(id: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    org = base.department(id)
    data = {"organization_id": org["id"]}
    if request.args.get("since", "").strip():
        data["since"] = request.args["since"].strip()
    try:
        return org, tk.get_action("govshare_access_overview")(base.context(), data), data
    except tk.ValidationError as e:
        _flash(e)
        data.pop("since", None)
        return org, tk.get_action("govshare_access_overview")(base.context(), data), data


@base.refusal(N_("Only the administrators, reviewers and security officers of the department "
                 "may see who can access its data"))
def access_overview(id: str) -> str:
    """Who can reach the department's data now, and who did."""
    org, overview, data = _overview(id)
    return tk.render("govshare/security/access_overview.html", base.page(
        org, overview=overview, data=data, labels=_labels(flows.INCIDENT),
        share_types={t.value: base.label(Label(t.zh, t.en)) for t in vocab.SHARE_TYPES}))


@base.refusal(N_("Only the administrators, reviewers and security officers of the department "
                 "may see who can access its data"))
def access_overview_export(id: str) -> Any:
    """The overview as an XLSX workbook."""
    org, overview, _data = _overview(id)
    content = service.overview_workbook(overview, org.get("title") or org["name"])
    stamp = overview["at"][:10]
    return Response(content, mimetype=XLSX, headers={
        "Content-Disposition": f'attachment; filename="access-overview-{org["name"]}-{stamp}.xlsx"'})


def register(blueprint: Blueprint) -> None:
    """Add the security pages to the ``govshare`` blueprint."""
    blueprint.add_url_rule("/govshare/incident", view_func=incident_list,
                           endpoint="incident_list")
    blueprint.add_url_rule("/govshare/incident/new",
                           view_func=IncidentNewView.as_view("incident_new"))
    blueprint.add_url_rule("/govshare/incident/<id>", view_func=incident, endpoint="incident")
    blueprint.add_url_rule("/govshare/incident/<id>/<event>", view_func=incident_event,
                           endpoint="incident_event", methods=["POST"])
    blueprint.add_url_rule("/govshare/signoff", view_func=signoff_list, endpoint="signoff_list")
    blueprint.add_url_rule("/govshare/signoff/<id>", view_func=signoff, endpoint="signoff")
    blueprint.add_url_rule("/govshare/signoff/<id>/<event>", view_func=signoff_event,
                           endpoint="signoff_event", methods=["POST"])
    prefix = "/organization/<id>/govshare/access-overview"
    blueprint.add_url_rule(prefix, view_func=access_overview, endpoint="access_overview")
    blueprint.add_url_rule(f"{prefix}/export.xlsx", view_func=access_overview_export,
                           endpoint="access_overview_export")
