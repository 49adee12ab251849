"""Actions of the departments, one section per object, named ``govshare_<object>_<verb>``.

Every action is validated by its schema in :mod:`ckanext.govshare.logic.schema`, checks access
once (the auth function of the same name in :mod:`ckanext.govshare.logic.auth.department`),
respects ``defer_commit`` and returns dicts.

The roles section also holds the steps the chained core actions that change a CKAN membership
(``member_create``, ``member_delete``, ``user_delete``, ``organization_delete``,
``organization_purge``, in :mod:`ckanext.govshare.logic.action.core`) take: a role ends with
the membership that supports it, in the same transaction, and ``govshare_role_event`` records
it.
"""
from __future__ import annotations

import datetime
import logging
from typing import Any

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.logic import validate
from ckan.types import Action, Context, DataDict

from ckanext.govshare import permissions
from ckanext.govshare.department import filing, roles
from ckanext.govshare.department import queries as dept_queries
from ckanext.govshare.logic import schema
from ckanext.govshare.messages import text as label_text
from ckanext.govshare.model import base
from ckanext.govshare.model.filing import Filing, FilingHistory
from ckanext.govshare.model.roles import Role, RoleEvent

__all__ = [
    "govshare_filing_create",
    "govshare_filing_export",
    "govshare_filing_file",
    "govshare_filing_list",
    "govshare_filing_show",
    "govshare_filing_update",
    "govshare_role_event_list",
    "govshare_role_grant",
    "govshare_role_list",
    "govshare_role_revoke",
]

log = logging.getLogger(__name__)


def _actor_id(context: Context) -> str | None:
    user = permissions.context_user(context)
    return user.id if user is not None else None


def _commit(context: Context) -> None:
    if not context.get("defer_commit"):
        model.repo.commit()


# =================================================================================================
# Department roles and filing of responsible persons (DB14 §4 c–d, §6, §11.2)
# =================================================================================================

# -- roles ---------------------------------------------------------------------------------------


def _capacity(org_id: str, user_id: str) -> str | None:
    return authz.users_role_for_group_or_org(org_id, user_id)


def _set_capacity(context: Context, org_id: str, user_id: str, capacity: str) -> None:
    """Make the user a member of the department with ``capacity``.

    Through core ``member_create``, the action ``organization_member_create`` delegates to,
    called directly so the membership and the role row share one transaction and
    ``defer_commit`` is honoured (``organization_member_create`` always commits).
    """
    tk.get_action("member_create")(
        {"user": context.get("user", ""), "ignore_auth": True, "defer_commit": True},
        {"id": org_id, "object": user_id, "object_type": "user", "capacity": capacity},
    )


def _role_event(row: Role, event: str, actor: str | None, *, comment: str | None = None,
                at: datetime.datetime | None = None) -> RoleEvent:
    """Append the history row of ``event`` on ``row`` (in the current transaction)."""
    record = RoleEvent(org_id=row.org_id, user_id=row.user_id, role=row.role,
                       units=list(row.units or []), event=event, actor=actor,
                       at=at or base.now(), comment=comment)
    model.Session.add(record)
    return record


def _role_row(org_id: str, user_id: str, role: str) -> Role | None:
    return (
        model.Session.query(Role)
        .filter(Role.org_id == org_id, Role.user_id == user_id, Role.role == role)
        .one_or_none()
    )


