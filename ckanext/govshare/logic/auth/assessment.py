"""Auth of the assessment and duplicate-source actions: members of the department only.

Sysadmins pass before these functions run; everyone else is denied unless a member of the
department asked about (or of the entry's department). Deciding that two entries are not
duplicates (and taking it back) is for the administrators, reviewers and coordinators of
either entry's department (:func:`ckanext.govshare.permissions.may_dismiss_duplicate`).
Storing a monthly snapshot is for the
department's administrators, reviewers and coordinators (:mod:`ckanext.govshare.permissions`);
listing snapshots of every department at once is for sysadmins.
"""
from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.govshare import permissions
from ckanext.govshare.logic.auth.lifecycle import member_of
from ckanext.govshare.model.revision import Revision

__all__ = ["govshare_assessment_show", "govshare_assessment_snapshot_create",
           "govshare_assessment_snapshot_list", "govshare_duplicate_list",
           "govshare_duplicate_dismiss", "govshare_duplicate_undismiss"]


def _department_member(context: Context, ref: object) -> bool:
    org = model.Group.get(str(ref)) if ref else None
    return org is not None and member_of(context, org.id)


def govshare_assessment_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Members of the department assessed."""
    if _department_member(context, data_dict.get("organization_id")):
        return {"success": True}
    return {"success": False, "msg": tk._("only members of the department may see its assessment")}


def govshare_assessment_snapshot_create(context: Context, data_dict: DataDict) -> AuthResult:
    """The department's administrators, reviewers and coordinators."""
    org = model.Group.get(str(data_dict.get("organization_id") or "")) \
        if data_dict.get("organization_id") else None
    if org is not None and permissions.may_take_assessment_snapshot(
            permissions.context_user(context), org.id):
        return {"success": True}
    return {"success": False, "msg": tk._("only the department's administrators, reviewers and coordinators may store its assessment snapshot")}


def govshare_assessment_snapshot_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Members of the department; the snapshots of all departments: sysadmins only."""
    if _department_member(context, data_dict.get("organization_id")):
        return {"success": True}
    return {"success": False, "msg": tk._("only members of the department may see its assessment snapshots")}


def govshare_duplicate_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Members of the entry's department (the reviewer at review time; for a revision, its
    entry's), or of the department whose report is asked for."""
    if data_dict.get("revision_id"):
        rev = model.Session.get(Revision, str(data_dict["revision_id"]))
        pkg = model.Package.get(rev.entry_id) if rev is not None else None
        ok = pkg is not None and member_of(context, pkg.owner_org)
    elif data_dict.get("id"):
        pkg = model.Package.get(str(data_dict["id"]))
        ok = pkg is not None and member_of(context, pkg.owner_org)
    else:
        ok = _department_member(context, data_dict.get("organization_id"))
    if ok:
        return {"success": True}
    return {"success": False, "msg": tk._("only members of the department may see duplicate sources")}


def govshare_duplicate_dismiss(context: Context, data_dict: DataDict) -> AuthResult:
    """The administrators, reviewers and coordinators of either entry's department."""
    orgs = [pkg.owner_org for pkg in (model.Package.get(str(data_dict.get(key) or ""))
                                      for key in ("id", "duplicate_id")) if pkg is not None]
    if len(orgs) == 2 and permissions.may_dismiss_duplicate(
            permissions.context_user(context), orgs):
        return {"success": True}
    return {"success": False, "msg": tk._(
        "Only the administrators, reviewers and coordinators of either department may decide "
        "that two entries are not duplicates")}


def govshare_duplicate_undismiss(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may take the decision."""
    return govshare_duplicate_dismiss(context, data_dict)
