"""Names of the catalogue entry's fields that code reads or writes: the one place each is spelled.

The schema (``schemas/dataset.yaml``) declares every field; the names here are the ones Python
code needs. Pure constants (no CKAN).
"""
from __future__ import annotations

CATALOGUE_STATE = "catalogue_state"
RESOURCE_CODE = "resource_code"
PROVIDER_UNIT = "provider_unit"
SHARE_TYPE = "share_type"
OPEN_TYPE = "open_type"
DATA_GRADE = "data_grade"
UPDATE_CYCLE = "update_cycle"
INFO_ITEMS = "info_items"
