"""Auth functions of the govshare actions (same names), composed from small capabilities.

Deny by default. Sysadmins pass every check (CKAN's rule) and act as the platform's
administration. Capabilities, each an auth function of its own so that other modules and
templates can ask them:

* ``govshare_permission_manage_department``: the CKAN organization admin of the department
  (department administrator, 部门管理员) — manages roles and filings;
* ``govshare_permission_read_department``: any member of the department (member, editor, admin)
  — reads its roles and filings.

Anonymous users are refused by CKAN before these functions run (none allows anonymous access).
"""
from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.govshare import permissions
from ckanext.govshare.model.filing import Filing

__all__ = [
    "govshare_filing_create",
    "govshare_filing_export",
    "govshare_filing_file",
    "govshare_filing_list",
    "govshare_filing_show",
    "govshare_filing_update",
    "govshare_permission_manage_department",
    "govshare_permission_read_department",
    "govshare_role_event_list",
    "govshare_role_grant",
    "govshare_role_list",
    "govshare_role_revoke",
]

# -- helpers -------------------------------------------------------------------------------------


def _org_id(data_dict: DataDict) -> str | None:
    value = data_dict.get("organization_id")
    group = model.Group.get(str(value)) if value else None
    return group.id if group is not None and group.is_organization else None


def _filing_org(data_dict: DataDict) -> str | None:
    """The department of the filing named by ``id`` (or by ``organization_id``)."""
    filing_id = data_dict.get("id")
    if filing_id:
        record = model.Session.get(Filing, str(filing_id))
        if record is None:
            raise tk.ObjectNotFound(tk._("filing record not found"))
        return record.org_id
    return _org_id(data_dict)


def _allowed(capability: str, context: Context, org_id: str | None) -> AuthResult:
    if not org_id:
        return {"success": False, "msg": tk._("Only sysadmins may act on all departments")}
    return authz.is_authorized(capability, context, {"organization_id": org_id})


# -- capabilities --------------------------------------------------------------------------------


def govshare_permission_manage_department(context: Context, data_dict: DataDict) -> AuthResult:
    """The user administers the department (CKAN organization admin)."""
    org_id = _org_id(data_dict)
    if org_id and authz.has_user_permission_for_group_or_org(
        org_id, context.get("user"), "membership"
    ):
        return {"success": True}
    return {"success": False,
            "msg": tk._("Only administrators of the department may do this")}


def govshare_permission_read_department(context: Context, data_dict: DataDict) -> AuthResult:
    """The user is a member of the department (any capacity)."""
    org_id = _org_id(data_dict)
    if org_id and authz.has_user_permission_for_group_or_org(org_id, context.get("user"), "read"):
        return {"success": True}
    return {"success": False, "msg": tk._("Only members of the department may see this")}


# -- roles ---------------------------------------------------------------------------------------


def govshare_role_grant(context: Context, data_dict: DataDict) -> AuthResult:
    return _allowed("govshare_permission_manage_department", context, _org_id(data_dict))


def govshare_role_revoke(context: Context, data_dict: DataDict) -> AuthResult:
    return _allowed("govshare_permission_manage_department", context, _org_id(data_dict))


def govshare_role_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Members list their department's roles; anybody lists their own roles."""
    if data_dict.get("organization_id"):
        return _allowed("govshare_permission_read_department", context, _org_id(data_dict))
    user = model.User.get(str(data_dict.get("user_id") or ""))
    me = permissions.context_user(context)
    if user is not None and me is not None and user.id == me.id:
        return {"success": True}
    return {"success": False, "msg": tk._("Only sysadmins may list the roles of other users")}


def govshare_role_event_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Like the roles: members read their department's role history, anybody their own."""
    return govshare_role_list(context, data_dict)


# -- filing --------------------------------------------------------------------------------------


def govshare_filing_create(context: Context, data_dict: DataDict) -> AuthResult:
    return _allowed("govshare_permission_manage_department", context, _org_id(data_dict))


def govshare_filing_update(context: Context, data_dict: DataDict) -> AuthResult:
    return _allowed("govshare_permission_manage_department", context, _filing_org(data_dict))


def govshare_filing_file(context: Context, data_dict: DataDict) -> AuthResult:
    return _allowed("govshare_permission_manage_department", context, _filing_org(data_dict))


def govshare_filing_show(context: Context, data_dict: DataDict) -> AuthResult:
    return _allowed("govshare_permission_read_department", context, _filing_org(data_dict))


def govshare_filing_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Members list their department's filings; all departments: sysadmins only."""
    return _allowed("govshare_permission_read_department", context, _org_id(data_dict))


def govshare_filing_export(context: Context, data_dict: DataDict) -> AuthResult:
    """Department admins export their department; all departments: sysadmins only."""
    return _allowed("govshare_permission_manage_department", context, _org_id(data_dict))


# -- steps of chained core auth functions (composed in :mod:`.core`) ------------------------------


def platform_creates_only(next_auth: Any, context: Context,
                          data_dict: DataDict | None) -> AuthResult:
    """Departments (CKAN organizations) and groups are created by the platform's
    administration only: sysadmins pass before any auth function runs; everybody else is
    refused, whatever ``ckan.auth.user_create_organizations``/``_groups`` say."""
    return {"success": False,
            "msg": tk._("Only the platform administrators create departments and groups")}
