"""CKAN core's pages in zh_Hans_CN use the extension's corrected and completed core messages.

``ckanext/govshare/core_messages.py`` puts core msgids into the extension's catalog, which
flask-babel merges after core's, so the portal says 登录/注册/退出登录/工作台 where core's own
catalog says 登陆/登记/登出/仪表盘 or nothing at all.
"""
from __future__ import annotations

import pathlib
import re

import ckan
import polib
import pytest
from ckan.tests import factories

from ckanext.govshare.core_messages import CORE_MESSAGES, CORE_PLURALS

CORE_PO = pathlib.Path(ckan.__file__).parent / "i18n/zh_Hans_CN/LC_MESSAGES/ckan.po"
POT = pathlib.Path(__file__).resolve().parents[2] / "i18n/ckanext-govshare.pot"

zh = pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")


def _catalog(path: pathlib.Path) -> tuple[set[str], set[tuple[str, str]]]:
    entries = [e for e in polib.pofile(str(path)) if not e.obsolete]
    return ({e.msgid for e in entries if not e.msgid_plural},
            {(e.msgid, e.msgid_plural) for e in entries if e.msgid_plural})


def test_core_messages_exist_in_core_catalog():
    """Every msgid we translate for core is still a msgid of core's catalog (noticed on upgrade)."""
    singular, plural = _catalog(CORE_PO)
    assert [m for m in CORE_MESSAGES if m not in singular] == []
    assert [m for m in CORE_PLURALS if m not in plural] == []
    assert len(set(CORE_MESSAGES)) == len(CORE_MESSAGES)


def test_core_messages_are_extracted():
    """scripts/i18n.sh has put every core message, plurals with both forms, into our template."""
    singular, plural = _catalog(POT)
    assert [m for m in CORE_MESSAGES if m not in singular] == []
    assert [m for m in CORE_PLURALS if m not in plural] == []


@zh
def test_login_page_says_denglu(app):
    """The login page says 登录 (log in), never the misspelling 登陆 of core's catalog."""
    body = app.get("/user/login", status=200).get_data(as_text=True)
    assert "登录" in body
    assert "登陆" not in body
    assert "Username or Email" not in body  # untranslated in core
    assert "用户名或电子邮箱" in body


@zh
@pytest.mark.ckan_config("ckan.auth.create_user_via_web", True)
def test_register_link_says_zhuce(app):
    """Where self-registration is on, the header's link to it says 注册, not core's 登记."""
    body = app.get("/user/login", status=200).get_data(as_text=True)
    link = re.search(r'<a [^>]*href="/user/register"[^>]*>([^<]*)</a>', body)
    assert link is not None
    assert link.group(1).strip() == "注册"
    assert "登记" not in body
    assert "创建账户" in body  # core: 创建用户


@zh
@pytest.mark.usefixtures("clean_db")
def test_account_bar_says_gongzuotai_and_tuichu_denglu(app):
    """A signed-in user's account bar links to 我的工作台 (the workbench, in place of the activity
    plugin's dashboard count) and 退出登录 (core: 仪表盘/控制台, 登出)."""
    user = factories.User()
    body = app.get("/dataset/", status=200, headers={
        "Authorization": factories.APIToken(user=user["name"])["token"]}).get_data(as_text=True)
    account = body[body.index('class="account-masthead"'):body.index("</header>")]
    assert '<span class="text">我的工作台</span>' in account
    assert 'aria-label="我的工作台"' in account
    assert 'aria-label="退出登录"' in account
    assert "个人设置" in account  # untranslated in core
    for core_word in ("仪表盘", "控制台", "登出", "Dashboard", "Log out"):
        assert core_word not in account


@zh
@pytest.mark.usefixtures("clean_db")
def test_dataset_search_placeholder_in_chinese(app):
    """The dataset search page's search box has its placeholder and label in Chinese."""
    body = app.get("/dataset/", status=200).get_data(as_text=True)
    assert 'placeholder="检索目录……"' in body  # the glossary's 目录 (README), not 数据集
    assert "Search datasets" not in body
    assert "Search Datasets" not in body  # the header search's label, untranslated in core
