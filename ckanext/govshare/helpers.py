"""Template helpers (``h.govshare_*``): vocabulary choices and labels for forms and pages.

The vocabulary helpers are listed once, in ``vocab.__all__`` (``vocab.get_helpers``), the entry
form's in ``entry_form.__all__`` (``entry_form.get_helpers``).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.govshare.catalogue import form, vocab
from ckanext.govshare.views.lifecycle import govshare_lifecycle_label, govshare_review_waiting

globals().update(vocab.get_helpers())
globals().update(form.get_helpers())

__all__ = [*vocab.get_helpers(), *form.get_helpers(), govshare_lifecycle_label.__name__,
           govshare_review_waiting.__name__, "get_featured_organizations", "get_featured_groups",
           "get_recent_datasets"]


# -- core helpers that read with ignore_auth: asked again as the visitor ----------------------


def _featured(get_action: str, list_action: str, items: list[str], count: int) -> list[dict]:
    """CKAN's ``featured_group_org`` as the visitor: core's reads the organization with
    ``ignore_auth``, so its datasets came without permission labels or redaction."""
    found: list[dict] = []
    names = list(items or [])
    try:
        names += tk.get_action(list_action)({}, {})
    except tk.NotAuthorized:
        pass
    for name in names:
        try:
            group = tk.get_action(get_action)(
                {"limits": {"packages": 2}, "for_view": True},
                {"id": name, "include_datasets": True})
        except (tk.ObjectNotFound, tk.NotAuthorized):
            continue
        if group["id"] in {g["id"] for g in found}:
            continue
        found.append(group)
        if len(found) == count:
            break
    return found


@tk.chained_helper
def get_featured_organizations(next_helper: Any, count: int = 1) -> list[dict]:
    """Core helper, with the organizations' datasets as the visitor may see them."""
    return _featured("organization_show", "organization_list",
                     tk.aslist(tk.config.get("ckan.featured_orgs")), count)


@tk.chained_helper
def get_featured_groups(next_helper: Any, count: int = 1) -> list[dict]:
    """Core helper, with the groups' datasets as the visitor may see them."""
    return _featured("group_show", "group_list",
                     tk.aslist(tk.config.get("ckan.featured_groups")), count)


@tk.chained_helper
def get_recent_datasets(next_helper: Any, count: int = 1) -> list[dict]:
    """Core helper (which searches with ``ignore_auth``), as the visitor."""
    return tk.get_action("package_search")(
        {"for_view": True}, {"rows": count, "sort": "metadata_modified desc"})["results"]
