"""Duplicate-source matching without a database: normalization, Jaccard, compare (DB14 §8.1)."""
from __future__ import annotations

import json

import pytest

from ckanext.govshare.catalogue import duplicates as d


@pytest.mark.parametrize("a,b", [
    ("企业登记信息", "企业登记数据"),
    ("企业 登记信息", "企业登记信息"),
    ("企业登记信息（太原市）", "企业登记信息(太原市)"),
    ("Enterprise Registry", "enterprise  registry"),
    ("ＡＢＣ数据", "abc信息"),
])
def test_titles_normalize_equal(a, b):
    """Spacing, punctuation, full-width forms, case and a generic ending do not count."""
    assert d.normalize_title(a) == d.normalize_title(b)


def test_titles_keep_region():
    """A regional variant is different data: the bracketed region stays in the title."""
    assert d.normalize_title("企业登记信息（太原市）") != d.normalize_title("企业登记信息")


def test_generic_ending_alone_is_kept():
    """A title that is only a generic ending is not emptied."""
    assert d.normalize_title("信息") == "信息"


@pytest.mark.parametrize("a,b,expected", [
    ({"x", "y"}, {"x", "y"}, 1.0),
    ({"x", "y", "z", "w"}, {"x", "y", "z"}, 0.75),
    ({"x"}, {"y"}, 0.0),
    (set(), set(), 0.0),
])
def test_jaccard(a, b, expected):
    """|a ∩ b| / |a ∪ b|, 0 for two empty sets."""
    assert d.jaccard(a, b) == expected


def test_item_names_from_json_and_lists():
    """信息项 names come from the stored JSON text or a list, normalized; blanks dropped."""
    items = [{"name": "统一社会信用代码"}, {"name": " 企业 名称 "}, {"name": ""}]
    assert d.item_names(items) == {"统一社会信用代码", "企业名称"}
    assert d.item_names(json.dumps(items)) == {"统一社会信用代码", "企业名称"}
    assert d.item_names("not json") == frozenset()
    assert d.item_names(None) == frozenset()


def _items(*names):
    return [{"name": n} for n in names]


def test_compare_title_match():
    """Equal normalized titles are a match whatever the 信息项."""
    m = d.compare({"title": "企业登记信息", "info_items": _items("a")},
                  {"title": "企业登记数据", "info_items": _items("b")}, 0.8)
    assert m == {"reasons": ["title"], "title_match": True, "jaccard": 0.0}


def test_compare_items_at_threshold():
    """信息项 overlap at the threshold matches; just below it does not."""
    a = {"title": "甲", "info_items": _items("1", "2", "3", "4", "5")}
    b = {"title": "乙", "info_items": _items("1", "2", "3", "4")}
    assert d.compare(a, b, 0.8)["reasons"] == ["info_items"]
    assert d.compare(a, b, 0.81) is None


def test_find_for_excludes_itself_and_orders():
    """An entry is not its own duplicate; title matches come first, then by overlap."""
    me = {"id": "1", "title": "企业登记信息", "info_items": _items("a", "b")}
    pool = [
        dict(me, name="me", organization_id="o", catalogue_state="draft", resource_code=None,
             unit=None),
        {"id": "2", "name": "two", "title": "别的", "info_items": frozenset({"a", "b"}),
         "organization_id": "o", "catalogue_state": "published", "resource_code": "x", "unit": "U"},
        {"id": "3", "name": "three", "title": "企业登记数据", "info_items": frozenset({"z"}),
         "organization_id": "p", "catalogue_state": "published", "resource_code": "y", "unit": "U"},
    ]
    found = d.find_for(me, pool, 0.8)
    assert [f["id"] for f in found] == ["3", "2"]


def test_report_keeps_pairs_of_the_department():
    """The report lists each pair once, only pairs touching the department."""
    base = {"name": "n", "catalogue_state": "published", "resource_code": None, "unit": None,
            "info_items": frozenset()}
    pool = [dict(base, id="1", title="甲信息", organization_id="o"),
            dict(base, id="2", title="甲数据", organization_id="p"),
            dict(base, id="3", title="乙", organization_id="p"),
            dict(base, id="4", title="乙", organization_id="q")]
    pairs = d.report("o", pool, 0.8)
    assert [(p["entry"]["id"], p["duplicate"]["id"]) for p in pairs] == [("1", "2")]


def test_report_pair_within_department_once():
    """Two entries of the department that match each other make one pair, not two."""
    base = {"name": "n", "catalogue_state": "draft", "resource_code": None, "unit": None,
            "info_items": frozenset({"a"}), "organization_id": "o"}
    pool = [dict(base, id="1", title="甲"), dict(base, id="2", title="乙")]
    assert len(d.report("o", pool, 0.8)) == 1


def test_row_visibility_follows_the_labels():
    """A row is seen by its own department in any state, by others once published or
    offline, and by a sysadmin (``None``) always."""
    from ckanext.govshare import permissions

    assert permissions.can_see_entry_row(["a"], "a", "draft")
    assert not permissions.can_see_entry_row(["a"], "b", "in_review")
    assert permissions.can_see_entry_row(["a"], "b", "published")
    assert permissions.can_see_entry_row(["a"], "b", "offline")
    assert permissions.can_see_entry_row(None, "b", "draft")


# -- "not a duplicate" decisions and the grouped report (issue #12 §7) ---------------------------


def _e(id_, title, names, org="o1"):
    return {"id": id_, "name": id_, "title": title, "organization_id": org,
            "info_items": frozenset(names)}


def test_fingerprint_is_what_compare_sees():
    """Spacing, punctuation, a generic ending or the order of 信息项 leave the fingerprint as
    it is; another title or another 信息项 change it."""
    base = {"title": "企业登记信息", "info_items": [{"name": "名称"}, {"name": "代码"}]}
    same = {"title": "企业 登记数据", "info_items": [{"name": "代码"}, {"name": " 名称"}]}
    assert d.fingerprint(base) == d.fingerprint(same)
    assert d.fingerprint(base) != d.fingerprint(dict(base, title="企业注销信息"))
    assert d.fingerprint(base) != d.fingerprint(dict(base, info_items=[{"name": "名称"}]))


def test_dismissed_pairs_are_left_out():
    """find_for and report skip the pairs given as dismissed, in either order."""
    pool = [_e("a", "企业登记信息", {"x"}), _e("b", "企业登记数据", {"y"}),
            _e("c", "企业登记", {"z"}, org="o2")]
    dismissed = {d.pair_key("b", "a")}
    assert [m["id"] for m in d.find_for(pool[0], pool, 0.8, dismissed)] == ["c"]
    pairs = d.report("o1", pool, 0.8, dismissed)
    assert {(p["entry"]["id"], p["duplicate"]["id"]) for p in pairs} == {("a", "c"), ("b", "c")}


def test_group_lists_each_entry_of_the_department_with_its_matches():
    """A pair of two of the department's entries is under both; another department's entry
    heads no group; the entry with most matches comes first."""
    pool = [_e("a", "企业登记信息", {"x"}), _e("b", "企业登记数据", {"y"}),
            _e("c", "企业登记", {"z"}, org="o2"), _e("d", "广告监测", {"w"}),
            _e("e", "广告监测表", {"v"}, org="o2")]
    groups = d.group(d.report("o1", pool, 0.8), "o1")
    assert [(g["entry"]["id"], [m["id"] for m in g["matches"]]) for g in groups] == [
        ("a", ["c", "b"]), ("b", ["c", "a"]), ("d", ["e"])]
    assert groups[0]["matches"][0]["reasons"] == ["title"]
