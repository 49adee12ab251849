"""A department's roles and filing, on the ``govshare`` blueprint (``views/__init__.py``
registers them).

Under ``/organization/<id>/govshare/``:

* ``roles`` — the department's roles; its administrators grant and revoke them;
* ``filing`` — the filed responsible persons; administrators edit, mark filed, download.

Thin: every change is an action (``govshare_role_*``, ``govshare_filing_*``), every refusal its
auth function's, shown as the view's 403 page (:func:`base.refusal`).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.common import request
from flask import Blueprint, Response
from flask.views import MethodView

from ckanext.govshare.core_messages import N_
from ckanext.govshare.department import filing as gs_filing
from ckanext.govshare.department import roles as gs_roles
from ckanext.govshare.views import base

__all__ = ["register"]


# -- roles ---------------------------------------------------------------------------------------


class RolesView(MethodView):
    """List the department's roles; administrators grant one (POST)."""

    def _render(self, id: str, data: dict[str, Any] | None = None,
                errors: dict[str, Any] | None = None) -> str:
        org = base.department(id)
        held = tk.get_action("govshare_role_list")(base.context(), {"organization_id": org["id"]})
        units = gs_roles.department_units(org["id"])
        return tk.render("govshare/roles.html", base.page(
            org,
            roles=held,
            role_labels={code: base.label(label) for code, label in gs_roles.ROLES.items()},
            role_bodies={code: base.label(label) for code, label in gs_roles.BODIES.items()},
            capacities=gs_roles.CAPACITY,
            units=units,
            can_manage=base.allowed("govshare_role_grant", {"organization_id": org["id"]}),
            data=data or {},
            errors=errors or {},
            error_messages=base.messages(errors or {}),
        ))

    @base.refusal(N_("Only members of the department may see its roles"))
    def get(self, id: str) -> str:
        return self._render(id)

    @base.refusal(N_("Only administrators of the department may grant roles"))
    def post(self, id: str) -> Any:
        org = base.department(id)
        data = {
            "organization_id": org["id"],
            "user_id": request.form.get("username", "").strip(),
            "role": request.form.get("role", ""),
            "units": request.form.getlist("units"),
        }
        try:
            result = tk.get_action("govshare_role_grant")(base.context(), data)
        except tk.ValidationError as e:
            return self._render(id, data, e.error_dict)
        tk.h.flash_success(tk._("Role {role} granted to {user}.").format(
            role=base.label(gs_roles.ROLES[result["role"]]), user=data["user_id"]))
        return tk.redirect_to("govshare.roles", id=org["name"])


@base.refusal(N_("Only administrators of the department may revoke roles"))
def role_revoke(id: str) -> Any:
    """Revoke a role (POST from the roles page)."""
    org = base.department(id)
    data = {
        "organization_id": org["id"],
        "user_id": request.form.get("user_id", ""),
        "role": request.form.get("role", ""),
    }
    try:
        tk.get_action("govshare_role_revoke")(base.context(), data)
    except tk.ObjectNotFound:
        tk.h.flash_error(tk._("The user does not hold this role."))
    except tk.ValidationError as e:
        for message in base.messages(e.error_dict):
            tk.h.flash_error(message)
    else:
        tk.h.flash_success(tk._("Role revoked."))
    return tk.redirect_to("govshare.roles", id=org["name"])


# -- filing --------------------------------------------------------------------------------------


def _filing_labels() -> dict[str, Any]:
    return {
        "kinds": {code: base.label(label) for code, label in gs_filing.KINDS.items()},
        "statuses": {code: base.label(label) for code, label in gs_filing.STATUSES.items()},
    }


def _record(org_id: str, kind: str) -> dict[str, Any] | None:
    try:
        return tk.get_action("govshare_filing_show")(
            base.context(), {"organization_id": org_id, "kind": kind})
    except tk.ObjectNotFound:
        return None


@base.refusal(N_("Only members of the department may see its filing"))
def filing(id: str) -> str:
    """The department's responsible persons, one row per kind."""
    org = base.department(id)
    records = tk.get_action("govshare_filing_list")(base.context(), {"organization_id": org["id"]})
    by_kind = {r["kind"]: r for r in records}
    return tk.render("govshare/filing.html", base.page(
        org,
        rows=[(kind, by_kind.get(kind)) for kind in gs_filing.KINDS],
        can_manage=base.allowed("govshare_filing_create", {"organization_id": org["id"]}),
        formats=list(gs_filing.FORMATS),
        **_filing_labels(),
    ))


