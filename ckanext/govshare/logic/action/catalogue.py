"""What the catalogue adds to CKAN's ``package_create`` / ``package_update`` before CKAN validates.

``package_create`` / ``package_update`` (and so ``package_patch``, forms and ckanapi) first let
``catalogue.entry.prepare_entry`` allocate the resource code, generate the name and take the
provider code from the department; CKAN's validation (the scheming schema and the rules of
``catalogue/rules.py``) then runs as usual. Datasets of other types are passed through
untouched. The catalogue has no actions of its own: these are steps of the chained core actions,
composed in :mod:`ckanext.govshare.logic.action.core`.
"""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

from ckanext.govshare.catalogue import entry, fields
from ckanext.govshare.logic.validators import DEPARTMENTS_CONTEXT_KEY, expand_form_records

__all__: list[str] = []

#: the dataset type of catalogue entries
ENTRY_TYPE = "dataset"


def _is_entry(data_dict: DataDict, pkg: model.Package | None = None) -> bool:
    """Whether the dataset is a catalogue entry: a stored dataset by its stored type (core
    ``package_update`` keeps it, whatever the caller sends), a new one by the type sent."""
    if pkg is not None:
        return pkg.type == ENTRY_TYPE
    return (data_dict.get("type") or ENTRY_TYPE) == ENTRY_TYPE


def _keep_department(context: Context, org: model.Group | None) -> None:
    """Hand the department just looked up to the validators (one query fewer per write)."""
    if org is not None:
        cache = context.setdefault(DEPARTMENTS_CONTEXT_KEY, {})  # type: ignore[misc]
        cache[org.id] = cache[org.name] = org


def prepare_new_entry(up: Action, context: Context, data_dict: DataDict) -> Any:
    """``package_create``, with the catalogue entry's generated fields filled before ``up``.

    Access is checked before anything is allocated or looked up: a refused caller neither
    consumes a sequence number nor learns whether a code was issued.
    """
    if not _is_entry(data_dict):
        return up(context, data_dict)
    tk.check_access("package_create", context, data_dict)
    expand_form_records(data_dict, fields.ENTRY_RECORD_FIELDS)
    _keep_department(context, entry.prepare_entry(data_dict))
    try:
        return up(context, data_dict)
    except tk.ValidationError as e:
        if not data_dict.get("name") and isinstance(e.error_dict, dict) and len(e.error_dict) > 1:
            # an empty name is generated from the resource code, which is allocated once the
            # classification is valid: "name missing" beside the classification's own errors
            # would contradict the field's help ("left empty, it is generated")
            e.error_dict.pop("name", None)
        raise


def prepare_entry_update(up: Action, context: Context, data_dict: DataDict) -> Any:
    """``package_update``; an entry keeps its resource code when the client omits it."""
    pkg = model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
    if pkg is not None and _is_entry(data_dict, pkg):
        tk.check_access("package_update", context, data_dict)
        expand_form_records(data_dict, fields.ENTRY_RECORD_FIELDS)
        if not data_dict.get(fields.RESOURCE_CODE) and pkg.extras.get(fields.RESOURCE_CODE):
            data_dict[fields.RESOURCE_CODE] = pkg.extras[fields.RESOURCE_CODE]
        _keep_department(context, entry.prepare_entry(data_dict, package_id=pkg.id))
    return up(context, data_dict)
