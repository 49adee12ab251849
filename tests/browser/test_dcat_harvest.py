"""A real DCAT harvest of the demo catalogue (issue #11 §4): ckanext-dcat's ``dcat_rdf_harvester``
copies the browser tests' portal into a second govshare site.

The source is the portal the browser tests share (``conftest.portal``: ``ckan govshare demo
load`` done, ``/catalog.ttl`` served by ``govshare_dcat``). The demo's platform account
(``demo.PLATFORM_ACCOUNT``, a member of no department) signs in through the login form and
makes itself an API token; the target — a copy of this worker's emptied database with
ckanext-harvest's tables — gets a ``dcat_rdf`` harvest source with that token
(``{"api_key": ...}``) and ``ckan harvester run-test`` harvests it (Redis, no consumers). One
published demo entry with no sharing case is withdrawn (offline) at the source for the harvest
and put back as it was right after it, so the demo the other browser tests see is unchanged.

Two CKAN start-ups (``harvester source create``, ``harvester run-test``); the portal is the
browser tests' own.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from ckanext.govshare import demo
from ckanext.govshare.exchange import dcat_profile
from ckanext.govshare.logic.action.lifecycle import HARVESTED_COMMENT

from .. import conftest as tests_conftest
from .. import served
from .conftest import DB_URL, PASSWORD, Portal

pytestmark = pytest.mark.browser

HARVEST_PLUGINS = ("harvest", "dcat_rdf_harvester")
SOURCE = "gs-demo-dcat"
#: the record fields (信息项, share scope) and list fields, stored as JSON text
JSON_FIELDS = ("info_items", "share_scope", "related_resource_codes", "business_matters")
TIMEOUT = 30


def _signed_in(portal: Portal, user: str) -> tuple[requests.Session, str]:
    """A session of ``user`` signed in through the portal's login form, and its CSRF token
    (the API takes a signed-in browser's POST with it, as CKAN's own scripts send it)."""
    session = requests.Session()
    page = session.get(f"{portal}/user/login", timeout=TIMEOUT)
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    answer = session.post(f"{portal}/user/login", allow_redirects=False, timeout=TIMEOUT,
                          data={"login": user, "password": PASSWORD, "_csrf_token": csrf})
    # CKAN sets its session cookie with an empty Domain attribute, which requests' jar drops
    cookie = answer.headers.get("set-cookie", "").split(";", 1)[0]
    assert answer.status_code == 302 and "/user/login" not in answer.headers["location"] \
        and cookie, f"login of {user} failed"
    session.headers.update({"Cookie": cookie, "X-CSRFToken": csrf})
    return session, csrf


def _call(session: requests.Session, portal: Portal, action: str, **params: Any) -> Any:
    answer = session.post(f"{portal}/api/3/action/{action}", json=params, timeout=TIMEOUT)
    assert answer.ok, (action, answer.status_code, answer.text[:500])
    return answer.json()["result"]


def _catalogue(session: requests.Session, portal: Portal) -> list[dict[str, Any]]:
    """Every catalogue entry the session's user may see, as ``package_show`` answers it."""
    return _call(session, portal, "package_search", q="*:*", rows=1000, include_private=True,
                 fq="dataset_type:dataset")["results"]


def _withdrawable(portal_db: sa.engine.Engine) -> str:
    """A published, unconditionally shared demo entry with data and no sharing case,
    authorization or revision: going offline and back changes nothing else of the demo."""
    with portal_db.connect() as conn:
        return conn.execute(sa.text("""
            SELECT p.id FROM package p
            WHERE p.state = 'active' AND p.extras->>'catalogue_state' = 'published'
              AND p.extras->>'share_type' = 'unconditional'
              AND EXISTS (SELECT 1 FROM resource r WHERE r.package_id = p.id AND r.state = 'active')
              AND NOT EXISTS (SELECT 1 FROM govshare_case c WHERE c.entry_id = p.id)
              AND NOT EXISTS (SELECT 1 FROM govshare_authorization a WHERE a.entry_id = p.id)
              AND NOT EXISTS (SELECT 1 FROM govshare_revision v WHERE v.entry_id = p.id)
            ORDER BY p.extras->>'resource_code' LIMIT 1""")).scalar_one()


