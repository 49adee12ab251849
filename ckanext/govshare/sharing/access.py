"""Resource access requests (数据资源申请, DB14 §9.2–9.3, Appendix B Fig. B.2): the service.

A request names a published catalogue entry and what the requesting department wants of it;
the flow is the table :data:`~ckanext.govshare.sharing.flows.REQUEST_TRANSITIONS` run by
:mod:`~ckanext.govshare.sharing.cases` (lock, guards, clock, audit). What is here is what the
table cannot know:

* **filing** (:func:`create`): the entry must be one the requester sees (published, or a draft
  linked to their accepted demand), not ``not_shared`` (that one is disputed, not requested),
  and its data not already theirs (:func:`ckanext.govshare.permissions.can_see_resources`);
  the fields are checked by :func:`check_fields` (pure) and :func:`_check_people`;
* **routing**: within one department the provider's reviewer decides at once; across
  departments the requesting department's reviewer endorses first (统一提出, §9.3 •1)
  (:func:`ckanext.govshare.sharing.flows.request_start`). Data graded at or above
  ``ckanext.govshare.sharing.security_review_grade`` goes from the provider's reviewer to its
  security officer (:func:`approve_branch`);
* **who decides at each step**: the relative roles of the table are narrowed to the decider of
  the case's state (:func:`stage_roles`): the requesting department's reviewer endorses, the
  provider's reviewer decides, the provider's security officer decides the security stage — a
  person other than the reviewer who approved before (:func:`allowed_now`);
* **the clocks**: endorsement, reply (reply_unpublished for data still to be published),
  delivery. A return for more information stops the clock (:func:`cases.pause`); the days it had
  left are kept per step in ``data["paused_steps"]`` and resume when that step comes round
  again after the resubmission;
* **granting**: an approval (or the automatic grant of an ``unconditional`` entry when
  ``ckanext.govshare.unconditional_requires_request`` is on) creates the authorization
  (:func:`ckanext.govshare.sharing.authorizations.grant_from_request`); the case then waits on
  the provider to deliver.

The request's own fields live in ``case.data`` (:data:`DATA_FIELDS`): ``items`` (信息项 names,
empty: all), ``purpose``, ``scenario``, ``basis``, ``basis_url``, ``basis_file`` (``{id, name,
size, mimetype}`` of a file kept by CKAN's resource uploader), ``persons`` (user ids of the
知悉范围, empty: the whole consumer department), ``region``, ``usage_scope``,
``provision_method`` (:data:`flows.PROVISION_METHODS`), ``validity_days`` (one of
:data:`flows.VALIDITY_DAYS`) or ``valid_from`` / ``valid_until`` (ISO dates),
``expected_volume``, ``agreement_accepted``; and what the flow records: ``share_type`` and
``data_grade`` at filing, ``same_department``, ``must_publish_first``, ``refusal_code``,
``provider_approver``, ``authorization_id``, ``auto_granted``, ``paused_steps``. The case's
``parent_id`` is the demand it was filed from, or the authorization it renews.
"""
from __future__ import annotations

import datetime
import logging
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.lib import uploader
from sqlalchemy.orm import aliased
from werkzeug.datastructures import FileStorage

from ckanext.govshare import config as gs_config
from ckanext.govshare import permissions
from ckanext.govshare.catalogue import fields, vocab
from ckanext.govshare.department import queries as dept_queries
from ckanext.govshare.department import roles as dept_roles
from ckanext.govshare.lifecycle import deadlines, machine, tables
from ckanext.govshare.model import base
from ckanext.govshare.model.roles import Role
from ckanext.govshare.model.sharing import Authorization, Case
from ckanext.govshare.sharing import cases, flows, notify
from ckanext.govshare.sharing.authorizations import grant_from_request

log = logging.getLogger(__name__)

__all__ = [
    "DATA_FIELDS", "DECISIONS", "LIST_SIDES", "MACHINE", "allowed_now", "approve_branch",
    "as_dict", "basis_file_path", "check_fields", "create", "decide", "entry_refusal",
    "list_requests",
    "parse_list", "stage_roles",
]

MACHINE = flows.MACHINES[flows.ACCESS_REQUEST]
KIND = flows.ACCESS_REQUEST

#: the fields a requester fills (``case.data``); ``entry_id`` and ``organization_id`` are columns
DATA_FIELDS: tuple[str, ...] = (
    "items", "purpose", "scenario", "basis", "basis_url", "persons", "region", "usage_scope",
    "provision_method", "validity_days", "valid_from", "valid_until", "expected_volume",
    "agreement_accepted",
)
#: the events a decider fires (the others: the requester's resubmit and withdraw, the system's
#: grant)
DECISIONS: frozenset[str] = frozenset({flows.ENDORSE, flows.APPROVE, flows.REFUSE, flows.RETURN,
                                       flows.DELIVER})
