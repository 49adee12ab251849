"""The assessment's SQL over CKAN's ``package`` table (and its ``extras``).

Bound parameters only: field names and values reach the database as parameters; no statement
is built from values.
"""
from __future__ import annotations

import ckan.model as model
import sqlalchemy as sa

from ckanext.govshare.catalogue import fields

__all__ = ["entry_ids"]

# ``:unit`` NULL: the whole department
_ENTRY_IDS = sa.text("""
    SELECT id FROM package
    WHERE owner_org = :org AND state = 'active' AND extras ? :state_field
      AND (CAST(:unit AS text) IS NULL OR extras->>:unit_field = :unit)
""")


def entry_ids(org_id: str, unit: str | None = None) -> list[str]:
    """Ids of the active catalogue entries (datasets with a ``catalogue_state``) of department
    ``org_id``, or of its ``unit`` only."""
    rows = model.Session.execute(_ENTRY_IDS, {
        "org": org_id, "unit": unit or None, "state_field": fields.CATALOGUE_STATE,
        "unit_field": fields.PROVIDER_UNIT})
    return [row.id for row in rows]
