"""Auth of the workbench's action: a signed-in user's own to-dos."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.govshare import permissions

__all__ = ["govshare_workbench_list"]


def govshare_workbench_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user: the list holds only what waits on them."""
    if permissions.context_user(context) is not None:
        return {"success": True}
    return {"success": False, "msg": tk._("Log in to see your workbench")}