#: ``list_requests``' sides: filed by me, waiting for my decision, my departments'
SIDE_MINE, SIDE_TO_DECIDE, SIDE_DEPARTMENT = "mine", "to_decide", "department"
LIST_SIDES: tuple[str, ...] = (SIDE_MINE, SIDE_TO_DECIDE, SIDE_DEPARTMENT)
#: the states of a request not decided yet: one such request per requester and entry
UNDECIDED: tuple[str, ...] = (flows.ENDORSEMENT, flows.PROVIDER_REVIEW, flows.SECURITY_REVIEW,
                              flows.RETURNED)
#: ``list_requests``' pseudo-states
STATE_OPEN, STATE_CLOSED = "open", "closed"

#: longest free texts (characters)
LONG_TEXT = 2000
SHORT_TEXT = 200
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_TRUE = {"true", "1", "yes", "y", "on", "t"}
#: the form's choice for explicit dates instead of a number of days
VALIDITY_DATES = "dates"


# == pure rules ===================================================================================

def parse_list(value: Any) -> list[str]:
    """A list of names from a list, or from text separated by commas, semicolons or lines
    (the forms' and the API's two shapes); blanks dropped, order kept, no repeats."""
    if value is None or value is tk.missing:
        return []
    if isinstance(value, str):
        parts = re.split(r"[,，;；\n\r]+", value)
    elif isinstance(value, Iterable):
        parts = [str(v) for v in value]
    else:
        parts = [str(value)]
    out: list[str] = []
    for part in (p.strip() for p in parts):
        if part and part not in out:
            out.append(part)
    return out


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    if value is None or value is tk.missing:
        return ""
    return str(value).strip()


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def _truthy(value: Any) -> bool:
    return value is True or str(value).strip().lower() in _TRUE


def check_fields(raw: Mapping[str, Any], *, info_items: Sequence[Mapping[str, Any]],
                 today: datetime.date) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Check what a requester fills in (no database): ``(clean, errors)``.

    ``info_items``: the entry's 信息项 (``name``, ``share_type``); ``today``: the Beijing date
    validity dates are compared with. ``errors`` is ``{field: [message]}``, every message in
    the page's language; ``clean`` holds :data:`DATA_FIELDS` except ``persons`` (people are
    checked against the database by the service).
    """
    clean: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}

    def error(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    # 信息项: a subset of the entry's, none of them not shared; empty: all of them
    items = parse_list(raw.get("items"))
    known = {str(i.get("name")): i for i in info_items if i.get("name")}
    unknown = [n for n in items if n not in known]
    if unknown:
        error("items", tk._("Not information items of this entry: {names}").format(
            names="、".join(unknown)))
    closed = [n for n in items if n in known
              and known[n].get(fields.SHARE_TYPE) == permissions.SHARE_NOT_SHARED]
    if closed:
        error("items", tk._("These information items are not shared: {names}").format(
            names="、".join(closed)))
    clean["items"] = items

    # DB14 §9.2: the use, its scenario and its legal or business basis are stated
    for key, limit, required in (("purpose", LONG_TEXT, True), ("scenario", LONG_TEXT, True),
                                 ("basis", LONG_TEXT, True), ("region", SHORT_TEXT, True),
                                 ("usage_scope", SHORT_TEXT, True),
                                 ("expected_volume", SHORT_TEXT, False)):
        value = _text(raw, key)
        if required and not value:
            error(key, tk._("Missing value"))
        elif len(value) > limit:
            error(key, tk._("At most {max} characters").format(max=limit))
        clean[key] = value

    url = _text(raw, "basis_url")
    if url and (not _URL.match(url) or len(url) > LONG_TEXT):
        error("basis_url", tk._("Not a web address (http:// or https://)"))
    clean["basis_url"] = url

    method = _text(raw, "provision_method")
    if method not in flows.PROVISION_METHODS:
        error("provision_method", tk._("Choose one of: {choices}").format(
            choices=", ".join(flows.PROVISION_METHODS)))
    clean["provision_method"] = method

    _check_validity(raw, today, clean, error)

    if not _truthy(raw.get("agreement_accepted")):
        error("agreement_accepted",
              tk._("Accept the terms of use of shared data to file the request"))
    clean["agreement_accepted"] = True
    return clean, errors


def _check_validity(raw: Mapping[str, Any], today: datetime.date, clean: dict[str, Any],
                    error: Any) -> None:
    """A validity of :data:`flows.VALIDITY_DAYS` days, or ``valid_from`` / ``valid_until``
    (from today on, at most the longest of those choices)."""
    days = _text(raw, "validity_days")
    start, end = _text(raw, "valid_from"), _text(raw, "valid_until")
    clean["validity_days"] = clean["valid_from"] = clean["valid_until"] = None
    choices = ", ".join(str(d) for d in flows.VALIDITY_DAYS)
    if days and days != VALIDITY_DATES:
        if not days.isdigit() or int(days) not in flows.VALIDITY_DAYS:
            error("validity_days", tk._(
                "Choose one of {choices} days, or give valid_from and valid_until"
            ).format(choices=choices))
        else:
            clean["validity_days"] = int(days)
        return
    if not start and not end:
        error("validity_days", tk._(
            "Choose one of {choices} days, or give valid_from and valid_until"
        ).format(choices=choices))
        return
    first, last = _date(start), _date(end)
    if first is None:
        error("valid_from", tk._("Not a date (YYYY-MM-DD)") if start else tk._("Missing value"))
    elif first < today:
        error("valid_from", tk._("Cannot be in the past"))
    if last is None:
        error("valid_until", tk._("Not a date (YYYY-MM-DD)") if end else tk._("Missing value"))
    if first is not None and last is not None:
        if last <= first:
            error("valid_until", tk._("Must be after valid_from"))
        elif (last - first).days > max(flows.VALIDITY_DAYS):
            error("valid_until", tk._("At most {days} days after valid_from").format(
                days=max(flows.VALIDITY_DAYS)))
    if first is not None and last is not None:
        clean["valid_from"], clean["valid_until"] = first.isoformat(), last.isoformat()


def stage_roles(held: Iterable[str], state: str) -> set[str]:
    """The roles of ``held`` that count at a request's ``state``: the deciding roles only for
    the decider of that step (:data:`flows.REQUEST_DECIDER`: the requesting department's
    reviewer endorses, the provider's reviewer decides, its security officer decides the
    security stage); the requester's role always (withdraw, resubmit)."""
    decider = flows.REQUEST_DECIDER.get(state)
    deciding = {flows.CONSUMER_REVIEWER, flows.PROVIDER_REVIEWER, flows.PROVIDER_SECURITY}
    return {r for r in held if r not in deciding or r == decider}


