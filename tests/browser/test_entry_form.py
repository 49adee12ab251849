"""The entry form's linked pick-lists in a real browser (the ``govshare-entry-form`` module).

A compiler of one unit in each of two departments picks a department and is offered that
department's unit; picks a format category and is offered its types; sees the conditional
parts appear as they apply; and submits a valid entry.
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
        "info_items-0-name": "事故编号", "info_items-0-data_type": "C",
        "info_items-0-length": "32", "info_items-0-grade": "G2",
        "#field-share_condition": "仅限应急处置需要使用",
        "share_scope-0-consumers": "省应急管理厅", "share_scope-0-regions": "全省",
        "share_scope-0-need_to_know": "应急值班人员", "share_scope-0-usage": "应急联动",
        "share_scope-0-scenarios": "交通事故应急处置", "share_scope-0-agreement_required": "false",
        "#field-share_mode_type": "file", "#field-open_type": "not_open",
        "#field-update_cycle": "daily", "#field-data_grade": "G2",
    })
    _shot(page, "8-entry-form-linked")
    page.click("button[name=save]")

    expect(page).to_have_url(re.compile(r"/dataset/[^/]+/resource/new"))
    name = re.search(r"/dataset/([^/]+)/resource/new", page.url).group(1)
    entry = page.request.get("/api/3/action/package_show", params={"id": name}).json()["result"]
    assert (entry["title"], entry["organization"]["name"], entry["provider_unit"]) == (
        title, "sx-gat", "GAT02")
    assert (entry["catalog_item"], entry["format_type"], entry["share_mode_type"]) == (
        "12", "xlsx", "file")
    assert entry["catalogue_state"] == "draft"
