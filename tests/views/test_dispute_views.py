"""Dispute (争议) and quality complaint (纠错) pages: the forms reached from an entry, the
detail with its steps and timeline, uploaded attachments, the lists with their deadlines,
who is refused, and the Chinese page."""
from __future__ import annotations

import io
import re
from types import SimpleNamespace

import pytest
from ckan.tests import factories, helpers

from .. import factories as F

# the test client keeps the login cookie of set_session_user for "localhost"
pytestmark = pytest.mark.ckan_config("ckan.site_url", "http://localhost")

#: 市场监管行政处罚信息: conditional, G2, unit SAMR02
CONDITIONAL_G2 = (F.SAMR, 8)


def act(action: str, user: dict | None, **data):
    return helpers.call_action(action, F.as_user(user), **data)


def world() -> SimpleNamespace:
    """SAMR's published ``entry`` (its ``compiler``, ``reviewer``); GAT's ``raiser`` (its
    reviewer); a sysadmin; an ``outsider``."""
    samr, gat = F.department(F.SAMR), F.department(F.GAT)
    w = SimpleNamespace(samr=samr, gat=gat)
    w.compiler = F.user(samr, "compiler", units=["SAMR02"])
    w.reviewer = F.user(samr, "reviewer")
    w.raiser = F.user(gat, "reviewer")
    w.sysadmin = factories.Sysadmin()
    w.outsider = factories.User()
    w.entry = F.create_entry(w.compiler, CONDITIONAL_G2)
    act("govshare_catalogue_submit", w.compiler, id=w.entry["id"])
    w.entry = act("govshare_catalogue_approve", w.reviewer, id=w.entry["id"])
    return w


@pytest.fixture
def w(fresh):
    return fresh(world)


