"""Pages of resource access requests (数据资源申请), on the ``govshare`` blueprint
(``views/__init__.py`` registers them).

* ``/dataset/<id>/request`` and ``/govshare/access/new?entry=<id>`` (``&demand=<id>``: filed
  from the requester's demand for the entry) — the "申请使用" form of an entry (its 信息项 to choose from, purpose, scenario, basis with an optional file or address,
  the requesting department and the persons who may use the data, region, scope, provision
  method, validity, expected volume, the terms to accept);
* ``/govshare/access`` — the lists: ``?side=mine`` (我的申请, default), ``?side=to_decide``
  (待我审核) and ``?side=department``, each with state, due date and working days left or
  overdue;
* ``/govshare/access/<number>`` — a request with its timeline and the steps the user may take
  (forms with reasons; a refusal picks its reason from the controlled list);
* ``/govshare/access/<number>/basis`` — the basis document uploaded with the request, to those
  who may see the request.

Thin: every step is a ``govshare_access_request_*`` action, every refusal its auth function's or
the service's.
"""
from __future__ import annotations

import functools
import os
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.common import current_user, request
from ckan.lib.pagination import Page
from flask import Blueprint, send_file
from flask.views import MethodView

from ckanext.govshare.catalogue import fields
from ckanext.govshare.core_messages import N_
from ckanext.govshare.sharing import access, cases, flows
from ckanext.govshare.views import base

__all__ = ["register"]

#: requests per page of the lists
ACCESS_PAGE_SIZE = 25
#: the fields of the request form, as the action names them
FORM_FIELDS = ("purpose", "scenario", "basis", "basis_url", "organization_id", "region",
               "usage_scope", "provision_method", "validity_days", "valid_from", "valid_until",
               "expected_volume")
#: the fields a resubmission may correct on the request's page
RESUBMIT_FIELDS = ("purpose", "scenario", "basis", "basis_url", "region", "usage_scope",
                   "expected_volume")
_LIST_FILTERS = ("side", "state", "overdue")


def _choices() -> dict[str, Any]:
    """The controlled lists of the forms, in the page's language."""
    return {
        "provision_methods": {k: base.label(v) for k, v in flows.PROVISION_METHODS.items()},
        "validity_days": list(flows.VALIDITY_DAYS),
        "refusal_reasons": {k: base.label(v) for k, v in flows.REFUSAL_REASONS.items()},
        "states": {k: base.label(v) for k, v in flows.REQUEST_STATES.items()},
        "events": {k: base.label(v) for k, v in flows.REQUEST_EVENTS.items()},
    }


# -- the form ------------------------------------------------------------------------------------


def _entry(ref: str) -> dict[str, Any]:
    try:
        return tk.get_action("package_show")(base.context(), {"id": ref})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Dataset not found"))


class RequestFormView(MethodView):
    """申请使用: the request form of an entry, and filing it."""

    def _render(self, pkg: dict[str, Any], values: dict[str, Any],
                errors: dict[str, list[str]], refusal: str | None = None) -> str:
        departments = tk.get_action("organization_list_for_user")(
            base.context(), {"permission": "read"})
        return tk.render("govshare/access/new.html", {
            "pkg": pkg, "pkg_dict": pkg, "values": values, "errors": errors,
            "refusal": refusal,
            "error_summary": {k: "; ".join(v) for k, v in errors.items()},
            "departments": departments, "choices": _choices(),
            "info_items": [i for i in pkg.get(fields.INFO_ITEMS) or [] if isinstance(i, dict)],
        })

    @base.refusal(N_("Only the staff of a department can request data"))
    def get(self, id: str | None = None) -> str:
        if not current_user.is_authenticated:
            return tk.abort(403, tk._("Log in to request data"))
        ref = id or request.args.get("entry") or ""
        if not ref:
            return tk.abort(404, tk._("Dataset not found"))
        pkg = _entry(ref)
        tk.check_access("govshare_access_request_create", base.context(), {"entry_id": pkg["id"]})
        values: dict[str, Any] = {"items": [], "persons": "", "validity_days": "90",
                                  "demand_id": request.args.get("demand") or ""}
        refusal = None if values["demand_id"] else access.entry_refusal(
            current_user, pkg["id"])
        return self._render(pkg, values, {}, refusal=refusal)

    @base.refusal(N_("Only the staff of a department can request data"))
    def post(self, id: str | None = None) -> Any:
        if not current_user.is_authenticated:
            return tk.abort(403, tk._("Log in to request data"))
        ref = id or request.args.get("entry") or request.form.get("entry_id") or ""
        pkg = _entry(ref)
        form = request.form
        data: dict[str, Any] = {k: form.get(k, "") for k in FORM_FIELDS}
        data.update({
            "entry_id": pkg["id"], "items": form.getlist("items"),
            "persons": form.get("persons", ""), "demand_id": form.get("demand_id") or None,
            "agreement_accepted": form.get("agreement_accepted") == "true",
        })
        upload = request.files.get("basis_upload")
        if upload is not None and upload.filename:
            data["basis_upload"] = upload
        try:
            result = tk.get_action("govshare_access_request_create")(base.context(), data)
        except tk.ValidationError as e:
            errors = {k: (v if isinstance(v, list) else [str(v)])
                      for k, v in e.error_dict.items()}
            values = {**data, "basis_upload": None}
            return self._render(pkg, values, errors)
        tk.h.flash_success(tk._("Request {number} filed.").format(number=result["number"]))
        return tk.redirect_to("govshare.access_request", id=result["number"])


