"""Counts and facets of repeated searches, kept until the index changes.

A search page without free text (the catalogue's landing page, a department's page) counts
every visible entry and every facet value: work that grows with the catalogue and is the same
for every visitor with the same permission labels until an entry changes. Solr keeps such
results in its filter and query caches; this is the same idea, invalidated exactly:

* every commit that wrote index rows advances the sequence ``govshare_search_generation``
  (after the commit, so a result computed from the old rows is never filed under the new
  generation);
* a cached result is used only under the generation it was computed in, and never by a
  session that holds uncommitted index writes of its own.

Each web worker keeps its own small LRU (``ckanext.govshare.search.cache_size`` entries;
0 turns it off); reading the generation is one index-free query on a sequence.
"""
from __future__ import annotations

import collections
import threading
from typing import Any

import sqlalchemy as sa

__all__ = ["generation", "advance", "get", "put"]

_lock = threading.Lock()
_entries: collections.OrderedDict[tuple, Any] = collections.OrderedDict()

_READ = sa.text("SELECT last_value + CASE WHEN is_called THEN 1 ELSE 0 END "
                "FROM govshare_search_generation")
_NEXT = sa.text("SELECT nextval('govshare_search_generation')")


def generation(session: Any) -> int:
    return int(session.execute(_READ).scalar_one())


def advance(bind: Any) -> None:
    """Move to a new generation (on its own connection: sequences ignore transactions)."""
    with bind.connect() as conn:
        conn.execute(_NEXT)
        conn.commit()


def get(key: tuple, size: int) -> Any | None:
    if size <= 0:
        return None
    with _lock:
        value = _entries.get(key)
        if value is not None:
            _entries.move_to_end(key)
        return value


def put(key: tuple, value: Any, size: int) -> None:
    if size <= 0:
        return
    with _lock:
        _entries[key] = value
        _entries.move_to_end(key)
        while len(_entries) > size:
            _entries.popitem(last=False)
