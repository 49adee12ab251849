"""ckanapi carries a catalogue to an empty portal losslessly (issue #11 §3): the real
``ckanapi dump organizations|datasets --all`` from this test's site and ``ckanapi load
organizations`` then ``ckanapi load datasets`` into a second, empty portal, both served by
gunicorn and reached with a sysadmin's API token, as the README's "Bulk work" recipe says. A sysadmin's ``package_create`` restores
each entry's ``catalogue_state`` through the import path; nobody else sets a state that way.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import ckan.model as model
import pytest
import sqlalchemy as sa
from ckan.tests import factories as ckan_factories
from ckan.tests import helpers

from .. import factories as f
from .. import lifecycle as L
from .. import served

CKANAPI = str(Path(sys.executable).with_name("ckanapi"))

#: what a load does not carry over (users, tags and departments get new rows, their ids and
#: creation times; an open review's submitter is a user of the old portal)
NOT_CARRIED = {"creator_user_id", "organization.created", "tags.id",
               "govshare_lifecycle.submitted_by", "govshare_lifecycle.stage_approver"}


def _world() -> dict[str, Any]:
    """Two demo departments; entries in every catalogue state and share type, a second
    version, a revised entry, a resource added after publication."""
    samr, gat = f.department(f.SAMR), f.department(f.GAT)
    units = [u["code"] for u in samr["units"]]
    compiler = f.user(samr, "compiler", units=units)
    reviewer = f.user(samr, "reviewer")

    def entry(template: int, **extra: Any) -> dict[str, Any]:
        return f.create_entry(compiler, (f.SAMR, template), **extra)

    def publish(pkg: dict[str, Any]) -> None:
        L.act("govshare_catalogue_submit", compiler, id=pkg["id"])
        L.act("govshare_catalogue_approve", reviewer, id=pkg["id"])

    states = {"draft": entry(0), "in_review": entry(4)}
    L.act("govshare_catalogue_submit", compiler, id=states["in_review"]["id"])
    for state, template in (("published", 1), ("revised", 5), ("offline_review", 3),
                            ("offline", 6)):
        states[state] = entry(template)
        publish(states[state])
    revised = states["revised"]["id"]
    helpers.call_action("resource_create", f.as_user(compiler), package_id=revised,
                        name="年报公示接口", url="https://share.example.gov.cn/nb/api",
                        format="REST", share_mode_type="api", description="第二个资源")
    rev = L.act("govshare_revision_create", compiler, id=revised, notes="修订后的摘要")
    L.act("govshare_revision_submit", compiler, id=rev["id"])
    L.act("govshare_revision_approve", reviewer, id=rev["id"])
    for state in ("offline_review", "offline"):
        L.act("govshare_catalogue_request_offline", compiler, id=states[state]["id"],
              reason="业务调整")
    L.act("govshare_catalogue_approve_offline", reviewer, id=states["offline"]["id"])
    # another department's not-shared entry, migrated into this portal at version 3
    states["not_shared"] = f.create_entry(None, f.NOT_SHARED)
    helpers.call_action("govshare_catalogue_import", f.site(), id=states["not_shared"]["id"],
                        catalogue_state="published", version=3, issued="2025-03-01",
                        published_at="2025-03-01T09:30:00+08:00")
    return {"ids": {k: v["id"] for k, v in states.items()}, "orgs": [samr["id"], gat["id"]]}


def _ckanapi(*args: str) -> subprocess.Popen:
    """Start the real ``ckanapi`` command (over HTTP: ``-r URL -a TOKEN`` among ``args``)."""
    # its worker processes are ``ckanapi`` found on the PATH
    path = f"{Path(CKANAPI).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return subprocess.Popen([CKANAPI, *args], env={**served.env(), "PATH": path},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _done(proc: subprocess.Popen) -> str:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, (proc.args, out[-2000:], err[-4000:])
    return out


def _lines(path: Path) -> dict[str, dict[str, Any]]:
    return {d["id"]: d for d in map(json.loads, path.read_text("utf-8").splitlines())}


def _flat(value: Any, path: str = "") -> dict[str, Any]:
    """``value`` as ``{dotted path: leaf}``; list items keep their order under the same path."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flat(item, f"{path}.{key}" if path else key))
        return out
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        out = {f"{path}#": len(value)}
        for index, item in enumerate(value):
            for key, leaf in _flat(item, path).items():
                out[f"{key}[{index}]"] = leaf
        return out
    return {path: value}


