"""Every CKAN read path found leaking in issue 8 asks permissions.py (one test per finding)."""
from __future__ import annotations

import json
from types import SimpleNamespace

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories, helpers

from ..lifecycle import act, entry, site, world

pytestmark = pytest.mark.usefixtures("clean_db")

DRAFT_URL = "http://data.example.gov.cn/draft-secret.csv"
OFFLINE_URL = "http://data.example.gov.cn/offline-secret.csv"
PUBLISHED_URL = "http://data.example.gov.cn/published-open.csv"


def _with_resource(pkg: dict, url: str, fmt: str = "CSV") -> dict:
    helpers.call_action("resource_create", site(), package_id=pkg["id"], url=url, format=fmt,
                        name=f"res-{url.rsplit('/', 1)[-1]}")
    return pkg


def _world() -> SimpleNamespace:
    """Department ``org`` with a draft, a published and an offline entry (each with a resource
    and a tag of its own) and a deleted one; ``other``'s compiler, an outsider, anonymous."""
    w = world()
    w.draft = _with_resource(entry(w.org, w.compiler, title="草稿条目甲",
                                   tags=[{"name": "草稿标签"}]), DRAFT_URL, "DRAFTFMT")
    w.published = _with_resource(entry(w.org, w.compiler, tags=[{"name": "公开标签"}]),
                                 PUBLISHED_URL)
    w.offline = _with_resource(entry(w.org, w.compiler, tags=[{"name": "下线标签"}]), OFFLINE_URL)
    for pkg in (w.published, w.offline):
        act("govshare_catalogue_submit", w.compiler, id=pkg["id"])
        act("govshare_catalogue_approve", w.reviewer, id=pkg["id"])
    act("govshare_catalogue_request_offline", w.compiler, id=w.offline["id"], reason="停止采集")
    act("govshare_catalogue_approve_offline", w.reviewer, id=w.offline["id"])
    w.deleted = entry(w.org, w.compiler, title="已删除条目乙")
    helpers.call_action("package_delete", site(), id=w.deleted["id"])
    return w


@pytest.fixture
def w(fresh) -> SimpleNamespace:
    return fresh(_world)


def _outsiders(w: SimpleNamespace) -> list:
    return [None, w.outsider, w.other_compiler]


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def test_resource_search_answers_only_visible_data(w):
    """resource_search returns only resources whose data the caller may see, counted so."""
    for who in _outsiders(w):
        found = act("resource_search", who, query="url:secret")
        assert found["count"] == 0 and found["results"] == [], who
    logged_in = act("resource_search", w.outsider, query="url:data.example.gov.cn")
    assert [r["url"] for r in logged_in["results"]] == [PUBLISHED_URL]
    mine = act("resource_search", w.member, query="url:secret")
    assert {r["url"] for r in mine["results"]} == {DRAFT_URL, OFFLINE_URL}
    assert mine["count"] == 2


def test_tag_show_lists_entries_through_the_labels(w):
    """tag_show include_datasets: no draft entry, no offline data, no tag of a draft."""
    for who in _outsiders(w):
        with pytest.raises(tk.ObjectNotFound):
            act("tag_show", who, id="草稿标签", include_datasets=True)
    shown = act("tag_show", w.other_compiler, id="下线标签", include_datasets=True)
    assert [p["id"] for p in shown["packages"]] == [w.offline["id"]]
    assert OFFLINE_URL not in _dump(shown)
    mine = act("tag_show", w.member, id="草稿标签", include_datasets=True)
    assert [p["id"] for p in mine["packages"]] == [w.draft["id"]]


def test_tag_lists_hold_only_tags_of_visible_entries(w):
    """tag_list, tag_search and tag_autocomplete do not name a draft's tags to outsiders."""
    for who in _outsiders(w):
        assert "草稿标签" not in act("tag_list", who)
        assert "草稿标签" not in _dump(act("tag_search", who, query="草稿"))
        assert act("tag_autocomplete", who, q="草稿") == []
    assert "公开标签" in act("tag_list", w.outsider)
    assert "草稿标签" in act("tag_list", w.member)


def test_package_list_and_member_list_name_only_visible_entries(w):
    """package_list and member_list(object_type=package) are existence: drafts stay inside."""
    for who in _outsiders(w):
        names = act("package_list", who)
        assert w.draft["name"] not in names and w.deleted["name"] not in names
        members = act("member_list", who, id=w.org["id"], object_type="package") \
            if who is not None else []
        assert w.draft["id"] not in _dump(members)
    assert w.published["name"] in act("package_list", w.outsider)
    assert w.draft["name"] in act("package_list", w.member)
    assert len(act("package_list", w.outsider, limit=1)) == 1


def test_format_autocomplete_counts_visible_entries_only(w):
    """format_autocomplete does not aggregate over the resources of a draft."""
    for who in _outsiders(w):
        assert act("format_autocomplete", who, q="DRAFTF") == []
    assert act("format_autocomplete", w.member, q="DRAFTF") == ["draftfmt"]


