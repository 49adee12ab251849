"""Actions of the security officer's duties (DB14 §11.1–11.2): security incidents
(``govshare_incident_*``), the grade sign-off (``govshare_signoff_*``) and the department's
"who can access what now" (``govshare_access_overview``).

Each checks access once (the auth function of the same name), validates with the schemas
below and hands over to :mod:`ckanext.govshare.sharing.security`, which writes through the
cases service (row lock, the flow's table, the audit); the step is committed (unless
``defer_commit``) and then notified (:mod:`ckanext.govshare.sharing.notify`). A sign-off is
opened by the catalogue lifecycle itself when a high grade is submitted; these actions sign it
or object to it.
"""
from __future__ import annotations

import datetime
import re
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict, FlattenDataDict, FlattenErrorDict, FlattenKey, Schema

from ckanext.govshare import permissions
from ckanext.govshare.catalogue import fields
from ckanext.govshare.lifecycle import deadlines
from ckanext.govshare.logic.validators import flag, moment, whole_number
from ckanext.govshare.model import base
from ckanext.govshare.model.sharing import Case
from ckanext.govshare.sharing import cases, flows, notify, security

__all__ = [
    "govshare_access_overview",
    "govshare_incident_close",
    "govshare_incident_create",
    "govshare_incident_handle",
    "govshare_incident_list",
    "govshare_incident_show",
    "govshare_signoff_list",
    "govshare_signoff_object",
    "govshare_signoff_show",
    "govshare_signoff_sign",
]

#: the lists' page size by default, and the largest page one call returns
PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
#: the longest title, and the longest description, step or conclusion
TITLE_LENGTH = 200
TEXT_LENGTH = 4000
#: the action of each event of the two flows
INCIDENT_ACTIONS = {flows.HANDLE: "govshare_incident_handle",
                    flows.CLOSE: "govshare_incident_close"}
SIGNOFF_ACTIONS = {flows.SIGN: "govshare_signoff_sign", flows.OBJECT: "govshare_signoff_object"}


# -- schemas --------------------------------------------------------------------------------------

def _blank(value: Any) -> bool:
    return value is tk.missing or value is None or (isinstance(value, str) and not value.strip())


def _text(length: int, required: bool = True):
    """Text of at most ``length`` characters, stripped; a blank optional one is dropped."""
    def validator(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                  context: Context) -> None:
        value = data.get(key)
        if _blank(value):
            if required:
                errors[key].append(tk._("Missing value"))
            data.pop(key, None)
            raise tk.StopOnError
        text = str(value).strip()
        if len(text) > length:
            errors[key].append(tk._("Must be at most {length} characters").format(length=length))
            raise tk.StopOnError
        data[key] = text
    return validator


def _choice(choices: dict[str, Any], required: bool = True):
    def validator(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                  context: Context) -> None:
        value = data.get(key)
        if _blank(value):
            if required:
                errors[key].append(tk._("Missing value"))
            data.pop(key, None)
            raise tk.StopOnError
        if str(value) not in choices:
            errors[key].append(tk._("Must be one of: {values}").format(
                values=", ".join(choices)))
            raise tk.StopOnError
        data[key] = str(value)
    return validator


def _department(required: bool = True):
    """A department (organization) by id or name, as its id."""
    def validator(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                  context: Context) -> None:
        value = data.get(key)
        if _blank(value):
            if required:
                errors[key].append(tk._("Missing value"))
            data.pop(key, None)
            raise tk.StopOnError
        group = model.Group.get(str(value).strip())
        if group is None or not group.is_organization or group.state != "active":
            errors[key].append(tk._("Department not found"))
            raise tk.StopOnError
        data[key] = group.id
    return validator


def _references(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                context: Context) -> None:
    """A list of ids or names, or one text of them separated by commas or blanks."""
    value = data.get(key)
    if _blank(value) or value == []:
        data[key] = []
        return
    if isinstance(value, str):
        value = re.split(r"[\s,，;；、]+", value)
    if not isinstance(value, list | tuple):
        errors[key].append(tk._("Must be a list"))
        raise tk.StopOnError
    data[key] = list(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))


