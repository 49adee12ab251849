"""Departments for tests: CKAN organizations with a valid USCC and internal units (处室).

Works with and without the scheming organization schema: the fields go in as the schema
names them (``uscc``, ``region_code``, ``level``, ``units``); when the schema is not active,
the units are kept in a ``units`` extra, which :func:`ckanext.govshare.department.roles.department_units`
reads too.
"""
from __future__ import annotations

import itertools
import json
from types import SimpleNamespace
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

UNITS = [
    {"code": "BGS", "name": "办公室"},
    {"code": "DJZCC", "name": "登记注册处"},
    {"code": "XXZX", "name": "信息中心"},
]

_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_seq = itertools.count(1)


def uscc(serial: int, region: str = "140000") -> str:
    """A 统一社会信用代码 (机构编制 registration, 机关 type) with a correct check character."""
    body = f"11{region}{serial:09d}"
    total = sum(_CHARSET.index(c) * w for c, w in zip(body, _WEIGHTS))
    return body + _CHARSET[(31 - total % 31) % 31]


def department(units: list[dict[str, str]] | None = None, **kwargs: Any) -> dict[str, Any]:
    """Create a department (organization); ``user=`` makes that user its administrator."""
    units = UNITS if units is None else units
    org = factories.Organization(
        uscc=uscc(next(_seq)), region_code="140000", level="province", units=units, **kwargs
    )
    if units and "units" not in org and not p.plugin_loaded("scheming_organizations"):
        site_user = helpers.call_action("get_site_user")["name"]
        org = helpers.call_action(
            "organization_patch", {"user": site_user}, id=org["id"],
            extras=[{"key": "units", "value": json.dumps(units, ensure_ascii=False)}],
        )
    return org


def world() -> SimpleNamespace:
    """Department ``org`` (``admin``, ``editor``, ``member``), department ``other`` with its
    ``other_admin``, a ``sysadmin`` and a ``user`` belonging to no department."""
    admin, editor, member, other_admin = (factories.User() for _ in range(4))
    org = department(user=admin, users=[
        {"name": editor["name"], "capacity": "editor"},
        {"name": member["name"], "capacity": "member"},
    ])
    other = department(user=other_admin)
    return SimpleNamespace(
        org=org, other=other, admin=admin, editor=editor, member=member,
        other_admin=other_admin, sysadmin=factories.Sysadmin(), user=factories.User(),
    )


#: the actor kinds of the auth tests (attributes of :func:`world`, plus anonymous)
ACTORS = ("sysadmin", "admin", "editor", "member", "other_admin", "anonymous")


def as_user(user: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    """An action context that runs the auth functions as ``user`` (None: anonymous)."""
    return {"user": user["name"] if user else "", "ignore_auth": False, **extra}


def outcome(action: str, w: SimpleNamespace, actor: str, **data: Any) -> Any:
    """The action's result as ``actor`` of world ``w``, or ``tk.NotAuthorized`` when refused."""
    user = None if actor == "anonymous" else getattr(w, actor)
    try:
        return helpers.call_action(action, as_user(user), **data)
    except tk.NotAuthorized:
        return tk.NotAuthorized
