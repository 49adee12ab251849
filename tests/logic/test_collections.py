"""Collection requests (归集, DB14 §8.3.1) and backflow requests (回流, §8.3.2): the elements
§8.3.1 a) requires, review by the requesting department's 共享管理责任机构 (§8.3.1 b) or by the
superior department, return and resubmission, four eyes, completion, visibility and lists."""
from __future__ import annotations

import datetime
from types import SimpleNamespace

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories, helpers

from ckanext.govshare.lifecycle import deadlines
from ckanext.govshare.model import base as model_base

from .. import lifecycle as L
from ..departments import department

# Wednesday 2026-09-30 10:00 in Beijing, the eve of National Day 2026
FILED_AT = datetime.datetime(2026, 9, 30, 2, 0, tzinfo=datetime.timezone.utc)


def build() -> SimpleNamespace:
    """:func:`L.world` plus a ``superior`` department with its ``superior_reviewer``; the
    requester is ``compiler`` of ``org``."""
    w = L.world()
    w.superior = department()
    w.superior_reviewer = factories.User()
    L.grant(w.superior, w.superior_reviewer, "reviewer")
    return w


@pytest.fixture
def world(fresh):
    return fresh(build)


def request_data(w, **overrides):
    data = {
        "type": "collection", "title": "归集企业用电数据", "scenario": "企业经营状况监测",
        "existing_data": "已有企业登记信息", "source_name": "国网山西省电力公司",
        "target_library": "front", "mode": "incremental", "frequency": "monthly",
        "fields": ["统一社会信用代码", "月用电量"],
    }
    data.update(overrides)
    return data


def file_request(w, who=None, **overrides):
    return L.act("govshare_collection_create", who or w.compiler, **request_data(w, **overrides))


def show(case, who=None):
    context = L.site() if who is None else {"user": who["name"], "ignore_auth": False}
    return helpers.call_action("govshare_collection_show", context, id=case["id"])


class TestCreate:
    def test_reviewed_by_the_own_department(self, world, monkeypatch):
        """A collection request waits on the reviewer of the requester's own department
        (DB14 §8.3.1 b), due after the collection review limit."""
        w = world
        monkeypatch.setattr(model_base, "now", lambda: FILED_AT)
        case = file_request(w)
        assert case["number"].startswith("GJ-2026-")
        assert case["state"] == "submitted"
        assert case["requester_org"] == case["target_org"] == w.org["id"]
        assert (case["assignee_org"], case["assignee_role"]) == (w.org["id"], "reviewer")
        assert case["data"]["type"] == "collection"
        assert case["data"]["fields"] == ["统一社会信用代码", "月用电量"]
        # 5 working days: 10-8, 10-9, 10-10 (调休), 10-12, 10-13
        assert datetime.datetime.fromisoformat(case["due_at"]) == datetime.datetime(
            2026, 10, 13, 23, 59, 59, tzinfo=deadlines.SHANGHAI)

    def test_backflow_goes_to_the_superior_department(self, world):
        w = world
        case = file_request(w, type="backflow", superior_org=w.superior["name"],
                            source_org=w.superior["id"], source_name="")
        assert case["target_org"] == w.superior["id"]
        assert case["data"]["source_org"] == w.superior["id"]
        assert not L.refused("govshare_collection_approve", w.superior_reviewer, id=case["id"])
        assert L.refused("govshare_collection_approve", w.reviewer, id=case["id"])

    @pytest.mark.parametrize(("field", "value"), [
        ("scenario", ""), ("existing_data", ""), ("target_library", "lake"), ("mode", "some"),
        ("frequency", "hourly"), ("fields", ""), ("type", "import"),
    ])
    def test_the_elements_are_required(self, world, field, value):
        """DB14 §8.3.1 a): scenario, existing data, the owning department; and how."""
        with pytest.raises(tk.ValidationError) as err:
            file_request(world, **{field: value})
        assert field in err.value.error_dict

    def test_owning_department_is_named(self, world):
        with pytest.raises(tk.ValidationError) as err:
            file_request(world, source_name="")
        assert "source_name" in err.value.error_dict

    def test_backflow_needs_another_department(self, world):
        w = world
        for superior in ("", w.org["id"]):
            with pytest.raises(tk.ValidationError) as err:
                file_request(w, type="backflow", superior_org=superior)
            assert "superior_org" in err.value.error_dict

    def test_only_members_file(self, world):
        w = world
        assert L.refused("govshare_collection_create", w.outsider, **request_data(w))
        assert L.refused("govshare_collection_create", w.superior_reviewer,
                         **request_data(w, requester_org=w.org["id"]))


