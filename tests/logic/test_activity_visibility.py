"""The activity plugin is no side door: what a reader gets of a stored activity follows the
entry's visibility **now** and is redacted like ``package_show`` (issue 8).

The world: entries of department ``org`` that were published and revised (so CKAN stored
snapshots labelled for every logged-in user), then taken offline (``offline``), sent back to
review (``review``), returned to draft (``draft``) or deleted (``deleted``); one stays
``published``. Every entry's title and resource URL carry a marker. Readers: anonymous, a user of
no department (``outsider``), a member of another department (``other``), a plain member of the
owning department (``member``), a sysadmin. Actions are called through the API with tokens,
pages through the Flask app with a session.
"""
from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

import ckan.model as model
import pytest
from ckan.tests import factories, helpers
from ckanext.activity.model import Activity

from .. import conftest
from .. import lifecycle as L

# CKAN hides the data of activities from those who may not edit the dataset unless this is on;
# on here, so that only govshare's rules stand between a reader and a snapshot
pytestmark = [
    pytest.mark.ckan_config("ckan.auth.public_activity_stream_detail", True),
    # the test client keeps the login cookie of set_session_user for "localhost"
    pytest.mark.ckan_config("ckan.site_url", "http://localhost"),
]

OUTSIDERS = ("anonymous", "outsider", "other")
LOGGED_IN_OUTSIDERS = ("outsider", "other")
HIDDEN = ("review", "draft", "deleted")


def _marker(kind: str) -> str:
    return f"gsact{kind}{uuid.uuid4().hex[:10]}"


def _published(w: SimpleNamespace, kind: str) -> dict[str, Any]:
    """An entry published, then revised: CKAN stores a snapshot labelled for the portal."""
    marker = _marker(kind)
    entry = L.entry(w.org, w.compiler, title=f"目录{marker}", resources=[{
        "name": "数据", "url": f"https://data.example.gov.cn/{marker}/table", "format": "DM",
        "share_mode_type": "table"}])
    L.act("govshare_catalogue_submit", w.compiler, id=entry["id"])
    L.act("govshare_catalogue_approve", w.reviewer, id=entry["id"])
    rev = L.act("govshare_revision_create", w.compiler, id=entry["id"], notes=f"更新后的摘要{marker}")
    L.act("govshare_revision_submit", w.compiler, id=rev["id"])
    L.act("govshare_revision_approve", w.reviewer, id=rev["id"])
    entry = L.live(entry["id"])
    entry["marker"] = marker
    return entry


def _offline(w: SimpleNamespace, entry: dict[str, Any]) -> None:
    L.act("govshare_catalogue_request_offline", w.compiler, id=entry["id"], reason="停止采集")
    L.act("govshare_catalogue_approve_offline", w.reviewer, id=entry["id"])


def _token(user: dict[str, Any]) -> str:
    return helpers.call_action("api_token_create", L.site(), user=user["name"],
                               name="activity")["token"]


@pytest.fixture(scope="module")
def world(reset_db, migrate_db_for) -> SimpleNamespace:
    """The world, built once for the module on an emptied database (tests that add to it remove
    what they add, or add only what no other test counts)."""
    conftest.load_plugins()
    conftest.reset_database(reset_db, migrate_db_for)
    w = L.world()
    w.other = w.other_compiler
    w.entries = {kind: _published(w, kind) for kind in ("published", "offline", "review",
                                                          "draft", "deleted")}
    for kind in ("offline", "review", "draft"):
        _offline(w, w.entries[kind])
    for kind in ("review", "draft"):
        L.act("govshare_catalogue_reinstate", w.compiler, id=w.entries[kind]["id"])
    L.act("govshare_catalogue_return", w.reviewer, id=w.entries["draft"]["id"], reason="补充")
    # a group holding every entry: its activity stream lists the entries' activities
    w.group = factories.Group()
    for entry in w.entries.values():
        helpers.call_action("member_create", L.site(), id=w.group["id"], object=entry["id"],
                            object_type="package", capacity="public")
    helpers.call_action("package_delete", {"user": w.sysadmin["name"]},
                        id=w.entries["deleted"]["id"])
    # what outsiders followed while the entries were published: their dashboards list it
    for who in (w.outsider, w.other):
        for kind in ("published", "offline", "review", "draft", "deleted"):
            helpers.call_action("follow_dataset", {"user": who["name"]},
                                id=w.entries[kind]["id"])
        helpers.call_action("follow_user", {"user": who["name"]}, id=w.reviewer["id"])
    w.tokens = {who: _token(getattr(w, who)) for who in ("outsider", "other", "member",
                                                         "compiler", "sysadmin")}
    assert {k: L.state(e["id"]) for k, e in w.entries.items() if k != "deleted"} == {
        "published": "published", "offline": "offline", "review": "in_review",
        "draft": "draft"}
    return w


