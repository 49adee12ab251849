"""Pages of disputes (争议) and quality complaints (纠错), on the ``govshare`` blueprint
(``views/__init__.py`` registers them).

* ``/govshare/disputes`` — the disputes on one side (all, waiting for me, raised by my
  department, against it, escalated to the coordinator), with state, due date and working
  days left or overdue;
* ``/govshare/dispute/new?entry=<id>`` (提出异议, from an entry's page) or
  ``?request=<number>`` (from an access request's page) — raise one;
* ``/govshare/dispute/<id>`` — its parties, claim, decision and execution, the steps the user
  may take (with reasons and attachments) and its timeline;
* ``/govshare/complaints``, ``/govshare/complaint/new?entry=<id>`` (纠错), and
  ``/govshare/complaint/<id>`` — the same for quality complaints;
* ``/govshare/{dispute,complaint}/<id>/attachment/<file>`` — an uploaded attachment, for
  whoever may see the case.

Thin: every step is an action (``govshare_dispute_*``, ``govshare_complaint_*``), every
refusal its auth function's or the state machine's.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.common import current_user, request
from ckan.lib.pagination import Page
from flask import Blueprint, send_file
from flask.views import MethodView
from werkzeug.routing import BuildError

from ckanext.govshare import permissions
from ckanext.govshare.core_messages import N_
from ckanext.govshare.messages import Label
from ckanext.govshare.sharing import cases, complaint, flows
from ckanext.govshare.sharing import dispute as service
from ckanext.govshare.views import base

__all__ = ["register"]

#: cases per page of the lists
PAGE_SIZE = 25
#: what each flow's pages are called by: its action prefix and its endpoint prefix
_KINDS = {flows.DISPUTE: "dispute", flows.COMPLAINT: "complaint"}
#: the events each flow's detail page offers, in the order shown
_PAGE_EVENTS = {
    flows.DISPUTE: (flows.SETTLE, flows.ESCALATE, flows.DECIDE, flows.EXECUTE, flows.CLOSE,
                    flows.WITHDRAW),
    flows.COMPLAINT: (flows.ANSWER, flows.RATE, flows.REOPEN, flows.WITHDRAW),
}
#: the grant terms a decision form may carry (``govshare_dispute_decide``)
_TERMS = ("items", "persons", "provision_method", "validity_days", "purpose", "scenario",
          "region", "usage_scope")


def _labels(table: Mapping[str, Label]) -> dict[str, str]:
    return {code: base.label(label) for code, label in table.items()}


def _choices(kind: str) -> dict[str, Any]:
    """Every label a page of ``kind`` shows, in the page's language."""
    machine = flows.MACHINES[kind]
    out: dict[str, Any] = {
        "states": _labels(machine.states), "events": _labels(machine.events),
        "roles": _labels(flows.ROLES), "kind": base.label(flows.KINDS[kind]),
        "reason_events": sorted(machine.reason_required),
    }
    if kind == flows.DISPUTE:
        out.update(kinds=_labels(flows.DISPUTE_KINDS), outcomes=_labels(flows.DISPUTE_OUTCOMES),
                   catalogue_kinds=list(service.CATALOGUE_KINDS),
                   sharing_kinds=list(service.SHARING_KINDS),
                   provision_methods=_labels(flows.PROVISION_METHODS),
                   validity_days=list(flows.VALIDITY_DAYS),
                   sides=_labels(service.SIDES))
    else:
        out.update(types=_labels(flows.COMPLAINT_TYPES), ratings=list(complaint.RATINGS),
                   sides={k: v for k, v in _labels(service.SIDES).items()
                          if k != service.SIDE_COORDINATING})
    return out


def _flash(error: Exception) -> None:
    if isinstance(error, tk.ValidationError):
        for message in base.messages(error.error_dict):
            tk.h.flash_error(message)
    else:
        tk.h.flash_error(str(error) or tk._("Not authorized"))


def _url(endpoint: str, **values: Any) -> str | None:
    """The address of another flow's page, ``None`` while that page does not exist."""
    try:
        return tk.h.url_for(endpoint, **values)
    except BuildError:
        return None


