"""The activity pages of a catalogue in zh_Hans_CN (issue #12 §3): the streams tell the
lifecycle steps (submitted, approved, returned …) to the entry's department, its publication and
going offline also to everyone who sees it (as the department's act); the activity-type filter,
the search facets and the user page speak the catalogue's words."""
from __future__ import annotations

import json
import re

import ckan.model as model
import pytest
from ckanext.activity.model import Activity

from ckanext.govshare.activity.lifecycle import ACTIVITY_TYPE

from .. import lifecycle as L

# pages in Chinese; CKAN shows the data of activities (their diffs) to those who may not edit
# the entry only with public_activity_stream_detail: on, so that govshare's rules decide
pytestmark = [pytest.mark.ckan_config("ckan.site_url", "http://localhost"),
              pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN"),
              pytest.mark.ckan_config("ckan.auth.public_activity_stream_detail", True)]

REASON = "补充信息项说明"


def build():
    """:func:`L.world` with ``returned`` (submitted, returned with :data:`REASON`) and
    ``published`` (submitted, approved)."""
    w = L.world()
    w.returned = L.entry(w.org, w.compiler)
    L.act("govshare_catalogue_submit", w.compiler, id=w.returned["id"])
    L.act("govshare_catalogue_return", w.reviewer, id=w.returned["id"], reason=REASON)
    w.published = L.entry(w.org, w.compiler)
    L.act("govshare_catalogue_submit", w.compiler, id=w.published["id"])
    L.act("govshare_catalogue_approve", w.reviewer, id=w.published["id"])
    return w


@pytest.fixture
def world(fresh):
    return fresh(build)


def _page(app, user, path: str) -> str:
    app.set_session_user(user["id"] if user else None)
    res = app.get(path)
    assert res.status_code == 200, (path, res.status_code)
    return res.get_data(as_text=True)


def _steps(entry_id: str) -> list[Activity]:
    return (model.Session.query(Activity)
            .filter(Activity.object_id == entry_id, Activity.activity_type == ACTIVITY_TYPE)
            .order_by(Activity.timestamp).all())


def test_entry_activity_tells_each_step_with_its_reason(app, world):
    """The entry's activity tab: who submitted, who returned (the states and the reason), each
    linked to the entry's lifecycle; recorded once per audit row, by its actor."""
    steps = _steps(world.returned["id"])
    assert [(s.data["lifecycle"]["action"], s.user_id) for s in steps] == [
        ("submit", world.compiler["id"]), ("return", world.reviewer["id"])]
    assert steps[1].data["package"]["catalogue_state"] == "draft"  # as the step left it
    body = _page(app, world.member, f"/dataset/activity/{world.returned['name']}")
    assert "提交了目录条目" in body and "审核" in body
    assert "退回了目录条目" in body and "（审核中 → 编制中）" in body
    assert f"理由: {REASON}" in body
    assert f'href="/dataset/{world.returned["id"]}/lifecycle"' in body
    assert "lifecycle package" not in body


def test_department_user_and_dashboard_streams_show_steps(app, world):
    """The department's stream, the reviewer's page and the compiler's dashboard show the
    steps to the department's members."""
    org = _page(app, world.member, f"/organization/activity/{world.org['name']}")
    assert "审核通过了目录条目" in org and "退回了目录条目" in org
    user = _page(app, world.member, f"/user/activity/{world.reviewer['name']}")
    assert "审核通过了目录条目" in user
    dashboard = _page(app, world.compiler, "/dashboard/")
    assert "提交了目录条目" in dashboard


def test_other_departments_read_only_the_publication(app, world):
    """Another department reads of a published entry's lifecycle only its publication, as the
    department's act (no actor, reason or states): in the lists and one by one, never the
    submission, and not on the reviewer's page; the department reads the step whole."""
    other, entry = world.other_compiler, world.published
    submit, approve = _steps(entry["id"])
    theirs = [a for a in L.act("package_activity_list", other, id=entry["id"])
              if a["activity_type"] == ACTIVITY_TYPE]
    assert [a["id"] for a in theirs] == [approve.id]
    public = L.act("activity_show", other, id=approve.id, include_data=True)
    for told in (theirs[0], public):
        assert told["user_id"] is None and set(told["data"]) == {"package", "lifecycle"}
        assert told["data"]["lifecycle"] == {"action": "approve", "to_state": "published",
                                             "public": True}
    assert L.refused("activity_show", other, id=submit.id, include_data=False)
    whole = L.act("activity_show", world.member, id=approve.id)
    assert whole["user_id"] == world.reviewer["id"]
    assert whole["data"]["lifecycle"]["from_state"] == "in_review"
    reviewer_link = f'href="/user/{world.reviewer["name"]}"'
    for path in (f"/dataset/activity/{entry['name']}",
                 f"/organization/activity/{world.org['name']}"):
        body = _page(app, other, path)
        assert f'{world.org["title"]}</a> 发布了目录条目' in body, path
        assert "审核通过了" not in body and "提交了" not in body and "退回了" not in body, path
        assert "审核中" not in body and reviewer_link not in body, path
    body = _page(app, other, f"/user/activity/{world.reviewer['name']}")
    assert "发布了目录条目" not in body and "审核通过了" not in body
    mine = _page(app, world.member, f"/dataset/activity/{entry['name']}")
    assert "审核通过了目录条目" in mine and "发布了目录条目" not in mine


