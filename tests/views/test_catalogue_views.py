"""The catalogue entry in the portal: the Chinese dataset form, its errors, the entry page."""
from __future__ import annotations

import html
import re
from typing import Any

import ckan.model as model
import pytest
import sqlalchemy as sa

from .. import factories as f

# the test client keeps the login cookie of set_session_user for "localhost": serve the site
# there so that the session is sent with every request
pytestmark = pytest.mark.ckan_config("ckan.site_url", "http://localhost")


def _world():
    org = f.department(f.SAMR)
    return org, f.user(org, "compiler", units=["SAMR02"])


@pytest.fixture
def world(fresh):
    return fresh(_world)


def _stored() -> tuple[Any, ...]:
    model.Session.rollback()
    count = lambda sql: model.Session.execute(sa.text(sql)).scalar()  # noqa: E731
    return (model.Session.query(model.Package).count(),
            count("SELECT count(*) FROM govshare_search_index"),
            count("SELECT count(*) FROM govshare_resource_code"),
            count("SELECT coalesce(sum(last_value), 0) FROM govshare_code_sequence"))


def _form(entry: dict[str, Any], org: dict[str, Any], page: str) -> dict[str, Any]:
    """The dataset form's fields for ``entry`` (repeating subfields as ``field-i-sub``)."""
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    assert token, "no CSRF field in the form"
    form: dict[str, Any] = {"_csrf_token": token.group(1), "_ckan_phase": "dataset_new_1",
                            "pkg_name": "", "save": "", "owner_org": org["id"]}
    for key, value in entry.items():
        if key in ("owner_org", "resources", "tags"):
            continue
        if isinstance(value, list) and key in ("info_items", "share_scope"):
            for i, record in enumerate(value):
                for sub, sub_value in record.items():
                    form[f"{key}-{i}-{sub}"] = "" if sub_value is None else str(sub_value)
        else:
            form[key] = value
    return form


