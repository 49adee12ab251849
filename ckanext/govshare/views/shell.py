"""The portal's shell: what the home, about, error, footer and department pages show around the
catalogue's own pages, as template helpers (``h.govshare_*``, listed in :data:`__all__` and
registered by ``helpers.py`` through :func:`get_helpers`).

* the home page's facts: published entries counted by department and share type, the latest
  published entries, the notices (``ckanext.govshare.home.*``), read as the visitor;
* the site identity (主办单位, 技术支持, contact, 备案号: ``ckanext.govshare.site.*``);
* the CKAN features a government catalogue hides (``ckanext.govshare.ui.hidden``);
* one Chinese date format (:func:`format_datetime`, used by the chained core helper
  ``render_datetime`` in ``helpers.py``);
* a department's about page (units, business matters, level) and its members by catalogue
  role, without CKAN's site user.

Who sees which entry is :mod:`ckanext.govshare.permissions`' decision: every read here goes
through ``package_search`` as the visitor, whose permission labels that module gives.
"""
from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytz
from flask import current_app

from ckanext.govshare import config as gs_config
from ckanext.govshare import permissions
from ckanext.govshare.catalogue import fields, vocab
from ckanext.govshare.department import roles as dept_roles
from ckanext.govshare.lifecycle import labels, tables
from ckanext.govshare.logic.schema import NOTICES_SUMMARY_LABEL

__all__ = [
    "govshare_home_facts",
    "govshare_home_notices_help",
    "govshare_config_error_summary",
    "govshare_site_identity",
    "govshare_hidden",
    "hidden_nav_item",
    "govshare_sign_in_required",
    "govshare_has_page",
    "govshare_date",
    "govshare_error_title",
    "govshare_department_about",
    "govshare_department_members",
    "govshare_role_label",
    "format_datetime",
    "get_helpers",
]

#: the home page's facets: departments and share types (labelled by ``after_dataset_search``)
_HOME_FACETS = ("organization", fields.SHARE_TYPE)


# -- the home page -------------------------------------------------------------------------------


def govshare_home_facts() -> dict[str, Any]:
    """What the home page shows the visitor: ``total`` published entries, ``departments`` and
    ``share_types`` (facet items ``{name, display_name, count}``, most first), ``latest``
    (the latest published entries, dataset dicts) and ``notices``.

    One ``package_search`` as the visitor (their permission labels decide what is counted);
    an anonymous visitor of a non-public catalogue gets nothing counted
    (:func:`govshare_sign_in_required`)."""
    facts: dict[str, Any] = {"total": 0, "departments": [], "share_types": [], "latest": [],
                             "notices": gs_config.home_notices()}
    if govshare_sign_in_required():
        return facts
    result = tk.get_action("package_search")({"for_view": True}, {
        "fq": f"+{fields.CATALOGUE_STATE}:{tables.PUBLISHED}",
        "rows": gs_config.home_latest(),
        "sort": "metadata_modified desc",
        "include_private": True,
        "facet.field": list(_HOME_FACETS),
        "facet.limit": -1,
    })
    facets = result.get("search_facets") or {}

    def items(field: str) -> list[dict[str, Any]]:
        found = (facets.get(field) or {}).get("items") or []
        return sorted(found, key=lambda i: (-i["count"], i.get("display_name") or ""))

    facts.update(total=result["count"], departments=items("organization"),
                 share_types=items(fields.SHARE_TYPE),
                 latest=[_latest_row(pkg) for pkg in result["results"]])
    return facts


def _latest_row(pkg: dict[str, Any]) -> dict[str, Any]:
    share_type = vocab.lookup(vocab.SHARE_TYPES, pkg.get(fields.SHARE_TYPE))
    return {
        "name": pkg["name"],
        "title": pkg.get("title") or pkg["name"],
        "resource_code": pkg.get(fields.RESOURCE_CODE) or "",
        "department": (pkg.get("organization") or {}).get("title") or "",
        "share_type": labels.in_page_language(share_type) if share_type else "",
        "issued": pkg.get(fields.ISSUED) or pkg.get("metadata_modified"),
    }


def govshare_home_notices_help() -> str:
    """The admin form's help under 首页通知公告 (``/ckan-admin/config``), with the longest
    notice it accepts."""
    return tk._("Shown in this order in the notices box of the home page, to everyone who can "
                "open it: one notice per line, at most {limit} characters each. Empty: no "
                "notices box.").format(limit=gs_config.home_notice_max_length())


