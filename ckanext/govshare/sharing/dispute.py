"""Disputes (争议, DB14 §7.6, §9.2 •5–6, §9.3 •3; domain reference §B.5, §E.7): the service.

A department raises a dispute against another department:

* about a catalogue entry (目录争议: :data:`CATALOGUE_KINDS` — 数源/ownership, duplicate,
  share attribute, content); the respondent is the entry's department. A ``not_shared`` entry
  cannot be requested, so a ``share_attribute`` dispute is the one way to contest it;
* about the answer to one of its access requests (共享争议: :data:`SHARING_KINDS` — refusal,
  overdue reply, sharing conditions); the case's ``parent_id`` is the request and the respondent
  the providing department.

Raising opens the negotiation between the two sides (clock ``negotiation``). Either side
settles it (closed) or escalates it to the 统筹协调组织 (:func:`cases.coordinating_org_id`;
``None``: the sysadmins) on the ``coordination`` clock; a negotiation past its window is
escalated by :func:`escalate_overdue` (``ckan govshare remind``). The coordinator's binding
decision names an outcome (:data:`flows.DISPUTE_OUTCOMES`, allowed per kind by
:data:`OUTCOMES_BY_KIND`) and its reasons; executing it opens a pending revision of the entry
(``revise_entry``: the entry's department then edits and submits it), grants access
(``grant``: an authorization from the disputed request, or from an access request created
already approved), or only records the decision (``confirm_refusal``, ``dismiss``); then the
coordinator closes the case. Every step records the party, its reasons and its attachments
(links or uploaded files, :func:`parse_attachments`).

Pure rules come first (kinds, outcomes, which requests may be disputed, who acted as which
party); then attachments, the steps and the lists. The lists (:func:`case_list`) serve the
quality complaints (:mod:`.complaint`) too.
"""
from __future__ import annotations

import datetime
import logging
import mimetypes
import os
import re
import uuid
from collections.abc import Collection, Iterable, Mapping, MutableMapping
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.govshare import permissions
from ckanext.govshare.catalogue import fields
from ckanext.govshare.department import queries as dept_queries
from ckanext.govshare.department import roles as dept_roles
from ckanext.govshare.lifecycle import tables
from ckanext.govshare.messages import Label, stored
from ckanext.govshare.model import base
from ckanext.govshare.model.revision import Revision
from ckanext.govshare.model.sharing import Case
from ckanext.govshare.sharing import authorizations, cases, flows, notify

log = logging.getLogger(__name__)

__all__ = [
    "CATALOGUE_KINDS", "SHARING_KINDS", "OUTCOMES_BY_KIND", "OVERDUE_STATES",
    "CONDITION_STATES", "SIDES", "PARTY_ORDER", "CREATED", "NEXT_ASSIGNEE",
    "is_sharing_kind", "outcomes_for", "request_disputable", "party_of",
    "notice", "send_notices", "drop_notices",
    "parse_attachments", "store_attachments", "attachment_file", "with_attachments",
    "user_departments", "entry_of", "entry_items", "item_names", "show",
    "case_list", "raise_dispute", "step", "decide", "execute", "escalate_overdue",
]

# -- pure rules ------------------------------------------------------------------------------------

#: 目录争议 (DB14 §7.6): about an entry, answered by the entry's department
CATALOGUE_KINDS: tuple[str, ...] = ("ownership", "duplicate", "share_attribute", "content")
#: 共享争议 (DB14 §9.2 •5–6, §9.3 •3): about the answer to an access request, answered by the
#: providing department
SHARING_KINDS: tuple[str, ...] = ("refusal", "overdue", "conditions")

#: what a binding decision may order, per kind (domain reference §E.7: a catalogue change, a
#: grant, or the refusal kept)
OUTCOMES_BY_KIND: dict[str, tuple[str, ...]] = {
    "ownership": ("revise_entry", "dismiss"),
    "duplicate": ("revise_entry", "dismiss"),
    "content": ("revise_entry", "dismiss"),
    "share_attribute": ("revise_entry", "grant", "dismiss"),
    "refusal": ("grant", "confirm_refusal", "revise_entry"),
    "overdue": ("grant", "dismiss"),
    "conditions": ("grant", "revise_entry", "dismiss"),
}

