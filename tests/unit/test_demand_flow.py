"""The demand and collection flows without a database: their tables (written out here
independently of ``flows``), who may take each step, the clocks, the draft entry an accepted
demand gets (valid under every catalogue rule), the reviewer of a collection or backflow
request and the due moment of a planned date."""
from __future__ import annotations

import datetime
import itertools

import pytest

from ckanext.govshare.catalogue import rules, vocab
from ckanext.govshare.lifecycle import deadlines
from ckanext.govshare.lifecycle import machine as lc
from ckanext.govshare.sharing import collection, demand, flows

DEMAND = flows.MACHINES[flows.DEMAND]
COLLECTION = flows.MACHINES[flows.COLLECTION]

# DB14 §9.2–9.3, Fig. B.1: 提出需求 → 受理 / 转办 / 不予受理 → (目录发布) 已满足
DEMAND_EXPECTED = {
    ("submitted", "accept"): "accepted",
    ("submitted", "transfer"): "submitted",
    ("submitted", "refuse"): "refused",
    ("submitted", "withdraw"): "withdrawn",
    ("accepted", "fulfil"): "fulfilled",
    ("accepted", "withdraw"): "withdrawn",
}
# DB14 §8.3.1 b): the 共享管理责任机构 reviews (approve / return / refuse); §8.3.2 alike
COLLECTION_EXPECTED = {
    ("submitted", "approve"): "approved",
    ("submitted", "return"): "returned",
    ("submitted", "refuse"): "refused",
    ("submitted", "withdraw"): "withdrawn",
    ("returned", "resubmit"): "submitted",
    ("returned", "withdraw"): "withdrawn",
    ("approved", "complete"): "completed",
}
DEMAND_ROLES = {
    "accept": {"provider_reviewer"},
    "transfer": {"provider_reviewer", "coordinator"},
    "refuse": {"provider_reviewer"},
    "fulfil": {"system", "provider_reviewer"},
    "withdraw": {"requester"},
}
COLLECTION_ROLES = {
    "approve": {"provider_reviewer"},
    "return": {"provider_reviewer"},
    "refuse": {"provider_reviewer"},
    "resubmit": {"requester"},
    "withdraw": {"requester"},
    "complete": {"requester", "provider_reviewer"},
}
ALL_ROLES = sorted(flows.ROLES)


@pytest.mark.parametrize(("machine", "expected"), [
    (DEMAND, DEMAND_EXPECTED), (COLLECTION, COLLECTION_EXPECTED)])
def test_every_pair_of_state_and_event(machine, expected):
    """Exactly the expected transitions; every other (state, event) is illegal."""
    for state, event in itertools.product(machine.states, machine.events):
        if (state, event) in expected:
            result = machine.transition(state, event, actor="u", reason="理由",
                                        actor_roles=None)
            assert result.new_state == expected[(state, event)]
        else:
            with pytest.raises(lc.IllegalTransition):
                machine.transition(state, event, actor="u", reason="理由", actor_roles=None)


@pytest.mark.parametrize(("machine", "expected", "table"), [
    (DEMAND, DEMAND_EXPECTED, DEMAND_ROLES), (COLLECTION, COLLECTION_EXPECTED, COLLECTION_ROLES)])
def test_who_may_take_each_step(machine, expected, table):
    """One role at a time: only the roles of the table pass the role guard."""
    for (state, event), role in itertools.product(expected, ALL_ROLES):
        if role in table[event]:
            machine.transition(state, event, actor="u", submitter="s", reason="理由",
                               actor_roles={role})
        else:
            with pytest.raises(lc.NotPermitted):
                machine.transition(state, event, actor="u", submitter="s", reason="理由",
                                   actor_roles={role})


def test_demand_reasons_and_clock():
    """Refusal and transfer state their reason; the reply clock runs while submitted, a
    transfer keeps the demand on it (the service restarts it for the new department)."""
    for event in ("refuse", "transfer"):
        with pytest.raises(lc.GuardFailed) as err:
            DEMAND.transition("submitted", event, actor="u", reason=" ", actor_roles=None)
        assert err.value.rule == "reason"
    assert DEMAND.transition("submitted", "transfer", actor="u", reason="转办",
                             actor_roles=None).clock == flows.CLOCK_DEMAND_REPLY
    assert DEMAND.transition("submitted", "accept", actor="u", actor_roles=None).clock is None
    assert DEMAND.four_eyes == frozenset()


