"""Lifecycle pages: the review queue (filters, bulk approve/return with one reason), an entry's
state badge, actions and timeline, a revision's diff."""
from __future__ import annotations

import json
import re

import pytest
from ckan.tests import helpers

from ckanext.govshare import permissions
from ckanext.govshare.views import lifecycle

from .. import lifecycle as L

# the test client keeps the login cookie of set_session_user for "localhost"
pytestmark = pytest.mark.ckan_config("ckan.site_url", "http://localhost")


@pytest.fixture
def world(fresh):
    return fresh(L.review_world)


def _token(body: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', body)
    assert match, "no CSRF field in the form"
    return match.group(1)


class TestQueue:
    def test_reviewer_sees_open_steps_and_the_bulk_form(self, app, world):
        """The queue lists both entries with deadlines, checkboxes and the decision buttons."""
        app.set_session_user(world.reviewer["id"])
        body = app.get("/govshare/review", status=200).body
        assert world.first["title"] in body and world.second["title"] in body
        assert body.count('name="selected"') == 2
        assert 'name="decision" value="approve"' in body and 'name="_csrf_token"' in body

    def test_pages_instead_of_truncating(self, app, world, monkeypatch):
        """A queue longer than a page is paged: page 2 lists the rest, with the full count."""
        monkeypatch.setattr(lifecycle, "REVIEW_QUEUE_PAGE_SIZE", 1)
        app.set_session_user(world.reviewer["id"])
        first = app.get("/govshare/review", status=200).body
        second = app.get("/govshare/review", query_string={"page": 2}, status=200).body
        assert "(2)" in first and "(2)" in second
        assert first.count('name="selected"') == second.count('name="selected"') == 1
        titles = {world.first["title"], world.second["title"]}
        assert {t for t in titles if t in first} | {t for t in titles if t in second} == titles
        assert {t for t in titles if t in first} != {t for t in titles if t in second}
        assert "page=2" in first and 'class="pagination' in first

    def test_filters(self, app, world):
        """Filtering by unit or step narrows the list."""
        app.set_session_user(world.reviewer["id"])
        body = app.get("/govshare/review", query_string={"unit": "BGS"}, status=200).body
        assert world.first["title"] not in body
        body = app.get("/govshare/review", query_string={"state": "in_review", "unit": "DJZCC"},
                       status=200).body
        assert world.first["title"] in body

    def test_submitter_cannot_decide(self, app, world):
        """The compiler sees the queue but no checkbox (four eyes, and not a reviewer)."""
        app.set_session_user(world.compiler["id"])
        body = app.get("/govshare/review", status=200).body
        assert world.first["title"] in body and 'name="selected"' not in body

    def test_other_department_sees_nothing(self, app, world):
        """Another department's reviewer has an empty queue."""
        app.set_session_user(world.other_reviewer["id"])
        body = app.get("/govshare/review", status=200).body
        assert world.first["title"] not in body

    def test_anonymous_is_refused(self, app, world):
        """The queue needs a login."""
        app.get("/govshare/review", status=403)

    def test_bulk_approve(self, app, world):
        """Two selected entries approved with one click."""
        app.set_session_user(world.reviewer["id"])
        token = _token(app.get("/govshare/review").body)
        app.post("/govshare/review", data={
            "_csrf_token": token, "decision": "approve",
            "selected": [f"entry:{world.first['id']}", f"entry:{world.second['id']}"],
        }, status=200, follow_redirects=True)
        assert L.state(world.first["id"]) == L.state(world.second["id"]) == "published"

    def test_bulk_return_needs_and_shares_the_reason(self, app, world):
        """Return without a reason fails for each; with one reason both go back to draft."""
        app.set_session_user(world.reviewer["id"])
        token = _token(app.get("/govshare/review").body)
        selected = [f"entry:{world.first['id']}", f"entry:{world.second['id']}"]
        body = app.post("/govshare/review", data={
            "_csrf_token": token, "decision": "return", "selected": selected,
        }, follow_redirects=True).body
        assert "a reason is required to return" in body  # the page's language: English here
        assert L.state(world.first["id"]) == "in_review"
        app.post("/govshare/review", data={
            "_csrf_token": token, "decision": "return", "selected": selected,
            "reason": "共享条件不明确",
        }, follow_redirects=True)
        for entry in (world.first, world.second):
            assert L.state(entry["id"]) == "draft"
        rows = helpers.call_action("govshare_audit_list", L.site(), action="return")["results"]
        assert {r["comment"] for r in rows} == {"共享条件不明确"}

    def test_post_without_token_is_refused(self, app, world):
        """The bulk form is CSRF-protected."""
        app.set_session_user(world.reviewer["id"])
        app.post("/govshare/review", data={
            "decision": "approve", "selected": [f"entry:{world.first['id']}"]}, status=400)
        assert L.state(world.first["id"]) == "in_review"


class TestEntryPage:
    def test_badge_actions_and_timeline(self, app, world):
        """The lifecycle page shows the state, the reviewer's actions and the timeline."""
        app.set_session_user(world.reviewer["id"])
        body = app.get(f"/dataset/{world.first['name']}/lifecycle", status=200).body
        assert "govshare-state-in_review" in body
        assert f"/dataset/{world.first['name']}/lifecycle/approve" in body
        assert f"/dataset/{world.first['name']}/lifecycle/return" in body
        assert "govshare-timeline-row" in body
        dataset_page = app.get(f"/dataset/{world.first['name']}", status=200).body
        assert "govshare-state-in_review" in dataset_page and "/lifecycle" in dataset_page

    def test_fire_from_the_page(self, app, world):
        """A reviewer approves from the page; the timeline then shows it."""
        app.set_session_user(world.reviewer["id"])
        page = f"/dataset/{world.first['name']}/lifecycle"
        token = _token(app.get(page).body)
        body = app.post(f"{page}/approve", data={"_csrf_token": token},
                        follow_redirects=True).body
        assert L.state(world.first["id"]) == "published"
        assert "govshare-state-published" in body

    @pytest.mark.ckan_config("ckanext.govshare.lifecycle.second_stage", "data_grade=G2")
    def test_stage_one_approver_offered_nothing_at_the_coordinator_stage(self, app, world):
        """Who approved stage 1 and is a coordinator too gets no decision on the page (four
        eyes); another coordinator gets both."""
        L.grant(world.org, world.reviewer, "coordinator")
        L.act("govshare_catalogue_approve", world.reviewer, id=world.first["id"])
        page = f"/dataset/{world.first['name']}/lifecycle"
        app.set_session_user(world.reviewer["id"])
        body = app.get(page, status=200).body
        assert f"{page}/approve" not in body and f"{page}/return" not in body
        app.set_session_user(world.coordinator["id"])
        body = app.get(page, status=200).body
        assert f"{page}/approve" in body and f"{page}/return" in body

    @pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")
    def test_chinese_labels(self, app, world):
        """In zh_Hans_CN the state and the actions are in Chinese."""
        app.set_session_user(world.reviewer["id"])
        body = app.get(f"/dataset/{world.first['name']}/lifecycle", status=200).body
        assert "审核中" in body and "审核通过" in body and "提交审核" in body

    def test_lifecycle_summary_outside_the_department(self, app, world):
        """Another department gets of an entry's lifecycle summary the publication facts alone
        (package_show, package_search, the entry's pages): no submitter, reason, open step or
        pending revision; the department and sysadmins get it whole."""
        entry, reason, request = world.first, "核准：信息项齐全", "职能调整，申请下线"
        L.act("govshare_catalogue_approve", world.reviewer, id=entry["id"], reason=reason)
        rev = L.act("govshare_revision_create", world.compiler, id=entry["id"], notes="变更")
        public = permissions.PUBLIC_LIFECYCLE_FIELDS

        def summaries(user):
            shown = L.act("package_show", user, id=entry["id"])
            [found] = [r for r in L.act("package_search", user, q="*:*")["results"]
                       if r["id"] == entry["id"]]
            return shown["govshare_lifecycle"], found["govshare_lifecycle"]

        for info in summaries(world.other_reviewer):
            assert set(info) <= public and info["state"] == "published" and info["version"] == 1
            assert reason not in json.dumps(info, ensure_ascii=False) and rev["id"] not in str(info)
        for user in (world.member, world.sysadmin):
            for info in summaries(user):
                assert info["reason"] == reason and info["pending_revision"]["id"] == rev["id"]
        L.act("govshare_revision_discard", world.compiler, id=rev["id"])
        L.act("govshare_catalogue_request_offline", world.compiler, id=entry["id"],
              reason=request)
        for info in summaries(world.other_reviewer):
            assert set(info) <= public and info["state"] == "offline_review"
        for user in (world.member, world.sysadmin):
            for info in summaries(user):
                assert info["submitted_by"] == world.compiler["id"] and info["due_at"]
                assert info["reason"] == request
        page = f"/dataset/{entry['name']}/lifecycle"
        app.set_session_user(world.other_reviewer["id"])
        body = app.get(page, status=200).body
        assert "govshare-state-offline_review" in body and "govshare-version" in body
        assert request not in body and "govshare-due" not in body
        assert "govshare-state-offline_review" in app.get(f"/dataset/{entry['name']}").body
        app.set_session_user(world.member["id"])
        body = app.get(page, status=200).body
        assert request in body and "govshare-due" in body

    def test_other_department_sees_no_draft(self, app, world):
        """A draft's lifecycle page is not found for other departments."""
        draft = L.entry(world.org, world.compiler)
        app.set_session_user(world.other_reviewer["id"])
        app.get(f"/dataset/{draft['name']}/lifecycle", status=404)


class TestRevisionPage:
    def test_diff_and_decision(self, app, world):
        """A reviewer sees the field-by-field diff and approves the revision from its page."""
        L.act("govshare_catalogue_approve", world.reviewer, id=world.first["id"])
        rev = L.act("govshare_revision_create", world.compiler, id=world.first["id"],
                    notes="修订后的摘要")
        L.act("govshare_revision_submit", world.compiler, id=rev["id"])
        app.set_session_user(world.reviewer["id"])
        page = f"/govshare/revision/{rev['id']}"
        body = app.get(page, status=200).body
        assert "修订后的摘要" in body and "govshare-diff" in body
        assert f"{page}/approve" in body
        app.post(f"{page}/approve", data={"_csrf_token": _token(body)}, follow_redirects=True)
        shown = helpers.call_action("package_show", L.site(), id=world.first["id"])
        assert shown["notes"] == "修订后的摘要"
