"""The dispute (争议) and quality complaint (纠错) tables and the dispute service's pure rules,
without a database: who fires what, which steps need a reason, which clocks run, which
outcomes a kind allows, which access requests may be disputed, under which party a step is
recorded."""
from __future__ import annotations

import datetime

import pytest

from ckanext.govshare.lifecycle import machine
from ckanext.govshare.sharing import dispute, flows

DISPUTE = flows.MACHINES[flows.DISPUTE]
COMPLAINT = flows.MACHINES[flows.COMPLAINT]

NOW = datetime.datetime(2026, 3, 10, 2, 0, tzinfo=datetime.timezone.utc)
PAST = NOW - datetime.timedelta(days=1)
FUTURE = NOW + datetime.timedelta(days=1)

RAISER = {flows.PARTY_RAISER, flows.REQUESTER}
RESPONDENT = {flows.PARTY_RESPONDENT, flows.PROVIDER_REVIEWER}
COORDINATOR = {flows.COORDINATOR}


def _fire(m, state, event, roles, reason="理由"):
    return m.transition(state, event, actor="u1", submitter="u0", reason=reason,
                        actor_roles=roles)


# -- disputes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("roles", [RAISER, RESPONDENT])
def test_either_side_settles_or_escalates(roles):
    """Negotiation: either side settles (closed) or escalates (to the coordinator, whose
    clock starts)."""
    assert _fire(DISPUTE, flows.NEGOTIATING, flows.SETTLE, roles).new_state == flows.CLOSED
    result = _fire(DISPUTE, flows.NEGOTIATING, flows.ESCALATE, roles)
    assert (result.new_state, result.clock) == (flows.ESCALATED, flows.CLOCK_COORDINATION)


def test_negotiation_runs_on_its_clock():
    """A new dispute negotiates on the negotiation clock; settled or decided, no clock runs."""
    assert DISPUTE.clocks[flows.NEGOTIATING] == flows.CLOCK_NEGOTIATION
    assert _fire(DISPUTE, flows.NEGOTIATING, flows.SETTLE, RAISER).clock is None
    assert _fire(DISPUTE, flows.ESCALATED, flows.DECIDE, COORDINATOR).clock is None


def test_only_the_raiser_withdraws():
    """The raising side may withdraw during the negotiation; the respondent may not."""
    assert _fire(DISPUTE, flows.NEGOTIATING, flows.WITHDRAW, RAISER).new_state == flows.WITHDRAWN
    with pytest.raises(machine.NotPermitted):
        _fire(DISPUTE, flows.NEGOTIATING, flows.WITHDRAW, RESPONDENT)


@pytest.mark.parametrize("event,state", [(flows.DECIDE, flows.ESCALATED),
                                         (flows.EXECUTE, flows.DECIDED),
                                         (flows.CLOSE, flows.EXECUTED)])
def test_only_the_coordinator_decides_executes_closes(event, state):
    """The binding decision, its execution and the closing are the coordinator's."""
    assert _fire(DISPUTE, state, event, COORDINATOR).new_state == DISPUTE.transitions[
        (state, event)]
    for roles in (RAISER, RESPONDENT):
        with pytest.raises(machine.NotPermitted):
            _fire(DISPUTE, state, event, roles)


def test_the_path_to_closing():
    """raised → negotiation → escalated → decided → executed → closed (Appendix B)."""
    state = flows.INITIAL[flows.DISPUTE]
    for event, roles in ((flows.ESCALATE, RAISER), (flows.DECIDE, COORDINATOR),
                         (flows.EXECUTE, COORDINATOR), (flows.CLOSE, COORDINATOR)):
        state = _fire(DISPUTE, state, event, roles).new_state
    assert state == flows.CLOSED
    assert not flows.is_open(flows.DISPUTE, flows.CLOSED)
    assert not flows.is_open(flows.DISPUTE, flows.WITHDRAWN)


@pytest.mark.parametrize("event,state,roles", [
    (flows.SETTLE, flows.NEGOTIATING, RAISER),
    (flows.ESCALATE, flows.NEGOTIATING, RESPONDENT),
    (flows.DECIDE, flows.ESCALATED, COORDINATOR)])
def test_reasons_are_required(event, state, roles):
    """Settling, escalating and deciding state their reasons."""
    with pytest.raises(machine.GuardFailed) as err:
        _fire(DISPUTE, state, event, roles, reason="  ")
    assert err.value.rule == "reason"


def test_decision_needs_the_escalation():
    """Nobody decides a dispute still in negotiation."""
    with pytest.raises(machine.IllegalTransition):
        _fire(DISPUTE, flows.NEGOTIATING, flows.DECIDE, COORDINATOR)


def test_the_system_escalates_an_overdue_negotiation():
    """The automatic escalation passes without roles (``system`` may fire it)."""
    assert flows.SYSTEM in DISPUTE.roles_for(flows.ESCALATE, flows.NEGOTIATING)
    result = DISPUTE.transition(flows.NEGOTIATING, flows.ESCALATE, actor="", reason="超期",
                                actor_roles=None)
    assert result.new_state == flows.ESCALATED


