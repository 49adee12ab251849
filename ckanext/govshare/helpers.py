"""Template helpers (``h.govshare_*``): vocabulary choices and labels for forms and pages.

The vocabulary helpers are listed once, in ``vocab.__all__`` (``vocab.get_helpers``), the entry
form's in ``form.__all__`` (``form.get_helpers``); the lifecycle's labels are
``lifecycle/labels.py``'s.
"""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.common import current_user
from ckan.lib.dictization import model_dictize
from flask import g
from markupsafe import Markup

from ckanext.govshare.activity import labels as activity_labels
from ckanext.govshare.catalogue import form, vocab
from ckanext.govshare.exchange import dcat_feed
from ckanext.govshare.lifecycle import labels
from ckanext.govshare.portal import workbench
from ckanext.govshare.views import lifecycle as lifecycle_views
from ckanext.govshare.views import shell

globals().update(vocab.get_helpers())
globals().update(form.get_helpers())
globals().update(shell.get_helpers())  # the portal's shell: home, footer, dates, departments
globals().update(lifecycle_views.get_helpers())  # the entry page's lifecycle buttons

__all__ = [*vocab.get_helpers(), *form.get_helpers(), *shell.get_helpers(),
           *lifecycle_views.get_helpers(), "render_datetime",
           "build_nav_main", "build_nav_icon",
           "govshare_lifecycle_label", "govshare_lifecycle_step_sentence",
           "govshare_activity_type_label",
           "govshare_workbench_count", "govshare_user_image",
           "govshare_harvest_delivery", "get_featured_organizations", "get_featured_groups",
           "get_recent_datasets"]


# -- the lifecycle ------------------------------------------------------------------------------


def govshare_lifecycle_label(kind: str, code: str | None) -> str:
    """The label of a lifecycle ``state``, ``stage``, ``event`` or audit ``action`` in the
    page's language (the code itself when unknown)."""
    return labels.label_of(kind, code)


def govshare_lifecycle_step_sentence(action: str | None, public: bool = False) -> str:
    """The activity streams' sentence of lifecycle step ``action`` (an audit action) in the
    page's language, with ``{actor}`` and ``{entry}`` to fill; ``public``: of the step's
    public part, with ``{department}`` and ``{entry}``."""
    return activity_labels.step_sentence(action, public)


def govshare_activity_type_label(activity_type: str) -> str:
    """The label of an activity type (the activity pages' filter) in the page's language."""
    return activity_labels.type_label(activity_type)


def govshare_harvest_delivery(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """When the entry last reached the provincial platform (``last_at``) and whether it
    changed since (``changed_since``), for the members of its department (DB14 §7.5); ``None``
    for anyone else or an entry never harvested."""
    if not pkg.get("owner_org") or not tk.h.check_access(
            "govshare_harvest_delivery_list", {"organization_id": pkg["owner_org"]}):
        return None
    return dcat_feed.delivery_of(pkg["id"])


def govshare_user_image(size: int = 22) -> Markup | str:
    """The signed-in user's picture for the account bar: core's ``h.user_image`` without its
    ``user_show`` (whose answer govshare filters and recounts, on every page), and never a
    Gravatar — an internal catalogue sends nobody's e-mail hash out (and may have no network):
    an uploaded or linked image, else CKAN's placeholder."""
    if not current_user.is_authenticated:
        return ""
    user = model_dictize.user_dictize(current_user, {"model": model, "session": model.Session})
    if user.get("image_display_url"):
        return Markup('<img src="{url}" class="user-image" width="{size}" height="{size}" '
                      'alt="{alt}" />').format(url=tk.h.sanitize_url(user["image_display_url"]),
                                               size=int(size), alt=user["name"])
    return tk.h.snippet("user/snippets/placeholder.html", size=int(size),
                        user_name=user["display_name"])


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


@tk.chained_helper
def render_datetime(next_helper: Any, datetime_: Any, date_format: str | None = None,
                    with_hours: bool = False, with_seconds: bool = False) -> str:
    """Core helper; on a ``zh*`` page without an explicit ``date_format``, the portal's one
    Chinese format (``2026年12月3日 09:05``, :func:`shell.format_datetime`) instead of
    babel's "十二月 3, 2026, 09:05 (+0800)"."""
    if date_format or not (tk.h.lang() or "").startswith("zh"):
        return next_helper(datetime_, date_format=date_format, with_hours=with_hours,
                           with_seconds=with_seconds)
    try:
        value = tk.h.date_str_to_datetime(datetime_) if isinstance(datetime_, str) else datetime_
    except (ValueError, TypeError):  # core renders an unreadable timestamp as nothing
        return ""
    return shell.format_datetime(value, with_hours, with_seconds) if value else ""


@tk.chained_helper
def build_nav_main(next_helper: Any, *args: Any) -> Any:
    """Core helper, without the menu entries of hidden features (分组: ``ui.hidden``)."""
    return next_helper(*(item for item in args if not shell.hidden_nav_item(item[0])))


@tk.chained_helper
def build_nav_icon(next_helper: Any, menu_item: str, title: str, **kw: Any) -> Any:
    """Core helper; a tab of a hidden feature (a dataset's 分组 or 关注者, the dashboard's
    我的分组) is left out."""
    if shell.hidden_nav_item(menu_item):
        return Markup("")
    return next_helper(menu_item, title, **kw)
