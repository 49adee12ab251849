"""Steps of the chained core auth (composed in :mod:`ckanext.govshare.logic.auth.core`): who may
compile a catalogue entry is ``permissions.may_compile``'s decision.

Datasets of another type than the catalogue's skip the entry's schema, units and review: only
sysadmins create them, unless the type is listed in ``ckanext.govshare.extra_dataset_types``.
"""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.govshare import config as gs_config
from ckanext.govshare import permissions
from ckanext.govshare.catalogue import fields
from ckanext.govshare.logic.action.catalogue import ENTRY_TYPE

__all__: list[str] = []


def _refuse(unit: str | None) -> AuthResult:
    return {"success": False, "msg": tk._(
        "You may only compile catalogue entries of the internal units you are a compiler for"
        " (unit: {unit})").format(unit=unit or "-")}


def may_compile_new_entry(next_auth: Any, context: Context,
                          data_dict: DataDict | None) -> AuthResult:
    """``package_create``: ``next_auth``'s rule, then: an entry of a unit only by that unit's
    compilers (or admins); a dataset of another type only by sysadmins, or when the type is a
    declared extra type."""
    result = next_auth(context, data_dict)
    if not result.get("success") or not data_dict:
        return result
    kind = data_dict.get("type") or ENTRY_TYPE
    if kind != ENTRY_TYPE:
        if kind in gs_config.extra_dataset_types():
            return result
        return {"success": False, "msg": tk._(
            "Only sysadmins may create datasets of type {type}: catalogue entries are of type"
            " dataset").format(type=kind)}
    org_id, unit = data_dict.get("owner_org"), data_dict.get(fields.PROVIDER_UNIT)
    user = permissions.context_user(context)
    if org_id and unit and not permissions.may_compile(user, org_id, unit):
        return _refuse(unit)
    return result


def may_compile_entry(next_auth: Any, context: Context, data_dict: DataDict | None) -> AuthResult:
    """``package_update``: ``next_auth``'s rule, then: the entry's current and new unit must
    both be the compiler's."""
    result = next_auth(context, data_dict)
    if not result.get("success") or not data_dict:
        return result
    pkg = context.get("package") or model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
    if pkg is None or pkg.type != ENTRY_TYPE or permissions.entry_state(pkg) is None:
        return result
    user = permissions.context_user(context)
    units = {pkg.extras.get(fields.PROVIDER_UNIT), data_dict.get(fields.PROVIDER_UNIT)}
    for unit in units - {None, ""}:
        if not permissions.may_compile(user, pkg.owner_org, unit):
            return _refuse(unit)
    return result
