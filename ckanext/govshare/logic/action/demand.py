"""Actions of data demands (数据需求, DB14 §6.3, §9.2–9.3, Appendix B Fig. B.1) and of
collection and backflow requests (归集 / 回流, DB14 §8.2–8.3).

One action per transition of each flow's table (:data:`ckanext.govshare.sharing.flows.
DEMAND_TRANSITIONS`, :data:`~ckanext.govshare.sharing.flows.COLLECTION_TRANSITIONS`), plus
``show`` and ``list``. Each validates its parameters (the schemas below), checks access once
with the auth function of its name, and hands over to the flow's service
(:mod:`ckanext.govshare.sharing.demand`, :mod:`ckanext.govshare.sharing.collection`), which
locks the case, asks the state machine, writes, audits, commits and notifies. The state, the
roles at each step and the four-eyes rule are the machine's: a step not possible now answers
``ValidationError`` on ``state``, a role that may not take it ``NotAuthorized``.

Every answer is the case (``govshare_case`` columns, its own fields in ``data``) with
``days_left`` (working days to ``due_at``, negative when overdue) and ``overdue``.
"""
from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict, Schema

from ckanext.govshare import permissions
from ckanext.govshare.catalogue import vocab
from ckanext.govshare.department import queries as dept_queries
from ckanext.govshare.lifecycle import deadlines
from ckanext.govshare.model import base
from ckanext.govshare.model.sharing import Case
from ckanext.govshare.sharing import cases, collection, demand, flows

__all__ = [
    "govshare_collection_approve",
    "govshare_collection_complete",
    "govshare_collection_create",
    "govshare_collection_list",
    "govshare_collection_refuse",
    "govshare_collection_resubmit",
    "govshare_collection_return",
    "govshare_collection_show",
    "govshare_collection_withdraw",
    "govshare_demand_accept",
    "govshare_demand_create",
    "govshare_demand_list",
    "govshare_demand_refuse",
    "govshare_demand_show",
    "govshare_demand_transfer",
    "govshare_demand_withdraw",
]

#: a list's page size by default, and the largest page one call returns
LIST_PAGE_SIZE = 50
LIST_MAX_PAGE_SIZE = 1000
#: ``target_org`` of a demand whose department the requester does not know
UNKNOWN_TARGET = "unknown"
#: the longest title, and the longest text of any other field
TITLE_MAX, TEXT_MAX = 200, 4000

Validator = Callable[..., None]


# -- validators ----------------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or value is tk.missing or (isinstance(value, str) and not value.strip())


def _fail(key: Any, errors: Any, message: str) -> None:
    errors[key].append(message)
    raise tk.StopOnError


def _text(*, required: bool = False, max_length: int = TEXT_MAX) -> Validator:
    """Text, stripped; a missing optional one is dropped."""
    def validator(key: Any, data: Any, errors: Any, context: Context) -> None:
        value = data.get(key)
        if _blank(value):
            if required:
                _fail(key, errors, tk._("Required"))
            data.pop(key, None)
            raise tk.StopOnError
        text = str(value).strip()
        if len(text) > max_length:
            _fail(key, errors, tk._("Must be at most {max} characters").format(max=max_length))
        data[key] = text
    return validator


def _choice(values: Iterable[str], *, required: bool = True) -> Validator:
    """One of ``values``."""
    allowed = tuple(values)

    def validator(key: Any, data: Any, errors: Any, context: Context) -> None:
        value = data.get(key)
        if _blank(value):
            if required:
                _fail(key, errors, tk._("Required"))
            data.pop(key, None)
            raise tk.StopOnError
        if str(value).strip() not in allowed:
            _fail(key, errors, tk._("Not one of: {values}").format(values=", ".join(allowed)))
        data[key] = str(value).strip()
    return validator


