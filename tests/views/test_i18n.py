"""The extension's own strings reach zh_Hans_CN users through its gettext catalog."""
import pathlib
import shutil
import subprocess

import polib
import pytest
from ckan.tests import factories

from tests import factories as gs

I18N = pathlib.Path(__file__).resolve().parents[2] / "i18n"
PO = I18N / "zh_Hans_CN/LC_MESSAGES/ckanext-govshare.po"
MO = PO.with_suffix(".mo")


def _messages(catalog: polib.MOFile) -> dict[object, object]:
    """Every message of a compiled catalog, (context, id, plural id) → translation, and its header."""
    messages: dict[object, object] = {
        (e.msgctxt, e.msgid, e.msgid_plural):
        tuple(sorted(e.msgstr_plural.items())) if e.msgid_plural else e.msgstr
        for e in catalog}
    messages["header"] = dict(catalog.metadata)
    return messages


def test_catalog_is_complete():
    """Every message of the template has a Chinese translation."""
    pot = polib.pofile(str(I18N / "ckanext-govshare.pot"))
    po = polib.pofile(str(PO))
    translated = {e.msgid for e in po.translated_entries()}
    assert {e.msgid for e in pot} - translated == set()


def test_committed_mo_is_a_fresh_compile_of_the_po(tmp_path):
    """The committed .mo holds exactly what msgfmt compiles from the committed .po (the test
    run never rewrites it: scripts/common.sh compiles only a missing .mo)."""
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "msgfmt is missing: apt-get install gettext (scripts/common.sh does)"
    fresh = tmp_path / "fresh.mo"
    subprocess.run([msgfmt, "--check-format", "-o", str(fresh), str(PO)], check=True)
    # compared message by message, not byte by byte: another gettext version may lay the
    # same catalog out differently
    assert _messages(polib.mofile(str(MO))) == _messages(polib.mofile(str(fresh))), (
        f"{MO.name} is stale: run msgfmt -o {MO} {PO} and commit it")


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
