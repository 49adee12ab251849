"""Chained core auth: who may compile a catalogue entry is ``permissions.may_compile``'s decision.

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
from ckanext.govshare.logic.action.catalogue import ENTRY_TYPE

__all__ = ["package_create", "package_update"]


def _refuse(unit: str | None) -> AuthResult:
    return {"success": False, "msg": tk._(
        "You may only compile catalogue entries of the internal units you are a compiler for"
        " (unit: {unit})").format(unit=unit or "-")}


@tk.chained_auth_function
def package_create(next_auth: Any, context: Context, data_dict: DataDict | None) -> AuthResult:
    """Core rule, then: an entry of a unit only by that unit's compilers (or admins); a
    dataset of another type only by sysadmins, or when the type is a declared extra type."""
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
    org_id, unit = data_dict.get("owner_org"), data_dict.get("provider_unit")
    if org_id and unit and not permissions.may_compile(context.get("user"), org_id, unit):
        return _refuse(unit)
    return result


@tk.chained_auth_function
def package_update(next_auth: Any, context: Context, data_dict: DataDict | None) -> AuthResult:
    """Core rule, then: the entry's current and new unit must both be the compiler's."""
    result = next_auth(context, data_dict)
    if not result.get("success") or not data_dict:
        return result
    pkg = context.get("package") or model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
    if pkg is None or pkg.type != ENTRY_TYPE or permissions.entry_state(pkg) is None:
        return result
    for unit in {pkg.extras.get("provider_unit"), data_dict.get("provider_unit")} - {None, ""}:
        if not permissions.may_compile(context.get("user"), pkg.owner_org, unit):
            return _refuse(unit)
    return result