def _entry(ref: str | None) -> dict[str, Any]:
    if not ref:
        return tk.abort(400, tk._("Name the catalogue entry"))
    try:
        return tk.get_action("package_show")(base.context(), {"id": ref})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Dataset not found"))


def _files() -> dict[str, Any]:
    """The attachments of a posted form: a link and an uploaded file."""
    out: dict[str, Any] = {}
    url = request.form.get("attachment_url", "").strip()
    if url:
        out["attachment_url"] = url
    upload = request.files.get("attachment_upload")
    if upload is not None and upload.filename:
        out["attachment_upload"] = upload
    return out


# -- lists ---------------------------------------------------------------------------------------


def _list(kind: str) -> str:
    if not current_user.is_authenticated:
        return tk.abort(403, tk._("Log in to see the cases"))
    choices = _choices(kind)
    side = request.args.get("side") or ""
    if side not in choices["sides"]:
        side = ""
    state = request.args.get("state") or ""
    filters = {k: v for k, v in (("side", side), ("state", state)) if v}
    page_number = tk.h.get_page_number(request.args)
    try:
        found = tk.get_action(f"govshare_{_KINDS[kind]}_list")(base.context(), {
            **filters, "limit": PAGE_SIZE, "offset": (page_number - 1) * PAGE_SIZE})
    except tk.ValidationError as error:
        _flash(error)
        found = {"count": 0, "results": []}
    page = Page(collection=found["results"], page=page_number, item_count=found["count"],
                items_per_page=PAGE_SIZE, presliced_list=True,
                url=functools.partial(tk.h.url_for, f"govshare.{_KINDS[kind]}_list", **filters))
    return tk.render(f"govshare/dispute/{_KINDS[kind]}_list.html", {
        "found": found, "page": page, "side": side, "filters": filters, "choices": choices})


@base.refusal(N_("Log in to see the disputes"))
def dispute_list() -> str:
    """The disputes on one side."""
    return _list(flows.DISPUTE)


@base.refusal(N_("Log in to see the complaints"))
def complaint_list() -> str:
    """The quality complaints on one side."""
    return _list(flows.COMPLAINT)


# -- new -----------------------------------------------------------------------------------------


class DisputeNewView(MethodView):
    """提出异议: about an entry (``?entry=``) or about an access request (``?request=``)."""

    def _subject(self) -> tuple[dict[str, Any] | None, Any]:
        ref = request.values.get("request")
        if ref:
            try:
                parent = cases.get_case(ref, flows.ACCESS_REQUEST)
            except tk.ObjectNotFound:
                parent = None
            if parent is None or not permissions.may_see_case(current_user.name, parent):
                return tk.abort(404, tk._("Access request not found"))
            return _entry(parent.entry_id), parent
        return _entry(request.values.get("entry")), None

    def _render(self, data: dict[str, Any], errors: dict[str, Any] | None = None) -> str:
        pkg, parent = self._subject()
        choices = _choices(flows.DISPUTE)
        kinds = choices["sharing_kinds"] if parent is not None else choices["catalogue_kinds"]
        departments = tk.get_action("organization_list_for_user")(
            base.context(), {"permission": "read"})
        return tk.render("govshare/dispute/dispute_new.html", {
            "pkg": pkg, "parent": parent.dictize() if parent is not None else None,
            "parent_url": _url("govshare.access_request", id=parent.number) if parent else None,
            "kinds": kinds, "choices": choices, "departments": departments,
            "data": data, "errors": errors or {},
            "error_messages": base.messages(errors or {})})

    @base.refusal(N_("Only members of a department can raise a dispute"))
    def get(self) -> str:
        if not current_user.is_authenticated:
            return tk.abort(403, tk._("Log in to raise a dispute"))
        tk.check_access("govshare_dispute_create", base.context(), {})
        return self._render({"kind": request.args.get("kind", "")})

    @base.refusal(N_("Only members of a department can raise a dispute"))
    def post(self) -> Any:
        if not current_user.is_authenticated:
            return tk.abort(403, tk._("Log in to raise a dispute"))
        pkg, parent = self._subject()
        data = {k: request.form.get(k, "") for k in (
            "kind", "organization_id", "claim", "basis", "remedy")}
        payload = {**data, **_files()}
        if parent is not None:
            payload["request_id"] = parent.id
        else:
            payload["entry_id"] = pkg["id"]
        try:
            made = tk.get_action("govshare_dispute_create")(base.context(), payload)
        except tk.ValidationError as error:
            return self._render(data, error.error_dict)
        tk.h.flash_success(tk._("Dispute {number} raised.").format(number=made["number"]))
        return tk.redirect_to("govshare.dispute_read", id=made["number"])