def incident_create_schema() -> Schema:
    return {
        "organization_id": [_department()],
        "title": [_text(TITLE_LENGTH)],
        "severity": [_choice(flows.INCIDENT_SEVERITIES)],
        "occurred_at": [moment],
        "description": [_text(TEXT_LENGTH)],
        "entries": [_references],
        "responsible": [_text(100)],
    }


def case_step_schema(field: str, required: bool = True) -> Schema:
    return {"id": [_text(100)], field: [_text(TEXT_LENGTH, required)]}


def incident_handle_schema() -> Schema:
    return case_step_schema("text")


def incident_close_schema() -> Schema:
    return case_step_schema("conclusion")


def signoff_sign_schema() -> Schema:
    return case_step_schema("comment", required=False)


def signoff_object_schema() -> Schema:
    return case_step_schema("reason")


def case_show_schema() -> Schema:
    return {"id": [_text(100)]}


def incident_list_schema() -> Schema:
    return {
        "organization_id": [_department(required=False)],
        "state": [_choice(flows.INCIDENT_STATES, required=False)],
        "waiting": [flag],
        "limit": [whole_number(MAX_PAGE_SIZE)], "offset": [whole_number(10**9)],
    }


def signoff_list_schema() -> Schema:
    return {
        "organization_id": [_department(required=False)],
        "state": [_choice(flows.SIGNOFF_STATES, required=False)],
        "entry_id": [_text(100, required=False)],
        "waiting": [flag],
        "limit": [whole_number(MAX_PAGE_SIZE)], "offset": [whole_number(10**9)],
    }


def access_overview_schema() -> Schema:
    return {"organization_id": [_department()], "since": [moment]}


# -- shared ---------------------------------------------------------------------------------------

def _done(context: Context, case: Case, event: str) -> None:
    """Commit the step (unless deferred) and tell those it concerns."""
    if not context.get("defer_commit"):
        model.repo.commit()
    notify.case_changed(case, event, cases.actor_id(context) or None)


def _clock(case: Case, now: datetime.datetime) -> dict[str, Any]:
    left = cases.working_days_left(case.due_at, now)
    return {"days_left": left,
            "overdue": bool(case.due_at is not None and deadlines.is_overdue(case.due_at, now))}


def _user_dict(user_id: str | None) -> dict[str, Any] | None:
    if not user_id:
        return None
    user = model.User.get(user_id)
    if user is None:
        return {"id": user_id, "name": user_id, "display_name": user_id}
    return {"id": user.id, "name": user.name, "display_name": user.display_name}


def _department_dict(org_id: str | None) -> dict[str, Any] | None:
    group = model.Group.get(org_id) if org_id else None
    if group is None:
        return None
    return {"id": group.id, "name": group.name, "title": group.display_name}


def _summary(case: Case, now: datetime.datetime) -> dict[str, Any]:
    """The case with its clock (``days_left``, ``overdue``) and its ``department``."""
    return {**case.dictize(), **_clock(case, now), "department": _department_dict(case.target_org)}


def _detail(context: Context, case: Case, actions: dict[str, str]) -> dict[str, Any]:
    """The case as its ``show`` action returns it to the context's user."""
    user = permissions.context_user(context)
    result = _summary(case, base.now())
    events = cases.allowed_events(user, case)
    result["allowed_events"] = events
    result["allowed_actions"] = [actions[e] for e in events if e in actions]
    result["timeline"] = [row.dictize() for row in cases.timeline(case.id)]
    result["requester"] = _user_dict(case.requester_user)
    return result


def _page(rows: list[Case], data_dict: DataDict) -> dict[str, Any]:
    now = base.now()
    offset = data_dict.get("offset", 0)
    limit = data_dict.get("limit", PAGE_SIZE)
    return {"count": len(rows), "results": [_summary(c, now) for c in rows[offset:offset + limit]]}


