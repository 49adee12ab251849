"""The lifecycle engine: a state machine run on a table, its guards, errors and pure rules.

Everything here is pure (no database, no CKAN). The tables it runs — states, events,
transitions, who may fire what — are :mod:`~ckanext.govshare.lifecycle.tables`'; the write
service (:mod:`~ckanext.govshare.lifecycle.service`) loads an entry, calls :func:`transition`
and persists the :class:`TransitionResult`; the auth functions ask :func:`allowed_events` or
:data:`~ckanext.govshare.lifecycle.tables.ROLE_PERMISSIONS`. Two machines share one engine:

* :data:`CATALOGUE` — ``catalogue_state`` of an entry: ``draft`` → ``in_review`` →
  ``published`` → ``offline_review`` → ``offline`` (DB14 §7.2–7.5, Appendix A);
* :data:`REVISION` — a pending revision (变更) of a published entry, which stays live until the
  revision is approved.

Whether an edit of a published entry needs such a revision at all is decided here too
(:func:`needs_review`, from the fields the edit changes and
``ckanext.govshare.revision.no_review_fields``, checked by :func:`check_no_review_fields`
against :data:`~ckanext.govshare.lifecycle.tables.REVIEW_REQUIRED_FIELDS`). The tables of who
reviews what (:func:`decision_steps`) serve the count of steps waiting for a reviewer.

The optional second stage: while ``in_review`` an entry is at stage ``reviewer`` (共享管理责任
机构) or ``coordinator`` (统筹协调组织). When the caller says the entry needs the second stage
(:func:`needs_second_stage`, driven by ``ckanext.govshare.lifecycle.second_stage``), the
reviewer's ``approve`` keeps it ``in_review`` at stage ``coordinator`` and only a coordinator's
``approve`` completes it.

Besides the state, a published entry may carry an "update required" step (DB14 §7.3): a
change event (变更事由: the law, the department's functions or the data change) reported by
the responsible body opens it (:func:`check_change_event`), on the ``update_after_change``
clock; an approved revision, an edit applied without review or going offline closes it
(:func:`closes_change_step`). :func:`eligible_deciders` applies the four-eyes rule to the
people a reminder goes to.
"""
from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.govshare.catalogue import fields
from ckanext.govshare.lifecycle import tables
from ckanext.govshare.messages import Label, join, text

__all__ = [
    "CATALOGUE",
    "DECIDING_ROLES",
    "REVISION",
    "GuardFailed",
    "IllegalTransition",
    "Label",
    "LifecycleError",
    "NotPermitted",
    "StateMachine",
    "TransitionResult",
    "allowed_events",
    "change_due",
    "check_change_event",
    "check_no_review_fields",
    "closes_change_step",
    "decision_steps",
    "eligible_deciders",
    "needs_review",
    "needs_second_stage",
    "parse_second_stage_conditions",
    "revision_allowed_events",
    "revision_transition",
    "transition",
]


# -- errors --------------------------------------------------------------------------------------