def allowed_now(state: str, held: Iterable[str], *, actor: str, submitter: str | None,
                provider_approver: str | None = None) -> list[str]:
    """The events a person holding ``held`` (relative roles) may fire on a request in
    ``state``: the table, the decider of the step, four eyes, and the security stage decided by
    someone other than the reviewer who approved (``provider_approver``)."""
    events = MACHINE.allowed_events(state, actor=actor, submitter=submitter,
                                    actor_roles=stage_roles(held, state))
    if state == flows.SECURITY_REVIEW and actor and actor == provider_approver:
        events = [e for e in events if e != flows.APPROVE]
    return events


def approve_branch(state: str, grade: str | None, level: str, scale: Sequence[str]) -> str | None:
    """The branch an approval takes: to the security officer when the provider's reviewer
    approves data graded at or above ``level`` (DB14 §11; domain reference C.4 R5)."""
    if state == flows.PROVIDER_REVIEW and flows.needs_security_stage(grade, level, list(scale)):
        return flows.BRANCH_SECURITY
    return None


def target_of(state: str, event: str, branch: str | None) -> str | None:
    """Where ``event`` leads from ``state`` (``branch``: the alternative), ``None``: illegal."""
    if branch is not None and (state, event, branch) in MACHINE.alternatives:
        return MACHINE.alternatives[(state, event, branch)]
    return MACHINE.transitions.get((state, event))


# == reading the entry and the people ==============================================================

def _site_context() -> dict[str, Any]:
    site = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site["name"], "ignore_auth": True}


def _entry(ref: str) -> dict[str, Any] | None:
    """The entry as stored (not redacted), ``None`` when there is none."""
    pkg = model.Package.get(ref) if ref else None
    if pkg is None or pkg.state != "active" or permissions.entry_state(pkg) is None:
        return None
    return tk.get_action("package_show")({"ignore_auth": True, "use_cache": False},
                                         {"id": pkg.id})


def _info_items(pkg_dict: Mapping[str, Any]) -> list[dict[str, Any]]:
    items = pkg_dict.get(fields.INFO_ITEMS) or []
    return [i for i in items if isinstance(i, dict)]


def _grade(pkg_dict: Mapping[str, Any], items: Sequence[str]) -> str | None:
    """The grade a request is judged by: the highest of the entry's and of the requested
    信息项' grades (all of them when none is named)."""
    scale = vocab.grade_scale()
    wanted = set(items)
    grades = [pkg_dict.get(fields.DATA_GRADE)] + [
        i.get("grade") for i in _info_items(pkg_dict) if not wanted or i.get("name") in wanted]
    return scale.highest(grades)


def _today() -> datetime.date:
    return base.now().astimezone(deadlines.SHANGHAI).date()


def _member_orgs(user: model.User) -> list[str]:
    return list(user.get_group_ids(group_type="organization"))


def _consumer(user: model.User, ref: Any, errors: dict[str, list[str]]) -> str | None:
    """The requesting department: ``ref``, or the user's only department."""
    mine = _member_orgs(user)
    if ref:
        group = model.Group.get(str(ref))
        if group is None or not group.is_organization or group.state != "active":
            errors["organization_id"] = [tk._("No such department")]
            return None
        if group.id not in mine:
            errors["organization_id"] = [tk._("You are not a member of this department")]
            return None
        return group.id
    if len(mine) == 1:
        return mine[0]
    errors["organization_id"] = [
        tk._("Name the requesting department: you belong to several") if mine
        else tk._("Only the staff of a department can request data")]
    return None


