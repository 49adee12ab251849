"""Auth of what the provincial platform received: members of the department only."""
from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.govshare.logic.auth.lifecycle import member_of

__all__ = ["govshare_harvest_delivery_list"]


def govshare_harvest_delivery_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Members of the department (sysadmins pass before)."""
    ref = data_dict.get("organization_id")
    org = model.Group.get(str(ref)) if ref else None
    if org is not None and member_of(context, org.id):
        return {"success": True}
    return {"success": False, "msg": tk._(
        "Only members of the department may see what was reported to the platform")}
