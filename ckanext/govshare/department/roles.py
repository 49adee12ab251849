"""Roles inside a department (DB14 §5, §6) and how they map onto CKAN's org capacities.

A department is a CKAN organization. The standard names the bodies inside it; the extension
stores who acts for which body in ``govshare_role`` (see :mod:`ckanext.govshare.model.roles`):

* ``compiler`` 编制人 → ``editor``: 政务数据业务机构 (§6.3); compiles the entries of its own
  units (处室) only — "业务谁主管，谁编制";
* ``reviewer`` 审核人 → ``editor``: 政务数据共享管理责任机构 (§6.2); reviews and publishes
  (approves or returns, with a reason, at the first review stage) and decides offline
  requests; does not edit entries: a correction goes back to the compiler as a return;
* ``security_officer`` 安全管理员 → ``editor``: data security (§11); fires no lifecycle event
  and does not edit entries: grades, share conditions and agreement requirements are fields
  the unit's compilers fill and the reviewer checks;
* ``coordinator`` 统筹协调人 → ``member``: 统筹协调组织 (§5); decides at the optional second
  review stage; reads, never edits.

Why these capacities: CKAN has no field-level or unit-level permission, so whoever writes an
entry must be at least ``editor``; govshare's own checks narrow that down: only a compiler of
the entry's unit, the department's administrators and sysadmins create or edit an entry
(:func:`ckanext.govshare.permissions.may_compile`, which refuses reviewers, security officers
and coordinators alike), and each lifecycle event goes to the role named in
:data:`ckanext.govshare.lifecycle.tables.ROLE_PERMISSIONS`. The role codes and their labels are
:mod:`~ckanext.govshare.lifecycle.tables`'; what a role means inside a department is here.
Nobody becomes ``admin`` through a role: managing members, roles and filings is the department
administrator's job (CKAN org admin), not a duty the standard gives any of these bodies.

Granting a role raises the user's capacity to at least the one required (never lowers it, never
touches an admin). Revoking a role lowers an ``editor`` to what the remaining roles require,
but never below ``member``: in a govshare department the right to write entries follows the roles.

A role lives only as long as the CKAN membership that supports it. Removing the user from the
department, lowering their capacity below what a role needs (:func:`unsupported_roles`),
deleting the user or the department ends the roles in the same transaction, recorded in
``govshare_role_event`` (the chained core actions in :mod:`ckanext.govshare.logic.action.department`).
Belt and braces, every read here counts a role only while it is :func:`in_force`, so a row
left behind (written before that rule, or by hand) grants nothing and notifies nobody.

The functions here read the database but hold no request state; the actions in
:mod:`ckanext.govshare.logic.action.department` write it. :func:`actor_roles` is the one answer
to "which roles does this user hold for this entry" (a compiler only for their own units),
asked by the lifecycle's service and the auth functions alike.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

import ckan.model as model
import sqlalchemy as sa

from ckanext.govshare.lifecycle import tables
from ckanext.govshare.messages import Label
from ckanext.govshare.model import memo
from ckanext.govshare.model.roles import Role

__all__ = [
    "ROLES",
    "BODIES",
    "CAPACITY",
    "CAPACITY_RANK",
    "role_label",
    "required_capacity",
    "stronger_capacity",
    "supporting_capacities",
    "unsupported_roles",
    "in_force",
    "in_force_pairs",
    "user_roles",
    "has_role",
    "has_role_anywhere",
    "compiler_units",
    "actor_roles",
    "department_units",
    "unit_names",
]

log = logging.getLogger(__name__)

#: the role vocabulary, in display order, with bilingual labels (:data:`tables.ROLES`)
ROLES: dict[str, Label] = tables.ROLES

#: the body of DB14 each role acts for
BODIES: dict[str, Label] = {
    tables.ROLE_COMPILER: Label("政务数据业务机构", "Business unit"),
    tables.ROLE_REVIEWER: Label("政务数据共享管理责任机构", "Sharing management body"),
    tables.ROLE_SECURITY_OFFICER: Label("数据安全管理", "Data security management"),
    tables.ROLE_COORDINATOR: Label("政务数据共享统筹协调组织", "Coordinating organisation"),
}

#: the least CKAN organization capacity each role needs
CAPACITY: dict[str, str] = {
    tables.ROLE_COMPILER: "editor",
    tables.ROLE_REVIEWER: "editor",
    tables.ROLE_SECURITY_OFFICER: "editor",
    tables.ROLE_COORDINATOR: "member",
}

CAPACITY_RANK: dict[str, int] = {"member": 1, "editor": 2, "admin": 3}


def role_label(role: str, lang: str = "zh") -> str:
    """The label of ``role`` in ``zh`` or ``en`` (the code itself when unknown)."""
    label = ROLES.get(role)
    if label is None:
        return role
    return label.zh if lang.startswith("zh") else label.en


def stronger_capacity(a: str | None, b: str | None) -> str | None:
    """The higher of two CKAN capacities (``None`` = not a member)."""
    return max((a, b), key=lambda c: CAPACITY_RANK.get(c or "", 0))


def required_capacity(roles: Iterable[str]) -> str | None:
    """The least capacity that covers every role in ``roles`` (``None`` for no roles)."""
    result: str | None = None
    for role in roles:
        result = stronger_capacity(result, CAPACITY[role])
    return result


def supporting_capacities(role: str) -> list[str]:
    """The CKAN capacities under which ``role`` is in force: the one it needs and stronger."""
    needed = CAPACITY_RANK[CAPACITY[role]]
    return [capacity for capacity, rank in CAPACITY_RANK.items() if rank >= needed]


def unsupported_roles(capacity: str | None) -> list[str]:
    """The roles a member of ``capacity`` cannot hold (all of them for ``None``: no member)."""
    return [role for role in ROLES if capacity not in supporting_capacities(role)]


def in_force() -> sa.ColumnElement[bool]:
    """SQL condition on ``govshare_role`` rows: the holder is an active member of the
    department with a capacity that supports the role (a correlated ``EXISTS``, no query of
    its own)."""
    member = model.Member
    return sa.exists().where(
        member.table_name == "user",
        member.table_id == Role.user_id,
        member.group_id == Role.org_id,
        member.state == "active",
        sa.or_(*(sa.and_(Role.role == role, member.capacity.in_(supporting_capacities(role)))
                 for role in ROLES)),
    )


def in_force_pairs() -> tuple[list[str], list[str]]:
    """:func:`in_force` as data for a raw query: ``(roles, capacities)``, two parallel lists
    holding every (role, capacity under which it is in force) pair, bound as arrays."""
    pairs = [(role, capacity) for role in ROLES for capacity in supporting_capacities(role)]
    return [role for role, _c in pairs], [capacity for _r, capacity in pairs]


#: :func:`in_force` for a raw statement: a condition on the ``govshare_role`` row aliased ``g``,
#: with :func:`in_force_pairs` bound as ``:force_roles`` and ``:force_capacities``
IN_FORCE_SQL = """EXISTS (
    SELECT 1 FROM member m
    WHERE m.table_name = 'user' AND m.table_id = g.user_id
      AND m.group_id = g.org_id AND m.state = 'active'
      AND (g.role, m.capacity) IN (
        SELECT * FROM unnest(CAST(:force_roles AS text[]), CAST(:force_capacities AS text[]))))"""


def _user_id(user: str) -> str | None:
    obj = model.User.get(user) if user else None
    return obj.id if obj else None


def _org_id(org: str) -> str | None:
    obj = model.Group.get(org) if org else None
    return obj.id if obj else None


def _rows(user: str, org: str) -> list[Role]:
    """The user's roles in force in the department, read once per transaction
    (:func:`memo.kept`: a lifecycle step asks them at every guard and notification)."""
    return memo.kept(("roles", user, org), lambda: _read_rows(user, org))


def _read_rows(user: str, org: str) -> list[Role]:
    user_id, org_id = _user_id(user), _org_id(org)
    if not user_id or not org_id:
        return []
    return (
        model.Session.query(Role)
        .filter(Role.user_id == user_id, Role.org_id == org_id, in_force())
        .all()
    )


def user_roles(user_id: str, org_id: str) -> list[str]:
    """The roles ``user_id`` holds in department ``org_id`` (ids or names), in vocabulary order.

    Only roles :func:`in_force`: the user's current membership supports them.
    """
    held = {row.role for row in _rows(user_id, org_id)}
    return [role for role in ROLES if role in held]


def has_role(user_id: str, org_id: str, role: str | Iterable[str]) -> bool:
    """Whether the user holds ``role`` (or any of several roles) in the department, in force."""
    wanted = {role} if isinstance(role, str) else set(role)
    return any(row.role in wanted for row in _rows(user_id, org_id))


def has_role_anywhere(user_id: str, role: Iterable[str]) -> bool:
    """Whether the user (id) holds any of ``role`` in force in some department; one query."""
    return model.Session.query(
        model.Session.query(Role)
        .filter(Role.user_id == user_id, Role.role.in_(list(role)), in_force())
        .exists()
    ).scalar()


def compiler_units(user_id: str, org_id: str) -> list[str]:
    """Codes of the units the user compiles for in the department (empty: not a compiler)."""
    for row in _rows(user_id, org_id):
        if row.role == tables.ROLE_COMPILER:
            return list(row.units or [])
    return []


def actor_roles(user: model.User | str | None, org_id: str | None,
                unit: str | None) -> set[str]:
    """The user's roles for an entry of department ``org_id`` compiled by ``unit``.

    A compiler counts as one only for the units they compile for ("业务谁主管，谁编制"); an
    entry without a unit is any of the department's compilers'. ``user``: a User, or a user
    name or id.
    """
    user_obj = model.User.get(user) if isinstance(user, str) else user
    if user_obj is None or not org_id:
        return set()
    held = set(user_roles(user_obj.id, org_id))
    if tables.ROLE_COMPILER in held and unit:
        if unit not in compiler_units(user_obj.id, org_id):
            held.discard(tables.ROLE_COMPILER)
    return held


def _parse_units(value: Any) -> list[dict[str, str]]:
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except ValueError:
            log.warning("Ignoring department units that are not JSON: %r", value[:80])
            return []
    if not isinstance(value, list):
        return []
    units: list[dict[str, str]] = []
    for item in value:
        if not isinstance(item, dict):
            continue
        code = str(item.get("code") or "").strip()
        if code:
            units.append({"code": code, "name": str(item.get("name") or "").strip() or code})
    return units


def department_units(org_ref: str | model.Group) -> list[dict[str, str]]:
    """The internal units (处室) of a department: ``[{"code": ..., "name": ...}]``.

    The one place that reads them: the organization schema (ckanext-scheming, repeating
    ``{code, name}``) stores them as one JSON ``units`` extra of the organization. An unknown
    department or one without units has none. ``org_ref`` is an id or name, or the
    organization itself when the caller has it already.
    """
    if isinstance(org_ref, model.Group):
        org = org_ref
    else:
        org = model.Group.get(org_ref) if org_ref else None
    if org is None or not org.is_organization:
        return []
    return _parse_units((org.extras or {}).get("units"))


def unit_names(org_id: str) -> dict[str, str]:
    """``{code: name}`` of the department's units."""
    return {unit["code"]: unit["name"] for unit in department_units(org_id)}
