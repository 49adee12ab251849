"""The portal's shell in zh_Hans_CN (issue #12 §1, §3, §7): the catalogue's home and about
pages, the footer's site identity, Chinese error pages, the sign-in prompt of a non-public
catalogue, CKAN features hidden, department creation refused to non-sysadmins, one Chinese date
format, the department's about and members pages."""
from __future__ import annotations

import re
from types import SimpleNamespace

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import helpers

from .. import lifecycle as L
from .test_crawl import english, parse

pytestmark = [
    pytest.mark.ckan_config("ckan.site_url", "http://localhost"),
    pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN"),
    pytest.mark.ckan_config("ckan.display_timezone", "Asia/Shanghai"),
    pytest.mark.ckan_config("ckanext.govshare.site.sponsor", "山西省政务信息管理局"),
    pytest.mark.ckan_config("ckanext.govshare.site.icp", "晋ICP备12345678号"),
    pytest.mark.ckan_config("ckanext.govshare.home.notices", "第一条通知\n\n第二条通知"),
]

#: a Python value printed into a page: a list or dict repr
REPR = re.compile(r"\[\{'|\['|\{'code'|'\]")
#: CKAN's stock shell, in either language
STOCK = ("欢迎使用 CKAN", "Welcome to CKAN", "420 x 220", "这是推荐栏目", "CKAN 协会",
         "CKAN Association", "ckan.org", "opendefinition.org", "Not Found", "Forbidden")


def _world() -> SimpleNamespace:
    w = L.published_world()
    L.act("organization_patch", w.sysadmin, id=w.org["id"],
          business_matters=["企业设立登记", "企业变更登记"])
    w.draft = L.entry(w.org, w.compiler, title="尚未提交的草稿条目")
    return w


@pytest.fixture
def world(fresh):
    return fresh(_world)


def _page(app, path, user=None, status=200, own=True):
    """The page, checked: no Python value and, on the pages the shell renders (``own``), none
    of CKAN's stock shell and no English outside the crawl test's allow-list and the world's own
    data (user and department names, the factories' descriptions, unit codes)."""
    if user is not None:
        app.set_session_user(user["id"])
    body = app.get(path, status=status).body
    assert not REPR.search(body), f"a Python value on {path}: {REPR.search(body).group(0)}"
    if not own:
        return body
    for stock in STOCK:
        assert stock not in body, f"{stock!r} on {path}"
    names = [n for row in model.Session.query(model.User.name, model.User.fullname)
             for n in row] + [n for row in model.Session.query(model.Group.title,
                                                                model.Group.description)
                              for n in row] + [
        str(extras) for (extras,) in model.Session.query(model.Group.extras)]  # units' codes
    text = " ".join(filter(None, names))
    data = frozenset(re.findall(r"\w+", text) + re.findall(r"\w+(?:[-']\w+)+", text)) | {
        "ICP"}  # the 备案号 as configured
    assert english(parse(body), data) == {}, path
    return body


def _main(body):
    return body[body.index('id="content"'):body.index("<footer")]