def govshare_config_error_summary(summary: Any) -> Any:
    """The error summary of ``/ckan-admin/config`` with the home page's notices named by
    their label (首页通知公告, Home page notices) in the page's language: CKAN names an
    option by its key prettified and passed through gettext, "Ckanext.govshare.home.notices",
    which only the Chinese catalogue translates."""
    if not summary:
        return summary
    key = tk._(NOTICES_SUMMARY_LABEL)
    return {tk._("Home page notices") if name == key else name: message
            for name, message in summary.items()}


def govshare_sign_in_required() -> bool:
    """Whether the visitor is anonymous on a portal whose catalogue anonymous visitors do not
    see (:func:`permissions.anonymous_sees_catalogue`): the pages ask them to sign in."""
    user = permissions.current_user()
    return (user is None or user.is_anonymous) and not permissions.anonymous_sees_catalogue()


def govshare_has_page(endpoint: str) -> bool:
    """Whether the running portal serves ``endpoint`` (a page another plugin or a later
    version adds, linked only where it exists)."""
    return endpoint in current_app.view_functions


# -- site identity and hidden features ------------------------------------------------------------


def govshare_site_identity() -> list[dict[str, str]]:
    """The footer's identity lines that are set, in order: ``{key, label, value, url}``
    (``url`` only for the 备案号)."""
    identity = gs_config.site_identity()
    titles = {"sponsor": tk._("Sponsor"), "support": tk._("Technical support"),
              "contact": tk._("Contact"), "icp": tk._("ICP filing")}
    return [{"key": key, "label": titles[key], "value": identity[key],
             "url": identity["icp_url"] if key == "icp" else ""}
            for key in gs_config.SITE_IDENTITY if identity[key]]


def govshare_hidden(feature: str) -> bool:
    """Whether the CKAN ``feature`` (``groups``, ``follow``, ``license``, ``social``,
    ``visibility``, ``unpublish``) is hidden from the pages (``ckanext.govshare.ui.hidden``)."""
    return feature in gs_config.ui_hidden()


#: the navigation items (endpoints, with or without their blueprint) of each hideable feature
_HIDDEN_NAV: dict[str, tuple[str, ...]] = {
    "groups": ("group.index", "groups", "dashboard.groups"),
    "follow": ("followers",),
}


def hidden_nav_item(endpoint: str) -> bool:
    """Whether a navigation item (a tab or a main menu entry, by its endpoint, e.g.
    ``group.index``, ``dataset.groups``, ``dashboard.groups``, ``dataset.followers``) belongs
    to a hidden feature; ``build_nav_main``/``build_nav_icon`` (chained in ``helpers.py``)
    leave it out."""
    hidden = gs_config.ui_hidden()
    short = endpoint.rsplit(".", 1)[-1]
    return any(endpoint in items or short in items
               for feature, items in _HIDDEN_NAV.items() if feature in hidden)


# -- dates --------------------------------------------------------------------------------------


def _in_display_zone(value: datetime.datetime) -> datetime.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=pytz.utc)
    zone = tk.config.get("ckan.display_timezone") or "UTC"
    if zone == "server":
        return value.astimezone()
    try:
        return value.astimezone(pytz.timezone(zone))
    except pytz.UnknownTimeZoneError:
        return value


def format_datetime(value: datetime.datetime | datetime.date, with_hours: bool = False,
                    with_seconds: bool = False) -> str:
    """One Chinese date format for every page: ``2026年12月3日``, with the time of day in the
    portal's display zone (``ckan.display_timezone``) ``2026年12月3日 09:05`` (``:07`` with
    seconds). A date without a time is shown as it is."""
    if isinstance(value, datetime.datetime):
        value = _in_display_zone(value)
    text = f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, datetime.datetime) and (with_hours or with_seconds):
        text += value.strftime(" %H:%M:%S" if with_seconds else " %H:%M")
    return text


def _parse(value: Any) -> datetime.datetime | datetime.date | None:
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value
    if not value:
        return None
    try:
        return tk.h.date_str_to_datetime(str(value))
    except (ValueError, TypeError):
        try:
            return datetime.date.fromisoformat(str(value)[:10])
        except ValueError:
            return None


