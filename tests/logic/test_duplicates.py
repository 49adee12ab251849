"""``govshare_duplicate_list``: possible duplicate sources of an entry and a department report
(DB14 §8.1 一数一源), limited to what the user may see."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest

from .. import lifecycle as L


@pytest.fixture
def world(fresh):
    return fresh(L.world)


def test_same_title_found_for_entry(world):
    """An entry whose normalized title equals another's is listed as its duplicate."""
    w = world
    a = L.entry(w.org, w.compiler, title="企业登记信息")
    b = L.entry(w.org, w.compiler, title="企业 登记数据")
    found = L.act("govshare_duplicate_list", w.reviewer, id=a["id"])
    assert [r["id"] for r in found["results"]] == [b["id"]]
    assert found["results"][0]["title_match"] is True
    assert found["threshold"] == 0.8


@pytest.mark.ckan_config("ckanext.govshare.duplicates.threshold", "1.01")
def test_items_overlap_needs_threshold(world):
    """Same 信息项 but different titles match only under the configured threshold."""
    w = world
    a = L.entry(w.org, w.compiler, title="甲")
    L.entry(w.org, w.compiler, title="乙")
    assert L.act("govshare_duplicate_list", w.reviewer, id=a["id"])["count"] == 0


def test_items_overlap_found(world):
    """Two entries with the same 信息项 names (Jaccard 1.0) are possible duplicates."""
    w = world
    a = L.entry(w.org, w.compiler, title="甲")
    b = L.entry(w.org, w.compiler, title="乙")
    found = L.act("govshare_duplicate_list", w.reviewer, id=a["id"])["results"]
    assert [(r["id"], r["reasons"], r["jaccard"]) for r in found] == [(b["id"], ["info_items"], 1.0)]


def test_other_departments_drafts_are_not_compared(world):
    """Another department's unpublished entries stay hidden; its published ones are compared."""
    w = world
    mine = L.entry(w.org, w.compiler, title="企业登记信息")
    theirs = L.entry(w.other, w.other_compiler, title="企业登记信息", unit="DJZCC")
    assert L.act("govshare_duplicate_list", w.reviewer, id=mine["id"])["count"] == 0
    L.act("govshare_catalogue_submit", w.other_compiler, id=theirs["id"])
    L.act("govshare_catalogue_approve", w.other_reviewer, id=theirs["id"])
    found = L.act("govshare_duplicate_list", w.reviewer, id=mine["id"])["results"]
    assert [r["id"] for r in found] == [theirs["id"]]


def test_department_report(world):
    """The report lists each pair touching the department once."""
    w = world
    L.entry(w.org, w.compiler, title="企业登记信息")
    L.entry(w.org, w.compiler, title="企业登记数据")
    report = L.act("govshare_duplicate_list", w.reviewer, organization_id=w.org["id"])
    assert report["count"] == 1
    assert {report["results"][0]["entry"]["title"], report["results"][0]["duplicate"]["title"]} \
        == {"企业登记信息", "企业登记数据"}


def test_needs_entry_or_department(world):
    """Without ``id`` or ``organization_id`` the call is refused with a message naming ``id``."""
    with pytest.raises(tk.ValidationError) as err:
        L.act("govshare_duplicate_list", world.sysadmin)
    message = err.value.error_dict["id"][0]
    assert "(id)" in message and "(organization_id)" in message and " / " not in message


@pytest.mark.parametrize("who,allowed", [("reviewer", True), ("compiler", True), ("member", True),
                                         ("other_reviewer", False), ("outsider", False),
                                         ("anonymous", False), ("sysadmin", True)])
def test_auth(world, who, allowed):
    """Members of the entry's department (and sysadmins) only."""
    w = world
    entry = L.entry(w.org, w.compiler)
    user = None if who == "anonymous" else getattr(w, who)
    assert L.refused("govshare_duplicate_list", user, id=entry["id"]) is not allowed
    assert L.refused("govshare_duplicate_list", user, organization_id=w.org["id"]) is not allowed


