"""The assessment's SQL over CKAN's ``package`` table (and its ``extras``), and over the
sharing flows' cases (the quality complaints whose correction was accepted).

Bound parameters only: field names and values reach the database as parameters; no statement
is built from values.
"""
from __future__ import annotations

import datetime
from collections.abc import Collection

import ckan.model as model
import sqlalchemy as sa

from ckanext.govshare.catalogue import fields
from ckanext.govshare.model.sharing import Case
from ckanext.govshare.sharing import complaint, flows

__all__ = ["entry_ids", "corrected_entry_ids"]

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


def corrected_entry_ids(ids: Collection[str], start: datetime.datetime,
                        end: datetime.datetime) -> set[str]:
    """The entries among ``ids`` with an accepted correction in [``start``, ``end``): a quality
    complaint (纠错) about the entry or one of its 信息项 that the provider accepted as an
    error (``correction_accepted``) and the complainant marked solved in the period."""
    if not ids:
        return set()
    rows = model.Session.query(sa.distinct(Case.entry_id)).filter(
        Case.kind == flows.COMPLAINT, Case.state == flows.SOLVED,
        Case.entry_id.in_(list(ids)),
        Case.data[complaint.CORRECTION_ACCEPTED].as_boolean().is_(True),
        Case.closed_at >= start, Case.closed_at < end)
    return {row[0] for row in rows}