def _api(app, w, who: str, action: str, **params: Any):
    headers = {"Authorization": w.tokens[who]} if who != "anonymous" else {}
    return app.get(f"/api/3/action/{action}", query_string=params, headers=headers)


def _ok(app, w, who: str, action: str, **params: Any) -> Any:
    res = _api(app, w, who, action, **params)
    assert res.status_code == 200, (who, action, res.body[:300])
    return res.json["result"]


def _snapshots(activities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The activities that carry a dataset snapshot."""
    return [a for a in activities if a["activity_type"].endswith(" package")]


def _activities(entry: dict[str, Any]) -> list[Any]:
    """The stored activities of ``entry``, newest first."""
    return (model.Session.query(Activity).filter(Activity.object_id == entry["id"])
            .order_by(Activity.timestamp.desc()).all())


def _portal_snapshot(entry: dict[str, Any]) -> Any:
    """The newest activity of ``entry`` whose stored labels let every logged-in user in."""
    found = [a for a in _activities(entry) if "govshare-portal" in (a.permission_labels or [])]
    assert found, "the world should have stored a snapshot labelled for the portal"
    return found[0]


# -- the lists -------------------------------------------------------------------------------


def test_offline_entry_snapshots_lose_their_data_outside_the_department(app, world):
    """package_activity_list of an offline entry: other departments get the tombstone's
    activities without data.package.resources; its department gets them whole."""
    w, entry = world, world.entries["offline"]
    for who in LOGGED_IN_OUTSIDERS:
        res = _api(app, w, who, "package_activity_list", id=entry["id"])
        assert res.status_code == 200
        result = _snapshots(res.json["result"])
        assert result and all(a["data"]["package"]["resources"] == [] for a in result), who
        assert all(a["data"]["package"]["govshare_redacted"] for a in result)
        assert entry["marker"] in res.body  # the title stays: the tombstone is visible
        assert f"{entry['marker']}/table" not in res.body, who
    res = _api(app, w, "anonymous", "package_activity_list", id=entry["id"])
    assert res.status_code == 403 and entry["marker"] not in res.body
    mine = _snapshots(_ok(app, w, "member", "package_activity_list", id=entry["id"]))
    assert mine and all(a["data"]["package"]["resources"] for a in mine)
    assert f"{entry['marker']}/table" in str(mine)


def test_published_entry_activities_stay_whole_for_logged_in_users(app, world):
    """A published entry's activities reach every logged-in user with their data."""
    w, entry = world, world.entries["published"]
    for who in ("outsider", "other", "member"):
        result = _snapshots(_ok(app, w, who, "package_activity_list", id=entry["id"]))
        assert result and all(a["data"]["package"]["resources"] for a in result), who


@pytest.mark.parametrize("kind", HIDDEN)
def test_entry_out_of_sight_is_listed_nowhere_to_outsiders(app, world, kind):
    """An entry back in review, back in draft or deleted: none of its activities (stored under
    the portal's labels while it was published) reach outsiders through any list."""
    w, entry = world, world.entries[kind]
    assert _portal_snapshot(entry)
    shown = world.entries["published"]["id"]
    for who in OUTSIDERS:
        res = _api(app, w, who, "package_activity_list", id=entry["id"])
        assert res.status_code in (403, 404) and entry["marker"] not in res.body, (who, kind)
        lists = [("recently_changed_packages_activity_list", {}),
                 ("organization_activity_list", {"id": w.org["id"]}),
                 ("group_activity_list", {"id": w.group["id"]}),
                 ("user_activity_list", {"id": w.reviewer["id"]})]
        if who != "anonymous":
            lists.append(("dashboard_activity_list", {}))
        for action, params in lists:
            res = _api(app, w, who, action, limit=100, **params)
            assert res.status_code == 200, (who, action, res.body[:200])
            ids = {a["object_id"] for a in res.json["result"]}
            assert entry["id"] not in ids and entry["marker"] not in res.body, (who, action)
            if who != "anonymous":
                assert shown in ids, (who, action)  # the published entry is listed
        if who != "anonymous":
            count = _ok(app, w, who, "dashboard_new_activities_count")
            stream = _ok(app, w, who, "dashboard_activity_list", limit=100)
            assert count == len([a for a in stream if a.get("is_new")])
    for action, params in (("recently_changed_packages_activity_list", {}),
                           ("organization_activity_list", {"id": w.org["id"]}),
                           ("group_activity_list", {"id": w.group["id"]})):
        ids = {a["object_id"] for a in _ok(app, w, "sysadmin", action, limit=100, **params)}
        assert entry["id"] in ids, action  # it is there to be hidden


@pytest.mark.parametrize("kind", ("review", "draft"))
def test_owning_department_still_reads_entries_out_of_sight(app, world, kind):
    """The entry's own department keeps its activities, data included, in every list."""
    w, entry = world, world.entries[kind]
    result = _snapshots(_ok(app, w, "member", "package_activity_list", id=entry["id"]))
    assert result and all(a["data"]["package"]["resources"] for a in result)
    for action, params in (("recently_changed_packages_activity_list", {}),
                           ("organization_activity_list", {"id": w.org["id"]}),
                           ("user_activity_list", {"id": w.reviewer["id"]})):
        ids = {a["object_id"] for a in _ok(app, w, "member", action, limit=100, **params)}
        assert entry["id"] in ids, action


def test_deleted_entry_activities_only_for_those_who_may_edit(app, world):
    """A deleted entry's activities reach only those who may edit it (its department's
    editors, sysadmins): not its department's plain members."""
    w, entry = world, world.entries["deleted"]
    for who, sees in (("member", False), ("compiler", True), ("sysadmin", True)):
        ids = {a["object_id"] for a in _ok(app, w, who, "recently_changed_packages_activity_list",
                                           limit=100)}
        assert (entry["id"] in ids) is sees, who
        res = _api(app, w, who, "package_activity_list", id=entry["id"])
        if sees:
            assert res.json["result"][0]["activity_type"] == "deleted package", who
        else:
            assert res.status_code in (403, 404) and entry["marker"] not in res.body


# -- paging --------------------------------------------------------------------------------------


def _pages(app, w, who: str, action: str, limit: int, **params: Any) -> list[list[str]]:
    pages, offset = [], 0
    while True:
        page = _ok(app, w, who, action, limit=limit, offset=offset, **params)
        pages.append([a["id"] for a in page])
        if len(page) < limit:
            return pages
        offset += limit


PAGED = [("recently_changed_packages_activity_list", {}),
         ("organization_activity_list", {"id": "org"}),
         ("group_activity_list", {"id": "group"}),
         ("user_activity_list", {"id": "reviewer"}),
         ("dashboard_activity_list", {})]


def _stream(app, w, who: str, action: str, **params: Any) -> list[dict[str, Any]]:
    return _ok(app, w, who, action, limit=100, **params)


@pytest.mark.parametrize("action,params", PAGED)
def test_pages_stay_full_and_coherent(app, world, action, params):
    """limit and offset count readable activities: every page but the last is full, and the
    pages together are the whole readable stream, in order, with nothing hidden in it."""
    w = world
    params = {k: getattr(w, v)["id"] for k, v in params.items()}
    hidden = {w.entries[k]["id"] for k in HIDDEN}
    if action != "dashboard_activity_list":  # (``other`` follows the hidden entries)
        # the hidden entries' activities lie in the stream CKAN reads
        assert hidden & {a["object_id"] for a in _stream(app, w, "sysadmin", action, **params)}
    readable = _stream(app, w, "other", action, **params)
    full = [a["id"] for a in readable]
    assert full and not hidden & {a["object_id"] for a in readable}
    for limit in (1, 2, 3):
        pages = _pages(app, w, "other", action, limit, **params)
        assert all(len(p) == limit for p in pages[:-1]), limit
        assert [i for p in pages for i in p] == full, limit


@pytest.mark.parametrize("action,params", [p for p in PAGED if not p[0].startswith("recently")])
def test_oldest_first_windows_page_readable_activities(app, world, action, params):
    """An ``after`` window (CKAN reads it oldest first, pages, and turns each page newest
    first) pages the readable activities the same way: full pages, nothing hidden."""
    w = world
    params = {k: getattr(w, v)["id"] for k, v in params.items()}
    readable = _stream(app, w, "other", action, **params)
    assert not {w.entries[k]["id"] for k in HIDDEN} & {a["object_id"] for a in readable}
    oldest_first = [a["id"] for a in readable][::-1]
    for limit in (1, 2, 3):
        pages = _pages(app, w, "other", action, limit, after=1, **params)
        assert [i for p in pages for i in p[::-1]] == oldest_first, limit
        assert all(len(p) == limit for p in pages[:-1]), limit


# -- one activity --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", HIDDEN)
def test_single_activity_actions_refuse_entries_out_of_sight(app, world, kind):
    """activity_show, activity_data_show and activity_diff refuse an activity of an entry the
    reader may not see now, whatever labels were stored with it."""
    w, entry = world, world.entries[kind]
    activity_id = _portal_snapshot(entry).id
    calls = (("activity_show", {"id": activity_id, "include_data": True}),
             ("activity_show", {"id": activity_id}),
             ("activity_data_show", {"id": activity_id, "object_type": "package"}),
             ("activity_diff", {"id": activity_id, "object_type": "package"}))
    for who in OUTSIDERS:
        for action, params in calls:
            res = _api(app, w, who, action, **params)
            assert res.status_code == 403, (who, action, res.status_code)
            assert entry["marker"] not in res.body
    if kind != "deleted":
        for action, params in calls:
            assert entry["marker"] in _api(app, w, "member", action, **params).body, action


def test_single_activity_actions_redact_offline_snapshots(app, world):
    """An offline entry's snapshot, stored while published: other departments read it
    without data (activity_show, activity_data_show, every diff type); its department whole."""
    w, entry = world, world.entries["offline"]
    activity_id = _portal_snapshot(entry).id
    url = f"{entry['marker']}/table"
    calls = (("activity_show", {"id": activity_id, "include_data": True}),
             ("activity_data_show", {"id": activity_id}),
             ("activity_data_show", {"id": activity_id, "object_type": "package"}),
             ("activity_diff", {"id": activity_id, "object_type": "package"}),
             ("activity_diff", {"id": activity_id, "object_type": "package",
                                "diff_type": "context"}),
             ("activity_diff", {"id": activity_id, "object_type": "package",
                                "diff_type": "html"}))
    for who in LOGGED_IN_OUTSIDERS:
        for action, params in calls:
            res = _api(app, w, who, action, **params)
            assert res.status_code == 200 and url not in res.body, (who, action, params)
            assert entry["marker"] in res.body  # the tombstone's metadata is readable
        shown = _ok(app, w, who, "activity_show", id=activity_id)
        assert shown["data"]["package"]["resources"] == []
    for action, params in calls:
        assert url in _api(app, w, "member", action, **params).body, (action, params)
    # the stored snapshot is untouched
    assert _portal_snapshot(entry).data["package"]["resources"]


def test_resource_view_activity_keeps_its_config_inside_the_department(app, world):
    """A resource view activity of an offline entry: its config (which names URLs) reaches
    only the entry's department."""
    w, entry = world, world.entries["offline"]
    marker = _marker("view")
    resource_id = entry["resources"][0]["id"]
    activity = helpers.call_action(
        "activity_create", L.site(), user_id=w.sysadmin["id"], object_id=entry["id"],
        activity_type="new resource view",
        data={"id": "v1", "resource_id": resource_id, "package_id": entry["id"],
              "view_type": "webpage_view",
              "config": {"page_url": f"https://view.example.gov.cn/{marker}"}})
    try:
        for who in LOGGED_IN_OUTSIDERS:
            res = _api(app, w, who, "package_activity_list", id=entry["id"])
            views = [a for a in res.json["result"] if a["activity_type"] == "new resource view"]
            assert views and views[0]["data"]["resource_id"] == resource_id
            assert "config" not in views[0]["data"] and marker not in res.body, who
            res = _api(app, w, who, "activity_data_show", id=activity["id"], object_type="config")
            assert res.status_code in (403, 404) and marker not in res.body
        assert marker in _api(app, w, "member", "package_activity_list", id=entry["id"]).body
    finally:
        helpers.call_action("activity_delete", L.site(), id=activity["id"])


# -- pages ---------------------------------------------------------------------------------------


def _page(app, who: dict[str, Any] | None, url: str):
    app.set_session_user(who["id"] if who else None)
    return app.get(url)


def test_pages_show_offline_snapshots_without_data(app, world):
    """The activity, changes and history pages of an offline entry show other departments no
    resource URL of a stored snapshot, the resource history page is not found (and the range
    of changes from the draft refused, not a 500); the department sees them whole."""
    w, entry = world, world.entries["offline"]
    activity_id = _portal_snapshot(entry).id
    resource_id = entry["resources"][0]["id"]
    url = f"{entry['marker']}/table"
    pages = (f"/dataset/activity/{entry['name']}",
             f"/dataset/changes/{activity_id}",
             f"/dataset/{entry['name']}/history/{activity_id}")
    history = f"/dataset/{entry['id']}/resources/{resource_id}/history/{activity_id}"
    # from the draft's activity (recorded for the department only) to the published one
    changes = f"/dataset/changes_multiple?new_id={activity_id}&old_id={_activities(entry)[-1].id}"
    for who in (w.outsider, w.other):
        for path in pages:
            res = _page(app, who, path)
            assert res.status_code == 200 and url not in res.body, (who["name"], path)
        for path, status in ((history, 404), (changes, 403)):
            res = _page(app, who, path)
            assert res.status_code == status and url not in res.body, path
    for path in pages[1:] + (history, changes):
        res = _page(app, w.member, path)
        assert res.status_code == 200 and url in res.body, path


def test_pages_of_an_entry_back_in_review_show_outsiders_nothing(app, world):
    """Back in review (a draft is decided alike: test_single_activity_actions_*): no activity
    page shows outsiders the entry or its data, and none answers 500."""
    w, entry = world, world.entries["review"]
    activity_id = _portal_snapshot(entry).id
    oldest = _activities(entry)[-1].id
    resource_id = entry["resources"][0]["id"]
    refused = (f"/dataset/activity/{entry['id']}",
               f"/dataset/changes/{activity_id}",
               f"/dataset/changes_multiple?new_id={activity_id}&old_id={oldest}",
               f"/dataset/{entry['id']}/history/{activity_id}",
               f"/dataset/{entry['id']}/resources/{resource_id}/history/{activity_id}")
    listing = (f"/organization/activity/{w.org['name']}", f"/user/activity/{w.reviewer['name']}")
    for who in (None, w.outsider, w.other):
        for path in refused:
            res = _page(app, who, path)
            assert res.status_code in (403, 404), (path, res.status_code)
            assert entry["marker"] not in res.body, path
        for path in listing:
            res = _page(app, who, path)
            assert res.status_code == 200 and entry["marker"] not in res.body, path
    res = _page(app, w.other, f"/organization/activity/{w.org['name']}")
    assert world.entries["published"]["marker"] in res.body  # the page lists what is visible
    res = _page(app, w.member, f"/organization/activity/{w.org['name']}")
    assert entry["marker"] in res.body


def test_range_pages_answer_bad_or_refused_ids_without_error(app, world):
    """The changes_multiple pages answer a missing or unknown activity 404 and an activity the
    reader may not read 403, where CKAN's view fails with a 500."""
    w = world
    org_activity = model.Session.query(Activity).filter(
        Activity.object_id == w.org["id"]).first().id
    review = _portal_snapshot(w.entries["review"]).id
    for path, status in (("/dataset/changes_multiple", 404),
                         ("/dataset/changes_multiple?new_id=nothing&old_id=nothing", 404),
                         (f"/dataset/changes_multiple?new_id={review}&old_id={review}", 403),
                         (f"/organization/changes_multiple?new_id={org_activity}"
                          f"&old_id={org_activity}", 403),
                         ("/group/changes_multiple", 404)):
        assert _page(app, w.other, path).status_code == status, path


def test_dashboard_page_of_a_follower_shows_only_what_is_visible_now(app, world):
    """The dashboard of a user who followed entries while they were published lists the
    published one and none that went back to review or draft."""
    w = world
    for who in (w.outsider, w.other):
        res = _page(app, who, "/dashboard/")
        assert res.status_code == 200, res.status_code
        assert w.entries["published"]["marker"] in res.body
        for kind in HIDDEN:
            assert w.entries[kind]["marker"] not in res.body, kind


@pytest.mark.ckan_config("ckanext.govshare.public_catalogue", True)
def test_public_catalogue_shows_anonymous_offline_activities_without_data(app, world):
    """With the public catalogue on, anonymous visitors read the activities of an offline
    entry as a tombstone's: listed, without data; an entry back in review not at all."""
    w = world
    entry = _published(w, "public")  # stored under the public catalogue's labels
    _offline(w, entry)
    res = _api(app, w, "anonymous", "package_activity_list", id=entry["id"])
    assert res.status_code == 200 and _snapshots(res.json["result"])
    assert all(a["data"]["package"]["resources"] == [] for a in _snapshots(res.json["result"]))
    assert entry["marker"] in res.body and f"{entry['marker']}/table" not in res.body
    res = _api(app, w, "anonymous", "recently_changed_packages_activity_list", limit=100)
    assert entry["id"] in {a["object_id"] for a in res.json["result"]}
    assert f"{entry['marker']}/table" not in res.body
    L.act("govshare_catalogue_reinstate", w.compiler, id=entry["id"])
    res = _api(app, w, "anonymous", "package_activity_list", id=entry["id"])
    assert res.status_code in (403, 404) and entry["marker"] not in res.body
    res = _api(app, w, "anonymous", "recently_changed_packages_activity_list", limit=100)
    assert entry["marker"] not in res.body