def _date(*, required: bool = True, not_past: bool = True) -> Validator:
    """An ISO date (YYYY-MM-DD), by default not before today (Beijing time)."""
    def validator(key: Any, data: Any, errors: Any, context: Context) -> None:
        value = data.get(key)
        if _blank(value):
            if required:
                _fail(key, errors, tk._("Required"))
            data.pop(key, None)
            raise tk.StopOnError
        if isinstance(value, datetime.datetime):
            day = value.astimezone(deadlines.SHANGHAI).date()
        elif isinstance(value, datetime.date):
            day = value
        else:
            try:
                day = datetime.date.fromisoformat(str(value).strip()[:10])
            except ValueError:
                _fail(key, errors, tk._("Must be a date (YYYY-MM-DD)"))
        if not_past and day < base.now().astimezone(deadlines.SHANGHAI).date():
            _fail(key, errors, tk._("Must not be in the past"))
        data[key] = day
    return validator


_SEPARATORS = re.compile(r"[\n\r,，、;；]+")


def _names(*, required: bool = True) -> Validator:
    """A list of 信息项 names: a list, or one text separated by new lines, commas or 、;
    blanks dropped, repeats once."""
    def validator(key: Any, data: Any, errors: Any, context: Context) -> None:
        value = data.get(key)
        raw = value if isinstance(value, list) else (
            [] if _blank(value) else _SEPARATORS.split(str(value)))
        names = list(dict.fromkeys(str(n).strip() for n in raw if not _blank(n)))
        if not names:
            if required:
                _fail(key, errors, tk._("Name at least one item"))
            data.pop(key, None)
            raise tk.StopOnError
        if any(len(n) > TITLE_MAX for n in names):
            _fail(key, errors, tk._("Must be at most {max} characters").format(max=TITLE_MAX))
        data[key] = names
    return validator


def _department(*, required: bool = False, unknown: bool = False) -> Validator:
    """A department (id or name) as its id; with ``unknown``, :data:`UNKNOWN_TARGET` or blank
    mean no department."""
    def validator(key: Any, data: Any, errors: Any, context: Context) -> None:
        value = data.get(key)
        if _blank(value) or (unknown and str(value).strip() == UNKNOWN_TARGET):
            if required:
                _fail(key, errors, tk._("Required"))
            if unknown:
                data[key] = None
            else:
                data.pop(key, None)
            raise tk.StopOnError
        group = model.Group.get(str(value).strip())
        if group is None or not group.is_organization or group.state != "active":
            _fail(key, errors, tk._("No such department"))
        data[key] = group.id
    return validator


def _number(maximum: int) -> Validator:
    """A whole number 0–``maximum``; a missing one is dropped."""
    def validator(key: Any, data: Any, errors: Any, context: Context) -> None:
        value = data.get(key)
        if _blank(value):
            data.pop(key, None)
            raise tk.StopOnError
        text = str(value).strip()
        if not text.isdecimal() or int(text) > maximum:
            _fail(key, errors, tk._("Must be a whole number from 0 to {max}").format(
                max=maximum))
        data[key] = int(text)
    return validator


def _flag(key: Any, data: Any, errors: Any, context: Context) -> None:
    value = data.get(key)
    if _blank(value):
        data.pop(key, None)
        raise tk.StopOnError
    data[key] = tk.asbool(value)


# -- schemas -------------------------------------------------------------------------------------


def _id() -> Schema:
    return {"id": [_text(required=True, max_length=TITLE_MAX)]}


def demand_create_schema() -> Schema:
    """``govshare_demand_create``: the demand's elements (domain reference E.4)."""
    return {
        "title": [_text(required=True, max_length=TITLE_MAX)],
        demand.DESCRIPTION: [_text()],
        "requester_org": [_department()],
        "target_org": [_department(unknown=True)],
        demand.SCENARIO: [_text(required=True)],
        demand.BASIS: [_text(required=True)],
        demand.ITEMS: [_names()],
        demand.UPDATE_CYCLE: [_choice(vocab.values(vocab.UPDATE_CYCLES))],
        demand.UPDATE_CYCLE_OTHER: [_text(max_length=TITLE_MAX)],
        demand.EXPECTED_DATE: [_date()],
    }


def demand_accept_schema() -> Schema:
    return {**_id(), demand.PLANNED_DATE: [_date()],
            demand.UNIT: [_text(required=True, max_length=TITLE_MAX)],
            demand.COMPILER: [_text(max_length=TITLE_MAX)],
            "entry_id": [_text(max_length=TITLE_MAX)],
            "entry_title": [_text(max_length=TITLE_MAX)], "reason": [_text()]}


