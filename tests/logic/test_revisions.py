"""Pending revisions (变更): the live entry stays untouched until approval, which applies the
proposal atomically and bumps the version; auth per role, four eyes, diff, return and discard."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import helpers

from .. import lifecycle as L


@pytest.fixture
def world(fresh):
    return fresh(L.published_world)


def _live(w):
    return L.live(w.entry["id"])


def _items(w, extra_name="联系电话"):
    items = [dict(i) for i in _live(w)["info_items"]]
    items[1]["length"] = 300
    items.append({**items[0], "name": extra_name, "name_en": "phone", "length": 20,
                  "description": "企业联系电话"})
    return items


class TestLiveVersionUntouched:
    def test_create_and_submit_leave_live_entry_alone(self, world):
        """Until approval the published entry shows the old values (API and search)."""
        w = world
        before = _live(w)
        rev = L.act("govshare_revision_create", w.compiler, id=w.entry["id"],
                    notes="更新后的摘要", info_items=_items(w))
        assert rev["state"] == "draft" and rev["base_version"] == 1
        L.act("govshare_revision_submit", w.compiler, id=rev["id"])
        after = _live(w)
        assert after["notes"] == before["notes"]
        assert after["info_items"] == before["info_items"]
        assert after["metadata_modified"] == before["metadata_modified"]
        assert after["catalogue_state"] == "published"
        found = L.act("package_search", w.outsider, q="更新后的摘要")
        assert found["count"] == 0

    def test_approval_applies_and_bumps_version(self, world):
        """Approval writes the proposal to the entry and the version goes 1 → 2."""
        w = world
        rev = L.act("govshare_revision_create", w.compiler, id=w.entry["id"],
                    notes="更新后的摘要", info_items=_items(w))
        L.act("govshare_revision_submit", w.compiler, id=rev["id"])
        approved = L.act("govshare_revision_approve", w.reviewer, id=rev["id"])
        assert approved["state"] == "approved" and approved["version"] == 2
        live = L.act("package_show", w.member, id=w.entry["id"])
        assert live["notes"] == "更新后的摘要"
        assert [i["name"] for i in live["info_items"]][-1] == "联系电话"
        assert live["govshare_lifecycle"]["version"] == 2
        assert live["catalogue_state"] == "published"
        assert L.act("package_search", w.outsider, q="更新后的摘要")["count"] == 1
        rows = helpers.call_action("govshare_audit_list", L.site(), entry_id=w.entry["id"],
                                   action="revision_approve")["results"]
        assert len(rows) == 1 and rows[0]["revision_id"] == rev["id"]

    def test_return_keeps_live_version(self, world):
        """A returned revision changes nothing; it can be edited and resubmitted."""
        w = world
        before = _live(w)
        rev = L.act("govshare_revision_create", w.compiler, id=w.entry["id"], notes="改")
        L.act("govshare_revision_submit", w.compiler, id=rev["id"])
        with pytest.raises(tk.ValidationError) as err:
            L.act("govshare_revision_return", w.reviewer, id=rev["id"])
        assert "reason" in err.value.error_dict
        returned = L.act("govshare_revision_return", w.reviewer, id=rev["id"], reason="摘要过短")
        assert returned["state"] == "returned" and returned["reason"] == "摘要过短"
        assert _live(w)["notes"] == before["notes"]
        again = L.act("govshare_revision_update", w.compiler, id=rev["id"],
                      notes="更完整的摘要说明")
        assert again["state"] == "draft"
        assert [d["field"] for d in again["diff"]] == ["notes"]
        L.act("govshare_revision_submit", w.compiler, id=rev["id"])
        assert L.act("govshare_revision_approve", w.reviewer2, id=rev["id"])["version"] == 2

    def test_discard(self, world):
        """A discarded draft is gone and a new revision may start."""
        w = world
        rev = L.act("govshare_revision_create", w.compiler, id=w.entry["id"], notes="改")
        assert L.act("govshare_revision_discard", w.compiler, id=rev["id"])["state"] == "discarded"
        fresh = L.act("govshare_revision_create", w.compiler, id=w.entry["id"], notes="再改")
        assert fresh["id"] != rev["id"]


class TestEditingAPublishedEntry:
    def test_package_patch_becomes_a_revision(self, world):
        """package_patch (forms, ckanapi) on a published entry creates a draft revision instead."""
        w = world
        before = _live(w)
        result = L.act("package_patch", w.compiler, id=w.entry["id"], notes="通过表单修改")
        assert result["notes"] == before["notes"]
        assert result["govshare_revision"]["state"] == "draft"
        assert _live(w)["notes"] == before["notes"]
        again = L.act("package_patch", w.compiler, id=w.entry["id"], title="企业登记信息（修订）")
        assert again["govshare_revision"]["id"] == result["govshare_revision"]["id"]
        rev = L.act("govshare_revision_show", w.reviewer, id=again["govshare_revision"]["id"])
        assert {d["field"] for d in rev["diff"]} == {"notes", "title"}

    def test_form_edit_becomes_a_revision_of_records(self, world):
        """The edit form posts 信息项 as ``info_items-0-name`` keys: the revision proposes them
        as records, and its diff names the changed item, not form keys."""
        w = world
        data = {k: v for k, v in _live(w).items() if k not in ("info_items", "resources")}
        for i, item in enumerate(_live(w)["info_items"]):
            for sub, value in item.items():
                data[f"info_items-{i}-{sub}"] = str(value)
        data["info_items-1-length"] = "300"
        result = L.act("package_update", w.compiler, **data)
        rev = L.act("govshare_revision_show", w.reviewer, id=result["govshare_revision"]["id"])
        by_field = {d["field"]: d for d in rev["diff"]}
        assert set(by_field) == {"info_items"}
        [changed] = by_field["info_items"]["items"]["changed"]
        assert changed["changes"] == {"length": [200, 300]}

    def test_resources_are_not_revised(self, world):
        """Attaching data (resource actions) still works on a published entry."""
        w = world
        res = L.act("resource_create", w.compiler, package_id=w.entry["id"], name="接口二",
                    url="https://share.example.gov.cn/api/2")
        assert res["name"] == "接口二"
        assert len(_live(w)["resources"]) == 2

    def test_only_published_entries_are_revised(self, world):
        """A draft is edited in place; a revision of it is refused."""
        w = world
        draft = L.entry(w.org, w.compiler)
        with pytest.raises(tk.ValidationError) as err:
            L.act("govshare_revision_create", w.compiler, id=draft["id"], notes="x")
        assert "catalogue_state" in err.value.error_dict
        L.act("package_patch", w.compiler, id=draft["id"], notes="直接修改草稿")
        assert helpers.call_action("package_show", L.site(), id=draft["id"])["notes"] == \
            "直接修改草稿"

    def test_invalid_proposal_is_refused(self, world):
        """The proposal is validated like package_update: errors name the field."""
        w = world
        with pytest.raises(tk.ValidationError) as err:
            L.act("govshare_revision_create", w.compiler, id=w.entry["id"], update_cycle="hourly")
        assert "update_cycle" in err.value.error_dict


class TestDiff:
    def test_field_by_field_with_info_items(self, world):
        """The diff names each field; 信息项 are compared item by item."""
        w = world
        rev = L.act("govshare_revision_create", w.compiler, id=w.entry["id"],
                    notes="新摘要", info_items=_items(w))
        by_field = {d["field"]: d for d in rev["diff"]}
        assert set(by_field) == {"notes", "info_items"}
        items = by_field["info_items"]["items"]
        assert [i["name"] for i in items["added"]] == ["联系电话"]
        assert items["removed"] == []
        [changed] = items["changed"]
        assert changed["key"] == "企业名称" and changed["changes"] == {"length": [200, 300]}


class TestAuth:
    def test_roles(self, world):
        """Editors propose; the unit's compiler submits; reviewers decide; others are refused."""
        w = world
        assert L.refused("govshare_revision_create", w.member, id=w.entry["id"], notes="x")
        assert L.refused("govshare_revision_create", w.other_reviewer, id=w.entry["id"], notes="x")
        assert L.refused("govshare_revision_create", None, id=w.entry["id"], notes="x")
        rev = L.act("govshare_revision_create", w.compiler, id=w.entry["id"], notes="改")
        assert L.refused("govshare_revision_submit", w.reviewer, id=rev["id"])
        assert L.refused("govshare_revision_submit", w.compiler2, id=rev["id"])
        L.act("govshare_revision_submit", w.compiler, id=rev["id"])
        assert L.refused("govshare_revision_approve", w.compiler, id=rev["id"])
        assert L.refused("govshare_revision_approve", w.other_reviewer, id=rev["id"])
        assert L.refused("govshare_revision_approve", w.sysadmin, id=rev["id"])
        assert L.refused("govshare_revision_show", w.other_reviewer, id=rev["id"])
        assert L.act("govshare_revision_show", w.member, id=rev["id"])["proposed"]["notes"] == "改"

    def test_four_eyes(self, world):
        """The submitter cannot approve their own revision, even as a reviewer."""
        w = world
        L.grant(w.org, w.compiler, "reviewer")
        rev = L.act("govshare_revision_create", w.compiler, id=w.entry["id"], notes="改")
        L.act("govshare_revision_submit", w.compiler, id=rev["id"])
        assert L.refused("govshare_revision_approve", w.compiler, id=rev["id"])
        assert L.act("govshare_revision_approve", w.reviewer, id=rev["id"])["state"] == "approved"

    def test_illegal_event(self, world):
        """Approving a draft names the revision state and the allowed actions."""
        w = world
        rev = L.act("govshare_revision_create", w.compiler, id=w.entry["id"], notes="改")
        with pytest.raises(tk.ValidationError) as err:
            L.act("govshare_revision_approve", w.reviewer, id=rev["id"])
        assert "Draft revision" in err.value.error_dict["state"][0]  # its label, in English
        assert "govshare_revision_submit" in err.value.error_dict["allowed_actions"]


class TestLists:
    def test_list_and_queue(self, world):
        """Revisions are listed with due_at/overdue and appear in the reviewer's queue."""
        w = world
        rev = L.act("govshare_revision_create", w.compiler, id=w.entry["id"], notes="改")
        L.act("govshare_revision_submit", w.compiler, id=rev["id"])
        listed = L.act("govshare_revision_list", w.member, entry_id=w.entry["name"], state="open")
        assert listed["count"] == 1
        item = listed["results"][0]
        assert item["due_at"] and item["overdue"] is False and "proposed" not in item
        queue = L.act("govshare_catalogue_queue", w.reviewer, kind="revision")
        assert [(i["kind"], i["revision_id"]) for i in queue["results"]] == [("revision", rev["id"])]
        assert queue["results"][0]["allowed_actions"] == [
            "govshare_revision_approve", "govshare_revision_return"]
        shown = L.act("package_show", w.reviewer, id=w.entry["id"])
        assert shown["govshare_lifecycle"]["pending_revision"]["id"] == rev["id"]
        assert L.act("govshare_revision_list", w.other_reviewer)["count"] == 0
