"""数据需求 (DB14 §6.3, §9.2–9.3, Appendix B Fig. B.1): a request for data that is not (yet) in
the catalogue, and the write service of its flow; also the lists of demands and collection
requests by side.

A demand (a ``govshare_case`` of kind ``demand``) names the target department — or none: the
coordinator (统筹协调组织, :func:`cases.coordinating_org_id`; the sysadmins when none is
configured) routes it —, the scenario and basis, the wanted 信息项, the update cycle and the
expected date (its fields in ``case.data``, :data:`FIELDS`). The target department's reviewer

* accepts it (:func:`accept`) with a planned date and a draft catalogue entry of one of its units
  (:func:`draft_entry`, created through ``package_create`` as the accepting user when they may
  compile for the unit, else as a compiler of the unit) — or links an entry that exists;
* transfers it to another department (:func:`transfer`, with a reason; the new department's
  clock starts);
* or refuses it (:func:`refuse`) with a reason code of :data:`flows.REFUSAL_REASONS` and a text.

When the linked entry is published the demand is fulfilled (:func:`on_entry_published`,
subscribed to ``govshare:catalogue_published`` by :func:`signal_subscriptions`) and its
requester files an access request for the entry in one step (the demand's page links the
prefilled form).

Validation of the fields is the actions' (their schemas); the state, the roles and the clock are
:mod:`.cases`' and :mod:`.flows`'; who may see a case is
:func:`~ckanext.govshare.permissions.may_see_case`. Each step is committed here (unless the
caller defers the commit) and then told to :func:`.notify.case_changed`.
"""
from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ckanext.govshare import permissions
from ckanext.govshare.catalogue import fields, vocab
from ckanext.govshare.department import roles as dept_roles
from ckanext.govshare.lifecycle import deadlines, service, tables
from ckanext.govshare.model import base
from ckanext.govshare.model.roles import Role
from ckanext.govshare.model.sharing import Case
from ckanext.govshare.sharing import cases, flows, notify

__all__ = [
    "ALL_SIDES", "CLOSED", "FIELDS", "OPEN", "SIDES", "SIDE_DEPARTMENT", "SIDE_HANDLE",
    "SIDE_MINE", "CaseRow", "accept", "compilers_of", "create", "departments", "draft_creator",
    "draft_entry", "due_of_date", "list_cases", "on_entry_published", "refuse", "row_dict",
    "signal_subscriptions", "transfer", "withdraw",
]

log = logging.getLogger(__name__)

# -- the demand's own fields (case.data) ----------------------------------------------------------

DESCRIPTION = "description"
SCENARIO = "scenario"  # 应用场景
BASIS = "basis"  # 需求依据
ITEMS = "items"  # 信息项 wanted, by name
UPDATE_CYCLE = "update_cycle"
UPDATE_CYCLE_OTHER = "update_cycle_other"
EXPECTED_DATE = "expected_date"  # 期望完成时间 (ISO date)
ROUTED = "routed_by_coordinator"  # filed without a target department
PLANNED_DATE = "planned_date"  # 计划提供时间, given on acceptance
UNIT = "unit"  # the unit (处室) the draft entry is assigned to
COMPILER = "compiler"  # who the draft was created as (user id)
ENTRY_NAME = "entry_name"  # the draft's name, known before its id
REFUSAL_CODE = "refusal_code"

#: the fields a demand is filed with (``case.data``), in the form's order
FIELDS: tuple[str, ...] = (DESCRIPTION, SCENARIO, BASIS, ITEMS, UPDATE_CYCLE, UPDATE_CYCLE_OTHER,
                           EXPECTED_DATE)

# -- sides of a list (for demands and collection requests alike) ----------------------------------

SIDE_MINE = "mine"  # filed by me
SIDE_HANDLE = "handle"  # open and waiting on me (my roles in the assigned department)
SIDE_DEPARTMENT = "department"  # of my departments, as requester or target
SIDES: tuple[str, ...] = (SIDE_MINE, SIDE_HANDLE, SIDE_DEPARTMENT)
ALL_SIDES = "all"
#: ``state`` filters that are not one state
OPEN = "open"
CLOSED = "closed"