def _copies(engine: sa.engine.Engine) -> dict[str, dict[str, Any]]:
    """The target's catalogue entries by resource code: extras, state, owner, resources."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT p.id, p.name, p.title, p.notes, p.state, p.extras, p.owner_org,"
            " coalesce((SELECT json_agg(json_build_object('url', r.url, 'name', r.name,"
            "  'format', r.format) ORDER BY r.position) FROM resource r"
            "  WHERE r.package_id = p.id AND r.state = 'active'), '[]') AS resources,"
            " (SELECT array_agg(t.name ORDER BY t.name) FROM package_tag pt JOIN tag t"
            "  ON t.id = pt.tag_id WHERE pt.package_id = p.id AND pt.state = 'active') AS tags,"
            " coalesce((SELECT json_agg(json_build_array(a.action, a.from_state, a.to_state,"
            "  a.comment) ORDER BY a.at) FROM govshare_audit a WHERE a.entry_id = p.id), '[]')"
            "  AS audit"
            " FROM package p WHERE p.type = 'dataset'")).all()
    return {(r.extras or {}).get("resource_code"): {
        "id": r.id, "name": r.name, "title": r.title, "notes": r.notes, "state": r.state,
        "owner_org": r.owner_org, "resources": r.resources, "tags": r.tags or [],
        "audit": [tuple(a) for a in r.audit], **(r.extras or {})} for r in rows}


def _departments(engine: sa.engine.Engine) -> dict[str, dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT id, title, extras FROM \"group\" WHERE is_organization")).all()
    return {r.id: {"title": r.title, "uscc": (r.extras or {}).get("uscc"),
                   "units": json.loads((r.extras or {}).get("units") or "[]")} for r in rows}


def _database_text(engine: sa.engine.Engine) -> str:
    """Every row of every table of the target as text: where a data URL could hide."""
    with engine.connect() as conn:
        tables = conn.execute(sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
        return "\n".join(str(tuple(row)) for table in tables
                         for row in conn.execute(sa.text(f'SELECT * FROM "{table}"')))  # noqa: S608


@pytest.fixture(scope="module")
def harvested(portal: Portal, reset_db, migrate_db_for, request,
              tmp_path_factory) -> Iterator[SimpleNamespace]:
    """The demo catalogue as the platform sees it, one entry withdrawn, harvested into the
    target; the target's copies, departments and every row."""
    tests_conftest.load_plugins()
    tests_conftest.reset_database(reset_db, migrate_db_for)
    portal_db = sa.create_engine(DB_URL)
    admin, _ = _signed_in(portal, "admin")
    platform, _ = _signed_in(portal, demo.PLATFORM_ACCOUNT)
    with ThreadPoolExecutor(1) as pool:
        token = pool.submit(lambda: _call(platform, portal, "api_token_create",
                                          user=demo.PLATFORM_ACCOUNT, name="dcat-harvest"))
        target = served.harvesting_site(tmp_path_factory.mktemp("dcat"),
                                        request.config.getoption("--ckan-ini"), "dcat",
                                        HARVEST_PLUGINS)
    withdrawn = _call(admin, portal, "package_show", id=_withdrawable(portal_db))
    offline = False
    try:
        with ThreadPoolExecutor(1) as pool:
            created = pool.submit(
                served.ckan, target.ini, "harvester", "source", "create", SOURCE,
                f"{portal}/catalog.ttl", "dcat_rdf", "govshare demo DCAT", "true", "", "MANUAL",
                json.dumps({"api_key": token.result()["token"]}), ok=served.printing_bug)
            # DB14 §7.3 下线 at the source: the feed keeps the entry as a tombstone
            _call(admin, portal, "govshare_catalogue_import", id=withdrawn["id"],
                  catalogue_state="offline")
            offline = True
            created.result()
        served.ckan(target.ini, "harvester", "run-test", SOURCE)
    finally:
        if offline:  # the demo as the other browser tests know it
            lifecycle = withdrawn["govshare_lifecycle"]
            _call(admin, portal, "govshare_catalogue_import", id=withdrawn["id"],
                  catalogue_state="published", version=lifecycle["version"],
                  published_at=lifecycle["published_at"], issued=withdrawn["issued"],
                  comment="restored by tests/browser/test_dcat_harvest.py")
        portal_db.dispose()
    try:
        yield SimpleNamespace(
            report=served.harvest_report(target.engine, SOURCE), withdrawn=withdrawn,
            seen=_catalogue(platform, portal), everything=_catalogue(admin, portal),
            copies=_copies(target.engine), departments=_departments(target.engine),
            text=_database_text(target.engine), portal=portal)
    finally:
        served.drop_site(target)


def _field(value: Any) -> Any:
    """A field as the target stores it (extras are text; lists and records JSON text)."""
    return value if isinstance(value, str) or value is None else json.dumps(value)


