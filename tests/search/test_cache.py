"""Cached counts and facets are exact: any committed index change starts a new generation.

Whether a search was answered from the cache is read from what reaches PostgreSQL: the
statements that count rows of ``govshare_search_index`` (one per faceted search that is not
cached; the page of results is always read). So a cache that never hits, one that is not
turned off, and one that misses a write — from this process or another — each fail a test.
"""
from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan.tests import factories, helpers
from sqlalchemy import event

FACETS = {"facet.field": '["tags", "organization"]'}


def _search() -> tuple[dict[str, Any], int]:
    """A faceted ``package_search``, and how many statements counted rows of the index for it."""
    counting: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if "govshare_search_index" in statement and "count(" in statement:
            counting.append(statement)

    event.listen(model.meta.engine, "before_cursor_execute", record)
    try:
        result = helpers.call_action("package_search", **FACETS)
    finally:
        event.remove(model.meta.engine, "before_cursor_execute", record)
    return result, len(counting)


def _computed_then_cached() -> dict[str, Any]:
    """Search twice: the first search counts afresh, the second is answered from the cache with
    the same count and facets. Returns the first answer."""
    fresh, counted = _search()
    assert counted == 1, "the first search after a write must count the index afresh"
    cached, counted = _search()
    assert counted == 0, "the same search again must be answered from the cache"
    assert (cached["count"], cached["facets"]) == (fresh["count"], fresh["facets"])
    return fresh


@pytest.mark.usefixtures("clean_db")
def test_cached_facets_follow_every_write():
    """A repeated search is served from the cache, and create, update and delete are reflected
    at once: the next search counts afresh and answers the new counts and facets."""
    org = factories.Organization()
    first = factories.Dataset(owner_org=org["id"], tags=[{"name": "alpha"}])
    before = _computed_then_cached()
    assert before["count"] == 1 and before["facets"]["tags"] == {"alpha": 1}

    factories.Dataset(owner_org=org["id"], tags=[{"name": "alpha"}, {"name": "beta"}])
    after = _computed_then_cached()
    assert after["count"] == 2 and after["facets"]["tags"] == {"alpha": 2, "beta": 1}

    sysadmin = factories.Sysadmin()
    helpers.call_action("package_patch", {"user": sysadmin["name"]}, id=first["id"],
                        tags=[{"name": "gamma"}])
    patched = _computed_then_cached()
    assert patched["facets"]["tags"] == {"alpha": 1, "beta": 1, "gamma": 1}

    helpers.call_action("package_delete", {"user": sysadmin["name"]}, id=first["id"])
    deleted = _computed_then_cached()
    assert deleted["count"] == 1 and deleted["facets"]["tags"] == {"alpha": 1, "beta": 1}


@pytest.mark.usefixtures("clean_db")
@pytest.mark.ckan_config("ckanext.govshare.search.cache_size", "0")
def test_cache_can_be_turned_off():
    """With cache_size 0 every search counts afresh: even a change of the index that starts no
    new generation (made behind the backend's back) is seen by the next search."""
    org = factories.Organization()
    factories.Dataset(owner_org=org["id"], tags=[{"name": "alpha"}])
    for _ in range(3):
        result, counted = _search()
        assert counted == 1, "with the cache off, every search must count the index"
        assert result["count"] == 1 and result["facets"]["tags"] == {"alpha": 1}

    model.Session.execute(sa.text("DELETE FROM govshare_search_index"))
    model.Session.commit()
    result, counted = _search()
    assert counted == 1 and result["count"] == 0 and result["facets"]["tags"] == {}


# another process of the same site: loads the ini as a production worker does and edits a
# dataset through the action API
_PATCH = """
import sys
import ckan.plugins.toolkit as tk
from ckanext.govshare.wsgi import make_application

app = make_application(sys.argv[1])
with app._wsgi_app.test_request_context():
    site = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    tk.get_action("package_patch")({"user": site["name"]},
                                   {"id": sys.argv[2], "tags": [{"name": "gamma"}]})
print("patched", sys.argv[2])
"""


@pytest.mark.usefixtures("clean_db")
def test_a_write_from_another_process_is_seen_at_once(request, tmp_path):
    """A dataset edited, then one purged, by other processes on the same database (a small
    program loading the ini, then ``ckan dataset purge``) change this process's next search at
    once, though it had been cached: it counts afresh."""
    org = factories.Organization()
    edited = factories.Dataset(owner_org=org["id"], tags=[{"name": "alpha"}])
    gone = factories.Dataset(owner_org=org["id"], tags=[{"name": "alpha"}, {"name": "beta"}])
    before = _computed_then_cached()
    assert before["count"] == 2 and before["facets"]["tags"] == {"alpha": 2, "beta": 1}
    ini = _same_site_ini(request.config.getoption("--ckan-ini"), tmp_path)

    _run(sys.executable, "-c", _PATCH, str(ini), edited["id"], expect="patched")
    patched = _computed_then_cached()
    assert patched["count"] == 2 and patched["facets"]["tags"] == {
        "alpha": 1, "beta": 1, "gamma": 1}

    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    assert os.path.isfile(ckan), f"no ckan command beside {sys.executable}"
    _run(ckan, "-c", str(ini), "dataset", "purge", gone["name"], expect="purged")
    purged = _computed_then_cached()
    assert purged["count"] == 1 and purged["facets"]["tags"] == {"gamma": 1}


def _run(*command: str, expect: str) -> None:
    """Run ``command`` in another process (this session's transaction ended first, so it waits
    on no lock of ours); it must succeed and print ``expect``."""
    model.Session.commit()
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and expect in done.stdout, (
        f"{command[0]} exited with {done.returncode}:\n{done.stdout}\n{done.stderr[-3000:]}")


def _same_site_ini(ini: str | None, tmp_path: Any) -> Any:
    """The ini pytest was given, chained (``use = config:``) under the database, Redis and
    plugins this test process really uses (the search tests load fewer plugins)."""
    assert ini and os.path.isfile(ini), f"--ckan-ini {ini!r} is not a file"
    plugins = tk.config["ckan.plugins"]
    plugins = plugins if isinstance(plugins, str) else " ".join(plugins)
    lines = ["[app:main]", f"use = config:{os.path.abspath(ini)}",
             f"ckan.plugins = {plugins}"]
    for key in ("sqlalchemy.url", "ckan.redis.url"):
        lines.append(f"{key} = {str(tk.config[key]).replace('%', '%%')}")
    path = tmp_path / "same_site.ini"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.usefixtures("clean_db")
def test_generation_advances_on_commit():
    """A committed dataset write starts a new generation of cached results."""
    from ckanext.govshare.search import cache

    start = cache.generation(model.Session)
    org = factories.Organization()
    factories.Dataset(owner_org=org["id"])
    assert cache.generation(model.Session) > start
