"""Reads of CKAN's ``group`` table about departments that every feature shares: the names and
titles of several departments by id, in one query (a workbench, a case page, a list of
authorizations names the departments of its rows this way, never one lookup per row).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import ckan.model as model

__all__ = ["DepartmentName", "department_names"]


class DepartmentName(NamedTuple):
    """A department's URL name and its title (the name when it has no title)."""

    name: str
    title: str


def department_names(org_ids: Iterable[str | None]) -> dict[str, DepartmentName]:
    """``{id: DepartmentName}`` of the departments ``org_ids`` (empty and unknown ids left
    out), one query."""
    ids = {i for i in org_ids if i}
    if not ids:
        return {}
    rows = model.Session.query(model.Group.id, model.Group.name, model.Group.title).filter(
        model.Group.id.in_(ids))
    return {r.id: DepartmentName(r.name, r.title or r.name) for r in rows}
