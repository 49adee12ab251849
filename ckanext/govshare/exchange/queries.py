"""The exchange's SQL over CKAN's tables: the catalogue entries a workbook names, the departments.

Bound parameters only. What the rows mean is decided by :mod:`.importer` and :mod:`.export`.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ckan.model as model
import sqlalchemy as sa

from ckanext.govshare.catalogue import fields

__all__ = ["departments", "department_by_uscc", "entries_named", "entry_ids"]

_ENTRIES_NAMED = sa.text("""
    SELECT p.id, p.owner_org, p.title, p.extras->>:code_field AS code,
           p.extras->>:state_field AS state
    FROM package p
    WHERE p.state = 'active' AND p.type = 'dataset'
      AND (p.extras->>:code_field = ANY(:codes)
           OR (p.owner_org = ANY(:orgs) AND p.title = ANY(:titles)))
""")


def entries_named(codes: Iterable[str], org_titles: Iterable[tuple[str, str]]) -> list[Any]:
    """Active entries with one of ``codes``, or titled as one of ``(org_id, title)``: rows of
    ``id, owner_org, title, code, state`` (the caller pairs orgs and titles)."""
    pairs = list(org_titles)
    return model.Session.execute(_ENTRIES_NAMED, {
        "code_field": fields.RESOURCE_CODE, "state_field": fields.CATALOGUE_STATE,
        "codes": sorted(set(codes)), "orgs": sorted({o for o, _ in pairs}),
        "titles": sorted({t for _, t in pairs}),
    }).all()


_DEPARTMENTS = sa.text("""
    SELECT g.id, g.name, g.title, g.extras->>'uscc' AS uscc
    FROM "group" g WHERE g.is_organization AND g.state = 'active'
""")


def departments() -> list[Any]:
    """Every active department: ``id, name, title, uscc``."""
    return model.Session.execute(_DEPARTMENTS).all()


_DEPARTMENT_BY_USCC = sa.text("""
    SELECT g.id FROM "group" g
    WHERE g.is_organization AND g.state = 'active' AND g.extras->>'uscc' = :uscc
    ORDER BY g.created LIMIT 1
""")


def department_by_uscc(uscc: str) -> str | None:
    """The id of the active department with 统一社会信用代码 ``uscc`` (as stored: normalized)."""
    return model.Session.execute(_DEPARTMENT_BY_USCC, {"uscc": uscc}).scalar()


_ENTRY_IDS = sa.text("""
    SELECT p.id FROM package p
    WHERE p.state = 'active' AND p.type = 'dataset' AND p.extras ? :state_field
      AND (CAST(:org AS text) IS NULL OR p.owner_org = :org)
    ORDER BY p.extras->>:code_field, p.id
""")


def entry_ids(org_id: str | None) -> list[str]:
    """Ids of the active catalogue entries (of one department), by resource code."""
    return list(model.Session.execute(_ENTRY_IDS, {
        "state_field": fields.CATALOGUE_STATE, "code_field": fields.RESOURCE_CODE,
        "org": org_id}).scalars())