# -- the lists -----------------------------------------------------------------------------------


@base.refusal(N_("Log in to see access requests"))
def request_list() -> str:
    """我的申请 / 待我审核 / 本部门: the requests on one side, with their deadlines."""
    if not current_user.is_authenticated:
        return tk.abort(403, tk._("Log in to see access requests"))
    filters = {k: request.args.get(k) for k in _LIST_FILTERS if request.args.get(k)}
    side = filters.get("side") or access.SIDE_MINE
    if side not in access.LIST_SIDES:
        return tk.abort(400, tk._("Unknown list"))
    filters["side"] = side
    page_number = tk.h.get_page_number(request.args)
    size = ACCESS_PAGE_SIZE
    try:
        found = tk.get_action("govshare_access_request_list")(base.context(), {
            **filters, "limit": size, "offset": (page_number - 1) * size})
    except tk.ValidationError as e:
        for message in base.messages(e.error_dict):
            tk.h.flash_error(message)
        found = {"count": 0, "results": []}
    page = Page(collection=found["results"], page=page_number, item_count=found["count"],
                items_per_page=size, presliced_list=True,
                url=functools.partial(tk.h.url_for, "govshare.access_list", **filters))
    return tk.render("govshare/access/list.html", {
        "found": found, "page": page, "filters": filters, "side": side,
        "sides": {access.SIDE_MINE: tk._("My requests"),
                  access.SIDE_TO_DECIDE: tk._("Waiting for my decision"),
                  access.SIDE_DEPARTMENT: tk._("My departments")},
        "choices": _choices(),
    })


# -- one request ---------------------------------------------------------------------------------


def _show(id: str) -> dict[str, Any]:
    try:
        return tk.get_action("govshare_access_request_show")(base.context(), {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Request not found"))


def request_read(id: str) -> str:
    """A request: its fields, state, deadline, timeline and the user's possible steps."""
    req = _show(id)
    return tk.render("govshare/access/read.html", {
        "req": req, "data": req["data"], "choices": _choices(),
        "reason_events": sorted(access.MACHINE.reason_required),
        "resubmit_fields": RESUBMIT_FIELDS,
    })


def request_event(id: str, event: str) -> Any:
    """Take one step on a request (POST from its page)."""
    if event not in flows.REQUEST_EVENTS or event == flows.GRANT:
        return tk.abort(404, tk._("Unknown event"))
    form = request.form
    data: dict[str, Any] = {"id": id, "reason": form.get("reason", "").strip() or None}
    if event == flows.REFUSE:
        data["refusal_code"] = form.get("refusal_code") or None
    if event == flows.RESUBMIT:
        data.update({k: form[k] for k in RESUBMIT_FIELDS if k in form})
        upload = request.files.get("basis_upload")
        if upload is not None and upload.filename:
            data["basis_upload"] = upload
    try:
        result = tk.get_action(f"govshare_access_request_{event}")(base.context(), data)
    except (tk.NotAuthorized, tk.ObjectNotFound) as e:
        tk.h.flash_error(str(e) or tk._("Not authorized"))
    except tk.ValidationError as e:
        for message in base.messages(e.error_dict):
            tk.h.flash_error(message)
    else:
        tk.h.flash_success(base.label(flows.REQUEST_EVENTS[event]))
        id = result["number"]
    return tk.redirect_to("govshare.access_request", id=id)


def request_basis(id: str) -> Any:
    """The request's basis document (to those who may see the request)."""
    req = _show(id)
    found = access.basis_file_path(cases.get_case(req["id"], flows.ACCESS_REQUEST))
    if found is None or not os.path.isfile(found[0]):
        return tk.abort(404, tk._("No basis document"))
    path, file = found
    return send_file(path, as_attachment=True, download_name=file.get("name") or "basis",
                     mimetype=file.get("mimetype") or "application/octet-stream")


def register(blueprint: Blueprint) -> None:
    """Add the access request pages to the ``govshare`` blueprint."""
    form = RequestFormView.as_view("access_new")
    blueprint.add_url_rule("/govshare/access/new", view_func=form, methods=["GET", "POST"])
    blueprint.add_url_rule("/dataset/<id>/request", view_func=form, methods=["GET", "POST"],
                           endpoint="access_entry_request")
    blueprint.add_url_rule("/govshare/access", view_func=request_list, endpoint="access_list")
    blueprint.add_url_rule("/govshare/access/<id>", view_func=request_read,
                           endpoint="access_request")
    blueprint.add_url_rule("/govshare/access/<id>/basis", view_func=request_basis,
                           endpoint="access_basis")
    blueprint.add_url_rule("/govshare/access/<id>/<event>", view_func=request_event,
                           endpoint="access_event", methods=["POST"])
