"""Authorizations (授权): the grant an approved access request creates, its security agreement
(安全协议), its life — suspend, resume, revoke, expire, renew — and the cascades that suspend it.

An authorization is its own object (:class:`~ckanext.govshare.model.sharing.Authorization`):
the entry, the 信息项, the consuming department and its named persons (知悉范围), purpose,
scenario, region, usage scope, provision method, ``valid_from``/``valid_until``, its agreement
and its status on the table :data:`flows.MACHINES[flows.AUTHORIZATION]
<ckanext.govshare.sharing.flows.MACHINES>` (``pending_agreement`` → ``active`` ⇄
``suspended`` → ``expired`` / ``revoked``). Every step appends a row to the sharing audit
(``govshare_case_event``, ``kind`` ``authorization``, ``case_id`` the authorization's id) in the
same transaction, under a ``SELECT … FOR UPDATE`` of the authorization's row.

* :func:`grant_from_request` — called by the access-request service when a request is
  approved (and by any flow that grants): ``active``, or ``pending_agreement`` when the entry's
  share scope asks for a security agreement or its grade is at least
  ``ckanext.govshare.sharing.agreement_grade``; the agreement is generated then
  (:mod:`.agreement`) and becomes binding when both sides accept it (:func:`accept_agreement`).
* :func:`suspend`, :func:`resume`, :func:`revoke` — the providing department's decisions
  (revocation and suspension state a reason); :func:`expire_due` — the daily expiry
  (``ckan govshare authorizations expire`` from cron, or :func:`expire_job`); a renewal is a
  new access request prefilled from the authorization (:func:`renewal_request`).
* The cascades (domain reference §C.4 R4): an entry going offline
  (:data:`~ckanext.govshare.lifecycle.service.OFFLINE_SIGNAL`) or an approved revision that
  tightens its share type, raises its grade or tightens an authorized 信息项
  (:data:`~ckanext.govshare.lifecycle.service.REVISED_SIGNAL`) suspends the authorizations it
  no longer covers, and both sides are told (:func:`notify.authorization_changed
  <ckanext.govshare.sharing.notify.authorization_changed>`). The plugin subscribes
  :func:`signal_subscriptions` (``ISignal``), so every process — web, CLI, worker — does.

Whether an authorization lets anyone see data is :mod:`ckanext.govshare.permissions`' decision
(from the row itself, ``valid_until`` included, so it does not wait for the expiry run); who
sees the authorization and the access log, too. Nothing here commits: the actions do.
"""
from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.govshare import config as gs_config
from ckanext.govshare import permissions
from ckanext.govshare.catalogue import fields, vocab
from ckanext.govshare.department import queries as dept_queries
from ckanext.govshare.department import roles as dept_roles
from ckanext.govshare.lifecycle import deadlines, machine, tables
from ckanext.govshare.lifecycle import service as lifecycle_service
from ckanext.govshare.messages import Label, stored
from ckanext.govshare.model import base
from ckanext.govshare.model.sharing import AccessLog, Authorization, Case, CaseEvent, next_number
from ckanext.govshare.sharing import agreement, cases, flows, notify

__all__ = [
    "AGREEMENT_ROLES", "AUDIT_ACTIONS", "CAUSES", "OPEN_STATUSES", "RENEWABLE", "SIDES",
    "SUSPENDABLE", "acceptable_sides", "accept_agreement", "access_log", "agreement_document",
    "allowed_events", "audit", "auth_roles", "days_left", "expire_due", "expire_job",
    "get", "grant_from_request", "in_force", "lapsed", "list_authorizations", "lock",
    "on_offline", "on_revised", "record_renewal", "renewal_request", "request_of",
    "requires_agreement", "resume", "revoke", "show_dict", "signal_subscriptions", "suspend",
    "suspend_for_entry", "tightened_items", "tightening", "timeline", "validity",
]

log = logging.getLogger(__name__)

#: the statuses an authorization still answers for (the expiry looks at them)
OPEN_STATUSES: tuple[str, ...] = (flows.PENDING_AGREEMENT, flows.ACTIVE, flows.SUSPENDED)
#: what a cascade suspends
SUSPENDABLE: tuple[str, ...] = (flows.PENDING_AGREEMENT, flows.ACTIVE)
#: from which a renewal may be requested (a revoked grant is not renewed: file a new request)
RENEWABLE: tuple[str, ...] = (flows.ACTIVE, flows.EXPIRED)

#: the audit's actions of an authorization besides its table's events
CREATED = "created"
AGREEMENT_ACCEPTED = "agreement_accepted"
RENEWAL_REQUESTED = "renewal_requested"
AUDIT_ACTIONS: dict[str, Label] = {
    CREATED: Label("授予授权", "granted"),
    AGREEMENT_ACCEPTED: Label("确认安全协议", "security agreement accepted"),
    RENEWAL_REQUESTED: Label("申请续期", "renewal requested"),
    **flows.AUTHORIZATION_EVENTS,
}

#: the two sides of the listings
SIDE_CONSUMER = "consumer"
SIDE_PROVIDER = "provider"
SIDES: dict[str, Label] = {
    SIDE_CONSUMER: Label("我部门获得的授权", "Granted to my department"),
    SIDE_PROVIDER: Label("我部门提供的授权", "Granted by my department"),
}

