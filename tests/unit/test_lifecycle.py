"""The catalogue and revision state machines, without a database."""
from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ckanext.govshare.lifecycle import machine as lc
from ckanext.govshare.lifecycle import tables

# The expected tables, written out independently of the module (issue #4 §1 and §2).
CATALOGUE_EXPECTED = {
    ("draft", "submit"): "in_review",
    ("in_review", "approve"): "published",
    ("in_review", "return"): "draft",
    ("published", "request_offline"): "offline_review",
    ("offline_review", "approve_offline"): "offline",
    ("offline_review", "reject_offline"): "published",
    ("offline", "reinstate"): "in_review",
}
CATALOGUE_STATES = ["draft", "in_review", "published", "offline_review", "offline"]
CATALOGUE_EVENTS = [
    "submit",
    "approve",
    "return",
    "request_offline",
    "approve_offline",
    "reject_offline",
    "reinstate",
]
REVISION_EXPECTED = {
    ("draft", "update"): "draft",
    ("draft", "submit"): "in_review",
    ("draft", "discard"): "discarded",
    ("in_review", "approve"): "approved",
    ("in_review", "return"): "returned",
    ("returned", "update"): "draft",
    ("returned", "submit"): "in_review",
    ("returned", "discard"): "discarded",
}
REVISION_STATES = ["draft", "in_review", "approved", "returned", "discarded"]
REVISION_EVENTS = ["submit", "approve", "return", "discard", "update"]

# Who may fire what (DB14 §7.2 compiler, §7.5 reviewer, §5 coordinator), by (event, stage).
ROLE_EXPECTED = {
    ("submit", None): {"compiler"},
    ("reinstate", None): {"compiler"},
    ("request_offline", None): {"compiler"},
    ("update", None): {"compiler"},
    ("discard", None): {"compiler"},
    ("approve", "reviewer"): {"reviewer"},
    ("return", "reviewer"): {"reviewer"},
    ("approve_offline", None): {"reviewer"},
    ("reject_offline", None): {"reviewer"},
    ("approve", "coordinator"): {"coordinator"},
    ("return", "coordinator"): {"coordinator"},
}
ROLES = ["compiler", "reviewer", "coordinator"]


def _fire(machine: lc.StateMachine, state: str, event: str, **kwargs):
    kwargs.setdefault("actor", "bob")
    kwargs.setdefault("submitter", "alice")
    kwargs.setdefault("reason", "a reason")
    kwargs.setdefault("actor_roles", None)
    return machine.transition(state, event, **kwargs)


def test_catalogue_states_and_events_are_the_issues():
    """The catalogue has exactly the five states and seven events of the issue, each labelled zh/en."""
    assert list(lc.CATALOGUE.states) == CATALOGUE_STATES
    assert list(lc.CATALOGUE.events) == CATALOGUE_EVENTS
    assert lc.CATALOGUE.states["in_review"] == lc.Label("审核中", "In review")
    for label in [*lc.CATALOGUE.states.values(), *lc.CATALOGUE.events.values()]:
        assert label.zh and label.en and label.zh != label.en


def test_revision_states_and_events_are_the_issues():
    """A pending revision has states draft/in_review/approved/returned/discarded, each labelled zh/en."""
    assert sorted(lc.REVISION.states) == sorted(REVISION_STATES)
    assert sorted(lc.REVISION.events) == sorted(REVISION_EVENTS)
    for label in [*lc.REVISION.states.values(), *lc.REVISION.events.values()]:
        assert label.zh and label.en


@pytest.mark.parametrize(
    ("state", "event"), list(itertools.product(CATALOGUE_STATES, CATALOGUE_EVENTS))
)
def test_catalogue_every_state_and_event(state, event):
    """Each (state, event) of the catalogue goes where the table says, or is refused naming state and allowed events."""
    expected = CATALOGUE_EXPECTED.get((state, event))
    if expected is None:
        with pytest.raises(lc.IllegalTransition) as err:
            _fire(lc.CATALOGUE, state, event)
        assert err.value.state == state
        assert err.value.event == event
        assert err.value.allowed_events == [e for (s, e) in CATALOGUE_EXPECTED if s == state]
        assert err.value.error_dict() == {"catalogue_state": [str(err.value)]}
    else:
        assert _fire(lc.CATALOGUE, state, event).new_state == expected