@validate(schema.role_grant)
def govshare_role_grant(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Grant a role inside a department; the user becomes a member with the capacity it needs.

    Granting a role the user already holds updates a compiler's units and changes nothing else.
    The user's CKAN capacity in the organization is raised to the one the role needs
    (``compiler``, ``reviewer``, ``security_officer``: ``editor``; ``coordinator``: ``member``)
    and never lowered. Only department administrators and sysadmins may grant.

    :param organization_id: id or name of the department (organization)
    :type organization_id: string
    :param user_id: id or name of the user
    :type user_id: string
    :param role: ``compiler``, ``reviewer``, ``security_officer`` or ``coordinator``
    :type role: string
    :param units: codes of the department's internal units a compiler compiles for (required
        for ``compiler``, at least one, each a unit of the department; not allowed otherwise);
        a list or one comma-separated string
    :type units: list of strings

    :returns: the role (``id``, ``organization_id``, ``user_id``, ``role``, ``units``,
        ``created``, ``modified``, ``created_by``) and the user's resulting ``capacity``
    :rtype: dictionary
    """
    tk.check_access("govshare_role_grant", context, data_dict)
    org_id, user_id, role = data_dict["organization_id"], data_dict["user_id"], data_dict["role"]
    units = list(data_dict.get("units") or [])
    now = base.now()

    actor = _actor_id(context)
    row = _role_row(org_id, user_id, role)
    if row is None:
        row = Role(org_id=org_id, user_id=user_id, role=role, units=units,
                   created=now, modified=now, created_by=actor)
        model.Session.add(row)
        _role_event(row, "granted", actor, at=now)
    elif list(row.units or []) != units:
        row.units = units
        row.modified = now
        _role_event(row, "units_changed", actor, at=now)

    current = _capacity(org_id, user_id)
    capacity = roles.stronger_capacity(current, roles.CAPACITY[role])
    if capacity != current:
        _set_capacity(context, org_id, user_id, capacity)
    model.Session.flush()
    result = row.dictize(context)
    result["capacity"] = capacity
    _commit(context)
    log.info("govshare role %s granted to %s in %s", role, user_id, org_id)
    return result


@validate(schema.role_revoke)
def govshare_role_revoke(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Revoke a role; an editor is lowered to what the remaining roles need (at least member).

    The user stays a member of the organization. Administrators are never changed. Pass
    ``adjust_capacity=false`` to leave the CKAN capacity as it is. Only department
    administrators and sysadmins may revoke.

    :param organization_id: id or name of the department
    :type organization_id: string
    :param user_id: id or name of the user
    :type user_id: string
    :param role: the role to revoke
    :type role: string
    :param adjust_capacity: lower the user's CKAN capacity to what the remaining roles need
        (optional, default ``true``)
    :type adjust_capacity: bool

    :returns: ``organization_id``, ``user_id``, ``role``, the ``remaining_roles`` and the
        user's resulting ``capacity``
    :rtype: dictionary
    """
    tk.check_access("govshare_role_revoke", context, data_dict)
    org_id, user_id, role = data_dict["organization_id"], data_dict["user_id"], data_dict["role"]

    row = _role_row(org_id, user_id, role)
    if row is None:
        raise tk.ObjectNotFound(tk._("the user does not hold the role {role} in this department").format(
            role=label_text(roles.ROLES[role]) if role in roles.ROLES else role))
    _role_event(row, "revoked", _actor_id(context))
    model.Session.delete(row)
    model.Session.flush()

    remaining = roles.user_roles(user_id, org_id)
    current = capacity = _capacity(org_id, user_id)
    if data_dict["adjust_capacity"] and current in ("editor", "member"):
        needed = roles.required_capacity(remaining) or "member"
        if roles.CAPACITY_RANK[needed] < roles.CAPACITY_RANK[current]:
            _set_capacity(context, org_id, user_id, needed)
            capacity = needed
    _commit(context)
    log.info("govshare role %s revoked from %s in %s", role, user_id, org_id)
    return {"organization_id": org_id, "user_id": user_id, "role": role,
            "remaining_roles": remaining, "capacity": capacity}


def _role_filters(q: Any, table: Any, data_dict: DataDict) -> Any:
    """``q`` narrowed to the department, user and role asked for (roles and their history)."""
    for key, column in (("organization_id", table.org_id), ("user_id", table.user_id),
                        ("role", table.role)):
        if data_dict.get(key):
            q = q.filter(column == data_dict[key])
    return q


