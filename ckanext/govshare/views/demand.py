"""Pages of data demands (数据需求) and of collection and backflow requests (归集 / 回流), on
the ``govshare`` blueprint (``views/__init__.py`` registers them).

* ``/govshare/demand`` — the demands on one side (filed by me, waiting on me, of my
  departments), by state, with due date and working days left or overdue;
* ``/govshare/demand/new`` (提出需求; ``?target=<department>&title=…`` prefill it) — file one;
  linked from the catalogue search page (``govshare/demand/search_link.html``);
* ``/govshare/demand/<id or number>`` — its elements, the linked entry, the steps the user may
  take (accept with a planned date and unit, transfer, refuse with a reason code, withdraw),
  its timeline; once fulfilled, the requester's button to the access-request form prefilled
  with the entry and the demand;
* ``/govshare/collection``, ``/govshare/collection/new``, ``/govshare/collection/<id>`` — the
  same for collection and backflow requests (resubmitted from their page when returned).

Thin: every step is an action (``govshare_demand_*``, ``govshare_collection_*``), every
refusal its auth function's or the state machine's.
"""
from __future__ import annotations

import functools
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.common import current_user, request
from ckan.lib.pagination import Page
from flask import Blueprint
from flask.views import MethodView

from ckanext.govshare.catalogue import vocab
from ckanext.govshare.core_messages import N_
from ckanext.govshare.department import roles as dept_roles
from ckanext.govshare.messages import Label
from ckanext.govshare.sharing import collection, flows
from ckanext.govshare.sharing import demand as service
from ckanext.govshare.views import base

__all__ = ["ACCESS_REQUEST_PATH", "register"]

#: cases per page of the lists
PAGE_SIZE = 25
#: the access-request form (the access pages'): ``?entry=<id>&demand=<case id>`` prefill it
ACCESS_REQUEST_PATH = "/govshare/access/new"
#: the pages of each flow: action prefix, endpoint prefix, the events its page offers in order
_FLOWS: dict[str, tuple[str, tuple[str, ...]]] = {
    flows.DEMAND: ("demand", (flows.ACCEPT, flows.TRANSFER, flows.REFUSE, flows.WITHDRAW)),
    flows.COLLECTION: ("collection", (flows.APPROVE, flows.RETURN, flows.REFUSE,
                                      flows.RESUBMIT, flows.COMPLETE, flows.WITHDRAW)),
}
_LIST_FILTERS = ("side", "state", "organization_id", "overdue", "type")
#: the created row of a timeline
_CREATED = Label("提交", "Filed")


def _labels(table: Mapping[str, Any]) -> dict[str, str]:
    return {code: base.label(Label(t.zh, t.en)) for code, t in table.items()}


def _terms(terms: Iterable[vocab.Term]) -> dict[str, str]:
    return {t.value: base.label(Label(t.zh, t.en)) for t in terms}


def _choices(kind: str) -> dict[str, Any]:
    """Every label a page of ``kind`` shows, in the page's language."""
    machine = flows.MACHINES[kind]
    return {
        "kind": base.label(flows.KINDS[kind]),
        "states": _labels(machine.states),
        "events": _labels(machine.events),
        "actions": {**_labels(machine.events), "created": base.label(_CREATED)},
        "roles": _labels(flows.ROLES),
        "reason_events": sorted(machine.reason_required),
        "cycles": _terms(vocab.UPDATE_CYCLES),
        "refusal_reasons": _labels(flows.REFUSAL_REASONS),
        "types": _labels(flows.COLLECTION_TYPES),
        "libraries": _labels(collection.LIBRARIES),
        "modes": _labels(collection.MODES),
        "sides": {
            service.SIDE_MINE: tk._("Filed by me"),
            service.SIDE_HANDLE: tk._("Waiting on me"),
            service.SIDE_DEPARTMENT: tk._("My departments"),
            service.ALL_SIDES: tk._("All"),
        },
    }


def _departments() -> list[dict[str, str]]:
    """Every active department, for the forms' selects."""
    return [{"id": org_id, "name": name, "title": title}
            for org_id, name, title in service.departments()]


def _flash_errors(error: tk.ValidationError) -> None:
    for message in base.messages(error.error_dict):
        tk.h.flash_error(message)


# -- lists ---------------------------------------------------------------------------------------