class TestHome:
    def test_signed_in_user_sees_the_catalogue_and_the_workbench(self, app, world):
        """A compiler sees counts, the latest published entries and the way to 我的工作台;
        drafts are not counted as published."""
        body = _page(app, "/", world.compiler)
        assert re.search(r'href="/dashboard/workbench"><i class="fa fa-inbox"></i> 我的工作台', body)
        assert "最新发布的目录条目" in body and world.entry["title"] in body
        assert "尚未提交的草稿条目" not in body
        assert "按部门" in body and world.org["title"] in body
        assert "按共享类型" in body and "无条件共享" in body
        assert "通知公告" in body and "第一条通知" in body and "第二条通知" in body
        assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", _main(body))
        # the account bar's picture: CKAN's placeholder, never a Gravatar (no e-mail hash out)
        assert 'class="user-image"' in body and "gravatar" not in body.lower()

    def test_account_bar_never_calls_gravatar(self, app, world):
        """A user without a picture gets CKAN's placeholder in the account bar, never a
        Gravatar (an internal catalogue sends nobody's e-mail hash out)."""
        model.Session.query(model.User).filter_by(id=world.compiler["id"]).update(
            {"image_url": None})
        model.Session.commit()
        body = _page(app, "/", world.compiler)
        assert "placeholder-user.png" in body and "gravatar" not in body.lower()

    def test_anonymous_visitor_of_an_internal_catalogue_is_asked_to_sign_in(self, app, world):
        """With ``public_catalogue`` off, nothing of the catalogue is counted or listed."""
        body = _page(app, "/")
        assert "请登录后查看" in body and "/user/login" in body
        assert world.entry["title"] not in body
        assert "我的工作台" not in body

    def test_english_home_and_about_under_en(self, app, world):
        """/en is English: the same page's texts, none of the Chinese msgstrs."""
        app.set_session_user(world.compiler["id"])
        body = app.get("/en/", status=200).body
        assert "My workbench" in body and "Latest published entries" in body
        assert "我的工作台" not in body and "最新发布" not in body
        body = app.get("/en/about", status=200).body
        assert "Roles inside a department" in body and "Compiler" in body
        assert "部门内的目录角色" not in body and "编制人" not in body

    def test_anonymous_search_page_asks_to_sign_in(self, app, world):
        body = _page(app, "/dataset/", own=False)
        assert "请登录后查看" in body and world.entry["title"] not in body

    @pytest.mark.ckan_config("ckanext.govshare.public_catalogue", "true")
    def test_public_catalogue_shows_published_entries_to_anonymous(self, app, world):
        for path in ("/", "/dataset/"):
            body = _page(app, path, own=path == "/")
            assert world.entry["title"] in body
            assert "请登录后查看" not in body


NOTICES = "ckanext.govshare.home.notices"


@pytest.fixture
def saved_notices():
    """Forget the notices a test saved on /ckan-admin/config (CKAN keeps them in system_info
    and every process reads them back from there)."""
    yield
    model.Session.rollback()
    for key in (NOTICES, "ckan.config_update"):
        model.delete_system_info(key)
    model.repo.commit()


class TestNoticesEditedByTheSysadmin:
    def _save(self, app, notices, status=200, path="/ckan-admin/config"):
        page = app.get(path, status=200).body
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
        return app.post(path, data={"_csrf_token": token, NOTICES: notices, "save": ""},
                        status=status, follow_redirects=True).body

    def test_sysadmin_edits_the_home_page_notices(self, app, world, saved_notices):
        """The admin form has 首页通知公告 (Chinese label and help, the current notices); what
        a sysadmin saves is tidied (one notice a line, blank lines dropped), kept in
        system_info and shown on the home page in order instead of the ini's."""
        app.set_session_user(world.sysadmin["id"])
        form = app.get("/ckan-admin/config", status=200).body
        field = form[form.index('for="field-govshare-home-notices"'):]
        field = field[:field.index("form-actions")]
        assert "首页通知公告" in field and "每行一条" in field and "200 个字符" in field
        assert "第一条通知\n\n第二条通知" in field  # the ini's value, as written
        self._save(app, "  放假安排通知 \r\n\r\n目录编制考核通知\r\n")
        assert model.get_system_info(NOTICES) == "放假安排通知\n目录编制考核通知"
        home = _page(app, "/", world.compiler)
        notices = home[home.index("govshare-home-notices"):]
        notices = notices[:notices.index("</section>")]
        assert re.findall(r"<li>([^<]+)</li>", notices) == ["放假安排通知", "目录编制考核通知"]
        # emptied: no notices box
        app.set_session_user(world.sysadmin["id"])
        self._save(app, " \r\n ")
        assert "govshare-home-notices" not in _page(app, "/", world.compiler)

    def test_a_notice_too_long_is_refused_in_chinese(self, app, world, saved_notices):
        """A notice over ``notice_max_length`` (200) is refused by its number, in Chinese (field and
        summary, which names the field by its label), under /en in English; nothing is saved."""
        app.set_session_user(world.sysadmin["id"])
        body = self._save(app, "短通知\n" + "长" * 201)
        assert "第 2 条通知有 201 个字符，每条通知最多 200 个字符" in body
        summary = body[body.index("error-explanation"):]
        assert "首页通知公告" in summary[:summary.index("</div>")]
        assert "Ckanext" not in body
        body = self._save(app, "长" * 201, path="/en/ckan-admin/config")
        summary = body[body.index("error-explanation"):]
        summary = summary[:summary.index("</div>")]
        assert "Home page notices" in summary and "Notice 1 has 201 characters" in summary
        assert "Ckanext" not in body and "首页通知公告" not in body
        assert model.get_system_info(NOTICES) is None
        assert "第一条通知" in _page(app, "/", world.compiler)

    def test_nobody_else_edits_them(self, app, world, saved_notices):
        """A department's staff and outsiders get 403 from the form, and the action refuses
        them."""
        for who in (world.compiler, world.reviewer, world.outsider):
            app.set_session_user(who["id"])
            app.get("/ckan-admin/config", status=403)
            # the page's CSRF token (CKAN's meta tag): refused as a user, not as a forgery
            page = app.get("/dashboard/workbench", status=200).body
            token = re.search(r'name="_csrf_token" content="([^"]+)"', page).group(1)
            app.post("/ckan-admin/config", data={"_csrf_token": token, NOTICES: "越权通知",
                                                 "save": ""}, status=403)
            assert L.refused("config_option_update", who, **{NOTICES: "越权通知"})
        assert model.get_system_info(NOTICES) is None