#: who accepts the agreement for each side (DB14 §11.1 •2: the user signs, the provider too)
AGREEMENT_ROLES: dict[str, frozenset[str]] = {
    agreement.CONSUMER: frozenset({flows.CONSUMER_REVIEWER, flows.REQUESTER}),
    agreement.PROVIDER: frozenset({flows.PROVIDER_REVIEWER, flows.PROVIDER_SECURITY}),
}

#: why the system suspends an authorization (domain reference §C.4 R4)
CAUSE_OFFLINE = "offline"
CAUSE_NOT_SHARED = "not_shared"
CAUSE_SHARE_TYPE = "share_type"
CAUSE_GRADE = "grade"
CAUSE_ITEMS = "items"
CAUSES: dict[str, Label] = {
    CAUSE_OFFLINE: Label("目录条目已下线", "the catalogue entry went offline"),
    CAUSE_NOT_SHARED: Label("目录条目改为不予共享", "the entry is no longer shared"),
    CAUSE_SHARE_TYPE: Label("共享类型收紧", "the share type was tightened"),
    CAUSE_GRADE: Label("数据分级提高", "the data grade was raised"),
    CAUSE_ITEMS: Label("授权信息项的共享属性收紧",
                       "the share type or grade of authorized items was tightened"),
}

_TRUE = {"true", "1", "yes", "y", "t", "on", "是"}
_ITEM_SHARE_TYPE = "share_type"
_ITEM_GRADE = "grade"


# -- pure rules ----------------------------------------------------------------------------------


def _truthy(value: Any) -> bool:
    return value is True or str(value or "").strip().lower() in _TRUE


def _records(value: Any) -> list[dict[str, Any]]:
    """A repeating field (信息项, 共享范围) as a list of dicts, stored JSON text or parsed."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except ValueError:
            return []
    return [r for r in value or [] if isinstance(r, dict)]


def requires_agreement(entry: Mapping[str, Any], scale: vocab.GradeScale, level: str) -> bool:
    """Whether an authorization of ``entry`` (its fields) needs a security agreement: its share
    scope says ``agreement_required``, or its grade is at least ``level`` on ``scale``."""
    # DB14 §11.1 •2: 明确是否需要使用部门签订安全协议; domain reference §C.4 R2 from G3 up
    if any(_truthy(r.get("agreement_required")) for r in _records(entry.get(fields.SHARE_SCOPE))):
        return True
    return bool(level) and level in scale and scale.at_least(entry.get(fields.DATA_GRADE), level)


def _moment(value: Any, *, end_of_day: bool = False) -> datetime.datetime | None:
    """A datetime, or ISO text; a bare date is that Beijing day's start (or end)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        at = value
    elif isinstance(value, datetime.date):
        at = datetime.datetime.combine(value, datetime.time())
        if end_of_day:
            at = datetime.datetime.combine(value, datetime.time(23, 59, 59))
    else:
        text = str(value).strip()
        at = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        if len(text) == 10 and end_of_day:
            at = datetime.datetime.combine(at.date(), datetime.time(23, 59, 59))
    if at.tzinfo is None:
        at = at.replace(tzinfo=deadlines.SHANGHAI)
    return at


def validity(data: Mapping[str, Any], now: datetime.datetime
             ) -> tuple[datetime.datetime, datetime.datetime]:
    """``(valid_from, valid_until)`` of a grant from the request's fields: ``valid_from``
    (default: now) and ``valid_until`` (a date: the end of that Beijing day), or
    ``validity_days`` after ``valid_from``.

    :raises ValueError: neither an end nor a number of days, or an end not after the start
        and after now
    """
    start = _moment(data.get("valid_from")) or now
    end = _moment(data.get("valid_until"), end_of_day=True)
    if end is None:
        days = data.get("validity_days")
        if days in (None, "") or int(days) <= 0:
            raise ValueError("validity")
        end = start + datetime.timedelta(days=int(days))
    if end <= start or end <= now:
        raise ValueError("validity")
    return start, end


def tightening(before: Mapping[str, Any], after: Mapping[str, Any],
               scale: vocab.GradeScale) -> list[str]:
    """The entry-wide causes (:data:`CAUSES`) by which ``after`` shares less than ``before``: no
    longer shared, a stricter share type (unconditional → conditional), a higher grade."""
    causes: list[str] = []
    old_type, new_type = before.get(fields.SHARE_TYPE), after.get(fields.SHARE_TYPE)
    old_rank, new_rank = vocab.share_type_rank(old_type), vocab.share_type_rank(new_type)
    if new_type == permissions.SHARE_NOT_SHARED and old_type != new_type:
        causes.append(CAUSE_NOT_SHARED)
    elif old_rank is not None and new_rank is not None and new_rank > old_rank:
        causes.append(CAUSE_SHARE_TYPE)
    old_grade = scale.rank(before.get(fields.DATA_GRADE))
    new_grade = scale.rank(after.get(fields.DATA_GRADE))
    if old_grade is not None and new_grade is not None and new_grade > old_grade:
        causes.append(CAUSE_GRADE)
    return causes