def test_revision_proposal_compared(world):
    """With ``revision_id`` the proposal's title is compared, the revision's entry excluded."""
    w = world
    live = L.entry(w.org, w.compiler, title="企业登记信息")
    L.act("govshare_catalogue_submit", w.compiler, id=live["id"])
    L.act("govshare_catalogue_approve", w.reviewer, id=live["id"])
    other = L.entry(w.org, w.compiler, title="广告监测信息",
                    info_items=[dict(i, name=f"乙{i['name']}", name_en=f"b_{i['name_en']}")
                                for i in L.entry_dict(w.org)["info_items"]])
    rev = L.act("govshare_revision_create", w.compiler, id=live["id"], title="广告监测数据")
    found = L.act("govshare_duplicate_list", w.reviewer, revision_id=rev["id"])["results"]
    assert [(r["id"], r["reasons"]) for r in found] == [(other["id"], ["title"])]
    assert found[0]["organization_title"] == w.org["title"]
    assert L.refused("govshare_duplicate_list", w.other_reviewer, revision_id=rev["id"])
    assert L.refused("govshare_duplicate_list", w.outsider, revision_id=rev["id"])


# -- "not a duplicate" (issue #12 §7) ------------------------------------------------------------


def test_dismiss_who_and_what(world):
    """Reviewers, coordinators and administrators of either department decide; compilers and
    plain members do not; only a reported pair can be decided, an entry the user may not see
    is not found."""
    w = world
    a = L.entry(w.org, w.compiler, title="企业登记信息")
    b = L.entry(w.org, w.compiler, title="企业 登记数据")
    other = L.entry(w.other, w.other_compiler, title="企业登记信息", unit="DJZCC")
    for who in (w.compiler, w.member, w.outsider, w.other_reviewer):
        assert L.refused("govshare_duplicate_dismiss", who, id=a["id"], duplicate_id=b["id"])
    with pytest.raises(tk.ObjectNotFound):  # another department's draft
        L.act("govshare_duplicate_dismiss", w.reviewer, id=a["id"], duplicate_id=other["id"])
    unrelated = L.entry(w.org, w.compiler, title="广告监测记录", info_items=[
        dict(i, name=f"其他{i['name']}", name_en=f"other_{i['name_en']}")
        for i in L.entry_dict(w.org)["info_items"]])
    with pytest.raises(tk.ValidationError) as err:
        L.act("govshare_duplicate_dismiss", w.reviewer, id=a["id"], duplicate_id=unrelated["id"])
    assert list(err.value.error_dict) == ["duplicate_id"]
    decision = L.act("govshare_duplicate_dismiss", w.coordinator, id=b["id"],
                     duplicate_id=a["id"], reason="不同数据")
    assert (decision["entry_a"], decision["entry_b"]) == tuple(sorted((a["id"], b["id"])))
    assert decision["decided_by"] == w.coordinator["id"] and decision["reason"] == "不同数据"
    report = L.act("govshare_duplicate_list", w.member, organization_id=w.org["id"],
                   include_dismissed=True)
    assert report["count"] == 0 and len(report["dismissed"]) == 1
    with pytest.raises(tk.ObjectNotFound):
        L.act("govshare_duplicate_undismiss", w.reviewer, id=a["id"], duplicate_id=unrelated["id"])


def test_dismissal_ends_when_the_comparison_sees_a_change(world):
    """A title change that normalizes the same keeps the decision; a revision proposing other
    信息项 is compared afresh; the decision taken back, the pair is reported again."""
    w = world
    a = L.entry(w.org, w.compiler, title="企业登记信息")
    b = L.entry(w.org, w.compiler, title="市场主体名录")  # same 信息项: Jaccard 1.0
    L.act("govshare_duplicate_dismiss", w.reviewer, id=a["id"], duplicate_id=b["id"])
    L.act("package_patch", w.compiler, id=a["id"], title="企业登记 数据")
    assert L.act("govshare_duplicate_list", w.reviewer, id=b["id"])["count"] == 0
    L.act("govshare_catalogue_submit", w.compiler, id=a["id"])
    L.act("govshare_catalogue_approve", w.reviewer, id=a["id"])
    items = L.entry_dict(w.org)["info_items"]
    rev = L.act("govshare_revision_create", w.compiler, id=a["id"],
                info_items=[*items, dict(items[0], name="新增信息项", name_en="new_item")])
    found = L.act("govshare_duplicate_list", w.reviewer, revision_id=rev["id"])["results"]
    assert [r["id"] for r in found] == [b["id"]]  # the proposal differs: compared again
    L.act("govshare_duplicate_undismiss", w.reviewer, id=b["id"], duplicate_id=a["id"])
    assert [r["id"] for r in L.act("govshare_duplicate_list", w.reviewer,
                                   id=b["id"])["results"]] == [a["id"]]
