"""The 1272 template on the department's pages: the import page for compilers (problems listed
by sheet, row and column, in Chinese), the downloads for members."""
from __future__ import annotations

import io
import re

import openpyxl
import pytest

from .. import lifecycle as L
from .. import workbooks as W

pytestmark = [pytest.mark.ckan_config("ckan.site_url", "http://localhost"),
              pytest.mark.ckan_config("ckanext.govshare.import.workers", "1")]


@pytest.fixture
def world(fresh):
    return fresh(L.world)


def _url(org, path: str) -> str:
    return f"/organization/{org['name']}/govshare/{path}"


def _post_file(app, w, content: bytes):
    app.set_session_user(w.compiler["id"])
    page = app.get(_url(w.org, "import")).body
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
    return app.post(_url(w.org, "import"), data={
        "_csrf_token": token, "upload": (io.BytesIO(content), "目录.xlsx")},
        content_type="multipart/form-data", extra_environ={"HTTP_ACCEPT_LANGUAGE": "zh"})


def test_import_page_lists_problems_in_chinese(app, world):
    """A bad upload shows each problem with its sheet, row and column, in Chinese; nothing is
    stored."""
    w = world
    bad = W.spoil(W.template(W.good_entries(w.org)), W.set_cell("信息项", 2, "数据长度", "18位"))
    body = _post_file(app, w, bad).body
    assert "govshare-import-problems" in body
    assert "信息项</td><td>2</td><td>" in body
    assert "18位" in body


def test_import_page_imports(app, world):
    """A good upload is imported at once and counted."""
    w = world
    body = _post_file(app, w, W.template(W.good_entries(w.org))).body
    assert "govshare-import-done" in body


def test_page_and_downloads_access(app, world):
    """Members download the export; the import page is refused to them, and the blank
    template has the three sheets."""
    w = world
    app.set_session_user(w.member["id"])
    app.get(_url(w.org, "import"), status=403)
    res = app.get(_url(w.org, "export/template"))
    assert openpyxl.load_workbook(io.BytesIO(res.data)).sheetnames[:3] == [
        "信息资源目录", "信息项", "共享范围"]
    app.get(_url(w.org, "export/xlsx"))
    app.set_session_user(w.outsider["id"])
    app.get(_url(w.org, "export/xlsx"), status=403)