@pytest.mark.parametrize(("state", "event"), list(itertools.product(REVISION_STATES, REVISION_EVENTS)))
def test_revision_every_state_and_event(state, event):
    """Each (state, event) of a pending revision goes where the table says, or is refused naming the allowed events."""
    expected = REVISION_EXPECTED.get((state, event))
    if expected is None:
        with pytest.raises(lc.IllegalTransition) as err:
            _fire(lc.REVISION, state, event)
        assert err.value.allowed_events == [e for (s, e) in REVISION_EXPECTED if s == state]
        assert err.value.field == "state"
    else:
        assert _fire(lc.REVISION, state, event).new_state == expected


def test_illegal_transition_message_is_english_by_default():
    """Outside a request (gettext's msgids) the refusal is English: the state and the allowed
    actions, no Chinese."""
    with pytest.raises(lc.IllegalTransition) as err:
        lc.transition("published", "approve", actor="bob", actor_roles=None)
    message = str(err.value)
    assert "'Published'" in message and "request offline" in message
    assert " / " not in message and "已发布" not in message


@pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")
def test_illegal_transition_message_is_chinese_in_a_chinese_portal(app):
    """In a request to a portal whose default locale is zh_Hans_CN (the API, an unprefixed
    page) the refusal is Chinese only."""
    with app.flask_app.test_request_context(), \
            pytest.raises(lc.IllegalTransition) as err:
        lc.transition("published", "approve", actor="bob", actor_roles=None)
    message = str(err.value)
    assert "已发布" in message and "申请下线" in message
    assert "published" not in message and " / " not in message


def test_terminal_revision_states_allow_nothing():
    """Approved and discarded revisions are final: no event is allowed and the message says so."""
    assert lc.revision_allowed_events("approved") == []
    with pytest.raises(lc.IllegalTransition, match="none"):
        lc.revision_transition("discarded", "update", actor="bob", actor_roles=None)


@pytest.mark.parametrize("bad", [("limbo", "submit"), ("draft", "publish")])
def test_unknown_state_or_event_is_a_programming_error(bad):
    """A state or event outside the table is a ValueError, not a user-facing refusal."""
    with pytest.raises(ValueError):
        lc.transition(*bad, actor="bob", actor_roles=None)


def test_unknown_stage_is_a_programming_error():
    """A review stage other than reviewer/coordinator is a ValueError."""
    with pytest.raises(ValueError):
        lc.transition("in_review", "approve", actor="bob", stage="board", actor_roles=None)


@pytest.mark.parametrize(("state", "event"), [
    ("in_review", "return"),
    ("published", "request_offline"),
    ("offline_review", "reject_offline"),
])
@pytest.mark.parametrize("reason", [None, "", "   \n"])
def test_reason_required(state, event, reason):
    """Return, request_offline and reject_offline need a non-blank reason (DB14 §7.3)."""
    with pytest.raises(lc.GuardFailed) as err:
        _fire(lc.CATALOGUE, state, event, reason=reason)
    assert err.value.field == "reason"
    assert err.value.rule == "reason"
    assert not isinstance(err.value, lc.NotPermitted)
    # the event by its label (English outside a request), the code is the error's event
    assert str(err.value) == f"a reason is required to {event.replace('_', ' ')}"
    assert err.value.event == event


def test_reason_is_stripped_and_carried():
    """The result carries the reason without surrounding blanks, for the audit row."""
    result = _fire(lc.CATALOGUE, "in_review", "return", reason="  信息项缺失 \n")
    assert result.reason == "信息项缺失"


@pytest.mark.parametrize(("state", "event"), [
    ("draft", "submit"),
    ("in_review", "approve"),
    ("offline_review", "approve_offline"),
    ("offline", "reinstate"),
])
def test_reason_optional_elsewhere(state, event):
    """Submit, approve, approve_offline and reinstate go through without a reason."""
    assert _fire(lc.CATALOGUE, state, event, reason=None).reason is None


