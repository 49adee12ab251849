"""我的工作台 in a real browser, for a reviewer of the demo catalogue (issue #12): the header's
badge counts the to-dos the page lists, soonest due first with their working days, and a
to-do leads to its entry. Takes two of the README's screenshots (``conftest.readme_shot``:
into ``docs/screenshots/`` with ``GOVSHARE_SCREENSHOTS=1``): the workbench and an entry page
(the statistics page's is ``test_statistics.py``'s).
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

def test_reviewer_workbench(login, readme_shot) -> None:
    page = login("samr-reviewer")
    badge = page.locator(".govshare-workbench-count")
    expect(badge).to_be_visible()
    total = int(badge.inner_text())
    page.locator("a.govshare-workbench-link").click()
    expect(page).to_have_url(re.compile(r"/dashboard/workbench$"))
    rows = page.locator("tr.govshare-todo")
    assert rows.count() == total > 0
    # the demo's reviewer decides entries in review (batch) and sharing cases
    expect(page.locator("tr.govshare-todo-review").first).to_be_visible()
    expect(page.locator("input[name=selected]").first).to_be_visible()
    due = page.locator("td.govshare-todo-due .badge")
    assert due.count() > 0
    expect(due.first).to_have_text(re.compile(r"\d"))
    # a filter by kind keeps the review steps only
    page.select_option("#kind", "review")
    page.locator(".govshare-workbench-filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"kind=review"))
    assert page.locator("tr.govshare-todo").count() == page.locator(
        "tr.govshare-todo-review").count() > 0
    page.goto("/dashboard/workbench")
    page.set_viewport_size({"width": 1280, "height": 900})
    readme_shot(page, "workbench")

    # the first review leads to its entry's lifecycle page; the entry page itself is shot
    page.locator("tr.govshare-todo-review a").first.click()
    expect(page).to_have_url(re.compile(r"/dataset/[^/]+/lifecycle$"))
    page.goto(page.url.rsplit("/lifecycle", 1)[0])
    expect(page.locator("h1").first).to_be_visible()
    readme_shot(page, "entry")