#: the states of an access request whose reply (or delivery) can be overdue against the
#: provider: its review and security stages, and an approved request not yet delivered
OVERDUE_STATES: frozenset[str] = frozenset({
    flows.PROVIDER_REVIEW, flows.SECURITY_REVIEW, flows.APPROVED})
#: the states in which the provider has set conditions the requester may contest: returned
#: for more information, or approved (delivered) on its terms
CONDITION_STATES: frozenset[str] = frozenset({flows.RETURNED, flows.APPROVED, flows.DELIVERED})

#: the sides of a case a list is asked for
SIDE_RAISED = "raised"  # raised by me or my department
SIDE_RECEIVED = "received"  # against my department
SIDE_COORDINATING = "coordinating"  # escalated to the coordinator (disputes)
SIDE_WAITING = "waiting"  # open and waiting on me
SIDES: dict[str, Label] = {
    SIDE_RAISED: Label("本部门提出", "Raised by my department"),
    SIDE_RECEIVED: Label("针对本部门", "Against my department"),
    SIDE_COORDINATING: Label("提请协调", "Escalated to the coordinator"),
    SIDE_WAITING: Label("待我处理", "Waiting for me"),
}

#: the party a step is recorded under, most specific first (:func:`party_of`)
PARTY_ORDER: tuple[str, ...] = (
    flows.COORDINATOR, flows.PARTY_RAISER, flows.PARTY_RESPONDENT, flows.REQUESTER,
    flows.PROVIDER_REVIEWER, flows.PROVIDER_COMPILER)


def is_sharing_kind(kind: str) -> bool:
    """Whether a dispute of ``kind`` is about an access request (else about an entry)."""
    return kind in SHARING_KINDS


def outcomes_for(kind: str) -> tuple[str, ...]:
    """The outcomes a coordinator's decision on a dispute of ``kind`` may order."""
    return OUTCOMES_BY_KIND.get(kind, ())


def request_disputable(kind: str, state: str, due_at: datetime.datetime | None,
                       now: datetime.datetime) -> bool:
    """Whether an access request in ``state`` (due at ``due_at``) may be disputed as ``kind``:
    a refusal once refused, an overdue reply once the provider's step is past its deadline,
    the conditions once the provider has set them."""
    if kind == "refusal":
        return state == flows.REFUSED
    if kind == "overdue":
        return state in OVERDUE_STATES and due_at is not None and due_at < now
    if kind == "conditions":
        return state in CONDITION_STATES
    return False


def party_of(held: Collection[str], permitted: Collection[str]) -> str:
    """The party a step is recorded under: the first of :data:`PARTY_ORDER` the actor holds
    among the roles ``permitted`` to fire it (``system`` when none: an automatic step)."""
    for role in PARTY_ORDER:
        if role in held and role in permitted:
            return role
    return flows.SYSTEM


# -- attachments ---------------------------------------------------------------------------------

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_FILE_ID = re.compile(r"^[0-9a-f]{32}$")
#: the largest uploaded attachment, in MB: CKAN's own limit of an uploaded resource
_MAX_SIZE_OPTION = "ckan.max_resource_size"


def _as_list(value: Any) -> list[Any]:
    if value is None or value is tk.missing or value == "":
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _storage_dir(case_id: str) -> str | None:
    root = tk.config.get("ckan.storage_path")
    if not root:
        return None
    return os.path.join(root, "storage", "govshare", "cases", case_id)