def demand_transfer_schema() -> Schema:
    return {**_id(), "target_org": [_department(required=True)],
            "reason": [_text(required=True)]}


def demand_refuse_schema() -> Schema:
    return {**_id(), "code": [_choice(flows.REFUSAL_REASONS)],
            "reason": [_text(required=True)]}


def reason_schema() -> Schema:
    """A step with an optional comment (withdraw, approve's suggestion, complete's note)."""
    return {**_id(), "reason": [_text()]}


def required_reason_schema() -> Schema:
    return {**_id(), "reason": [_text(required=True)]}


def show_schema() -> Schema:
    return _id()


def list_schema() -> Schema:
    return {
        "side": [_choice((*demand.SIDES, demand.ALL_SIDES), required=False)],
        "state": [_text(max_length=TITLE_MAX)],
        "organization_id": [_department()],
        "overdue": [_flag],
        "limit": [_number(LIST_MAX_PAGE_SIZE)],
        "offset": [_number(10**9)],
    }


def collection_list_schema() -> Schema:
    return {**list_schema(), collection.TYPE: [_choice(flows.COLLECTION_TYPES, required=False)]}


def _collection_fields(required: bool) -> Schema:
    return {
        "title": [_text(required=required, max_length=TITLE_MAX)],
        collection.DESCRIPTION: [_text()],
        collection.SCENARIO: [_text(required=required)],
        collection.EXISTING_DATA: [_text(required=required)],
        collection.SOURCE_ORG: [_department()],
        collection.SOURCE_NAME: [_text(max_length=TITLE_MAX)],
        collection.TARGET_LIBRARY: [_choice(collection.LIBRARIES, required=required)],
        collection.MODE: [_choice(collection.MODES, required=required)],
        collection.FREQUENCY: [_choice(vocab.values(vocab.UPDATE_CYCLES), required=required)],
        collection.COLLECTED_FIELDS: [_names(required=required)],
    }


def collection_create_schema() -> Schema:
    """``govshare_collection_create``: the elements of DB14 §8.3.1 a) and domain reference E.5."""
    return {
        **_collection_fields(required=True),
        collection.TYPE: [_choice(flows.COLLECTION_TYPES)],
        "requester_org": [_department()],
        "superior_org": [_department()],
        collection.ENTRY_ID: [_text(max_length=TITLE_MAX)],
    }


def collection_resubmit_schema() -> Schema:
    return {**_id(), **_collection_fields(required=False), "reason": [_text()]}


# -- helpers -------------------------------------------------------------------------------------


def _user(context: Context) -> model.User | None:
    return permissions.context_user(context)


def requester_org(context: Context, data_dict: DataDict) -> str:
    """The requesting department: the one given, else the user's only department."""
    if data_dict.get("requester_org"):
        return data_dict["requester_org"]
    user = _user(context)
    orgs = sorted(user.get_group_ids(group_type="organization")) if user is not None else []
    if len(orgs) == 1:
        return orgs[0]
    raise tk.ValidationError({"requester_org": [
        tk._("Choose the requesting department") if orgs
        else tk._("You belong to no department")]})


def _person(user_id: str | None) -> str | None:
    user = model.User.get(user_id) if user_id else None
    return (user.fullname or user.name) if user is not None else None


def _entry_summary(context: Context, entry_id: str | None) -> dict[str, Any] | None:
    """The linked entry: id, name, title and state when the user may see it, else its id."""
    if not entry_id:
        return None
    pkg = model.Package.get(entry_id)
    if pkg is None or pkg.state == "deleted":
        return {"id": entry_id}
    if not permissions.can_see_entry(_user(context), pkg):
        return {"id": pkg.id}
    return {"id": pkg.id, "name": pkg.name, "title": pkg.title,
            "catalogue_state": permissions.entry_state(pkg)}


def _answer(case: Case) -> dict[str, Any]:
    names = dept_queries.department_names((case.requester_org, case.target_org))
    requester, target = names.get(case.requester_org or ""), names.get(case.target_org or "")
    return demand.row_dict(case, requester_org_title=requester.title if requester else None,
                           target_org_title=target.title if target else None,
                           requester_name=_person(case.requester_user))


