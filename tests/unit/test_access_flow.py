"""The access request's rules without a database: the fields a requester fills, who decides each
step (the table narrowed to the step's decider, four eyes, a second person at the security
stage), the security branch and the paths through the table (DB14 §9.2–9.3, Fig. B.2)."""
from __future__ import annotations

import datetime
import itertools

import pytest

from ckanext.govshare.sharing import access, flows

TODAY = datetime.date(2026, 9, 30)
ITEMS = [{"name": "统一社会信用代码", "share_type": "conditional"},
         {"name": "企业名称", "share_type": "conditional"},
         {"name": "法定代表人身份证号", "share_type": "not_shared"}]
VALID = {"purpose": "用途", "scenario": "场景", "basis": "依据", "region": "全省",
         "usage_scope": "行政审批", "provision_method": "verify", "validity_days": "180",
         "agreement_accepted": "on"}
SCALE = ("G1", "G2", "G3", "G4", "IMP", "CORE")

ROLES = (flows.REQUESTER, flows.CONSUMER_REVIEWER, flows.PROVIDER_REVIEWER,
         flows.PROVIDER_SECURITY)


def check(**changes):
    return access.check_fields({**VALID, **changes}, info_items=ITEMS, today=TODAY)


class TestFields:
    def test_a_complete_request_is_clean(self):
        """Every field given: no error, the validity as a number, items as named."""
        clean, errors = check(items="企业名称，统一社会信用代码")
        assert errors == {}
        assert clean["items"] == ["企业名称", "统一社会信用代码"]
        assert clean["validity_days"] == 180 and clean["valid_from"] is None
        assert clean["agreement_accepted"] is True and clean["provision_method"] == "verify"

    def test_no_items_means_all(self):
        """No 信息项 named: the request is for all the shared ones."""
        assert check()[0]["items"] == []

    @pytest.mark.parametrize("field", ["purpose", "scenario", "basis", "region",
                                       "usage_scope", "provision_method", "agreement_accepted"])
    def test_required(self, field):
        """Each required field missing is named."""
        assert list(check(**{field: ""})[1]) == [field]

    def test_lengths(self):
        """Long texts are refused beyond their limit."""
        errors = check(purpose="用" * (access.LONG_TEXT + 1),
                       expected_volume="x" * (access.SHORT_TEXT + 1))[1]
        assert set(errors) == {"purpose", "expected_volume"}
        assert check(purpose="用" * access.LONG_TEXT)[1] == {}

    def test_items(self):
        """Unknown and not-shared 信息项 are refused, each by name."""
        errors = check(items=["企业名称", "注册资本", "法定代表人身份证号"])[1]
        assert len(errors["items"]) == 2
        assert "注册资本" in errors["items"][0] and "法定代表人身份证号" in errors["items"][1]

    def test_basis_url(self):
        """Only web addresses."""
        assert check(basis_url="https://gov.example.cn/doc/1")[1] == {}
        assert list(check(basis_url="javascript:alert(1)")[1]) == ["basis_url"]

    @pytest.mark.parametrize("days", ["45", "0", "-30", "x", "3650"])
    def test_validity_choices(self, days):
        """Only the offered numbers of days."""
        assert list(check(validity_days=days)[1]) == ["validity_days"]

    def test_validity_dates(self):
        """Dates: from today on, the end after the start, at most the longest choice."""
        ok, errors = check(validity_days="dates", valid_from="2026-09-30",
                           valid_until="2027-09-30")
        assert errors == {} and (ok["valid_from"], ok["valid_until"]) == (
            "2026-09-30", "2027-09-30")
        assert list(check(validity_days="", valid_from="2026-09-29",
                          valid_until="2026-12-01")[1]) == ["valid_from"]
        assert list(check(validity_days="", valid_from="2026-10-01",
                          valid_until="2026-10-01")[1]) == ["valid_until"]
        assert list(check(validity_days="", valid_from="2026-10-01",
                          valid_until="2027-10-02")[1]) == ["valid_until"]
        assert set(check(validity_days="dates")[1]) == {"validity_days"}
        assert set(check(validity_days="dates", valid_from="2026-10-01")[1]) == {"valid_until"}

    def test_agreement_must_be_accepted(self):
        """Anything but a yes is no."""
        for value in (False, "false", "", None, "0"):
            assert list(check(agreement_accepted=value)[1]) == ["agreement_accepted"]

    def test_parse_list(self):
        """Lists from lists or text; no blanks, no repeats, order kept."""
        assert access.parse_list(" a, b；a\nc ") == ["a", "b", "c"]
        assert access.parse_list(["b", " ", "b", "a"]) == ["b", "a"]
        assert access.parse_list(None) == []


