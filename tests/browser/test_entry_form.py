"""The entry form's linked pick-lists in a real browser (the ``govshare-entry-form`` module).

A compiler of one unit in each of two departments picks a department and is offered that
department's unit; picks a format category and is offered its types; sees the conditional
parts appear as they apply; edits the 信息项 as a table (the ``govshare-records-table``
module): pastes rows copied from a spreadsheet, adds, moves and removes rows; and submits a
valid entry.
"""
from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from .conftest import PASSWORD
from .test_catalogue import _shot

pytestmark = pytest.mark.browser

COMPILER = "two-dept-compiler"


def _api(page: Page, action: str, **data) -> dict:
    """POST an action as the logged-in user (the session's CSRF token from the page)."""
    token = page.locator('meta[name="_csrf_token"]').get_attribute("content")
    response = page.request.post(f"/api/3/action/{action}", data=data,
                                 headers={"X-CSRFToken": token})
    assert response.ok, response.text()
    return response.json()["result"]


def _fill(page: Page, values: dict[str, str]) -> None:
    """Type into inputs and choose in selects, by ``#id`` or by the field's ``name``."""
    for where, value in values.items():
        field = page.locator(where if where.startswith("#") else f"[name='{where}']")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def _options(page: Page, field: str) -> list[str]:
    return page.eval_on_selector_all(f"#field-{field} option", "els => els.map(e => e.value)")


def test_linked_pick_lists_and_a_valid_entry(page: Page, login: Callable[..., Page]) -> None:
    """Units follow the department (only the compiler's), types the category; the entry is saved."""
    login("admin")
    page.goto("/dataset")
    _api(page, "user_create", name=COMPILER, email=f"{COMPILER}@example.gov.cn",
         password=PASSWORD, fullname="两部门编制人")
    for org, unit in (("sx-samr", "SAMR02"), ("sx-gat", "GAT02")):
        _api(page, "govshare_role_grant", organization_id=org, user_id=COMPILER,
             role="compiler", units=[unit])
    page.context.clear_cookies()
    login(COMPILER)
    page.goto("/dataset/new")

    # the department decides the units, and of them only this compiler's
    units = page.locator("#field-provider_unit option")
    page.select_option("#field-organizations", label="省市场监督管理局")
    expect(units).to_have_text(["", "SAMR02 信用监督管理处"])
    page.select_option("#field-organizations", label="省公安厅")
    expect(units).to_have_text(["", "GAT02 交通管理局"])
    page.select_option("#field-provider_unit", "GAT02")

    # the category decides the types (其他 belongs to every category)
    page.select_option("#field-format_category", "database")
    assert "dm" in _options(page, "format_type") and "xlsx" not in _options(page, "format_type")
    page.select_option("#field-format_category", "spreadsheet")
    assert _options(page, "format_type") == ["", "et", "xls", "xlsx", "csv", "other"]
    other = page.locator("#field-format_other_desc")
    expect(other).to_be_hidden()
    page.select_option("#field-format_type", "other")
    expect(other).to_be_visible()
    page.select_option("#field-format_type", "xlsx")
    expect(other).to_be_hidden()

    # the class decides the items
    page.select_option("#field-catalog_class", "2")
    assert len(_options(page, "catalog_item")) == 13
    page.select_option("#field-catalog_item", "12")
    page.fill("#field-catalog_subitem", "031")

    # conditional parts appear as they apply
    condition, basis = page.locator("#field-share_condition"), page.locator("#field-no_share_basis")
    expect(condition).to_be_hidden()
    expect(basis).to_be_hidden()
    page.select_option("#field-share_type", "not_shared")
    expect(basis).to_be_visible()
    page.select_option("#field-share_type", "conditional")
    expect(basis).to_be_hidden()
    expect(condition).to_be_visible()
    mode_type = page.locator("#field-share_mode_type")
    expect(mode_type).to_be_hidden()
    page.select_option("#field-share_mode_category", "platform")
    expect(mode_type).to_be_visible()
    assert _options(page, "share_mode_type") == ["", "file"]  # a spreadsheet is shared as a file

    title = "道路交通事故应急处置信息（浏览器测试）"
    _fill(page, {
        "#field-title": title,
        "#field-notes": "交通事故应急处置的时间、地点、处置单位和结果，供应急部门联动使用。",
        "#field-is_classified": "false",
        "#field-share_condition": "仅限应急处置需要使用",
        "share_scope-0-consumers": "省应急管理厅", "share_scope-0-regions": "全省",
        "share_scope-0-need_to_know": "应急值班人员", "share_scope-0-usage": "应急联动",
        "share_scope-0-scenarios": "交通事故应急处置", "share_scope-0-agreement_required": "false",
        "#field-share_mode_type": "file", "#field-open_type": "not_open",
        "#field-update_cycle": "daily", "#field-data_grade": "G2",
    })
    _edit_info_items_table(page)
    _shot(page, "8-entry-form-linked")
    page.click("button[name=save]:not([value])")  # CKAN's "next: add data", not 保存草稿

    expect(page).to_have_url(re.compile(r"/dataset/[^/]+/resource/new"))
    name = re.search(r"/dataset/([^/]+)/resource/new", page.url).group(1)
    entry = page.request.get("/api/3/action/package_show", params={"id": name}).json()["result"]
    assert (entry["title"], entry["organization"]["name"], entry["provider_unit"]) == (
        title, "sx-gat", "GAT02")
    assert (entry["catalog_item"], entry["format_type"], entry["share_mode_type"]) == (
        "12", "xlsx", "file")
    assert entry["catalogue_state"] == "draft"
    assert [(i["name"], i["name_en"], str(i["length"]), i["grade"])
            for i in entry["info_items"]] == [("事故编号", "accident_no", "32", "G2"),
                                              ("处置单位", "unit", "100", "G2")]


