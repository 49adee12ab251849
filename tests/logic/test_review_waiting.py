"""The count of review steps waiting for a user (the navigation badge): the steps of their
departments their role decides at the step's stage, minus their own submissions (four eyes),
in agreement with what the review queue lets them decide; and who counts as a reviewer."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import helpers

from ckanext.govshare.lifecycle import queries

from .. import lifecycle as L


@pytest.fixture
def world(fresh):
    return fresh(L.review_world)


def _waiting(user):
    return queries.waiting_count(user["id"])


def _reviews(user):
    try:
        tk.check_access("govshare_catalogue_review", {"user": user["name"] if user else ""})
    except tk.NotAuthorized:
        return False
    return True


def _decidable(user):
    queue = L.act("govshare_catalogue_queue", user)
    return sum(1 for item in queue["results"] if item["allowed_actions"])


class TestWaitingCount:
    def test_reviewer_counts_submitted_entries(self, world):
        """Two entries in review wait for each reviewer of the department, as the queue says."""
        w = world
        assert _waiting(w.reviewer) == _waiting(w.reviewer2) == 2 == _decidable(w.reviewer)

    def test_others_count_nothing(self, world):
        """Compilers, members, coordinators at the first stage and other departments: 0."""
        w = world
        for user in (w.compiler, w.compiler2, w.member, w.coordinator, w.other_reviewer,
                     w.security_officer, w.outsider, w.sysadmin):
            assert _waiting(user) == 0, user["name"]

    def test_own_submission_is_not_counted(self, world):
        """A compiler who is also a reviewer does not count what they submitted (four eyes)."""
        w = world
        L.grant(w.org, w.compiler, "reviewer")
        assert _waiting(w.compiler) == 0 == _decidable(w.compiler)
        other = L.entry(w.org, w.compiler2, unit="BGS")
        L.act("govshare_catalogue_submit", w.compiler2, id=other["id"])
        assert _waiting(w.compiler) == 1 == _decidable(w.compiler)

    def test_decided_steps_leave_the_count(self, world):
        """An approved entry no longer waits; an offline request and a revision do."""
        w = world
        L.act("govshare_catalogue_approve", w.reviewer, id=w.first["id"])
        assert _waiting(w.reviewer) == 1
        L.act("govshare_catalogue_request_offline", w.compiler, id=w.first["id"], reason="停用")
        assert _waiting(w.reviewer) == 2 == _decidable(w.reviewer)
        L.act("govshare_catalogue_reject_offline", w.reviewer, id=w.first["id"], reason="仍在用")
        rev = L.act("govshare_revision_create", w.compiler, id=w.first["id"], notes="改")
        assert _waiting(w.reviewer) == 1  # a draft revision waits for nobody
        L.act("govshare_revision_submit", w.compiler, id=rev["id"])
        assert _waiting(w.reviewer) == 2 == _decidable(w.reviewer)

    @pytest.mark.ckan_config("ckanext.govshare.lifecycle.second_stage", "data_grade=G2")
    def test_second_stage_waits_for_the_coordinator(self, world):
        """After the reviewer's approval the step waits for the coordinator, not a reviewer,
        and not for the coordinator who approved it as reviewer."""
        w = world
        L.grant(w.org, w.reviewer, "coordinator")
        L.act("govshare_catalogue_approve", w.reviewer, id=w.first["id"])
        assert _waiting(w.coordinator) == 1 == _decidable(w.coordinator)
        assert _waiting(w.reviewer2) == 1  # the second entry only
        assert _waiting(w.reviewer) == 1  # the second entry as reviewer; not the first again
        L.act("govshare_catalogue_approve", w.coordinator, id=w.first["id"])
        assert _waiting(w.coordinator) == 0


class TestWhoReviews:
    def test_auth(self, world):
        """Reviewers, coordinators and sysadmins review; compilers, members, outsiders do not."""
        w = world
        for user in (w.reviewer, w.coordinator, w.other_reviewer, w.sysadmin):
            assert _reviews(user), user["name"]
        for user in (w.compiler, w.compiler2, w.security_officer, w.member, w.outsider, None):
            assert not _reviews(user)

    def test_revoked_role(self, world):
        """Without the role the user no longer reviews."""
        w = world
        helpers.call_action("govshare_role_revoke", L.site(), organization_id=w.org["id"],
                            user_id=w.reviewer["id"], role="reviewer")
        assert not _reviews(w.reviewer)