def _list_page(kind: str) -> str:
    prefix, _events = _FLOWS[kind]
    if not current_user.is_authenticated:
        return tk.abort(403, tk._("Log in to see this page"))
    filters = {k: request.args.get(k) for k in _LIST_FILTERS if request.args.get(k)}
    if kind == flows.DEMAND:
        filters.pop("type", None)
    page_number = tk.h.get_page_number(request.args)
    try:
        result = tk.get_action(f"govshare_{prefix}_list")(base.context(), {
            **filters, "limit": PAGE_SIZE, "offset": (page_number - 1) * PAGE_SIZE})
    except tk.ValidationError as e:
        _flash_errors(e)
        result = {"count": 0, "results": []}
    page = Page(collection=result["results"], page=page_number, item_count=result["count"],
                items_per_page=PAGE_SIZE, presliced_list=True,
                url=functools.partial(tk.h.url_for, f"govshare.{prefix}_list", **filters))
    return tk.render(f"govshare/demand/{prefix}_list.html", {
        "result": result, "page": page, "filters": filters, "labels": _choices(kind),
        "departments": _departments(),
    })


@base.refusal(N_("Log in to see the demands"))
def demand_list() -> str:
    """The demands on one side, open ones first."""
    return _list_page(flows.DEMAND)


@base.refusal(N_("Log in to see the collection requests"))
def collection_list() -> str:
    """The collection and backflow requests on one side, open ones first."""
    return _list_page(flows.COLLECTION)


# -- forms ---------------------------------------------------------------------------------------


def _my_departments() -> list[dict[str, Any]]:
    return tk.get_action("organization_list_for_user")(base.context(), {"permission": "read"})


class DemandNewView(MethodView):
    """File a demand (提出需求)."""

    def _render(self, data: dict[str, Any], errors: dict[str, Any] | None = None) -> str:
        return tk.render("govshare/demand/demand_new.html", {
            "data": data, "errors": errors or {}, "error_messages": base.messages(errors or {}),
            "labels": _choices(flows.DEMAND), "departments": _departments(),
            "my_departments": _my_departments(),
        })

    @base.refusal(N_("Only members of a department may file a demand"))
    def get(self) -> str:
        if not current_user.is_authenticated:
            return tk.abort(403, tk._("Log in to file a demand"))
        tk.check_access("govshare_demand_create", base.context(), {})
        data = {"target_org": request.args.get("target", ""),
                "title": request.args.get("title", "")}
        return self._render(data)

    @base.refusal(N_("Only members of the requesting department may file for it"))
    def post(self) -> Any:
        form = request.form
        data = {k: form.get(k, "") for k in (
            "title", "description", "requester_org", "target_org", "scenario", "basis",
            "items", "update_cycle", "update_cycle_other", "expected_date")}
        try:
            result = tk.get_action("govshare_demand_create")(base.context(), dict(data))
        except tk.ValidationError as e:
            return self._render(data, e.error_dict)
        tk.h.flash_success(tk._("Demand {number} filed.").format(number=result["number"]))
        return tk.redirect_to("govshare.demand_read", id=result["number"])


_COLLECTION_FORM = ("type", "title", "description", "requester_org", "superior_org",
                    "scenario", "existing_data", "source_org", "source_name", "target_library",
                    "mode", "frequency", "fields", "entry_id")


class CollectionNewView(MethodView):
    """File a collection or backflow request."""

    def _render(self, data: dict[str, Any], errors: dict[str, Any] | None = None) -> str:
        return tk.render("govshare/demand/collection_new.html", {
            "data": data, "errors": errors or {}, "error_messages": base.messages(errors or {}),
            "labels": _choices(flows.COLLECTION), "departments": _departments(),
            "my_departments": _my_departments(),
        })

    @base.refusal(N_("Only members of a department may file a collection request"))
    def get(self) -> str:
        if not current_user.is_authenticated:
            return tk.abort(403, tk._("Log in to file a collection request"))
        tk.check_access("govshare_collection_create", base.context(), {})
        return self._render({"type": request.args.get("type") or collection.COLLECTION,
                             "entry_id": request.args.get("entry", "")})

    @base.refusal(N_("Only members of the requesting department may file for it"))
    def post(self) -> Any:
        data = {k: request.form.get(k, "") for k in _COLLECTION_FORM}
        try:
            result = tk.get_action("govshare_collection_create")(base.context(), dict(data))
        except tk.ValidationError as e:
            return self._render(data, e.error_dict)
        tk.h.flash_success(tk._("Request {number} filed.").format(number=result["number"]))
        return tk.redirect_to("govshare.collection_read", id=result["number"])


# -- a case --------------------------------------------------------------------------------------