def _show(context: Context, case: Case) -> dict[str, Any]:
    result = _answer(case)
    result["entry"] = _entry_summary(context, case.entry_id)
    result["allowed_events"] = cases.allowed_events(_user(context), case)
    result["timeline"] = [event.dictize() for event in cases.timeline(case.id)]
    return result


def _list(context: Context, data_dict: DataDict, kind: str,
          data_filters: dict[str, str] | None = None) -> dict[str, Any]:
    user = _user(context)
    if user is None:
        raise tk.NotAuthorized(tk._("Log in first"))
    now = base.now()
    side = data_dict.get("side")
    count, rows = demand.list_cases(
        user, kind, side=None if side == demand.ALL_SIDES else side,
        state=data_dict.get("state"), organization_id=data_dict.get("organization_id"),
        data_filters=data_filters, overdue_at=now if data_dict.get("overdue") else None,
        limit=data_dict.get("limit", LIST_PAGE_SIZE), offset=data_dict.get("offset", 0))
    return {"count": count, "results": [
        demand.row_dict(r.case, now, requester_org_title=r.requester_org_title,
                        target_org_title=r.target_org_title, requester_name=r.requester_name)
        for r in rows]}


# -- demands -------------------------------------------------------------------------------------


@validate(demand_create_schema)
def govshare_demand_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """File a data demand (数据需求) for data not (yet) in the catalogue.

    The target department's reviewer answers within
    ``ckanext.govshare.deadline.demand_reply_days`` working days; a demand addressed to no known
    department goes to the coordinator (``ckanext.govshare.coordinating_department``, or the
    sysadmins), who transfers it.

    :param title: what data is needed (目录名称)
    :type title: string
    :param description: what it covers (数据范围; optional)
    :type description: string
    :param requester_org: the requesting department (default: the user's only department)
    :type requester_org: string
    :param target_org: the department expected to hold the data (数源部门), or ``unknown``
    :type target_org: string
    :param scenario: the application scenario (应用场景)
    :type scenario: string
    :param basis: the legal or business basis (需求依据)
    :type basis: string
    :param items: the wanted 信息项, a list of names (or one text, one name per line)
    :type items: list of strings
    :param update_cycle: the wanted update cycle (a catalogue update-cycle code)
    :type update_cycle: string
    :param update_cycle_other: the cycle, when ``update_cycle`` is ``other``
    :type update_cycle_other: string
    :param expected_date: when the data is needed (期望完成时间), ISO date, not in the past
    :type expected_date: string
    :returns: the demand
    :rtype: dictionary
    """
    tk.check_access("govshare_demand_create", context, data_dict)
    if data_dict.get(demand.UPDATE_CYCLE) == vocab.UPDATE_CYCLE_OTHER and not data_dict.get(
            demand.UPDATE_CYCLE_OTHER):
        raise tk.ValidationError({demand.UPDATE_CYCLE_OTHER: [tk._("Required")]})
    data_dict["requester_org"] = requester_org(context, data_dict)
    fields = {k: data_dict.get(k) for k in demand.FIELDS}
    if fields.get(demand.EXPECTED_DATE):
        fields[demand.EXPECTED_DATE] = fields[demand.EXPECTED_DATE].isoformat()
    case = demand.create(context, title=data_dict["title"],
                         requester_org=data_dict["requester_org"],
                         target_org=data_dict.get("target_org"), data=fields)
    return _answer(case)


