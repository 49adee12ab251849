"""The statistics page in a real browser (issue #12 §6), for the reviewer of 省市场监督管理局 in
the demo catalogue: every chart with figures is drawn by the portal's own Chart.js, each can be
switched to its table, and the XLSX link answers a workbook. Takes the README's screenshot
``statistics.png`` (``conftest.readme_shot``: into ``docs/screenshots/`` with
``GOVSHARE_SCREENSHOTS=1``)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_department_statistics_drawn_with_tables(login, readme_shot) -> None:
    page = login("samr-reviewer")
    page.goto("/organization/sx-samr/govshare/statistics")
    expect(page.locator("h1.page-heading")).to_contain_text("统计")
    drawn = page.locator(".govshare-chart-canvas:not([hidden]) canvas")
    expect(drawn.first).to_be_visible()
    # every section with figures has a chart made by Chart.js (served by the portal, no CDN)
    assert page.evaluate("""() => [...document.querySelectorAll('.govshare-chart canvas')]
        .every(c => window.Chart && window.Chart.getChart(c))""")
    assert drawn.count() >= 5
    first = page.locator("section.govshare-chart").first
    first.locator("button[data-view=table]").click()
    expect(first.locator(".govshare-chart-table table")).to_be_visible()
    expect(first.locator("canvas")).to_be_hidden()
    expect(first.locator("button[data-view=table]")).to_have_attribute("aria-pressed", "true")
    first.locator("button[data-view=chart]").click()
    expect(first.locator("canvas")).to_be_visible()
    xlsx = page.request.get(first.locator("a.govshare-chart-xlsx").get_attribute("href"))
    assert xlsx.ok and xlsx.body()[:2] == b"PK"
    page.set_viewport_size({"width": 1280, "height": 900})
    readme_shot(page, "statistics")
