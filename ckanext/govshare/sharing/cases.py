"""The write service every sharing flow shares: open a case, fire an event, record it, run its
clock, and answer who holds which role in it and what is waiting for whom.

A flow module (``access``, ``demand``, ``dispute``…) validates its own fields, then calls
:func:`open_case` and :func:`fire`; the case's state moves only through its kind's table
(:data:`~ckanext.govshare.sharing.flows.MACHINES`), every step appends a
:class:`~ckanext.govshare.model.sharing.CaseEvent` in the same transaction, and the case row is
locked (``SELECT … FOR UPDATE``) before an event is applied, so two concurrent decisions on one
case serialize and the second one meets the state the first one left: exactly one wins.

The clock: entering a state with a clock (``flows`` names it) sets ``due_at`` to that many
working days (``ckanext.govshare.deadline.<clock>_days``) after now; :func:`pause` stops it,
keeping the working days left in ``paused_days`` (e.g. a request returned for more
information). :func:`fire` resumes from them when the case's ``clock`` is set to the paused
clock before the step that restarts it; a state without a clock clears ``clock``, so a flow
that pauses across such a state keeps the days per clock itself (access requests:
``data["paused_steps"]``).
"""
from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.govshare import config as gs_config
from ckanext.govshare.department import roles as dept_roles
from ckanext.govshare.lifecycle import deadlines, machine, tables
from ckanext.govshare.model import base
from ckanext.govshare.model.roles import Role
from ckanext.govshare.model.sharing import Case, CaseEvent, next_number
from ckanext.govshare.sharing import flows

__all__ = [
    "ASSIGNEE", "actor_id", "label", "allowed_events", "audit", "case_roles", "context_user",
    "coordinating_org_id", "count_open_cases_for", "due_after", "fire", "get_case", "lock_case", "open_case",
    "open_cases_for", "pause",
    "refusal", "timeline", "working_days_left",
]

#: who acts when a case waits on a relative role: (the case's org column, the department role)
ASSIGNEE: dict[str, tuple[str, str]] = {
    flows.CONSUMER_REVIEWER: ("requester_org", tables.ROLE_REVIEWER),
    flows.PROVIDER_REVIEWER: ("target_org", tables.ROLE_REVIEWER),
    flows.PROVIDER_SECURITY: ("target_org", tables.ROLE_SECURITY_OFFICER),
    flows.PROVIDER_COMPILER: ("target_org", tables.ROLE_COMPILER),
    flows.SECURITY_OFFICER: ("target_org", tables.ROLE_SECURITY_OFFICER),
    flows.PARTY_RESPONDENT: ("target_org", tables.ROLE_REVIEWER),
    flows.PARTY_RAISER: ("requester_org", tables.ROLE_REVIEWER),
}


# -- who ------------------------------------------------------------------------------------------

def context_user(context: Mapping[str, Any]) -> model.User | None:
    user = context.get("auth_user_obj")
    if isinstance(user, model.User):
        return user
    name = context.get("user")
    return model.User.get(name) if name else None


def actor_id(context: Mapping[str, Any]) -> str:
    user = context_user(context)
    return user.id if user is not None else str(context.get("user") or "")


def coordinating_org_id() -> str | None:
    """The id of the 统筹协调组织's department, ``None`` when the sysadmins coordinate."""
    ref = gs_config.coordinating_department()
    if not ref:
        return None
    group = model.Group.get(ref)
    return group.id if group is not None and group.is_organization else None


def case_roles(user: model.User | None, case: Case) -> set[str]:
    """The roles (relative to ``case``, :data:`flows.ROLES`) that ``user`` holds in it now."""
    if user is None:
        return set()
    held: set[str] = set()
    if case.requester_user == user.id:
        held.add(flows.REQUESTER)
    if case.requester_org:
        mine = set(dept_roles.user_roles(user.id, case.requester_org))
        if tables.ROLE_REVIEWER in mine:
            held.add(flows.CONSUMER_REVIEWER)
    if case.target_org:
        theirs = set(dept_roles.user_roles(user.id, case.target_org))
        if tables.ROLE_REVIEWER in theirs:
            held |= {flows.PROVIDER_REVIEWER, flows.PARTY_RESPONDENT}
        if tables.ROLE_SECURITY_OFFICER in theirs:
            held |= {flows.PROVIDER_SECURITY, flows.SECURITY_OFFICER}
        if tables.ROLE_COMPILER in theirs:
            unit = (case.data or {}).get("unit")
            if not unit or unit in dept_roles.compiler_units(user.id, case.target_org):
                held.add(flows.PROVIDER_COMPILER)
    if flows.REQUESTER in held or flows.CONSUMER_REVIEWER in held:
        held.add(flows.PARTY_RAISER)
    coordinating = coordinating_org_id()
    if (coordinating is None and user.sysadmin) or (
            coordinating is not None
            and dept_roles.has_role(user.id, coordinating, tables.ROLE_COORDINATOR)):
        held.add(flows.COORDINATOR)
    return held


