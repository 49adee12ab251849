"""Pages of the security officer's duties: incidents (list, report form, detail with the
security officer's forms), grade sign-offs (list with due dates, detail, sign) and the
department's "who can access what now" with its XLSX export."""
from __future__ import annotations

import io
import re

import ckan.plugins.toolkit as tk
import openpyxl
import pytest

from .. import lifecycle as L
from ..logic.test_security import build, entry

# the test client keeps the login cookie of set_session_user for "localhost"
pytestmark = pytest.mark.ckan_config("ckan.site_url", "http://localhost")


@pytest.fixture
def world(fresh):
    return fresh(build)


def _token(body: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', body)
    assert match, "no CSRF field in the form"
    return match.group(1)


def _incident(w):
    return L.act("govshare_incident_create", w.reviewer, organization_id=w.org["id"],
                 title="接口异常批量调用", severity="major", occurred_at="2026-11-30T08:00",
                 description="非工作时间大量查询", entries=[w.published["id"]],
                 responsible=w.member["id"])


class TestIncidentPages:
    def test_list(self, app, world):
        """The reviewer's list shows the incident with its state and severity; the compiler's
        is empty; anonymous visitors are refused."""
        case = _incident(world)
        app.set_session_user(world.reviewer["id"])
        body = app.get("/govshare/incident", status=200).body
        assert case["number"] in body and "Reported" in body and "Major" in body
        assert "/govshare/incident/new" in body
        app.set_session_user(world.compiler["id"])
        body = app.get("/govshare/incident", status=200).body
        assert case["number"] not in body and "/govshare/incident/new" not in body

    def test_anonymous_is_refused(self, app, world):
        """The list needs a login."""
        app.get("/govshare/incident", status=403)

    def test_report_through_the_form(self, app, world):
        """The form lists the department's entries and users; posting it reports the incident
        and shows its page."""
        w = world
        app.set_session_user(w.security_officer["id"])
        form = app.get("/govshare/incident/new", status=200).body
        assert w.published["id"] in form and w.member["id"] in form
        body = app.post("/govshare/incident/new", data={
            "_csrf_token": _token(form), "organization_id": w.org["id"], "title": "导出文件误发",
            "severity": "general", "occurred_at": "2026-11-29T16:30",
            "description": "含个人信息的文件误发", "entries": [w.published["id"]],
            "responsible": w.member["id"]}, follow_redirects=True, status=200).body
        assert "导出文件误发" in body and "含个人信息的文件误发" in body
        [case] = L.act("govshare_incident_list", w.security_officer)["results"]
        assert case["data"]["occurred_at"] == "2026-11-29T16:30:00+08:00"

    def test_form_errors_are_shown(self, app, world):
        """A missing description and a future time come back on the form, nothing reported."""
        w = world
        app.set_session_user(w.reviewer["id"])
        form = app.get("/govshare/incident/new", status=200).body
        body = app.post("/govshare/incident/new", data={
            "_csrf_token": _token(form), "organization_id": w.org["id"], "title": "x",
            "severity": "general", "occurred_at": "2999-01-01T00:00", "description": "",
            "responsible": w.member["id"]}, status=200).body
        assert "error-explanation" in body and 'value="x"' in body
        assert L.act("govshare_incident_list", w.reviewer)["count"] == 0

    def test_the_form_is_for_reporters(self, app, world):
        """A compiler may not report."""
        app.set_session_user(world.compiler["id"])
        app.get("/govshare/incident/new", status=403)

    def test_security_officer_handles_from_the_page(self, app, world):
        """The security officer records a step and closes; the reviewer sees no form."""
        w = world
        case = _incident(w)
        page = f"/govshare/incident/{case['number']}"
        app.set_session_user(w.reviewer["id"])
        body = app.get(page, status=200).body
        assert "非工作时间大量查询" in body and f"{page}/handle" not in body
        app.set_session_user(w.security_officer["id"])
        body = app.get(page, status=200).body
        assert f"{page}/handle" in body and f"{page}/close" in body
        token = _token(body)
        app.post(f"{page}/handle", data={"_csrf_token": token, "text": "暂停接口权限"},
                 follow_redirects=True, status=200)
        body = app.post(f"{page}/close", data={"_csrf_token": token, "conclusion": "已整改"},
                        follow_redirects=True, status=200).body
        assert "暂停接口权限" in body and "已整改" in body and "govshare-incident-steps" in body
        assert L.act("govshare_incident_show", w.reviewer, id=case["number"])["state"] == \
            "closed"

    def test_post_without_token_is_refused(self, app, world):
        """The forms are CSRF-protected."""
        w = world
        case = _incident(w)
        app.set_session_user(w.security_officer["id"])
        app.post(f"/govshare/incident/{case['number']}/handle", data={"text": "x"}, status=400)
        assert L.act("govshare_incident_show", w.reviewer, id=case["number"])["state"] == \
            "reported"

    def test_hidden_from_others(self, app, world):
        """The compiler and another department get a 404."""
        case = _incident(world)
        for who in (world.compiler, world.other_reviewer):
            app.set_session_user(who["id"])
            app.get(f"/govshare/incident/{case['number']}", status=404)

    def test_chinese_page(self, app, world):
        """In Chinese the state, the severity and the kind are Chinese."""
        case = _incident(world)
        app.set_session_user(world.reviewer["id"])
        body = app.get(f"/zh_Hans_CN/govshare/incident/{case['number']}", status=200).body
        assert "已报告" in body and "重大" in body and "安全事件" in body


@pytest.fixture
def signoff_on(monkeypatch):
    monkeypatch.setitem(tk.config, "ckanext.govshare.sharing.signoff_grade", "G3")


@pytest.mark.usefixtures("signoff_on")
class TestSignoffPages:
    def _open(self, w):
        high = entry(w.org, w.compiler)
        L.act("govshare_catalogue_submit", w.compiler, id=high["id"])
        [case] = L.act("govshare_signoff_list", w.security_officer, entry_id=high["id"])[
            "results"]
        return high, case

    def test_list_shows_due_date_and_days_left(self, app, world):
        """The list shows the sign-off, its grade, state, due date and working days left."""
        high, case = self._open(world)
        app.set_session_user(world.security_officer["id"])
        body = app.get("/govshare/signoff", status=200).body
        assert case["number"] in body and high["title"] in body and "G3" in body
        assert "Awaiting the security officer" in body and "working days left" in body

    def test_sign_from_the_page(self, app, world):
        """The security officer signs on the page; the reviewer may then approve."""
        w = world
        high, case = self._open(w)
        page = f"/govshare/signoff/{case['number']}"
        app.set_session_user(w.reviewer["id"])
        assert f"{page}/sign" not in app.get(page, status=200).body
        app.set_session_user(w.security_officer["id"])
        body = app.get(page, status=200).body
        assert f"{page}/sign" in body and f"{page}/object" in body
        body = app.post(f"{page}/sign", data={"_csrf_token": _token(body)},
                        follow_redirects=True, status=200).body
        assert "Signed off" in body
        L.act("govshare_catalogue_approve", w.reviewer, id=high["id"])
        assert L.state(high["id"]) == "published"

    def test_refused_approval_names_the_grade(self, app, world):
        """The reviewer's approval from the entry's page is refused with the sign-off's
        message."""
        w = world
        high, case = self._open(w)
        app.set_session_user(w.reviewer["id"])
        page = f"/dataset/{high['name']}/lifecycle"
        body = app.post(f"{page}/approve", data={"_csrf_token": _token(app.get(page).body)},
                        follow_redirects=True, status=200).body
        assert case["number"] in body
        assert L.state(high["id"]) == "in_review"


class TestAccessOverviewPages:
    def test_page_and_export(self, app, world):
        """The security officer sees the page and downloads the workbook."""
        w = world
        url = f"/organization/{w.org['name']}/govshare/access-overview"
        app.set_session_user(w.security_officer["id"])
        body = app.get(url, status=200).body
        assert "govshare-overview-authorizations" in body and w.published["title"] in body
        assert f"{url}/export.xlsx" in body
        response = app.get(f"{url}/export.xlsx", status=200)
        assert response.headers["Content-Type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        assert "attachment" in response.headers["Content-Disposition"]
        wb = openpyxl.load_workbook(io.BytesIO(response.data))
        rows = list(wb["共享属性 Entries"].values)
        assert rows[1][2] == w.published["title"]

    @pytest.mark.parametrize("who", ["member", "compiler", "other_reviewer"])
    def test_refused(self, app, world, who):
        """Members without a reviewing or security role get a 403, for the export too."""
        url = f"/organization/{world.org['name']}/govshare/access-overview"
        app.set_session_user(getattr(world, who)["id"])
        app.get(url, status=403)
        app.get(f"{url}/export.xlsx", status=403)
