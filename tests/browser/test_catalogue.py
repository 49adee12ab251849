"""Real-browser tests of the catalogue's key flows in the Chinese portal.

A compiler compiles an entry through CKAN's two-stage form (scheming's repeating subfields
for 信息项 and 可共享数据管理规范), an invalid combination is refused with the bilingual message,
the search page finds a demo entry with its facets, and a reviewer approves a submitted entry
in the review queue. Screenshots go to ``/tmp/govshare-browser/`` for a look by eye; they are
not compared.
"""
from __future__ import annotations

import pathlib
import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

SHOTS = pathlib.Path("/tmp/govshare-browser")


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _fill_entry(page: Page, title: str, *, share_condition: str) -> None:
    """Fill a complete conditional-sharing entry of 信用监督管理处 (SAMR02), class 2-08-009."""
    page.fill("#field-title", title)
    page.fill("#field-notes", "浏览器测试编制的信用修复信息，登记已完成信用修复的企业，用于跨部门联合奖惩。")
    page.select_option("#field-organizations", label="省市场监督管理局")
    page.select_option("#field-provider_unit", "SAMR02")
    page.select_option("#field-is_classified", "false")
    page.select_option("#field-catalog_class", "2")
    page.select_option("#field-catalog_item", "08")
    page.fill("#field-catalog_subitem", "009")
    page.select_option("#field-format_category", "spreadsheet")
    page.select_option("#field-format_type", "xlsx")
    # the first 信息项 row is always on the form; scheming names its inputs info_items-0-*
    page.fill("[name='info_items-0-name']", "统一社会信用代码")
    page.fill("[name='info_items-0-name_en']", "uscc")
    page.select_option("[name='info_items-0-data_type']", "C")
    page.fill("[name='info_items-0-length']", "18")
    page.select_option("[name='info_items-0-grade']", "G2")
    page.select_option("[name='info_items-0-is_sensitive']", "false")
    page.fill("[name='info_items-0-description']", "企业的统一社会信用代码")
    page.select_option("#field-share_type", "conditional")
    page.fill("#field-share_condition", share_condition)
    page.fill("[name='share_scope-0-consumers']", "省直有关部门")
    page.fill("[name='share_scope-0-regions']", "全省")
    page.fill("[name='share_scope-0-need_to_know']", "经办人员")
    page.fill("[name='share_scope-0-usage']", "联合奖惩")
    page.fill("[name='share_scope-0-scenarios']", "信用修复核验")
    page.select_option("[name='share_scope-0-agreement_required']", "false")
    page.select_option("#field-share_mode_category", "platform")
    page.select_option("#field-share_mode_type", "file")
    page.select_option("#field-open_type", "not_open")
    page.select_option("#field-update_cycle", "monthly")
    page.select_option("#field-data_grade", "G2")


def test_compiler_compiles_an_entry_in_the_form(page: Page, login) -> None:
    """A compiler fills the Chinese form, attaches a resource and gets a resource code."""
    page.goto("/user/login")
    _shot(page, "0-login")
    login("samr-compiler")
    page.goto("/dataset/new")
    form = page.locator("form#dataset-edit")
    for label in ("信息资源名称", "信息资源分类（类）", "信息项名称", "共享类型", "共享条件", "数据分级"):
        expect(form.locator("label", has_text=label).first).to_be_visible()
    _fill_entry(page, "企业信用修复信息（浏览器测试）", share_condition="仅限履行法定职责需要使用")
    _shot(page, "1-dataset-new")
    page.click("button[name=save]:not([value])")  # CKAN's "next: add data", not 保存草稿

    # stage two of CKAN's form: attach the platform's file
    expect(page).to_have_url(re.compile(r"/dataset/[^/]+/resource/new"))
    page.click("#resource-link-button")  # 链接: the URL input appears
    page.fill("#field-resource-url", "https://share.example.gov.cn/sx-samr/208009/1.xlsx")
    page.fill("#field-name", "企业信用修复信息数据")
    page.select_option("#field-share_mode_type", "file")
    _shot(page, "2-resource-new")
    page.click("button[name=save][value=go-metadata]")

    expect(page).to_have_url(re.compile(r"/dataset/[^/]+$"))
    expect(page.locator("h1")).to_contain_text("企业信用修复信息（浏览器测试）")
    # the code is allocated from the classification 2-08-009; the URL name is made from it
    code = page.locator("tr").filter(has=page.locator("th", has_text=re.compile("^信息资源代码$")))
    expect(code.locator("td")).to_have_text(re.compile(r"^208009/\d{6}$"))
    assert page.url.endswith("/dataset/" + code.locator("td").inner_text().strip().replace("/", "-"))
    expect(page.get_by_text("企业信用修复信息数据")).to_be_visible()
    _shot(page, "3-dataset-read")


