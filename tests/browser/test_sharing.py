"""The main path of the sharing flows in a real browser, in the Chinese portal (issue 10).

A compiler of 省人社厅 asks for the data of a conditional entry of 省市场监管局 for herself only
(知悉范围); her department's reviewer endorses the request (统一提出), the provider's reviewer
approves it; the data's address is then on the entry's page for her and for nobody else of her
department, and gone again once the provider revokes the authorization.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .test_catalogue import _shot

pytestmark = pytest.mark.browser

TITLE = "特种设备使用登记信息"  # a conditional, G2 entry of the demo catalogue (sx-samr)
DATA_HOST = "share.example.gov.cn"


def _entry_name(page: Page) -> str:
    found = page.request.get("/api/3/action/package_search",
                             params={"q": f'title:"{TITLE}"', "rows": "50"}).json()
    return next(d["name"] for d in found["result"]["results"] if d["title"] == TITLE)


def _data_shown(page: Page, name: str) -> bool:
    page.goto(f"/dataset/{name}")
    expect(page.locator("h1").first).to_contain_text(TITLE)
    return DATA_HOST in page.content()


def test_cross_department_request_endorsed_approved_then_revoked(login) -> None:
    page = login("hrss-compiler")
    name = _entry_name(page)
    assert not _data_shown(page, name)
    hidden = page.locator("#govshare-hidden-resources")
    expect(hidden).to_contain_text(TITLE)  # the resource's name, never its address
    hidden.get_by_role("link", name="申请使用").click()

    page.fill("#field-purpose", "核验用人单位特种设备作业人员持证情况")
    page.fill("#field-scenario", "职业技能鉴定与就业登记核验")
    page.fill("#field-basis", "《特种设备安全法》第十四条")
    page.fill("#field-persons", "hrss-compiler")
    page.fill("#field-region", "山西省")
    page.fill("#field-usage_scope", "本部门职业能力建设处")
    page.select_option("#field-provision_method", "query")
    page.select_option("#field-validity_days", "90")
    page.check("#field-agreement_accepted")
    _shot(page, "s1-request-form")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("body")).to_contain_text("待本部门审核")
    number = re.search(r"SQ-\d{4}-\d{6}", page.content()).group(0)

    page.context.clear_cookies()
    page = login("hrss-reviewer")
    page.goto(f"/govshare/access/{number}")
    page.fill("#reason-endorse", "业务确需，同意提出")
    page.locator("button[name=event][value=endorse]").click()
    expect(page.locator("body")).to_contain_text("待提供部门审核")
    assert not _data_shown(page, name)  # the reviewer is not named in the request

    page.context.clear_cookies()
    page = login("samr-reviewer")
    page.goto(f"/govshare/access/{number}")
    page.fill("#reason-approve", "同意按查询接口提供")
    page.locator("button[name=event][value=approve]").click()
    expect(page.locator("body")).to_contain_text("已同意")
    _shot(page, "s2-request-approved")
    grant = page.locator("a[href*='/govshare/authorization/']").first
    grant_url = grant.get_attribute("href")

    page.context.clear_cookies()
    page = login("hrss-compiler")
    assert _data_shown(page, name), "the named requester sees the data once approved"
    _shot(page, "s3-entry-with-data")
    page.context.clear_cookies()
    page = login("hrss-reviewer")
    assert not _data_shown(page, name), "only the persons named in the authorization"

    page.context.clear_cookies()
    page = login("samr-reviewer")
    page.goto(grant_url)
    expect(page.locator("body")).to_contain_text("有效")
    page.fill("#reason-revoke", "用途已完成，撤销授权")
    page.locator("form:has(#reason-revoke) button[type=submit]").click()
    expect(page.locator("body")).to_contain_text("已撤销")

    page.context.clear_cookies()
    page = login("hrss-compiler")
    assert not _data_shown(page, name), "gone again after revocation"
