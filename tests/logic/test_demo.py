"""The demo catalogue (``ckan govshare demo load``, the README's first command): what it loads
and that loading it again changes nothing. One test: a load takes a while."""
from __future__ import annotations

import re
from collections import Counter

import ckan.model as model
import pytest
from ckan.tests import helpers

from ckanext.govshare import demo
from ckanext.govshare.department import roles
from ckanext.govshare.model.sharing import AUTHORIZATION_STATUSES, Authorization, Case


def _entries() -> list[dict]:
    return helpers.call_action("package_search", {"ignore_auth": True}, q="*:*", rows=1000,
                               include_private=True, fq="dataset_type:dataset")["results"]


# the portal's default: the security officer confirms grades from G3 (test.ini turns it off)
@pytest.mark.ckan_config("ckanext.govshare.sharing.signoff_grade", "G3")
def test_demo_load(clean_db):
    printed: list[str] = []
    accounts = demo.load(echo=printed.append)

    # departments with their units, an account for every role, one printed password
    assert {d["name"] for d in demo.DEPARTMENTS} == {
        g.name for g in model.Session.query(model.Group).filter_by(is_organization=True)}
    for dept in demo.DEPARTMENTS:
        assert 2 <= len(roles.department_units(dept["name"])) <= 3, dept["name"]
    names = {a[0] for a in accounts}
    assert "admin" in names
    for dept in demo.DEPARTMENTS:
        short = dept["name"].split("-")[1]
        for role in ("admin", "compiler", "reviewer", "security-officer", "coordinator"):
            assert f"{short}-{role}" in names
    assert {a[1] for a in accounts} == {demo.DEMO_PASSWORD}

    # entries spread over states, share types, grades, classes and formats
    entries = _entries()
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
    for kind, state in model.Session.query(Case.kind, Case.state):
        states_by_kind.setdefault(kind, set()).add(state)
    assert set(states_by_kind) >= {"access_request", "demand", "collection", "dispute",
                                   "complaint", "incident", "grade_signoff"}
    assert all(len(states_by_kind[k]) >= 2 for k in (
        "access_request", "demand", "collection", "dispute", "complaint", "incident"))
    assert {s for (s,) in model.Session.query(Authorization.status)} == set(
        AUTHORIZATION_STATUSES)

    # idempotent: a second load adds nothing
    again: list[str] = []
    demo.load(echo=again.append)
    assert len(_entries()) == len(entries)
    assert again and all(re.search(r": 0 new( entries)?$", line) for line in again), again