def test_package_search_raw_fields_are_redacted(w):
    """fl=res_url / data_dict and facets on data fields never carry another department's data."""
    found = act("package_search", w.other_compiler, fl="id,name,res_url,validated_data_dict",
                q="*:*", rows=50)
    text = _dump(found)
    assert OFFLINE_URL not in text and DRAFT_URL not in text
    assert PUBLISHED_URL in text
    with pytest.raises(Exception) as err:
        act("package_search", w.other_compiler, **{"facet.field": '["res_url"]'})
    assert "facet.field" in str(getattr(err.value, "error_dict", err.value))
    with pytest.raises(Exception) as err:
        act("package_search", w.other_compiler, q="res_url:http*")
    assert "q" in getattr(err.value, "error_dict", {})
    assert OFFLINE_URL in _dump(act("package_search", w.member, fl="id,res_url", rows=50))


def test_current_package_list_with_resources_is_labelled_and_redacted(w):
    """current_package_list_with_resources goes through the chained package_search."""
    for who in _outsiders(w):
        text = _dump(act("current_package_list_with_resources", who, limit=50))
        assert w.draft["id"] not in text and OFFLINE_URL not in text and DRAFT_URL not in text


def test_deleted_entry_is_seen_only_by_the_departments_editors(w):
    """A deleted entry: sysadmins and the department's editors; not its plain members."""
    for who in [*_outsiders(w), w.member]:
        with pytest.raises(tk.ObjectNotFound):
            act("package_show", who, id=w.deleted["id"])
        found = act("package_search", who, q="已删除条目乙", include_deleted=True)
        assert found["count"] == 0
    assert act("package_show", w.compiler, id=w.deleted["id"])["state"] == "deleted"
    assert act("package_show", w.sysadmin, id=w.deleted["id"])["state"] == "deleted"


def test_user_show_counts_only_visible_entries(w):
    """user_show's number_created_packages counts what the reader may see."""
    own = act("user_show", w.member, id=w.compiler["id"])["number_created_packages"]
    seen = act("user_show", w.outsider, id=w.compiler["id"])["number_created_packages"]
    assert (own, seen) == (3, 2)


def test_home_page_features_no_draft(w, app):
    """The home page's featured blocks and recent entries show anonymous visitors no draft."""
    helpers.call_action("package_patch", site(), id=w.draft["id"], notes="草稿说明标记XYZ")
    page = app.get("/").body
    assert "草稿条目甲" not in page and "草稿说明标记XYZ" not in page


def test_member_of_no_department_gets_no_draft_from_featured_helpers(w, app):
    """h.get_featured_organizations / get_recent_datasets ask as the visitor."""
    from ckan.lib.helpers import helper_functions as h

    with app.flask_app.test_request_context():
        orgs = h.get_featured_organizations(count=5)
        recent = h.get_recent_datasets(count=20)
    text = _dump([orgs, recent])
    assert w.draft["id"] not in text and OFFLINE_URL not in text


def test_unpublished_entry_does_not_exist_for_outsiders(w, app):
    """An outsider asking for a draft by name gets 404, like an unknown name (not 403)."""
    for who in _outsiders(w):
        with pytest.raises(tk.ObjectNotFound):
            act("package_show", who, id=w.draft["name"])
    app.get(f"/dataset/{w.draft['name']}", status=404)
    app.get(f"/api/3/action/package_show?id={w.draft['name']}", status=404)


def test_factories_user_sees_published(w):
    """A logged-in user of no department sees published metadata (the rule the others keep)."""
    user = factories.User()
    shown = act("package_show", user, id=w.published["id"])
    assert PUBLISHED_URL in [r["url"] for r in shown["resources"]]


def _answer(action: str, who, **data) -> str:
    try:
        return _dump(act(action, who, **data))
    except Exception as err:  # the kind of refusal and its message are the answer
        return f"{type(err).__name__}:{_dump(getattr(err, 'error_dict', None))}"


def test_a_hidden_entry_answers_like_an_unknown_name(w):
    """Follower counts and relationships of a draft answer an outsider as for a name no
    dataset has (no existence oracle)."""
    for who in _outsiders(w):
        for action in ("dataset_follower_count", "package_relationships_list"):
            assert _answer(action, who, id=w.draft["name"]) == \
                _answer(action, who, id="no-such-entry-name"), (action, who)
    assert _answer("dataset_follower_count", w.member, id=w.draft["name"]) == "0"


def test_user_list_counts_only_visible_entries(w):
    """user_list's number_created_packages counts what the reader may see."""
    def count(who):
        return {u["name"]: u["number_created_packages"]
                for u in act("user_list", who)}[w.compiler["name"]]
    assert (count(w.member), count(w.outsider)) == (3, 2)