def _check_people(names: Sequence[str], org_id: str | None,
                  errors: dict[str, list[str]]) -> list[str]:
    """User ids of the named persons (知悉范围), who must be members of the requesting
    department; two queries whatever their number."""
    if not names:
        return []
    users = (model.Session.query(model.User)
             .filter(sa.or_(model.User.name.in_(names), model.User.id.in_(names)),
                     model.User.state == "active").all())
    found = {u.name: u for u in users} | {u.id: u for u in users}
    missing = [n for n in names if n not in found]
    if missing:
        errors.setdefault("persons", []).append(
            tk._("No such users: {names}").format(names=", ".join(missing)))
    if org_id is None:
        return []
    ids = list(dict.fromkeys(found[n].id for n in names if n in found))
    members = {r[0] for r in model.Session.query(model.Member.table_id).filter(
        model.Member.table_name == "user", model.Member.group_id == org_id,
        model.Member.state == "active", model.Member.table_id.in_(ids))}
    outside = [n for n in names if n in found and found[n].id not in members]
    if outside:
        errors.setdefault("persons", []).append(
            tk._("Not members of the requesting department: {names}").format(
                names=", ".join(outside)))
    return ids


def _renewed(ref: Any, entry_id: str) -> Authorization | None:
    """The authorization a request renews (``parent_id``), when it grants this entry."""
    if not ref:
        return None
    auth = model.Session.query(Authorization).filter(sa.or_(
        Authorization.id == str(ref), Authorization.number == str(ref))).one_or_none()
    return auth if auth is not None and auth.entry_id == entry_id else None


def _demand(user: model.User, ref: Any, entry_id: str) -> Case | None:
    """The requester's demand (数据需求) linked to the entry, when ``ref`` names one."""
    if not ref:
        return None
    try:
        demand = cases.get_case(str(ref), flows.DEMAND)
    except tk.ObjectNotFound:
        return None
    if demand.requester_user != user.id or demand.entry_id != entry_id:
        return None
    return demand


# == the basis attachment ==========================================================================

def _upload(value: Any) -> FileStorage | None:
    return value if isinstance(value, FileStorage) and value.filename else None


def _store_basis(upload: FileStorage) -> dict[str, Any]:
    """Keep an uploaded basis file with CKAN's resource uploader (under the storage path's
    ``resources``, never served as a static file): ``{id, name, size, mimetype}``."""
    file_id = str(uuid.uuid4())
    holder: dict[str, Any] = {"upload": upload, "url": ""}
    store = uploader.get_resource_uploader(holder)
    if getattr(store, "storage_path", "") is None:
        raise tk.ValidationError({"basis_upload": [tk._("File uploads are not enabled")]})
    store.upload(file_id, max_size=tk.config.get("ckan.max_resource_size"))
    return {"id": file_id, "name": holder.get("url") or upload.filename,
            "size": getattr(store, "filesize", None), "mimetype": getattr(store, "mimetype", None)}


def basis_file_path(case: Case) -> tuple[str, dict[str, Any]] | None:
    """``(path, file)`` of the request's basis attachment on disk, ``None`` when it has none."""
    file = (case.data or {}).get("basis_file")
    if not file:
        return None
    store = uploader.get_resource_uploader({})
    get_path = getattr(store, "get_path", None)
    return (get_path(file["id"]), file) if get_path else None


# == writing =====================================================================================

def _finish(context: Mapping[str, Any], case: Case, event: str) -> None:
    """Commit (unless ``defer_commit``) and tell the people concerned."""
    if not context.get("defer_commit"):
        model.repo.commit()
    notify.case_changed(case, event, cases.actor_id(context) or None)


def _clock_for(case: Case, target: str) -> str | None:
    clock = MACHINE.clocks.get(target)
    if target == flows.PROVIDER_REVIEW and (case.data or {}).get("must_publish_first"):
        # domain reference B.4: the reply takes longer when the data must first be published
        return flows.CLOCK_REPLY_UNPUBLISHED
    return clock


def _fire(context: Mapping[str, Any], case: Case, event: str, *, reason: str | None = None,
          branch: str | None = None, data: Mapping[str, Any] | None = None,
          audit_data: Any = None, as_system: bool = False) -> None:
    """:func:`cases.fire` with the request's assignee and clocks: the step entered waits on its
    decider; a clock paused by a return resumes with the days it had left."""
    target = target_of(case.state, event, branch)
    clock = _clock_for(case, target) if target else None
    assignee = (flows.REQUEST_DECIDER.get(target)
                if target and flows.is_open(KIND, target) else None)
    merged = dict(data or {})
    paused = dict((case.data or {}).get("paused_steps") or {})
    saved = (case.clock, case.paused_days, case.due_at)
    if clock and target in paused:
        # resume: fire() restarts a clock from ``paused_days`` when it is the case's clock
        case.clock, case.paused_days, case.due_at = clock, paused.pop(target), None
        merged["paused_steps"] = paused
    try:
        cases.fire(context, case, event, reason=reason, branch=branch, assignee=assignee,
                   clock=clock, data=merged, audit_data=audit_data, as_system=as_system)
    except Exception:
        case.clock, case.paused_days, case.due_at = saved
        raise


