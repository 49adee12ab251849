"""The sharing flows' tables (``sharing/flows.py``) on the lifecycle engine: consistent, every
step reachable, the engine's named branches, and the clocks declared as options."""
from __future__ import annotations

import pathlib

import pytest
import yaml

from ckanext.govshare import config
from ckanext.govshare.lifecycle import machine
from ckanext.govshare.sharing import cases, flows


@pytest.mark.parametrize("kind", list(flows.MACHINES))
def test_each_table_is_consistent(kind):
    """Every transition names known states and events, every event has roles, every clock is
    a declared one, every alternative branches off an existing transition."""
    m = flows.MACHINES[kind]
    for (state, event), target in m.transitions.items():
        assert state in m.states and target in m.states and event in m.events
        assert m.roles_for(event, state), f"{kind}: nobody may {event}"
        assert set(m.roles_for(event, state)) <= set(flows.ROLES)
    assert set(m.clocks.values()) <= set(flows.CLOCKS)
    for (state, event, _branch), target in m.alternatives.items():
        assert (state, event) in m.transitions and target in m.states
    assert {e for _s, e in m.transitions} == set(m.events), f"{kind}: an event is never legal"


@pytest.mark.parametrize("kind", [k for k in flows.MACHINES if k in flows.INITIAL])
def test_every_state_is_reachable_from_the_initial_one(kind):
    m = flows.MACHINES[kind]
    seen, todo = set(), [flows.INITIAL[kind]]
    edges = list(m.transitions.items()) + [((s, e), t) for (s, e, _b), t in m.alternatives.items()]
    while todo:
        state = todo.pop()
        if state in seen:
            continue
        seen.add(state)
        todo += [t for (s, _e), t in edges if s == state]
    # a request within one department starts at the provider (flows.request_start)
    assert seen | {flows.PROVIDER_REVIEW} >= set(m.states)


def test_every_decider_role_resolves_to_an_assignee():
    """A case waiting on a role is assigned to someone: a department role, the requester or
    the coordinator."""
    for role in flows.REQUEST_DECIDER.values():
        assert role in cases.ASSIGNEE or role in (flows.REQUESTER, flows.COORDINATOR)


def test_the_clocks_are_declared_options():
    path = pathlib.Path(config.__file__).parent / "config_declaration.yaml"
    keys = {o["key"] for g in yaml.safe_load(path.read_text())["groups"] for o in g["options"]}
    assert set(config.SHARING_CLOCKS) == set(flows.CLOCKS)
    assert {f"ckanext.govshare.deadline.{c}_days" for c in flows.CLOCKS} <= keys


def test_the_security_branch_takes_graded_requests_to_the_security_officer():
    m = flows.MACHINES[flows.ACCESS_REQUEST]
    plain = m.transition(flows.PROVIDER_REVIEW, flows.APPROVE, actor="p", submitter="r",
                         actor_roles={flows.PROVIDER_REVIEWER})
    assert plain.new_state == flows.APPROVED and plain.clock == flows.CLOCK_DELIVERY
    graded = m.transition(flows.PROVIDER_REVIEW, flows.APPROVE, actor="p", submitter="r",
                          actor_roles={flows.PROVIDER_REVIEWER}, branch=flows.BRANCH_SECURITY)
    assert graded.new_state == flows.SECURITY_REVIEW
    with pytest.raises(machine.NotPermitted):
        m.transition(flows.SECURITY_REVIEW, flows.APPROVE, actor="r", submitter="r",
                     actor_roles={flows.PROVIDER_SECURITY})
    with pytest.raises(ValueError, match="no branch"):
        m.transition(flows.ENDORSEMENT, flows.ENDORSE, actor="c", submitter="r",
                     actor_roles={flows.CONSUMER_REVIEWER}, branch=flows.BRANCH_SECURITY)


@pytest.mark.parametrize(("grade", "level", "needed"), [
    ("G3", "G3", True), ("G4", "G3", True), ("G2", "G3", False), (None, "G3", False),
    ("G4", "", False), ("X", "G3", False)])
def test_needs_security_stage(grade, level, needed):
    scale = ["G1", "G2", "G3", "G4"]
    assert flows.needs_security_stage(grade, level, scale) is needed


def test_refusals_need_a_reason_and_role():
    m = flows.MACHINES[flows.ACCESS_REQUEST]
    with pytest.raises(machine.GuardFailed) as err:
        m.transition(flows.PROVIDER_REVIEW, flows.REFUSE, actor="p", submitter="r",
                     actor_roles={flows.PROVIDER_REVIEWER}, reason="  ")
    assert err.value.rule == "reason"
    with pytest.raises(machine.NotPermitted):
        m.transition(flows.PROVIDER_REVIEW, flows.APPROVE, actor="x", submitter="r",
                     actor_roles={flows.REQUESTER})


def test_request_start_routes_by_department():
    assert flows.request_start(same_department=True, share_type="conditional") == (
        flows.PROVIDER_REVIEW, flows.PROVIDER_REVIEWER)
    assert flows.request_start(same_department=False, share_type="conditional") == (
        flows.ENDORSEMENT, flows.CONSUMER_REVIEWER)
