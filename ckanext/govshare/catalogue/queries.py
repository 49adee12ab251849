"""The catalogue's SQL: CKAN's ``package`` (and its ``extras``) and ``group`` tables, and the
register of resource codes (``govshare_code_sequence``, ``govshare_resource_code``).

Bound parameters only: field names and values reach the database as parameters; no statement
is built from values. What the rows mean is decided by the callers (:mod:`.entry`,
:mod:`.duplicates`).
"""
from __future__ import annotations

from typing import Any

import ckan.model as model
import sqlalchemy as sa

from ckanext.govshare.catalogue import fields

__all__ = ["claim_code", "code_owner", "entries_to_compare", "next_code_number"]

# -- the register of resource codes --------------------------------------------------------------

_NEXT = sa.text("""
    INSERT INTO govshare_code_sequence (prefix, last_value) VALUES (:prefix, 1)
    ON CONFLICT (prefix) DO UPDATE SET last_value = govshare_code_sequence.last_value + 1
    RETURNING last_value
""")

_OWNER = sa.text("SELECT package_id FROM govshare_resource_code WHERE code = :code")

_CLAIM = sa.text("""
    INSERT INTO govshare_resource_code (code, package_id, org_id)
    VALUES (:code, :package_id, :org_id) ON CONFLICT (code) DO NOTHING RETURNING code
""")


def next_code_number(prefix: str) -> int:
    """The next number of the per-prefix sequence; its row stays locked until the transaction
    ends (a rolled-back transaction gives the number back)."""
    return model.Session.execute(_NEXT, {"prefix": prefix}).scalar_one()


def code_owner(code: str) -> str | None:
    """Id of the dataset a code was issued to, or ``None`` if it was never issued."""
    return model.Session.execute(_OWNER, {"code": code}).scalar()


def claim_code(code: str, package_id: str, org_id: str | None) -> bool:
    """Register ``code`` for ``package_id``; ``False`` when it is registered already (to this
    dataset or another). A concurrent claim of the same code waits for the first."""
    return model.Session.execute(
        _CLAIM, {"code": code, "package_id": package_id, "org_id": org_id}).scalar() is not None


# -- the entries duplicates are looked for among -------------------------------------------------

_ENTRIES_TO_COMPARE = sa.text("""
    SELECT p.id, p.name, p.title, p.owner_org, p.extras->>:state_field AS state,
           p.extras->>:code_field AS code, p.extras->>:unit_field AS unit,
           p.extras->>:items_field AS info_items, g.name AS org_name, g.title AS org_title
    FROM package p LEFT JOIN "group" g ON g.id = p.owner_org
    WHERE p.state = 'active' AND p.type = 'dataset' AND p.extras ? :state_field
""")


def entries_to_compare() -> list[Any]:
    """Every active catalogue entry (a dataset with a ``catalogue_state``) with what the
    duplicate check compares: ``id, name, title, owner_org, state, code, unit, info_items``
    (JSON text), ``org_name, org_title``. Who may see which is the caller's question."""
    return model.Session.execute(_ENTRIES_TO_COMPARE, {
        "state_field": fields.CATALOGUE_STATE, "code_field": fields.RESOURCE_CODE,
        "unit_field": fields.PROVIDER_UNIT, "items_field": fields.INFO_ITEMS,
    }).all()
