"""Freshness of one entry (DB14 §7.4 时效性): the last data update and the state the
assessment counts and ``govshare_lifecycle.freshness`` shows, from the last data update
(``lifecycle.queries.last_data_updates``) (pure, no database)."""
from __future__ import annotations

import datetime

from ckanext.govshare.lifecycle import freshness

UTC = datetime.timezone.utc
OPTIONS = {"due_soon_ratio": 0.1, "grace_ratio": 0.1, "delinquent_cycles": 2, "irregular_days": 0}
MODIFIED = datetime.datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def _entry(**fields):
    return {"catalogue_state": "published", "update_cycle": "weekly", **fields}


def test_states_along_a_weekly_cycle():
    """Weekly: fresh, due from 0.7 days before the week ends, overdue after 0.7 days of grace,
    delinquent after two weeks and the grace; next_update_due one week after the update."""
    def state(days: float) -> str:
        at = MODIFIED + datetime.timedelta(days=days)
        return freshness.entry_freshness(_entry(), MODIFIED, at, OPTIONS)["state"]

    assert [state(d) for d in (1, 6.5, 8, 15)] == ["fresh", "due", "overdue", "delinquent"]
    fresh = freshness.entry_freshness(_entry(), MODIFIED, MODIFIED, OPTIONS)
    due = datetime.datetime.fromisoformat(fresh["next_update_due"])
    assert due - MODIFIED == datetime.timedelta(days=7)
    assert datetime.datetime.fromisoformat(fresh["last_update"]) == MODIFIED


def test_only_published_entries_with_a_known_cycle():
    """Drafts, entries without a cycle, with an unknown one or no known last update have no
    freshness."""
    assert freshness.entry_freshness(_entry(catalogue_state="draft"), MODIFIED, MODIFIED, OPTIONS) \
        is None
    assert freshness.entry_freshness(_entry(update_cycle=""), MODIFIED, MODIFIED, OPTIONS) is None
    assert freshness.entry_freshness(_entry(update_cycle="hourly"), MODIFIED, MODIFIED, OPTIONS) \
        is None
    assert freshness.entry_freshness(_entry(), None, MODIFIED, OPTIONS) is None