@validate(demand_accept_schema)
def govshare_demand_accept(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Accept a demand (受理): the target department will provide the data.

    The target department's reviewer gives the planned date and the unit (处室) that compiles
    the entry: a draft catalogue entry with the demand's title and 信息项 is created for the
    unit (as the reviewer when they may compile for it, else as the named or the unit's first
    compiler) and linked to the demand; or ``entry_id`` links an entry of the department that
    exists. When the linked entry is published the demand is fulfilled.

    :param id: the demand's id or number
    :type id: string
    :param planned_date: when the data will be provided (计划提供时间), ISO date
    :type planned_date: string
    :param unit: the code of the department's unit that compiles the entry
    :type unit: string
    :param compiler: the unit's compiler to create the draft as (optional)
    :type compiler: string
    :param entry_id: an existing entry of the department to link instead (optional)
    :type entry_id: string
    :param entry_title: the draft's title (default: the demand's; optional)
    :type entry_title: string
    :param reason: a comment (optional)
    :type reason: string
    :returns: the demand, with ``entry_id``
    :rtype: dictionary
    """
    tk.check_access("govshare_demand_accept", context, data_dict)
    case = demand.accept(context, data_dict["id"], planned_date=data_dict[demand.PLANNED_DATE],
                         unit=data_dict[demand.UNIT], compiler=data_dict.get(demand.COMPILER),
                         entry_id=data_dict.get("entry_id"),
                         entry_title=data_dict.get("entry_title"),
                         reason=data_dict.get("reason"))
    return _answer(case)


@validate(demand_transfer_schema)
def govshare_demand_transfer(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Transfer a demand to another department (转办), with a reason.

    The target department's reviewer, or the coordinator for a demand addressed to no
    department. The new department's reply clock starts.

    :param id: the demand's id or number
    :type id: string
    :param target_org: the department to transfer it to
    :type target_org: string
    :param reason: why (required)
    :type reason: string
    :returns: the demand
    :rtype: dictionary
    """
    tk.check_access("govshare_demand_transfer", context, data_dict)
    case = demand.transfer(context, data_dict["id"], target_org=data_dict["target_org"],
                           reason=data_dict["reason"])
    return _answer(case)


