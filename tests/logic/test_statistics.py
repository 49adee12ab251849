"""``govshare_statistics_show`` and the statistics pages (issue #12 §6): counts of a
department's entries, review and reply times against their limits in working days, requests
per month, the assessment trend — and who may see which scope (permissions.may_see_statistics):
never an entry's title. The pages (a department's, the portal's) draw each chart with the
portal's own Chart.js, show it as a table and export it as XLSX. One module, one world: the
world is the slow part."""
from __future__ import annotations

import io
import json
import re

import ckan.plugins.toolkit as tk
import pytest
from python_calamine import CalamineWorkbook

from .. import lifecycle as L
from .. import statistics as S

# the test client keeps the login cookie of set_session_user for "localhost"
pytestmark = pytest.mark.ckan_config("ckan.site_url", "http://localhost")


@pytest.fixture
def world(fresh):
    return fresh(S.world)


def _show(user, **data):
    return L.act("govshare_statistics_show", user, **data)


def _chart(result, name):
    return next(c for c in result["charts"] if c["name"] == name)


def _values(chart, series):
    i = [s["key"] for s in chart["series"]].index(series)
    return {r["key"]: r["values"][i] for r in chart["rows"]}


def test_department_entry_counts(world):
    """Entries by state, share type, unit, format and class count every entry of the
    department, drafts included, and no chart names an entry."""
    w = world
    result = _show(w.p_reviewer, organization_id=w.provider["name"])
    assert result["scope"] == "department" and result["organization_id"] == w.provider["id"]
    states = _values(_chart(result, "entries_by_state"), "entries")
    assert states == {"published": 7, "draft": 1}
    total = sum(states.values())
    for name in ("entries_by_share_type", "entries_by_unit", "entries_by_format",
                 "entries_by_class"):
        assert sum(_values(_chart(result, name), "entries").values()) == total, name
    share = _values(_chart(result, "entries_by_share_type"), "entries")
    assert share["not_shared"] == 1 and share["unconditional"] == 2
    unit = _chart(result, "entries_by_unit")["rows"][0]
    assert unit["key"] == "DJZCC" and unit["label"].startswith("DJZCC ")
    dump = json.dumps(result, ensure_ascii=False)
    for entry in (w.draft, w.g2, w.slow):
        assert entry["title"] not in dump and entry["id"] not in dump


def test_review_and_reply_times_against_limits(world):
    """A review decided at once is within the limit, one decided a month after submission is
    late; likewise the provider's answers to access requests."""
    w = world
    result = _show(w.p_reviewer, organization_id=w.provider["id"],
                   charts="review_times,reply_times,requests_per_month")
    assert [c["name"] for c in result["charts"]] == [
        "review_times", "reply_times", "requests_per_month"]
    for name, done in (("review_times", "decided"), ("reply_times", "replied")):
        chart = _chart(result, name)
        assert sum(_values(chart, done).values()) == 2, name
        assert sum(_values(chart, "on_time").values()) == 1, name
        assert sum(_values(chart, "late").values()) == 1, name
        assert chart["stacked"] and not chart["empty"]
        assert max(v or 0 for v in _values(chart, "average_days").values()) >= 10
    received = _values(_chart(result, "requests_per_month"), "received")
    assert sum(received.values()) == 2 and len(received) == 12
    assert sum(_values(_chart(result, "requests_per_month"), "granted").values()) == 1
    consumer = _show(w.c_reviewer, organization_id=w.consumer["id"],
                     charts=["requests_per_month", "reply_times"])
    requests = _chart(consumer, "requests_per_month")
    assert sum(_values(requests, "sent").values()) == 2
    assert sum(_values(requests, "received").values()) == 0
    assert _chart(consumer, "reply_times")["empty"]


def test_assessment_trend_and_portal(world):
    """The stored snapshot is the trend's last month but one; the portal-wide statistics
    count every department's entries, by department."""
    w = world
    trend = _chart(_show(w.p_reviewer, organization_id=w.provider["id"],
                         charts="assessment_trend"), "assessment_trend")
    scores = [r for r in trend["rows"] if r["values"][0] is not None]
    assert len(scores) == 1 and scores[0]["key"] == trend["rows"][-2]["key"]
    portal = _show(w.sysadmin)
    assert portal["scope"] == "portal" and portal["organization_id"] is None
    by_dept = _values(_chart(portal, "entries_by_department"), "entries")
    assert by_dept[w.provider["id"]] == 8 and by_dept[w.consumer["id"]] == 1
    assert "entries_by_unit" not in [c["name"] for c in portal["charts"]]