# -- the draft entry of an accepted demand --------------------------------------------------------

#: where a draft made from a demand is classified until its compiler completes it: 部门信息资源
#: 目录 (class 3), 项 07 (provincial departments), 目 001
DRAFT_CLASSIFICATION: dict[str, str] = {
    fields.CATALOG_CLASS: "3", fields.CATALOG_ITEM: "07", fields.CATALOG_SUBITEM: "001"}
#: the format of a draft until its compiler sets the real one: a spreadsheet file
DRAFT_FORMAT: dict[str, str] = {"format_category": "spreadsheet", "format_type": "xlsx"}
#: a 信息项 of a draft: character data of this length until its compiler describes it
DRAFT_ITEM_TYPE, DRAFT_ITEM_LENGTH = "C", 255
_UNCONDITIONAL, _CONDITIONAL, _NOT_SHARED = vocab.values(vocab.SHARE_TYPES)
_NOT_OPEN = vocab.values(vocab.OPEN_TYPES)[-1]
_FILE_MODE = "file"


def draft_entry(*, title: str, description: str | None, items: Iterable[str],
                update_cycle: str, update_cycle_other: str | None, scenario: str | None,
                basis: str | None, owner_org: str, unit: str, consumer: str, name: str,
                grade: str) -> dict[str, Any]:
    """The ``package_create`` dict of the draft entry an accepted demand gets (pure).

    The demand's title, description, 信息项 and update cycle; the unit the reviewer assigned;
    a conditional share (DB14 §11.1 可共享数据管理规范) whose condition is the demand's basis
    and whose scope is its consumer and scenario; the lowest ``grade`` of the scale. The rest
    (:data:`DRAFT_CLASSIFICATION`, :data:`DRAFT_FORMAT`) are placeholders its compiler
    completes before submitting it for review (it is a draft: nobody outside the department
    sees it).
    """
    scenario_text = (scenario or "").strip() or title
    entry: dict[str, Any] = {
        "name": name,
        "title": title,
        "notes": (description or "").strip() or title,
        fields.OWNER_ORG: owner_org,
        fields.PROVIDER_UNIT: unit,
        fields.IS_CLASSIFIED: "no",
        **DRAFT_CLASSIFICATION,
        **DRAFT_FORMAT,
        fields.INFO_ITEMS: [
            {"name": item, "data_type": DRAFT_ITEM_TYPE, "length": DRAFT_ITEM_LENGTH}
            for item in dict.fromkeys(i.strip() for i in items if i and i.strip())],
        fields.SHARE_TYPE: _CONDITIONAL,
        fields.SHARE_CONDITION: (basis or "").strip() or scenario_text,
        fields.SHARE_SCOPE: [{
            "consumers": consumer, "regions": consumer, "need_to_know": consumer,
            "usage": scenario_text, "scenarios": scenario_text, "agreement_required": "false",
        }],
        fields.SHARE_MODE_CATEGORY: vocab.SHARE_MODE_PLATFORM,
        fields.SHARE_MODE_TYPE: _FILE_MODE,
        fields.OPEN_TYPE: _NOT_OPEN,
        fields.UPDATE_CYCLE: update_cycle,
        fields.DATA_GRADE: grade,
    }
    if update_cycle == vocab.UPDATE_CYCLE_OTHER:
        entry["update_cycle_other"] = (update_cycle_other or "").strip() or title
    return entry


def due_of_date(day: datetime.date) -> datetime.datetime:
    """The end of ``day`` in Beijing time: when a step planned for that date is due."""
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=deadlines.SHANGHAI)


# -- committing and telling -----------------------------------------------------------------------