def test_revision_return_requires_reason():
    """Returning a revision needs a reason too."""
    with pytest.raises(lc.GuardFailed):
        _fire(lc.REVISION, "in_review", "return", reason="")


@pytest.mark.parametrize(("state", "event"), [
    ("in_review", "approve"),
    ("in_review", "return"),
    ("offline_review", "approve_offline"),
    ("offline_review", "reject_offline"),
])
def test_four_eyes_catalogue(state, event):
    """Nobody decides on what they submitted themselves, even holding the reviewer role."""
    with pytest.raises(lc.NotPermitted) as err:
        _fire(lc.CATALOGUE, state, event, actor="alice", submitter="alice",
              actor_roles=["compiler", "reviewer"])
    assert err.value.rule == "four_eyes"
    assert err.value.field == "actor"
    assert _fire(lc.CATALOGUE, state, event, actor="bob", submitter="alice",
                 actor_roles=["reviewer"]).new_state == CATALOGUE_EXPECTED[(state, event)]


@pytest.mark.parametrize("event", ["approve", "return"])
def test_four_eyes_revision(event):
    """The author of a revision cannot approve or return it."""
    with pytest.raises(lc.NotPermitted):
        _fire(lc.REVISION, "in_review", event, actor="alice", submitter="alice")


def test_four_eyes_not_applied_to_requests():
    """Submitting, requesting offline and reinstating are requests: the four-eyes rule does not apply."""
    for state, event in [("draft", "submit"), ("published", "request_offline"), ("offline", "reinstate")]:
        result = _fire(lc.CATALOGUE, state, event, actor="alice", submitter="alice")
        assert result.submitter == "alice"


def test_four_eyes_unknown_submitter_does_not_block():
    """An entry without a recorded submitter (e.g. imported) can still be decided."""
    assert _fire(lc.CATALOGUE, "in_review", "approve", submitter=None).new_state == "published"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("state", "event", "stage"), [
    *[(s, e, "reviewer" if s == "in_review" else None) for (s, e) in CATALOGUE_EXPECTED],
    ("in_review", "approve", "coordinator"),
    ("in_review", "return", "coordinator"),
])
def test_role_per_catalogue_transition(role, state, event, stage):
    """Each role may fire exactly the events the role table gives it, at the current stage."""
    allowed = role in ROLE_EXPECTED[(event, stage)]
    kwargs = {"actor_roles": [role], "stage": stage, "stage_approver": "carol"}
    if allowed:
        assert _fire(lc.CATALOGUE, state, event, **kwargs).from_state == state
    else:
        with pytest.raises(lc.NotPermitted) as err:
            _fire(lc.CATALOGUE, state, event, **kwargs)
        assert err.value.rule == "role"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("state", "event"), list(REVISION_EXPECTED))
def test_role_per_revision_transition(role, state, event):
    """Compilers update, submit and discard revisions; reviewers approve and return them."""
    stage = "reviewer" if state == "in_review" else None
    if role in ROLE_EXPECTED[(event, stage)]:
        assert _fire(lc.REVISION, state, event, actor_roles=[role]).new_state
    else:
        with pytest.raises(lc.NotPermitted):
            _fire(lc.REVISION, state, event, actor_roles=[role])


def test_role_table_is_the_modules():
    """The module's role table is the one of the standard's division of labour."""
    assert {k: set(v) for k, v in tables.ROLE_PERMISSIONS.items()} == ROLE_EXPECTED


def test_no_roles_means_nothing_permitted():
    """An actor with no role on the entry may fire nothing (deny by default)."""
    with pytest.raises(lc.NotPermitted):
        _fire(lc.CATALOGUE, "draft", "submit", actor_roles=[])


def test_role_refusal_message_names_the_role():
    """The role refusal names the role that may act (English outside a request)."""
    with pytest.raises(lc.NotPermitted) as err:
        _fire(lc.CATALOGUE, "in_review", "approve", actor_roles=["compiler"])
    assert str(err.value) == "only Reviewer may approve in state 'In review'"