def test_going_offline_is_told_without_its_reasons(app, world):
    """Taking a published entry offline is told to another department as the department's
    act, without the request, the reasons or the states in between; its department reads
    both steps with their reasons."""
    entry = world.published
    L.act("govshare_catalogue_request_offline", world.compiler, id=entry["id"],
          reason="职能调整不再采集")
    L.act("govshare_catalogue_approve_offline", world.reviewer, id=entry["id"],
          reason="同意下线申请")
    steps = [a for a in L.act("package_activity_list", world.other_compiler, id=entry["id"])
             if a["activity_type"] == ACTIVITY_TYPE]
    assert [a["data"]["lifecycle"]["action"] for a in steps] == ["approve_offline", "approve"]
    assert "职能调整不再采集" not in json.dumps(steps, ensure_ascii=False)
    assert "同意下线申请" not in json.dumps(steps, ensure_ascii=False)
    body = _page(app, world.other_compiler, f"/dataset/activity/{entry['name']}")
    assert f'{world.org["title"]}</a> 下线了目录条目' in body
    for hidden in ("职能调整不再采集", "同意下线申请", "申请下线", "下线审核中"):
        assert hidden not in body, hidden
    mine = _page(app, world.member, f"/dataset/activity/{entry['name']}")
    assert "理由: 职能调整不再采集" in mine and "理由: 同意下线申请" in mine


def test_changes_pass_over_steps_outsiders_may_not_read(world):
    """An outsider's diff of the activity after a step compares with the activity before the
    step (CKAN's previous one is the step, which they may not read); the department's with
    the step."""
    rev = L.act("govshare_revision_create", world.compiler, id=world.published["id"],
                notes="变更后的摘要")
    L.act("govshare_revision_submit", world.compiler, id=rev["id"])
    L.act("govshare_revision_approve", world.reviewer, id=rev["id"])
    changed = (model.Session.query(Activity)
               .filter(Activity.object_id == world.published["id"],
                       Activity.activity_type == "changed package")
               .order_by(Activity.timestamp.desc()).first())
    diff = L.act("activity_diff", world.other_compiler, id=changed.id, object_type="package")
    assert [a["activity_type"] for a in diff["activities"]] == ["new package", "changed package"]
    assert '"catalogue_state": "draft"' in diff["diff"]  # the draft, to the revised entry
    assert json.dumps("变更后的摘要") in diff["diff"]
    member = L.act("activity_diff", world.member, id=changed.id, object_type="package")
    assert [a["activity_type"] for a in member["activities"]] == [ACTIVITY_TYPE,
                                                                  "changed package"]
    assert '"catalogue_state": "draft"' not in member["diff"]


def test_activity_type_filter_speaks_the_catalogue(app, world):
    """The filter offers CKAN's and the lifecycle's types by their labels, and filtering by
    the lifecycle's lists only its steps."""
    path = f"/dataset/activity/{world.returned['name']}"
    body = _page(app, world.member, path)
    select = body[body.index('id="activity_types_filter"'):]
    options = re.findall(r"<option[^>]*>\s*([^<]*?)\s*</option>", select[:select.index("</select>")])
    assert {"新建目录条目", "更新目录条目", "目录流程"} <= set(options)
    assert not [o for o in options if re.search(r"[A-Za-z]", o)], options
    steps = _page(app, world.member, f"{path}?activity_type={ACTIVITY_TYPE}")
    assert 'class="item lifecycle-package' in steps and 'class="item new-package' not in steps


def test_facets_are_named_by_their_titles(app, world):
    """A search facet's items are labelled by the facet's title, not its field code."""
    body = _page(app, world.member, "/dataset/")
    labels = re.findall(r'aria-label="(按[^"]*搜索目录条目：[^"]*)"', body)
    assert any(label.startswith("按部门搜索") for label in labels), labels
    assert not [label for label in labels if re.search(r"按[a-z_]+搜索", label)], labels


def test_user_page_shows_the_account_state_in_chinese(app, world):
    """A user's page shows their account state as 正常, not CKAN's code."""
    body = _page(app, world.member, f"/user/{world.reviewer['name']}")
    assert "<dd>正常</dd>" in body and ">active<" not in body