class ComplaintNewView(MethodView):
    """纠错: a quality complaint about an entry (``?entry=``) or one of its 信息项."""

    def _render(self, data: dict[str, Any], errors: dict[str, Any] | None = None) -> str:
        pkg = _entry(request.values.get("entry"))
        return tk.render("govshare/dispute/complaint_new.html", {
            "pkg": pkg, "items": [i for i in pkg.get("info_items") or [] if isinstance(i, dict)],
            "choices": _choices(flows.COMPLAINT), "data": data, "errors": errors or {},
            "error_messages": base.messages(errors or {})})

    @base.refusal(N_("Log in to report an error"))
    def get(self) -> str:
        if not current_user.is_authenticated:
            return tk.abort(403, tk._("Log in to report an error"))
        return self._render({"item": request.args.get("item", ""),
                             "contact": getattr(current_user, "email", "") or ""})

    @base.refusal(N_("Log in to report an error"))
    def post(self) -> Any:
        if not current_user.is_authenticated:
            return tk.abort(403, tk._("Log in to report an error"))
        pkg = _entry(request.values.get("entry"))
        data = {k: request.form.get(k, "") for k in (
            "type", "item", "description", "basis", "contact")}
        try:
            made = tk.get_action("govshare_complaint_create")(
                base.context(), {**data, **_files(), "entry_id": pkg["id"]})
        except tk.ValidationError as error:
            return self._render(data, error.error_dict)
        tk.h.flash_success(tk._("Complaint {number} filed.").format(number=made["number"]))
        return tk.redirect_to("govshare.complaint_read", id=made["number"])


# -- detail --------------------------------------------------------------------------------------


def _read(kind: str, id: str) -> str:
    case = tk.get_action(f"govshare_{_KINDS[kind]}_show")(base.context(), {"id": id})
    data = case["data"]
    extra: dict[str, Any] = {}
    if kind == flows.DISPUTE:
        done = data.get("execution") or {}
        extra["execution_links"] = {
            "revision": _url("govshare.revision", revision_id=done["revision_id"])
            if done.get("revision_id") else None,
            "request": _url("govshare.access_request", id=done["request_id"])
            if done.get("request_id") else None,
            "authorization": _url("govshare.authorization_read", id=done["authorization_id"])
            if done.get("authorization_id") else None,
        }
        extra["parent_url"] = _url("govshare.access_request", id=data.get("request_number")) \
            if data.get("request_number") else None
        extra["outcomes"] = list(service.outcomes_for(data.get("dispute_kind", "")))
        if flows.DECIDE in case["allowed_events"] and case["entry_id"]:
            try:
                extra["items"] = [i.get("name") for i in service.entry_items(
                    service.entry_of(case["entry_id"])) if i.get("name")]
            except tk.ObjectNotFound:
                extra["items"] = []
    else:
        answer = data.get("answer") or {}
        extra["revision_url"] = _url("govshare.revision", revision_id=answer["revision_id"]) \
            if answer.get("revision_id") else None
        extra["revisions"] = []
        if flows.ANSWER in case["allowed_events"] and case["entry_id"]:
            try:
                extra["revisions"] = tk.get_action("govshare_revision_list")(
                    base.context(), {"entry_id": case["entry_id"], "limit": 20})["results"]
            except (tk.NotAuthorized, tk.ObjectNotFound):
                pass
    events = [e for e in _PAGE_EVENTS[kind] if e in case["allowed_events"]]
    return tk.render(f"govshare/dispute/{_KINDS[kind]}_read.html", {
        "case": case, "data": data, "events": events, "choices": _choices(kind), **extra})


@base.refusal(N_("Only the two sides and the coordinator may see a dispute"))
def dispute_read(id: str) -> str:
    """A dispute: parties, claim, decision, execution, the user's steps, the timeline."""
    return _read(flows.DISPUTE, id)


