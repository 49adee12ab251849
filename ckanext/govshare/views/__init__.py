"""The ``govshare`` blueprint: pages of ckanext-govshare, thin wrappers around the actions.

Department pages live under ``/organization/<id>/govshare/``:

* ``roles`` — the department's roles; its administrators grant and revoke them;
* ``filing`` — the filed responsible persons; administrators edit, mark filed, download;
* ``assessment`` — the catalogue assessment and its trend (``assessment_views.py``);
* ``duplicates`` — possible duplicate sources of the department (``assessment_views.py``).

Every form carries ``h.csrf_input()`` and every POST by a session user is checked (see
:func:`_protect_forms`); access is decided by the actions' auth functions.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.common import current_user, request
from ckan.types import Context
from flask import Blueprint, Response, current_app, g
from flask.views import MethodView
from flask_wtf.csrf import CSRFProtect

from ckanext.govshare.department import filing as gs_filing
from ckanext.govshare.department import roles as gs_roles
from ckanext.govshare.lifecycle.machine import Label
from ckanext.govshare.views import activity, assessment, lifecycle

__all__ = ["govshare"]

govshare = Blueprint("govshare", __name__)

_csrf = CSRFProtect()  # only its protect(), which reads the running app's configuration


@govshare.before_request
def _protect_forms() -> None:
    """Check the CSRF token of every POST made with a login session.

    CKAN exempts a view from CSRF checks for the rest of the process as soon as one request
    reaches it without a session (anonymous, or an API token in the header). These forms
    grant roles and change filed persons, so they check session users themselves; requests
    authenticated by a header carry no cookie to forge and stay exempt, as in core.
    """
    if (not current_app.config.get("WTF_CSRF_ENABLED", True)
            or g.get("login_via_auth_header") or g.get("csrf_valid")):
        return
    _csrf.protect()


def _context() -> Context:
    return {"user": current_user.name, "auth_user_obj": current_user}


def _label(label: Label) -> str:
    """A vocabulary label in the page's language."""
    return label.zh if (tk.h.lang() or "").startswith("zh") else label.en


def _department(id: str) -> dict[str, Any]:
    try:
        return tk.get_action("organization_show")(
            _context(), {"id": id, "include_datasets": False, "include_users": False}
        )
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Department not found"))


def _allowed(auth: str, data_dict: dict[str, Any]) -> bool:
    try:
        tk.check_access(auth, _context(), data_dict)
    except tk.NotAuthorized:
        return False
    return True


def _page(org: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"group_dict": org, "group_type": "organization", **extra}