#: three 信息项 as a spreadsheet copies them: a heading line, then tab-separated rows
PASTED = ("信息项名称\t英文名称\t数据类型\t数据长度\t信息项共享类型\t信息项共享条件/不予共享依据\t信息项分级\n"
          "事故编号\taccident_no\tC\t32\t\t\tG2\n"
          "事故地点\tplace\tC\t200\t\t\tG2\n"
          "处置单位\tunit\tC\t100\t\t\tG2\n")


def _edit_info_items_table(page: Page) -> None:
    """The 信息项 are a table: rows pasted from a spreadsheet into the first cell (a real paste
    event with tab-separated text), one added and removed, one moved up, one removed; the
    inputs keep scheming's names, renumbered, so the form posts them as the panels would."""
    table = page.locator("table.govshare-records-table")
    expect(table).to_be_visible()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(1)
    page.locator("[name='info_items-0-name']").evaluate(
        """(el, text) => {
            const data = new DataTransfer();
            data.setData('text/plain', text);
            el.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true,
                                                          cancelable: true}));
        }""", PASTED)
    expect(rows).to_have_count(3)
    def names() -> list[tuple[str, str]]:
        return [tuple(pair) for pair in page.eval_on_selector_all(
            "table.govshare-records-table [name$='-name']",
            "els => els.map(e => [e.name, e.value])")]

    assert names() == [("info_items-0-name", "事故编号"), ("info_items-1-name", "事故地点"),
                       ("info_items-2-name", "处置单位")]
    assert page.input_value("[name='info_items-1-data_type']") == "C"
    assert page.input_value("[name='info_items-2-length']") == "100"
    page.click(".govshare-row-add")
    expect(rows).to_have_count(4)
    assert page.input_value("[name='info_items-3-name']") == ""
    rows.nth(3).locator("[data-row-action='remove']").click()
    rows.nth(2).locator("[data-row-action='up']").click()  # 处置单位 before 事故地点
    rows.nth(2).locator("[data-row-action='remove']").click()  # 事故地点 goes
    assert names() == [("info_items-0-name", "事故编号"), ("info_items-1-name", "处置单位")]