#: the 403 page of the filing form
_EDIT_REFUSAL = N_("Only administrators of the department may edit its filing")


class FilingEditView(MethodView):
    """Create or change the responsible person of one kind (administrators)."""

    def _setup(self, id: str, kind: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
        if kind not in gs_filing.KINDS:
            tk.abort(404, tk._("Unknown kind of responsible person"))
        org = base.department(id)
        if not base.allowed("govshare_filing_create", {"organization_id": org["id"]}):
            tk.abort(403, tk._(_EDIT_REFUSAL))
        return org, _record(org["id"], kind)

    def _render(self, org: dict[str, Any], kind: str, record: dict[str, Any] | None,
                data: dict[str, Any], errors: dict[str, Any] | None = None) -> str:
        return tk.render("govshare/filing_edit.html", base.page(
            org, kind=kind, record=record, data=data, errors=errors or {},
            error_messages=base.messages(errors or {}), **_filing_labels(),
        ))

    @base.refusal(_EDIT_REFUSAL)
    def get(self, id: str, kind: str) -> str:
        org, record = self._setup(id, kind)
        return self._render(org, kind, record, dict(record or {}))

    @base.refusal(_EDIT_REFUSAL)
    def post(self, id: str, kind: str) -> Any:
        org, record = self._setup(id, kind)
        data = {field: request.form.get(field, "").strip() for field in gs_filing.FILED_FIELDS}
        try:
            if record is None:
                result = tk.get_action("govshare_filing_create")(
                    base.context(), {**data, "organization_id": org["id"], "kind": kind})
            else:
                result = tk.get_action("govshare_filing_update")(
                    base.context(), {**data, "id": record["id"]})
        except tk.ValidationError as e:
            return self._render(org, kind, record, data, e.error_dict)
        if result["status"] == gs_filing.STATUS_CHANGED and record and \
                record["status"] == gs_filing.STATUS_FILED:
            tk.h.flash_notice(tk._("Saved. The filed person changed: file the record again."))
        else:
            tk.h.flash_success(tk._("Saved."))
        return tk.redirect_to("govshare.filing", id=org["name"])


@base.refusal(N_("Only administrators of the department may file"))
def filing_file(id: str, kind: str) -> Any:
    """Mark the record of one kind as filed (POST, administrators)."""
    org = base.department(id)
    record = _record(org["id"], kind) if kind in gs_filing.KINDS else None
    if record is None:
        return tk.abort(404, tk._("Filing record not found"))
    try:
        tk.get_action("govshare_filing_file")(
            base.context(), {"id": record["id"], "receipt": request.form.get("receipt", "").strip()})
    except tk.ValidationError as e:
        for message in base.messages(e.error_dict):
            tk.h.flash_error(message)
    else:
        tk.h.flash_success(tk._("Marked as filed."))
    return tk.redirect_to("govshare.filing", id=org["name"])


@base.refusal(N_("Only administrators of the department may export its filing"))
def filing_export(id: str, fmt: str) -> Any:
    """Download the department's filing records as CSV or XLSX."""
    org = base.department(id)
    if fmt not in gs_filing.FORMATS:
        return tk.abort(404, tk._("Unknown format"))
    payload = tk.get_action("govshare_filing_export")(
        base.context(), {"organization_id": org["id"], "format": fmt})
    return Response(
        gs_filing.payload_bytes(payload),
        mimetype=payload["mimetype"].split(";")[0],
        headers={"Content-Disposition": f'attachment; filename="{payload["filename"]}"'},
    )


def register(blueprint: Blueprint) -> None:
    """Add the department's roles and filing pages to the ``govshare`` blueprint."""
    prefix = "/organization/<id>/govshare"
    blueprint.add_url_rule(f"{prefix}/roles", view_func=RolesView.as_view("roles"))
    blueprint.add_url_rule(f"{prefix}/roles/revoke", view_func=role_revoke, methods=["POST"])
    blueprint.add_url_rule(f"{prefix}/filing", view_func=filing)
    blueprint.add_url_rule(f"{prefix}/filing/export/<fmt>", view_func=filing_export)
    blueprint.add_url_rule(f"{prefix}/filing/<kind>",
                           view_func=FilingEditView.as_view("filing_edit"))
    blueprint.add_url_rule(f"{prefix}/filing/<kind>/file", view_func=filing_file,
                           methods=["POST"])