def test_second_stage_reviewer_approval_goes_to_coordinator():
    """With the second stage, the reviewer's approval keeps the entry in review at the coordinator stage."""
    result = _fire(lc.CATALOGUE, "in_review", "approve", actor="bob", submitter="alice",
                   needs_second_stage=True, actor_roles=["reviewer"])
    assert (result.new_state, result.new_stage) == ("in_review", "coordinator")
    assert result.stage_approver == "bob"
    assert result.submitter == "alice"
    assert result.clock == "review"


def test_second_stage_coordinator_publishes():
    """At the coordinator stage only the coordinator's approval publishes."""
    kwargs = {"stage": "coordinator", "stage_approver": "bob", "needs_second_stage": True}
    with pytest.raises(lc.NotPermitted):
        _fire(lc.CATALOGUE, "in_review", "approve", actor="dave", actor_roles=["reviewer"], **kwargs)
    result = _fire(lc.CATALOGUE, "in_review", "approve", actor="carol",
                   actor_roles=["coordinator"], **kwargs)
    assert (result.new_state, result.new_stage) == ("published", None)
    assert result.submitter is None and result.clock is None


def test_second_stage_needs_a_second_person():
    """The coordinator cannot be the reviewer who approved at the first stage."""
    with pytest.raises(lc.NotPermitted) as err:
        _fire(lc.CATALOGUE, "in_review", "approve", actor="bob", stage="coordinator",
              stage_approver="bob", actor_roles=["reviewer", "coordinator"])
    assert err.value.rule == "four_eyes"


def test_second_stage_coordinator_may_return():
    """The coordinator may return the entry to draft, with a reason."""
    result = _fire(lc.CATALOGUE, "in_review", "return", actor="carol", stage="coordinator",
                   stage_approver="bob", actor_roles=["coordinator"])
    assert (result.new_state, result.new_stage) == ("draft", None)


def test_without_second_stage_reviewer_publishes():
    """Without the second stage the reviewer's approval publishes directly."""
    result = _fire(lc.CATALOGUE, "in_review", "approve", needs_second_stage=False,
                   actor_roles=["reviewer"])
    assert (result.new_state, result.new_stage) == ("published", None)


def test_second_stage_applies_to_revisions():
    """A revision of an entry that needs the coordinator goes to the coordinator stage too."""
    result = _fire(lc.REVISION, "in_review", "approve", needs_second_stage=True)
    assert (result.new_state, result.new_stage) == ("in_review", "coordinator")
    assert _fire(lc.REVISION, "in_review", "approve", stage="coordinator",
                 needs_second_stage=True).new_state == "approved"


@pytest.mark.parametrize(("state", "event", "clock"), [
    ("draft", "submit", "review"),
    ("offline", "reinstate", "review"),
    ("published", "request_offline", "offline_review"),
])
def test_opening_events_record_submitter_and_clock(state, event, clock):
    """Submit, reinstate and request_offline make the actor the submitter and start a working-day clock."""
    result = _fire(lc.CATALOGUE, state, event, actor="alice", submitter=None)
    assert result.submitter == "alice"
    assert result.clock == clock
    assert result.new_stage == ("reviewer" if result.new_state == "in_review" else None)


def test_revision_submit_starts_revision_clock():
    """Submitting a revision starts the revision-review clock."""
    assert _fire(lc.REVISION, "draft", "submit").clock == "revision_review"


@pytest.mark.parametrize(("state", "event"), [
    ("in_review", "return"),
    ("offline_review", "approve_offline"),
    ("offline_review", "reject_offline"),
])
def test_decisions_close_the_step(state, event):
    """A decision clears the pending submitter and stops the clock."""
    result = _fire(lc.CATALOGUE, state, event)
    assert result.submitter is None and result.clock is None


def test_allowed_events_per_state():
    """allowed_events lists the table's events for each state, in table order."""
    for state in CATALOGUE_STATES:
        assert lc.allowed_events(state) == [e for (s, e) in CATALOGUE_EXPECTED if s == state]