class TestAboutAndFooter:
    def test_about_describes_the_catalogue_and_the_standard(self, app, world):
        body = _page(app, "/about", world.compiler)
        assert "政务数据共享 部门内部管理规范" in body
        for role in ("编制人", "审核人", "安全管理员", "统筹协调人"):
            assert role in body
        assert "主办单位" in body and "山西省政务信息管理局" in body

    def test_footer_carries_the_site_identity(self, app, world):
        """Set lines only: 主办单位 and 备案号 (linked to the MIIT site); no 技术支持 line."""
        body = _page(app, "/about")
        footer = body[body.index("<footer"):]
        assert "主办单位：山西省政务信息管理局" in footer
        assert 'href="https://beian.miit.gov.cn/"' in footer and "晋ICP备12345678号" in footer
        assert "技术支持" not in footer


class TestErrorPages:
    def test_not_found_is_headed_in_chinese(self, app, world):
        body = _page(app, "/dataset/no-such-entry", world.compiler, status=404)
        assert "404 页面不存在" in body

    def test_refusal_is_headed_in_chinese(self, app, world):
        """A compiler may not open the new-department form (403 拒绝访问)."""
        body = _page(app, "/organization/new", world.compiler, status=403)
        assert "403 拒绝访问" in body

    def test_english_error_page_under_en(self, app, world):
        body = app.get("/en/dataset/no-such-entry", status=404).body
        assert "404 Page not found" in body


class TestDepartmentAndGroupCreation:
    @pytest.mark.parametrize("action", ["organization_create", "group_create"])
    def test_only_sysadmins_create(self, world, action):
        """Departments and groups are the platform administrators' (auth functions)."""
        for who in (world.compiler, world.reviewer, world.outsider):
            with pytest.raises(tk.NotAuthorized):
                helpers.call_auth(action, {"user": who["name"]})
        assert helpers.call_auth(action, {"user": world.sysadmin["name"]})

    def test_no_add_department_button(self, app, world):
        body = _page(app, "/organization/", world.compiler, own=False)
        assert 'href="/organization/new"' not in body
        assert "添加部门" not in body


class TestHiddenFeatures:
    def test_entry_page_has_no_follow_licence_social_or_groups(self, app, world):
        body = _page(app, f"/dataset/{world.entry['name']}", world.compiler, own=False)
        assert "/dataset/follow/" not in body and "关注者" not in body
        assert "x.com/share" not in body and "facebook.com" not in body
        assert 'class="module module-narrow module-shallow license"' not in body
        assert f"/dataset/groups/{world.entry['name']}" not in body
        assert 'href="/group/"' not in body

    def test_resource_page_has_no_licence_or_social(self, app, world):
        """A 挂接资源's page: no 许可协议 row, no share links."""
        resource = helpers.call_action("resource_create", L.site(), package_id=world.entry["id"],
                                       name="登记数据", url="http://example.gov.cn/a.csv",
                                       format="CSV")
        body = _page(app, f"/dataset/{world.entry['name']}/resource/{resource['id']}",
                     world.compiler, own=False)
        assert "许可协议" not in body and "License" not in body
        assert "x.com/share" not in body and "facebook.com" not in body

    def test_entry_form_has_no_visibility_or_unpublish(self, app, world):
        body = _page(app, f"/dataset/edit/{world.draft['name']}", world.compiler, own=False)
        assert '<select id="field-private"' not in body
        # the stored value goes back unchanged
        value = "True" if world.draft["private"] else "False"
        assert f'type="hidden" id="field-private" name="private" value="{value}"' in body
        assert "go-metadata-unpublish" not in body

    def test_new_entry_form_has_no_visibility(self, app, world):
        """The reworked form of a new entry (its sections, 保存草稿) has no 可见性 either."""
        body = _page(app, "/dataset/new", world.compiler, own=False)
        assert 'id="field-title"' in body
        assert '<select id="field-private"' not in body and "可见性" not in body
        assert 'type="hidden" id="field-private" name="private"' in body

    @pytest.mark.ckan_config("ckanext.govshare.ui.hidden", "license")
    def test_features_come_back_when_not_hidden(self, app, world):
        """``ui.hidden`` decides: without ``visibility`` and ``groups`` both are back."""
        app.set_session_user(world.compiler["id"])
        body = app.get(f"/dataset/edit/{world.draft['name']}", status=200).body
        assert '<select id="field-private"' in body
        assert 'href="/group/"' in body
        body = app.get("/dataset/new", status=200).body
        assert '<select id="field-private"' in body and "可见性" in body


