"""Search facets of the catalogue: which fields, their titles, and their values' labels.

The portal filters entries by what a department's data-sharing office asks about: lifecycle
state, share type, grade, format and update cycle, besides CKAN's department and tags. Facet
values are codes in the index (``conditional``); :func:`label_facets` gives them their
Chinese or English label for display, so the same URL filters in either language.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.govshare.catalogue import fields, vocab
from ckanext.govshare.lifecycle import tables

__all__ = ["dataset_facets", "label_facets"]


def _titles() -> dict[str, str]:
    return {
        fields.CATALOGUE_STATE: tk._("Catalogue state"),
        "organization": tk._("Departments"),
        fields.SHARE_TYPE: tk._("Share type"),
        fields.DATA_GRADE: tk._("Data grade"),
        "format_category": tk._("Resource format"),
        fields.UPDATE_CYCLE: tk._("Update cycle"),
        "tags": tk._("Tags"),
    }


def dataset_facets(facets: dict[str, Any], package_type: str) -> dict[str, Any]:
    """The catalogue's facets for entries (type ``dataset``); other types keep CKAN's."""
    if package_type != "dataset":
        return facets
    facets.clear()
    facets.update(_titles())
    return facets


def _labeller() -> dict[str, Callable[[str], dict[str, str] | None]]:
    def from_terms(terms):
        index = {t.value: t.label for t in terms}
        return lambda v: index.get(v)

    scale = vocab.grade_scale()
    return {
        fields.CATALOGUE_STATE: lambda v: (
            {"zh_Hans_CN": tables.CATALOGUE_STATES[v].zh, "en": tables.CATALOGUE_STATES[v].en}
            if v in tables.CATALOGUE_STATES else None),
        fields.SHARE_TYPE: from_terms(vocab.SHARE_TYPES),
        "format_category": from_terms(vocab.FORMAT_CATEGORIES),
        fields.UPDATE_CYCLE: from_terms(vocab.UPDATE_CYCLES),
        fields.DATA_GRADE: lambda v: scale.label(v) if v in scale else None,
    }


def label_facets(search_results: dict[str, Any], lang: str) -> dict[str, Any]:
    """Give the facet items of ``search_results`` display names in ``lang`` (in place)."""
    facets = search_results.get("search_facets") or {}
    if not facets:
        return search_results
    key = "zh_Hans_CN" if lang.startswith("zh") else "en"
    labellers = _labeller()
    for field, facet in facets.items():
        label = labellers.get(field)
        if label is None:
            continue
        for item in facet.get("items", []):
            found = label(item.get("name"))
            if found:
                item["display_name"] = found.get(key) or item["display_name"]
    return search_results