def _messages(error_dict: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for value in error_dict.values():
        out.extend(value if isinstance(value, list) else [str(value)])
    return out


# -- roles ---------------------------------------------------------------------------------------


class RolesView(MethodView):
    """List the department's roles; administrators grant one (POST)."""

    def _render(self, id: str, data: dict[str, Any] | None = None,
                errors: dict[str, Any] | None = None) -> str:
        org = _department(id)
        try:
            held = tk.get_action("govshare_role_list")(_context(), {"organization_id": org["id"]})
        except tk.NotAuthorized:
            return tk.abort(403, tk._("Only members of the department may see its roles"))
        units = gs_roles.department_units(org["id"])
        return tk.render("govshare/roles.html", _page(
            org,
            roles=held,
            role_labels={code: _label(label) for code, label in gs_roles.ROLES.items()},
            role_bodies={code: _label(label) for code, label in gs_roles.BODIES.items()},
            capacities=gs_roles.CAPACITY,
            units=units,
            can_manage=_allowed("govshare_role_grant", {"organization_id": org["id"]}),
            data=data or {},
            errors=errors or {},
            error_messages=_messages(errors or {}),
        ))

    def get(self, id: str) -> str:
        return self._render(id)

    def post(self, id: str) -> Any:
        org = _department(id)
        data = {
            "organization_id": org["id"],
            "user_id": request.form.get("username", "").strip(),
            "role": request.form.get("role", ""),
            "units": request.form.getlist("units"),
        }
        try:
            result = tk.get_action("govshare_role_grant")(_context(), data)
        except tk.NotAuthorized:
            return tk.abort(403, tk._("Only administrators of the department may grant roles"))
        except tk.ValidationError as e:
            return self._render(id, data, e.error_dict)
        tk.h.flash_success(tk._("Role {role} granted to {user}.").format(
            role=_label(gs_roles.ROLES[result["role"]]), user=data["user_id"]))
        return tk.redirect_to("govshare.roles", id=org["name"])


def role_revoke(id: str) -> Any:
    """Revoke a role (POST from the roles page)."""
    org = _department(id)
    data = {
        "organization_id": org["id"],
        "user_id": request.form.get("user_id", ""),
        "role": request.form.get("role", ""),
    }
    try:
        tk.get_action("govshare_role_revoke")(_context(), data)
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only administrators of the department may revoke roles"))
    except tk.ObjectNotFound:
        tk.h.flash_error(tk._("The user does not hold this role."))
    except tk.ValidationError as e:
        for message in _messages(e.error_dict):
            tk.h.flash_error(message)
    else:
        tk.h.flash_success(tk._("Role revoked."))
    return tk.redirect_to("govshare.roles", id=org["name"])


# -- filing --------------------------------------------------------------------------------------


def _filing_labels() -> dict[str, Any]:
    return {
        "kinds": {code: _label(label) for code, label in gs_filing.KINDS.items()},
        "statuses": {code: _label(label) for code, label in gs_filing.STATUSES.items()},
    }


def _record(org_id: str, kind: str) -> dict[str, Any] | None:
    try:
        return tk.get_action("govshare_filing_show")(
            _context(), {"organization_id": org_id, "kind": kind})
    except tk.ObjectNotFound:
        return None


def filing(id: str) -> str:
    """The department's responsible persons, one row per kind."""
    org = _department(id)
    try:
        records = tk.get_action("govshare_filing_list")(_context(), {"organization_id": org["id"]})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only members of the department may see its filing"))
    by_kind = {r["kind"]: r for r in records}
    return tk.render("govshare/filing.html", _page(
        org,
        rows=[(kind, by_kind.get(kind)) for kind in gs_filing.KINDS],
        can_manage=_allowed("govshare_filing_create", {"organization_id": org["id"]}),
        formats=list(gs_filing.FORMATS),
        **_filing_labels(),
    ))


class FilingEditView(MethodView):
    """Create or change the responsible person of one kind (administrators)."""

    def _setup(self, id: str, kind: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
        if kind not in gs_filing.KINDS:
            tk.abort(404, tk._("Unknown kind of responsible person"))
        org = _department(id)
        if not _allowed("govshare_filing_create", {"organization_id": org["id"]}):
            tk.abort(403, tk._("Only administrators of the department may edit its filing"))
        return org, _record(org["id"], kind)

    def _render(self, org: dict[str, Any], kind: str, record: dict[str, Any] | None,
                data: dict[str, Any], errors: dict[str, Any] | None = None) -> str:
        return tk.render("govshare/filing_edit.html", _page(
            org, kind=kind, record=record, data=data, errors=errors or {},
            error_messages=_messages(errors or {}), **_filing_labels(),
        ))

    def get(self, id: str, kind: str) -> str:
        org, record = self._setup(id, kind)
        return self._render(org, kind, record, dict(record or {}))

    def post(self, id: str, kind: str) -> Any:
        org, record = self._setup(id, kind)
        data = {field: request.form.get(field, "").strip() for field in gs_filing.FILED_FIELDS}
        try:
            if record is None:
                result = tk.get_action("govshare_filing_create")(
                    _context(), {**data, "organization_id": org["id"], "kind": kind})
            else:
                result = tk.get_action("govshare_filing_update")(
                    _context(), {**data, "id": record["id"]})
        except tk.NotAuthorized:
            return tk.abort(403, tk._("Only administrators of the department may edit its filing"))
        except tk.ValidationError as e:
            return self._render(org, kind, record, data, e.error_dict)
        if result["status"] == gs_filing.STATUS_CHANGED and record and \
                record["status"] == gs_filing.STATUS_FILED:
            tk.h.flash_notice(tk._("Saved. The filed person changed: file the record again."))
        else:
            tk.h.flash_success(tk._("Saved."))
        return tk.redirect_to("govshare.filing", id=org["name"])


def filing_file(id: str, kind: str) -> Any:
    """Mark the record of one kind as filed (POST, administrators)."""
    org = _department(id)
    record = _record(org["id"], kind) if kind in gs_filing.KINDS else None
    if record is None:
        return tk.abort(404, tk._("Filing record not found"))
    try:
        tk.get_action("govshare_filing_file")(
            _context(), {"id": record["id"], "receipt": request.form.get("receipt", "").strip()})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only administrators of the department may file"))
    except tk.ValidationError as e:
        for message in _messages(e.error_dict):
            tk.h.flash_error(message)
    else:
        tk.h.flash_success(tk._("Marked as filed."))
    return tk.redirect_to("govshare.filing", id=org["name"])


def filing_export(id: str, fmt: str) -> Any:
    """Download the department's filing records as CSV or XLSX."""
    org = _department(id)
    if fmt not in gs_filing.FORMATS:
        return tk.abort(404, tk._("Unknown format"))
    try:
        payload = tk.get_action("govshare_filing_export")(
            _context(), {"organization_id": org["id"], "format": fmt})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only administrators of the department may export its filing"))
    return Response(
        gs_filing.payload_bytes(payload),
        mimetype=payload["mimetype"].split(";")[0],
        headers={"Content-Disposition": f'attachment; filename="{payload["filename"]}"'},
    )


_prefix = "/organization/<id>/govshare"
govshare.add_url_rule(f"{_prefix}/roles", view_func=RolesView.as_view("roles"))
govshare.add_url_rule(f"{_prefix}/roles/revoke", view_func=role_revoke, methods=["POST"])
govshare.add_url_rule(f"{_prefix}/filing", view_func=filing)
govshare.add_url_rule(f"{_prefix}/filing/export/<fmt>", view_func=filing_export)
govshare.add_url_rule(f"{_prefix}/filing/<kind>",
                      view_func=FilingEditView.as_view("filing_edit"))
govshare.add_url_rule(f"{_prefix}/filing/<kind>/file", view_func=filing_file, methods=["POST"])

# the catalogue lifecycle: review queue, an entry's lifecycle page, a revision's diff
lifecycle.register(govshare)
# the department's assessment and its trend
assessment.register(govshare)
# the activity plugin's pages that render stored snapshots themselves
activity.register(govshare)