def allowed_events(user: model.User | None, case: Case) -> list[str]:
    """The events ``user`` may fire on ``case`` now (roles and the four-eyes rule): what the
    case's page offers is what :func:`fire` accepts."""
    if user is None:
        return []
    return flows.MACHINES[case.kind].allowed_events(
        case.state, actor=user.id, submitter=case.submitter,
        actor_roles=case_roles(user, case))


# -- the clock ------------------------------------------------------------------------------------

def due_after(clock: str, start: datetime.datetime, days: int | None = None) -> datetime.datetime:
    """When a step on ``clock`` started at ``start`` is due (``days`` overrides the option:
    the days left of a paused clock)."""
    n = days if days is not None else gs_config.deadline_days(clock)
    return deadlines.add_working_days(
        start, max(1, n), last_official_year=gs_config.calendar_last_official_year())


def working_days_left(due_at: datetime.datetime | None, now: datetime.datetime | None = None
                      ) -> int | None:
    """Working days from ``now`` to ``due_at`` (negative: overdue by that many)."""
    if due_at is None:
        return None
    now = now or base.now()
    return deadlines.working_days_between(
        now, due_at, last_official_year=gs_config.calendar_last_official_year())


def pause(case: Case) -> None:
    """Stop the case's clock, keeping the working days left (at least 1)."""
    if case.due_at is not None:
        left = working_days_left(case.due_at)
        case.paused_days = max(1, left or 0)
    case.due_at = None


# -- reading --------------------------------------------------------------------------------------

def get_case(ref: str, kind: str | None = None) -> Case:
    """The case with id or number ``ref`` (of ``kind``), or ``tk.ObjectNotFound``."""
    q = model.Session.query(Case).filter(sa.or_(Case.id == ref, Case.number == ref))
    if kind is not None:
        q = q.filter(Case.kind == kind)
    case = q.one_or_none()
    if case is None:
        raise tk.ObjectNotFound(tk._("No such case"))
    return case


def lock_case(ref: str, kind: str | None = None) -> Case:
    """:func:`get_case`, its row locked by this transaction (read again after the lock)."""
    case = get_case(ref, kind)
    locked = (model.Session.query(Case).filter(Case.id == case.id)
              .populate_existing().with_for_update().one())
    return locked


def timeline(case_id: str) -> list[CaseEvent]:
    """The case's audit rows, oldest first."""
    return (model.Session.query(CaseEvent).filter(CaseEvent.case_id == case_id)
            .order_by(CaseEvent.at, CaseEvent.id).all())


# -- writing --------------------------------------------------------------------------------------

def audit(case: Case, action: str, actor: str | None, *, from_state: str | None,
          to_state: str | None, comment: str | None = None, data: Any = None,
          org_id: str | None = None, at: datetime.datetime | None = None) -> CaseEvent:
    """Append one row to the sharing audit (current transaction)."""
    row = CaseEvent(case_id=case.id, kind=case.kind, entry_id=case.entry_id,
                    org_id=org_id or case.target_org or case.requester_org, action=action,
                    from_state=from_state, to_state=to_state, actor=actor, at=at or base.now(),
                    comment=comment, data=data)
    model.Session.add(row)
    return row


def _assign(case: Case, role: str | None) -> None:
    """Record who acts next: a relative role resolved to the department and its role."""
    case.assignee_org = case.assignee_role = case.assignee_user = None
    if role is None:
        return
    if role == flows.REQUESTER:
        case.assignee_user = case.requester_user
    elif role == flows.COORDINATOR:
        case.assignee_org = coordinating_org_id()
        case.assignee_role = tables.ROLE_COORDINATOR
    elif role in ASSIGNEE:
        column, dept_role = ASSIGNEE[role]
        case.assignee_org = getattr(case, column)
        case.assignee_role = dept_role


def open_case(context: Mapping[str, Any], kind: str, *, title: str,
              requester_org: str | None, target_org: str | None, data: Mapping[str, Any],
              assignee: str | None, state: str | None = None, entry_id: str | None = None,
              resource_code: str | None = None, parent_id: str | None = None,
              clock: str | None = None, comment: str | None = None,
              requester_user: str | None = None) -> Case:
    """Create a case of ``kind`` in ``state`` (default: the kind's initial state), waiting on
    the relative role ``assignee``, its clock started; audited as ``created``."""
    now = base.now()
    state = state or flows.INITIAL[kind]
    clock = clock or flows.MACHINES[kind].clocks.get(state)
    actor = actor_id(context)
    case = Case(kind=kind, number=next_number(flows.NUMBER_PREFIX[kind]), state=state,
                title=title, entry_id=entry_id, resource_code=resource_code,
                parent_id=parent_id, requester_user=requester_user or actor or None,
                requester_org=requester_org, target_org=target_org, submitter=actor or None,
                clock=clock, due_at=due_after(clock, now) if clock else None,
                data=dict(data), created=now, modified=now)
    _assign(case, assignee)
    model.Session.add(case)
    model.Session.flush()
    audit(case, "created", actor or None, from_state=None, to_state=state, comment=comment,
          data={"clock": clock} if clock else None, at=now)
    return case