class TestDates:
    def test_one_chinese_format(self, app, world):
        """Dates are 2026年12月3日 (09:05), never babel's 十二月 3, 2026 or 2026-12-03: the
        entry's 发布日期 and the activity stream's times."""
        body = _page(app, f"/dataset/{world.entry['name']}", world.compiler, own=False)
        issued = body[body.index('data-field="issued"'):]
        assert re.match(r'data-field="issued">\s*\d{4}年\d{1,2}月\d{1,2}日\s*</td>', issued)
        body = _page(app, f"/dataset/activity/{world.entry['name']}", world.compiler, own=False)
        assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", body)
        for page in (body, _page(app, "/", world.compiler)):
            assert "automatic-local-datetime" not in page
            assert not re.search(r"[一二三四五六七八九十]+月 \d{1,2}, \d{4}", page)
            assert not re.search(r"\d{4}-\d{2}-\d{2}(?![\dT:])", _main(page))

    def test_render_datetime_in_the_display_zone(self, app):
        """``h.render_datetime`` on a zh page: Beijing time, the Chinese format; ``/en`` keeps
        CKAN's."""
        import datetime
        value = datetime.datetime(2026, 12, 3, 1, 5, tzinfo=datetime.timezone.utc)
        with app.flask_app.test_request_context("/", environ_overrides={"CKAN_LANG": "zh_Hans_CN"}):
            assert tk.h.render_datetime(value, with_hours=True) == "2026年12月3日 09:05"
            assert tk.h.render_datetime(value) == "2026年12月3日"
            assert tk.h.render_datetime(value, date_format="%Y") == "2026"
        with app.flask_app.test_request_context("/", environ_overrides={"CKAN_LANG": "en"}):
            assert "2026年" not in tk.h.render_datetime(value, with_hours=True)


class TestDepartmentPages:
    def test_about_shows_tables_and_labels(self, app, world):
        body = _page(app, f"/organization/about/{world.org['name']}", world.compiler)
        main = _main(body)
        assert "省级" in main and "province" not in main
        assert "处室代码" in main and "DJZCC" in main
        assert "业务事项" in main and "企业设立登记" in main and "企业变更登记" in main

    def test_members_show_catalogue_roles_without_the_site_user(self, app, world):
        body = _page(app, f"/organization/members/{world.org['name']}", world.reviewer)
        table = body[body.index("govshare-members"):]
        table = table[:table.index("</table>")]
        site_user = helpers.call_action("get_site_user")["name"]
        assert f"/user/{site_user}" not in table
        for name, role in ((world.compiler, "编制人"), (world.reviewer, "审核人"),
                           (world.coordinator, "统筹协调人"), (world.security_officer, "安全管理员")):
            row = table[table.index(f"/user/{name['name']}"):]
            assert role in row[:row.index("</tr>")]
        assert "编辑者" not in table and "Editor" not in table

    def test_member_form_names_capacities_as_the_glossary(self, app, world):
        """Adding a member: CKAN's capacities as 部门管理员 / 编辑成员 / 成员, never 编辑者."""
        body = _page(app, f"/organization/member_new/{world.org['name']}", world.sysadmin,
                     own=False)
        form = body[body.index('id="role"'):]
        form = form[:form.index("</select>")]
        assert "部门管理员" in form and "编辑成员" in form and "编辑者" not in form