def tightened_items(before: Mapping[str, Any], after: Mapping[str, Any],
                    scale: vocab.GradeScale) -> set[str]:
    """Names of the 信息项 whose own share type got stricter or whose grade rose (an item the
    revision removes shares nothing more and is not counted)."""
    old = {str(r.get("name")): r for r in _records(before.get(fields.INFO_ITEMS))}
    new = {str(r.get("name")): r for r in _records(after.get(fields.INFO_ITEMS))}
    found: set[str] = set()
    for name, item in old.items():
        now = new.get(name)
        if now is None:
            continue
        a, b = (vocab.share_type_rank(item.get(_ITEM_SHARE_TYPE)),
                vocab.share_type_rank(now.get(_ITEM_SHARE_TYPE)))
        g, h = scale.rank(item.get(_ITEM_GRADE)), scale.rank(now.get(_ITEM_GRADE))
        if (a is not None and b is not None and b > a) or (
                g is not None and h is not None and h > g):
            found.add(name)
    return found


def lapsed(auth: Authorization, now: datetime.datetime) -> bool:
    """Whether an open authorization is past ``valid_until`` (expired, whether or not the
    daily expiry has recorded it yet)."""
    return auth.status in OPEN_STATUSES and auth.valid_until <= now


def in_force(auth: Authorization, now: datetime.datetime) -> bool:
    """Whether the authorization grants its data now (``active`` within its validity)."""
    return (auth.status in flows.AUTHORIZATION_GRANTING
            and auth.valid_from <= now < auth.valid_until)


def days_left(valid_until: datetime.datetime, now: datetime.datetime) -> int:
    """Calendar days (Beijing dates) from today to the last day of validity; negative: over."""
    return (valid_until.astimezone(deadlines.SHANGHAI).date()
            - now.astimezone(deadlines.SHANGHAI).date()).days


# -- reading -------------------------------------------------------------------------------------


def get(ref: str) -> Authorization:
    """The authorization with id or number ``ref``, or ``tk.ObjectNotFound``."""
    auth = (model.Session.query(Authorization)
            .filter(sa.or_(Authorization.id == ref, Authorization.number == ref))
            .one_or_none()) if ref else None
    if auth is None:
        raise tk.ObjectNotFound(tk._("No such authorization"))
    return auth


def lock(ref: str) -> Authorization:
    """:func:`get`, its row locked by this transaction (read again after the lock)."""
    auth = get(ref)
    return (model.Session.query(Authorization).filter(Authorization.id == auth.id)
            .populate_existing().with_for_update().one())


def request_of(auth: Authorization) -> Case | None:
    """The case that granted ``auth`` (an access request, or a dispute's decision)."""
    return model.Session.get(Case, auth.request_id) if auth.request_id else None


def timeline(auth_id: str) -> list[CaseEvent]:
    """The authorization's audit rows, oldest first."""
    return cases.timeline(auth_id)


def auth_roles(user: model.User | None, auth: Authorization) -> set[str]:
    """The roles (:data:`flows.ROLES`, relative to ``auth``) ``user`` holds in it now."""
    if user is None:
        return set()
    held: set[str] = set()
    provider = set(dept_roles.user_roles(user.id, auth.provider_org))
    if tables.ROLE_REVIEWER in provider:
        held.add(flows.PROVIDER_REVIEWER)
    if tables.ROLE_SECURITY_OFFICER in provider:
        held.add(flows.PROVIDER_SECURITY)
    if tables.ROLE_REVIEWER in set(dept_roles.user_roles(user.id, auth.consumer_org)):
        held.add(flows.CONSUMER_REVIEWER)
    request = request_of(auth)
    if request is not None and request.requester_user == user.id:
        held.add(flows.REQUESTER)
    return held


def _acting_roles(user: model.User | None, auth: Authorization) -> set[str]:
    """:func:`auth_roles`; the platform's sysadmins act for the providing department too (a
    suspension or revocation may have to come from the platform, e.g. after an incident)."""
    held = auth_roles(user, auth)
    if user is not None and user.sysadmin:
        held |= {flows.PROVIDER_REVIEWER, flows.PROVIDER_SECURITY}
    return held


def allowed_events(user: model.User | None, auth: Authorization) -> list[str]:
    """The events of the authorization's table ``user`` may fire on it now (what its page
    offers is what :func:`suspend`, :func:`resume` and :func:`revoke` accept)."""
    if user is None:
        return []
    return flows.MACHINES[flows.AUTHORIZATION].allowed_events(
        auth.status, actor=user.id, actor_roles=_acting_roles(user, auth))


def acceptable_sides(user: model.User | None, auth: Authorization) -> list[str]:
    """The sides of the agreement ``user`` may accept for now (not yet accepted by that side,
    nor by ``user`` for the other one)."""
    record = auth.agreement
    if user is None or not record or auth.status not in (flows.PENDING_AGREEMENT,
                                                         flows.SUSPENDED):
        return []
    held = auth_roles(user, auth)
    out = []
    for side in agreement.SIDES:
        if agreement.accepted_by(record, side) or not held & AGREEMENT_ROLES[side]:
            continue
        other = agreement.accepted_by(record, _other(side))
        if other and other.get("user") == user.id:
            continue
        out.append(side)
    return out


def _other(side: str) -> str:
    return agreement.CONSUMER if side == agreement.PROVIDER else agreement.PROVIDER


def _entry(entry_id: str) -> dict[str, Any]:
    """The entry's fields, read past every visibility rule (the service decides for itself)."""
    return tk.get_action("package_show")({"ignore_auth": True, "use_cache": False},
                                         {"id": entry_id})


def _columns(auth: Authorization) -> dict[str, Any]:
    return {name: getattr(auth, name) for name in agreement.TERM_COLUMNS}