def _token(body: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', body)
    assert match, "no CSRF field in the form"
    return match.group(1)


def _raise(w) -> dict:
    return act("govshare_dispute_create", w.raiser, kind="ownership", entry_id=w.entry["id"],
               claim="该数据应由本部门提供")


class TestDisputePages:
    def test_raise_from_the_entry(self, app, w):
        """The form offers the catalogue kinds; posting it raises the dispute and shows it."""
        app.set_session_user(w.raiser["id"])
        url = f"/govshare/dispute/new?entry={w.entry['name']}"
        body = app.get(url, status=200).body
        assert 'value="ownership"' in body and 'value="refusal"' not in body
        assert 'enctype="multipart/form-data"' in body
        response = app.post(url, data={
            "_csrf_token": _token(body), "kind": "share_attribute", "claim": "应为无条件共享",
            "remedy": "调整共享类型",
            "attachment_upload": (io.BytesIO(b"minutes"), "依据.txt")}, status=302, follow_redirects=False)
        number = response.headers["Location"].rsplit("/", 1)[-1]
        assert number.startswith("ZY-")
        page = app.get(f"/govshare/dispute/{number}", status=200).body
        assert "应为无条件共享" in page and "调整共享类型" in page
        assert "依据.txt" in page and "govshare-event-escalate" in page
        link = re.search(r'href="(/govshare/dispute/[^"]+/attachment/[0-9a-f]{32})"', page)
        assert app.get(link.group(1), status=200).body == "minutes"
        app.set_session_user(w.outsider["id"])
        app.get(link.group(1), status=403)

    def test_a_missing_claim_is_shown_on_the_form(self, app, w):
        """A refused form comes back with its errors and what was typed."""
        app.set_session_user(w.raiser["id"])
        url = f"/govshare/dispute/new?entry={w.entry['id']}"
        body = app.post(url, data={"_csrf_token": _token(app.get(url).body),
                                   "kind": "content", "claim": " ", "remedy": "补充说明"},
                        status=200).body
        assert "govshare-form-errors" in body and "补充说明" in body

    def test_steps_from_the_page(self, app, w):
        """The respondent escalates with reasons; the coordinator decides and executes from
        the page; the timeline records each step with its party."""
        made = _raise(w)
        app.set_session_user(w.reviewer["id"])
        page = app.get(f"/govshare/dispute/{made['number']}", status=200).body
        assert "govshare-event-settle" in page and "govshare-event-withdraw" not in page
        app.post(f"/govshare/dispute/{made['number']}/escalate",
                 data={"_csrf_token": _token(page), "reason": "协商未果",
                       "attachment_url": "https://example.gov.cn/a.pdf"}, status=302, follow_redirects=False)
        app.set_session_user(w.sysadmin["id"])
        page = app.get(f"/govshare/dispute/{made['number']}", status=200).body
        assert "govshare-event-decide" in page and 'value="revise_entry"' in page
        app.post(f"/govshare/dispute/{made['number']}/decide",
                 data={"_csrf_token": _token(page), "outcome": "dismiss",
                       "reason": "数源认定无误"}, status=302, follow_redirects=False)
        page = app.get(f"/govshare/dispute/{made['number']}", status=200).body
        app.post(f"/govshare/dispute/{made['number']}/execute",
                 data={"_csrf_token": _token(page)}, status=302, follow_redirects=False)
        shown = act("govshare_dispute_show", w.sysadmin, id=made["id"])
        assert shown["state"] == "executed"
        page = app.get(f"/govshare/dispute/{made['number']}", status=200).body
        assert "https://example.gov.cn/a.pdf" in page and "数源认定无误" in page
        assert "govshare-dispute-execution" in page

    def test_a_grant_decided_and_executed_from_the_page(self, app, w):
        """A share-attribute dispute: the decision form carries the grant's terms (the
        entry's 信息项); executed, the page links the authorization."""
        made = act("govshare_dispute_create", w.raiser, kind="share_attribute",
                   entry_id=w.entry["id"], claim="应予共享")
        act("govshare_dispute_escalate", w.raiser, id=made["id"], reason="协商未果")
        app.set_session_user(w.sysadmin["id"])
        url = f"/govshare/dispute/{made['number']}"
        page = app.get(url, status=200).body
        item = w.entry["info_items"][0]["name"]
        assert "govshare-grant-terms" in page and f'name="items" value="{item}"' in page
        app.post(f"{url}/decide", data={
            "_csrf_token": _token(page), "outcome": "grant", "reason": "应予共享",
            "items": [item], "provision_method": "file", "validity_days": "30",
            "persons": w.raiser["name"]}, status=302, follow_redirects=False)
        decided = act("govshare_dispute_show", w.sysadmin, id=made["id"])
        assert decided["data"]["decision"]["terms"] == {
            "items": [item], "provision_method": "file", "validity_days": 30,
            "persons": [w.raiser["id"]]}
        app.post(f"{url}/execute", data={"_csrf_token": _token(page)}, status=302,
                 follow_redirects=False)
        page = app.get(url, status=200).body
        done = act("govshare_dispute_show", w.sysadmin, id=made["id"])["data"]["execution"]
        assert f"/govshare/authorization/{done['authorization_id']}" in page

    def test_a_refused_step_is_flashed(self, app, w):
        """Escalating without a reason is refused with a message, nothing changes."""
        made = _raise(w)
        app.set_session_user(w.raiser["id"])
        page = app.get(f"/govshare/dispute/{made['number']}").body
        app.post(f"/govshare/dispute/{made['number']}/escalate",
                 data={"_csrf_token": _token(page), "reason": ""}, status=302, follow_redirects=False)
        assert act("govshare_dispute_show", w.raiser, id=made["id"])["state"] == "negotiating"
        app.post(f"/govshare/dispute/{made['number']}/nonsense",
                 data={"_csrf_token": _token(page)}, status=404)

    def test_the_list_shows_deadlines(self, app, w):
        """The list shows each dispute's state, due date and working days left."""
        made = _raise(w)
        app.set_session_user(w.reviewer["id"])
        body = app.get("/govshare/disputes", query_string={"side": "received"},
                       status=200).body
        assert made["number"] in body and "govshare-days-left" in body
        assert "10 working days left" in body
        body = app.get("/govshare/disputes", query_string={"state": "closed"}).body
        assert made["number"] not in body

    def test_others_are_refused(self, app, w):
        """An outsider gets 403 on the page; an anonymous visitor on the list."""
        made = _raise(w)
        app.set_session_user(w.outsider["id"])
        app.get(f"/govshare/dispute/{made['number']}", status=403)
        assert made["number"] not in app.get("/govshare/disputes", status=200).body

    def test_anonymous_is_refused(self, app, w):
        """Lists and forms need a login."""
        app.get("/govshare/disputes", status=403)
        app.get(f"/govshare/complaint/new?entry={w.entry['name']}", status=403)

    @pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")
    def test_chinese_first(self, app, w):
        """In Chinese, states, kinds and roles are Chinese."""
        made = _raise(w)
        app.set_session_user(w.raiser["id"])
        page = app.get(f"/govshare/dispute/{made['number']}", status=200).body
        assert "协商中" in page and "数源（职责）争议" in page and "提出方" in page


class TestComplaintPages:
    def test_report_answer_rate(self, app, w):
        """纠错 from the entry: the form lists its 信息项; the compiler answers, the
        complainant rates, from the pages."""
        item = w.entry["info_items"][0]["name"]
        app.set_session_user(w.raiser["id"])
        url = f"/govshare/complaint/new?entry={w.entry['name']}"
        body = app.get(url, status=200).body
        assert f'value="{item}"' in body and 'value="data_quality"' in body
        response = app.post(url, data={
            "_csrf_token": _token(body), "type": "catalogue", "item": item,
            "description": "信息项说明有误", "contact": "0351-1234567"}, status=302, follow_redirects=False)
        number = response.headers["Location"].rsplit("/", 1)[-1]
        assert number.startswith("JC-")
        app.set_session_user(w.compiler["id"])
        page = app.get(f"/govshare/complaint/{number}", status=200).body
        assert "信息项说明有误" in page and "govshare-event-answer" in page
        app.post(f"/govshare/complaint/{number}/answer",
                 data={"_csrf_token": _token(page), "reason": "已更正说明",
                       "correction_accepted": "true"}, status=302, follow_redirects=False)
        app.set_session_user(w.raiser["id"])
        page = app.get(f"/govshare/complaint/{number}", status=200).body
        assert "已更正说明" in page and "govshare-event-rate" in page
        app.post(f"/govshare/complaint/{number}/rate",
                 data={"_csrf_token": _token(page), "rating": "5"}, status=302, follow_redirects=False)
        shown = act("govshare_complaint_show", w.raiser, id=number)
        assert shown["state"] == "solved" and shown["data"]["rating"] == 5
        body = app.get("/govshare/complaints", query_string={"side": "raised"}).body
        assert number in body and "★★★★★" in body