@tk.side_effect_free
@validate(schema.role_list)
def govshare_role_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The roles held in a department, or by a user, or by a user in a department.

    Members of a department see its roles; every user sees their own; sysadmins see all.
    Each role carries ``user_name``, ``user_display_name``, ``organization_name``,
    ``organization_title``, for compilers ``unit_names`` (in the order of ``units``), and
    ``in_force``: whether the holder's current membership supports it (a row that outlived
    its membership, written before roles ended with it, grants nothing).

    :param organization_id: id or name of the department (give it, ``user_id`` or both)
    :type organization_id: string
    :param user_id: id or name of the user
    :type user_id: string
    :param role: only this role (optional)
    :type role: string

    :rtype: list of dictionaries
    """
    tk.check_access("govshare_role_list", context, data_dict)
    q = _role_filters(model.Session.query(Role, roles.in_force().label("in_force")), Role,
                      data_dict)
    found = q.all()
    rows = [row for row, _flag in found]
    in_force = {row.id: bool(flag) for row, flag in found}

    users = {u.id: u for u in model.Session.query(model.User).filter(
        model.User.id.in_({r.user_id for r in rows}))} if rows else {}
    orgs = dept_queries.department_names(r.org_id for r in rows)
    units: dict[str, dict[str, str]] = {}
    order = {role: i for i, role in enumerate(roles.ROLES)}

    result = []
    for row in rows:
        item = row.dictize(context)
        user, org = users.get(row.user_id), orgs.get(row.org_id)
        item["user_name"] = user.name if user else None
        item["user_display_name"] = user.display_name if user else None
        item["organization_name"] = org.name if org else None
        item["organization_title"] = org.title if org else None
        if row.units:
            if row.org_id not in units:
                units[row.org_id] = roles.unit_names(row.org_id)
            item["unit_names"] = [units[row.org_id].get(code, code) for code in row.units]
        else:
            item["unit_names"] = []
        item["in_force"] = in_force[row.id]
        result.append(item)
    result.sort(key=lambda r: (r["organization_name"] or "", order.get(r["role"], 99),
                               r["user_name"] or ""))
    return result


@tk.side_effect_free
@validate(schema.role_event_list)
def govshare_role_event_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The history of department roles, newest first.

    One row per change of a role: ``granted``, ``units_changed`` (a compiler's units),
    ``revoked``, and ``ended_by_membership`` (the holder left the department, their capacity
    was lowered below the role's, or the user or department was deleted; ``comment`` says
    which). Members of a department see its history; every user sees their own; sysadmins
    see all.

    :param organization_id: id or name of the department (give it, ``user_id`` or both)
    :type organization_id: string
    :param user_id: id or name of the user
    :type user_id: string
    :param role: only this role (optional)
    :type role: string
    :param limit: page size (default 100, at most 1000)
    :type limit: int
    :param offset: page start
    :type offset: int

    :returns: ``{"count": n, "results": [event, ...]}``, each event with ``organization_id``,
        ``user_id``, ``role``, ``units``, ``event``, ``actor``, ``at``, ``comment``
    :rtype: dictionary
    """
    tk.check_access("govshare_role_event_list", context, data_dict)
    q = _role_filters(model.Session.query(RoleEvent), RoleEvent, data_dict)
    count = q.count()
    rows = (q.order_by(RoleEvent.at.desc(), RoleEvent.id.desc())
            .offset(data_dict.get("offset", 0))
            .limit(min(data_dict.get("limit", 100), 1000)).all())
    return {"count": count, "results": [r.dictize(context) for r in rows]}


# -- roles follow CKAN membership ----------------------------------------------------------------
# DB14 §6: the bodies act through the department's people; who leaves the department, or no
# longer holds the capacity a role needs, stops acting for it (and being notified as such).


def _roles_of(*, org_id: str | None = None, user_id: str | None = None,
              only: list[str] | None = None) -> list[Role]:
    q = model.Session.query(Role)
    if org_id is not None:
        q = q.filter(Role.org_id == org_id)
    if user_id is not None:
        q = q.filter(Role.user_id == user_id)
    if only is not None:
        q = q.filter(Role.role.in_(only))
    return q.all()


