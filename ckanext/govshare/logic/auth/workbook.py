"""Auth of the 1272 workbook actions: a department's compilers import into it, its members
export it; following a background import is for whoever started it.

Sysadmins pass before these functions run (and alone may import or export every department at
once); who compiles is :func:`ckanext.govshare.permissions.may_compile`'s decision, each row
being checked again as the importer's own ``package_create``/``package_update``.
"""
from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.govshare import permissions
from ckanext.govshare.exchange import importer
from ckanext.govshare.logic.auth.lifecycle import member_of

__all__ = ["govshare_catalogue_export", "govshare_catalogue_import_status",
           "govshare_catalogue_import_xlsx"]


def _org(data_dict: DataDict) -> model.Group | None:
    ref = data_dict.get("organization_id")
    org = model.Group.get(str(ref)) if ref else None
    return org if org is not None and org.is_organization else None


def govshare_catalogue_import_xlsx(context: Context, data_dict: DataDict) -> AuthResult:
    """The department's compilers and administrators (DB14 §7.2 业务谁主管，谁编制)."""
    org = _org(data_dict)
    if org is not None and permissions.may_compile(permissions.context_user(context), org.id,
                                                   None):
        return {"success": True}
    return {"success": False, "msg": tk._(
        "Only the department's compilers and administrators may import its catalogue")}


def govshare_catalogue_import_status(context: Context, data_dict: DataDict) -> AuthResult:
    """The user who started the import."""
    found = importer.status(str(data_dict.get("id") or "")) if data_dict.get("id") else None
    user = permissions.context_user(context)
    if found is None or (user is not None and found.get("user") == user.name):
        return {"success": True}  # an unknown import is "not found" for everyone
    return {"success": False, "msg": tk._("Only the user who started an import may follow it")}


def govshare_catalogue_export(context: Context, data_dict: DataDict) -> AuthResult:
    """Members of the department; the blank template for every logged-in user."""
    if data_dict.get("format") == "template" and permissions.context_user(context) is not None:
        return {"success": True}
    org = _org(data_dict)
    if org is not None and member_of(context, org.id):
        return {"success": True}
    return {"success": False, "msg": tk._("Only members of the department may export its "
                                          "catalogue")}
