"""ckanext-dcat's catalogue actions as the ``govshare_dcat`` plugin answers them.

Registered by :class:`ckanext.govshare.plugin.GovshareDcatPlugin` only (it needs the ``dcat``
plugin, whose actions these chain; the ``govshare`` plugin's registry holds govshare's own
actions). ``/catalog.{ttl,jsonld,xml}`` (ckanext-dcat's view) calls ``dcat_catalog_show``: the
answer is a page of the govshare feed (:mod:`ckanext.govshare.exchange.dcat_feed`) — published
entries and offline tombstones, keyset pages, ``modified_since`` — never CKAN's search over
drafts. ``q``, ``fq`` and ``profiles`` are refused: the feed is the whole catalogue as the
reader may see it, in the portal's profiles.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Action, AuthFunction, Context, DataDict

from ckanext.dcat.utils import catalog_uri
from ckanext.govshare import config as gs_config
from ckanext.govshare import permissions
from ckanext.govshare.exchange import dcat_feed

__all__ = ["get_actions", "get_auth_functions"]


def _request_path() -> str | None:
    try:
        return catalog_uri().rstrip("/") + tk.request.path
    except (RuntimeError, AttributeError, TypeError):
        return None


def _catalog(action: str, context: Context, data_dict: DataDict) -> str:
    """A page of the catalogue feed (``format``, ``page``: the cursor of ``hydra:next``,
    ``modified_since``); with ``check_only`` the checks alone and an empty answer (the
    endpoint's answer to HEAD)."""
    tk.check_access(action, context, data_dict)
    refused = {k: [tk._("Not supported by the harvest endpoint")]
               for k in ("q", "fq", "profiles") if data_dict.get(k)}
    if refused:
        raise tk.ValidationError(refused)
    user = permissions.context_user(context)
    fmt = data_dict.get("format") or "xml"
    if tk.asbool(data_dict.get("check_only")):
        # what a page would refuse, without building it (nor recording it as delivered)
        dcat_feed.check_page(fmt, data_dict.get("page"), data_dict.get("modified_since"))
        return ""
    served = dcat_feed.page(user, fmt, data_dict.get("page"), data_dict.get("modified_since"),
                            path=_request_path())
    harvester = dcat_feed.harvest_user()
    if user is not None and harvester is not None and user.id == harvester.id:
        dcat_feed.record_harvest(user, fmt, served, dcat_feed.parse_cursor(data_dict.get("page")),
                                 dcat_feed.parse_since(data_dict.get("modified_since")))
    return served.body


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_show(up: Action, context: Context, data_dict: DataDict) -> str:
    """The harvest endpoint's page (see the module docstring)."""
    return _catalog("dcat_catalog_show", context, data_dict)


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_search(up: Action, context: Context, data_dict: DataDict) -> str:
    """As :func:`dcat_catalog_show` (a search would bypass the feed)."""
    return _catalog("dcat_catalog_search", context, data_dict)


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def dcat_catalog_auth(up: AuthFunction, context: Context,
                      data_dict: DataDict | None) -> dict[str, Any]:
    """Anonymous visitors read the catalogue only when it is public
    (``ckanext.govshare.public_catalogue``; DB14 §4: the catalogue is internal)."""
    user = permissions.context_user(context)
    if (user is None or user.is_anonymous) and not gs_config.public_catalogue():
        return {"success": False, "msg": tk._("Log in to read the catalogue")}
    return up(context, data_dict)


def get_actions() -> dict[str, Action]:
    return {"dcat_catalog_show": dcat_catalog_show, "dcat_catalog_search": dcat_catalog_search}


def get_auth_functions() -> dict[str, AuthFunction]:
    return {"dcat_catalog_show": dcat_catalog_auth, "dcat_catalog_search": dcat_catalog_auth}