@base.refusal(N_("Only the complainant and the provider may see a complaint"))
def complaint_read(id: str) -> str:
    """A quality complaint: its subject, the answer, the rating, the steps, the timeline."""
    return _read(flows.COMPLAINT, id)


def _event(kind: str, id: str, event: str) -> Any:
    if event not in _PAGE_EVENTS[kind]:
        return tk.abort(404, tk._("Unknown event"))
    payload: dict[str, Any] = {"id": id, "reason": request.form.get("reason", ""), **_files()}
    if event == flows.DECIDE:
        payload["outcome"] = request.form.get("outcome", "")
        for name in _TERMS:
            values = [v for v in request.form.getlist(name) if v.strip()]
            if values:
                payload[name] = values if name in ("items", "persons") else values[0]
        if "persons" in payload:
            payload["persons"] = [p.strip() for v in payload["persons"]
                                  for p in v.replace("，", ",").split(",") if p.strip()]
    elif event == flows.ANSWER:
        payload["correction_accepted"] = request.form.get("correction_accepted", "")
        payload["revision_id"] = request.form.get("revision_id", "")
    elif event in (flows.RATE, flows.REOPEN):
        payload["rating"] = request.form.get("rating", "")
    action = f"govshare_{_KINDS[kind]}_{event}"
    try:
        tk.get_action(action)(base.context(), payload)
    except (tk.ValidationError, tk.NotAuthorized) as error:
        _flash(error)
    else:
        tk.h.flash_success(base.label(flows.MACHINES[kind].events[event]))
    return tk.redirect_to(f"govshare.{_KINDS[kind]}_read", id=id)


def dispute_event(id: str, event: str) -> Any:
    """One step of a dispute (POST from its page)."""
    return _event(flows.DISPUTE, id, event)


def complaint_event(id: str, event: str) -> Any:
    """One step of a complaint (POST from its page)."""
    return _event(flows.COMPLAINT, id, event)


def _attachment(kind: str, id: str, file_id: str) -> Any:
    tk.get_action(f"govshare_{_KINDS[kind]}_show")(base.context(), {"id": id})
    path, name, mimetype = service.attachment_file(cases.get_case(id, kind), file_id)
    return send_file(path, mimetype=mimetype, as_attachment=True, download_name=name)


@base.refusal(N_("Only the two sides and the coordinator may see a dispute"))
def dispute_attachment(id: str, file_id: str) -> Any:
    """An uploaded attachment of a dispute."""
    return _attachment(flows.DISPUTE, id, file_id)


@base.refusal(N_("Only the complainant and the provider may see a complaint"))
def complaint_attachment(id: str, file_id: str) -> Any:
    """An uploaded attachment of a complaint."""
    return _attachment(flows.COMPLAINT, id, file_id)


def register(blueprint: Blueprint) -> None:
    """Add the dispute and complaint pages to the ``govshare`` blueprint."""
    blueprint.add_url_rule("/govshare/disputes", view_func=dispute_list,
                           endpoint="dispute_list")
    blueprint.add_url_rule("/govshare/dispute/new",
                           view_func=DisputeNewView.as_view("dispute_new"))
    blueprint.add_url_rule("/govshare/dispute/<id>", view_func=dispute_read,
                           endpoint="dispute_read")
    blueprint.add_url_rule("/govshare/dispute/<id>/attachment/<file_id>",
                           view_func=dispute_attachment, endpoint="dispute_attachment")
    blueprint.add_url_rule("/govshare/dispute/<id>/<event>", view_func=dispute_event,
                           endpoint="dispute_event", methods=["POST"])
    blueprint.add_url_rule("/govshare/complaints", view_func=complaint_list,
                           endpoint="complaint_list")
    blueprint.add_url_rule("/govshare/complaint/new",
                           view_func=ComplaintNewView.as_view("complaint_new"))
    blueprint.add_url_rule("/govshare/complaint/<id>", view_func=complaint_read,
                           endpoint="complaint_read")
    blueprint.add_url_rule("/govshare/complaint/<id>/attachment/<file_id>",
                           view_func=complaint_attachment, endpoint="complaint_attachment")
    blueprint.add_url_rule("/govshare/complaint/<id>/<event>", view_func=complaint_event,
                           endpoint="complaint_event", methods=["POST"])