class TestForm:
    @pytest.mark.parametrize("url", [
        pytest.param("/zh_Hans_CN/dataset/new", id="locale-in-url"),
        pytest.param("/dataset/new", id="locale-default",
                     marks=pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")),
    ])
    def test_form_in_chinese(self, app, world, url):
        """A compiler gets the entry form in zh_Hans_CN with the schema's Chinese labels."""
        _org, compiler = world
        app.set_session_user(compiler["id"])
        body = app.get(url, status=200).body
        assert 'lang="zh-Hans-CN"' in body
        for label in ("信息资源名称", "共享类型", "信息项名称", "不予共享依据", "提供方内部部门",
                      "数据分级"):
            assert label in body, label
        assert 'name="info_items-0-name"' in body
        assert 'name="share_scope-0-agreement_required"' in body
        # the lifecycle fields are not in the form
        assert 'name="catalogue_state"' not in body and 'name="issued"' not in body

    @pytest.mark.parametrize("locale, shown, absent", [
        ("zh_Hans_CN", "共享条件：有条件共享时必须填写共享条件",
         "Share condition: required when the share type is conditional"),
        ("en", "Share condition: required when the share type is conditional",
         "有条件共享时必须填写共享条件"),
    ])
    def test_invalid_form_shows_the_error_in_the_page_language(self, app, world, locale, shown,
                                                               absent):
        """A conditional entry without its condition is re-shown with the error in the page's
        language only, once in a summary that links to the field, and nothing is stored."""
        org, compiler = world
        app.set_session_user(compiler["id"])
        page = app.get(f"/{locale}/dataset/new").body
        entry = f.entry_dict(f.CONDITIONAL, share_condition="")
        before = _stored()
        response = app.post(f"/{locale}/dataset/new", data=_form(entry, org, page), status=200)
        body = html.unescape(response.body)
        assert shown in body and absent not in body and " / Share" not in body
        summary = re.search(r'<div[^>]*id="govshare-error-summary".*?</div>', body, re.S)
        assert summary, "no error summary"
        assert re.findall(r'<a href="#([^"]+)">([^<]*)</a>', summary.group(0)) == \
            [("field-share_condition", shown)]
        assert 'id="field-share_condition"' in body
        # the form comes back filled in, to be corrected
        assert 'value="严重违法失信企业名单"' in response.body
        assert _stored() == before

    @pytest.mark.parametrize("locale, shown, absent", [
        ("zh_Hans_CN", "信息项「统一社会信用代码」（第2项）的信息项名称：与第1项重名",
         "Item name: repeats item no. 1"),
        ("en", 'Information item "统一社会信用代码" (no. 2), Item name: repeats item no. 1',
         "的信息项名称"),
    ])
    def test_invalid_info_item_names_its_item(self, app, world, locale, shown, absent):
        """An error of one 信息项 names the item in the page's language and links to it."""
        org, compiler = world
        app.set_session_user(compiler["id"])
        page = app.get(f"/{locale}/dataset/new").body
        entry = f.entry_dict(f.CONDITIONAL)
        entry["info_items"][1]["name"] = entry["info_items"][0]["name"]
        before = _stored()
        body = html.unescape(app.post(f"/{locale}/dataset/new",
                                      data=_form(entry, org, page), status=200).body)
        assert shown in body and absent not in body
        assert '<a href="#field-info_items-1-name">' in body
        assert 'id="field-info_items-1-name"' in body
        # the form comes back with every submitted 信息项 in its place
        for i, item in enumerate(entry["info_items"]):
            assert re.search(rf'name="info_items-{i}-name"[^>]*value="{re.escape(item["name"])}"',
                             body), (i, item["name"])
        assert _stored() == before

    @pytest.mark.parametrize("blank", [
        pytest.param([], id="no-record-keys"),
        pytest.param([{"name": "", "name_en": "", "data_type": ""}], id="one-blank-panel"),
    ])
    def test_form_without_info_items_names_the_field(self, app, world, blank):
        """A form with no 信息项 comes back with the field's error, not a server error."""
        org, compiler = world
        app.set_session_user(compiler["id"])
        page = app.get("/zh_Hans_CN/dataset/new").body
        entry = f.entry_dict(f.CONDITIONAL, info_items=blank)
        before = _stored()
        body = html.unescape(app.post("/zh_Hans_CN/dataset/new",
                                      data=_form(entry, org, page), status=200).body)
        assert "信息项：至少填写一个信息项" in body
        assert "at least one information item is required" not in body
        assert '<a href="#field-info_items-errors">' in body and 'id="field-info_items-errors"' in body
        assert 'name="info_items-0-name"' in body  # a blank panel to fill in
        assert _stored() == before

    @pytest.mark.parametrize("default, shown, absent", [
        pytest.param("zh_Hans_CN", "共享条件：有条件共享时必须填写共享条件", "Share condition",
                     marks=pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")),
        pytest.param("en", "Share condition: required when the share type is conditional",
                     "共享条件"),
    ])
    def test_api_answers_in_the_default_locale(self, app, world, default, shown, absent):
        """The action API (no locale in its URL) answers in the portal's default locale only."""
        from ckan.tests import factories

        org, compiler = world
        entry = dict(f.entry_dict(f.CONDITIONAL, share_condition=""), owner_org=org["id"])
        before = _stored()
        body = app.post("/api/3/action/package_create", json=entry, status=409, headers={
            "Authorization": factories.APIToken(user=compiler["name"])["token"]}).json
        assert body["error"]["share_condition"] == [shown]
        assert absent not in str(body["error"])
        assert _stored() == before

    def test_empty_name_is_not_reported_missing(self, app, world):
        """The URL name left empty is generated, never "missing": an entry refused for its
        classification does not also report the name (its help says it is generated)."""
        org, compiler = world
        app.set_session_user(compiler["id"])
        page = app.get("/zh_Hans_CN/dataset/new").body
        entry = f.entry_dict(f.CONDITIONAL, catalog_class="", name="")
        before = _stored()
        body = html.unescape(app.post("/zh_Hans_CN/dataset/new",
                                      data=_form(entry, org, page), status=200).body)
        assert '<a href="#field-catalog_class">' in body
        assert 'href="#field-name"' not in body and "URL 标识：" not in body
        assert _stored() == before

    def test_valid_form_creates_a_draft_entry(self, app, world):
        """A complete form creates the entry with its generated code and name."""
        org, compiler = world
        app.set_session_user(compiler["id"])
        page = app.get("/zh_Hans_CN/dataset/new").body
        response = app.post("/zh_Hans_CN/dataset/new",
                            data=_form(f.entry_dict(f.CONDITIONAL), org, page),
                            follow_redirects=False)
        assert response.status_code == 302, html.unescape(response.body)[-3000:]
        assert "/dataset/208002-000001/resource/new" in response.headers["Location"]
        pkg = model.Package.get("208002-000001")
        assert pkg.extras["resource_code"] == "208002/000001"
        assert pkg.extras["catalogue_state"] == "draft"
        assert pkg.extras["provider_unit"] == "SAMR02"

    def test_form_of_another_unit_is_refused(self, app, world):
        """A compiler posting an entry of a unit that is not theirs is refused; nothing stored."""
        org, compiler = world
        app.set_session_user(compiler["id"])
        page = app.get("/zh_Hans_CN/dataset/new").body
        before = _stored()
        app.post("/zh_Hans_CN/dataset/new",
                 data=_form(f.entry_dict(f.CONDITIONAL, provider_unit="SAMR01"), org, page),
                 status=403)
        assert _stored() == before


class TestEntryPage:
    def test_entry_page_shows_the_resource_code(self, app, world):
        """The entry page shows the resource code and the Chinese field labels."""
        _org, compiler = world
        pkg = f.create_entry(compiler, f.CONDITIONAL)
        app.set_session_user(compiler["id"])
        body = app.get(f"/zh_Hans_CN/dataset/{pkg['name']}", status=200).body
        assert pkg["name"] == "208002-000001"
        assert "信息资源代码" in body
        assert re.search(r"信息资源代码</th>\s*<td[^>]*>208002/000001</td>", body)
        assert "严重违法失信企业名单" in body
        assert "11140000MB1957364J" in body

    def test_info_items_as_a_table(self, app, world):
        """信息项 are shown as a table: a column per subfield, choices by their labels."""
        _org, compiler = world
        pkg = f.create_entry(compiler, f.CONDITIONAL)
        app.set_session_user(compiler["id"])
        body = html.unescape(app.get(f"/zh_Hans_CN/dataset/{pkg['name']}", status=200).body)
        table = re.search(r'<table[^>]*data-field="info_items".*?</table>', body, re.S)
        assert table, "no 信息项 table on the entry page"
        headers = re.findall(r"<th[^>]*>([^<]+)</th>", table.group(0))
        assert headers[:4] == ["序号", "信息项名称", "英文名称", "数据类型"]
        rows = re.findall(r"<tr>(.*?)</tr>", table.group(0), re.S)[1:]
        assert len(rows) == len(pkg["info_items"])
        first = [c.strip() for c in re.findall(r"<td>(.*?)</td>", rows[0], re.S)]
        item = pkg["info_items"][0]
        assert first[:4] == ["1", item["name"], item["name_en"], "C 字符型"]
