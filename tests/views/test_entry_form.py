"""The entry form's linked pick-lists as the server renders them, and the entry page's labels.

The JavaScript module refills the selects in the browser (``tests/browser``); here the page
is rendered without it: the options a compiler gets, the options of a chosen format category
or catalogue class, the data embedded for the module, and the entry page's labels.
"""
from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from ckan.tests import helpers

from .. import factories as f
from .test_catalogue_views import _form

pytestmark = pytest.mark.ckan_config("ckan.site_url", "http://localhost")


def _world():
    samr, gat = f.department(f.SAMR), f.department(f.GAT)
    return samr, gat


@pytest.fixture
def world(fresh):
    return fresh(_world)


def _options(body: str, field: str) -> list[tuple[str, str]]:
    """``(value, text)`` of the options of the select ``field-<field>``."""
    select = re.search(rf'<select id="field-{field}"[^>]*>(.*?)</select>', body, re.S)
    assert select, f"no select field-{field}"
    return [(value, html.unescape(text).strip()) for value, text in
            re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))]


def _values(body: str, field: str) -> list[str]:
    return [value for value, _text in _options(body, field)]


def _selected(body: str, field: str) -> str | None:
    select = re.search(rf'<select id="field-{field}"[^>]*>(.*?)</select>', body, re.S)
    found = re.search(r'<option value="([^"]*)" selected', select.group(1))
    return found.group(1) if found else None


def _config(body: str) -> dict[str, Any]:
    found = re.search(r'data-module="govshare-entry-form"\s+data-module-config="([^"]*)"', body)
    assert found, "the entry form module is not on the page"
    return json.loads(html.unescape(found.group(1)))


def _new(app, user: dict[str, Any], **params: str) -> str:
    app.set_session_user(user["id"])
    return app.get("/zh_Hans_CN/dataset/new", query_string=params, status=200).body


class TestProviderUnit:
    def test_compiler_is_offered_only_their_units(self, app, world):
        """A compiler of SAMR02 gets SAMR02 only, labelled "code name"."""
        samr, _gat = world
        compiler = f.user(samr, "compiler", units=["SAMR02"])
        body = _new(app, compiler)
        assert _options(body, "provider_unit") == [("", ""), ("SAMR02", "SAMR02 信用监督管理处")]

    def test_department_admin_is_offered_every_unit(self, app, world):
        """A department admin may compile for every unit of the department."""
        samr, _gat = world
        admin = f.user(samr, capacity="admin")
        assert _values(_new(app, admin), "provider_unit") == ["", "SAMR01", "SAMR02", "SAMR03"]

    def test_reviewer_is_offered_no_unit(self, app, world):
        """A reviewer (an editor who compiles for no unit) is offered none."""
        samr, _gat = world
        reviewer = f.user(samr, "reviewer")
        assert _values(_new(app, reviewer), "provider_unit") == [""]

    def test_options_follow_the_selected_department(self, app, world):
        """A compiler in two departments gets the units of the department in the form."""
        samr, gat = world
        compiler = f.user(samr, "compiler", units=["SAMR02"])
        helpers.call_action("govshare_role_grant", f.site(), organization_id=gat["id"],
                            user_id=compiler["id"], role="compiler", units=["GAT02", "GAT03"])
        assert _values(_new(app, compiler, owner_org=gat["id"]), "provider_unit") == [
            "", "GAT02", "GAT03"]
        assert _values(_new(app, compiler, owner_org=samr["id"]), "provider_unit") == [
            "", "SAMR02"]
        # no department in the form yet: the one its select shows first
        body = _new(app, compiler)
        first = re.search(r'<select id="field-organizations".*?<option value="([^"]+)"', body,
                          re.S).group(1)
        assert _values(body, "provider_unit") == (
            ["", "SAMR02"] if first == samr["id"] else ["", "GAT02", "GAT03"])

    def test_embedded_units_are_the_users_own(self, app, world):
        """The data embedded for the module holds the user's units per department, no others."""
        samr, gat = world
        compiler = f.user(samr, "compiler", units=["SAMR02"])
        helpers.call_action("govshare_role_grant", f.site(), organization_id=gat["id"],
                            user_id=compiler["id"], role="compiler", units=["GAT02"])
        linked = _config(_new(app, compiler))["linked"]
        units = linked["provider_unit"]
        assert units["parent"] == "owner_org"
        assert sorted((c["parent"], c["value"], c["label"]) for c in units["choices"]) == sorted([
            (samr["id"], "SAMR02", "SAMR02 信用监督管理处"),
            (gat["id"], "GAT02", "GAT02 交通管理局"),
        ])

    def test_re_shown_form_keeps_department_and_unit(self, app, world):
        """A refused form comes back with the units of its department and its unit chosen."""
        samr, gat = world
        compiler = f.user(samr, "compiler", units=["SAMR02"])
        helpers.call_action("govshare_role_grant", f.site(), organization_id=gat["id"],
                            user_id=compiler["id"], role="compiler", units=["GAT03"])
        page = _new(app, compiler)
        entry = f.entry_dict(f.NOT_SHARED, title="")
        body = app.post("/zh_Hans_CN/dataset/new", data=_form(entry, gat, page), status=200).body
        assert '<a href="#field-title">信息资源名称：必须填写</a>' in html.unescape(body)
        assert _values(body, "provider_unit") == ["", "GAT03"]
        assert _selected(body, "provider_unit") == "GAT03"

    def test_edit_form_shows_the_stored_unit(self, app, world):
        """The edit form of an entry has its unit chosen."""
        samr, _gat = world
        compiler = f.user(samr, "compiler", units=["SAMR02"])
        pkg = f.create_entry(compiler, f.CONDITIONAL)
        app.set_session_user(compiler["id"])
        body = app.get(f"/zh_Hans_CN/dataset/edit/{pkg['name']}", status=200).body
        assert _selected(body, "provider_unit") == "SAMR02"
        assert _selected(body, "format_type") == "csv"
        assert _selected(body, "catalog_item") == "08"


