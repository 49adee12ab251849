"""Real harvests of the test site into second sites (issue #11 §1, §4).

The test site (the database this worker tests against) is the source portal: a small catalogue
of published, conditional, not-shared, draft and in-review entries, served by gunicorn on a
loopback port. ``ckan harvester run-test`` (ckanext-harvest; Redis, no consumers) harvests it
into a second site, a govshare portal with ``harvest ckan_harvester`` in its own database, with
ckanext-harvest's CKAN harvester over the action API and the API token of a platform account of
no department; one entry is then withdrawn (offline) at the source and harvested again.

Every published entry arrives with its govshare fields and its source's state, drafts and
entries in review never arrive, no data URL that :mod:`ckanext.govshare.permissions` hides from
the platform account arrives, and the second (incremental) harvest retires the withdrawn copy.

The site is built once for the module: the target's template database is copied from this
worker's emptied database (govshare's tables) and given ckanext-harvest's tables and the
harvest source by the CLI while the source catalogue is built and gunicorn starts.
"""
from __future__ import annotations

import json
import pathlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

import ckan.model as model
import pytest
import sqlalchemy as sa
from ckan.common import config
from ckan.tests import factories as ckan_factories
from ckan.tests import helpers

from .. import conftest, served
from .. import factories as gs

HARVEST_PLUGINS = ("harvest", "ckan_harvester")
#: fields of an entry a harvested copy must carry exactly as the source shows them
MAPPED = ("title", "notes", "resource_code", "provider_code", "provider_unit", "catalog_class",
          "catalog_item", "catalog_subitem", "format_category", "format_type", "share_type",
          "share_condition", "no_share_basis", "share_mode_category", "share_mode_type",
          "open_type", "update_cycle", "data_grade", "is_classified", "issued")
#: the record fields (信息项, share scope), stored as JSON text
RECORDS = ("info_items", "share_scope")


# -- the source portal -----------------------------------------------------------------------------


def _build_source() -> SimpleNamespace:
    """Two departments' entries in every state the platform must (not) receive."""
    site = gs.site()
    samr, gat = gs.department(gs.SAMR), gs.department(gs.GAT)

    def entry(which: tuple[int, int], state: str | None, seq: int = 0) -> dict[str, Any]:
        created = gs.create_entry(None, which, **({"variant": f"（{seq}）", "seq": seq}
                                                    if seq else {}))
        if state:
            helpers.call_action("govshare_catalogue_import", site, id=created["id"],
                                catalogue_state=state)
        return helpers.call_action("package_show", site, id=created["id"])

    w = SimpleNamespace(samr=samr, gat=gat)
    w.unconditional = entry(gs.UNCONDITIONAL, "published")
    w.conditional = entry(gs.CONDITIONAL, "published")
    w.not_shared = entry(gs.NOT_SHARED, "published")
    w.withdrawn = entry(gs.UNCONDITIONAL, "published", seq=1)  # goes offline between harvests
    w.draft = entry(gs.CONDITIONAL, None, seq=2)
    w.in_review = entry(gs.UNCONDITIONAL, "in_review", seq=3)
    return w


