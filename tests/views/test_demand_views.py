"""Pages of data demands and collection requests: the form (提出需求), the detail page with
its steps and timeline, the lists by side with due dates, the access-request link of a
fulfilled demand, the entry point from the catalogue search page, Chinese first."""
from __future__ import annotations

import re
from types import SimpleNamespace

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.common import login_user
from ckan.tests import helpers

from ckanext.govshare.views import demand as views

from .. import lifecycle as L
from ..departments import department

# the test client keeps the login cookie of set_session_user for "localhost"
pytestmark = [pytest.mark.ckan_config("ckan.site_url", "http://localhost"),
              pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")]


def build() -> SimpleNamespace:
    """:func:`L.world` with a demand ``demand`` of ``member`` (``org``) to ``other`` and a
    collection request ``request`` of ``compiler``."""
    w = L.world()
    w.third = department()
    w.demand = L.act("govshare_demand_create", w.member, title="企业用电信息",
                     target_org=w.other["id"], scenario="企业经营状况监测", basis="营商环境条例",
                     items=["统一社会信用代码", "用电量"], update_cycle="monthly",
                     expected_date="2099-12-31")
    w.request = L.act("govshare_collection_create", w.compiler, type="collection",
                      title="归集企业用电数据", scenario="监测", existing_data="企业登记信息",
                      source_name="省电力公司", target_library="front", mode="full",
                      frequency="monthly", fields=["统一社会信用代码"])
    return w


@pytest.fixture
def world(fresh):
    return fresh(build)


def _token(body: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', body)
    assert match, "no CSRF field in the form"
    return match.group(1)


class TestForm:
    def test_file_a_demand(self, app, world):
        """The form in Chinese; a filed demand opens its page with its state."""
        w = world
        app.set_session_user(w.member["id"])
        body = app.get("/govshare/demand/new", query_string={
            "title": "企业用水信息", "target": w.other["name"]}, status=200).body
        assert 'value="企业用水信息"' in body and 'name="_csrf_token"' in body
        assert f'<option value="{w.other["id"]}" selected>' in body
        assert "每月" in body  # the update cycles' Chinese labels
        page = app.post("/govshare/demand/new", data={
            "_csrf_token": _token(body), "title": "企业用水信息", "target_org": "unknown",
            "scenario": "节水监测", "basis": "水法", "items": "统一社会信用代码\n用水量",
            "update_cycle": "monthly", "expected_date": "2099-01-31",
        }, follow_redirects=True, status=200).body
        assert "企业用水信息" in page and "待受理" in page and "用水量" in page
        assert "统筹协调人" in page  # addressed to nobody: the coordinator

    def test_errors_are_shown_with_the_values_kept(self, app, world):
        w = world
        app.set_session_user(w.member["id"])
        token = _token(app.get("/govshare/demand/new").body)
        body = app.post("/govshare/demand/new", data={
            "_csrf_token": token, "title": "企业用水信息", "scenario": "", "basis": "水法",
            "items": "", "update_cycle": "monthly", "expected_date": "2099-01-31",
        }, status=200).body
        assert "govshare-field-error" in body and 'value="企业用水信息"' in body

    def test_without_a_department_is_refused(self, app, world):
        app.set_session_user(world.outsider["id"])
        app.get("/govshare/demand/new", status=403)

    def test_anonymous_is_refused(self, app, world):
        app.get("/govshare/demand/new", status=403)
        app.get("/govshare/demand", status=403)

    def test_post_without_token_is_refused(self, app, world):
        app.set_session_user(world.member["id"])
        app.post("/govshare/demand/new", data={"title": "x"}, status=400)


class TestDemandPage:
    def test_reviewer_accepts_from_the_page(self, app, world):
        """The target's reviewer sees the accept, transfer and refuse forms; accepting
        creates the linked draft and the timeline shows it."""
        w = world
        app.set_session_user(w.other_reviewer["id"])
        url = f"/govshare/demand/{w.demand['number']}"
        body = app.get(url, status=200).body
        for event in ("accept", "transfer", "refuse"):
            assert f"{url}/{event}" in body
        assert "withdraw" not in re.findall(r'action="[^"]+"', body)[-1]
        assert 'value="DJZCC"' in body  # the unit of the department's compiler
        page = app.post(f"{url}/accept", data={
            "_csrf_token": _token(body), "planned_date": "2099-06-30", "unit": "DJZCC",
            "entry_title": "企业用电信息", "reason": "",
        }, follow_redirects=True, status=200).body
        assert "已受理" in page and "2099-06-30" in page
        shown = helpers.call_action("govshare_demand_show", L.site(), id=w.demand["id"])
        assert shown["entry_id"] and f"/dataset/{shown['entry']['name']}" in page

    def test_refusal_needs_a_reason(self, app, world):
        w = world
        app.set_session_user(w.other_reviewer["id"])
        url = f"/govshare/demand/{w.demand['number']}"
        token = _token(app.get(url).body)
        body = app.post(f"{url}/refuse", data={"_csrf_token": token, "code": "law"},
                        follow_redirects=True).body
        assert "待受理" in body
        body = app.post(f"{url}/refuse", data={"_csrf_token": token, "code": "law",
                                               "reason": "法律不允许提供"},
                        follow_redirects=True).body
        assert "不予受理" in body and "法律法规不允许" in body and "法律不允许提供" in body

    def test_requester_sees_withdraw_only(self, app, world):
        w = world
        app.set_session_user(w.member["id"])
        url = f"/govshare/demand/{w.demand['number']}"
        body = app.get(url, status=200).body
        assert f"{url}/withdraw" in body and f"{url}/accept" not in body

    def test_others_may_not_see_it(self, app, world):
        app.set_session_user(world.outsider["id"])
        app.get(f"/govshare/demand/{world.demand['number']}", status=403)
        app.get("/govshare/demand/XQ-1999-000000", status=404)

    def test_fulfilled_demand_leads_to_the_access_request(self, app, world):
        """Once the linked entry is published the requester gets the prefilled form's link."""
        w = world
        shown = L.act("govshare_demand_accept", w.other_reviewer, id=w.demand["id"],
                      planned_date="2099-06-30", unit="DJZCC")
        L.act("govshare_catalogue_submit", w.other_compiler, id=shown["entry_id"])
        L.act("govshare_catalogue_approve", w.other_reviewer, id=shown["entry_id"])
        app.set_session_user(w.member["id"])
        body = app.get(f"/govshare/demand/{w.demand['number']}", status=200).body
        assert "已满足" in body
        link = f'{views.ACCESS_REQUEST_PATH}?entry={shown["entry_id"]}&amp;demand={w.demand["id"]}'
        assert link in body
        # another member of the department sees the state, not the requester's button
        app.set_session_user(w.compiler["id"])
        assert views.ACCESS_REQUEST_PATH not in app.get(
            f"/govshare/demand/{w.demand['number']}").body


class TestLists:
    def test_demand_list_by_side(self, app, world):
        """The target's reviewer finds the demand waiting on them, with its due date."""
        w = world
        app.set_session_user(w.other_reviewer["id"])
        body = app.get("/govshare/demand", query_string={"side": "handle"}, status=200).body
        assert w.demand["number"] in body and "govshare-days-left" in body
        assert "个工作日" in body or "working days" in body
        body = app.get("/govshare/demand", query_string={"side": "mine"}, status=200).body
        assert w.demand["number"] not in body
        body = app.get("/govshare/demand", query_string={"state": "refused"}, status=200).body
        assert w.demand["number"] not in body

    def test_bad_filter_is_shown(self, app, world):
        """A refused filter shows its message and no rows, not an error page."""
        app.set_session_user(world.member["id"])
        body = app.get("/govshare/demand", query_string={"side": "theirs"}, status=200).body
        assert world.demand["number"] not in body and "mine, handle, department" in body

    def test_collection_pages(self, app, world):
        """The reviewer of the requester's department approves from the list's link."""
        w = world
        app.set_session_user(w.reviewer["id"])
        body = app.get("/govshare/collection", query_string={"side": "handle"}).body
        assert w.request["number"] in body and "归集" in body
        url = f"/govshare/collection/{w.request['number']}"
        page = app.get(url, status=200).body
        assert "前置库" in page and "省电力公司" in page
        assert f"{url}/approve" in page and f"{url}/return" in page
        done = app.post(f"{url}/approve", data={"_csrf_token": _token(page),
                                                 "reason": "按月全量归集"},
                        follow_redirects=True).body
        assert "审核通过" in done and "按月全量归集" in done

    def test_returned_request_is_resubmitted_from_its_page(self, app, world):
        w = world
        L.act("govshare_collection_return", w.reviewer, id=w.request["id"], reason="补充字段")
        app.set_session_user(w.compiler["id"])
        url = f"/govshare/collection/{w.request['number']}"
        page = app.get(url, status=200).body
        assert f"{url}/resubmit" in page and "补充字段" in page
        app.post(f"{url}/resubmit", data={
            "_csrf_token": _token(page), "title": "归集企业用电数据", "scenario": "监测",
            "existing_data": "企业登记信息", "source_name": "省电力公司", "target_library": "front",
            "mode": "incremental", "frequency": "monthly", "fields": "统一社会信用代码\n用电量",
        }, follow_redirects=True, status=200)
        shown = helpers.call_action("govshare_collection_show", L.site(), id=w.request["id"])
        assert shown["state"] == "submitted" and shown["data"]["mode"] == "incremental"
        assert shown["data"]["fields"] == ["统一社会信用代码", "用电量"]

    def test_backflow_form(self, app, world):
        w = world
        app.set_session_user(w.compiler["id"])
        body = app.get("/govshare/collection/new", query_string={"type": "backflow"}).body
        assert 'name="superior_org"' in body
        page = app.post("/govshare/collection/new", data={
            "_csrf_token": _token(body), "type": "backflow", "superior_org": w.third["id"],
            "title": "回流人口数据", "scenario": "基层治理", "existing_data": "无",
            "source_org": w.third["id"], "target_library": "center", "mode": "full",
            "frequency": "daily", "fields": "姓名",
        }, follow_redirects=True, status=200).body
        assert "回流人口数据" in page and "回流" in page and "待审核" in page


def test_search_page_link_snippet(app, world):
    """The entry point for the catalogue search page (the lead includes the snippet): a
    logged-in user gets the link to the form, the search terms as its title."""
    with app.flask_app.test_request_context("/dataset/"):
        login_user(model.User.get(world.member["id"]))
        html = tk.render_snippet("govshare/demand/search_link.html", {"q": "用电"})
    assert "/govshare/demand/new?title=" in html and "govshare-demand-link" in html
    with app.flask_app.test_request_context("/dataset/"):
        assert "govshare-demand-link" not in tk.render_snippet(
            "govshare/demand/search_link.html", {"q": "用电"})
