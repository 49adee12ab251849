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

from ckanext.govshare import config as gs_config
from ckanext.govshare.catalogue import vocab
from ckanext.govshare.lifecycle import machine

__all__ = ["dataset_facets", "label_facets"]


def _titles() -> dict[str, str]:
    return {
        "catalogue_state": tk._("Catalogue state"),
        "organization": tk._("Departments"),
        "share_type": tk._("Share type"),
        "data_grade": tk._("Data grade"),
        "format_category": tk._("Resource format"),
        "update_cycle": tk._("Update cycle"),
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

    scale = gs_config.grade_scale()
    return {
        "catalogue_state": lambda v: (
            {"zh_Hans_CN": machine.CATALOGUE_STATES[v].zh, "en": machine.CATALOGUE_STATES[v].en}
            if v in machine.CATALOGUE_STATES else None),
        "share_type": from_terms(vocab.SHARE_TYPES),
        "format_category": from_terms(vocab.FORMAT_CATEGORIES),
        "update_cycle": from_terms(vocab.UPDATE_CYCLES),
        "data_grade": lambda v: scale.label(v) if v in scale else None,
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