@pytest.fixture(scope="module")
def harvest_site(reset_db, migrate_db_for, request, tmp_path_factory) -> Iterator[SimpleNamespace]:
    """The source served by gunicorn and the target site's ini and database, harvested once."""
    conftest.load_plugins()
    conftest.reset_database(reset_db, migrate_db_for)
    model.Session.commit()
    work = tmp_path_factory.mktemp("harvest")
    base_ini = request.config.getoption("--ckan-ini")
    source_db = sa.engine.make_url(str(config["sqlalchemy.url"]))
    redis_url = str(config["ckan.redis.url"])
    # the target: a copy of this worker's emptied database (CKAN's and govshare's tables)
    target_site = served.harvesting_site(work, base_ini, "harvest", HARVEST_PLUGINS)
    target, target_ini = target_site.engine, target_site.ini
    port_socket, source_url = served.listener()
    source_ini = served.ini(work / "source.ini", base_ini, **{
        "sqlalchemy.url": source_db.render_as_string(hide_password=False),
        "ckan.redis.url": redis_url, "ckan.site_url": source_url})
    # the platform's account: a user of no department, with an API token for the harvester
    platform = ckan_factories.User(name="provincial-platform")
    token = gs.token(platform)
    model.Session.commit()
    server = None
    try:
        with ThreadPoolExecutor(1) as pool:
            # the target's harvest source while the source catalogue is built and gunicorn starts
            prepared = pool.submit(_prepare_target, target_ini, source_url, token)
            source = _build_source()
            model.Session.commit()
            model.Session.remove()
            server = served.serve(source_ini, port_socket, work)
            prepared.result()
        served.wait_ready(server, source_url)
        yield SimpleNamespace(source=source, platform=platform, url=source_url, server=server,
                              target=target, target_ini=target_ini)
    finally:
        port_socket.close()
        served.stop(server)
        served.drop_site(target_site)


def _prepare_target(ini: pathlib.Path, source_url: str, token: str) -> None:
    """The target's harvest source of the source portal: the CKAN harvester with the platform
    account's token, departments created as they come."""
    source_config = json.dumps({"api_key": token, "remote_orgs": "create"})
    served.ckan(ini, "harvester", "source", "create", "gs-ckan", source_url, "ckan",
                "govshare CKAN API", "true", "", "MANUAL", source_config, ok=served.printing_bug)


# -- what arrived --------------------------------------------------------------------------------


def _harvest(site: SimpleNamespace, source: str) -> dict[str, Any]:
    """``ckan harvester run-test SOURCE`` on the target: the job's status, objects and errors
    and the requests it made to the source (status and request line)."""
    served_before = len(site.server.access_log.read_text().splitlines())
    served.ckan(site.target_ini, "harvester", "run-test", source)
    made = site.server.access_log.read_text().splitlines()[served_before:]
    return {**served.harvest_report(site.target, source), "requests": made}


def _copies(site: SimpleNamespace) -> dict[str, dict[str, Any]]:
    """The target's catalogue entries by resource code: extras, state, resource URLs."""
    with site.target.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT p.id, p.name, p.title, p.notes, p.state, p.extras, p.owner_org,"
            " coalesce((SELECT array_agg(r.url ORDER BY r.position) FROM resource r"
            "  WHERE r.package_id = p.id AND r.state = 'active'), '{}') AS urls"
            " FROM package p WHERE p.type = 'dataset'")).all()
    out = {}
    for r in rows:
        extras = dict(r.extras or {})
        out[extras.get("resource_code")] = {"id": r.id, "title": r.title, "notes": r.notes,
                                           "state": r.state, "urls": list(r.urls),
                                           "owner_org": r.owner_org, **extras}
    return out


def _target_text(site: SimpleNamespace) -> str:
    """Every row of the target's datasets, resources, their extras and search documents as
    text: where a data URL could hide."""
    with site.target.connect() as conn:
        return "\n".join(str(tuple(row)) for table in (
            "package", "resource", "govshare_search_index", "harvest_object", "activity")
            for row in conn.execute(sa.text(f"SELECT * FROM {table}")))  # noqa: S608


def _urls(entry: dict[str, Any]) -> list[str]:
    return [r["url"] for r in entry.get("resources") or []]


def _field(value: Any) -> Any:
    """A field as stored (extras are text; records are JSON text)."""
    return value if isinstance(value, str) or value is None else json.dumps(value)


@pytest.fixture(scope="module")
def harvested(harvest_site) -> SimpleNamespace:
    """The first harvest, the source's withdrawal of one entry, the second harvest."""
    first = _harvest(harvest_site, "gs-ckan")
    copies_first = _copies(harvest_site)
    text_first = _target_text(harvest_site)
    # DB14 §7.3 下线 at the source: the entry stays visible as a tombstone, without its data
    helpers.call_action("govshare_catalogue_import", gs.site(),
                        id=harvest_site.source.withdrawn["id"], catalogue_state="offline")
    model.Session.commit()
    model.Session.remove()
    second = _harvest(harvest_site, "gs-ckan")
    return SimpleNamespace(first=first, copies_first=copies_first, text_first=text_first,
                           second=second, copies_second=_copies(harvest_site),
                           text_second=_target_text(harvest_site))