def test_who_may_see_which_scope(world, monkeypatch):
    """Members see their department's statistics only; the portal's are for sysadmins and
    the coordinating department's coordinators."""
    w = world
    assert L.refused("govshare_statistics_show", w.requester, organization_id=w.provider["id"])
    assert L.refused("govshare_statistics_show", w.outsider, organization_id=w.provider["id"])
    assert L.refused("govshare_statistics_show", None, organization_id=w.provider["id"])
    assert _show(w.requester, organization_id=w.consumer["id"], charts="entries_by_state")
    assert L.refused("govshare_statistics_show", w.p_reviewer)
    assert L.refused("govshare_statistics_show", w.coordinator)
    monkeypatch.setitem(tk.config, "ckanext.govshare.coordinating_department", w.third["name"])
    assert _show(w.coordinator, charts="entries_by_class")["scope"] == "portal"
    assert _show(w.coordinator, organization_id=w.provider["id"], charts="demands")


def test_unknown_chart_names_the_field(world):
    """A chart the scope does not have is a ValidationError on ``charts``."""
    w = world
    with pytest.raises(tk.ValidationError) as err:
        _show(w.p_reviewer, organization_id=w.provider["id"], charts="entries_by_department")
    assert "entries_by_department" in err.value.error_dict["charts"][0]


# -- the pages -----------------------------------------------------------------------------------


def _get(app, user, url: str, status: int = 200):
    app.set_session_user(user["id"] if user else None)
    return app.get(url, status=status)


def _dept(w) -> str:
    return f"/organization/{w.provider['name']}/govshare/statistics"


def test_department_page_charts_tables_and_script(app, world):
    """Every chart of the department has its section, its table and its XLSX link; the page
    loads Chart.js and the drawing script from the portal itself (no CDN)."""
    w = world
    body = _get(app, w.p_reviewer, _dept(w)).body
    sections = re.findall(r'<section class="govshare-chart[^"]*" id="chart-([a-z_]+)"', body)
    assert sections[:3] == ["entries_by_share_type", "entries_by_state", "entries_by_unit"]
    assert len(sections) == 11
    assert body.count("<table class=\"table table-bordered table-sm\">") >= 9
    assert f'{_dept(w)}/entries_by_state.xlsx' in body
    scripts = re.findall(r'<script src="(/webassets/ckanext-govshare/[^"]+)"', body)
    assert any(s.endswith("_chart.js") for s in scripts)
    assert any(s.endswith("_statistics.js") for s in scripts)
    assert not re.search(r'<script src="https?://', body)
    chart_js = next(s for s in scripts if s.endswith("_chart.js"))
    served = _get(app, w.p_reviewer, chart_js)
    assert "chart.js" in served.get_data(as_text=True)[:400].lower()
    assert w.g2["title"] not in body and w.draft["title"] not in body


def test_department_page_in_chinese_and_english(app, world):
    """The page is the portal's default zh_Hans_CN; /en shows it in English (a vocabulary
    label of each language)."""
    w = world
    assert "有条件共享" in _get(app, w.p_reviewer, f"/zh_Hans_CN{_dept(w)}").body
    assert "Conditional sharing" in _get(app, w.p_reviewer, f"/en{_dept(w)}").body


def test_xlsx_download_is_the_table(app, world):
    """A chart's XLSX holds its table: the header row, then a row per category."""
    w = world
    res = _get(app, w.p_reviewer, f"/en{_dept(w)}/entries_by_state.xlsx")
    assert res.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "entries_by_state" in res.headers["Content-Disposition"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(res.get_data()))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0] == ["Catalogue state", "Entries"]
    assert [r[:2] for r in rows[1:3]] == [["Draft", 1.0], ["Published", 7.0]]
    _get(app, w.p_reviewer, f"{_dept(w)}/no_such_chart.xlsx", status=404)


def test_portal_page_and_refusals(app, world):
    """The portal's page for a sysadmin (by department); a department's reviewer is refused
    it and an outsider the department's page; the department page links the portal's only for
    those who may see it."""
    w = world
    body = _get(app, w.sysadmin, "/en/govshare/statistics").body
    assert 'id="chart-entries_by_department"' in body and w.provider["title"] in body
    assert "/govshare/statistics/entries_by_department.xlsx" in body
    assert 'href="/en/govshare/statistics"' in _get(app, w.sysadmin, f"/en{_dept(w)}").body
    assert 'href="/en/govshare/statistics"' not in _get(app, w.p_reviewer, f"/en{_dept(w)}").body
    _get(app, w.p_reviewer, "/govshare/statistics", status=403)
    _get(app, w.outsider, _dept(w), status=403)
    _get(app, None, _dept(w), status=403)