def _done(context: Mapping[str, Any], case: Case, event: str) -> Case:
    """Commit the step (unless the caller defers it) and tell the people it concerns."""
    if not context.get("defer_commit"):
        model.repo.commit()
    notify.case_changed(case, event, cases.actor_id(context) or None)
    return case


def _department(ref: str | None) -> model.Group | None:
    group = model.Group.get(ref) if ref else None
    return group if group is not None and group.is_organization and group.state == "active" \
        else None


def departments() -> list[tuple[str, str, str]]:
    """``(id, name, title)`` of every active department, by title (the forms' choices)."""
    rows = (model.Session.query(model.Group.id, model.Group.name, model.Group.title)
            .filter(model.Group.is_organization.is_(True), model.Group.state == "active")
            .order_by(model.Group.title, model.Group.name))
    return [(r[0], r[1], r[2] or r[1]) for r in rows]


def _invalid(field: str, message: str) -> tk.ValidationError:
    return tk.ValidationError({field: [message]})


# -- filing ---------------------------------------------------------------------------------------


def create(context: Mapping[str, Any], *, title: str, requester_org: str,
           target_org: str | None, data: Mapping[str, Any]) -> Case:
    """File a demand from ``requester_org`` to ``target_org`` (``None``: the coordinator
    routes it); ``data`` holds :data:`FIELDS`, validated. Its reply is due after
    ``ckanext.govshare.deadline.demand_reply_days`` working days."""
    # DB14 §6.3: a 业务机构 raises its data needs; §9.3 •2 (Fig. B.1): the target department
    # answers within a limit — or the 统筹协调组织 finds the department first
    values = {k: data[k] for k in FIELDS if data.get(k) not in (None, "", [])}
    values[ROUTED] = target_org is None
    case = cases.open_case(
        context, flows.DEMAND, title=title, requester_org=requester_org, target_org=target_org,
        data=values, assignee=flows.PROVIDER_REVIEWER if target_org else flows.COORDINATOR)
    return _done(context, case, "created")


# -- accepting ------------------------------------------------------------------------------------


def compilers_of(org_id: str, unit: str) -> list[model.User]:
    """The department's compilers bound to ``unit`` (roles in force), by name."""
    return (model.Session.query(model.User)
            .join(Role, Role.user_id == model.User.id)
            .filter(Role.org_id == org_id, Role.role == tables.ROLE_COMPILER,
                    Role.units.any(unit), dept_roles.in_force(), model.User.state == "active")
            .order_by(model.User.name).all())


def draft_creator(user: model.User | None, org_id: str, unit: str,
                  compiler: str | None = None) -> model.User:
    """Who the draft entry of an accepted demand is created as: the named ``compiler`` (one of
    the unit's), else the accepting ``user`` when they may compile for the unit, else the
    unit's first compiler (DB14 §7.2 业务谁主管，谁编制).

    :raises tk.ValidationError: the named user compiles nothing for the unit, or nobody does
    """
    if compiler:
        named = model.User.get(compiler)
        if named is None or unit not in dept_roles.compiler_units(named.id, org_id):
            raise _invalid("compiler", tk._("This user does not compile for the unit"))
        return named
    if user is not None and permissions.may_compile(user, org_id, unit):
        return user
    bound = compilers_of(org_id, unit)
    if not bound:
        raise _invalid(UNIT, tk._("No compiler is bound to this unit: grant the role first"))
    return bound[0]


def _linked_entry(ref: str, org_id: str | None) -> model.Package:
    pkg = model.Package.get(ref)
    if pkg is None or pkg.state == "deleted" or permissions.entry_state(pkg) is None:
        raise _invalid("entry_id", tk._("No such catalogue entry"))
    if pkg.owner_org != org_id:
        raise _invalid("entry_id", tk._("The entry must belong to the department the demand "
                                        "is addressed to"))
    return pkg


def _is_published(pkg: model.Package) -> bool:
    return permissions.entry_state(pkg) == tables.PUBLISHED


