"""Auth of the statistics action: a department's members see its statistics; the coordinating
department's coordinators and sysadmins see every department's and the portal's
(:func:`ckanext.govshare.permissions.may_see_statistics`)."""
from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.govshare import permissions

__all__ = ["govshare_statistics_show"]


def govshare_statistics_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Members of the department; the whole portal: the coordinators of the coordinating
    department (统筹协调组织)."""
    ref = (data_dict or {}).get("organization_id")
    org = model.Group.get(str(ref)) if ref else None
    if ref and org is None:
        return {"success": False, "msg": tk._("Department not found")}
    if permissions.may_see_statistics(permissions.context_user(context),
                                      org.id if org is not None else None):
        return {"success": True}
    return {"success": False, "msg": tk._(
        "Only members of the department may see its statistics") if ref else tk._(
        "Only the coordinating department's coordinators may see the portal's statistics")}