def _check_step(user: model.User | None, case: Case, event: str, *, reason: str | None,
                branch: str | None = None) -> None:
    """Refuse ``event`` unless the user may fire it at this step (the state machine's own
    errors: illegal in the state, a missing reason, four eyes; and the step's decider)."""
    held = cases.case_roles(user, case)
    try:
        MACHINE.transition(case.state, event, actor=user.id if user else "",
                           submitter=case.submitter, reason=reason,
                           actor_roles=stage_roles(held, case.state), branch=branch)
    except machine.NotPermitted as err:
        if err.rule == "role" and held & MACHINE.roles_for(event, case.state):
            decider = flows.REQUEST_DECIDER.get(case.state)
            raise tk.NotAuthorized(tk._("At this step only the {role} decides").format(
                role=cases.label(flows.ROLES[decider]) if decider else "-")) from err
        raise cases.refusal(err, KIND) from err
    except machine.LifecycleError as err:
        raise cases.refusal(err, KIND) from err
    if (case.state == flows.SECURITY_REVIEW and event == flows.APPROVE and user is not None
            and user.id == (case.data or {}).get("provider_approver")):
        raise tk.NotAuthorized(tk._(
            "The security review needs a person other than the reviewer who approved"))


def _grant(context: Mapping[str, Any], case: Case) -> None:
    """Create the authorization of an approved request and record its id."""
    authorization = grant_from_request(dict(context), case)
    case.data = {**(case.data or {}), "authorization_id": authorization.id}
    permissions.forget_authorizations()


def _entry_problem(user: model.User, pkg: Mapping[str, Any] | None, *,
                   demand: Case | None = None, renewed: Authorization | None = None) -> str | None:
    """Why ``user`` may not request ``pkg`` (``None``: they may)."""
    if pkg is None or (demand is None and not permissions.can_see_entry(
            user, model.Package.get(pkg["id"]))):
        return tk._("No such catalogue entry")
    if permissions.share_type_of(pkg) == permissions.SHARE_NOT_SHARED:
        # DB14 §9.1: 不予共享 data is not requested; the share attribute itself may be disputed
        return tk._("This entry is not shared: its data cannot be requested. If you think it "
                    "should be shared, raise a dispute about its share attribute instead.")
    if permissions.entry_state(pkg) != tables.PUBLISHED and demand is None:
        return tk._("Only a published entry can be requested")
    if renewed is None and permissions.can_see_resources(user, pkg):
        return tk._("You can already use the data of this entry: no request is needed")
    pending = (model.Session.query(Case.number)
               .filter(Case.kind == KIND, Case.entry_id == pkg["id"],
                       Case.requester_user == user.id, Case.state.in_(UNDECIDED)).first())
    if pending is not None:
        return tk._("You have a request for this entry waiting for a decision: {number}").format(
            number=pending[0])
    return None


def entry_refusal(user: model.User, ref: str) -> str | None:
    """Why ``user`` may not request the entry ``ref`` at all (the form says it at once), or
    ``None``."""
    return _entry_problem(user, _entry(ref))


