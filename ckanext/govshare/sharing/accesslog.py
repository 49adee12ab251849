"""The access log (``govshare_access_log``): who reached an entry's data from outside its
department, when, through which path and under which grant (DB14 §9.4 共享数据使用, §11.2).

:mod:`ckanext.govshare.permissions` decides and says why
(:func:`~ckanext.govshare.permissions.data_access_reason`); this module only records the
accesses of outsiders — an unconditional entry's data reached by anyone outside its department,
or data reached under an authorization. The department's own staff and sysadmins are not logged.

The row is written on its own connection and committed at once: the read that reached the data
(``package_show``, ``resource_show``, a download) has nothing to commit, and an error in it must
not lose the record. One row per entry, resource and path within a request.
"""
from __future__ import annotations

from typing import Any

import ckan.model as model
import flask
import sqlalchemy as sa

from ckanext.govshare import permissions
from ckanext.govshare.model import base
from ckanext.govshare.model.sharing import AccessLog

__all__ = ["LOGGED_REASONS", "channel_of_request", "record"]

#: the reasons of :func:`permissions.data_access_reason` that make an access an outsider's
LOGGED_REASONS = frozenset({"share_type", "authorization"})


def channel_of_request(default: str) -> str:
    """``download`` when the current request is a resource download, else ``default``."""
    if flask.has_request_context():
        endpoint = flask.request.endpoint or ""
        if endpoint.endswith(".download"):
            return "download"
        if flask.request.path.startswith("/api/"):
            return f"api:{default}"
    return default


def record(user: model.User | None, pkg_dict: dict[str, Any], *, channel: str,
           resource_id: str | None = None) -> bool:
    """Log ``user``'s access to the data of the entry ``pkg_dict`` (id, owner_org, state,
    share type) when it is an outsider's; returns whether a row was written."""
    if user is None or not pkg_dict.get("id"):
        return False
    reason = permissions.data_access_reason(user, pkg_dict)
    if reason not in LOGGED_REASONS:
        return False
    key = (str(pkg_dict["id"]), resource_id, channel)
    if flask.has_request_context():
        seen = flask.g.setdefault("_govshare_logged", set())
        if key in seen:
            return False
        seen.add(key)
    grant = (permissions.authorization_for(user, str(pkg_dict["id"]))
             if reason == "authorization" else None)
    orgs = [m.group_id for m in model.Session.query(model.Member.group_id)
            .join(model.Group, model.Group.id == model.Member.group_id)
            .filter(model.Member.table_name == "user", model.Member.table_id == user.id,
                    model.Member.state == "active", model.Group.is_organization.is_(True))]
    row = {
        "entry_id": str(pkg_dict["id"]), "resource_id": resource_id,
        "provider_org": pkg_dict.get("owner_org"), "user_id": user.id, "user_orgs": orgs,
        "channel": channel, "authorization_id": grant.id if grant is not None else None,
        "at": base.now(),
    }
    engine = model.Session.get_bind()
    with engine.begin() as conn:
        conn.execute(sa.insert(AccessLog.__table__).values(**row))
    return True