def test_invalid_combination_is_refused_in_chinese(login) -> None:
    """Conditional sharing without a condition: the form shows the rule in Chinese only, in
    the summary (a link to the field) and at the field; nothing is stored."""
    page = login("samr-compiler")
    page.goto("/dataset/new")
    title = "无条件说明的有条件共享（浏览器测试）"
    _fill_entry(page, title, share_condition="")
    page.click("button[name=save]:not([value])")

    _shot(page, "4-dataset-new-error")
    expect(page).to_have_url(re.compile(r"/dataset/new$"))
    message = "共享条件：有条件共享时必须填写共享条件"
    summary = page.locator("#govshare-error-summary")
    expect(summary.locator("a[href='#field-share_condition']")).to_have_text(message)
    expect(page.get_by_text("Share condition: required")).to_have_count(0)
    expect(page.locator(".error-block").filter(has_text=message)).to_be_visible()
    # what was typed is still there to correct
    expect(page.locator("#field-title")).to_have_value(title)

    def count(title: str) -> int:
        found = page.request.get("/api/3/action/package_search",
                                 params={"q": f'title:"{title}"', "include_private": "true",
                                         "include_drafts": "true"}).json()
        return found["result"]["count"]

    assert count(title) == 0
    assert count("企业营业执照信息") >= 1  # the same query does find what exists


def test_search_lists_the_department_entry_with_facets(login) -> None:
    """A user of the department finds 企业营业执照信息 by keyword; the facets are shown."""
    page = login("samr-reviewer")
    page.goto("/dataset/?q=营业执照")
    results = page.locator(".dataset-list .dataset-item")
    expect(results.first).to_be_visible()
    expect(results.filter(has_text="企业营业执照信息").first).to_be_visible()
    _shot(page, "5-dataset-search")
    facets = page.locator("section.module-narrow:has(.nav-facet)")
    expect(facets.first).to_be_visible()
    departments = facets.filter(has=page.locator("h2", has_text="部门"))
    expect(departments.locator(".nav-facet .nav-item").filter(has_text="省市场监督管理局")
           ).to_be_visible()


def test_reviewer_approves_a_submitted_entry_in_the_review_queue(login) -> None:
    """Compiler submits, a reviewer of the department approves in the queue: 已发布."""
    title = "个体工商户登记信息（大同市）"  # a draft of the demo catalogue
    page = login("samr-compiler")
    found = page.request.get("/api/3/action/package_search",
                             params={"q": f'title:"{title}"', "include_private": "true"}).json()
    name = next(d["name"] for d in found["result"]["results"] if d["title"] == title)
    page.goto(f"/dataset/{name}/lifecycle")
    expect(page.locator(".govshare-state").first).to_have_text("编制中")
    page.click("button[name=event][value=submit]")
    expect(page.locator(".govshare-state").first).to_contain_text("审核中")

    page.context.clear_cookies()
    page = login("samr-reviewer")
    page.goto("/govshare/review")
    row = page.locator("form.govshare-queue tbody tr").filter(has_text=title)
    expect(row).to_have_count(1)
    row.get_by_role("checkbox").check()
    _shot(page, "6-review-queue")
    page.locator("form.govshare-queue button[name=decision][value=approve]").click()
    expect(page.locator(".alert-success, .flash-messages .alert").first).to_be_visible()
    expect(page.locator("form.govshare-queue tbody tr").filter(has_text=title)).to_have_count(0)

    page.goto(f"/dataset/{name}")
    expect(page.locator(".govshare-lifecycle-summary .govshare-state")).to_contain_text("已发布")
    _shot(page, "7-dataset-published")