def create(context: Mapping[str, Any], data_dict: Mapping[str, Any]) -> Case:
    """File a request as the context's user; see :func:`ckanext.govshare.logic.action.access.
    govshare_access_request_create` for the fields.

    :raises tk.ValidationError: field by field (``entry_id`` when the entry cannot be requested)
    """
    user = cases.context_user(context)
    if user is None:
        raise tk.NotAuthorized(tk._("Log in to request data"))
    errors: dict[str, list[str]] = {}
    ref = str(data_dict.get("entry_id") or "").strip()
    pkg = _entry(ref)
    demand = _demand(user, data_dict.get("demand_id"), pkg["id"]) if pkg else None
    renewed = _renewed(data_dict.get("parent_id"), pkg["id"]) if pkg else None
    published = bool(pkg) and permissions.entry_state(pkg) == tables.PUBLISHED
    if not ref:
        errors["entry_id"] = [tk._("Missing value")]
    else:
        problem = _entry_problem(user, pkg, demand=demand, renewed=renewed)
        if problem:
            errors["entry_id"] = [problem]
    if data_dict.get("must_publish_first") and _truthy(data_dict["must_publish_first"]) \
            and demand is None:
        errors["demand_id"] = [tk._("Only a request filed from your demand for this entry "
                                    "can wait for its publication")]
    clean, field_errors = check_fields(data_dict, info_items=_info_items(pkg) if pkg else [],
                                       today=_today())
    if pkg is None:
        field_errors.pop("items", None)
    for key, messages in field_errors.items():
        errors.setdefault(key, []).extend(messages)
    consumer = _consumer(user, data_dict.get("organization_id"), errors)
    clean["persons"] = _check_people(parse_list(data_dict.get("persons")), consumer, errors)
    if data_dict.get("parent_id") and pkg is not None and (
            renewed is None or renewed.consumer_org != consumer):
        errors.setdefault("parent_id", []).append(tk._(
            "Not an authorization of this entry granted to the requesting department"))
    if errors:
        raise tk.ValidationError(errors)
    assert pkg is not None and consumer is not None

    same_department = consumer == pkg["owner_org"]
    state, decider = flows.request_start(same_department=same_department,
                                         share_type=permissions.share_type_of(pkg) or "")
    clean.update({
        "share_type": permissions.share_type_of(pkg),
        "data_grade": _grade(pkg, clean["items"]),
        "same_department": same_department,
        "must_publish_first": not published,
    })
    upload = _upload(data_dict.get("basis_upload"))
    if upload is not None:
        clean["basis_file"] = _store_basis(upload)
    clock = flows.CLOCK_REPLY_UNPUBLISHED if (
        state == flows.PROVIDER_REVIEW and not published) else None
    case = cases.open_case(
        context, KIND, title=pkg.get("title") or pkg["name"], requester_org=consumer,
        target_org=pkg["owner_org"], data=clean, assignee=decider, state=state,
        entry_id=pkg["id"], resource_code=pkg.get(fields.RESOURCE_CODE),
        parent_id=(demand.id if demand is not None else renewed.id if renewed is not None
                   else None), clock=clock)
    event = "created"
    # DB14 §9.1: with ckanext.govshare.unconditional_requires_request, an unconditional entry's
    # data is granted on request, automatically, with the purpose and scenario on record
    if (clean["share_type"] == permissions.SHARE_UNCONDITIONAL
            and gs_config.unconditional_requires_request()):
        system = _site_context()
        _fire(system, case, flows.GRANT, as_system=True,
              data={"auto_granted": True},
              audit_data={"purpose": clean["purpose"], "scenario": clean["scenario"]})
        _grant(system, case)
        event = flows.GRANT
    model.Session.flush()
    _finish(context, case, event)
    return case


def decide(context: Mapping[str, Any], ref: str, event: str, *, reason: str | None = None,
           refusal_code: str | None = None,
           changes: Mapping[str, Any] | None = None) -> Case:
    """Fire ``event`` (endorse, approve, refuse, return, resubmit, withdraw, deliver) on the
    request ``ref`` (id or number) as the context's user, under the case's row lock: of two
    concurrent decisions the second meets the state the first left.

    ``refusal_code``: one of :data:`flows.REFUSAL_REASONS` (refuse); ``changes``: the fields a
    resubmission corrects (checked again as at filing).

    :raises tk.NotAuthorized: not the decider of this step, or four eyes
    :raises tk.ValidationError: illegal in the state, a missing reason or refusal code, bad fields
    """
    case = cases.lock_case(ref, KIND)
    user = cases.context_user(context)
    reason = (reason or "").strip() or None
    branch: str | None = None
    data: dict[str, Any] = {}
    pkg = _entry(case.entry_id) if case.entry_id and event in (
        flows.APPROVE, flows.RESUBMIT) else None
    if event == flows.APPROVE:
        grade = _grade(pkg, (case.data or {}).get("items") or []) if pkg else (
            (case.data or {}).get("data_grade"))
        branch = approve_branch(case.state, grade, gs_config.sharing_security_review_grade(),
                                vocab.grade_scale().codes)
    elif event == flows.RESUBMIT:
        branch = flows.request_branch_on_resubmit(bool((case.data or {}).get("same_department")))
    _check_step(user, case, event, reason=reason, branch=branch)

    if event == flows.REFUSE:
        # the controlled list of refusal reasons, and the text (DB14 §9.3 •2)
        if refusal_code not in flows.REFUSAL_REASONS:
            raise tk.ValidationError({"refusal_code": [tk._("Choose one of: {choices}").format(
                choices=", ".join(flows.REFUSAL_REASONS))]})
        data["refusal_code"] = refusal_code
    elif event == flows.APPROVE and case.state == flows.PROVIDER_REVIEW and user is not None:
        data["provider_approver"] = user.id
    elif event == flows.RETURN:
        # the clock stops until the requester resubmits (domain reference B.4)
        if case.clock:
            cases.pause(case)
            paused = dict((case.data or {}).get("paused_steps") or {})
            paused[case.state] = case.paused_days
            data["paused_steps"] = paused
    elif event == flows.RESUBMIT and changes:
        data.update(_corrections(case, pkg, changes))

    _fire(context, case, event, reason=reason, branch=branch, data=data,
          audit_data={"refusal_code": refusal_code} if refusal_code else None)
    if case.state == flows.APPROVED and event == flows.APPROVE:
        _grant(context, case)
    model.Session.flush()
    _finish(context, case, event)
    return case