def accept(context: Mapping[str, Any], ref: str, *, planned_date: datetime.date, unit: str,
           compiler: str | None = None, entry_id: str | None = None,
           entry_title: str | None = None, reason: str | None = None) -> Case:
    """Accept demand ``ref`` (the target department's reviewer): the department plans to
    provide the data by ``planned_date`` through a catalogue entry of ``unit``.

    Without ``entry_id`` a draft entry (:func:`draft_entry`, titled ``entry_title`` or the
    demand's title) is created for ``unit`` as :func:`draft_creator` says; with it, that entry
    of the department is linked (an entry already published fulfils the demand at once). The
    demand then waits on the unit's compilers until the planned date.

    The acceptance is staged first and the draft's ``package_create`` commits both (it commits
    the session): the case row stays locked until then, so two concurrent acceptances create
    one draft; a draft refused by the catalogue's rules leaves the demand as it was.

    :raises tk.ValidationError: unknown unit, compiler or entry; the draft's own errors
        (``package_create``'s, e.g. a title the department already uses); not possible in
        the demand's state
    :raises tk.NotAuthorized: the user is not the target department's reviewer
    """
    case = cases.lock_case(ref, flows.DEMAND)
    org_id = case.target_org
    if org_id and unit not in {u["code"] for u in dept_roles.department_units(org_id)}:
        raise _invalid(UNIT, tk._("Not a unit of the department"))
    user = cases.context_user(context)
    linked = _linked_entry(entry_id, org_id) if entry_id else None
    creator = None if linked is not None or not org_id else draft_creator(
        user, org_id, unit, compiler)
    values: dict[str, Any] = {PLANNED_DATE: planned_date.isoformat(), UNIT: unit}
    name = None
    if creator is not None:
        name = f"{case.number.lower()}-{uuid.uuid4().hex[:6]}"
        values.update({ENTRY_NAME: name, COMPILER: creator.id})
    cases.fire(context, case, flows.ACCEPT, reason=reason, assignee=flows.PROVIDER_COMPILER,
               data=values, audit_data={k: v for k, v in values.items() if k != COMPILER})
    # DB14 §9.3 •2: the answer states when the data will be provided; the demand is due then
    case.due_at = due_of_date(planned_date)
    if linked is not None:
        case.entry_id = linked.id
        model.Session.flush()
        _done(context, case, flows.ACCEPT)
        if _is_published(linked):
            case = cases.lock_case(case.id, flows.DEMAND)
            _fulfil(case, linked.id)
            _done(context, case, flows.FULFIL)
        return case
    if creator is None:
        return _done(context, case, flows.ACCEPT)
    data = case.data or {}
    requester = _department(case.requester_org)
    draft = draft_entry(
        title=entry_title or case.title, description=data.get(DESCRIPTION),
        items=data.get(ITEMS) or [], update_cycle=data.get(UPDATE_CYCLE) or "irregular",
        update_cycle_other=data.get(UPDATE_CYCLE_OTHER), scenario=data.get(SCENARIO),
        basis=data.get(BASIS), owner_org=org_id, unit=unit,
        consumer=(requester.title or requester.name) if requester is not None else case.title,
        name=name, grade=vocab.grade_scale().codes[0])
    case_id = case.id
    model.Session.flush()
    try:
        # the draft is compiled by the unit (DB14 §7.2): its rules and auth are package_create's
        pkg = tk.get_action("package_create")({"user": creator.name}, draft)
    except (tk.ValidationError, tk.NotAuthorized):
        model.Session.rollback()
        raise
    case = cases.lock_case(case_id, flows.DEMAND)
    case.entry_id = pkg["id"]
    model.Session.flush()
    return _done({k: v for k, v in context.items() if k != "defer_commit"}, case, flows.ACCEPT)


# -- transferring, refusing, withdrawing -----------------------------------------------------------


