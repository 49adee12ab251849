"""The extension's own strings reach zh_Hans_CN users through its gettext catalog."""
import pathlib

import polib
import pytest
from ckan.tests import factories

from tests import factories as gs

I18N = pathlib.Path(__file__).resolve().parents[2] / "i18n"


def test_catalog_is_complete():
    """Every message of the template has a Chinese translation, and the compiled .mo is current."""
    pot = polib.pofile(str(I18N / "ckanext-govshare.pot"))
    po = polib.pofile(str(I18N / "zh_Hans_CN/LC_MESSAGES/ckanext-govshare.po"))
    translated = {e.msgid for e in po.translated_entries()}
    assert {e.msgid for e in pot} - translated == set()
    mo = polib.mofile(str(I18N / "zh_Hans_CN/LC_MESSAGES/ckanext-govshare.mo"))
    assert {e.msgid: e.msgstr for e in mo if e.msgid} == {
        e.msgid: e.msgstr for e in po.translated_entries()}


@pytest.mark.usefixtures("clean_db")
@pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")
def test_dataset_search_page_in_chinese(app):
    """/dataset in the default zh_Hans_CN locale shows the catalogue facets' Chinese titles."""
    user = factories.Sysadmin()
    gs.department()
    gs.create_entry()
    response = app.get("/dataset/", headers={"Authorization": factories.APIToken(user=user["name"])["token"]})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "目录状态" in body
    assert "共享类型" in body
    assert "编制中" in body  # the facet value's label, not the code ``draft``
    assert "Catalogue state" not in body


@pytest.mark.usefixtures("clean_db")
def test_dataset_search_page_in_english(app):
    """The same page under /en keeps the English titles."""
    user = factories.Sysadmin()
    gs.department()
    gs.create_entry()
    response = app.get("/en/dataset/", headers={"Authorization": factories.APIToken(user=user["name"])["token"]})
    body = response.get_data(as_text=True)
    assert "Catalogue state" in body
