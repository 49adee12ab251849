"""The 1272 Excel template in and out (issue #11 §2): export → import round-trips, rows are
upserted by resource code (drafts updated, published entries revised), the flattened layout,
dry runs, two writing processes, background imports."""
from __future__ import annotations

import io
import json

import ckan.model as model
import openpyxl
import pytest
from ckan.lib import jobs

from ckanext.govshare.exchange import workbook
from ckanext.govshare.model.revision import Revision

from .. import lifecycle as L
from .. import workbooks as W

pytestmark = [pytest.mark.ckan_config("ckanext.govshare.import.workers", "1"),
              pytest.mark.ckan_config("ckanext.govshare.notify.enabled", "false")]


@pytest.fixture
def world(fresh):
    return fresh(L.published_world)


class _Upload:
    def __init__(self, content: bytes) -> None:
        self.content = content

    def read(self, size: int = -1) -> bytes:
        return self.content


def _import(w, content: bytes, user=None, **kw):
    return L.act("govshare_catalogue_import_xlsx", user or w.compiler, upload=_Upload(content),
                 organization_id=w.org["id"], **kw)


def _export(w, fmt="xlsx", user=None):
    payload = L.act("govshare_catalogue_export", user or w.compiler,
                    organization_id=w.org["id"], format=fmt)
    return workbook.payload_bytes(payload)


def _entries(org_id: str) -> int:
    return model.Session.query(model.Package).filter_by(owner_org=org_id, state="active").count()


def test_export_import_round_trip(world):
    """New rows become drafts; the department's export imports back with nothing changed."""
    w = world
    result = _import(w, W.template(W.good_entries(w.org, 3)))
    assert result["counts"]["created"] == 3 and result["stored"]
    exported = _export(w)
    again = _import(w, exported)
    assert again["problems"] == []
    assert again["counts"] == {"created": 0, "updated": 0, "revised": 0, "unchanged": 4}
    # the same file twice changes nothing either
    assert _import(w, exported)["counts"]["unchanged"] == 4


def test_json_export_and_blank_template(world):
    """The JSON export follows the 1272 elements; the blank template has the headers only."""
    w = world
    doc = json.loads(_export(w, "json"))
    assert doc["count"] == 1
    entry = doc["entries"][0]
    assert entry["resource_code"] == L.live(w.entry["id"])["resource_code"]
    assert entry["classification"]["catalog_class"] and entry["info_items"]
    blank = openpyxl.load_workbook(io.BytesIO(_export(w, "template", user=w.member)))
    assert blank.sheetnames[:3] == ["信息资源目录", "信息项", "共享范围"]
    assert blank["信息资源目录"].max_row == 1


def test_published_entry_gets_pending_revision(world):
    """A changed row of a published entry becomes its pending revision; the live entry stays."""
    w = world
    before = L.live(w.entry["id"])
    content = W.spoil(_export(w), W.set_cell("信息资源目录", 2, "信息资源摘要", "新的摘要"))
    result = _import(w, content)
    assert result["counts"]["revised"] == 1 and result["stored"]
    assert L.live(w.entry["id"])["notes"] == before["notes"]
    rev = model.Session.query(Revision).filter_by(entry_id=w.entry["id"]).one()
    assert rev.proposed["notes"] == "新的摘要"
    # re-importing the same file leaves the revision as it is
    assert _import(w, content)["counts"]["unchanged"] == 1


def test_draft_updated_by_code(world):
    """A row with the code of a draft updates the draft in place."""
    w = world
    draft = L.entry(w.org, w.compiler)
    content = W.spoil(_export(w), W.set_cell("信息资源目录", 2, "信息资源摘要", "改过的摘要"))
    wb = openpyxl.load_workbook(io.BytesIO(content))
    row = next(r for r in range(2, 4) if wb["信息资源目录"].cell(row=r, column=1).value
               == draft["resource_code"])
    content = W.spoil(_export(w), W.set_cell("信息资源目录", row, "信息资源摘要", "改过的摘要"))
    result = _import(w, content)
    assert result["counts"]["updated"] == 1 and result["stored"]
    assert L.live(draft["id"])["notes"] == "改过的摘要"


def test_flat_layout_with_merged_entry_cells(world):
    """The flattened one-row-per-信息项 sheet, entry cells merged down, imports its entries."""
    w = world
    entries = W.good_entries(w.org, 2)
    result = _import(w, W.flat(entries))
    assert result["problems"] == [] and result["counts"]["created"] == 2
    assert result["layout"] == "flat"
    found = L.act("package_search", w.compiler, q=f'title:"{entries[0]["title"]}"',
                  include_drafts=True)["results"]
    assert len(found[0]["info_items"]) == len(entries[0]["info_items"])


def test_dry_run_stores_nothing(world):
    """A dry run reports what it would do and stores nothing."""
    w = world
    before = _entries(w.org["id"])
    result = _import(w, W.template(W.good_entries(w.org, 2)), dry_run=True)
    assert result["counts"]["created"] == 2 and not result["stored"]
    assert _entries(w.org["id"]) == before


@pytest.mark.ckan_config("ckanext.govshare.import.workers", "2")
def test_two_workers_commit_together(world):
    """Two writing processes: all rows stored when all pass, none when one row fails."""
    w = world
    before = _entries(w.org["id"])
    good = W.good_entries(w.org, 6)
    bad = W.spoil(W.template(good), W.set_cell("信息资源目录", 7, "共享类型", "随便"))
    result = _import(w, bad)
    assert not result["stored"] and _entries(w.org["id"]) == before
    assert {p["row"] for p in result["problems"]} == {7}
    result = _import(w, W.template(good))
    assert result["stored"] and result["counts"]["created"] == 6
    assert _entries(w.org["id"]) == before + 6


@pytest.mark.ckan_config("ckanext.govshare.import.background_rows", "1")
def test_background_import_and_status(world):
    """A long file runs as a job; its starter follows it to the outcome, others may not."""
    w = world
    queued = _import(w, W.template(W.good_entries(w.org, 2)))
    assert queued["state"] == "queued"
    job = jobs.get_queue().fetch_job(queued["job_id"])
    job.perform()
    status = L.act("govshare_catalogue_import_status", w.compiler, id=queued["job_id"])
    assert status["state"] == "finished" and status["outcome"]["counts"]["created"] == 2
    assert L.refused("govshare_catalogue_import_status", w.compiler2, id=queued["job_id"])
