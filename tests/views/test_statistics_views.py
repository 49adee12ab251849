"""The statistics pages (issue #12 §6): a department's for its members, the portal's for the
coordinating department's coordinators and sysadmins; each chart drawn by the portal's own
Chart.js, shown as a table and downloadable as XLSX."""
from __future__ import annotations

import io
import re

import pytest
from python_calamine import CalamineWorkbook

from .. import statistics as S

# the test client keeps the login cookie of set_session_user for "localhost"
pytestmark = pytest.mark.ckan_config("ckan.site_url", "http://localhost")


@pytest.fixture
def world(fresh):
    return fresh(S.world)


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