def label(value: Any) -> str:
    """A :class:`~ckanext.govshare.messages.Label` in the language of the current request
    (Chinese unless the request is in English)."""
    try:
        lang = tk.h.lang()
    except (RuntimeError, AttributeError, TypeError):
        lang = tk.config.get("ckan.locale_default") or "zh_Hans_CN"
    return value.en if str(lang).startswith("en") else value.zh


def refusal(err: machine.LifecycleError, kind: str) -> Exception:
    """The engine's refusal as the action's error, in the user's language."""
    m = flows.MACHINES[kind]
    if isinstance(err, machine.NotPermitted):
        if err.rule == "four_eyes":
            return tk.NotAuthorized(tk._("You cannot decide on your own request"))
        return tk.NotAuthorized(tk._("You may not do this at this step"))
    if isinstance(err, machine.IllegalTransition):
        allowed = ", ".join(label(m.events[e]) for e in err.allowed_events) or tk._("none")
        return tk.ValidationError({"state": [
            tk._("Not possible in the state \u201c{state}\u201d; possible now: {allowed}").format(
                state=label(m.states[err.state]), allowed=allowed)]})
    if err.rule == "reason":
        return tk.ValidationError({"reason": [tk._("A reason is required")]})
    return tk.ValidationError({err.field: [tk._("Not possible")]})


def fire(context: Mapping[str, Any], case: Case, event: str, *, reason: str | None = None,
         branch: str | None = None, assignee: str | None = None, clock: str | None = None,
         data: Mapping[str, Any] | None = None, audit_data: Any = None,
         as_system: bool = False) -> machine.TransitionResult:
    """Apply ``event`` to the locked ``case`` (:func:`lock_case`) or raise.

    ``assignee`` is the relative role the case waits on next (``None``: nobody, the case is
    closed or at rest); ``clock`` overrides the table's clock of the new state (e.g. the reply
    limit of data still to be published); ``data`` is merged into the case's fields. A system
    step (``as_system``: an automatic grant, a deadline) skips the role guard.

    :raises tk.NotAuthorized: the user holds no role that may fire the event (or four eyes)
    :raises tk.ValidationError: not legal in the case's state, or a missing reason
    """
    m = flows.MACHINES[case.kind]
    user = context_user(context)
    actor = actor_id(context)
    roles = None if as_system else case_roles(user, case)
    try:
        result = m.transition(case.state, event, actor=actor, submitter=case.submitter,
                              reason=reason, actor_roles=roles, branch=branch)
    except machine.LifecycleError as err:
        raise refusal(err, case.kind) from err
    now = base.now()
    from_state = case.state
    case.state = result.new_state
    if event in m.opening_events:
        case.submitter = actor or case.submitter
    new_clock = clock or result.clock
    if new_clock is None:
        case.due_at = None
        case.clock = None
    elif new_clock != case.clock or case.due_at is None or from_state != result.new_state:
        # a new step starts its clock; a paused clock resumes with the days it had left
        resume = case.paused_days if case.paused_days and new_clock == case.clock else None
        case.clock = new_clock
        case.due_at = due_after(new_clock, now, resume)
        case.paused_days = None
    if data:
        case.data = {**(case.data or {}), **dict(data)}
    _assign(case, assignee)
    case.modified = now
    if not flows.is_open(case.kind, case.state):
        case.closed_at = now
        case.due_at = None
    else:
        case.closed_at = None
    audit(case, event, actor or None, from_state=from_state, to_state=case.state,
          comment=result.reason, data=audit_data, at=now)
    model.Session.flush()
    return result


def open_cases_for(user: model.User, kinds: Iterable[str] | None = None) -> list[Case]:
    """The open cases waiting on ``user``: assigned to them, or to a role they hold in the
    assigned department; soonest due first (one query)."""
    return _waiting(user, kinds).order_by(Case.due_at.asc().nulls_last(), Case.created).all()


def count_open_cases_for(user: model.User) -> int:
    """How many open cases wait on ``user`` (:func:`open_cases_for`, counted in SQL: the
    header asks it on every page)."""
    return _waiting(user, None).with_entities(sa.func.count(Case.id)).scalar() or 0


def _waiting(user: model.User, kinds: Iterable[str] | None) -> Any:
    held = (model.Session.query(Role.org_id, Role.role)
            .filter(Role.user_id == user.id, dept_roles.in_force()).all())
    conditions = [Case.assignee_user == user.id]
    conditions += [sa.and_(Case.assignee_org == org_id, Case.assignee_role == role)
                   for org_id, role in held]
    if user.sysadmin and coordinating_org_id() is None:
        conditions.append(sa.and_(Case.assignee_org.is_(None),
                                  Case.assignee_role == tables.ROLE_COORDINATOR))
    q = model.Session.query(Case).filter(Case.closed_at.is_(None), sa.or_(*conditions))
    if kinds is not None:
        q = q.filter(Case.kind.in_(list(kinds)))
    return q