# -- security incidents (重大安全事件) -------------------------------------------------------------

def _entries(org_id: str, refs: list[str], errors: dict[str, list[str]]) -> list[str]:
    """The ids of the entries ``refs`` (ids or names) of the department."""
    ids = []
    for ref in refs:
        pkg = model.Package.get(ref)
        if pkg is None or pkg.state != "active" or pkg.owner_org != org_id:
            errors.setdefault("entries", []).append(
                tk._("{ref} is not an entry of the department").format(ref=ref))
        else:
            ids.append(pkg.id)
    return list(dict.fromkeys(ids))


def _incident(context: Context, case: Case) -> dict[str, Any]:
    result = _detail(context, case, INCIDENT_ACTIONS)
    data = case.data or {}
    light = _entry_rows(data.get("entries") or [])
    result["entries"] = [light.get(e) or {"id": e, "name": e, "title": e, "resource_code": None}
                         for e in data.get("entries") or []]
    result["responsible"] = _user_dict(data.get("responsible"))
    result["steps"] = [{**step, "actor": _user_dict(step["actor"])}
                       for step in security.incident_steps(case)]
    return result


def _entry_rows(ids: list[str]) -> dict[str, dict[str, Any]]:
    """``id, name, title, resource_code`` of the datasets ``ids`` (deleted ones too)."""
    if not ids:
        return {}
    code = model.Package.extras[fields.RESOURCE_CODE].astext
    rows = model.Session.query(model.Package.id, model.Package.name, model.Package.title,
                               code).filter(model.Package.id.in_(ids))
    return {r[0]: {"id": r[0], "name": r[1], "title": r[2] or r[1], "resource_code": r[3]}
            for r in rows}


@validate(incident_create_schema)
def govshare_incident_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Report a security incident (重大安全事件, DB14 §11.1 •4) of a department.

    Reported by a reviewer or the security officer of the department; it then waits on the
    department's security officers, who record its handling steps and close it. Seen only by
    the department's security officers, reviewers and administrators and the coordinators
    (:func:`ckanext.govshare.permissions.may_see_case`).

    :param organization_id: the department (id or name)
    :type organization_id: string
    :param title: a short title
    :type title: string
    :param severity: ``major`` (重大), ``serious`` (较大) or ``general`` (一般)
    :type severity: string
    :param occurred_at: when it happened, ISO 8601 (a date or naive time is Beijing time; not
        in the future)
    :type occurred_at: string
    :param description: what happened
    :type description: string
    :param entries: the affected catalogue entries of the department (ids or names; a list, or
        one text separated by commas) — optional
    :type entries: list of strings
    :param responsible: the person responsible, a user of the department (id or name)
    :type responsible: string
    :returns: the incident (``number`` ``AQ-YYYY-NNNNNN``, ``state`` ``reported``)
    :rtype: dictionary
    """
    tk.check_access("govshare_incident_create", context, data_dict)
    org_id = data_dict["organization_id"]
    errors: dict[str, list[str]] = {}
    occurred = data_dict.get("occurred_at")
    if occurred is None:
        errors["occurred_at"] = [tk._("Missing value")]
    elif occurred > base.now():
        errors["occurred_at"] = [tk._("Must not be in the future")]
    entries = _entries(org_id, data_dict.get("entries") or [], errors)
    responsible = model.User.get(data_dict["responsible"])
    if responsible is None or responsible.state != "active" or \
            not security.member_of_department(responsible.id, org_id):
        errors["responsible"] = [tk._("Must be a user of the department")]
    if errors:
        raise tk.ValidationError(errors)
    case = security.report_incident(
        context, org_id=org_id, title=data_dict["title"], severity=data_dict["severity"],
        occurred_at=occurred, description=data_dict["description"], entries=entries,
        responsible=responsible.id)
    _done(context, case, notify.CREATED)
    return _incident(context, case)


@validate(incident_handle_schema)
def govshare_incident_handle(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Record a handling step (处置步骤) of a security incident: what was done.

    By the security officer of the incident's department; the first step moves it from
    ``reported`` to ``handling``. Each step keeps its text, who recorded it and when.

    :param id: the incident's id or number
    :type id: string
    :param text: what was done
    :type text: string
    :returns: the incident with its ``steps``
    :rtype: dictionary
    """
    tk.check_access("govshare_incident_handle", context, data_dict)
    case = security.handle_incident(context, data_dict["id"], data_dict["text"])
    _done(context, case, flows.HANDLE)
    return _incident(context, case)


