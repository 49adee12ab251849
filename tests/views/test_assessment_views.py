"""The department's assessment page: scores of the period, the trend of stored snapshots, the
snapshot button, and who may see it (DB14 §7.4)."""
from __future__ import annotations

import re

import pytest

from .. import assessment as A
from .. import lifecycle as L

# the test client keeps the login cookie of set_session_user for "localhost"
pytestmark = pytest.mark.ckan_config("ckan.site_url", "http://localhost")


@pytest.fixture
def world(fresh):
    return fresh(A.world)


def _url(w, path: str = "") -> str:
    return f"/organization/{w.org['name']}/govshare/assessment{path}"


def _login(app, user) -> None:
    app.set_session_user(user["id"] if user else None)


def _token(body: str) -> str:
    """The CSRF token of the page (its form field, or the meta tag every page carries)."""
    match = re.search(r'name="_csrf_token" (?:value|content)="([^"]+)"', body)
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_member_sees_scores_trend_and_link(app, world):
    """A member sees the period's dimensions, the uncovered business matter, the stored trend
    oldest first, the link from the department page, and no snapshot button."""
    for period in ("2026-10", "2026-09"):
        L.act("govshare_assessment_snapshot_create", world.reviewer,
              organization_id=world.org["id"], period=period)
    _login(app, world.member)
    body = app.get(_url(world), query_string={"period": "2026-10"}, status=200).body
    assert "Period 2026-10" in body and "govshare-assessment-comprehensiveness" in body
    assert "1 of 2 declared business matters covered" in body
    assert re.search(r'govshare-assessment-uncovered">\s*<li>广告监测</li>', body)
    trend = body[body.index("govshare-assessment-trend"):]
    assert trend.index("2026-09") < trend.index("2026-10")
    assert "govshare-assessment-snapshot" not in body
    org_page = app.get(f"/organization/{world.org['name']}", status=200).body
    assert _url(world) in org_page


def test_unit_and_bad_period(app, world):
    """A unit's page has no business-matter share; a bad period shows the error (in the
    page's language) and this month's assessment."""
    _login(app, world.member)
    unit = app.get(_url(world), query_string={"unit": "DJZCC"}, status=200).body
    assert "1 of 1 units have entries" in unit and "declared per department" in unit
    bad = app.get(_url(world), query_string={"period": "2026-13"}, status=200).body
    assert "Period (period) must be" in bad and "考核周期（period）" not in bad
    assert "govshare-assessment-no-trend" in bad


@pytest.mark.parametrize("who", ["outsider", "other_reviewer", None])
def test_outsiders_are_refused(app, world, who):
    """Users outside the department, and anonymous visitors, get 403."""
    _login(app, getattr(world, who) if who else None)
    app.get(_url(world), status=403)


def test_reviewer_stores_the_previous_month(app, world):
    """A reviewer's button stores the previous month's snapshot (CSRF-protected)."""
    _login(app, world.reviewer)
    page = app.get(_url(world), status=200).body
    assert "govshare-assessment-snapshot" in page
    assert app.post(_url(world, "/snapshot"), data={}).status_code == 400
    res = app.post(_url(world, "/snapshot"), data={"_csrf_token": _token(page)})
    assert res.status_code == 200 and "stored" in res.body
    assert L.act("govshare_assessment_snapshot_list", world.reviewer,
                 organization_id=world.org["id"])["count"] == 1


def test_member_cannot_store(app, world):
    """A plain member posting to the snapshot URL gets 403."""
    _login(app, world.member)
    page = app.get(_url(world), status=200).body
    assert app.post(_url(world, "/snapshot"),
                    data={"_csrf_token": _token(page)}).status_code == 403