class TestReview:
    def test_approve_with_a_suggestion_then_complete(self, world):
        w = world
        case = file_request(w)
        done = L.act("govshare_collection_approve", w.reviewer, id=case["id"],
                     reason="通过前置库每月增量归集")
        assert done["state"] == "approved" and done["data"]["suggestion"] == "通过前置库每月增量归集"
        assert done["assignee_user"] == w.compiler["id"] and done["due_at"] is None
        finished = L.act("govshare_collection_complete", w.compiler, id=case["id"],
                         reason="归集任务已配置并完成首次同步")
        assert finished["state"] == "completed" and finished["closed_at"]

    def test_four_eyes(self, world):
        """A reviewer who filed the request does not approve it: another reviewer does."""
        w = world
        case = file_request(w, who=w.reviewer)
        with pytest.raises(tk.NotAuthorized):
            L.act("govshare_collection_approve", w.reviewer, id=case["id"])
        assert L.act("govshare_collection_approve", w.reviewer2, id=case["id"])["state"] == (
            "approved")

    def test_return_and_resubmit(self, world, monkeypatch):
        w = world
        case = file_request(w)
        with pytest.raises(tk.ValidationError) as err:
            L.act("govshare_collection_return", w.reviewer, id=case["id"])
        assert "reason" in err.value.error_dict
        back = L.act("govshare_collection_return", w.reviewer, id=case["id"],
                     reason="请说明已有数据的来源")
        assert back["state"] == "returned" and back["due_at"] is None
        assert back["assignee_user"] == w.compiler["id"]
        assert show(back, w.compiler)["allowed_events"] == ["resubmit", "withdraw"]
        later = model_base.now() + datetime.timedelta(days=20)
        monkeypatch.setattr(model_base, "now", lambda: later)
        again = L.act("govshare_collection_resubmit", w.compiler, id=case["id"],
                      existing_data="已有企业登记信息（来自省市场监管局）", fields="统一社会信用代码\n年用电量")
        assert again["state"] == "submitted"
        assert again["data"]["existing_data"].endswith("（来自省市场监管局）")
        assert again["data"]["fields"] == ["统一社会信用代码", "年用电量"]
        assert again["data"]["scenario"] == "企业经营状况监测"
        assert datetime.datetime.fromisoformat(again["due_at"]) > later
        row = show(again)["timeline"][-1]
        assert row["action"] == "resubmit" and row["data"] == {"changed": [
            "existing_data", "fields"]}

    def test_refuse(self, world):
        w = world
        case = file_request(w)
        done = L.act("govshare_collection_refuse", w.reviewer, id=case["id"],
                     reason="不符合最小归集原则")
        assert done["state"] == "refused" and done["closed_at"]
        with pytest.raises(tk.ValidationError):
            L.act("govshare_collection_complete", w.compiler, id=case["id"])

    def test_withdraw(self, world):
        w = world
        case = file_request(w)
        assert L.refused("govshare_collection_withdraw", w.reviewer, id=case["id"])
        done = L.act("govshare_collection_withdraw", w.compiler, id=case["id"])
        assert done["state"] == "withdrawn"

    def test_other_departments_have_no_say(self, world):
        w = world
        case = file_request(w)
        for action in ("approve", "return", "refuse"):
            assert L.refused(f"govshare_collection_{action}", w.other_reviewer, id=case["id"],
                             reason="x")
        assert L.refused("govshare_collection_complete", w.other_reviewer, id=case["id"])


def test_visibility_and_lists(world):
    w = world
    mine = file_request(w)
    backflow = file_request(w, type="backflow", superior_org=w.superior["id"], title="回流")
    assert show(mine, w.member)["id"] == mine["id"]
    for who in (w.outsider, w.other_reviewer, w.superior_reviewer):
        with pytest.raises(tk.NotAuthorized):
            show(mine, who)
    assert show(backflow, w.superior_reviewer)["allowed_events"] == ["approve", "return",
                                                                     "refuse"]

    def numbers(who, **params):
        return [r["number"] for r in L.act("govshare_collection_list", who, **params)["results"]]

    assert numbers(w.superior_reviewer, side="handle") == [backflow["number"]]
    assert numbers(w.reviewer, side="handle") == [mine["number"]]
    assert set(numbers(w.compiler, side="mine")) == {mine["number"], backflow["number"]}
    assert numbers(w.compiler, type="backflow") == [backflow["number"]]
    assert numbers(w.outsider) == []
    with pytest.raises(tk.ValidationError):
        L.act("govshare_collection_list", w.compiler, type="export")