def test_every_kind_is_about_an_entry_or_a_request():
    """The catalogue and sharing kinds split the table's kinds, and each has outcomes from the
    table's list."""
    assert set(dispute.CATALOGUE_KINDS) | set(dispute.SHARING_KINDS) == set(flows.DISPUTE_KINDS)
    assert not set(dispute.CATALOGUE_KINDS) & set(dispute.SHARING_KINDS)
    for kind in flows.DISPUTE_KINDS:
        assert dispute.outcomes_for(kind)
        assert set(dispute.outcomes_for(kind)) <= set(flows.DISPUTE_OUTCOMES)
    assert dispute.is_sharing_kind("refusal") and not dispute.is_sharing_kind("ownership")


def test_a_not_shared_entry_is_contested_through_its_share_attribute():
    """A share-attribute dispute may end in a grant or a revised entry."""
    assert {"grant", "revise_entry"} <= set(dispute.outcomes_for("share_attribute"))
    assert "confirm_refusal" in dispute.outcomes_for("refusal")
    assert "grant" not in dispute.outcomes_for("ownership")


@pytest.mark.parametrize("kind,state,due,expected", [
    ("refusal", flows.REFUSED, None, True),
    ("refusal", flows.PROVIDER_REVIEW, PAST, False),
    ("overdue", flows.PROVIDER_REVIEW, PAST, True),
    ("overdue", flows.SECURITY_REVIEW, PAST, True),
    ("overdue", flows.APPROVED, PAST, True),
    ("overdue", flows.PROVIDER_REVIEW, FUTURE, False),
    ("overdue", flows.ENDORSEMENT, PAST, False),  # the requester's own department is late
    ("overdue", flows.RETURNED, None, False),  # the clock is stopped
    ("conditions", flows.APPROVED, None, True),
    ("conditions", flows.RETURNED, None, True),
    ("conditions", flows.WITHDRAWN, None, False),
    ("ownership", flows.REFUSED, None, False),
])
def test_which_requests_may_be_disputed(kind, state, due, expected):
    """A refusal once refused, an overdue reply once past the provider's deadline, the
    conditions once set."""
    assert dispute.request_disputable(kind, state, due, NOW) is expected


def test_party_of_a_step():
    """A step is recorded under the actor's most specific role among those permitted."""
    settle = DISPUTE.roles_for(flows.SETTLE, flows.NEGOTIATING)
    assert dispute.party_of(RAISER, settle) == flows.PARTY_RAISER
    assert dispute.party_of(RESPONDENT, settle) == flows.PARTY_RESPONDENT
    assert dispute.party_of(RESPONDENT | COORDINATOR, settle) == flows.PARTY_RESPONDENT
    decide = DISPUTE.roles_for(flows.DECIDE, flows.ESCALATED)
    assert dispute.party_of(RESPONDENT | COORDINATOR, decide) == flows.COORDINATOR
    assert dispute.party_of(set(), DISPUTE.roles_for(flows.ESCALATE, "")) == flows.SYSTEM


# -- quality complaints --------------------------------------------------------------------------


@pytest.mark.parametrize("roles", [{flows.PROVIDER_REVIEWER}, {flows.PROVIDER_COMPILER}])
def test_the_provider_answers(roles):
    """The reviewer of the entry's department or a compiler of its unit answers, with the
    correction (a reason)."""
    assert _fire(COMPLAINT, flows.SUBMITTED, flows.ANSWER, roles).new_state == flows.ANSWERED
    with pytest.raises(machine.GuardFailed):
        _fire(COMPLAINT, flows.SUBMITTED, flows.ANSWER, roles, reason="")
    with pytest.raises(machine.NotPermitted):
        _fire(COMPLAINT, flows.SUBMITTED, flows.ANSWER, {flows.REQUESTER})


def test_the_complainant_rates_or_reopens():
    """Rated: solved and closed; reopened: back to the provider with a new reply clock."""
    requester = {flows.REQUESTER}
    assert _fire(COMPLAINT, flows.ANSWERED, flows.RATE, requester).new_state == flows.SOLVED
    assert not flows.is_open(flows.COMPLAINT, flows.SOLVED)
    result = _fire(COMPLAINT, flows.ANSWERED, flows.REOPEN, requester)
    assert (result.new_state, result.clock) == (flows.SUBMITTED, flows.CLOCK_COMPLAINT_REPLY)
    with pytest.raises(machine.GuardFailed):
        _fire(COMPLAINT, flows.ANSWERED, flows.REOPEN, requester, reason=None)
    with pytest.raises(machine.NotPermitted):
        _fire(COMPLAINT, flows.ANSWERED, flows.RATE, {flows.PROVIDER_REVIEWER})


def test_a_complaint_is_withdrawn_only_before_its_answer():
    """The complainant withdraws while it waits for the provider, not after the answer."""
    assert _fire(COMPLAINT, flows.SUBMITTED, flows.WITHDRAW, {flows.REQUESTER}).new_state \
        == flows.WITHDRAWN
    with pytest.raises(machine.IllegalTransition):
        _fire(COMPLAINT, flows.ANSWERED, flows.WITHDRAW, {flows.REQUESTER})