class TestLinkedChoices:
    @pytest.fixture
    def compiler(self, world):
        return f.user(world[0], "compiler", units=["SAMR02"])

    def test_format_types_of_the_chosen_category(self, app, compiler):
        """With a format category chosen, only its types (and 其他) are offered."""
        assert _values(_new(app, compiler, format_category="spreadsheet"), "format_type") == [
            "", "et", "xls", "xlsx", "csv", "other"]
        assert _values(_new(app, compiler, format_category="service"), "format_type") == [
            "", "rest", "soap", "other"]

    def test_every_format_type_without_a_category(self, app, compiler):
        """Before a category is chosen, every type is offered, labelled with its category."""
        options = _options(_new(app, compiler), "format_type")
        assert ("xlsx", "电子表格：XLSX") in options and ("dm", "数据库：达梦 DM") in options

    def test_catalogue_items_of_the_chosen_class(self, app, compiler):
        """With a class chosen, only its items are offered."""
        assert _values(_new(app, compiler, catalog_class="1"), "catalog_item") == [
            "", "01", "02", "03", "04", "05"]
        assert len(_values(_new(app, compiler, catalog_class="2"), "catalog_item")) == 13

    def test_share_mode_types_fit_the_format(self, app, compiler):
        """A database is shared as a table or an API, a spreadsheet as a file."""
        assert _values(_new(app, compiler, format_category="database"), "share_mode_type") == [
            "", "table", "api"]
        assert _values(_new(app, compiler, format_category="spreadsheet"),
                       "share_mode_type") == ["", "file"]

    def test_refused_choice_stays_to_be_corrected(self, app, compiler):
        """A type of another category is still shown, chosen, for the rules' error."""
        body = _new(app, compiler, format_category="spreadsheet", format_type="json")
        assert _values(body, "format_type")[-1] == "json"
        assert _selected(body, "format_type") == "json"

    def test_conditional_parts_for_the_module(self, app, compiler):
        """The module gets the conditions of the parts it shows and hides, from the schema."""
        config = _config(_new(app, compiler))
        assert config["show_when"] == {
            "format_other_desc": {"format_category": ["other"], "format_type": ["other"]},
            "share_type_reason": {"share_type": ["conditional", "not_shared"]},
            "share_condition": {"share_type": ["conditional"]},
            "share_scope": {"share_type": ["conditional"]},
            "no_share_basis": {"share_type": ["not_shared"]},
            "share_mode_type": {"share_mode_category": ["platform"]},
            "open_condition": {"open_type": ["conditional_open"]},
            "update_cycle_other": {"update_cycle": ["other"]},
        }
        items = config["linked"]["catalog_item"]
        assert items["parent"] == "catalog_class"
        assert {"value": "08", "label": "208 信用体系", "parent": "2"} in items["choices"]
        other = [c for c in config["linked"]["format_type"]["choices"] if c["value"] == "other"]
        assert other == [{"value": "other", "label": "其他", "parent": ""}]
        # hidden parts are still rendered: without the module the form shows every part
        body = _new(app, compiler)
        for name in ("share_condition", "no_share_basis", "open_condition", "format_other_desc"):
            assert f'id="field-{name}"' in body, name