def test_allowed_events_for_an_actor():
    """allowed_events filters by the actor's roles and the four-eyes rule."""
    assert lc.allowed_events("in_review", actor_roles=["compiler"]) == []
    assert lc.allowed_events("in_review", actor_roles=["reviewer"]) == ["approve", "return"]
    assert lc.allowed_events(
        "in_review", actor="alice", submitter="alice", actor_roles=["reviewer"]
    ) == []
    assert lc.allowed_events("in_review", stage="coordinator", actor_roles=["reviewer"]) == []
    assert lc.allowed_events(
        "in_review", stage="coordinator", actor="bob", stage_approver="bob",
        actor_roles=["coordinator"],
    ) == []
    assert lc.allowed_events("published", actor_roles=["compiler"]) == ["request_offline"]


def test_full_lifecycle_walk():
    """An entry can go draft → review → published → offline review → offline → review → published."""
    steps = [
        ("submit", "alice", ["compiler"], "in_review"),
        ("return", "bob", ["reviewer"], "draft"),
        ("submit", "alice", ["compiler"], "in_review"),
        ("approve", "bob", ["reviewer"], "published"),
        ("request_offline", "alice", ["compiler"], "offline_review"),
        ("reject_offline", "bob", ["reviewer"], "published"),
        ("request_offline", "alice", ["compiler"], "offline_review"),
        ("approve_offline", "bob", ["reviewer"], "offline"),
        ("reinstate", "alice", ["compiler"], "in_review"),
        ("approve", "bob", ["reviewer"], "published"),
    ]
    state, submitter = "draft", None
    for event, actor, roles, expected in steps:
        result = lc.transition(state, event, actor=actor, submitter=submitter,
                               reason="理由", actor_roles=roles)
        assert result.new_state == expected
        state, submitter = result.new_state, result.submitter


@given(st.lists(st.sampled_from(CATALOGUE_EVENTS), max_size=30))
def test_any_event_sequence_follows_allowed_events(events):
    """A transition succeeds exactly when allowed_events offers it, and the state stays in the table."""
    state = "draft"
    for event in events:
        offered = event in lc.allowed_events(state)
        try:
            result = lc.transition(state, event, actor="bob", submitter="alice",
                                   reason="r", actor_roles=None)
        except lc.IllegalTransition:
            assert not offered
        else:
            assert offered
            assert result.new_state in CATALOGUE_STATES
            state = result.new_state


@pytest.mark.parametrize(("entry", "expected"), [
    ({"share_type": "conditional"}, True),
    ({"share_type": "not_shared"}, True),
    ({"share_type": "unconditional", "data_grade": "G3"}, True),
    ({"share_type": "unconditional", "data_grade": "G4"}, True),
    ({"share_type": "unconditional", "data_grade": "G2"}, False),
    ({}, False),
])
def test_needs_second_stage_conditions(entry, expected):
    """Any matching field=value condition sends the entry to the coordinator."""
    conditions = ["share_type=conditional", "share_type=not_shared", "data_grade=G3", "data_grade=G4"]
    assert lc.needs_second_stage(entry, conditions) is expected


def test_needs_second_stage_off_by_default():
    """With no conditions configured no entry needs the second stage."""
    assert lc.needs_second_stage({"share_type": "not_shared", "data_grade": "G4"}, []) is False


@pytest.mark.parametrize("bad", ["share_type", "data_grade>=G3", "=x", "a b=c"])
def test_second_stage_condition_syntax(bad):
    """A condition that is not field=value is refused, so a typo in the config is not silently ignored."""
    with pytest.raises(ValueError):
        lc.needs_second_stage({}, [bad])


# -- edits of a published entry that need no review (issue #4 §2) --------------------------------

# Written out independently of the module: what an edit can never change without review.
REVIEW_REQUIRED_EXPECTED = {
    "catalogue_state", "issued",  # DB14 §7.5
    "owner_org", "provider_unit", "provider_code", "resource_code",  # DB14 §7.2
    "catalog_class", "catalog_item", "catalog_subitem", "catalog_detail",
    "share_type", "share_type_reason", "share_condition", "share_scope", "no_share_basis",
    "share_mode_category", "share_mode_type",  # DB14 §9
    "data_grade", "is_classified", "open_type", "open_condition", "info_items",  # DB14 §11
}