def test_every_published_entry_arrives_with_its_govshare_fields(harvested):
    """Every entry the platform account sees published arrives, each catalogue field as the
    source's ``package_show`` gives it to that account, in its department (found or created
    by its 统一社会信用代码), with the source's state and date of publication."""
    assert harvested.report["status"] == "Finished" and harvested.report["errors"] == [], \
        harvested.report
    published = [e for e in harvested.seen if e["catalogue_state"] == "published"
                 and e["id"] != harvested.withdrawn["id"]]
    assert len(published) >= 40
    assert {e["resource_code"] for e in published} | {harvested.withdrawn["resource_code"]} \
        == set(harvested.copies)
    for entry in published:
        copy = harvested.copies[entry["resource_code"]]
        assert copy["state"] == "active" and copy["name"] == entry["name"]
        # the state came through the sysadmin import path, as a harvested copy's does
        assert copy["audit"] == [("imported", "draft", "published", HARVESTED_COMMENT)]
        for name in dcat_profile.ENTRY_FIELDS:
            stored = copy.get(name)
            if name in JSON_FIELDS:
                assert ((json.loads(stored) if stored else None) or None) \
                    == (entry.get(name) or None), (entry["resource_code"], name)
            else:
                assert stored == _field(entry.get(name)), (entry["resource_code"], name, stored)
        assert copy["tags"] == sorted(t["name"] for t in entry["tags"])
        # the data the platform may reach keeps its address; a hidden resource points at the
        # source's request page (申请使用), by name and format
        request_page = f"{harvested.portal}/dataset/{entry['name']}/request"
        expected = [(r["name"], r["url"], r["format"]) for r in entry["resources"]] + [
            (r["name"], request_page, r["format"])
            for r in entry.get("govshare_hidden_resources") or []]
        assert sorted((r["name"], r["url"], r["format"]) for r in copy["resources"]) \
            == sorted(expected), entry["resource_code"]
        department = harvested.departments[copy["owner_org"]]
        assert department["uscc"] == entry["provider_code"]
        assert department["title"] == entry["organization"]["title"]
        assert entry["provider_unit"] in {u["code"] for u in department["units"]}
    # the three demo departments, each once, named and coded as at the source
    assert sorted(d["uscc"] for d in harvested.departments.values()) \
        == sorted(d["uscc"] for d in demo.DEPARTMENTS)


def test_drafts_and_entries_in_review_never_arrive(harvested):
    """A draft or an entry in review never leaves its department, not even to the platform."""
    unpublished = [e for e in harvested.everything
                   if e["catalogue_state"] in ("draft", "in_review")]
    assert {e["catalogue_state"] for e in unpublished} == {"draft", "in_review"}
    assert all(e["resource_code"] in harvested.text for e in harvested.seen)
    for entry in unpublished:
        for marker in (entry["id"], entry["resource_code"], entry["title"]):
            assert marker not in harvested.text, (entry["catalogue_state"], marker)


def test_no_guarded_data_url_arrives(harvested):
    """No resource address or id that permissions.py hides from the platform account (a
    conditional entry's, a draft's, one in review) is anywhere in the target's database."""
    seen = {(r["id"], r["url"]) for e in harvested.seen for r in e["resources"]}
    hidden = {(r["id"], r["url"]) for e in harvested.everything for r in e["resources"]} - seen
    assert len(hidden) >= 10
    # what the platform may reach did arrive (the search below would find a leak)
    assert all(r["url"] in harvested.text for e in harvested.seen for r in e["resources"]
               if e["id"] != harvested.withdrawn["id"])
    for resource_id, url in hidden:
        assert url not in harvested.text and resource_id not in harvested.text, url


def test_withdrawn_entry_is_retired(harvested):
    """An entry offline at its source (a tombstone, ``adms:status`` withdrawn) arrives retired:
    offline, without data, with its date of publication; the source has it back as it was."""
    source = harvested.withdrawn
    back = next(e for e in harvested.seen if e["id"] == source["id"])
    assert back["catalogue_state"] == "published" and back["issued"] == source["issued"]
    assert back["govshare_lifecycle"]["version"] == source["govshare_lifecycle"]["version"]
    assert back["resources"]  # the platform account reaches its data while it is published
    copy = harvested.copies[source["resource_code"]]
    assert copy["catalogue_state"] == "offline" and copy["resources"] == []
    assert copy["audit"] == [("imported", "draft", "offline", HARVESTED_COMMENT)]
    assert copy["issued"] == source["issued"] and copy["title"] == source["title"]
    for resource in back["resources"]:
        assert resource["url"] not in harvested.text and resource["id"] not in harvested.text
