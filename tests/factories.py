"""Catalogue test data built from the demo catalogue (``ckanext.govshare.demo``).

:func:`department` creates one of ``demo.DEPARTMENTS`` (valid USCC, region, level and units),
:func:`user` a user with a govshare role or a CKAN capacity in a department, and
:func:`entry_dict` a complete valid entry from one of the demo templates, so every test starts
from data that satisfies every rule and changes only what it is about.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.govshare import demo

__all__ = [
    "SAMR", "GAT", "UNCONDITIONAL", "CONDITIONAL", "NOT_SHARED",
    "site", "as_user", "department", "user", "entry_dict", "create_entry", "token", "refused",
]

# department indexes in demo.DEPARTMENTS
SAMR, GAT = 0, 1

# (department index, template index) of demo.TEMPLATES
#: 企业登记信息: basic class 1/02/001, unit SAMR01, database (dm), unconditional, G2
UNCONDITIONAL = (SAMR, 0)
#: 严重违法失信企业名单: thematic 2/08/002, unit SAMR02, spreadsheet (csv), conditional, G3
CONDITIONAL = (SAMR, 4)
#: 出入境证件签发信息: departmental 3/07/003, unit GAT03, database, not_shared, IMP
NOT_SHARED = (GAT, 6)


def site() -> dict[str, Any]:
    """An action context of the site user (auth skipped)."""
    return {"user": helpers.call_action("get_site_user")["name"], "ignore_auth": True}


def as_user(who: dict[str, Any] | None) -> dict[str, Any]:
    """An action context that runs the auth functions as ``who`` (None: anonymous)."""
    return {"user": who["name"] if who else "", "ignore_auth": False}


def department(index: int = SAMR, **overrides: Any) -> dict[str, Any]:
    """Create the demo department ``demo.DEPARTMENTS[index]`` (an organization)."""
    dept = demo.DEPARTMENTS[index]
    data = {
        "name": dept["name"], "title": dept["title"], "description": dept["description"],
        "uscc": dept["uscc"], "region_code": dept["region_code"], "level": dept["level"],
        "units": [{"code": code, "name": name} for code, name in dept["units"]],
        "business_matters": dept["business_matters"],
    }
    data.update(overrides)
    return helpers.call_action("organization_create", site(), **data)


def user(org: dict[str, Any] | None = None, role: str | None = None, *,
         units: list[str] | None = None, capacity: str | None = None) -> dict[str, Any]:
    """A new user; with ``role`` granted a govshare role (a compiler bound to ``units``), with
    ``capacity`` made a plain CKAN member/editor/admin of ``org``."""
    new = factories.User()
    if org is not None and role:
        grant: dict[str, Any] = {"organization_id": org["id"], "user_id": new["id"], "role": role}
        if units is not None:
            grant["units"] = units
        helpers.call_action("govshare_role_grant", site(), **grant)
    if org is not None and capacity:
        helpers.call_action("organization_member_create", site(), id=org["id"],
                            username=new["name"], role=capacity)
    return new


def entry_dict(which: tuple[int, int] = UNCONDITIONAL, *, variant: str = "", seq: int = 0,
               **overrides: Any) -> dict[str, Any]:
    """A complete valid entry of a demo template (``which`` = (department, template))."""
    dept = demo.DEPARTMENTS[which[0]]
    data = demo._entry(dept, demo.TEMPLATES[dept["name"]][which[1]], variant, seq)
    data.update(overrides)
    return data


def create_entry(who: dict[str, Any] | None = None,
                 which: tuple[int, int] = UNCONDITIONAL, **overrides: Any) -> dict[str, Any]:
    """``package_create`` of :func:`entry_dict` as ``who`` (default: the site user)."""
    context = as_user(who) if who else site()
    return helpers.call_action("package_create", context, **entry_dict(which, **overrides))


def token(who: dict[str, Any]) -> str:
    """A new API token of ``who``."""
    return helpers.call_action("api_token_create", site(), user=who["name"], name="test")["token"]


def refused(action: str, who: dict[str, Any] | None, **data: Any) -> bool:
    """Whether ``action`` as ``who`` raises ``NotAuthorized``."""
    try:
        helpers.call_action(action, as_user(who), **data)
    except tk.NotAuthorized:
        return True
    return False
