"""Harvested copies: entries a harvester writes follow the lifecycle of their source.

A govshare portal (the provincial platform) harvests the departments' portals with
ckanext-harvest: its CKAN harvester over the action API, or ckanext-dcat's RDF harvester over
``/catalog.*``. What arrives is a copy of an entry compiled, reviewed and published — or
withdrawn — at its source (DB14 §7.5 目录发布, §9.3 统一平台交换), never here: the copy takes
the source's ``catalogue_state`` and ``issued`` and its changes apply as they come, instead of
starting as a draft for this portal's compilers and turning each later harvest into a pending
revision for its reviewers.

A write is a harvester's when ckanext-harvest's import stage makes it: the ``harvest`` plugin is
loaded, the write runs with ``ignore_auth`` as a sysadmin (the harvest site user), and a
harvest object names the dataset (both harvesters record it before they write). Nothing else
changes for anybody else: a sysadmin may set any state anyway (``govshare_catalogue_import``).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins as plugins

from ckanext.govshare.lifecycle import queries, tables

__all__ = ["is_harvested", "copy_state"]

#: the harvest framework's plugin (ckanext-harvest), whose import stage writes harvested copies
HARVEST_PLUGIN = "harvest"


def is_harvested(package_id: str | None) -> bool:
    """Whether a harvest object of ckanext-harvest names dataset ``package_id``."""
    if not package_id or not plugins.plugin_loaded(HARVEST_PLUGIN):
        return False
    return queries.harvest_object_names(package_id)


def copy_state(source_state: Any) -> str | None:
    """The state a copy takes from its source's ``catalogue_state``: ``published`` while the
    source's data is still shared (published, or awaiting its offline review there), ``offline``
    once withdrawn; ``None`` (stays as it is) for anything else, which a source never sends."""
    if source_state in (tables.PUBLISHED, tables.OFFLINE_REVIEW):
        return tables.PUBLISHED
    if source_state == tables.OFFLINE:
        return tables.OFFLINE
    return None
