"""The demo catalogue (``ckan govshare demo load``, the README's first command): what it loads
and that loading it again changes nothing.

It checks the load the browser tests' portal made (the entries it made: the other browser
tests may have written to the portal before) (``conftest.portal``: the CLI on a database
of its own, as ``scripts/serve.sh`` runs it), reading that database directly and asking the
portal's API as the demo's sysadmin: one load serves both, a load takes a while.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

import ckan.model as model
import pytest
import sqlalchemy as sa
from playwright.sync_api import Page

from ckanext.govshare import demo
from ckanext.govshare.department import roles
from ckanext.govshare.model.sharing import AUTHORIZATION_STATUSES, Authorization, Case

from .conftest import BIN, DB_URL, Portal, _run

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def portal_db() -> Iterator[sa.orm.Session]:
    """A session on the portal's own database (the models are not bound to one)."""
    engine = sa.create_engine(DB_URL)
    with sa.orm.Session(engine) as session:
        yield session
    engine.dispose()


def _entries(page: Page) -> list[dict]:
    found = page.request.get("/api/3/action/package_search", params={
        "q": "*:*", "rows": "1000", "include_private": "true",
        "fq": "dataset_type:dataset"}).json()
    return found["result"]["results"]


def test_demo_load(portal: Portal, portal_db: sa.orm.Session, login) -> None:
    # departments with their units, an account for every role, one printed password
    departments = portal_db.query(model.Group).filter_by(is_organization=True).all()
    assert {d["name"] for d in demo.DEPARTMENTS} == {g.name for g in departments}
    for dept in departments:
        assert 2 <= len(roles.department_units(dept)) <= 3, dept.name
    printed = portal.loaded.splitlines()
    names = {m.group(1) for line in printed if (m := re.match(r"^  (\S+)\s", line))}
    assert "admin" in names
    for dept in demo.DEPARTMENTS:
        short = dept["name"].split("-")[1]
        for role in ("admin", "compiler", "reviewer", "security-officer", "coordinator"):
            assert f"{short}-{role}" in names
    # the accounts listed in the portal's default locale (zh_Hans_CN): roles by their labels
    header = printed.index(f"演示账号（密码：{demo.DEMO_PASSWORD}）：")
    kinds = {m.group(1): m.group(2) for line in printed[header + 1:]
             if (m := re.match(r"^  (\S+)\s+(.+)$", line))}
    assert kinds["admin"] == "平台管理员"
    assert kinds[demo.PLATFORM_ACCOUNT] == "省级平台采集账户"
    for dept in demo.DEPARTMENTS:
        short = dept["name"].split("-")[1]
        assert kinds[f"{short}-admin"] == f"{dept['title']} 部门管理员"
        assert kinds[f"{short}-compiler"] == f"{dept['title']} 编制人"
        assert kinds[f"{short}-security-officer"] == f"{dept['title']} 安全管理员"
    assert not [k for k in kinds.values() if re.search(r"[A-Za-z]", k)], kinds

    # entries spread over states, share types, grades, classes and formats
    page = login("admin")
    # the entries the load made (the browser tests sharing the portal may have added some)
    shown = _entries(page)
    entries = [e for e in shown if e["metadata_created"] < portal.loaded_at]
    assert 60 <= len(entries) <= 80
    states = Counter(e["catalogue_state"] for e in entries)
    assert states["published"] >= len(entries) * 0.6
    assert states["in_review"] and states["draft"]
    assert set(Counter(e["share_type"] for e in entries)) == {
        "unconditional", "conditional", "not_shared"}
    assert len({e["data_grade"] for e in entries}) >= 3
    assert len({e["catalog_class"] for e in entries}) == 3
    assert len({e["format_category"] for e in entries}) >= 3
    assert min(len(e["info_items"]) for e in entries) >= 2
    assert len({e["resource_code"] for e in entries}) == len(entries)

    # some resources are uploaded files (the download route serves them)
    assert any(r.get("url_type") == "upload" for e in entries for r in e["resources"])

    # the sharing flows: cases of every kind in several states, grants in every status
    states_by_kind: dict[str, set[str]] = {}
    for kind, state in portal_db.query(Case.kind, Case.state):
        states_by_kind.setdefault(kind, set()).add(state)
    assert set(states_by_kind) >= {"access_request", "demand", "collection", "dispute",
                                   "complaint", "incident", "grade_signoff"}
    assert all(len(states_by_kind[k]) >= 2 for k in (
        "access_request", "demand", "collection", "dispute", "complaint", "incident"))
    assert {s for (s,) in portal_db.query(Authorization.status)} == set(
        AUTHORIZATION_STATUSES)

    # idempotent: a second load adds nothing
    portal_db.rollback()
    again = _run(str(BIN / "ckan"), "-c", str(portal.ini), "govshare", "demo", "load")
    loaded = [line for line in again.splitlines() if line and not line.startswith(" ")
              and demo.DEMO_PASSWORD not in line]
    # the load speaks the portal's default locale (zh_Hans_CN here), English elsewhere
    assert loaded and all(re.search(r"(: 0 new( entries)?|：新增 0 个(目录条目)?)$", line)
                          for line in loaded), again
    assert len(_entries(page)) == len(shown)