def test_collection_four_eyes_and_clock():
    """Nobody reviews the request they submitted; a resubmission restarts the review clock."""
    for event in ("approve", "return", "refuse"):
        with pytest.raises(lc.NotPermitted) as err:
            COLLECTION.transition("submitted", event, actor="a", submitter="a", reason="r",
                                  actor_roles={"provider_reviewer"})
        assert err.value.rule == "four_eyes"
    result = COLLECTION.transition("returned", "resubmit", actor="a", actor_roles={"requester"})
    assert result.clock == flows.CLOCK_COLLECTION_REVIEW and result.submitter == "a"
    for event in ("return", "refuse"):
        with pytest.raises(lc.GuardFailed):
            COLLECTION.transition("submitted", event, actor="b", submitter="a", reason="",
                                  actor_roles={"provider_reviewer"})


def test_open_and_closed_states():
    assert [s for s in DEMAND.states if flows.is_open(flows.DEMAND, s)] == [
        "submitted", "accepted"]
    assert [s for s in COLLECTION.states if flows.is_open(flows.COLLECTION, s)] == [
        "submitted", "returned", "approved"]


# -- the draft entry -------------------------------------------------------------------------------


def _draft(**overrides):
    values = dict(
        title="企业用电信息", description="全省企业月度用电量", items=["统一社会信用代码", "用电量", "用电量", " "],
        update_cycle="monthly", update_cycle_other=None, scenario="企业经营状况监测",
        basis="《优化营商环境条例》", owner_org="org-id", unit="DJZCC", consumer="省发展改革委",
        name="xq-2026-000001-abcdef", grade=vocab.DEFAULT_GRADE_SCALE.codes[0])
    values.update(overrides)
    return demand.draft_entry(**values)


def _problems(entry):
    # provider_code is filled from the department by package_create
    return rules.check_entry({**entry, "provider_code": "11140000MB1957364J"},
                             grade_scale=vocab.DEFAULT_GRADE_SCALE, allow_core_sharing=False)


def test_draft_entry_is_valid():
    """The draft carries the demand's title, 信息项 (once each) and cycle, its scenario and
    basis as the share condition and scope, and satisfies every catalogue rule."""
    entry = _draft()
    assert _problems(entry) == {}
    assert entry["title"] == "企业用电信息" and entry["provider_unit"] == "DJZCC"
    assert [i["name"] for i in entry["info_items"]] == ["统一社会信用代码", "用电量"]
    assert entry["share_type"] == "conditional"
    assert entry["share_condition"] == "《优化营商环境条例》"
    assert entry["share_scope"][0]["consumers"] == "省发展改革委"
    assert entry["share_scope"][0]["scenarios"] == "企业经营状况监测"


def test_draft_entry_with_other_cycle_and_no_basis():
    entry = _draft(update_cycle="other", update_cycle_other="每旬", basis=None, description="")
    assert _problems(entry) == {}
    assert entry["update_cycle_other"] == "每旬"
    assert entry["share_condition"] == "企业经营状况监测"
    assert entry["notes"] == "企业用电信息"


def test_draft_entry_without_items_is_not_valid():
    """A demand always names 信息项; a draft without any would be refused by the rules."""
    assert "info_items" in _problems(_draft(items=[]))


# -- collection and backflow; dates ------------------------------------------------------------------


def test_reviewer_of_a_request():
    """DB14 §8.3.1 b): the requester's own department; §8.3.2: the superior department."""
    assert collection.target_of("collection", "mine", "superior") == "mine"
    assert collection.target_of("backflow", "mine", "superior") == "superior"
    assert set(flows.COLLECTION_TYPES) == {collection.COLLECTION, collection.BACKFLOW}


def test_planned_date_is_due_at_the_end_of_the_day_in_beijing():
    due = demand.due_of_date(datetime.date(2026, 10, 9))
    assert due == datetime.datetime(2026, 10, 9, 23, 59, 59, tzinfo=deadlines.SHANGHAI)
    assert due.astimezone(datetime.timezone.utc).hour == 15


def test_sides_are_named_once():
    assert demand.SIDES == ("mine", "handle", "department")
    assert demand.ALL_SIDES not in demand.SIDES
    assert set(demand.FIELDS) >= {"scenario", "basis", "items", "update_cycle",
                                  "expected_date"}
    assert set(collection.FIELDS) >= {"scenario", "existing_data", "source_org",
                                      "target_library", "mode", "frequency", "fields"}