def _carried(pkg: dict[str, Any]) -> dict[str, Any]:
    """What a load must reproduce (an empty value counts as absent: an imported draft has
    lifecycle bookkeeping, all empty, that a draft never submitted has not)."""
    return {k: v for k, v in _flat(pkg).items()
            if k.split("[")[0] not in NOT_CARRIED and v is not None}


@pytest.fixture
def sites(clean_db, ckan_config, request, tmp_path) -> Iterator[SimpleNamespace]:
    """This worker's site with the world and a second, empty portal (a copy of the emptied
    database: CKAN's and govshare's tables, and the sysadmin whose API token ckanapi uses on
    both), each served by gunicorn."""
    sysadmin = ckan_factories.Sysadmin(name="bulk-admin")
    token = f.token(sysadmin)
    model.Session.commit()
    source_db = sa.engine.make_url(str(ckan_config["sqlalchemy.url"]))
    target_db, admin = served.copy_database(source_db, f"{source_db.database}_ckanapi")
    base = request.config.getoption("--ckan-ini")
    redis = str(ckan_config["ckan.redis.url"])
    servers = []
    try:
        world = _world()
        model.Session.commit()
        model.Session.remove()
        urls = {}
        for name, db in (("source", source_db), ("target", target_db)):
            sock, urls[name] = served.listener()
            ini = served.ini(tmp_path / f"{name}.ini", base, **{
                "sqlalchemy.url": db.render_as_string(hide_password=False),
                "ckan.redis.url": redis, "ckan.site_url": urls[name],
                "ckan.storage_path": str(tmp_path / f"{name}-storage")})
            servers.append(served.serve(ini, sock, tmp_path, name))
        for server, url in zip(servers, urls.values()):
            served.wait_ready(server, url)
        yield SimpleNamespace(world=world, token=token, **urls)
    finally:
        for server in servers:
            served.stop(server)
        served.drop_database(admin, target_db.database)