def _display_name(user: model.User | None) -> str:
    return (user.fullname or user.name) if user is not None else ""


def _org_title(org_id: str | None) -> str:
    found = dept_queries.department_names([org_id]).get(org_id or "")
    return found.title if found is not None else (org_id or "")


def _agreement_record(auth: Authorization, pkg: Mapping[str, Any],
                      now: datetime.datetime) -> dict[str, Any]:
    """A new agreement of ``auth`` stating its terms (names as they read now)."""
    scale = vocab.grade_scale()
    grade = pkg.get(fields.DATA_GRADE)
    method = flows.PROVISION_METHODS.get(auth.provision_method or "")
    persons = [model.User.get(p) for p in auth.persons or []]
    terms = agreement.terms(
        _columns(auth), number=f"{auth.number}-XY", provider=_org_title(auth.provider_org),
        consumer=_org_title(auth.consumer_org), entry_title=pkg.get("title") or pkg["name"],
        resource_code=pkg.get(fields.RESOURCE_CODE),
        grade=(f"{grade} {scale.label(grade).get('zh_Hans_CN', grade)}"
               if grade in scale else grade),
        person_names=[_display_name(u) for u in persons if u is not None],
        provision_method=method.zh if method else (auth.provision_method or ""))
    return agreement.generate(terms, now)


# -- writing -------------------------------------------------------------------------------------


def audit(auth: Authorization, action: str, actor: str | None, *, from_state: str | None,
          to_state: str | None, comment: str | None = None, data: Any = None,
          at: datetime.datetime | None = None) -> CaseEvent:
    """Append one row to the sharing audit for ``auth`` (current transaction)."""
    row = CaseEvent(case_id=auth.id, kind=flows.AUTHORIZATION, entry_id=auth.entry_id,
                    org_id=auth.provider_org, action=action, from_state=from_state,
                    to_state=to_state, actor=actor or None, at=at or base.now(),
                    comment=comment, data=data)
    model.Session.add(row)
    return row


def _fire(context: Mapping[str, Any], auth: Authorization, event: str, *,
          reason: str | None = None, branch: str | None = None, as_system: bool = False,
          audit_data: Any = None) -> machine.TransitionResult:
    """Apply ``event`` to the locked ``auth`` or raise (``cases.refusal``'s errors); a system
    step (a cascade, the expiry, the activation) skips the role guard."""
    m = flows.MACHINES[flows.AUTHORIZATION]
    user = cases.context_user(context)
    actor = cases.actor_id(context)
    held = None if as_system else _acting_roles(user, auth)
    try:
        result = m.transition(auth.status, event, actor=actor, reason=reason,
                              actor_roles=held, branch=branch)
    except machine.LifecycleError as err:
        raise cases.refusal(err, flows.AUTHORIZATION) from err
    now = base.now()
    from_state = auth.status
    auth.status = result.new_state
    if event in (flows.SUSPEND, flows.REVOKE):
        auth.status_reason = result.reason
    elif event in (flows.RESUME, flows.ACTIVATE):
        auth.status_reason = None
    auth.modified = now
    audit(auth, event, actor, from_state=from_state, to_state=auth.status,
          comment=result.reason, data=audit_data, at=now)
    model.Session.flush()
    # this request's cached answers of "which entries may this user's data reach" are stale
    permissions.forget_authorizations()
    notify.authorization_changed(auth, event, actor or None)
    return result


def _user_ids(refs: Iterable[Any]) -> list[str]:
    out: list[str] = []
    for ref in refs or []:
        user = model.User.get(str(ref)) if ref else None
        if user is None or user.state != "active":
            raise tk.ValidationError({"persons": [
                tk._("Unknown user: {name}").format(name=ref)]})
        if user.id not in out:
            out.append(user.id)
    return out


def grant_from_request(context: Mapping[str, Any], case: Case) -> Authorization:
    """The authorization an approved ``case`` grants (created once: asked again, the same).

    Entry: ``case.entry_id``; provider: ``case.target_org``; consumer: ``case.requester_org``;
    the terms from ``case.data``: ``items`` (default: every 信息项 of the entry), ``purpose``,
    ``scenario``, ``region``, ``usage_scope``, ``provision_method``, ``persons`` (user ids or
    names, stored as ids; none: the whole consuming department), ``validity_days`` or
    ``valid_from``/``valid_until``. ``active`` at once, or ``pending_agreement`` with its
    security agreement generated when :func:`requires_agreement`.

    :raises tk.ValidationError: no consuming department, unknown persons, a validity that is
        missing or already over
    """
    existing = (model.Session.query(Authorization)
                .filter(Authorization.request_id == case.id).first())
    if existing is not None:
        return existing
    if not case.entry_id or not case.requester_org:
        raise tk.ValidationError({"entry_id": [
            tk._("An authorization needs an entry and a consuming department")]})
    pkg = _entry(case.entry_id)
    data = dict(case.data or {})
    now = base.now()
    try:
        valid_from, valid_until = validity(data, now)
    except (TypeError, ValueError):
        raise tk.ValidationError({"validity_days": [
            tk._("The validity must be a number of days or an end date after today")]}) from None
    items = [str(i) for i in data.get("items") or []] or [
        str(r.get("name")) for r in _records(pkg.get(fields.INFO_ITEMS)) if r.get("name")]
    required = requires_agreement(pkg, vocab.grade_scale(), gs_config.sharing_agreement_grade())
    auth = Authorization(
        number=next_number(flows.NUMBER_PREFIX[flows.AUTHORIZATION]), request_id=case.id,
        entry_id=pkg["id"], provider_org=case.target_org or pkg.get(fields.OWNER_ORG),
        consumer_org=case.requester_org, persons=_user_ids(data.get("persons") or []),
        items=items, purpose=data.get("purpose"), scenario=data.get("scenario"),
        region=data.get("region"), usage_scope=data.get("usage_scope"),
        provision_method=data.get("provision_method"), valid_from=valid_from,
        valid_until=valid_until,
        status=flows.PENDING_AGREEMENT if required else flows.ACTIVE,
        created=now, modified=now)
    model.Session.add(auth)
    model.Session.flush()
    if required:
        # DB14 §11.1 •2: the grant waits for a security agreement both sides accept
        auth.agreement = _agreement_record(auth, pkg, now)
    actor = cases.actor_id(context) or None
    audit(auth, CREATED, actor, from_state=None, to_state=auth.status, at=now,
          data={"request": case.number, "agreement_required": required,
                "agreement_checksum": auth.agreement["checksum"] if required else None})
    model.Session.flush()
    permissions.forget_authorizations()
    notify.authorization_changed(auth, CREATED, actor)
    return auth


