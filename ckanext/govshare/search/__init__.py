"""The embedded PostgreSQL search backend.

CKAN 2.12 has no search-backend interface: every dataset search, index write, cache lookup
(``search.show``), organization count and tag page ends in ``ckan.lib.search``'s
``make_connection()``, which hands out a ``pysolr.Solr``. :func:`install` replaces that one
factory (in the three modules that imported it) with :class:`~.connection.PgConnection`, an
object that speaks the same small protocol (``add``, ``delete``, ``commit``, ``search``)
against the ``govshare_search_index`` table, so CKAN's own ``PackageSearchIndex`` and
``PackageSearchQuery`` keep building documents and queries exactly as they do for Solr.
"""
from __future__ import annotations

import logging

import ckan.lib.search as search
import ckan.lib.search.common as common
import ckan.lib.search.index as index
import ckan.lib.search.query as query

from ckanext.govshare import config as gs_config
from ckanext.govshare.search.connection import make_connection, track_commits
from ckanext.govshare.search.text import load_user_dict

log = logging.getLogger(__name__)

_ORIGINALS: dict = {}


def install() -> None:
    """Route CKAN's search through PostgreSQL (idempotent)."""
    if _ORIGINALS:
        return
    for mod in (search, common, index, query):
        _ORIGINALS[(mod, "make_connection")] = mod.make_connection
        mod.make_connection = make_connection
    _ORIGINALS[(search, "check_solr_schema_version")] = search.check_solr_schema_version
    search.check_solr_schema_version = _no_schema_check
    track_commits()
    if gs_config.search_user_dict():
        log.info("govshare: %d extra segmenter terms", load_user_dict(gs_config.search_user_dict()))
    log.debug("govshare: dataset search answered by PostgreSQL")


def uninstall() -> None:
    """Give CKAN its Solr path back (used when ``search_backend = solr``)."""
    for (mod, name), original in _ORIGINALS.items():
        setattr(mod, name, original)
    _ORIGINALS.clear()


def _no_schema_check(schema_file: str | None = None) -> bool:
    """There is no Solr schema to check: the table is versioned by alembic."""
    return False