# -- the tests ----------------------------------------------------------------------------------


def test_ckan_harvester_copies_every_published_entry_with_its_govshare_fields(
        harvest_site, harvested):
    """Every published entry arrives through the action API with its mapped fields and state."""
    w = harvest_site.source
    assert harvested.first["errors"] == [] and harvested.first["status"] == "Finished", \
        harvested.first
    published = [w.unconditional, w.conditional, w.not_shared, w.withdrawn]
    assert set(harvested.copies_first) == {e["resource_code"] for e in published}
    for entry in published:
        copy = harvested.copies_first[entry["resource_code"]]
        assert copy["id"] == entry["id"]  # the CKAN harvester keeps the remote id
        assert copy["catalogue_state"] == "published", copy
        for name in MAPPED:
            assert copy.get(name) == _field(entry.get(name)), (name, copy.get(name), entry.get(name))
        for name in RECORDS:
            stored = copy.get(name)
            assert (json.loads(stored) if stored else None) == (entry.get(name) or None), name
    # the departments came along, with their 统一社会信用代码 (the provider code's check)
    assert harvested.copies_first[w.unconditional["resource_code"]]["provider_code"] \
        == w.samr["uscc"]


def test_drafts_and_entries_in_review_never_arrive(harvest_site, harvested):
    """A draft or an entry in review never leaves its department, not even to the platform."""
    w = harvest_site.source
    for text in (harvested.text_first, harvested.text_second):
        for entry in (w.draft, w.in_review):
            assert entry["id"] not in text and entry["resource_code"] not in text
            assert entry["title"] not in text


def test_no_guarded_data_url_arrives(harvest_site, harvested):
    """Only data the platform account may see travels: a conditional entry's URL (no
    authorization) never arrives; an unconditional one's does."""
    w = harvest_site.source
    guarded = _urls(w.conditional) + _urls(w.draft) + _urls(w.in_review)
    assert guarded and all(u.startswith("https://") for u in guarded)
    for text in (harvested.text_first, harvested.text_second):
        for url in guarded:
            assert url not in text
    assert harvested.copies_first[w.conditional["resource_code"]]["urls"] == []
    assert harvested.copies_first[w.unconditional["resource_code"]]["urls"] \
        == _urls(w.unconditional)
    assert harvested.copies_first[w.withdrawn["resource_code"]]["urls"] == _urls(w.withdrawn)


def test_second_harvest_is_incremental_and_retires_the_withdrawn_entry(harvest_site, harvested):
    """The next harvest asks only for what changed; the entry withdrawn at its source is
    retired (offline, no data), the others stay published."""
    w = harvest_site.source
    assert harvested.second["errors"] == [], harvested.second
    # the harvester searched for what changed since its last harvest (less an hour), and the
    # search answered that query: it did not fall back to the whole catalogue
    searches = [r for r in harvested.second["requests"] if "/package_search?" in r]
    assert searches and all(r.startswith("200 ") and "metadata_modified%3A%5B" in r
                            for r in searches), harvested.second["requests"]
    status = {o.guid: o.report_status for o in harvested.second["objects"]}
    assert status.pop(w.withdrawn["id"]) == "updated"
    assert set(status.values()) <= {"not modified"}, status
    copies = harvested.copies_second
    assert copies[w.withdrawn["resource_code"]]["catalogue_state"] == "offline"
    assert copies[w.withdrawn["resource_code"]]["urls"] == []
    for entry in (w.unconditional, w.conditional, w.not_shared):
        assert copies[entry["resource_code"]]["catalogue_state"] == "published"