def suspend(context: Mapping[str, Any], ref: str, reason: str | None) -> Authorization:
    """Suspend an active (or pending) authorization, with a reason; its holders lose the data
    until it is resumed."""
    auth = lock(ref)
    _fire(context, auth, flows.SUSPEND, reason=reason)
    return auth


def revoke(context: Mapping[str, Any], ref: str, reason: str | None) -> Authorization:
    """Revoke an authorization for good, with a reason."""
    auth = lock(ref)
    _fire(context, auth, flows.REVOKE, reason=reason)
    return auth


def resume(context: Mapping[str, Any], ref: str, reason: str | None = None) -> Authorization:
    """Resume a suspended authorization: ``active`` again, or ``pending_agreement`` while its
    security agreement — generated now if the entry has come to need one — is not accepted by
    both sides.

    :raises tk.ValidationError: the entry is not published or no longer shared, or the
        authorization is past its validity (ask for a renewal)
    """
    auth = lock(ref)
    now = base.now()
    if auth.status == flows.SUSPENDED:
        if lapsed(auth, now):
            raise tk.ValidationError({"valid_until": [
                tk._("The authorization has expired: request a renewal instead")]})
        pkg = _entry(auth.entry_id)
        if permissions.entry_state(pkg) not in permissions.DATA_STATES:
            raise tk.ValidationError({"status": [
                tk._("The entry is not published: the authorization cannot be resumed")]})
        if permissions.share_type_of(pkg) == permissions.SHARE_NOT_SHARED:
            raise tk.ValidationError({"status": [
                tk._("The entry is no longer shared: the authorization cannot be resumed")]})
        needed = requires_agreement(pkg, vocab.grade_scale(),
                                    gs_config.sharing_agreement_grade())
        if needed and not auth.agreement:
            auth.agreement = _agreement_record(auth, pkg, now)
        if auth.agreement and not agreement.complete(auth.agreement):
            _fire(context, auth, flows.RESUME, reason=reason, branch="agreement")
            return auth
    _fire(context, auth, flows.RESUME, reason=reason)
    return auth


def accept_agreement(context: Mapping[str, Any], ref: str, side: str | None = None
                     ) -> Authorization:
    """Accept the authorization's security agreement for one side (DB14 §11.1 •2): the
    consumer — a reviewer of the consuming department or the requester; the provider — a
    reviewer or the security officer of the providing department; two different persons.
    Once both sides accepted, a pending authorization becomes ``active``.

    :raises tk.NotAuthorized: the user may accept for neither side (or not this one)
    :raises tk.ValidationError: no agreement, not awaiting one, expired, the side already
        accepted, or the agreement no longer matches its checksum
    """
    auth = lock(ref)
    user = cases.context_user(context)
    record = auth.agreement
    if not record:
        raise tk.ValidationError({"agreement": [
            tk._("This authorization has no security agreement")]})
    if auth.status not in (flows.PENDING_AGREEMENT, flows.SUSPENDED):
        raise tk.ValidationError({"status": [
            tk._("The agreement can be accepted only while the authorization awaits it")]})
    now = base.now()
    if lapsed(auth, now):
        raise tk.ValidationError({"valid_until": [tk._("The authorization has expired")]})
    held = auth_roles(user, auth)
    if side is None:
        mine = [s for s in agreement.SIDES if held & AGREEMENT_ROLES[s]
                and not agreement.accepted_by(record, s)]
        if len(mine) > 1:
            raise tk.ValidationError({"side": [
                tk._("Say for which side you accept the agreement")]})
        side = mine[0] if mine else None
    if side is None or side not in agreement.SIDES or not held & AGREEMENT_ROLES[side]:
        raise tk.NotAuthorized(tk._("You may not accept the agreement for this side"))
    if agreement.accepted_by(record, side):
        raise tk.ValidationError({"side": [
            tk._("This side has already accepted the agreement")]})
    other = agreement.accepted_by(record, _other(side))
    if other and user is not None and other.get("user") == user.id:
        raise tk.NotAuthorized(tk._("The two sides must be accepted by different persons"))
    if agreement.problems(record, _columns(auth)):
        raise tk.ValidationError({"agreement": [
            tk._("The agreement no longer matches its checksum and cannot be accepted")]})
    accepted = dict(record.get("accepted") or {})
    accepted[side] = {"user": user.id if user else None, "at": now.isoformat(),
                      "checksum": record["checksum"]}
    auth.agreement = {**record, "accepted": accepted}
    auth.modified = now
    actor = user.id if user else None
    audit(auth, AGREEMENT_ACCEPTED, actor, from_state=auth.status, to_state=auth.status,
          data={"side": side, "checksum": record["checksum"]}, at=now)
    model.Session.flush()
    notify.authorization_changed(auth, AGREEMENT_ACCEPTED, actor)
    if agreement.complete(auth.agreement) and auth.status == flows.PENDING_AGREEMENT:
        _fire(context, auth, flows.ACTIVATE, as_system=True,
              audit_data={"checksum": record["checksum"]})
    return auth


