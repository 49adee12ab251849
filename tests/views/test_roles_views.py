"""The department pages: roles (list, grant, revoke) and filing (list, edit, file, download)."""
from __future__ import annotations

import csv
import io
import re

import ckan.authz as authz
import openpyxl
import pytest
from ckan.tests import helpers

from ckanext.govshare.department import roles

from .. import departments

# the test client keeps the login cookie of set_session_user for "localhost": serve the site
# there so that the session is sent with every request
pytestmark = pytest.mark.ckan_config("ckan.site_url", "http://localhost")

PERSON = {
    "name": "张伟", "title": "副局长", "unit": "办公室", "phone": "0351-4567890",
    "email": "zhangwei@scjg.shanxi.gov.cn", "effective_date": "2026-01-05",
}


@pytest.fixture
def world(fresh):
    return fresh(departments.world)


def _url(org: dict, path: str) -> str:
    return f"/organization/{org['name']}/govshare/{path}"


def _login(app, user: dict | None) -> None:
    app.set_session_user(user["id"] if user else None)


def _token(body: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', body)
    assert match, "no CSRF field in the form"
    return match.group(1)


def _post(app, page: str, url: str, data: dict, **kwargs):
    """POST ``data`` to ``url`` with the CSRF token of the form on ``page``."""
    token = _token(app.get(page).body)
    return app.post(url, data={**data, "_csrf_token": token}, **kwargs)


class TestRolesPage:
    def test_admin_sees_the_grant_form(self, app, world):
        """The department admin gets the list, the grant form, its units and CSRF fields."""
        helpers.call_action("govshare_role_grant", organization_id=world.org["id"],
                            user_id=world.editor["id"], role="compiler", units=["DJZCC"])
        _login(app, world.admin)
        body = app.get(_url(world.org, "roles"), status=200).body
        assert 'class="govshare-grant"' in body
        assert 'name="_csrf_token"' in body
        assert "登记注册处" in body  # the compiler's unit, and a unit choice
        assert 'value="XXZX"' in body
        assert 'class="govshare-revoke"' in body

    def test_member_reads_only(self, app, world):
        """A member sees the roles without forms."""
        helpers.call_action("govshare_role_grant", organization_id=world.org["id"],
                            user_id=world.editor["id"], role="reviewer")
        _login(app, world.member)
        body = app.get(_url(world.org, "roles"), status=200).body
        assert world.editor["name"] in body
        assert "govshare-grant" not in body and "govshare-revoke" not in body

    @pytest.mark.parametrize("actor", ["other_admin", "user"])
    def test_outsiders_are_refused(self, app, world, actor):
        """Users outside the department get 403."""
        _login(app, getattr(world, actor))
        app.get(_url(world.org, "roles"), status=403)

    def test_anonymous_is_refused(self, app, world):
        """Anonymous users get 403."""
        app.get(_url(world.org, "roles"), status=403)

    def test_unknown_department(self, app, world):
        """An unknown department is a 404."""
        _login(app, world.sysadmin)
        app.get("/organization/nowhere/govshare/roles", status=404)

    def test_grant_through_the_form(self, app, world):
        """Posting the form grants the role and makes the user an editor."""
        _login(app, world.admin)
        page = _url(world.org, "roles")
        res = _post(app, page, page, {"username": world.user["name"], "role": "compiler",
                                      "units": ["BGS", "XXZX"]})
        assert res.status_code == 200
        assert roles.compiler_units(world.user["id"], world.org["id"]) == ["BGS", "XXZX"]
        assert authz.users_role_for_group_or_org(world.org["id"], world.user["name"]) == "editor"
        assert world.user["name"] in res.body

    def test_grant_errors_are_shown(self, app, world):
        """A refused grant shows the message naming the field, in the page's language only,
        and stores nothing."""
        _login(app, world.admin)
        page = _url(world.org, "roles")
        res = _post(app, page, page, {"username": world.user["name"], "role": "compiler"})
        assert res.status_code == 200
        assert "Units (units) is required" in res.body and "内部处室（units）" not in res.body
        assert roles.user_roles(world.user["id"], world.org["id"]) == []

    def test_post_without_csrf_token_is_refused(self, app, world):
        """Forms are CSRF-protected, also after an anonymous visit made CKAN exempt the view."""
        app.get(_url(world.org, "roles"), status=403)
        _login(app, world.admin)
        res = app.post(_url(world.org, "roles"),
                       data={"username": world.user["name"], "role": "reviewer"})
        assert res.status_code == 400
        assert roles.user_roles(world.user["id"], world.org["id"]) == []

    def test_editor_cannot_grant(self, app, world):
        """A department editor posting the form gets 403."""
        _login(app, world.editor)
        page = _url(world.org, "roles")
        res = _post(app, page, page, {"username": world.user["name"], "role": "reviewer"})
        assert res.status_code == 403

    def test_revoke_through_the_form(self, app, world):
        """The revoke button removes the role."""
        helpers.call_action("govshare_role_grant", organization_id=world.org["id"],
                            user_id=world.user["id"], role="reviewer")
        _login(app, world.admin)
        res = _post(app, _url(world.org, "roles"), _url(world.org, "roles/revoke"),
                    {"user_id": world.user["id"], "role": "reviewer"})
        assert res.status_code == 200
        assert roles.user_roles(world.user["id"], world.org["id"]) == []

    def test_chinese_labels(self, app, world):
        """In zh_Hans_CN the role vocabulary shows in Chinese."""
        _login(app, world.admin)
        body = app.get(f"/zh_Hans_CN{_url(world.org, 'roles')}", status=200).body
        assert "编制人" in body and "政务数据共享管理责任机构" in body

    def test_nav_links_on_the_department_page(self, app, world):
        """Members find Roles and Filing on the organization page; anonymous users do not."""
        page = f"/organization/{world.org['name']}"
        assert _url(world.org, "roles") not in app.get(page).body
        _login(app, world.member)
        body = app.get(page, status=200).body
        assert _url(world.org, "roles") in body and _url(world.org, "filing") in body


class TestFilingPage:
    def test_list_for_members(self, app, world):
        """Members see the four kinds; only admins get edit and download links."""
        helpers.call_action("govshare_filing_create", organization_id=world.org["id"],
                            kind="lead", **PERSON)
        _login(app, world.member)
        body = app.get(_url(world.org, "filing"), status=200).body
        assert "张伟" in body and "0351-4567890" in body
        assert "filing/export/csv" not in body and "filing/lead" not in body
        _login(app, world.admin)
        body = app.get(_url(world.org, "filing"), status=200).body
        assert "filing/export/xlsx" in body and _url(world.org, "filing/contact") in body

    def test_outsider_is_refused(self, app, world):
        """Another department's admin gets 403."""
        _login(app, world.other_admin)
        app.get(_url(world.org, "filing"), status=403)

    def test_create_file_change(self, app, world):
        """Create through the form, mark filed, change: the record needs re-filing."""
        _login(app, world.admin)
        edit = _url(world.org, "filing/lead")
        res = _post(app, edit, edit, PERSON)
        assert res.status_code == 200 and "张伟" in res.body
        record = helpers.call_action("govshare_filing_show", organization_id=world.org["id"],
                                     kind="lead")
        assert record["status"] == "to_be_filed"

        res = _post(app, _url(world.org, "filing"), _url(world.org, "filing/lead/file"),
                    {"receipt": "R-9"})
        assert res.status_code == 200
        record = helpers.call_action("govshare_filing_show", id=record["id"])
        assert (record["status"], record["receipt"]) == ("filed", "R-9")

        res = _post(app, edit, edit, {**PERSON, "phone": "13812345678"})
        assert res.status_code == 200
        record = helpers.call_action("govshare_filing_show", id=record["id"])
        assert record["status"] == "changed_to_be_refiled"

    def test_form_errors_are_shown(self, app, world):
        """Invalid input is shown with bilingual messages and nothing is stored."""
        _login(app, world.admin)
        edit = _url(world.org, "filing/contact")
        res = _post(app, edit, edit, {**PERSON, "email": "bad"})
        assert res.status_code == 200
        assert "Email (email)" in res.body and "电子邮箱（email）" not in res.body
        assert helpers.call_action("govshare_filing_list", organization_id=world.org["id"]) == []

    def test_member_cannot_edit(self, app, world):
        """The edit page is for administrators."""
        _login(app, world.member)
        app.get(_url(world.org, "filing/lead"), status=403)

    def test_unknown_kind(self, app, world):
        """Unknown kinds are 404."""
        _login(app, world.admin)
        app.get(_url(world.org, "filing/boss"), status=404)

    def test_download_csv_and_xlsx(self, app, world):
        """Admins download CSV (UTF-8 with BOM) and XLSX attachments."""
        helpers.call_action("govshare_filing_create", organization_id=world.org["id"],
                            kind="lead", **PERSON)
        _login(app, world.admin)
        res = app.get(_url(world.org, "filing/export/csv"), status=200)
        assert res.headers["Content-Type"].startswith("text/csv")
        assert "attachment;" in res.headers["Content-Disposition"]
        text = res.get_data().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0][3] == "姓名 (name)" and rows[1][3] == "张伟"

        res = app.get(_url(world.org, "filing/export/xlsx"), status=200)
        assert ".xlsx" in res.headers["Content-Disposition"]
        sheet = openpyxl.load_workbook(io.BytesIO(res.get_data())).active
        assert [row[3] for row in sheet.iter_rows(values_only=True)] == ["姓名 (name)", "张伟"]

    def test_member_cannot_download(self, app, world):
        """Downloads are for administrators."""
        _login(app, world.member)
        app.get(_url(world.org, "filing/export/csv"), status=403)