@validate(demand_refuse_schema)
def govshare_demand_refuse(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Refuse a demand (不予受理) with a reason code and its text.

    :param id: the demand's id or number
    :type id: string
    :param code: ``law`` (法律法规不允许), ``not_ours`` (数据不在本部门), ``not_ready``
        (不具备共享条件) or ``other``
    :type code: string
    :param reason: the basis of the refusal (required)
    :type reason: string
    :returns: the demand
    :rtype: dictionary
    """
    tk.check_access("govshare_demand_refuse", context, data_dict)
    case = demand.refuse(context, data_dict["id"], code=data_dict["code"],
                         reason=data_dict["reason"])
    return _answer(case)


@validate(reason_schema)
def govshare_demand_withdraw(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Withdraw a demand (its requester), before it is fulfilled or refused.

    :param id: the demand's id or number
    :type id: string
    :param reason: a comment (optional)
    :type reason: string
    :returns: the demand
    :rtype: dictionary
    """
    tk.check_access("govshare_demand_withdraw", context, data_dict)
    return _answer(demand.withdraw(context, data_dict["id"], reason=data_dict.get("reason")))


@tk.side_effect_free
@validate(show_schema)
def govshare_demand_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One demand with its timeline, its linked entry and the steps the user may take now.

    Seen by its requester, the members of the requesting and the target department, the
    coordinators and sysadmins.

    :param id: the demand's id or number
    :type id: string
    :returns: the demand with ``entry`` (id, and name, title and ``catalogue_state`` when the
        user may see it), ``allowed_events`` and ``timeline`` (oldest first)
    :rtype: dictionary
    """
    tk.check_access("govshare_demand_show", context, data_dict)
    return _show(context, cases.get_case(data_dict["id"], flows.DEMAND))


@tk.side_effect_free
@validate(list_schema)
def govshare_demand_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Demands, open ones first (soonest due first), then the newest.

    :param side: ``mine`` (filed by me), ``handle`` (open and waiting on me), ``department``
        (of my departments, either side) or ``all`` (any of these; a sysadmin sees every
        demand); default ``all``
    :type side: string
    :param state: a state (``submitted``, ``accepted``, ``fulfilled``, ``refused``,
        ``withdrawn``), ``open`` or ``closed``
    :type state: string
    :param organization_id: only those requested by or addressed to this department
    :type organization_id: string
    :param overdue: only open demands past their due date
    :type overdue: bool
    :param limit: page size (default 50, at most 1000)
    :type limit: int
    :param offset: page start
    :type offset: int
    :returns: ``{"count": n, "results": [...]}``, each with ``due_at``, ``days_left`` and
        ``overdue``
    :rtype: dictionary
    """
    tk.check_access("govshare_demand_list", context, data_dict)
    return _list(context, data_dict, flows.DEMAND)


# -- collection and backflow requests ----------------------------------------------------------------


def _collection_entry(context: Context, ref: str | None) -> str | None:
    if not ref:
        return None
    pkg = model.Package.get(ref)
    if pkg is None or pkg.state == "deleted" or not permissions.can_see_entry(
            _user(context), pkg):
        raise tk.ValidationError({collection.ENTRY_ID: [tk._("No such catalogue entry")]})
    return pkg.id


def _source_given(data_dict: DataDict) -> None:
    # DB14 §8.3.1 a): the department the needed data belongs to is stated
    if not data_dict.get(collection.SOURCE_ORG) and not data_dict.get(collection.SOURCE_NAME):
        raise tk.ValidationError({collection.SOURCE_NAME: [
            tk._("Name the department the data belongs to")]})


@validate(collection_create_schema)
def govshare_collection_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """File a collection request (归集, DB14 §8.3.1) or a backflow request (回流, §8.3.2).

    A collection request is reviewed by the requesting department's reviewer (共享管理责任
    机构); a backflow request by the reviewer of the superior department it is sent to. The
    review is due after ``ckanext.govshare.deadline.collection_review_days`` working days.

    :param type: ``collection`` or ``backflow``
    :type type: string
    :param title: what is to be collected
    :type title: string
    :param description: details (optional)
    :type description: string
    :param requester_org: the requesting department (default: the user's only department)
    :type requester_org: string
    :param superior_org: the superior department (backflow only, required there)
    :type superior_org: string
    :param scenario: the scenario the data is used in (数据使用场景)
    :type scenario: string
    :param existing_data: the data already held (已有数据情况)
    :type existing_data: string
    :param source_org: the department of the portal the needed data belongs to, or
    :type source_org: string
    :param source_name: the name of that department (outside the portal)
    :type source_name: string
    :param target_library: ``front`` (前置库) or ``center`` (中心库)
    :type target_library: string
    :param mode: ``full`` (全量) or ``incremental`` (增量)
    :type mode: string
    :param frequency: how often (a catalogue update-cycle code)
    :type frequency: string
    :param fields: the 信息项 to collect, a list of names (or one per line)
    :type fields: list of strings
    :param entry_id: the catalogue entry concerned (optional)
    :type entry_id: string
    :returns: the request
    :rtype: dictionary
    """
    tk.check_access("govshare_collection_create", context, data_dict)
    _source_given(data_dict)
    data_dict["requester_org"] = requester_org(context, data_dict)
    type_ = data_dict[collection.TYPE]
    superior = data_dict.get("superior_org")
    if type_ == collection.BACKFLOW and not superior:
        raise tk.ValidationError({"superior_org": [tk._("Required")]})
    if type_ == collection.BACKFLOW and superior == data_dict["requester_org"]:
        raise tk.ValidationError({"superior_org": [
            tk._("A backflow request goes to another department")]})
    entry_id = _collection_entry(context, data_dict.get(collection.ENTRY_ID))
    case = collection.create(
        context, type_=type_, title=data_dict["title"], requester_org=data_dict["requester_org"],
        superior_org=superior if type_ == collection.BACKFLOW else None,
        data={k: data_dict.get(k) for k in collection.FIELDS}, entry_id=entry_id)
    return _answer(case)


@validate(reason_schema)
def govshare_collection_approve(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Approve a collection or backflow request, with an implementation suggestion (实施建议,
    DB14 §8.3.1 b). Its reviewer; not the person who submitted it.

    :param id: the request's id or number
    :type id: string
    :param reason: the implementation suggestion (optional)
    :type reason: string
    :returns: the request
    :rtype: dictionary
    """
    tk.check_access("govshare_collection_approve", context, data_dict)
    return _answer(collection.approve(context, data_dict["id"],
                                      suggestion=data_dict.get("reason")))


@validate(required_reason_schema)
def govshare_collection_return(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Return a request to its requester for more information, with a reason.

    :param id: the request's id or number
    :type id: string
    :param reason: what is missing (required)
    :type reason: string
    :returns: the request
    :rtype: dictionary
    """
    tk.check_access("govshare_collection_return", context, data_dict)
    return _answer(collection.return_(context, data_dict["id"], reason=data_dict["reason"]))


@validate(collection_resubmit_schema)
def govshare_collection_resubmit(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Resubmit a returned request (its requester), with the fields it changes; its review
    clock starts again.

    :param id: the request's id or number
    :type id: string
    :param title: and any field of ``govshare_collection_create`` but ``type``, the
        departments and the entry (optional)
    :param reason: a comment (optional)
    :type reason: string
    :returns: the request
    :rtype: dictionary
    """
    tk.check_access("govshare_collection_resubmit", context, data_dict)
    changes = {k: data_dict[k] for k in collection.FIELDS if k in data_dict}
    return _answer(collection.resubmit(context, data_dict["id"], changes=changes,
                                       title=data_dict.get("title"),
                                       reason=data_dict.get("reason")))


@validate(required_reason_schema)
def govshare_collection_refuse(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Refuse a request (未通过), with a reason. Its reviewer; not the person who submitted it.

    :param id: the request's id or number
    :type id: string
    :param reason: why (required)
    :type reason: string
    :returns: the request
    :rtype: dictionary
    """
    tk.check_access("govshare_collection_refuse", context, data_dict)
    return _answer(collection.refuse(context, data_dict["id"], reason=data_dict["reason"]))


@validate(reason_schema)
def govshare_collection_withdraw(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Withdraw a request in review or returned (its requester).

    :param id: the request's id or number
    :type id: string
    :param reason: a comment (optional)
    :type reason: string
    :returns: the request
    :rtype: dictionary
    """
    tk.check_access("govshare_collection_withdraw", context, data_dict)
    return _answer(collection.withdraw(context, data_dict["id"],
                                       reason=data_dict.get("reason")))


@validate(reason_schema)
def govshare_collection_complete(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Mark an approved request completed: the collection task is configured and has run.
    Its requester or reviewer.

    :param id: the request's id or number
    :type id: string
    :param reason: what was done (optional)
    :type reason: string
    :returns: the request
    :rtype: dictionary
    """
    tk.check_access("govshare_collection_complete", context, data_dict)
    return _answer(collection.complete(context, data_dict["id"], note=data_dict.get("reason")))


@tk.side_effect_free
@validate(show_schema)
def govshare_collection_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One collection or backflow request with its timeline and the steps the user may take.

    :param id: the request's id or number
    :type id: string
    :returns: the request with ``entry``, ``allowed_events`` and ``timeline``
    :rtype: dictionary
    """
    tk.check_access("govshare_collection_show", context, data_dict)
    return _show(context, cases.get_case(data_dict["id"], flows.COLLECTION))


@tk.side_effect_free
@validate(collection_list_schema)
def govshare_collection_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Collection and backflow requests, open ones first (soonest due first), then the newest.

    :param side: ``mine``, ``handle``, ``department`` or ``all`` (see ``govshare_demand_list``)
    :type side: string
    :param type: ``collection`` or ``backflow`` (optional)
    :type type: string
    :param state: a state (``submitted``, ``returned``, ``approved``, ``completed``,
        ``refused``, ``withdrawn``), ``open`` or ``closed``
    :type state: string
    :param organization_id: only those requested by or addressed to this department
    :type organization_id: string
    :param overdue: only open requests past their due date
    :type overdue: bool
    :param limit: page size (default 50, at most 1000)
    :type limit: int
    :param offset: page start
    :type offset: int
    :returns: ``{"count": n, "results": [...]}``, each with ``due_at``, ``days_left`` and
        ``overdue``
    :rtype: dictionary
    """
    tk.check_access("govshare_collection_list", context, data_dict)
    type_ = data_dict.get(collection.TYPE)
    return _list(context, data_dict, flows.COLLECTION,
                 {collection.TYPE: type_} if type_ else None)