def _member_roles(data_dict: DataDict, only: list[str] | None = None) -> list[Role]:
    """The roles a ``member_create`` / ``member_delete`` of a user in a department touches."""
    if data_dict.get("object_type") != "user" or (only is not None and not only):
        return []
    group = model.Group.get(str(data_dict.get("id") or ""))
    user = model.User.get(str(data_dict.get("object") or ""))
    if group is None or user is None or not group.is_organization:
        return []
    return _roles_of(org_id=group.id, user_id=user.id, only=only)


def _ending_roles(up: Action, context: Context, data_dict: DataDict, rows: list[Role],
                  comment: str) -> Any:
    """Run ``up`` (core's action) with ``rows`` ended in its transaction, each recorded as
    ``ended_by_membership``.

    Core commits itself, so the ends are staged first, in a savepoint: a core refusal (not
    authorized, not found, an organization that still has datasets) rolls them back.
    """
    if not rows:
        return up(context, data_dict)
    ended = ", ".join(f"{r.role} of {r.user_id} in {r.org_id}" for r in rows)
    savepoint = model.Session.begin_nested()
    actor, at = _actor_id(context), base.now()
    for row in rows:
        _role_event(row, "ended_by_membership", actor, comment=comment, at=at)
        model.Session.delete(row)
    model.Session.flush()
    try:
        result = up(context, data_dict)
    except BaseException:
        if savepoint.is_active:
            savepoint.rollback()
        raise
    if savepoint.is_active:
        savepoint.commit()
    log.info("govshare roles ended (%s): %s", comment, ended)
    return result


