"""Template helpers (``h.govshare_*``): vocabulary choices and labels for forms and pages.

The vocabulary helpers are listed once, in ``vocab.__all__`` (``vocab.get_helpers``), the entry
form's in ``form.__all__`` (``form.get_helpers``); the lifecycle's labels are
``lifecycle/labels.py``'s.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.common import current_user
from flask import g

from ckanext.govshare.catalogue import form, vocab
from ckanext.govshare.exchange import dcat_feed
from ckanext.govshare.lifecycle import labels, queries
from ckanext.govshare.portal import workbench
from ckanext.govshare.views import sharing

globals().update(vocab.get_helpers())
globals().update(form.get_helpers())

__all__ = [*vocab.get_helpers(), *form.get_helpers(), "govshare_lifecycle_label",
           "govshare_review_waiting", "govshare_sharing_waiting", "govshare_workbench_count",
           "govshare_harvest_delivery", "get_featured_organizations", "get_featured_groups",
           "get_recent_datasets"]


# -- the lifecycle ------------------------------------------------------------------------------


def govshare_lifecycle_label(kind: str, code: str | None) -> str:
    """The label of a lifecycle ``state``, ``stage``, ``event`` or audit ``action`` in the
    page's language (the code itself when unknown)."""
    return labels.label_of(kind, code)


def govshare_harvest_delivery(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """When the entry last reached the provincial platform (``last_at``) and whether it
    changed since (``changed_since``), for the members of its department (DB14 §7.5); ``None``
    for anyone else or an entry never harvested."""
    if not pkg.get("owner_org") or not tk.h.check_access(
            "govshare_harvest_delivery_list", {"organization_id": pkg["owner_org"]}):
        return None
    return dcat_feed.delivery_of(pkg["id"])


def govshare_review_waiting() -> int:
    """How many open review steps wait for the logged-in user's decision (0 when logged
    out); one query (:func:`queries.waiting_count`), for the navigation badge."""
    if not current_user.is_authenticated:
        return 0
    return queries.waiting_count(current_user.id)


def govshare_sharing_waiting() -> int:
    """How many open sharing cases (requests, demands, disputes…) wait on the logged-in user
    (0 when logged out); one query, for the navigation badge."""
    if not current_user.is_authenticated:
        return 0
    return sharing.waiting_count()


def govshare_workbench_count() -> int:
    """How many to-dos wait on the logged-in user across every flow (0 when logged out): the
    header's 工作台 badge; one count per kind of to-do (:func:`workbench.count`), asked once
    per request."""
    if not current_user.is_authenticated:
        return 0
    if "govshare_workbench_count" not in g:
        g.govshare_workbench_count = workbench.count(current_user)
    return g.govshare_workbench_count


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
