"""The diff of a pending revision (:mod:`ckanext.govshare.lifecycle.diff`), without a database."""
from __future__ import annotations

from ckanext.govshare.lifecycle import diff


def test_spellings_of_one_value_are_the_same():
    """A form's "18" is the API's 18, and None is an empty string."""
    assert diff.same(18, "18") and diff.same(None, "") and diff.same(True, "true")
    assert not diff.same("18", "19")


def test_lifecycle_and_core_keys_are_not_proposed():
    """catalogue_state, issued, ids, timestamps and govshare_* never enter a proposal."""
    shown = {"id": "x", "title": "A", "catalogue_state": "published", "issued": "2026-01-01",
             "metadata_modified": "now", "govshare_lifecycle": {}, "notes": "n"}
    assert diff.metadata(shown) == {"title": "A", "notes": "n"}


def test_diff_by_field_and_by_information_item():
    """Changed fields are listed in name order; 信息项 are compared by name."""
    old = {"title": "A", "notes": "", "info_items": [{"name": "x", "length": 10}, {"name": "y"}]}
    new = {"title": "B", "notes": None, "info_items": [{"name": "x", "length": "12"},
                                                       {"name": "z"}]}
    changes = diff.diff_entries(old, new)
    assert [c["field"] for c in changes] == ["info_items", "title"]
    items = changes[0]["items"]
    assert items["added"] == [{"name": "z"}] and items["removed"] == [{"name": "y"}]
    assert items["changed"] == [{"key": "x", "changes": {"length": [10, "12"]}}]


def test_keywords_compare_by_name_in_any_order():
    """The same keywords with another portal's tag ids (a ckanapi dump loaded again), or named
    only, in another order, are no change; a keyword added or dropped is one."""
    shown = {"title": "A", "tags": [
        {"id": "t1", "name": "企业", "display_name": "企业", "state": "active",
         "vocabulary_id": None},
        {"id": "t2", "name": "登记", "display_name": "登记", "state": "active",
         "vocabulary_id": None}]}
    assert diff.diff_entries(shown, {"title": "A", "tags": [
        {"id": "other", "name": "登记"}, {"name": "企业"}]}) == []
    assert diff.diff_entries(shown, {"title": "A", "tags": [{"name": "企业"}]})[0]["field"] \
        == "tags"