def agreement_document(auth: Authorization) -> tuple[str, bytes]:
    """``(file name, bytes)`` of the agreement's document, its checksum printed.

    :raises tk.ObjectNotFound: the authorization has no agreement
    :raises tk.ValidationError: the text or the terms no longer match the checksum
    """
    record = auth.agreement
    if not record:
        raise tk.ObjectNotFound(tk._("This authorization has no security agreement"))
    if agreement.problems(record, _columns(auth)):
        raise tk.ValidationError({"agreement": [
            tk._("The agreement no longer matches its checksum: it may have been altered")]})
    names = {}
    for side in agreement.SIDES:
        accepted = agreement.accepted_by(record, side)
        if accepted and accepted.get("user"):
            names[side] = _display_name(model.User.get(accepted["user"]))
    return agreement.filename(record), agreement.document(record, names)


# -- expiry --------------------------------------------------------------------------------------


def expire_due(context: Mapping[str, Any], at: datetime.datetime | None = None
               ) -> list[Authorization]:
    """Mark every open authorization past ``valid_until`` ``expired`` (audited; the system's
    step, as the context's user). Returns them."""
    at = at or base.now()
    ids = [r[0] for r in model.Session.query(Authorization.id).filter(
        Authorization.status.in_(OPEN_STATUSES), Authorization.valid_until <= at)
        .order_by(Authorization.valid_until)]
    done = []
    for auth_id in ids:
        auth = lock(auth_id)
        if not lapsed(auth, at):
            continue  # resumed, revoked or expired by someone else meanwhile
        _fire(context, auth, flows.EXPIRE, as_system=True,
              audit_data={"valid_until": auth.valid_until.isoformat()})
        done.append(auth)
    return done


def _site_context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def expire_job() -> int:
    """Background job: one expiry run (``ckan govshare authorizations expire --enqueue``)."""
    done = expire_due(_site_context())
    model.repo.commit()
    return len(done)


# -- renewal -------------------------------------------------------------------------------------


def _round_days(auth: Authorization) -> int:
    """The validity choice closest to the authorization's own length."""
    length = max(1, round((auth.valid_until - auth.valid_from).total_seconds() / 86400))
    return min(flows.VALIDITY_DAYS, key=lambda d: (abs(d - length), d))


#: what a renewal takes over from the request that granted the authorization
_RENEWAL_FROM_REQUEST = ("basis", "basis_url", "expected_volume")


