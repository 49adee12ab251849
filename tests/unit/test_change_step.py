"""The "update required" step after a change event and the four-eyes filter of reminders,
without a database (DB14 §7.3)."""
from __future__ import annotations

import datetime

import pytest

from ckanext.govshare.lifecycle import machine as lc
from ckanext.govshare.lifecycle import tables
from ckanext.govshare.messages import text

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _check(state="published", *, reason="法规修订", occurred_at=NOW, roles=("reviewer",)):
    return lc.check_change_event(state, reason=reason, occurred_at=occurred_at, now=NOW,
                                 actor_roles=roles)


class TestCheckChangeEvent:
    def test_reviewer_or_coordinator_on_a_published_entry(self):
        assert _check(reason="  职能调整 ") == "职能调整"
        assert _check(roles=("coordinator",)) == "法规修订"
        assert _check(roles=None) == "法规修订"  # a sysadmin: roles checked by the caller
        assert _check(occurred_at=NOW - datetime.timedelta(days=40)) == "法规修订"

    @pytest.mark.parametrize("state", ["draft", "in_review", "offline_review", "offline"])
    def test_only_a_published_entry(self, state):
        with pytest.raises(lc.IllegalTransition) as err:
            _check(state)
        # the state by its label (English outside a request), its code the error's state
        assert err.value.field == "catalogue_state" and err.value.state == state
        assert text(tables.CATALOGUE_STATES[state]) in err.value.message

    @pytest.mark.parametrize("roles", [(), ("compiler",), ("security_officer",)])
    def test_other_roles_are_refused(self, roles):
        with pytest.raises(lc.NotPermitted) as err:
            _check(roles=roles)
        assert err.value.rule == "role"

    @pytest.mark.parametrize("reason", [None, "", "   "])
    def test_reason_required(self, reason):
        with pytest.raises(lc.GuardFailed) as err:
            _check(reason=reason)
        assert (err.value.rule, err.value.field) == ("reason", "reason")
        assert err.value.message == "a reason is required to record a change event"

    def test_not_in_the_future(self):
        with pytest.raises(lc.GuardFailed) as err:
            _check(occurred_at=NOW + datetime.timedelta(minutes=1))
        assert err.value.field == "occurred_at"


def test_the_earlier_deadline_stands():
    early, late = NOW, NOW + datetime.timedelta(days=3)
    assert lc.change_due(None, late) == late
    assert lc.change_due(early, late) == early
    assert lc.change_due(late, early) == early


@pytest.mark.parametrize(("outcome", "closes"), [
    ("revision_approved", True), ("updated_without_review", True), ("offline", True),
    ("revision_submit", False), ("request_offline", False), ("reject_offline", False),
    ("change_event", False),
])
def test_what_closes_the_step(outcome, closes):
    assert lc.closes_change_step(outcome) is closes


class TestEligibleDeciders:
    def test_submitter_is_not_reminded(self):
        assert lc.eligible_deciders(["a", "b"], machine=lc.CATALOGUE, state="in_review",
                                    stage="reviewer", submitter="a",
                                    stage_approver=None) == ["b"]

    def test_offline_request_and_revision(self):
        assert lc.eligible_deciders(["a", "b"], machine=lc.CATALOGUE, state="offline_review",
                                    stage=None, submitter="b", stage_approver=None) == ["a"]
        assert lc.eligible_deciders(["a", "b"], machine=lc.REVISION, state="in_review",
                                    stage="reviewer", submitter="a",
                                    stage_approver=None) == ["b"]

    def test_coordinator_stage_excludes_the_stage_one_approver(self):
        assert lc.eligible_deciders(["r", "c"], machine=lc.CATALOGUE, state="in_review",
                                    stage="coordinator", submitter="s",
                                    stage_approver="r") == ["c"]
        # at the reviewer stage a stage approver (none yet) does not matter
        assert lc.eligible_deciders(["r", "c"], machine=lc.CATALOGUE, state="in_review",
                                    stage="reviewer", submitter="s",
                                    stage_approver="r") == ["r", "c"]

    def test_unknown_submitter_blocks_nobody(self):
        assert lc.eligible_deciders(["a"], machine=lc.CATALOGUE, state="in_review",
                                    stage=None, submitter=None, stage_approver=None) == ["a"]
