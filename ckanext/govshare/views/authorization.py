"""Pages of authorizations (授权) and their security agreements (安全协议), on the ``govshare``
blueprint (``views/__init__.py`` registers them).

* ``/govshare/authorizations`` — the authorizations of the user's departments, one tab per
  side: 我部门获得的授权 (``side=consumer``, also those naming the user) and 我部门提供的授权
  (``side=provider``); each row with its status, validity and the days to its expiry;
* ``/govshare/authorization/<id>`` — its terms, its agreement (status, accept buttons, the
  download), the suspend / resume / revoke forms (with reasons) and the renewal for those who
  may, its timeline and the entry's access log (all of it for the providing side, one's own
  accesses for the consuming side);
* ``/govshare/authorization/<id>/agreement`` — the agreement as a UTF-8 text document, its
  checksum printed; refused (400) when the text or the terms no longer match the checksum.

Thin: every decision is an action's (``govshare_authorization_*``, ``govshare_access_log_list``)
or its auth function's; the labels are :mod:`~ckanext.govshare.sharing.flows`'.
"""
from __future__ import annotations

import functools
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.common import current_user, request
from ckan.lib.pagination import Page
from flask import Blueprint, Response
from werkzeug.routing import BuildError

from ckanext.govshare import config as gs_config
from ckanext.govshare.core_messages import N_
from ckanext.govshare.sharing import agreement, authorizations, flows
from ckanext.govshare.views import base

__all__ = ["register"]

#: authorizations per page of the list
PAGE_SIZE = 25
#: rows of the entry's access log on an authorization's page
ACCESS_LOG_ROWS = 50
#: the steps an authorization's page posts, and the action each calls
STEPS: dict[str, str] = {
    flows.SUSPEND: "govshare_authorization_suspend",
    flows.RESUME: "govshare_authorization_resume",
    flows.REVOKE: "govshare_authorization_revoke",
    "accept": "govshare_authorization_agreement_accept",
    "renew": "govshare_authorization_renew",
}
#: what the renewal form may change in the prefilled request
RENEW_FIELDS = ("validity_days", "basis")
#: the steps whose form asks for a reason (the table requires one)
REASON_STEPS = sorted(flows.MACHINES[flows.AUTHORIZATION].reason_required)


def _labels() -> dict[str, dict[str, str]]:
    """The authorization's labels in the page's language."""
    return {
        "states": {k: base.label(v) for k, v in flows.AUTHORIZATION_STATES.items()},
        "events": {k: base.label(v) for k, v in flows.AUTHORIZATION_EVENTS.items()},
        "actions": {k: base.label(v) for k, v in authorizations.AUDIT_ACTIONS.items()},
        "sides": {k: base.label(v) for k, v in authorizations.SIDES.items()},
        "provision_methods": {k: base.label(v) for k, v in flows.PROVISION_METHODS.items()},
        "agreement_sides": {agreement.PROVIDER: tk._("Provider (Party A)"),
                            agreement.CONSUMER: tk._("Consumer (Party B)")},
        "validity_days": {str(d): tk._("{days} days").format(days=d)
                          for d in flows.VALIDITY_DAYS},
    }


def _request_url(auth: dict[str, Any]) -> str | None:
    """The page of the case that granted the authorization, where there is one."""
    req = auth.get("request")
    if not req or req.get("kind") != flows.ACCESS_REQUEST:
        return None
    try:
        return tk.h.url_for("govshare.access_request", id=req["number"])
    except BuildError:
        return None


@base.refusal(N_("Log in to see authorizations"))
def authorization_list() -> str:
    """The authorizations of the user's departments, by side."""
    if not current_user.is_authenticated:
        return tk.abort(403, tk._("Log in to see authorizations"))
    side = request.args.get("side")
    side = side if side in authorizations.SIDES else authorizations.SIDE_CONSUMER
    status = request.args.get("status")
    status = status if status in flows.AUTHORIZATION_STATES else None
    page_number = tk.h.get_page_number(request.args)
    data: dict[str, Any] = {"side": side, "limit": PAGE_SIZE,
                            "offset": (page_number - 1) * PAGE_SIZE}
    if status:
        data["status"] = status
    result = tk.get_action("govshare_authorization_list")(base.context(), data)
    filters = {"side": side, **({"status": status} if status else {})}
    page = Page(collection=result["results"], page=page_number, item_count=result["count"],
                items_per_page=PAGE_SIZE, presliced_list=True,
                url=functools.partial(tk.h.url_for, "govshare.authorization_list", **filters))
    return tk.render("govshare/authorization/list.html", {
        "result": result, "page": page, "side": side, "status": status, "labels": _labels(),
        "soon": gs_config.remind_due_soon_days(),
    })