def test_dump_and_load_reproduce_every_entry(sites, tmp_path):
    """Every entry arrives with its fields, 信息项, codes, resources, catalogue state, version,
    open step, publication and times; the departments with their USCC and units."""
    world = sites.world
    source = ("-r", sites.source, "-a", sites.token)
    target = ("-r", sites.target, "-a", sites.token)
    dumps = [_ckanapi("dump", thing, "--all", "-q", *source,
                      "-O", str(tmp_path / f"{thing}.jsonl"))
             for thing in ("organizations", "datasets")]
    for proc in dumps:
        _done(proc)
    for thing in ("organizations", "datasets"):
        _done(_ckanapi("load", thing, "-q", *target, "-I", str(tmp_path / f"{thing}.jsonl")))
    dumps = [_ckanapi("dump", thing, "--all", "-q", *target,
                      "-O", str(tmp_path / f"{thing}-target.jsonl"))
             for thing in ("organizations", "datasets")]
    for proc in dumps:
        _done(proc)

    before, after = _lines(tmp_path / "datasets.jsonl"), _lines(tmp_path / "datasets-target.jsonl")
    assert set(before) == set(after) == set(world["ids"].values())
    for key, pkg_id in world["ids"].items():
        carried, arrived = _carried(before[pkg_id]), _carried(after[pkg_id])
        if key == "revised":
            # its last data update was the approval of a revision: the audit trail stays behind,
            # the copy counts from its first publication (README, "Bulk work")
            for field in ("last_update", "next_update_due"):
                assert carried.pop(f"govshare_lifecycle.freshness.{field}") > arrived.pop(
                    f"govshare_lifecycle.freshness.{field}")
        assert arrived == carried, key
    shown = {k: before[v] for k, v in world["ids"].items()}
    assert {k: (v["catalogue_state"], v["govshare_lifecycle"]["version"])
            for k, v in shown.items()} == {
        "draft": ("draft", 0), "in_review": ("in_review", 0), "published": ("published", 1),
        "revised": ("published", 2), "offline_review": ("offline_review", 1),
        "offline": ("offline", 1), "not_shared": ("published", 3)}
    assert shown["in_review"]["govshare_lifecycle"]["due_at"]
    assert shown["not_shared"]["issued"] == "2025-03-01"
    assert len(shown["revised"]["resources"]) == 2
    assert {v["share_type"] for v in shown.values()} == {
        "unconditional", "conditional", "not_shared"}
    orgs_before = _lines(tmp_path / "organizations.jsonl")
    orgs_after = _lines(tmp_path / "organizations-target.jsonl")
    assert set(orgs_before) == set(orgs_after) == set(world["orgs"])
    for org_id, org in orgs_before.items():
        assert {k: v for k, v in org.items() if k != "created"} == {
            k: v for k, v in orgs_after[org_id].items() if k != "created"}
        assert org["uscc"] and org["units"]


def test_only_sysadmins_create_in_a_given_state(fresh):
    """A department's compiler or admin who sends a dumped entry's ``catalogue_state`` and
    lifecycle to ``package_create`` (also through an internal call) gets a draft, and cannot set a state with
    ``package_update``; a sysadmin's create imports it (audited ``imported``), and codes
    allocated afterwards skip the imported ones."""
    w = fresh(L.world)
    admin = f.user(w.org, capacity="admin")
    dumped = {"catalogue_state": "published", "issued": "2025-01-02",
              "govshare_lifecycle": {"version": 4, "published_at": "2025-01-02T10:00:00+08:00"}}
    for who in (w.compiler, admin):
        pkg = L.act("package_create", who, **L.entry_dict(w.org, **dumped))
        assert (pkg["catalogue_state"], pkg.get("issued")) == ("draft", None)
        # an internal call on their behalf (ignore_auth) is no sysadmin's either
        pkg = L.entry(w.org, who, **dumped)
        assert (pkg["catalogue_state"], pkg.get("issued")) == ("draft", None)
        L.act("package_update", who, **{**pkg, **dumped})
        assert L.state(pkg["id"]) == "draft"
        assert helpers.call_action("govshare_audit_list", L.site(),
                                   entry_id=pkg["id"])["count"] == 0
    pkg = L.act("package_create", w.sysadmin, **L.entry_dict(w.org, **dumped))
    shown = L.act("package_show", w.sysadmin, id=pkg["id"])
    assert (shown["catalogue_state"], shown["issued"]) == ("published", "2025-01-02")
    assert shown["govshare_lifecycle"]["version"] == 4
    assert shown["govshare_lifecycle"]["published_at"].startswith("2025-01-02T02:00:00")
    [row] = helpers.call_action("govshare_audit_list", L.site(), entry_id=pkg["id"])["results"]
    assert (row["action"], row["to_state"], row["actor"]) == (
        "imported", "published", w.sysadmin["id"])
    given = L.act("package_create", w.sysadmin, **L.entry_dict(
        w.org, **dumped, catalog_subitem="777", resource_code="102777/000001", name=None))
    assert given["resource_code"] == "102777/000001"
    allocated = L.entry(w.org, w.compiler, catalog_subitem="777", name=None)
    assert allocated["resource_code"] == "102777/000002"
    model.Session.remove()
