"""Access request pages: the "申请使用" form of an entry (errors by field, a basis file), a
request's page with its timeline and the steps each person may take, the lists 我的申请 and
待我审核 with deadlines and overdue, the basis download, and the page in Chinese."""
from __future__ import annotations

import datetime
import io
import re

import pytest

from ckanext.govshare.lifecycle import deadlines
from ckanext.govshare.model import base as model_base

from .. import access as A
from .. import lifecycle as L

# the test client keeps the login cookie of set_session_user for "localhost"
pytestmark = pytest.mark.ckan_config("ckan.site_url", "http://localhost")


@pytest.fixture
def w(fresh):
    return fresh(A.world)


def _token(body: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', body)
    assert match, "no CSRF field in the form"
    return match.group(1)


def _form(token: str, **overrides) -> dict:
    data = {**A.fields(), "agreement_accepted": "true", "_csrf_token": token}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _latest(w):
    return L.act("govshare_access_request_list", w.requester)["results"][0]


class TestForm:
    def test_form_of_an_entry(self, app, w):
        """The form lists the entry's 信息项, the requester's departments and the controlled
        lists, with a CSRF field; both addresses show it."""
        app.set_session_user(w.requester["id"])
        body = app.get(f"/dataset/{w.g2['name']}/request", status=200).body
        assert 'name="_csrf_token"' in body and 'enctype="multipart/form-data"' in body
        for item in w.g2["info_items"]:
            assert f'value="{item["name"]}"' in body
        assert f'value="{w.consumer["name"]}"' in body
        assert 'value="query"' in body and 'value="365"' in body and 'value="dates"' in body
        assert 'name="agreement_accepted"' in body
        assert app.get("/govshare/access/new", query_string={"entry": w.g2["name"]},
                       status=200).body.count('name="items"') == len(w.g2["info_items"])

    def test_entries_that_cannot_be_requested_say_why(self, app, w):
        """A not-shared entry points to a dispute; the own department's data needs no
        request: no form in either case."""
        app.set_session_user(w.requester["id"])
        body = app.get(f"/dataset/{w.closed['name']}/request", status=200).body
        assert "govshare-access-refusal" in body and "/govshare/dispute/new" in body
        assert 'name="purpose"' not in body
        body = app.get(f"/dataset/{w.own['name']}/request", status=200).body
        assert "govshare-access-refusal" in body and 'name="purpose"' not in body

    def test_anonymous_and_departmentless_users_are_refused(self, app, w):
        """Filing needs a login and a department."""
        app.get(f"/dataset/{w.g2['name']}/request", status=403)
        from ckan.tests import factories

        loner = factories.User()
        app.set_session_user(loner["id"])
        app.get(f"/dataset/{w.g2['name']}/request", status=403)

    def test_errors_are_shown_by_field_and_the_values_kept(self, app, w):
        """A bad request: the form again with each field's error and what was typed."""
        app.set_session_user(w.requester["id"])
        page = f"/dataset/{w.g2['name']}/request"
        token = _token(app.get(page).body)
        body = app.post(page, data=_form(token, purpose="", agreement_accepted=None,
                                         scenario="联办场景"), status=200).body
        assert "error-explanation" in body
        assert body.count('class="error-block"') >= 2
        assert "联办场景" in body
        assert L.act("govshare_access_request_list", w.requester)["count"] == 0

    def test_filing_with_a_basis_file(self, app, w):
        """A filed request leads to its page; the basis file downloads for the two sides and
        not for a third department."""
        app.set_session_user(w.requester["id"])
        page = f"/dataset/{w.g2['name']}/request"
        token = _token(app.get(page).body)
        data = _form(token, items=["企业名称"], persons=w.colleague["name"])
        data["basis_upload"] = (io.BytesIO(b"%PDF-1.4 basis document"), "basis.pdf")
        response = app.post(page, data=data, follow_redirects=False)
        assert response.status_code == 302
        req = _latest(w)
        assert response.headers["Location"].endswith(f"/govshare/access/{req['number']}")
        body = app.get(f"/govshare/access/{req['number']}", status=200).body
        assert "basis.pdf" in body and w.colleague["fullname"] in body
        download = app.get(f"/govshare/access/{req['number']}/basis", status=200)
        assert download.data == b"%PDF-1.4 basis document"
        app.set_session_user(w.p_reviewer["id"])
        app.get(f"/govshare/access/{req['number']}/basis", status=200)
        app.set_session_user(w.outsider["id"])
        app.get(f"/govshare/access/{req['number']}/basis", status=404)
        app.get(f"/govshare/access/{req['number']}", status=404)

    def test_post_without_token_is_refused(self, app, w):
        """The form is CSRF-protected."""
        app.set_session_user(w.requester["id"])
        app.post(f"/dataset/{w.g2['name']}/request", data=A.fields(), status=400)


class TestRequestPage:
    def test_steps_offered_to_each(self, app, w):
        """The requesting reviewer sees endorse / return / refuse (with the refusal reasons);
        the requester only withdraw; the provider nothing yet."""
        req = A.request(w, w.g2)
        page = f"/govshare/access/{req['number']}"
        app.set_session_user(w.c_reviewer["id"])
        body = app.get(page, status=200).body
        for event in ("endorse", "return", "refuse"):
            assert f"{page}/{event}" in body
        assert 'name="refusal_code"' in body and 'value="not_ready"' in body
        assert "govshare-timeline-row" in body and "govshare-days-left" in body
        app.set_session_user(w.requester["id"])
        body = app.get(page, status=200).body
        assert f"{page}/withdraw" in body and f"{page}/endorse" not in body
        app.set_session_user(w.p_reviewer["id"])
        assert 'class="govshare-event-form' not in app.get(page, status=200).body

    def test_decide_from_the_page(self, app, w):
        """Endorse, then refuse with a code: the page shows the result and the timeline."""
        req = A.request(w, w.g2)
        page = f"/govshare/access/{req['number']}"
        app.set_session_user(w.c_reviewer["id"])
        token = _token(app.get(page).body)
        app.post(f"{page}/endorse", data={"_csrf_token": token}, follow_redirects=True)
        app.set_session_user(w.p_reviewer["id"])
        token = _token(app.get(page).body)
        body = app.post(f"{page}/refuse", data={"_csrf_token": token, "reason": ""},
                        follow_redirects=True).body
        assert "govshare-request-state-provider_review" in body  # a reason is required
        body = app.post(f"{page}/refuse", data={
            "_csrf_token": token, "refusal_code": "not_ready", "reason": "数据尚在治理"},
            follow_redirects=True).body
        assert "govshare-request-state-refused" in body and "数据尚在治理" in body
        assert L.act("govshare_access_request_show", w.requester,
                     id=req["id"])["data"]["refusal_code"] == "not_ready"

    def test_not_the_deciders_step(self, app, w):
        """A step the user may not take is refused with a message, nothing changes."""
        req = A.request(w, w.g2)
        page = f"/govshare/access/{req['number']}"
        app.set_session_user(w.requester["id"])
        token = _token(app.get(page).body)
        app.post(f"{page}/endorse", data={"_csrf_token": token}, follow_redirects=True)
        assert L.act("govshare_access_request_show", w.requester,
                     id=req["id"])["state"] == "endorsement"
        app.post(f"{page}/grant", data={"_csrf_token": token}, status=404)

    def test_resubmit_from_the_page(self, app, w):
        """The requester corrects the basis and resubmits a returned request."""
        req = A.step(w, "return", A.request(w, w.g2), "c_reviewer", reason="补充依据")
        page = f"/govshare/access/{req['number']}"
        app.set_session_user(w.requester["id"])
        body = app.get(page).body
        assert "govshare-paused" in body and 'name="basis"' in body
        app.post(f"{page}/resubmit", data={"_csrf_token": _token(body), "basis": "新的依据"},
                 follow_redirects=True)
        shown = L.act("govshare_access_request_show", w.requester, id=req["id"])
        assert shown["state"] == "endorsement" and shown["data"]["basis"] == "新的依据"

    def test_page_in_chinese(self, app, w):
        """Chinese first: the state and the steps in Chinese."""
        req = A.request(w, w.g2)
        app.set_session_user(w.c_reviewer["id"])
        body = app.get(f"/zh_Hans_CN/govshare/access/{req['number']}", status=200).body
        assert "待本部门审核" in body and "同意提出" in body and "法律法规不允许" in body


class TestLists:
    def test_mine_and_to_decide(self, app, w):
        """我的申请 lists the requester's; 待我审核 the reviewer's; each with its deadline."""
        req = A.request(w, w.g2)
        app.set_session_user(w.requester["id"])
        body = app.get("/govshare/access", status=200).body
        assert req["number"] in body and "govshare-days-left" in body
        assert "(1)" in body
        app.set_session_user(w.c_reviewer["id"])
        body = app.get("/govshare/access", query_string={"side": "to_decide"},
                       status=200).body
        assert req["number"] in body
        app.set_session_user(w.p_reviewer["id"])
        body = app.get("/govshare/access", query_string={"side": "to_decide"},
                       status=200).body
        assert req["number"] not in body
        body = app.get("/govshare/access", query_string={"side": "department"},
                       status=200).body
        assert req["number"] in body

    def test_overdue_is_shown(self, app, w, monkeypatch):
        """Past its deadline a request is marked overdue, by working days."""
        filed = datetime.datetime(2026, 9, 30, 10, 0, tzinfo=deadlines.SHANGHAI)
        monkeypatch.setattr(model_base, "now", lambda: filed)
        req = A.request(w, w.g2)
        later = datetime.datetime(2026, 10, 13, 10, 0, tzinfo=deadlines.SHANGHAI)
        monkeypatch.setattr(model_base, "now", lambda: later)
        app.set_session_user(w.c_reviewer["id"])
        body = app.get("/govshare/access", query_string={"side": "to_decide"}).body
        assert req["number"] in body and "govshare-overdue" in body and "table-danger" in body
        body = app.get(f"/govshare/access/{req['number']}").body
        assert "govshare-overdue" in body

    def test_anonymous_is_refused(self, app, w):
        """The lists need a login."""
        app.get("/govshare/access", status=403)
        app.set_session_user(w.requester["id"])
        app.get("/govshare/access", query_string={"side": "all"}, status=400)