class TestDeciders:
    def test_stage_roles(self):
        """Each open state keeps the deciding role of its step, and the requester."""
        held = set(ROLES)
        assert access.stage_roles(held, flows.ENDORSEMENT) == {
            flows.REQUESTER, flows.CONSUMER_REVIEWER}
        assert access.stage_roles(held, flows.PROVIDER_REVIEW) == {
            flows.REQUESTER, flows.PROVIDER_REVIEWER}
        assert access.stage_roles(held, flows.SECURITY_REVIEW) == {
            flows.REQUESTER, flows.PROVIDER_SECURITY}

    @pytest.mark.parametrize("state", list(flows.REQUEST_STATES))
    @pytest.mark.parametrize("role", ROLES)
    def test_only_the_decider_decides(self, state, role):
        """A role decides at a step only when it is the step's decider; the requester only
        resubmits and withdraws."""
        events = access.allowed_now(state, {role}, actor="u", submitter="someone-else")
        for event in events:
            if event in (flows.RESUBMIT, flows.WITHDRAW):
                assert role == flows.REQUESTER
            else:
                assert flows.REQUEST_DECIDER[state] == role

    def test_four_eyes(self):
        """Who filed a request does not endorse it."""
        assert flows.ENDORSE not in access.allowed_now(
            flows.ENDORSEMENT, {flows.CONSUMER_REVIEWER}, actor="u", submitter="u")
        assert flows.ENDORSE in access.allowed_now(
            flows.ENDORSEMENT, {flows.CONSUMER_REVIEWER}, actor="v", submitter="u")

    def test_second_person_at_the_security_stage(self):
        """The reviewer who approved does not approve the security stage too."""
        held = {flows.PROVIDER_REVIEWER, flows.PROVIDER_SECURITY}
        assert flows.APPROVE not in access.allowed_now(
            flows.SECURITY_REVIEW, held, actor="b", submitter="r", provider_approver="b")
        assert flows.APPROVE in access.allowed_now(
            flows.SECURITY_REVIEW, held, actor="c", submitter="r", provider_approver="b")

    @pytest.mark.parametrize("grade,level,branch", [
        ("G2", "G3", None), ("G3", "G3", flows.BRANCH_SECURITY),
        ("IMP", "G3", flows.BRANCH_SECURITY), ("G3", "G4", None), (None, "G3", None),
        ("G9", "G3", None), ("G4", "", None),
    ])
    def test_approve_branch(self, grade, level, branch):
        """From the security grade up (on the configured scale) the security officer decides
        after the reviewer; an unknown grade or level does not branch."""
        assert access.approve_branch(flows.PROVIDER_REVIEW, grade, level, SCALE) == branch
        assert access.approve_branch(flows.SECURITY_REVIEW, grade, level, SCALE) is None


class TestPaths:
    def walk(self, start, steps):
        state = start
        for event, branch in steps:
            state = access.target_of(state, event, branch)
            assert state is not None, (event, branch)
        return state

    def test_cross_department_with_security(self):
        """统一提出 → provider → security officer → approved → delivered."""
        state, decider = flows.request_start(same_department=False, share_type="conditional")
        assert (state, decider) == (flows.ENDORSEMENT, flows.CONSUMER_REVIEWER)
        end = self.walk(state, [(flows.ENDORSE, None), (flows.APPROVE, flows.BRANCH_SECURITY),
                                (flows.APPROVE, None), (flows.DELIVER, None)])
        assert end == flows.DELIVERED and not flows.is_open(flows.ACCESS_REQUEST, end)

    def test_same_department_resubmission_skips_endorsement(self):
        """Within one department: provider first, and back there after a return."""
        state, _decider = flows.request_start(same_department=True, share_type="conditional")
        assert state == flows.PROVIDER_REVIEW
        branch = flows.request_branch_on_resubmit(True)
        assert self.walk(state, [(flows.RETURN, None), (flows.RESUBMIT, branch)]) == (
            flows.PROVIDER_REVIEW)
        assert self.walk(state, [(flows.RETURN, None), (flows.RESUBMIT, None)]) == (
            flows.ENDORSEMENT)

    def test_every_open_state_has_its_decider_and_a_clock(self):
        """Who acts next and the clock that runs are known for every open state but the
        returned one, whose clock stops."""
        for state in flows.REQUEST_STATES:
            if flows.is_open(flows.ACCESS_REQUEST, state):
                assert state in flows.REQUEST_DECIDER
                assert (state in access.MACHINE.clocks) == (state != flows.RETURNED)

    @pytest.mark.parametrize("state,event", list(itertools.product(
        flows.REQUEST_STATES, [e for e in flows.REQUEST_EVENTS if e != flows.GRANT])))
    def test_closed_states_accept_nothing(self, state, event):
        """Delivered, refused and withdrawn requests are final."""
        if state in (flows.DELIVERED, flows.REFUSED, flows.WITHDRAWN):
            assert access.target_of(state, event, None) is None
