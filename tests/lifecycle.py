"""Catalogue entries and department roles for the lifecycle tests.

:func:`world` builds a department with one user per govshare role (the compiler compiles for
unit ``DJZCC`` only), a second compiler of another unit, a reviewer of another department, a
plain member, a sysadmin and an outsider; :func:`entry` creates a valid draft entry through
``package_create`` (the demo catalogue's shape), so every rule of the schema applies.
"""
from __future__ import annotations

import datetime
import itertools
import uuid
from types import SimpleNamespace
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.govshare import demo
from ckanext.govshare.model import base as model_base

from .departments import department

_seq = itertools.count(1)


def site() -> dict[str, Any]:
    """An action context of the site user (the platform's administration)."""
    return {"user": helpers.call_action("get_site_user")["name"], "ignore_auth": True}


def grant(org: dict[str, Any], user: dict[str, Any], role: str, **extra: Any) -> None:
    helpers.call_action("govshare_role_grant", site(), organization_id=org["id"],
                        user_id=user["id"], role=role, **extra)


def world() -> SimpleNamespace:
    """Department ``org`` with ``compiler``, ``compiler2`` (other unit), ``reviewer``,
    ``reviewer2``, ``coordinator``, ``security_officer``, ``member``; department ``other``
    with ``other_reviewer`` and ``other_compiler``; ``sysadmin``; ``outsider``."""
    users = {k: factories.User(email=f"{k}-{next(_seq)}@example.gov.cn") for k in (
        "compiler", "compiler2", "reviewer", "reviewer2", "coordinator", "security_officer",
        "member", "other_reviewer", "other_compiler", "outsider")}
    org = department()
    other = department()
    grant(org, users["compiler"], "compiler", units=["DJZCC"])
    grant(org, users["compiler2"], "compiler", units=["BGS"])
    grant(org, users["reviewer"], "reviewer")
    grant(org, users["reviewer2"], "reviewer")
    grant(org, users["coordinator"], "coordinator")
    grant(org, users["security_officer"], "security_officer")
    helpers.call_action("organization_member_create", site(), id=org["id"],
                        username=users["member"]["name"], role="member")
    grant(other, users["other_reviewer"], "reviewer")
    grant(other, users["other_compiler"], "compiler", units=["DJZCC"])
    return SimpleNamespace(org=org, other=other, sysadmin=factories.Sysadmin(), **users)


def entry_dict(org: dict[str, Any], *, unit: str = "DJZCC", **fields: Any) -> dict[str, Any]:
    """A valid catalogue entry of ``org`` (a demo template under a fresh title and code)."""
    n = next(_seq)
    dept = {"name": org["name"], "title": org.get("title") or org["name"],
            "units": [(unit, "登记注册处")]}
    template = list(demo.TEMPLATES["sx-samr"][0])
    template[1] = 0
    template[4] = f"{n % 1000:03d}"
    data = demo._entry(dept, tuple(template), "", 0)
    data["title"] = f"企业登记信息{n}"
    data["name"] = f"lc-entry-{n}-{uuid.uuid4().hex[:6]}"
    data["owner_org"] = org["id"]
    data["tags"] = [{"name": "企业登记"}]
    data.update(fields)
    return data


def entry(org: dict[str, Any], user: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    """Create a draft entry (as ``user``, default the site user)."""
    context = {"user": user["name"]} if user else site()
    return helpers.call_action("package_create", context, **entry_dict(org, **fields))


def act(action: str, user: dict[str, Any] | None, **data: Any) -> Any:
    """Call ``action`` as ``user`` (None: anonymous) with auth checks on."""
    return helpers.call_action(action, {"user": user["name"] if user else "",
                                        "ignore_auth": False}, **data)


def refused(action: str, user: dict[str, Any] | None, **data: Any) -> bool:
    """Whether ``action`` as ``user`` raises ``NotAuthorized``."""
    try:
        act(action, user, **data)
    except tk.NotAuthorized:
        return True
    return False


def hidden(action: str, user: dict[str, Any] | None, **data: Any) -> bool:
    """Whether ``action`` as ``user`` answers ``ObjectNotFound``: the entry does not exist for
    them (an unpublished entry outside its department)."""
    try:
        act(action, user, **data)
    except tk.ObjectNotFound:
        return True
    return False


def published_world() -> SimpleNamespace:
    """:func:`world` with ``entry``: compiled by ``compiler``, published by ``reviewer`` (v1)."""
    w = world()
    w.entry = entry(w.org, w.compiler)
    act("govshare_catalogue_submit", w.compiler, id=w.entry["id"])
    act("govshare_catalogue_approve", w.reviewer, id=w.entry["id"])
    return w


def review_world() -> SimpleNamespace:
    """:func:`world` with ``first`` and ``second``: two entries ``compiler`` submitted."""
    w = world()
    w.first = entry(w.org, w.compiler)
    w.second = entry(w.org, w.compiler)
    for item in (w.first, w.second):
        act("govshare_catalogue_submit", w.compiler, id=item["id"])
    return w


def live(pkg_id: str) -> dict[str, Any]:
    """The live entry as the site user sees it."""
    return helpers.call_action("package_show", site(), id=pkg_id)


def state(pkg_id: str) -> str | None:
    return helpers.call_action("package_show", site(), id=pkg_id).get("catalogue_state")


def published_weekly() -> SimpleNamespace:
    """:func:`world` with ``entry``: a weekly entry, just published."""
    w = world()
    w.entry = entry(w.org, w.compiler, update_cycle="weekly")
    act("govshare_catalogue_submit", w.compiler, id=w.entry["id"])
    act("govshare_catalogue_approve", w.reviewer, id=w.entry["id"])
    return w


def later(monkeypatch: Any, days: float) -> None:
    """Move the portal's clock ``days`` on: the last update is that long ago."""
    at = model_base.now() + datetime.timedelta(days=days)
    monkeypatch.setattr(model_base, "now", lambda: at)
