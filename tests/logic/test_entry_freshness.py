"""``govshare_lifecycle.freshness`` of published entries in ``package_show`` and
``package_search`` (DB14 §7.4 时效性)."""
from __future__ import annotations

import datetime

import pytest

from .. import lifecycle as L


@pytest.fixture
def world(fresh):
    return fresh(L.published_weekly)


def test_just_published_is_fresh(world):
    """A just-published weekly entry is fresh, next update due a week after its last one."""
    fresh = L.act("package_show", world.member, id=world.entry["id"])["govshare_lifecycle"][
        "freshness"]
    assert fresh["state"] == "fresh"
    last = datetime.datetime.fromisoformat(fresh["last_update"])
    due = datetime.datetime.fromisoformat(fresh["next_update_due"])
    assert due - last == datetime.timedelta(days=7)


def test_overdue_cycle_in_show_and_search(world, monkeypatch):
    """Ten days after the last update of a weekly entry (past the 0.7-day grace, before two
    cycles) the entry is overdue in package_show and package_search alike; after 20 days
    delinquent."""
    L.later(monkeypatch, 10)
    shown = L.act("package_show", world.outsider, id=world.entry["id"])
    assert shown["govshare_lifecycle"]["freshness"]["state"] == "overdue"
    found = L.act("package_search", world.outsider, fq=f"id:{world.entry['id']}")["results"]
    assert [r["govshare_lifecycle"]["freshness"]["state"] for r in found] == ["overdue"]
    L.later(monkeypatch, 10)
    shown = L.act("package_show", world.outsider, id=world.entry["id"])
    assert shown["govshare_lifecycle"]["freshness"]["state"] == "delinquent"


def test_unpublished_entry_has_none(world):
    """A draft has no freshness (the update cycle binds published entries)."""
    draft = L.entry(world.org, world.compiler, update_cycle="weekly")
    assert L.act("package_show", world.compiler, id=draft["id"])["govshare_lifecycle"][
        "freshness"] is None