@validate(incident_close_schema)
def govshare_incident_close(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Close a security incident with its conclusion (处置结论).

    By the security officer of the incident's department.

    :param id: the incident's id or number
    :type id: string
    :param conclusion: the conclusion: cause, measures, responsibility
    :type conclusion: string
    :returns: the incident (``state`` ``closed``)
    :rtype: dictionary
    """
    tk.check_access("govshare_incident_close", context, data_dict)
    case = security.close_incident(context, data_dict["id"], data_dict["conclusion"])
    _done(context, case, flows.CLOSE)
    return _incident(context, case)


@tk.side_effect_free
@validate(case_show_schema)
def govshare_incident_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A security incident: its fields (``data``: severity, occurred_at, description), the
    affected ``entries``, the ``responsible`` person, the handling ``steps``, the
    ``timeline`` and what the user may do now (``allowed_actions``).

    :param id: the incident's id or number
    :type id: string
    :returns: the incident
    :rtype: dictionary
    """
    tk.check_access("govshare_incident_show", context, data_dict)
    return _incident(context, cases.get_case(data_dict["id"], flows.INCIDENT))


@tk.side_effect_free
@validate(incident_list_schema)
def govshare_incident_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The security incidents the user may see, open ones first.

    :param organization_id: only this department's (id or name)
    :type organization_id: string
    :param state: ``reported``, ``handling`` or ``closed``
    :type state: string
    :param waiting: only those waiting on the user
    :type waiting: bool
    :param limit: page size (default 50, at most 1000)
    :type limit: int
    :param offset: page start
    :type offset: int
    :returns: ``{"count": n, "results": [incident, ...]}``
    :rtype: dictionary
    """
    tk.check_access("govshare_incident_list", context, data_dict)
    user = permissions.context_user(context)
    rows = security.visible_cases(user, flows.INCIDENT, org_id=data_dict.get("organization_id"),
                                  state=data_dict.get("state"),
                                  waiting=bool(data_dict.get("waiting")))
    return _page(rows, data_dict)


# -- grade sign-off (分级确认) ---------------------------------------------------------------------

def _signoff(context: Context, case: Case) -> dict[str, Any]:
    result = _detail(context, case, SIGNOFF_ACTIONS)
    entry = _entry_rows([case.entry_id]).get(case.entry_id) if case.entry_id else None
    pkg = model.Package.get(case.entry_id) if case.entry_id else None
    result["entry"] = entry and {
        **entry, fields.CATALOGUE_STATE: pkg.extras.get(fields.CATALOGUE_STATE) if pkg else None,
        fields.DATA_GRADE: pkg.extras.get(fields.DATA_GRADE) if pkg else None}
    return result


@validate(signoff_sign_schema)
def govshare_signoff_sign(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Confirm an entry's grade (分级确认, DB14 §11.1 •1): the reviewer may now approve it.

    By the security officer of the entry's department. A sign-off is opened when an entry
    graded at or above ``ckanext.govshare.sharing.signoff_grade`` is submitted for review,
    or a revision raising its grade to that level; until it is signed, the approval is
    refused (``data_grade``).

    :param id: the sign-off's id or number (``FJ-YYYY-NNNNNN``)
    :type id: string
    :param comment: an optional comment
    :type comment: string
    :returns: the sign-off (``state`` ``signed``)
    :rtype: dictionary
    """
    tk.check_access("govshare_signoff_sign", context, data_dict)
    case = security.sign_signoff(context, data_dict["id"], data_dict.get("comment"))
    _done(context, case, flows.SIGN)
    return _signoff(context, case)


@validate(signoff_object_schema)
def govshare_signoff_object(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Object to an entry's grade, with the reason: the approval stays refused; the reviewer
    returns the entry, and its next submission asks for a new sign-off.

    By the security officer of the entry's department.

    :param id: the sign-off's id or number
    :type id: string
    :param reason: why the grade is not right
    :type reason: string
    :returns: the sign-off (``state`` ``objected``)
    :rtype: dictionary
    """
    tk.check_access("govshare_signoff_object", context, data_dict)
    case = security.object_signoff(context, data_dict["id"], data_dict["reason"])
    _done(context, case, flows.OBJECT)
    return _signoff(context, case)


@tk.side_effect_free
@validate(case_show_schema)
def govshare_signoff_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A grade sign-off: the entry, the grade asked for (``data.grade``; ``data.revision_id``
    for a revision), its state and due date, the timeline and what the user may do now.

    :param id: the sign-off's id or number
    :type id: string
    :returns: the sign-off
    :rtype: dictionary
    """
    tk.check_access("govshare_signoff_show", context, data_dict)
    return _signoff(context, cases.get_case(data_dict["id"], flows.GRADE_SIGNOFF))


@tk.side_effect_free
@validate(signoff_list_schema)
def govshare_signoff_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The grade sign-offs the user may see (their departments'), open ones first, soonest
    due first; each with ``due_at``, ``days_left`` and ``overdue``.

    :param organization_id: only this department's (id or name)
    :type organization_id: string
    :param state: ``submitted``, ``signed`` or ``objected``
    :type state: string
    :param entry_id: only this entry's (id or name)
    :type entry_id: string
    :param waiting: only those waiting on the user
    :type waiting: bool
    :param limit: page size (default 50, at most 1000)
    :type limit: int
    :param offset: page start
    :type offset: int
    :returns: ``{"count": n, "results": [sign-off, ...]}``
    :rtype: dictionary
    """
    tk.check_access("govshare_signoff_list", context, data_dict)
    user = permissions.context_user(context)
    entry_id = data_dict.get("entry_id")
    if entry_id:
        pkg = model.Package.get(entry_id)
        entry_id = pkg.id if pkg is not None else entry_id
    rows = security.visible_cases(user, flows.GRADE_SIGNOFF,
                                  org_id=data_dict.get("organization_id"),
                                  state=data_dict.get("state"), entry_id=entry_id,
                                  waiting=bool(data_dict.get("waiting")))
    return _page(rows, data_dict)


# -- who can access what now -----------------------------------------------------------------------

@tk.side_effect_free
@validate(access_overview_schema)
def govshare_access_overview(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Who can reach a department's data now, and who did (DB14 §11.2).

    For the department's sysadmins, administrators, reviewers and security officers.
    ``entries``: its published entries with their share type and ``audience``
    (``everyone``, ``on_request``, ``authorized``, ``department``) and how many
    authorizations are in force on each; ``authorizations``: those in force (``active``
    within their validity) with the entry, the 信息项 (``items``, empty: all), the consumer
    department, the named ``persons`` (empty: the whole department), purpose, provision
    method, ``valid_from``/``valid_until``, ``days_left`` (working days) and the
    ``last_access`` under it; ``accesses``: per user and entry, the last access from the
    access log, its channel and authorization, and the ``count``.

    :param organization_id: the department (id or name)
    :type organization_id: string
    :param since: only accesses at or after this ISO 8601 time
    :type since: string
    :returns: ``{"organization": {...}, "at", "entries", "authorizations", "accesses"}``
    :rtype: dictionary
    """
    tk.check_access("govshare_access_overview", context, data_dict)
    org = model.Group.get(data_dict["organization_id"])
    result = security.access_overview(org.id, since=data_dict.get("since"))
    result["organization"] = {"id": org.id, "name": org.name, "title": org.display_name}
    return result