def govshare_date(value: Any, with_hours: bool = False) -> str:
    """A date or timestamp (object or ISO string) in the page's format: the Chinese one on a
    ``zh*`` page, CKAN's own on the others; ``""`` for nothing or an unreadable value."""
    parsed = _parse(value)
    if parsed is None:
        return ""
    if (tk.h.lang() or "").startswith("zh"):
        return format_datetime(parsed, with_hours=with_hours)
    if not isinstance(parsed, datetime.datetime):
        parsed = datetime.datetime(parsed.year, parsed.month, parsed.day)
        with_hours = False
    return tk.h.render_datetime(parsed, with_hours=with_hours)


# -- error pages ---------------------------------------------------------------------------------


def govshare_error_title(code: Any, name: str | None = None) -> str:
    """The heading of an error page in the page's language (werkzeug's English ``name`` only
    for a status the portal has no title for)."""
    titles = {
        400: tk._("Bad request"),
        401: tk._("Please sign in"),
        403: tk._("Access denied"),
        404: tk._("Page not found"),
        405: tk._("Method not allowed"),
        409: tk._("Conflict"),
        413: tk._("File too large"),
        429: tk._("Too many requests"),
        500: tk._("Internal server error"),
        502: tk._("Service unavailable"),
        503: tk._("Service unavailable"),
    }
    try:
        return titles[int(code)]
    except (KeyError, TypeError, ValueError):
        return tk._("Error")


# -- department pages -----------------------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip().startswith("[") else [value]
        except ValueError:
            value = [value]
    return [v for v in (value or []) if v not in (None, "")] if isinstance(value, list) else []


def govshare_department_about(group_dict: dict[str, Any]) -> dict[str, Any]:
    """A department's declared facts for its about page: ``units`` (``[{code, name}]``),
    ``matters`` (business matters, strings), ``level`` (its label) and the codes ``uscc`` and
    ``region_code``."""
    level = vocab.lookup(vocab.ORG_LEVELS, group_dict.get("level"))
    group = model.Group.get(group_dict.get("id") or "")
    return {
        "units": dept_roles.department_units(group) if group else [],
        "matters": [str(m) for m in _as_list(group_dict.get("business_matters"))],
        "level": labels.in_page_language(level) if level else (group_dict.get("level") or ""),
        "uscc": group_dict.get("uscc") or "",
        "region_code": group_dict.get("region_code") or "",
    }


def govshare_department_members(group_dict: dict[str, Any]) -> dict[str, Any]:
    """A department's members as the catalogue names them: ``rows`` of ``{user_id,
    capacity, roles}`` (``roles`` the labels of the catalogue roles in force, DB14 §5, §6;
    ``capacity`` the department administrator's label or ``""``) and ``roles_shown``: whether
    the visitor may see the roles (``govshare_role_list``; otherwise ``roles`` stay empty).

    CKAN's site user (``ckan.site_id``), a member of every department the portal created
    for its own work, is left out. Two queries: the memberships, the roles."""
    site_user = model.User.get(tk.config.get("ckan.site_id") or "")
    members = (model.Session.query(model.Member.table_id, model.Member.capacity)
               .join(model.User, model.User.id == model.Member.table_id)
               .filter(model.Member.group_id == group_dict["id"],
                       model.Member.table_name == "user", model.Member.state == "active",
                       model.User.state == "active")
               .order_by(model.User.fullname, model.User.name).all())
    try:
        held = tk.get_action("govshare_role_list")({}, {"organization_id": group_dict["id"]})
        roles_shown = True
    except tk.NotAuthorized:
        held, roles_shown = [], False
    by_user: dict[str, list[str]] = {}
    for role in held:
        if role.get("in_force") and role["role"] in tables.ROLES:
            by_user.setdefault(role["user_id"], []).append(role["role"])
    order = {code: i for i, code in enumerate(tables.ROLES)}
    rows = [{
        "user_id": user_id,
        "capacity": tk._("Department administrator") if capacity == "admin" else "",
        "roles": [labels.in_page_language(tables.ROLES[r])
                  for r in sorted(set(by_user.get(user_id, [])), key=order.get)],
    } for user_id, capacity in members if site_user is None or user_id != site_user.id]
    return {"rows": rows, "roles_shown": roles_shown}


def govshare_role_label(role: str) -> str:
    """A catalogue role's name in the page's language (编制人, 审核人, 安全管理员, 统筹协调人)."""
    label = tables.ROLES.get(role)
    return labels.in_page_language(label) if label else role


def get_helpers() -> dict[str, Callable[..., Any]]:
    """Every template helper of this module, by name."""
    return {name: globals()[name] for name in __all__ if name.startswith("govshare_")}