class TestEntryPage:
    def _rows(self, app, user, pkg) -> dict[str, str]:
        app.set_session_user(user["id"])
        body = html.unescape(app.get(f"/zh_Hans_CN/dataset/{pkg['name']}", status=200).body)
        rows = re.findall(r'<th scope="row" class="dataset-label">(.*?)</th>\s*<td[^>]*>(.*?)</td>',
                          body, re.S)
        return {label: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", value)).strip()
                for label, value in rows}

    def test_fields_by_their_labels(self, app, world):
        """Department by title, unit as "code name", choices, yes/no and state by label."""
        samr, _gat = world
        compiler = f.user(samr, "compiler", units=["SAMR02"])
        pkg = f.create_entry(compiler, f.CONDITIONAL)
        rows = self._rows(app, compiler, pkg)
        assert rows["信息资源提供方"] == "省市场监督管理局"
        assert rows["提供方内部部门"] == "SAMR02 信用监督管理处"
        assert rows["涉密属性"] == "否"
        assert rows["信息资源分类（类）"] == "主题信息资源目录"
        assert rows["信息资源分类（项）"] == "08 信用体系"
        assert rows["信息资源格式类型"] == "电子表格：CSV"
        assert rows["共享类型"] == "有条件共享"
        assert rows["共享方式类型"] == "文件"
        assert rows["数据分级"] == "一般数据3级（敏感）"
        assert rows["目录状态"] == "编制中"
        # what does not apply to a conditional entry is not listed
        assert "不予共享依据" not in rows and "开放条件" not in rows
        # the state badge stays
        app.set_session_user(compiler["id"])
        body = app.get(f"/zh_Hans_CN/dataset/{pkg['name']}").body
        assert re.search(r'govshare-state govshare-state-draft">\s*编制中', body)

    def test_published_state_by_its_label(self, app, world):
        """A published entry shows 已发布, in English Published."""
        samr, _gat = world
        compiler = f.user(samr, "compiler", units=["SAMR02"])
        reviewer = f.user(samr, "reviewer")
        pkg = f.create_entry(compiler, f.CONDITIONAL)
        helpers.call_action("govshare_catalogue_submit", f.as_user(compiler), id=pkg["id"])
        helpers.call_action("govshare_catalogue_approve", f.as_user(reviewer), id=pkg["id"])
        assert self._rows(app, compiler, pkg)["目录状态"] == "已发布"
        body = html.unescape(app.get(f"/en/dataset/{pkg['name']}").body)
        assert re.search(r"Catalogue state</th>\s*<td[^>]*>\s*Published\s*</td>", body)


class TestFormLayout:
    @pytest.mark.parametrize("locale, headings", [
        ("zh_Hans_CN", ["基本信息", "分类与代码", "格式", "信息项", "共享开放属性", "更新、分级与关联"]),
        ("en", ["Basic information", "Classification and code", "Format", "Information items",
                "Sharing and opening", "Updates, grading and relations"]),
    ])
    def test_sections_with_headings_and_no_ckan_boilerplate(self, app, world, locale, headings):
        """The form is in the schema's sections, each headed and listed at the top; the
        generated URL name is folded under advanced options; no ODbL sentence, no "What are
        datasets?" sidebar; a save-draft button."""
        samr, _gat = world
        app.set_session_user(f.user(samr, "compiler", units=["SAMR02"])["id"])
        body = html.unescape(app.get(f"/{locale}/dataset/new", status=200).body)
        found = re.findall(r'<h2 class="govshare-form-section-heading">([^<]*)</h2>', body)
        assert found == headings
        toc = re.search(r'<nav class="govshare-form-toc".*?</nav>', body, re.S).group(0)
        assert re.findall(r'<a href="#(section-[a-z_]+)">', toc) == [
            "section-title", "section-catalog_class", "section-format_category",
            "section-info_items", "section-share_type", "section-update_cycle"]
        # the section of 信息项 holds its fields, the name sits folded in the first section
        info = re.search(r'<section class="govshare-form-section" id="section-info_items">(.*?)</section>',
                         body, re.S).group(1)
        assert 'name="info_items-0-name"' in info and 'name="share_type"' not in info
        advanced = re.search(r'<details class="govshare-advanced">(.*?)</details>', body, re.S)
        assert advanced and 'id="field-name"' in advanced.group(1)
        assert body.count('id="field-name"') == 1
        assert "Open Database License" not in body and "opendatacommons" not in body
        assert "What are datasets" not in body and "什么是数据集" not in body
        assert 'value="govshare-draft"' in body and 'formaction="/catalogue/entry/new-draft"' \
            in body.replace(f"/{locale}/catalogue", "/catalogue")

    def test_save_draft_lands_on_the_entry_page(self, app, world):
        """保存草稿 creates the entry as a draft of the catalogue, an ordinary CKAN dataset (not
        CKAN's hidden staged draft), and shows its page instead of CKAN's "add data" step."""
        from .test_catalogue_views import _form

        samr, _gat = world
        compiler = f.user(samr, "compiler", units=["SAMR02"])
        page = _new(app, compiler)
        data = dict(_form(f.entry_dict(f.CONDITIONAL), samr, page), save="govshare-draft")
        response = app.post("/zh_Hans_CN/catalogue/entry/new-draft", data=data,
                            follow_redirects=False)
        assert response.status_code == 302, html.unescape(response.body)[-2000:]
        location = response.headers["Location"]
        assert "/dataset/" in location and "/resource/new" not in location
        name = location.rstrip("/").rsplit("/", 1)[1]
        pkg = helpers.call_action("package_show", {"ignore_auth": True}, id=name)
        assert pkg["state"] == "active" and pkg["catalogue_state"] == "draft"

    def test_refused_draft_is_shown_with_its_errors(self, app, world):
        """A draft is validated like any entry: refused, the form comes back with its errors."""
        from .test_catalogue_views import _form

        samr, _gat = world
        compiler = f.user(samr, "compiler", units=["SAMR02"])
        page = _new(app, compiler)
        data = dict(_form(f.entry_dict(f.CONDITIONAL, title=""), samr, page),
                    save="govshare-draft")
        body = html.unescape(app.post("/en/catalogue/entry/new-draft", data=data,
                                      status=200).body)
        assert '<a href="#field-title">Resource title: required</a>' in body