def _schema_fields():
    import pathlib

    import yaml

    path = pathlib.Path(__file__).parents[2] / "schemas" / "dataset.yaml"
    return {f["field_name"] for f in yaml.safe_load(path.read_text())["dataset_fields"]}


def test_review_required_fields_are_the_expected_ones():
    """The refused set is the lifecycle, identity, sharing and security fields."""
    assert tables.REVIEW_REQUIRED_FIELDS == REVIEW_REQUIRED_EXPECTED


def test_review_required_fields_are_schema_fields():
    """Every refused name is a real field of the catalogue schema (no typo protects nothing)."""
    assert tables.REVIEW_REQUIRED_FIELDS <= _schema_fields()


def test_every_sharing_and_classification_field_needs_review():
    """No share_*, catalog_* or grade field of the schema is left out of the refused set."""
    risky = {f for f in _schema_fields()
             if f.startswith(("share_", "catalog_", "open_")) or "grade" in f}
    assert risky <= tables.REVIEW_REQUIRED_FIELDS


@pytest.mark.parametrize(("changed", "no_review", "expected"), [
    (["notes"], [], True),  # default: every change is reviewed
    (["notes"], ["notes"], False),
    (["notes", "update_cycle"], ["notes", "update_cycle", "source_system"], False),
    (["notes", "title"], ["notes"], True),  # mixed: the whole edit is reviewed
    (["title"], ["notes"], True),
    ([], ["notes"], True),  # nothing changed: no version to bump, the old path
    (["share_type"], ["share_type"], True),  # never, even if misconfigured
    (["notes", "data_grade"], ["notes", "data_grade"], True),
])
def test_needs_review(changed, no_review, expected):
    """Only a change confined to no-review fields skips review; an edit is never split."""
    assert lc.needs_review(changed, no_review) is expected


def test_check_no_review_fields_accepts_plain_fields():
    """Known fields that are neither required nor second-stage pass, stripped."""
    fields = _schema_fields()
    assert lc.check_no_review_fields([" notes", "update_cycle", ""], schema_fields=fields) == \
        {"notes", "update_cycle"}
    assert lc.check_no_review_fields([], schema_fields=fields) == frozenset()


def test_check_no_review_fields_refuses_unknown_names():
    """A name that is not a schema field is refused, naming the option and the field."""
    with pytest.raises(ValueError, match=r"no_review_fields.*no_such_field"):
        lc.check_no_review_fields(["notes", "no_such_field"], schema_fields=_schema_fields())


@pytest.mark.parametrize("name", sorted(REVIEW_REQUIRED_EXPECTED))
def test_check_no_review_fields_refuses_required_fields(name):
    """Each lifecycle, identity, sharing and security field is refused."""
    with pytest.raises(ValueError, match=rf"no_review_fields: .*{name}.*always needs review"):
        lc.check_no_review_fields(["notes", name], schema_fields=_schema_fields())


def test_check_no_review_fields_refuses_second_stage_fields():
    """A field read by a second-stage condition cannot skip review (nor the coordinator)."""
    with pytest.raises(ValueError, match="update_cycle.*second review stage"):
        lc.check_no_review_fields(["notes", "update_cycle"], schema_fields=_schema_fields(),
                                  second_stage_fields=["update_cycle"])


def test_decision_steps():
    """Reviewers decide first-stage reviews and offline requests; coordinators the second stage."""
    assert lc.decision_steps(lc.CATALOGUE) == [
        ("in_review", "reviewer", "reviewer"), ("in_review", "coordinator", "coordinator"),
        ("offline_review", None, "reviewer")]
    assert lc.decision_steps(lc.REVISION) == [
        ("in_review", "reviewer", "reviewer"), ("in_review", "coordinator", "coordinator")]
    assert lc.DECIDING_ROLES == {"reviewer", "coordinator"}