class LifecycleError(Exception):
    """A refused transition; ``str(err)`` is the message for the user, in their language."""

    def __init__(
        self,
        message: str,
        *,
        state: str,
        event: str,
        allowed_events: Sequence[str],
        field: str,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.state = state
        self.event = event
        self.allowed_events = list(allowed_events)
        self.field = field

    def error_dict(self) -> dict[str, list[str]]:
        """``{field: [message]}``, the shape of ``tk.ValidationError``."""
        return {self.field: [self.message]}


class IllegalTransition(LifecycleError):
    """The event is not in the transition table for the current state."""


class GuardFailed(LifecycleError):
    """The transition exists but its guard refused it; ``field`` names the offending input."""

    def __init__(self, message: str, *, rule: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.rule = rule


class NotPermitted(GuardFailed):
    """The actor may not fire this event (role or four eyes): map it to ``tk.NotAuthorized``."""


# -- the result ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransitionResult:
    """What the caller persists and records in the audit trail.

    ``submitter`` is the person whose request is now pending (compared with the next decider
    under the four-eyes rule), ``None`` once no step is pending. ``stage_approver`` is the
    reviewer who approved at the first stage while the coordinator stage is pending. ``clock``
    names the working-day limit that runs in the new state (``review``, ``offline_review``,
    ``revision_review``; see ``deadlines``), ``None`` when nothing is pending.
    """

    from_state: str
    from_stage: str | None
    event: str
    new_state: str
    new_stage: str | None
    submitter: str | None
    stage_approver: str | None
    reason: str | None
    clock: str | None


# -- the engine ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StateMachine:
    """A transition table with its guards; :data:`CATALOGUE` and :data:`REVISION` are the two."""

    name: str
    state_field: str
    states: Mapping[str, Label]
    events: Mapping[str, Label]
    transitions: Mapping[tuple[str, str], str]
    review_state: str | None
    clocks: Mapping[str, str]
    opening_events: frozenset[str]
    reason_required: frozenset[str]
    four_eyes: frozenset[str]
    role_permissions: Mapping[tuple[str, str | None], frozenset[str]] = field(
        default_factory=lambda: tables.ROLE_PERMISSIONS
    )
    #: the labels of the roles the table names (the catalogue's four by default; a sharing
    #: flow's roles are relative to its case: requester, provider reviewer…)
    roles: Mapping[str, Label] = field(default_factory=lambda: tables.ROLES)
    #: named alternative targets: ``(state, event, branch) -> target``, taken when the caller
    #: passes ``branch`` (a pure predicate of the case decided it, e.g. a grade that needs the
    #: security officer); a branch the table does not name for the transition is an error
    alternatives: Mapping[tuple[str, str, str], str] = field(default_factory=dict)

    def stage_of(self, state: str, stage: str | None) -> str | None:
        """The effective stage: ``reviewer`` unless given for the review state, else ``None``."""
        if self.review_state is None or state != self.review_state:
            return None
        if stage is None:
            return tables.STAGE_REVIEWER
        if stage not in tables.STAGES:
            raise ValueError(f"unknown review stage {stage!r}")
        return stage

    def roles_for(self, event: str, state: str, stage: str | None = None) -> frozenset[str]:
        """Roles that may fire ``event`` from ``state`` (at ``stage``)."""
        return self.role_permissions.get((event, self.stage_of(state, stage)), frozenset())

    def allowed_events(
        self,
        state: str,
        *,
        stage: str | None = None,
        actor: str | None = None,
        submitter: str | None = None,
        stage_approver: str | None = None,
        actor_roles: Collection[str] | None = None,
    ) -> list[str]:
        """Events legal from ``state``, in table order.

        With ``actor_roles`` only those the roles permit; with ``actor`` also without the
        decisions the four-eyes rule forbids. Reasons cannot be known in advance and are not
        considered.
        """
        self._check_state(state)
        events = [e for (s, e) in self.transitions if s == state]
        if actor_roles is not None:
            roles = set(actor_roles)
            events = [e for e in events if roles & self.roles_for(e, state, stage)]
        if actor is not None:
            events = [
                e
                for e in events
                if self._four_eyes_conflict(
                    e, state, stage, actor=actor, submitter=submitter, stage_approver=stage_approver
                )
                is None
            ]
        return events

    def transition(
        self,
        state: str,
        event: str,
        *,
        actor: str,
        submitter: str | None = None,
        reason: str | None = None,
        stage: str | None = None,
        needs_second_stage: bool = False,
        stage_approver: str | None = None,
        actor_roles: Collection[str] | None,
        branch: str | None = None,
    ) -> TransitionResult:
        """Apply ``event`` to ``state`` or raise.

        :param actor: who fires the event (user id or name, compared with ``submitter``)
        :param submitter: who opened the pending step (submitted, requested offline)
        :param reason: the comment; required for return / request_offline / reject_offline
        :param stage: the current review stage while in review (default ``reviewer``)
        :param needs_second_stage: the entry needs the coordinator after the reviewer
        :param stage_approver: the reviewer who approved at the first stage
        :param actor_roles: the actor's roles for this entry; ``None`` means the caller has
            checked the roles itself (e.g. a sysadmin import path) and skips the role guard
        :param branch: the name of an alternative target (:attr:`alternatives`) to take
        :raises IllegalTransition: the event is not legal in ``state``
        :raises NotPermitted: the role or the four-eyes guard refused
        :raises GuardFailed: another guard (e.g. a missing reason) refused
        """
        self._check_state(state)
        if event not in self.events:
            raise ValueError(f"unknown {self.name} event {event!r}")
        current_stage = self.stage_of(state, stage)
        target = self.transitions.get((state, event))
        if target is None:
            allowed = self.allowed_events(state)
            raise IllegalTransition(
                # the state and events by their labels in the page's language (the codes are
                # the error's state, event and allowed_events)
                tk._("'{event_label}' is not allowed in state '{state_label}'; allowed: "
                     "{allowed_labels}").format(
                    event_label=text(self.events[event]), state_label=text(self.states[state]),
                    allowed_labels=join(text(self.events[e]) for e in allowed) or tk._("none")),
                state=state,
                event=event,
                allowed_events=allowed,
                field=self.state_field,
            )
        context = {"state": state, "event": event, "allowed_events": self.allowed_events(state)}

        if actor_roles is not None:
            permitted = self.roles_for(event, state, current_stage)
            if not set(actor_roles) & permitted:
                raise NotPermitted(
                    tk._("only {role_labels} may {event_label} in state '{state_label}'").format(
                        event_label=text(self.events[event]),
                        state_label=text(self.states[state]),
                        role_labels=join(text(self.roles[r]) for r in sorted(permitted))
                        or tk._("nobody")),
                    rule="role",
                    field="actor",
                    **context,
                )

        conflict = self._four_eyes_conflict(
            event, state, stage, actor=actor, submitter=submitter, stage_approver=stage_approver
        )
        if conflict is not None:
            raise NotPermitted(conflict, rule="four_eyes", field="actor", **context)

        clean_reason = reason.strip() if reason else None
        # DB14 §7.3: a return, an offline request and its refusal state their reason
        if event in self.reason_required and not clean_reason:
            raise GuardFailed(
                tk._("a reason is required to {event_label}").format(
                    event_label=text(self.events[event])),
                rule="reason",
                field="reason",
                **context,
            )

        if branch is not None:
            if (state, event, branch) not in self.alternatives:
                raise ValueError(f"{self.name}: no branch {branch!r} for {event!r} in {state!r}")
            target = self.alternatives[(state, event, branch)]

        new_stage: str | None = None
        new_approver: str | None = None
        # DB14 §5: the coordinating organisation's approval follows the reviewer's when needed
        if (event == tables.APPROVE and current_stage == tables.STAGE_REVIEWER
                and needs_second_stage):
            target, new_stage, new_approver = self.review_state, tables.STAGE_COORDINATOR, actor
        elif self.review_state is not None and target == self.review_state:
            new_stage = tables.STAGE_REVIEWER

        if event in self.opening_events:
            new_submitter: str | None = actor
        elif target in self.clocks:
            new_submitter = submitter
        else:
            new_submitter = None

        return TransitionResult(
            from_state=state,
            from_stage=current_stage,
            event=event,
            new_state=target,
            new_stage=new_stage,
            submitter=new_submitter,
            stage_approver=new_approver,
            reason=clean_reason,
            clock=self.clocks.get(target),
        )

    def _check_state(self, state: str) -> None:
        if state not in self.states:
            raise ValueError(f"unknown {self.name} state {state!r}")

    def _four_eyes_conflict(
        self,
        event: str,
        state: str,
        stage: str | None,
        *,
        actor: str,
        submitter: str | None,
        stage_approver: str | None,
    ) -> str | None:
        """Why the four-eyes rule forbids ``actor`` this event (translated), else ``None``.

        An unknown submitter (an imported entry) cannot be compared and does not block.
        """
        # issue #4 internal control (not a DB14 clause): nobody decides on their own request,
        # and the coordinator is a second person after the reviewer
        if event not in self.four_eyes:
            return None
        if submitter is not None and actor == submitter:
            return tk._("you cannot decide on your own submission")
        if (
            self.stage_of(state, stage) == tables.STAGE_COORDINATOR
            and stage_approver is not None
            and actor == stage_approver
        ):
            return tk._("the coordinator stage needs a different person from the reviewer")
        return None


CATALOGUE = StateMachine(
    name="catalogue",
    state_field=fields.CATALOGUE_STATE,
    states=tables.CATALOGUE_STATES,
    events=tables.CATALOGUE_EVENTS,
    transitions=tables.CATALOGUE_TRANSITIONS,
    review_state=tables.IN_REVIEW,
    clocks={tables.IN_REVIEW: tables.CLOCK_REVIEW,
            tables.OFFLINE_REVIEW: tables.CLOCK_OFFLINE_REVIEW},
    opening_events=frozenset({tables.SUBMIT, tables.REINSTATE, tables.REQUEST_OFFLINE}),
    reason_required=frozenset({tables.RETURN, tables.REQUEST_OFFLINE, tables.REJECT_OFFLINE}),
    four_eyes=frozenset({tables.APPROVE, tables.RETURN, tables.APPROVE_OFFLINE,
                         tables.REJECT_OFFLINE}),
)

REVISION = StateMachine(
    name="revision",
    state_field="state",
    states=tables.REVISION_STATES,
    events=tables.REVISION_EVENTS,
    transitions=tables.REVISION_TRANSITIONS,
    review_state=tables.IN_REVIEW,
    clocks={tables.IN_REVIEW: tables.CLOCK_REVISION_REVIEW},
    opening_events=frozenset({tables.SUBMIT}),
    reason_required=frozenset({tables.RETURN}),
    four_eyes=frozenset({tables.APPROVE, tables.RETURN}),
)

#: Catalogue entry: the events legal now (optionally for one actor), see :meth:`StateMachine.allowed_events`.
allowed_events = CATALOGUE.allowed_events
#: Catalogue entry: apply an event, see :meth:`StateMachine.transition`.
transition = CATALOGUE.transition
#: Pending revision: the events legal now.
revision_allowed_events = REVISION.allowed_events
#: Pending revision: apply an event.
revision_transition = REVISION.transition


# -- the second-stage predicate ------------------------------------------------------------------

_CONDITION = re.compile(r"^(?P<field>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>\S+)$")


def parse_second_stage_conditions(conditions: Collection[str]) -> list[tuple[str, str]]:
    """Parse ``field=value`` conditions into ``(field, value)`` pairs, refusing anything else.

    ``ckanext.govshare.lifecycle.second_stage`` holds them, e.g.
    ``share_type=conditional share_type=not_shared data_grade=G3 data_grade=G4``.
    """
    parsed = []
    for raw in conditions:
        match = _CONDITION.match(raw.strip())
        if match is None:
            raise ValueError(f"second-stage condition {raw!r} is not 'field=value'")
        parsed.append((match["field"], match["value"]))
    return parsed


def needs_second_stage(entry: Mapping[str, Any], conditions: Collection[str]) -> bool:
    """Whether ``entry`` needs the coordinator after the reviewer: any condition matches.

    A condition ``field=value`` matches when the entry's top-level ``field`` equals ``value``;
    several values of one field are alternatives (``data_grade=G3 data_grade=G4`` is "grade
    G3 or above" on a four-level scale). No conditions: never.
    """
    return any(
        entry.get(name) is not None and str(entry.get(name)) == wanted
        for name, wanted in parse_second_stage_conditions(conditions)
    )


# -- who decides ---------------------------------------------------------------------------------


def decision_steps(machine: StateMachine) -> list[tuple[str, str | None, str]]:
    """``(state, stage, role)``: the open steps of ``machine`` a role decides on.

    A decision is an event under the four-eyes rule (approve, return, decide an offline
    request); ``stage`` is ``None`` outside the review state. Read from the transition and role
    tables, so the review queue's count and the auth functions agree.
    """
    steps = []
    for state in machine.states:
        stages: list[str | None] = (list(tables.STAGES) if state == machine.review_state
                                    else [None])
        for stage in stages:
            held: set[str] = set()
            for event in machine.allowed_events(state):
                if event in machine.four_eyes:
                    held |= machine.roles_for(event, state, stage)
            steps.extend((state, stage, role) for role in sorted(held))
    return steps


#: roles that decide on some open step (reviewer, coordinator)
DECIDING_ROLES: frozenset[str] = frozenset(
    role for machine in (CATALOGUE, REVISION) for _s, _st, role in decision_steps(machine))


# -- edits of a published entry that need no review ----------------------------------------------

_NO_REVIEW_OPTION = "ckanext.govshare.revision.no_review_fields"


def check_no_review_fields(
    names: Collection[str],
    *,
    schema_fields: Collection[str],
    second_stage_fields: Collection[str] = (),
) -> frozenset[str]:
    """The configured no-review fields, or ``ValueError`` naming the option and the fields.

    Refused: names that are not top-level fields of the dataset schema, the fields of
    :data:`tables.REVIEW_REQUIRED_FIELDS`, and fields a second-stage condition reads (an edit that
    bypasses review would bypass the coordinator too).
    """
    wanted = frozenset(n.strip() for n in names if n and n.strip())
    unknown = sorted(wanted - frozenset(schema_fields))
    if unknown:
        raise ValueError(
            f"{_NO_REVIEW_OPTION}: not fields of the dataset schema: {', '.join(unknown)}")
    required = sorted(wanted & tables.REVIEW_REQUIRED_FIELDS)
    if required:
        raise ValueError(
            f"{_NO_REVIEW_OPTION}: a change of {', '.join(required)} always needs review "
            "(lifecycle, identity, sharing or security field; DB14 §7.2, §7.5, §9, §11)")
    staged = sorted(wanted & frozenset(second_stage_fields))
    if staged:
        raise ValueError(
            f"{_NO_REVIEW_OPTION}: {', '.join(staged)} decide(s) the second review stage "
            "(ckanext.govshare.lifecycle.second_stage) and cannot skip review")
    return wanted


def needs_review(changed_fields: Collection[str], no_review_fields: Collection[str]) -> bool:
    """Whether an edit of a published entry changing ``changed_fields`` needs a revision.

    No: only when it changes something and every changed field is a no-review field (never
    one of :data:`tables.REVIEW_REQUIRED_FIELDS`). An edit is never split: one field that needs
    review sends the whole edit to a pending revision.
    """
    changed = frozenset(changed_fields)
    if not changed or changed & tables.REVIEW_REQUIRED_FIELDS:
        return True
    return not changed <= frozenset(no_review_fields)


# -- the "update required" step after a change event (变更事由) -----------------------------------

def check_change_event(
    state: str,
    *,
    reason: str | None,
    occurred_at: Any,
    now: Any,
    actor_roles: Collection[str] | None,
) -> str:
    """Whether a change event may be reported on an entry in ``state``; returns the clean reason.

    ``occurred_at`` and ``now`` are comparable moments (timezone-aware datetimes); an event
    cannot have happened in the future. ``actor_roles`` ``None`` means the caller has checked
    the roles itself (a sysadmin).

    :raises IllegalTransition: the entry is not published
    :raises NotPermitted: the actor is neither reviewer nor coordinator of the department
    :raises GuardFailed: no reason, or an event in the future
    """
    context = {"state": state, "event": tables.CHANGE_EVENT, "allowed_events": []}
    if state not in tables.CHANGE_STATES:
        label = text(tables.CATALOGUE_STATES[state]) if state in tables.CATALOGUE_STATES else state
        raise IllegalTransition(
            tk._("only a published entry is updated after a change event (state: "
                 "{state_label})").format(state_label=label),
            field=fields.CATALOGUE_STATE,
            **context,
        )
    if actor_roles is not None and not set(actor_roles) & tables.CHANGE_ROLES:
        raise NotPermitted(
            tk._("only the department's reviewer or coordinator may record a change event"),
            rule="role", field="actor", **context,
        )
    clean = reason.strip() if reason else ""
    # DB14 §7.3: the change (law, functions, data) that makes the update due is stated
    if not clean:
        raise GuardFailed(
            tk._("a reason is required to record a change event"),
            rule="reason", field="reason", **context,
        )
    if occurred_at > now:
        raise GuardFailed(
            tk._("the change event cannot have occurred in the future"),
            rule="occurred_at", field="occurred_at", **context,
        )
    return clean


def change_due(existing_due: Any, new_due: Any) -> Any:
    """The step's deadline when another change event is reported while it is open: the
    earlier one stands (an update made by then answers both events)."""
    if existing_due is None:
        return new_due
    return min(existing_due, new_due)


def closes_change_step(outcome: str) -> bool:
    """Whether ``outcome`` (``revision_approved``, ``updated_without_review``, ``offline``,
    or anything else that happened to the entry) closes an open "update required" step."""
    return outcome in tables.CHANGE_CLOSING_OUTCOMES


def eligible_deciders(
    candidates: Sequence[str],
    *,
    machine: StateMachine,
    state: str,
    stage: str | None,
    submitter: str | None,
    stage_approver: str | None,
) -> list[str]:
    """The ``candidates`` (holders of the deciding role) the four-eyes rule lets decide the
    open step: not its submitter, nor at the coordinator stage the stage-1 approver."""
    event = next((e for e in machine.allowed_events(state) if e in machine.four_eyes), None)
    if event is None:
        return list(candidates)
    return [
        c for c in candidates
        if machine._four_eyes_conflict(event, state, stage, actor=c, submitter=submitter,
                                       stage_approver=stage_approver) is None
    ]
