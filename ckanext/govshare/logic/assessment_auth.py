"""Auth of the assessment and duplicate-source actions: members of the department only.

Sysadmins pass before these functions run; everyone else is denied unless a member of the
department asked about (or of the entry's department).
"""
from __future__ import annotations

import ckan.model as model
from ckan.types import AuthResult, Context, DataDict

from ..messages import bilingual
from .lifecycle_auth import _member_of

__all__ = ["govshare_assessment_show", "govshare_duplicate_list"]


def _department_member(context: Context, ref: object) -> bool:
    org = model.Group.get(str(ref)) if ref else None
    return org is not None and _member_of(context, org.id)


def govshare_assessment_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Members of the department assessed."""
    if _department_member(context, data_dict.get("organization_id")):
        return {"success": True}
    return {"success": False, "msg": bilingual(
        "只有本部门成员可以查看考核结果", "only members of the department may see its assessment")}


def govshare_duplicate_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Members of the entry's department (the reviewer at review time), or of the department
    whose report is asked for."""
    if data_dict.get("id"):
        pkg = model.Package.get(str(data_dict["id"]))
        ok = pkg is not None and _member_of(context, pkg.owner_org)
    else:
        ok = _department_member(context, data_dict.get("organization_id"))
    if ok:
        return {"success": True}
    return {"success": False, "msg": bilingual(
        "只有本部门成员可以查看重复来源", "only members of the department may see duplicate sources")}