def renewal_request(auth: Authorization, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of the access request that renews ``auth`` (a renewal is a new request,
    prefilled from the authorization and the basis of the request that granted it;
    ``overrides`` win — the requester accepts the terms of use again), its ``parent_id`` the
    authorization's id.

    :raises tk.ValidationError: a revoked or suspended authorization is not renewed
    """
    if auth.status not in RENEWABLE:
        raise tk.ValidationError({"status": [
            tk._("Only an active or expired authorization can be renewed")]})
    data: dict[str, Any] = {
        "entry_id": auth.entry_id, "organization_id": auth.consumer_org,
        "items": list(auth.items or []), "purpose": auth.purpose, "scenario": auth.scenario,
        "region": auth.region, "usage_scope": auth.usage_scope,
        "provision_method": auth.provision_method, "persons": list(auth.persons or []),
        "validity_days": _round_days(auth),
    }
    request = request_of(auth)
    asked = dict(request.data or {}) if request is not None else {}
    for key in _RENEWAL_FROM_REQUEST:
        if asked.get(key):
            data[key] = asked[key]
    for key, value in overrides.items():
        if value not in (None, "") and key not in ("id", "parent_id"):
            data[key] = value
    if "valid_until" in data:
        data.pop("validity_days", None)
    data["parent_id"] = auth.id
    return {k: v for k, v in data.items() if v is not None}


def record_renewal(context: Mapping[str, Any], auth: Authorization,
                   request: Mapping[str, Any]) -> None:
    """Note on ``auth``'s timeline that ``request`` renews it."""
    audit(auth, RENEWAL_REQUESTED, cases.actor_id(context) or None, from_state=auth.status,
          to_state=auth.status, data={"request_id": request.get("id"),
                                      "request": request.get("number")})
    model.Session.flush()


# -- the cascades (domain reference §C.4 R4) -----------------------------------------------------


def suspend_for_entry(entry_id: str, cause: str, *, actor: str | None,
                      comment: str | None = None, items: set[str] | None = None
                      ) -> list[Authorization]:
    """Suspend the entry's active and pending authorizations (with ``items``: only those
    granting one of them) for ``cause``, as the system acting for ``actor``; both sides are
    told. Runs in the caller's transaction."""
    rows = (model.Session.query(Authorization)
            .filter(Authorization.entry_id == entry_id,
                    Authorization.status.in_(SUSPENDABLE))
            .order_by(Authorization.created).populate_existing().with_for_update().all())
    label = CAUSES[cause]
    reason = stored(label.zh, label.en) + (f"：{comment}" if comment else "")
    context = {"user": actor or "", "ignore_auth": True}
    done = []
    for auth in rows:
        hit = sorted(set(auth.items or []) & items) if items is not None else None
        if items is not None and not hit:
            continue
        _fire(context, auth, flows.SUSPEND, reason=reason, as_system=True,
              audit_data={"cause": cause, **({"items": hit} if hit else {})})
        done.append(auth)
    if done:
        log.info("suspended %d authorization(s) of entry %s: %s", len(done), entry_id, cause)
    return done


def on_offline(sender: Any, **kwargs: Any) -> None:
    """``govshare:catalogue_offline``: suspend every authorization of the entry."""
    suspend_for_entry(str(sender), CAUSE_OFFLINE, actor=kwargs.get("actor"),
                      comment=kwargs.get("reason"))


def on_revised(sender: Any, **kwargs: Any) -> None:
    """``govshare:entry_revised``: a stricter share type or a higher grade suspends every
    authorization of the entry; a tightened 信息项 those that grant it."""
    before, after = kwargs.get("before") or {}, kwargs.get("after") or {}
    scale = vocab.grade_scale()
    causes = tightening(before, after, scale)
    actor = kwargs.get("actor")
    if causes:
        suspend_for_entry(str(sender), causes[0], actor=actor,
                          comment="；".join(stored(CAUSES[c].zh, CAUSES[c].en)
                                           for c in causes[1:]) or None)
        return
    items = tightened_items(before, after, scale)
    if items:
        suspend_for_entry(str(sender), CAUSE_ITEMS, actor=actor, items=items,
                          comment="、".join(sorted(items)))


def signal_subscriptions() -> dict[Any, list[Any]]:
    """The plugin's ``ISignal`` subscriptions: the cascades above."""
    return {lifecycle_service.offline_signal(): [on_offline],
            lifecycle_service.revised_signal(): [on_revised]}


# -- listing and showing -------------------------------------------------------------------------


def _packages(ids: Iterable[str]) -> dict[str, Any]:
    ids = list({i for i in ids if i})
    if not ids:
        return {}
    rows = model.Session.query(model.Package.id, model.Package.name, model.Package.title,
                               model.Package.extras[fields.RESOURCE_CODE].astext).filter(
        model.Package.id.in_(ids))
    return {r[0]: {"id": r[0], "name": r[1], "title": r[2] or r[1], "resource_code": r[3]}
            for r in rows}


def _groups(ids: Iterable[str]) -> dict[str, Any]:
    return {i: {"id": i, "name": d.name, "title": d.title}
            for i, d in dept_queries.department_names(ids).items()}


def _users(ids: Iterable[str]) -> dict[str, Any]:
    ids = list({i for i in ids if i})
    if not ids:
        return {}
    rows = model.Session.query(model.User.id, model.User.name, model.User.fullname).filter(
        model.User.id.in_(ids))
    return {r[0]: {"id": r[0], "name": r[1], "display_name": r[2] or r[1]} for r in rows}


def _summaries(auths: list[Authorization], now: datetime.datetime,
               user: model.User | None = None, *, restricted: bool = False
               ) -> list[dict[str, Any]]:
    """The authorizations as the API shows them to ``user`` (``restricted``: judged for that
    user). An entry the user may no longer see (deleted, or back in review) is not named: no
    id, title or 信息项 (:func:`permissions.visible_package_ids`)."""
    packages = _packages(a.entry_id for a in auths)
    visible = (permissions.visible_package_ids(user, list(packages)) if restricted
               else set(packages))
    groups = _groups([a.provider_org for a in auths] + [a.consumer_org for a in auths])
    out = []
    for auth in auths:
        d = auth.dictize()
        d.pop("agreement", None)
        if auth.entry_id not in visible:
            d.update(entry_id=None, items=[], entry_hidden=True)
        d.update({
            "entry": (packages.get(auth.entry_id) or {"id": auth.entry_id}
                      if auth.entry_id in visible else {"id": None, "hidden": True}),
            "provider": groups.get(auth.provider_org) or {"id": auth.provider_org},
            "consumer": groups.get(auth.consumer_org) or {"id": auth.consumer_org},
            "in_force": in_force(auth, now), "lapsed": lapsed(auth, now),
            "days_left": days_left(auth.valid_until, now),
            "agreement_required": bool(auth.agreement),
            "agreement_complete": agreement.complete(auth.agreement),
        })
        out.append(d)
    return out


def show_dict(auth: Authorization, now: datetime.datetime | None = None,
              user: model.User | None = None, *, restricted: bool = False) -> dict[str, Any]:
    """The API's authorization: its row, the names of what it names, whether it is in force
    and lapsed, the days left, its request, and its agreement with the checks' result
    (``restricted``: as ``user`` may see it; the agreement's text names the entry, so it is
    withheld with the entry)."""
    now = now or base.now()
    [d] = _summaries([auth], now, user, restricted=restricted)
    users = _users(list(auth.persons or []))
    d["persons_info"] = [users.get(p) or {"id": p, "name": p, "display_name": p}
                         for p in auth.persons or []]
    request = request_of(auth)
    d["request"] = ({"id": request.id, "number": request.number, "kind": request.kind,
                     "requester_user": request.requester_user}
                    if request is not None else None)
    record = auth.agreement
    if record and d.get("entry_hidden"):
        d["agreement"] = {"number": record.get("number"), "text": None, "withheld": True,
                          "complete": agreement.complete(record)}
    elif record:
        accepted = {}
        who = _users([(agreement.accepted_by(record, s) or {}).get("user")
                      for s in agreement.SIDES])
        for side in agreement.SIDES:
            got = agreement.accepted_by(record, side)
            accepted[side] = ({**got, "user_info": who.get(got.get("user"))}
                              if got else None)
        d["agreement"] = {
            "number": record.get("number"), "version": record.get("version"),
            "generated_at": record.get("generated_at"), "text": record.get("text"),
            "algorithm": record.get("algorithm"), "checksum": record.get("checksum"),
            "accepted": accepted, "complete": agreement.complete(record),
            "problems": agreement.problems(record, _columns(auth)),
        }
    else:
        d["agreement"] = None
    return d


def list_authorizations(user: model.User | None, *, side: str | None = None,
                        organization_id: str | None = None, status: str | None = None,
                        entry_id: str | None = None,
                        valid_until_before: datetime.datetime | None = None,
                        limit: int = 50, offset: int = 0,
                        now: datetime.datetime | None = None) -> tuple[int, list[dict]]:
    """``(count, page)`` of the authorizations ``user`` sees (:func:`permissions.sharing_orgs
    <ckanext.govshare.permissions.sharing_orgs>`; the persons an authorization names see it
    too), of one ``side`` of their departments (or ``organization_id``'s), filtered; active
    first, then by end of validity."""
    now = now or base.now()
    q = model.Session.query(Authorization)
    orgs = permissions.sharing_orgs(user)
    named = Authorization.persons.any(user.id) if user is not None else sa.false()
    if orgs is not None:
        q = q.filter(sa.or_(Authorization.provider_org.in_(orgs),
                            Authorization.consumer_org.in_(orgs), named))
    if side == SIDE_CONSUMER:
        if organization_id:
            q = q.filter(Authorization.consumer_org == organization_id)
        elif orgs is not None:
            q = q.filter(sa.or_(Authorization.consumer_org.in_(orgs), named))
    elif side == SIDE_PROVIDER:
        if organization_id:
            q = q.filter(Authorization.provider_org == organization_id)
        elif orgs is not None:
            q = q.filter(Authorization.provider_org.in_(orgs))
    elif organization_id:
        q = q.filter(sa.or_(Authorization.provider_org == organization_id,
                            Authorization.consumer_org == organization_id))
    if status:
        q = q.filter(Authorization.status == status)
    if entry_id:
        q = q.filter(Authorization.entry_id == entry_id)
    if valid_until_before is not None:
        q = q.filter(Authorization.valid_until < valid_until_before)
    count = q.count()
    order = sa.case({flows.ACTIVE: 0, flows.PENDING_AGREEMENT: 1, flows.SUSPENDED: 2},
                    value=Authorization.status, else_=3)
    rows = q.order_by(order, Authorization.valid_until, Authorization.created.desc()
                      ).limit(limit).offset(offset).all()
    return count, _summaries(rows, now, user, restricted=True)


def access_log(user: model.User | None, *, entry_id: str | None = None,
               user_id: str | None = None, organization_id: str | None = None,
               since: datetime.datetime | None = None, until: datetime.datetime | None = None,
               limit: int = 50, offset: int = 0) -> tuple[int, list[dict]]:
    """``(count, page)`` of the access log ``user`` sees — the accesses to their departments'
    entries and their own (:func:`permissions.sharing_orgs
    <ckanext.govshare.permissions.sharing_orgs>`; sysadmins: all) — newest first."""
    q = model.Session.query(AccessLog)
    orgs = permissions.sharing_orgs(user)
    if orgs is not None:
        mine = AccessLog.user_id == user.id if user is not None else sa.false()
        q = q.filter(sa.or_(AccessLog.provider_org.in_(orgs), mine))
    if entry_id:
        q = q.filter(AccessLog.entry_id == entry_id)
    if user_id:
        q = q.filter(AccessLog.user_id == user_id)
    if organization_id:
        q = q.filter(AccessLog.provider_org == organization_id)
    if since is not None:
        q = q.filter(AccessLog.at >= since)
    if until is not None:
        q = q.filter(AccessLog.at < until)
    count = q.count()
    rows = q.order_by(AccessLog.at.desc(), AccessLog.id.desc()).limit(limit).offset(offset).all()
    packages = _packages(r.entry_id for r in rows)
    users = _users(r.user_id for r in rows)
    out = []
    for row in rows:
        d = row.dictize()
        d["entry"] = packages.get(row.entry_id) or {"id": row.entry_id}
        d["user"] = users.get(row.user_id) if row.user_id else None
        out.append(d)
    return count, out