def transfer(context: Mapping[str, Any], ref: str, *, target_org: str, reason: str) -> Case:
    """Transfer demand ``ref`` to department ``target_org`` (转办), with a reason: the target
    department's reviewer, or the coordinator for a demand addressed to nobody. The new
    department's reply clock starts."""
    case = cases.lock_case(ref, flows.DEMAND)
    if _department(target_org) is None:
        raise _invalid("target_org", tk._("No such department"))
    if target_org == case.target_org:
        raise _invalid("target_org", tk._("The demand is already addressed to this department"))
    previous = case.target_org
    cases.fire(context, case, flows.TRANSFER, reason=reason, assignee=flows.PROVIDER_REVIEWER,
               audit_data={"from_org": previous, "to_org": target_org})
    column, role = cases.ASSIGNEE[flows.PROVIDER_REVIEWER]
    setattr(case, column, target_org)
    case.assignee_org, case.assignee_role = getattr(case, column), role
    if case.clock:
        case.due_at = cases.due_after(case.clock, base.now())
        case.paused_days = None
    model.Session.flush()
    return _done(context, case, flows.TRANSFER)


def refuse(context: Mapping[str, Any], ref: str, *, code: str, reason: str) -> Case:
    """Refuse demand ``ref`` (不予受理) with a reason code of :data:`flows.REFUSAL_REASONS`
    and its text (the basis the requester may dispute)."""
    case = cases.lock_case(ref, flows.DEMAND)
    cases.fire(context, case, flows.REFUSE, reason=reason, data={REFUSAL_CODE: code},
               audit_data={REFUSAL_CODE: code})
    return _done(context, case, flows.REFUSE)


def withdraw(context: Mapping[str, Any], ref: str, *, reason: str | None = None) -> Case:
    """Withdraw demand ``ref`` (its requester), before it is fulfilled or refused."""
    case = cases.lock_case(ref, flows.DEMAND)
    cases.fire(context, case, flows.WITHDRAW, reason=reason)
    return _done(context, case, flows.WITHDRAW)


# -- fulfilment on publication ---------------------------------------------------------------------


def _fulfil(case: Case, entry_id: str) -> None:
    """Fire ``fulfil`` on the locked ``case`` as the system (no user decides it)."""
    cases.fire({}, case, flows.FULFIL, as_system=True, audit_data={"entry_id": entry_id})


def on_entry_published(sender: str, **kwargs: Any) -> None:
    """``govshare:catalogue_published`` (sender: the entry id): the accepted demands the entry
    answers are fulfilled, in the publication's transaction."""
    rows = (model.Session.query(Case)
            .filter(Case.kind == flows.DEMAND, Case.entry_id == sender,
                    Case.state == flows.ACCEPTED)
            .order_by(Case.created).populate_existing().with_for_update().all())
    for case in rows:
        _fulfil(case, sender)
        log.info("demand %s fulfilled by the publication of %s", case.number, sender)
        notify.case_changed(case, flows.FULFIL, None)


def signal_subscriptions() -> dict[Any, list[Callable[..., Any]]]:
    """The signals this flow listens to (``ISignal.get_signal_subscriptions``)."""
    return {service.published_signal(): [on_entry_published]}


# -- lists (demands and collection requests) --------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    """A case of a list with what its row shows besides the case."""

    case: Case
    requester_org_title: str | None
    target_org_title: str | None
    requester_name: str | None


def _member_orgs(user_id: str) -> Any:
    """The ids of the user's active departments, as a subquery."""
    member = model.Member
    return (sa.select(member.group_id)
            .join(model.Group, model.Group.id == member.group_id)
            .where(member.table_name == "user", member.table_id == user_id,
                   member.state == "active", model.Group.is_organization.is_(True),
                   model.Group.state == "active")
            .scalar_subquery())


