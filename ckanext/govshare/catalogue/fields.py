"""Names of the catalogue entry's fields that code reads or writes: the one place each is spelled.

The schema (``schemas/dataset.yaml``) declares every field; the names here are the ones Python
code needs, with the groups of them that code treats alike. Pure constants (no CKAN).
"""
from __future__ import annotations

# -- written by the lifecycle alone (the schema makes them read-only) -----------------------------
CATALOGUE_STATE = "catalogue_state"
ISSUED = "issued"

# -- identity: the department and unit that compile the entry, its provider and its code -------
OWNER_ORG = "owner_org"
PROVIDER_UNIT = "provider_unit"
PROVIDER_CODE = "provider_code"
RESOURCE_CODE = "resource_code"
CATALOG_CLASS = "catalog_class"
CATALOG_ITEM = "catalog_item"
CATALOG_SUBITEM = "catalog_subitem"
CATALOG_DETAIL = "catalog_detail"
FORMAT_CATEGORY = "format_category"

# -- sharing, opening, classification and grading --------------------------------------------
SHARE_TYPE = "share_type"
SHARE_TYPE_REASON = "share_type_reason"
SHARE_CONDITION = "share_condition"
SHARE_SCOPE = "share_scope"
NO_SHARE_BASIS = "no_share_basis"
SHARE_MODE_CATEGORY = "share_mode_category"
SHARE_MODE_TYPE = "share_mode_type"
OPEN_TYPE = "open_type"
OPEN_CONDITION = "open_condition"
DATA_GRADE = "data_grade"
IS_CLASSIFIED = "is_classified"
UPDATE_CYCLE = "update_cycle"
INFO_ITEMS = "info_items"

#: fields written by the state machine alone: the read-only validator keeps their stored values
STATE_FIELDS: frozenset[str] = frozenset({CATALOGUE_STATE, ISSUED})
#: the context key under which a write may set :data:`STATE_FIELDS` (the lifecycle's writes)
LIFECYCLE_CONTEXT_KEY = "govshare_lifecycle"
#: the key of an entry's lifecycle summary (state, version, open step) in ``package_show``
LIFECYCLE_SUMMARY = "govshare_lifecycle"
#: repeating fields stored as one JSON extra each (信息项, 共享范围)
ENTRY_RECORD_FIELDS: tuple[str, ...] = (INFO_ITEMS, SHARE_SCOPE)
