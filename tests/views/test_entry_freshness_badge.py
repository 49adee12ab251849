"""The freshness badge (DB14 §7.4 时效性) next to the state badge on an entry's page."""
from __future__ import annotations

import pytest

from .. import lifecycle as L

pytestmark = pytest.mark.ckan_config("ckan.site_url", "http://localhost")


@pytest.fixture
def world(fresh):
    return fresh(L.published_weekly)


def test_badge_on_entry_page(app, world, monkeypatch):
    """The entry page shows the freshness badge next to the state badge."""
    app.set_session_user(world.member["id"])
    page = app.get(f"/dataset/{world.entry['name']}", status=200).body
    assert "govshare-freshness-fresh" in page and "Up to date" in page
    L.later(monkeypatch, 10)
    page = app.get(f"/dataset/{world.entry['name']}", status=200).body
    assert "govshare-freshness-overdue" in page and "Update overdue" in page