def _waiting_on(user: model.User) -> Any:
    """Open cases waiting on ``user``: assigned to them, or to a role they hold (in force) in
    the assigned department (as :func:`cases.open_cases_for`, in SQL)."""
    held = sa.exists().where(Role.user_id == user.id, Role.org_id == Case.assignee_org,
                             Role.role == Case.assignee_role, dept_roles.in_force())
    conditions = [Case.assignee_user == user.id, held]
    if user.sysadmin and cases.coordinating_org_id() is None:
        conditions.append(sa.and_(Case.assignee_org.is_(None),
                                  Case.assignee_role == tables.ROLE_COORDINATOR))
    return sa.and_(Case.closed_at.is_(None), sa.or_(*conditions))


def _side(user: model.User, side: str) -> Any:
    if side == SIDE_MINE:
        return Case.requester_user == user.id
    if side == SIDE_HANDLE:
        return _waiting_on(user)
    orgs = _member_orgs(user.id)
    return sa.or_(Case.requester_org.in_(orgs), Case.target_org.in_(orgs))


def list_cases(user: model.User, kind: str, *, side: str | None = None,
               state: str | None = None, organization_id: str | None = None,
               data_filters: Mapping[str, str] | None = None, overdue_at: Any = None,
               limit: int = 50, offset: int = 0) -> tuple[int, list[CaseRow]]:
    """``(count, rows)``: the cases of ``kind`` on ``side`` of ``user`` (:data:`SIDES`; ``None``
    or :data:`ALL_SIDES`: any of them — for a sysadmin every case), in one query.

    ``state``: one state, :data:`OPEN` or :data:`CLOSED`; ``organization_id``: requested by or
    addressed to that department; ``data_filters``: equal values of the case's own fields
    (e.g. a collection's ``type``); ``overdue_at``: only cases due before that moment. Open
    cases first, soonest due first; then the newest.
    """
    requester_org = aliased(model.Group)
    target_org = aliased(model.Group)
    requester = aliased(model.User)
    q = (model.Session.query(Case, requester_org.title, target_org.title,
                             sa.func.coalesce(sa.func.nullif(requester.fullname, ""),
                                              requester.name),
                             sa.func.count().over())
         .outerjoin(requester_org, requester_org.id == Case.requester_org)
         .outerjoin(target_org, target_org.id == Case.target_org)
         .outerjoin(requester, requester.id == Case.requester_user)
         .filter(Case.kind == kind))
    # who sees which case is permissions.may_see_case's rule: each side is within it
    if side in SIDES:
        q = q.filter(_side(user, side))
    elif not user.sysadmin:
        q = q.filter(sa.or_(*(_side(user, s) for s in SIDES)))
    if state == OPEN:
        q = q.filter(Case.closed_at.is_(None))
    elif state == CLOSED:
        q = q.filter(Case.closed_at.isnot(None))
    elif state:
        q = q.filter(Case.state == state)
    if organization_id:
        q = q.filter(sa.or_(Case.requester_org == organization_id,
                            Case.target_org == organization_id))
    for key, value in (data_filters or {}).items():
        q = q.filter(Case.data[key].astext == value)
    if overdue_at is not None:
        q = q.filter(Case.closed_at.is_(None), Case.due_at < overdue_at)
    rows = (q.order_by(Case.closed_at.isnot(None), Case.due_at.asc().nulls_last(),
                       Case.created.desc(), Case.id)
            .offset(offset).limit(limit).all())
    if rows:
        count = rows[0][4]
    else:  # past the last page: the count alone
        count = q.with_entities(sa.func.count(Case.id)).scalar() if offset else 0
    return count, [CaseRow(r[0], r[1], r[2], r[3]) for r in rows]


def row_dict(case: Case, now: datetime.datetime | None = None, **extra: Any) -> dict[str, Any]:
    """The API representation of a case in a list or an answer: its fields, plus ``days_left``
    (working days to ``due_at``, negative when overdue; ``None`` without a due date) and
    ``overdue``."""
    now = now or base.now()
    result = case.dictize()
    result["days_left"] = cases.working_days_left(case.due_at, now) if case.due_at else None
    result["overdue"] = bool(case.due_at and case.closed_at is None
                             and deadlines.is_overdue(case.due_at, now))
    result.update(extra)
    return result