@base.refusal(N_("Only the two sides of an authorization may see it"))
def authorization_read(id: str) -> str:
    """An authorization's terms, agreement, possible steps, timeline and access log."""
    if not current_user.is_authenticated:
        return tk.abort(403, tk._("Log in to see authorizations"))
    auth = tk.get_action("govshare_authorization_show")(base.context(), {"id": id})
    access_log = tk.get_action("govshare_access_log_list")(
        base.context(), {"entry_id": auth["entry_id"], "limit": ACCESS_LOG_ROWS})
    return tk.render("govshare/authorization/read.html", {
        "auth": auth, "labels": _labels(), "reason_steps": REASON_STEPS,
        "access_log": access_log, "request_url": _request_url(auth),
        "soon": gs_config.remind_due_soon_days(),
        "may_renew": auth["status"] in authorizations.RENEWABLE
        and base.allowed("govshare_authorization_renew", {"id": auth["id"]}),
    })


def authorization_step(id: str, step: str) -> Any:
    """Suspend, resume, revoke, accept the agreement or ask for a renewal (POST)."""
    if step not in STEPS:
        return tk.abort(404, tk._("Unknown step"))
    form = request.form
    data: dict[str, Any] = {"id": id}
    if step in REASON_STEPS or step == flows.RESUME:
        data["reason"] = form.get("reason", "").strip() or None
    if step == "accept" and form.get("side"):
        data["side"] = form["side"]
    if step == "renew":
        data.update({k: form[k] for k in RENEW_FIELDS if form.get(k, "").strip()})
        data["agreement_accepted"] = form.get("agreement_accepted") == "true"
    try:
        result = tk.get_action(STEPS[step])(base.context(), data)
    except (tk.NotAuthorized, tk.ObjectNotFound) as e:
        tk.h.flash_error(str(e) or tk._("Not authorized"))
    except tk.ValidationError as e:
        for message in base.messages(e.error_dict):
            tk.h.flash_error(message)
    else:
        if step == "renew":
            tk.h.flash_success(tk._("Renewal requested: {number}").format(
                number=result.get("number") or result.get("id")))
            try:
                return tk.redirect_to("govshare.access_request",
                                      id=result.get("number") or result["id"])
            except BuildError:
                pass
        elif step == "accept":
            tk.h.flash_success(tk._("Security agreement accepted"))
        else:
            tk.h.flash_success(_labels()["events"][step])
    return tk.redirect_to("govshare.authorization_read", id=id)


@base.refusal(N_("Only the two sides of an authorization may see it"))
def authorization_agreement(id: str) -> Any:
    """The agreement's document (UTF-8 text with its checksum), checked before it leaves."""
    if not current_user.is_authenticated:
        return tk.abort(403, tk._("Log in to see authorizations"))
    shown = tk.get_action("govshare_authorization_show")(base.context(), {"id": id})
    if (shown.get("agreement") or {}).get("withheld"):
        return tk.abort(404, tk._("The entry of this authorization is no longer in the catalogue"))
    name, content = authorizations.agreement_document(authorizations.get(shown["id"]))
    return Response(content, mimetype="text/plain", headers={
        "Content-Type": "text/plain; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Checksum-SHA256": (shown["agreement"] or {}).get("checksum") or "",
    })


def register(blueprint: Blueprint) -> None:
    """Add the authorization pages to the ``govshare`` blueprint."""
    blueprint.add_url_rule("/govshare/authorizations", view_func=authorization_list,
                           endpoint="authorization_list")
    blueprint.add_url_rule("/govshare/authorization/<id>", view_func=authorization_read,
                           endpoint="authorization_read")
    blueprint.add_url_rule("/govshare/authorization/<id>/agreement",
                           view_func=authorization_agreement,
                           endpoint="authorization_agreement")
    blueprint.add_url_rule("/govshare/authorization/<id>/step/<step>",
                           view_func=authorization_step, endpoint="authorization_step",
                           methods=["POST"])