def end_roles_below_capacity(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``member_create`` (and so ``organization_member_create``): a capacity lowered
    below what a govshare role needs ends that role (a coordinator stays with ``member``)."""
    capacity = data_dict.get("capacity")
    rows = _member_roles(data_dict, roles.unsupported_roles(capacity))
    return _ending_roles(up, context, data_dict, rows, f"capacity lowered to {capacity}")


def end_roles_of_removed_member(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``member_delete`` (and so ``organization_member_delete``): a user removed from a
    department loses every govshare role there."""
    rows = _member_roles(data_dict)
    return _ending_roles(up, context, data_dict, rows, "removed from the department")


def end_roles_of_deleted_user(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``user_delete`` (which ends the user's memberships): their roles end too."""
    user = model.User.get(str(data_dict.get("id") or ""))
    rows = _roles_of(user_id=user.id) if user is not None else []
    return _ending_roles(up, context, data_dict, rows, "user deleted")


def _department_roles(data_dict: DataDict) -> list[Role]:
    group = model.Group.get(str(data_dict.get("id") or ""))
    return _roles_of(org_id=group.id) if group is not None and group.is_organization else []


def end_roles_of_deleted_department(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``organization_delete`` (which ends its memberships): its roles end too."""
    return _ending_roles(up, context, data_dict, _department_roles(data_dict),
                         "department deleted")


def end_roles_of_purged_department(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``organization_purge``: the purged department's roles end (their history stays)."""
    return _ending_roles(up, context, data_dict, _department_roles(data_dict),
                         "department purged")


# -- filing of responsible persons ---------------------------------------------------------------


def _filing(filing_id: str, for_update: bool = False) -> Filing:
    q = model.Session.query(Filing).filter(Filing.id == filing_id)
    if for_update:
        q = q.with_for_update()
    record = q.one_or_none()
    if record is None:
        raise tk.ObjectNotFound(tk._("filing record not found"))
    return record


def _person(data_dict: DataDict) -> dict[str, Any]:
    return {f: data_dict.get(f) or None for f in filing.FILED_FIELDS}


def _filings(data_dict: DataDict) -> list[Filing]:
    q = model.Session.query(Filing)
    for key, column in (("organization_id", Filing.org_id), ("kind", Filing.kind),
                        ("status", Filing.status)):
        if data_dict.get(key):
            q = q.filter(column == data_dict[key])
    order = sa.case({kind: i for i, kind in enumerate(filing.KINDS)}, value=Filing.kind)
    return q.order_by(Filing.org_id, order).all()


@validate(schema.filing_create)
def govshare_filing_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Record a responsible person of a department, to be filed (status ``to_be_filed``).

    One record per department and kind; change a person with ``govshare_filing_update``.
    Department administrators and sysadmins only.

    :param organization_id: id or name of the department
    :type organization_id: string
    :param kind: ``lead`` (数据共享负责人), ``share_manager`` (数据共享管理员), ``contact``
        (数据共享联络员) or ``security_officer`` (数据安全管理责任人, DB14 §11.2)
    :type kind: string
    :param name: the person's name
    :type name: string
    :param title: the person's post (职务)
    :type title: string
    :param unit: the person's unit (处室) (optional)
    :type unit: string
    :param phone: a mobile number or a landline with area code
    :type phone: string
    :param email: an email address
    :type email: string
    :param effective_date: the date the person takes effect (``YYYY-MM-DD``)
    :type effective_date: string

    :returns: the filing record
    :rtype: dictionary
    """
    tk.check_access("govshare_filing_create", context, data_dict)
    org_id, kind = data_dict["organization_id"], data_dict["kind"]
    exists = schema.message("kind", tk._(
        "{kind} already has a record in this department; update it instead").format(
            kind=label_text(filing.KINDS[kind])))
    if model.Session.query(Filing).filter(Filing.org_id == org_id, Filing.kind == kind).count():
        raise tk.ValidationError({"kind": [exists]})
    now, actor = base.now(), _actor_id(context)
    record = Filing(org_id=org_id, kind=kind, status=filing.STATUS_TO_BE_FILED, version=1,
                    created=now, modified=now, created_by=actor, modified_by=actor,
                    **_person(data_dict))
    try:
        with model.Session.begin_nested():
            model.Session.add(record)
            model.Session.flush()
    except sa.exc.IntegrityError:
        raise tk.ValidationError({"kind": [exists]}) from None
    model.Session.add(record.snapshot("created", actor))
    model.Session.flush()
    result = record.dictize(context)
    _commit(context)
    return result


@validate(schema.filing_update)
def govshare_filing_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Replace the person of a filing record (all person fields, as in create).

    When the record was ``filed`` and any filed field changes (name, title, unit, phone,
    email, effective date), its status becomes ``changed_to_be_refiled``. An update that changes
    nothing keeps the record and its version. ``organization_id`` and ``kind`` are fixed;
    the status changes only through ``govshare_filing_file``.

    :param id: the id of the filing record
    :type id: string
    :param name: see ``govshare_filing_create`` for this and the other person fields
    :type name: string

    :returns: the filing record
    :rtype: dictionary
    """
    tk.check_access("govshare_filing_update", context, data_dict)
    record = _filing(data_dict["id"], for_update=True)
    new = _person(data_dict)
    old = {f: getattr(record, f) for f in filing.FILED_FIELDS}
    changed = filing.changed_fields(old, new)
    if changed:
        actor = _actor_id(context)
        for field in filing.FILED_FIELDS:
            setattr(record, field, new[field])
        record.status = filing.status_after_update(record.status, changed)
        record.version += 1
        record.modified = base.now()
        record.modified_by = actor
        model.Session.add(record.snapshot("updated", actor))
        model.Session.flush()
    result = record.dictize(context)
    result["changed_fields"] = changed
    _commit(context)
    return result


@validate(schema.filing_file)
def govshare_filing_file(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Mark a record filed with the platform's administration (``filed``).

    Allowed from ``to_be_filed`` and ``changed_to_be_refiled``. Department administrators and
    sysadmins only.

    :param id: the id of the filing record
    :type id: string
    :param receipt: the receipt number given by the platform's administration (optional)
    :type receipt: string

    :returns: the filing record
    :rtype: dictionary
    """
    tk.check_access("govshare_filing_file", context, data_dict)
    record = _filing(data_dict["id"], for_update=True)
    if not filing.can_file(record.status):
        raise tk.ValidationError({"status": [schema.message("status", tk._(
            "is {status}: nothing to file until the record changes").format(
                status=label_text(filing.STATUSES[record.status])))]})
    actor = _actor_id(context)
    now = base.now()
    record.status = filing.STATUS_FILED
    record.filed_at = now
    record.filed_by = actor
    if data_dict.get("receipt"):
        record.receipt = data_dict["receipt"]
    record.version += 1
    record.modified = now
    record.modified_by = actor
    model.Session.add(record.snapshot("filed", actor))
    model.Session.flush()
    result = record.dictize(context)
    _commit(context)
    return result


@tk.side_effect_free
@validate(schema.filing_show)
def govshare_filing_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One filing record, by ``id`` or by department and kind.

    Members of the department and sysadmins only.

    :param id: the id of the filing record (or give ``organization_id`` and ``kind``)
    :type id: string
    :param organization_id: id or name of the department
    :type organization_id: string
    :param kind: the kind of responsible person
    :type kind: string
    :param include_history: add ``history``, every version oldest first (default ``false``)
    :type include_history: bool

    :returns: the filing record
    :rtype: dictionary
    """
    tk.check_access("govshare_filing_show", context, data_dict)
    if data_dict.get("id"):
        record = _filing(data_dict["id"])
    else:
        record = model.Session.query(Filing).filter(
            Filing.org_id == data_dict["organization_id"], Filing.kind == data_dict["kind"]
        ).one_or_none()
        if record is None:
            raise tk.ObjectNotFound(tk._("filing record not found"))
    result = record.dictize(context)
    if data_dict["include_history"]:
        history = (model.Session.query(FilingHistory)
                   .filter(FilingHistory.filing_id == record.id)
                   .order_by(FilingHistory.version).all())
        result["history"] = [h.dictize(context) for h in history]
    return result


@tk.side_effect_free
@validate(schema.filing_list)
def govshare_filing_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """Filing records of a department (members), or of all departments (sysadmins).

    Ordered by department, then kind (lead, share manager, contact, security officer).

    :param organization_id: id or name of the department (omit: all, sysadmins only)
    :type organization_id: string
    :param kind: only this kind (optional)
    :type kind: string
    :param status: only this status: ``to_be_filed``, ``filed``, ``changed_to_be_refiled``
        (optional)
    :type status: string

    :rtype: list of dictionaries
    """
    tk.check_access("govshare_filing_list", context, data_dict)
    return [record.dictize(context) for record in _filings(data_dict)]


@tk.side_effect_free
@validate(schema.filing_export)
def govshare_filing_export(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Export filing records as CSV or XLSX for the platform's administration.

    A department's administrators export their department; sysadmins export all departments
    (omit ``organization_id``). Columns: department, USCC, kind, name, title, unit, phone,
    email, effective date, status, filed at (Beijing time), receipt; the header reads
    ``中文 (key)``. The result is JSON-safe, so the action works through the API:
    ``data`` is the CSV text (``encoding`` ``utf-8``) or the base64 of the XLSX workbook
    (``encoding`` ``base64``); :func:`ckanext.govshare.department.filing.payload_bytes` gives the file.

    :param format: ``csv`` (default) or ``xlsx``
    :type format: string
    :param organization_id: id or name of the department (omit: all, sysadmins only)
    :type organization_id: string
    :param kind: only this kind (optional)
    :type kind: string
    :param status: only this status (optional)
    :type status: string

    :returns: ``format``, ``filename``, ``mimetype``, ``encoding``, ``data``, ``count``
    :rtype: dictionary
    """
    tk.check_access("govshare_filing_export", context, data_dict)
    records = [record.dictize(context) for record in _filings(data_dict)]
    departments = {}
    for org in model.Session.query(model.Group).filter(
            model.Group.id.in_({r["organization_id"] for r in records})):
        departments[org.id] = {"title": org.title or org.name,
                               "uscc": (org.extras or {}).get("uscc", "")}
    stem = "govshare-filing"
    if data_dict.get("organization_id"):
        org = model.Group.get(data_dict["organization_id"])
        stem += f"-{org.name if org else data_dict['organization_id']}"
    stem += base.now().astimezone(filing.TZ).strftime("-%Y%m%d")
    return filing.export_payload(filing.export_rows(records, departments),
                                 data_dict["format"], stem)