def parse_attachments(data: Mapping[str, Any], *, step: str,
                      actor: str | None) -> list[dict[str, Any]]:
    """The attachments of a step from ``attachment_url`` (one link or a list; http or https)
    and ``attachment_upload`` (one uploaded file or a list), read but not yet stored.

    Each is a record ``{"id", "type": "url"|"file", "name", "url"|"size", "step", "by",
    "at"}``; an uploaded file's bytes travel under ``"_content"`` until
    :func:`store_attachments` writes them.

    :raises tk.ValidationError: a link that is not http(s), a file too large, or uploads
        while ``ckan.storage_path`` is not set
    """
    at = base.now().isoformat()
    out: list[dict[str, Any]] = []
    errors: list[str] = []
    for url in _as_list(data.get("attachment_url")):
        url = str(url).strip()
        if not url:
            continue
        if not _URL.match(url):
            errors.append(tk._("An attachment link must be an http or https address"))
            continue
        out.append({"id": uuid.uuid4().hex, "type": "url", "url": url, "name": url,
                    "step": step, "by": actor, "at": at})
    limit = int(tk.config.get(_MAX_SIZE_OPTION) or 10) * 1024 * 1024
    for upload in _as_list(data.get("attachment_upload")):
        filename = getattr(upload, "filename", None)
        stream = getattr(upload, "stream", None)
        if not filename or stream is None:
            continue
        content = stream.read(limit + 1)
        if len(content) > limit:
            errors.append(tk._("An attached file may not be larger than {size} MB").format(
                size=limit // (1024 * 1024)))
            continue
        out.append({"id": uuid.uuid4().hex, "type": "file",
                    "name": os.path.basename(str(filename).replace("\\", "/"))[:200] or "file",
                    "size": len(content), "step": step, "by": actor, "at": at,
                    "_content": content})
    if any(a["type"] == "file" for a in out) and _storage_dir("x") is None:
        errors.append(tk._("Files cannot be attached on this site: attach a link instead"))
    if errors:
        raise tk.ValidationError({"attachment": errors})
    return out


def store_attachments(case: Case, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Write the uploaded files of ``records`` under the case's storage directory; returns the
    records as kept (without their bytes)."""
    kept = []
    for record in records:
        content = record.pop("_content", None)
        if content is not None:
            folder = _storage_dir(case.id)
            assert folder is not None  # parse_attachments refused files without storage
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, record["id"]), "wb") as out:
                out.write(content)
        kept.append(record)
    return kept


def attachment_file(case: Case, file_id: str) -> tuple[str, str, str]:
    """``(path, name, mimetype)`` of the uploaded attachment ``file_id`` of ``case``.

    :raises tk.ObjectNotFound: no such uploaded file in the case's record
    """
    if not _FILE_ID.match(file_id or ""):
        raise tk.ObjectNotFound(tk._("Attachment not found"))
    record = next((a for a in (case.data or {}).get("attachments") or []
                   if a.get("id") == file_id and a.get("type") == "file"), None)
    folder = _storage_dir(case.id)
    if record is None or folder is None or not os.path.isfile(os.path.join(folder, file_id)):
        raise tk.ObjectNotFound(tk._("Attachment not found"))
    mimetype = mimetypes.guess_type(record["name"])[0] or "application/octet-stream"
    return os.path.join(folder, file_id), record["name"], mimetype


def with_attachments(case: Case, records: list[dict[str, Any]]) -> dict[str, Any]:
    """The case's ``data`` change adding ``records`` to its attachments (empty: none)."""
    if not records:
        return {}
    return {"attachments": [*((case.data or {}).get("attachments") or []), *records]}


def _public(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if not k.startswith("_")} for r in records]


# -- notices -------------------------------------------------------------------------------------

#: the context key of the steps written but not yet told (:func:`notice`)
_NOTICES = "govshare_case_notices"


def notice(context: MutableMapping[str, Any], case: Case, event: str,
           actor: str | None) -> None:
    """Remember to tell those concerned of ``event`` on ``case`` once it is committed
    (:func:`send_notices`): nobody hears of a step that was rolled back."""
    context.setdefault(_NOTICES, []).append((case.id, event, actor))


def send_notices(context: MutableMapping[str, Any]) -> None:
    """Tell those concerned of the steps :func:`notice` remembered
    (:func:`notify.case_changed`), reading each case as it is now."""
    for case_id, event, actor in context.pop(_NOTICES, None) or []:
        notify.case_changed(cases.get_case(case_id), event, actor)


def drop_notices(context: MutableMapping[str, Any]) -> None:
    """Forget the steps :func:`notice` remembered (they were rolled back)."""
    context.pop(_NOTICES, None)


# -- who -----------------------------------------------------------------------------------------


def user_departments(user: model.User | None) -> list[str]:
    """Ids of the departments ``user`` is a member of (any capacity)."""
    if user is None:
        return []
    return list(user.get_group_ids(group_type="organization"))


def _user(context: Mapping[str, Any]) -> model.User:
    user = cases.context_user(context)
    if user is None:
        raise tk.NotAuthorized(tk._("Log in first"))
    return user


def _raising_department(user: model.User, ref: str | None) -> str:
    """The department a dispute is raised for: ``ref`` (the user must belong to it, unless a
    sysadmin), or the user's only department."""
    mine = user_departments(user)
    if ref:
        org = model.Group.get(ref)
        if org is None or not org.is_organization or org.state != "active":
            raise tk.ValidationError({"organization_id": [tk._("No such department")]})
        if org.id not in mine and not user.sysadmin:
            raise tk.ValidationError({"organization_id": [
                tk._("You can only act for a department you belong to")]})
        return org.id
    if len(mine) == 1:
        return mine[0]
    if not mine:
        raise tk.ValidationError({"organization_id": [
            tk._("Only members of a department can raise a dispute")]})
    raise tk.ValidationError({"organization_id": [
        tk._("You belong to several departments: choose the one you act for")]})


# -- reading -------------------------------------------------------------------------------------


def entry_of(ref: str | None) -> model.Package:
    """The catalogue entry ``ref`` (id or name), or ``tk.ObjectNotFound``."""
    pkg = model.Package.get(str(ref)) if ref else None
    if pkg is None or pkg.state != "active" or permissions.entry_state(pkg) is None:
        raise tk.ObjectNotFound(tk._("No such catalogue entry"))
    return pkg


def _site() -> dict[str, Any]:
    return {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"],
            "ignore_auth": True}


def entry_items(pkg: model.Package) -> list[dict[str, Any]]:
    """The entry's 信息项 (as ``package_show`` gives them)."""
    shown = tk.get_action("package_show")(dict(_site(), use_cache=False), {"id": pkg.id})
    return [i for i in shown.get(fields.INFO_ITEMS) or [] if isinstance(i, dict)]


def item_names(items: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Every way a 信息项 may be named (its name, its English name) → its name."""
    names: dict[str, str] = {}
    for item in items:
        name = str(item.get("name") or "").strip()
        if name:
            names[name] = name
            if item.get("name_en"):
                names[str(item["name_en"]).strip()] = name
    return names


def show(user: model.User | None, case: Case, at: datetime.datetime | None = None
         ) -> dict[str, Any]:
    """The API representation of a case: its fields, the working days left (negative:
    overdue), its timeline and the events ``user`` may fire now."""
    at = at or base.now()
    result = case.dictize()
    result["attachments"] = _public(result["data"].pop("attachments", None) or [])
    result["days_left"] = cases.working_days_left(case.due_at, at)
    result["overdue"] = bool(case.due_at is not None and case.due_at < at)
    result["timeline"] = [row.dictize() for row in cases.timeline(case.id)]
    result["allowed_events"] = cases.allowed_events(user, case)
    _org_titles(result, case, dept_queries.department_names(
        (case.requester_org, case.target_org)))
    return result


def _org_titles(out: dict[str, Any], case: Case,
                names: Mapping[str, dept_queries.DepartmentName]) -> None:
    for key, org_id in (("requester_org_title", case.requester_org),
                        ("target_org_title", case.target_org)):
        out[key] = names[org_id].title if org_id in names else None


def _summary(case: Case, at: datetime.datetime,
             names: Mapping[str, dept_queries.DepartmentName]) -> dict[str, Any]:
    item = case.dictize()
    item["data"].pop("attachments", None)
    item["days_left"] = cases.working_days_left(case.due_at, at)
    item["overdue"] = bool(case.due_at is not None and case.due_at < at)
    _org_titles(item, case, names)
    return item


def _is_coordinator(user: model.User) -> bool:
    """Whether ``user`` acts for the 统筹协调组织 (as :func:`cases.case_roles` decides)."""
    coordinating = cases.coordinating_org_id()
    if coordinating is None:
        return bool(user.sysadmin)
    return dept_roles.has_role(user.id, coordinating, tables.ROLE_COORDINATOR)


def case_list(user: model.User, kind: str, *, side: str | None = None,
              state: str | None = None, open_only: bool = False, entry_id: str | None = None,
              limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """The cases of ``kind`` on ``side`` (:data:`SIDES`; none: every side of the user),
    soonest due first, then newest; each item with ``due_at``, ``days_left`` and ``overdue``.

    One query reads the page and the count of all that match (a window count). The sides are
    the parties :func:`permissions.may_see_case` admits — the filer and the two departments,
    the coordinator once escalated —, and the page is passed through it all the same, so a
    list never shows a case its page would refuse. Returns ``{"count": n, "results": [...]}``.
    """
    at = base.now()
    if side == SIDE_WAITING:
        waiting = [c for c in cases.open_cases_for(user, [kind])
                   if (not state or c.state == state) and (not entry_id or c.entry_id == entry_id)]
        total, page = len(waiting), waiting[offset:offset + limit]
    else:
        mine = user_departments(user)
        raised = sa.or_(Case.requester_user == user.id, Case.requester_org.in_(mine))
        received = Case.target_org.in_(mine)
        escalated = Case.data.has_key("escalated")  # noqa: W601 (JSONB ``?``)
        coordinator = _is_coordinator(user)
        if side == SIDE_RAISED:
            condition = raised
        elif side == SIDE_RECEIVED:
            condition = received
        elif side == SIDE_COORDINATING:
            condition = escalated if coordinator else sa.false()
        elif user.sysadmin:
            condition = sa.true()
        else:
            condition = sa.or_(raised, received, *([escalated] if coordinator else []))
        q = model.Session.query(Case, sa.func.count().over().label("total")).filter(
            Case.kind == kind, condition)
        if state:
            q = q.filter(Case.state == state)
        if open_only:
            q = q.filter(Case.closed_at.is_(None))
        if entry_id:
            q = q.filter(Case.entry_id == entry_id)
        rows = (q.order_by(Case.due_at.asc().nulls_last(), Case.created.desc(), Case.id)
                .offset(offset).limit(limit).all())
        total = rows[0].total if rows else 0
        page = [row.Case for row in rows]
    seen = [c for c in page if permissions.may_see_case(user, c)]
    names = dept_queries.department_names(
        o for c in seen for o in (c.requester_org, c.target_org))
    return {"count": total - (len(page) - len(seen)),
            "results": [_summary(c, at, names) for c in seen]}


#: the audit action of a case's first row (:func:`cases.open_case`)
CREATED = "created"


# -- raising -------------------------------------------------------------------------------------


def _open_duplicate(kind: str, entry_id: str | None, parent_id: str | None,
                    requester_org: str) -> Case | None:
    q = model.Session.query(Case).filter(
        Case.kind == flows.DISPUTE, Case.data["dispute_kind"].astext == kind,
        Case.requester_org == requester_org, Case.closed_at.is_(None))
    q = q.filter(Case.parent_id == parent_id) if parent_id else q.filter(
        Case.entry_id == entry_id)
    return q.first()


def raise_dispute(context: MutableMapping[str, Any], data: Mapping[str, Any]) -> Case:
    """Raise a dispute (validated ``data``: ``kind``, ``entry_id`` or ``request_id``,
    ``organization_id``, ``claim``, ``basis``, ``remedy``, attachments): it opens in
    negotiation, waiting on the responding department's reviewer.

    :raises tk.ValidationError: a kind, entry or request that cannot be disputed, a dispute of
        the same kind already open, a department the user does not belong to
    :raises tk.ObjectNotFound: no such entry or request
    """
    user = _user(context)
    kind = data["kind"]
    at = base.now()
    parent: Case | None = None
    if is_sharing_kind(kind):
        parent = cases.get_case(str(data.get("request_id") or ""), flows.ACCESS_REQUEST) \
            if data.get("request_id") else None
        if parent is None:
            raise tk.ValidationError({"request_id": [
                tk._("A dispute about sharing names the access request it is about")]})
        # DB14 §9.3 •1: the requesting department speaks for its request
        if not cases.case_roles(user, parent) & {flows.REQUESTER, flows.CONSUMER_REVIEWER}:
            raise tk.NotAuthorized(tk._(
                "Only the requester or the requesting department's reviewer can dispute "
                "the answer to a request"))
        if not request_disputable(kind, parent.state, parent.due_at, at):
            raise tk.ValidationError({"kind": [tk._(
                "This request cannot be disputed this way in its present state")]})
        pkg = entry_of(parent.entry_id)
        requester_org, target_org = parent.requester_org, parent.target_org
    else:
        pkg = entry_of(data.get("entry_id"))
        if not permissions.can_see_entry(user, pkg) or \
                permissions.entry_state(pkg) not in permissions.VISIBLE_STATES:
            raise tk.ObjectNotFound(tk._("No such catalogue entry"))
        requester_org = _raising_department(user, data.get("organization_id"))
        target_org = pkg.owner_org
    if not requester_org or not target_org:
        raise tk.ValidationError({"organization_id": [tk._("No such department")]})
    if requester_org == target_org:
        # DB14 §7.6, §9.3 •3: a dispute is between two departments (within one department
        # its 共享管理责任机构 decides)
        raise tk.ValidationError({"organization_id": [tk._(
            "A dispute is raised against another department than your own")]})
    if _open_duplicate(kind, pkg.id, parent.id if parent else None, requester_org):
        raise tk.ValidationError({"kind": [tk._(
            "Your department already has an open dispute of this kind about it")]})
    attachments = parse_attachments(data, step=CREATED, actor=user.id)
    fields_ = {
        "dispute_kind": kind, "claim": data["claim"], "basis": data.get("basis") or "",
        "remedy": data.get("remedy") or "",
        "entry_title": pkg.title or pkg.name, "entry_name": pkg.name,
        "share_type": pkg.extras.get(fields.SHARE_TYPE),
    }
    if parent is not None:
        fields_["request_number"] = parent.number
        fields_["request_state"] = parent.state
    case = cases.open_case(
        context, flows.DISPUTE, title=pkg.title or pkg.name, requester_org=requester_org,
        target_org=target_org, data=fields_, assignee=flows.PARTY_RESPONDENT, entry_id=pkg.id,
        resource_code=pkg.extras.get(fields.RESOURCE_CODE),
        parent_id=parent.id if parent else None, comment=data["claim"],
        requester_user=user.id)
    if attachments:
        case.data = {**case.data, **with_attachments(case, store_attachments(case, attachments))}
        model.Session.flush()
    notice(context, case, CREATED, user.id)
    return case


# -- the steps -----------------------------------------------------------------------------------


def _roles_for(kind: str, event: str) -> frozenset[str]:
    return flows.MACHINES[kind].roles_for(event, "")


#: whom a case waits on after each dispute event (None: nobody, the case is closed)
NEXT_ASSIGNEE: dict[str, str | None] = {
    flows.SETTLE: None,
    flows.ESCALATE: flows.COORDINATOR,
    flows.DECIDE: flows.COORDINATOR,
    flows.EXECUTE: flows.COORDINATOR,
    flows.CLOSE: None,
    flows.WITHDRAW: None,
}


def step(context: MutableMapping[str, Any], case: Case, event: str, *, reason: str | None,
         data: Mapping[str, Any] | None = None, extra: Mapping[str, Any] | None = None,
         assignee: str | None = None, as_system: bool = False) -> Case:
    """Fire ``event`` on the locked ``case`` (of any kind) with ``reason`` and the attachments
    in ``data``, recording the party; ``extra`` is merged into the case's fields. Then tell
    those concerned once it is written (:func:`notice`)."""
    user = cases.context_user(context)
    actor = user.id if user is not None else None
    attachments = parse_attachments(data or {}, step=event, actor=actor)
    party = flows.SYSTEM if as_system else party_of(
        cases.case_roles(user, case), _roles_for(case.kind, event))
    change = {**dict(extra or {}), **with_attachments(case, attachments)}
    cases.fire(context, case, event, reason=reason, assignee=assignee, data=change,
               audit_data={"party": party, "attachments": _public(attachments)},
               as_system=as_system)
    store_attachments(case, attachments)
    notice(context, case, event, actor)
    return case


def _persons(refs: Iterable[Any]) -> list[str]:
    ids = []
    for ref in refs:
        ref = str(ref).strip()
        if not ref:
            continue
        person = model.User.get(ref)
        if person is None or person.state != "active":
            raise tk.ValidationError({"persons": [
                tk._("No such user: {user}").format(user=ref)]})
        ids.append(person.id)
    return ids


def _grant_terms(case: Case, terms: Mapping[str, Any]) -> dict[str, Any]:
    """The terms of a grant ordered by a decision, checked against the entry and the controlled
    lists; without a disputed request to take them from, the provision method and the validity
    are required."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    pkg = entry_of(case.entry_id)
    items = [str(i).strip() for i in _as_list(terms.get("items")) if str(i).strip()]
    if items:
        names = item_names(entry_items(pkg))
        unknown = [i for i in items if i not in names]
        if unknown:
            errors["items"] = [tk._("Not data elements of the entry: {items}").format(
                items=", ".join(unknown))]
        out["items"] = sorted({names.get(i, i) for i in items})
    method = terms.get("provision_method")
    if method:
        if method not in flows.PROVISION_METHODS:
            errors["provision_method"] = [tk._("Unknown provision method")]
        out["provision_method"] = method
    days = terms.get("validity_days")
    if days not in (None, ""):
        if not str(days).isdecimal() or int(days) not in flows.VALIDITY_DAYS:
            errors["validity_days"] = [tk._("Choose one of the validity periods offered")]
        else:
            out["validity_days"] = int(days)
    for name in ("purpose", "scenario", "region", "usage_scope"):
        if terms.get(name):
            out[name] = str(terms[name]).strip()
    try:
        if _as_list(terms.get("persons")):
            out["persons"] = _persons(_as_list(terms.get("persons")))
    except tk.ValidationError as err:
        errors.update(err.error_dict)
    if not case.parent_id:
        for name in ("provision_method", "validity_days"):
            if name not in out and name not in errors:
                errors[name] = [tk._("Required when access is granted without a request")]
    if errors:
        raise tk.ValidationError(errors)
    return out


def decide(context: MutableMapping[str, Any], case: Case, *, outcome: str, reason: str | None,
           terms: Mapping[str, Any], data: Mapping[str, Any]) -> Case:
    """The coordinator's binding decision (协调结论) on the locked, escalated ``case``."""
    if outcome not in outcomes_for(case.data.get("dispute_kind", "")):
        raise tk.ValidationError({"outcome": [tk._(
            "This outcome cannot be ordered for a dispute of this kind")]})
    user = cases.context_user(context)
    decision: dict[str, Any] = {
        "outcome": outcome, "reasons": (reason or "").strip(),
        "by": user.id if user is not None else None, "at": base.now().isoformat()}
    if outcome == "grant":
        # the terms are checked by the state machine's turn first: a refused event says so
        if case.state == flows.ESCALATED:
            decision["terms"] = _grant_terms(case, terms)
    return step(context, case, flows.DECIDE, reason=reason, data=data,
                extra={"decision": decision}, assignee=NEXT_ASSIGNEE[flows.DECIDE])


def _revise_entry(context: MutableMapping[str, Any], case: Case, decision: Mapping[str, Any]
                  ) -> dict[str, Any]:
    """Open the entry's pending revision (or take its open draft) for the department to edit
    and submit; its reason is the decision."""
    # DB14 §7.3, domain reference §B.5: a binding outcome that changes the catalogue goes
    # through the entry's reviewed revision (变更)
    ctx = {"user": context.get("user") or "", "ignore_auth": True, "defer_commit": True}
    rev = tk.get_action("govshare_revision_create")(ctx, {"id": case.entry_id})
    row = model.Session.get(Revision, rev["id"])
    if row is not None:
        row.reason = f"{case.number}: {decision.get('reasons') or ''}"
    return {"revision_id": rev["id"]}


def _grant(context: MutableMapping[str, Any], case: Case, decision: Mapping[str, Any]
           ) -> dict[str, Any]:
    """Grant access as decided: from the disputed request when it is refused or still before
    the provider (fired ``grant``), else from an access request created already approved."""
    terms = dict(decision.get("terms") or {})
    request = cases.lock_case(case.parent_id, flows.ACCESS_REQUEST) if case.parent_id else None
    machine = flows.MACHINES[flows.ACCESS_REQUEST]
    if request is not None and not terms and (
            request.state == flows.REFUSED
            or (request.state, flows.GRANT) in machine.transitions):
        if request.state != flows.REFUSED:
            cases.fire(context, request, flows.GRANT, as_system=True,
                       assignee=flows.REQUEST_DECIDER[flows.APPROVED],
                       audit_data={"dispute_id": case.id, "dispute_number": case.number})
            notice(context, request, flows.GRANT, cases.actor_id(context) or None)
        grant = authorizations.grant_from_request(context, request)
        request.data = {**(request.data or {}), "authorization_id": grant.id,
                        "dispute_id": case.id, "dispute_number": case.number}
        return {"request_id": request.id, "authorization_id": grant.id}
    base_terms = dict(request.data or {}) if request is not None else {}
    base_terms.setdefault("purpose", case.data.get("claim") or "")
    approved = cases.open_case(
        context, flows.ACCESS_REQUEST, title=case.title, requester_org=case.requester_org,
        target_org=case.target_org, data={**base_terms, **terms, "dispute_id": case.id,
                                          "dispute_number": case.number},
        assignee=flows.REQUEST_DECIDER[flows.APPROVED], state=flows.APPROVED,
        entry_id=case.entry_id, resource_code=case.resource_code, parent_id=case.id,
        comment=decision.get("reasons") or None, requester_user=case.requester_user)
    notice(context, approved, CREATED, cases.actor_id(context) or None)
    grant = authorizations.grant_from_request(context, approved)
    approved.data = {**approved.data, "authorization_id": grant.id}
    return {"request_id": approved.id, "authorization_id": grant.id}


def execute(context: MutableMapping[str, Any], case: Case, *, reason: str | None,
            data: Mapping[str, Any]) -> Case:
    """Carry out the decision of the locked, decided ``case``; the case records what was done
    (``execution``: the revision, the request and authorization)."""
    decision = dict(case.data.get("decision") or {})
    step(context, case, flows.EXECUTE, reason=reason, data=data,
         assignee=NEXT_ASSIGNEE[flows.EXECUTE])
    outcome = decision.get("outcome")
    done: dict[str, Any] = {"outcome": outcome, "at": base.now().isoformat()}
    if outcome == "revise_entry":
        done.update(_revise_entry(context, case, decision))
    elif outcome == "grant":
        done.update(_grant(context, case, decision))
    case.data = {**case.data, "execution": done}
    model.Session.flush()
    return case


#: the reason recorded when a negotiation past its window goes to the coordinator
AUTOMATIC_ESCALATION = Label("协商期限届满，自动提请统筹协调组织协调",
                              "the negotiation window has passed: escalated automatically")


def escalate_overdue(at: datetime.datetime | None = None) -> int:
    """Escalate every dispute still in negotiation past its window (``negotiation`` clock) to
    the coordinator; returns how many. Each is committed on its own."""
    at = at or base.now()
    ids = [row.id for row in model.Session.query(Case.id).filter(
        Case.kind == flows.DISPUTE, Case.state == flows.NEGOTIATING,
        Case.due_at.isnot(None), Case.due_at < at)]
    done = 0
    for case_id in ids:
        case = cases.lock_case(case_id, flows.DISPUTE)
        if case.state != flows.NEGOTIATING or case.due_at is None or case.due_at >= at:
            model.Session.rollback()
            continue
        # domain reference §E.7: past the negotiation window the dispute goes to the
        # 统筹协调组织
        system: dict[str, Any] = {"user": ""}
        step(system, case, flows.ESCALATE, reason=stored(*AUTOMATIC_ESCALATION),
             extra={"escalated": True, "escalated_automatically": True},
             assignee=flows.COORDINATOR, as_system=True)
        model.Session.commit()
        send_notices(system)
        done += 1
        log.info("dispute %s escalated: negotiation overdue since %s", case.number,
                 case.due_at)
    return done