def _corrections(case: Case, pkg: Mapping[str, Any] | None,
                 changes: Mapping[str, Any]) -> dict[str, Any]:
    """The fields a resubmission corrects, checked as at filing; the rest stay as filed."""
    stored = dict(case.data or {})
    user_names = dict(model.Session.query(model.User.id, model.User.name).filter(
        model.User.id.in_(stored.get("persons") or [])).all())
    current = {k: stored.get(k) for k in DATA_FIELDS}
    current["persons"] = [user_names.get(i, i) for i in stored.get("persons") or []]
    if current.get("validity_days") is None:
        current["validity_days"] = VALIDITY_DATES
    given = {k: v for k, v in changes.items() if k in DATA_FIELDS}
    if {"valid_from", "valid_until"} & set(given) and "validity_days" not in given:
        given["validity_days"] = VALIDITY_DATES
    merged = {**current, **given}
    clean, errors = check_fields(merged, info_items=_info_items(pkg) if pkg else [],
                                 today=_today())
    if pkg is None:
        errors.pop("items", None)
    clean["persons"] = _check_people(parse_list(merged.get("persons")), case.requester_org,
                                     errors)
    if errors:
        raise tk.ValidationError(errors)
    upload = _upload(changes.get("basis_upload"))
    if upload is not None:
        clean["basis_file"] = _store_basis(upload)
    if pkg is not None:
        clean["data_grade"] = _grade(pkg, clean["items"])
    return clean


# == reading =====================================================================================

def _names(user_ids: Iterable[str | None]) -> dict[str, tuple[str, str]]:
    """``{id: (name, display name)}`` of users, one query."""
    ids = [i for i in set(user_ids) if i]
    if not ids:
        return {}
    rows = model.Session.query(model.User.id, model.User.name, model.User.fullname).filter(
        model.User.id.in_(ids))
    return {i: (n, f or n) for i, n, f in rows}


def _clock_fields(due_at: datetime.datetime | None, at: datetime.datetime) -> dict[str, Any]:
    left = cases.working_days_left(due_at, at)
    return {"due_at": due_at.isoformat() if due_at else None, "working_days_left": left,
            "overdue": bool(due_at and deadlines.is_overdue(due_at, at))}


def as_dict(case: Case, user: model.User | None, *, timeline: bool = True) -> dict[str, Any]:
    """The request for the API and its page: the case, its labels and deadline, the events
    ``user`` may fire now, and (``timeline``) its audit rows, oldest first."""
    data = dict(case.data or {})
    result = case.dictize()
    at = base.now()
    result.update(_clock_fields(case.due_at, at))
    result["state_label"] = cases.label(flows.REQUEST_STATES[case.state])
    result["open"] = case.closed_at is None
    events = allowed_now(case.state, cases.case_roles(user, case),
                         actor=user.id if user else "", submitter=case.submitter,
                         provider_approver=data.get("provider_approver")) if user else []
    result["allowed_events"] = events
    result["allowed_actions"] = [f"govshare_access_request_{e}" for e in events
                                 if e != flows.GRANT]
    rows = cases.timeline(case.id) if timeline else []
    people = _names([case.requester_user, *(data.get("persons") or []),
                     *(r.actor for r in rows)])
    orgs = dept_queries.department_names([case.requester_org, case.target_org])
    entry = model.Package.get(case.entry_id) if case.entry_id else None
    result["entry"] = ({"id": entry.id, "name": entry.name, "title": entry.title}
                       if entry is not None else None)
    result["requester"] = _person(case.requester_user, people)
    result["requester_org_title"] = orgs.get(case.requester_org, ("", ""))[1]
    result["target_org_title"] = orgs.get(case.target_org, ("", ""))[1]
    result["requester_org_name"] = orgs.get(case.requester_org, ("", ""))[0]
    result["target_org_name"] = orgs.get(case.target_org, ("", ""))[0]
    result["persons"] = [_person(i, people) for i in data.get("persons") or []]
    result["provision_method_label"] = (cases.label(flows.PROVISION_METHODS[
        data["provision_method"]]) if data.get("provision_method") in flows.PROVISION_METHODS
        else "")
    result["refusal_label"] = (cases.label(flows.REFUSAL_REASONS[data["refusal_code"]])
                               if data.get("refusal_code") in flows.REFUSAL_REASONS else "")
    if timeline:
        result["timeline"] = [{
            **row.dictize(),
            "action_label": cases.label(flows.REQUEST_EVENTS[row.action])
            if row.action in flows.REQUEST_EVENTS else (
                tk._("Request submitted") if row.action == "created" else row.action),
            "from_label": cases.label(flows.REQUEST_STATES[row.from_state])
            if row.from_state in flows.REQUEST_STATES else "",
            "to_label": cases.label(flows.REQUEST_STATES[row.to_state])
            if row.to_state in flows.REQUEST_STATES else "",
            "actor_name": people.get(row.actor or "", ("", ""))[0],
            "actor_display_name": people.get(row.actor or "", ("", ""))[1],
        } for row in rows]
    return result