class TestEntryPageLayout:
    def test_fields_first_items_marked_and_lifecycle_buttons(self, app, world):
        """The entry's page: the lifecycle buttons the user may use under the abstract, the
        catalogue's fields before the attached data, each 信息项's share type marked; a
        button fired there comes back to the page."""
        samr, _gat = world
        compiler = f.user(samr, "compiler", units=["SAMR02"])
        reviewer = f.user(samr, "reviewer")
        data = f.entry_dict(f.CONDITIONAL)
        data["info_items"][0]["share_type"] = "conditional"
        pkg = f.create_entry(compiler, f.CONDITIONAL, info_items=data["info_items"])
        app.set_session_user(compiler["id"])
        body = html.unescape(app.get(f"/zh_Hans_CN/dataset/{pkg['name']}", status=200).body)
        actions = re.search(r'<div class="govshare-entry-actions".*?</div>', body, re.S).group(0)
        assert re.findall(r'<button[^>]*value="(\w+)">([^<]*)</button>', actions) == [
            ("submit", "提交审核")]
        fields_at = body.index('class="additional-info')
        assert body.index('class="govshare-entry-actions"') < fields_at
        assert fields_at < body.index('id="dataset-resources"')
        assert '<span class="badge govshare-share-type govshare-share-type-conditional">有条件共享</span>' \
            in body
        # fired from the page, back to the page
        token = re.search(r'name="_csrf_token" value="([^"]+)"', actions).group(1)
        response = app.post(f"/zh_Hans_CN/dataset/{pkg['name']}/lifecycle/submit",
                            data={"_csrf_token": token, "return_to": "entry", "event": "submit"},
                            follow_redirects=False)
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/dataset/{pkg['name']}")
        # the reviewer is offered approve here, and return (it needs a reason) on the lifecycle page
        app.set_session_user(reviewer["id"])
        body = html.unescape(app.get(f"/en/dataset/{pkg['name']}", status=200).body)
        actions = re.search(r'<div class="govshare-entry-actions".*?</div>', body, re.S).group(0)
        assert 'value="approve">approve</button>' in actions
        assert f'/dataset/{pkg["name"]}/lifecycle#reason-return">return…</a>' in actions
        # published: the sharing flows join the bar (the reviewer may now ask to take it offline)
        helpers.call_action("govshare_catalogue_approve", f.as_user(reviewer), id=pkg["id"])
        body = html.unescape(app.get(f"/en/dataset/{pkg['name']}", status=200).body)
        actions = re.search(r'<div class="govshare-entry-actions".*?</div>', body, re.S).group(0)
        assert f"/dispute/new?entry={pkg['name']}" in actions.replace("/en/", "/")
        assert "Report an error</a>" in actions
        assert "govshare-entry-sharing" not in body  # no second copy in the sidebar