def _case(kind: str, id: str) -> dict[str, Any]:
    prefix, _events = _FLOWS[kind]
    try:
        return tk.get_action(f"govshare_{prefix}_show")(base.context(), {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Not found"))


def access_request_url(entry_id: str, case_id: str) -> str:
    """The access-request form prefilled with the entry and the demand it answers."""
    query = urllib.parse.urlencode({"entry": entry_id, "demand": case_id})
    return f"{tk.h.url_for_static(ACCESS_REQUEST_PATH)}?{query}"


@base.refusal(N_("Only the two sides of a demand may see it"))
def demand_read(id: str) -> str:
    """A demand: its elements, the linked entry, the user's steps and the timeline."""
    case = _case(flows.DEMAND, id)
    _prefix, events = _FLOWS[flows.DEMAND]
    target = case.get("target_org")
    units = dept_roles.department_units(target) if target else []
    access_url = None
    if (case["state"] == flows.FULFILLED and case.get("entry_id")
            and case.get("requester_user") == current_user.id):
        access_url = access_request_url(case["entry_id"], case["id"])
    everyone = _departments()
    return tk.render("govshare/demand/demand_read.html", {
        "case": case, "labels": _choices(flows.DEMAND),
        "titles": {d["id"]: d["title"] for d in everyone},
        "events": [e for e in events if e in case["allowed_events"]],
        "units": units,
        "compilers": {u["code"]: [{"name": c.name, "display": c.fullname or c.name}
                                  for c in service.compilers_of(target, u["code"])]
                      for u in units} if flows.ACCEPT in case["allowed_events"] else {},
        "departments": [d for d in everyone if d["id"] != target],
        "access_url": access_url,
    })


@base.refusal(N_("Only the two sides of a request may see it"))
def collection_read(id: str) -> str:
    """A collection or backflow request: its elements, the user's steps and the timeline."""
    case = _case(flows.COLLECTION, id)
    _prefix, events = _FLOWS[flows.COLLECTION]
    everyone = _departments()
    return tk.render("govshare/demand/collection_read.html", {
        "case": case, "labels": _choices(flows.COLLECTION),
        "events": [e for e in events if e in case["allowed_events"]],
        "departments": everyone, "titles": {d["id"]: d["title"] for d in everyone},
    })


#: the form fields each step posts (besides ``reason``)
_EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    flows.ACCEPT: ("planned_date", "unit", "compiler", "entry_id", "entry_title"),
    flows.TRANSFER: ("target_org",),
    flows.REFUSE: ("code",),
    flows.RESUBMIT: ("title", *collection.FIELDS),
}


def _event(kind: str, id: str, event: str) -> Any:
    prefix, events = _FLOWS[kind]
    if event not in events:
        return tk.abort(404, tk._("Unknown event"))
    data: dict[str, Any] = {"id": id, "reason": request.form.get("reason", "")}
    fields = _EVENT_FIELDS.get(event, ()) if kind == flows.DEMAND or event == flows.RESUBMIT \
        else ()
    for name in fields:
        value = request.form.get(name)
        if value not in (None, ""):
            data[name] = value
    try:
        result = tk.get_action(f"govshare_{prefix}_{event}")(base.context(), data)
    except (tk.NotAuthorized, tk.ObjectNotFound) as e:
        tk.h.flash_error(str(e) or tk._("Not authorized"))
    except tk.ValidationError as e:
        _flash_errors(e)
    else:
        tk.h.flash_success(base.label(flows.MACHINES[kind].events[event]))
        id = result["number"]
    return tk.redirect_to(f"govshare.{prefix}_read", id=id)


def demand_event(id: str, event: str) -> Any:
    """Take one step of a demand (POST from its page)."""
    return _event(flows.DEMAND, id, event)


def collection_event(id: str, event: str) -> Any:
    """Take one step of a collection or backflow request (POST from its page)."""
    return _event(flows.COLLECTION, id, event)


def register(blueprint: Blueprint) -> None:
    """Add the demand and collection pages to the ``govshare`` blueprint."""
    blueprint.add_url_rule("/govshare/demand", view_func=demand_list, endpoint="demand_list")
    blueprint.add_url_rule("/govshare/demand/new",
                           view_func=DemandNewView.as_view("demand_new"))
    blueprint.add_url_rule("/govshare/demand/<id>", view_func=demand_read,
                           endpoint="demand_read")
    blueprint.add_url_rule("/govshare/demand/<id>/<event>", view_func=demand_event,
                           endpoint="demand_event", methods=["POST"])
    blueprint.add_url_rule("/govshare/collection", view_func=collection_list,
                           endpoint="collection_list")
    blueprint.add_url_rule("/govshare/collection/new",
                           view_func=CollectionNewView.as_view("collection_new"))
    blueprint.add_url_rule("/govshare/collection/<id>", view_func=collection_read,
                           endpoint="collection_read")
    blueprint.add_url_rule("/govshare/collection/<id>/<event>", view_func=collection_event,
                           endpoint="collection_event", methods=["POST"])