def _person(user_id: str | None, people: Mapping[str, tuple[str, str]]) -> dict[str, Any]:
    name, display = people.get(user_id or "", (user_id or "", user_id or ""))
    return {"id": user_id, "name": name, "display_name": display}


def _held_pairs(user: model.User) -> list[tuple[str, str]]:
    return [(o, r) for o, r in model.Session.query(Role.org_id, Role.role)
            .filter(Role.user_id == user.id, dept_roles.in_force()).all()]


def list_requests(user: model.User, *, side: str = SIDE_MINE, state: str | None = None,
                  entry_id: str | None = None, organization_id: str | None = None,
                  overdue: bool = False, limit: int = 50, offset: int = 0
                  ) -> tuple[int, list[dict[str, Any]]]:
    """``(count, rows)`` of the requests on one ``side`` for ``user`` (one query: the page,
    its total, the entry, the requester and both departments joined).

    ``mine``: filed by the user, newest first; ``to_decide``: open and waiting on a role the
    user holds in the assigned department (or on the user), not their own decisions, soonest
    due first; ``department``: of the user's departments (``organization_id``: one of them;
    sysadmins and the coordinators: any), newest first. ``state``: a state of the table,
    ``open`` or ``closed``.
    """
    requester = aliased(model.User)
    consumer = aliased(model.Group)
    provider = aliased(model.Group)
    total = sa.func.count().over().label("total")
    q = (model.Session.query(Case, model.Package.name, requester.name, requester.fullname,
                             consumer.name, consumer.title, provider.name, provider.title, total)
         .outerjoin(model.Package, model.Package.id == Case.entry_id)
         .outerjoin(requester, requester.id == Case.requester_user)
         .outerjoin(consumer, consumer.id == Case.requester_org)
         .outerjoin(provider, provider.id == Case.target_org)
         .filter(Case.kind == KIND))
    order: list[Any] = [Case.created.desc(), Case.id]
    if side == SIDE_TO_DECIDE:
        held = _held_pairs(user)
        mine = [Case.assignee_user == user.id] + [
            sa.and_(Case.assignee_org == o, Case.assignee_role == r) for o, r in held]
        q = q.filter(Case.closed_at.is_(None), sa.or_(*mine),
                     # four eyes: nobody decides their own request
                     sa.or_(Case.assignee_user == user.id, Case.submitter.is_(None),
                            Case.submitter != user.id))
        order = [Case.due_at.asc().nulls_last(), Case.created, Case.id]
    elif side == SIDE_DEPARTMENT:
        if organization_id:
            q = q.filter(sa.or_(Case.requester_org == organization_id,
                                Case.target_org == organization_id))
        elif not permissions.is_sysadmin(user) and not _coordinates(user):
            orgs = _member_orgs(user)
            q = q.filter(sa.or_(Case.requester_org.in_(orgs), Case.target_org.in_(orgs)))
    else:
        q = q.filter(Case.requester_user == user.id)
    if state == STATE_OPEN:
        q = q.filter(Case.closed_at.is_(None))
    elif state == STATE_CLOSED:
        q = q.filter(Case.closed_at.isnot(None))
    elif state:
        q = q.filter(Case.state == state)
    if entry_id:
        q = q.filter(Case.entry_id == entry_id)
    at = base.now()
    if overdue:
        q = q.filter(Case.due_at.isnot(None), Case.due_at < at)
    rows = q.order_by(*order).offset(offset).limit(limit).all()
    count = rows[0].total if rows else (
        0 if offset == 0 else q.with_entities(sa.func.count(Case.id)).order_by(None).scalar())
    results = []
    for case, entry_name, r_name, r_full, c_name, c_title, p_name, p_title, _t in rows:
        results.append({
            "id": case.id, "number": case.number, "title": case.title, "state": case.state,
            "state_label": cases.label(flows.REQUEST_STATES[case.state]),
            "entry_id": case.entry_id, "entry_name": entry_name,
            "requester": {"id": case.requester_user, "name": r_name,
                          "display_name": r_full or r_name},
            "requester_org": case.requester_org, "requester_org_name": c_name,
            "requester_org_title": c_title or c_name,
            "target_org": case.target_org, "target_org_name": p_name,
            "target_org_title": p_title or p_name,
            "assignee_org": case.assignee_org, "assignee_role": case.assignee_role,
            "assignee_user": case.assignee_user, "paused_days": case.paused_days,
            "created": case.created.isoformat(), "modified": case.modified.isoformat(),
            "closed_at": case.closed_at.isoformat() if case.closed_at else None,
            **_clock_fields(case.due_at, at),
        })
    return int(count or 0), results


def _coordinates(user: model.User) -> bool:
    """Whether the user is a coordinator of the coordinating department (sees every case)."""
    org = cases.coordinating_org_id()
    return bool(org) and dept_roles.has_role(user.id, org, tables.ROLE_COORDINATOR)
