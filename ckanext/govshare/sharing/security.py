"""The security officer's duties (DB14 §11.1–11.2): security incidents, the grade sign-off, and
who can reach a department's data now.

* **Security incidents** (重大安全事件, :data:`flows.INCIDENT`): reported by a reviewer or the
  security officer of the department (the case's ``requester_org`` and ``target_org``), with a
  severity, when it happened, what happened, the affected entries and the person responsible
  (a user of the department); the security officer records each handling step (its text, who,
  when: one audit row each) and closes it with a conclusion.
* **Grade sign-off** (分级确认, :data:`flows.GRADE_SIGNOFF`): an entry graded at or above
  ``ckanext.govshare.sharing.signoff_grade`` that is submitted for review (or a revision that
  raises the grade to that level) opens a sign-off for the department's security officer
  (:func:`on_lifecycle_step`, subscribed to the lifecycle's ``govshare:lifecycle_step``
  signal); the reviewer's ``approve`` is refused until the latest sign-off of that submission
  is signed for the grade being approved. An objection leaves the entry to be returned by the
  reviewer; submitting it again opens a new sign-off unless one is open.
* **Who can access what now** (:func:`access_overview`): the department's published entries
  by share type, the authorizations in force on them (entry, 信息项, consumer department and
  persons, validity) and the last access of each user to each entry from the access log;
  :func:`overview_workbook` writes it as XLSX.

The writes go through :mod:`.cases` (the case's table, its lock and audit); visibility of a
case is :func:`ckanext.govshare.permissions.may_see_case`'s; mail is :mod:`.notify`'s.
"""
from __future__ import annotations

import datetime
import io
from collections.abc import Mapping, Sequence
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from ckanext.govshare import config as gs_config
from ckanext.govshare import permissions
from ckanext.govshare.catalogue import fields, vocab
from ckanext.govshare.department import queries as dept_queries
from ckanext.govshare.department import roles as dept_roles
from ckanext.govshare.lifecycle import deadlines, queries, tables
from ckanext.govshare.lifecycle import service as lifecycle_service
from ckanext.govshare.messages import Label
from ckanext.govshare.model import base
from ckanext.govshare.model.sharing import AccessLog, Authorization, Case
from ckanext.govshare.sharing import cases, flows, notify
from ckanext.govshare.xlsx import header_row

__all__ = [
    "AUDIENCES", "REGRADED", "SIGNOFF_EVENTS", "access_overview", "close_incident",
    "handle_incident", "incident_steps", "latest_signoff", "member_of_department",
    "needs_signoff", "object_signoff", "on_lifecycle_step", "open_signoff", "overview_workbook",
    "report_incident", "sign_signoff", "signal_subscriptions", "signoff_level",
    "visible_cases",
]

#: the audit action of an open sign-off whose entry was submitted again with another grade
REGRADED = "regraded"
#: the lifecycle events that submit an entry (or a revision) for review
SUBMITTING = frozenset({tables.SUBMIT, tables.REINSTATE})
#: the events of the sign-off a security officer fires
SIGNOFF_EVENTS = (flows.SIGN, flows.OBJECT)

#: who reaches a published entry's data, by share type (DB14 §9.1), for the overview
AUDIENCES: dict[str, Label] = {
    "everyone": Label("全部登录用户", "Every logged-in user"),
    "on_request": Label("经申请自动授权的用户", "Users granted on request"),
    "authorized": Label("授权范围内的部门和人员", "Authorized departments and persons"),
    "department": Label("仅本部门", "The department only"),
}


# -- incidents (重大安全事件) -----------------------------------------------------------------------

def member_of_department(user_id: str, org_id: str) -> bool:
    """Whether ``user_id`` is an active member (any capacity) of department ``org_id``: the
    responsible person of an incident is one of the department's users."""
    return model.Session.query(model.Member.id).filter(
        model.Member.table_name == "user", model.Member.table_id == user_id,
        model.Member.group_id == org_id, model.Member.state == "active",
    ).first() is not None


def report_incident(context: Mapping[str, Any], *, org_id: str, title: str, severity: str,
                    occurred_at: datetime.datetime, description: str, entries: Sequence[str],
                    responsible: str) -> Case:
    """Open a security incident of department ``org_id``, waiting on its security officer.

    The caller has validated the fields (entries of the department, the responsible person a
    user of it) and checked that the reporter is its reviewer or security officer."""
    # DB14 §11.1 •4: 重大安全事件及时处置机制 — reported, handled and closed on record
    case = cases.open_case(
        context, flows.INCIDENT, title=title, requester_org=org_id, target_org=org_id,
        assignee=flows.SECURITY_OFFICER, comment=description,
        data={"severity": severity, "occurred_at": occurred_at.isoformat(),
              "description": description, "entries": list(entries),
              "responsible": responsible})
    return case


def handle_incident(context: Mapping[str, Any], ref: str, text: str) -> Case:
    """Record one handling step (处置步骤) of incident ``ref``: ``reported`` → ``handling``."""
    case = cases.lock_case(ref, flows.INCIDENT)
    cases.fire(context, case, flows.HANDLE, reason=text, assignee=flows.SECURITY_OFFICER)
    return case


def close_incident(context: Mapping[str, Any], ref: str, conclusion: str) -> Case:
    """Close incident ``ref`` with its conclusion (处置结论)."""
    case = cases.lock_case(ref, flows.INCIDENT)
    cases.fire(context, case, flows.CLOSE, reason=conclusion, assignee=None,
               data={"conclusion": conclusion})
    return case


def incident_steps(case: Case) -> list[dict[str, Any]]:
    """The handling steps of an incident, oldest first: ``text``, ``actor``, ``at``."""
    return [{"text": row.comment, "actor": row.actor, "at": row.at.isoformat()}
            for row in cases.timeline(case.id) if row.action == flows.HANDLE]


# -- grade sign-off (分级确认) ---------------------------------------------------------------------

def needs_signoff(grade: str | None, previous: str | None, level: str | None,
                  scale: Sequence[str]) -> bool:
    """Whether a submission of ``grade`` needs the security officer's sign-off: the grade is at
    or above ``level`` on ``scale`` and — for a revision, whose live grade is ``previous`` —
    higher than before. Pure."""
    rank = flows.grade_rank
    if not level or rank(level, list(scale)) < 0 or rank(grade, list(scale)) < 0:
        return False
    if not flows.needs_security_stage(grade, level, list(scale)):
        return False
    return previous is None or rank(grade, list(scale)) > rank(previous, list(scale))


def signoff_level() -> tuple[str | None, tuple[str, ...]]:
    """The configured sign-off grade (``None``: none on the scale) and the grade scale."""
    scale = vocab.grade_scale().codes
    level = gs_config.sharing_signoff_grade() or None
    return (level if level in scale else None), scale


def _signoffs(entry_id: str, revision_id: str | None) -> Any:
    q = model.Session.query(Case).filter(Case.kind == flows.GRADE_SIGNOFF,
                                         Case.entry_id == entry_id)
    if revision_id is None:
        return q.filter(sa.or_(Case.data["revision_id"].astext.is_(None),
                               Case.data["revision_id"].astext == ""))
    return q.filter(Case.data["revision_id"].astext == revision_id)


def latest_signoff(entry_id: str, revision_id: str | None = None) -> Case | None:
    """The latest sign-off of the entry (or of its revision ``revision_id``)."""
    return _signoffs(entry_id, revision_id).order_by(Case.created.desc(), Case.number.desc()).first()


def open_signoff(context: Mapping[str, Any], *, entry_id: str, entry_fields: Mapping[str, Any],
                 grade: str, previous: str | None = None,
                 revision_id: str | None = None) -> Case:
    """Open a sign-off of ``grade`` for the entry's department's security officer, unless one
    is open for the entry (or revision): that one then asks for ``grade``."""
    actor = cases.actor_id(context) or None
    current = (_signoffs(entry_id, revision_id).filter(Case.closed_at.is_(None))
               .order_by(Case.created.desc()).with_for_update().first())
    if current is not None:
        if (current.data or {}).get("grade") != grade:
            before = (current.data or {}).get("grade")
            current.data = {**(current.data or {}), "grade": grade}
            current.modified = base.now()
            cases.audit(current, REGRADED, actor, from_state=current.state,
                        to_state=current.state, comment=f"{before} → {grade}",
                        data={"grade": [before, grade]})
        return current
    org_id = entry_fields.get(fields.OWNER_ORG)
    # DB14 §11.1 •1: 分类分级 — the department's security officer confirms a high grade
    case = cases.open_case(
        context, flows.GRADE_SIGNOFF,
        title=entry_fields.get("title") or entry_fields.get("name") or entry_id,
        requester_org=org_id, target_org=org_id, entry_id=entry_id,
        resource_code=entry_fields.get(fields.RESOURCE_CODE) or None,
        assignee=flows.SECURITY_OFFICER,
        data={"grade": grade, "previous_grade": previous, "revision_id": revision_id,
              "entry_name": entry_fields.get("name")})
    return case


def _grade_text(grade: str | None) -> str:
    if not grade:
        return ""
    label = vocab.grade_scale().label(grade)
    lang = "en" if str(_lang()).startswith("en") else "zh_Hans_CN"
    return f"{grade} {label.get(lang) or ''}".strip()


def _lang() -> str:
    try:
        return tk.h.lang() or ""
    except (RuntimeError, AttributeError, TypeError):
        return tk.config.get("ckan.locale_default") or ""


def _require_signed(entry_id: str, revision_id: str | None, grade: str) -> None:
    """Refuse the approval unless the latest sign-off is signed for ``grade``."""
    latest = latest_signoff(entry_id, revision_id)
    if latest is not None and latest.state == flows.SIGNED and \
            (latest.data or {}).get("grade") == grade:
        return
    grade_text = _grade_text(grade)
    if latest is None or latest.state == flows.SIGNED:
        message = tk._("The grade {grade} must be confirmed by the department's security "
                       "officer before approval: return the entry so that its submission "
                       "asks for the sign-off").format(grade=grade_text)
    elif latest.state == flows.OBJECTED:
        message = tk._("The security officer objected to the grade {grade} ({number}): "
                       "{reason}. Return the entry to its compiler").format(
            grade=grade_text, number=latest.number,
            reason=(latest.data or {}).get("objection") or "")
    else:
        message = tk._("The grade {grade} awaits the security officer's sign-off "
                       "({number})").format(grade=grade_text, number=latest.number)
    # DB14 §11.1 •1: no approval of a high grade without the security officer's sign-off
    raise tk.ValidationError({fields.DATA_GRADE: [message]})


def on_lifecycle_step(entry_id: str, *, event: str, entry_fields: Mapping[str, Any],
                      proposed: Mapping[str, Any] | None, revision_id: str | None,
                      context: Mapping[str, Any], **_: Any) -> None:
    """Subscriber of ``govshare:lifecycle_step``: a submission of a high grade opens a
    sign-off; an approval of one needs it signed (raises ``tk.ValidationError`` naming
    ``data_grade``)."""
    if event not in SUBMITTING and event != tables.APPROVE:
        return
    level, scale = signoff_level()
    if level is None:
        return
    live = entry_fields.get(fields.DATA_GRADE) or None
    if revision_id is None:
        grade, previous = live, None
    else:
        grade, previous = (proposed or {}).get(fields.DATA_GRADE) or live, live
    if not needs_signoff(grade, previous, level, scale):
        return
    if event == tables.APPROVE:
        _require_signed(entry_id, revision_id, grade)
        return
    before = latest_signoff(entry_id, revision_id)
    case = open_signoff(context, entry_id=entry_id, entry_fields=entry_fields, grade=grade,
                        previous=previous, revision_id=revision_id)
    if before is None or before.id != case.id:
        notify.case_changed(case, "created", case.submitter)


def signal_subscriptions() -> dict[Any, list[Any]]:
    """What the plugin subscribes (``ISignal``): the sign-off listens to the lifecycle."""
    return {lifecycle_service.step_signal(): [on_lifecycle_step]}


def sign_signoff(context: Mapping[str, Any], ref: str, comment: str | None = None) -> Case:
    """The security officer confirms the grade: the reviewer may approve."""
    case = cases.lock_case(ref, flows.GRADE_SIGNOFF)
    cases.fire(context, case, flows.SIGN, reason=comment, assignee=flows.PROVIDER_REVIEWER,
               data={"signed_by": cases.actor_id(context) or None})
    return case


def object_signoff(context: Mapping[str, Any], ref: str, reason: str) -> Case:
    """The security officer objects to the grade (with the reason): the reviewer returns the
    entry, and its next submission asks again."""
    case = cases.lock_case(ref, flows.GRADE_SIGNOFF)
    cases.fire(context, case, flows.OBJECT, reason=reason, assignee=flows.PROVIDER_REVIEWER,
               data={"objection": reason})
    return case


# -- lists --------------------------------------------------------------------------------------

def visible_cases(user: model.User, kind: str, *, org_id: str | None = None,
                  state: str | None = None, entry_id: str | None = None,
                  waiting: bool = False) -> list[Case]:
    """The cases of ``kind`` ``user`` may see (:func:`permissions.may_see_case`), soonest due
    first then newest; ``waiting``: only those waiting on the user.

    The query is narrowed to the user's departments and own cases first (a superset of what
    they may see, unless they coordinate); the decision stays ``may_see_case``'s."""
    if waiting:
        found = cases.open_cases_for(user, [kind])
        rows = [c for c in found if (org_id is None or c.target_org == org_id)
                and (state is None or c.state == state)
                and (entry_id is None or c.entry_id == entry_id)]
        return [c for c in rows if permissions.may_see_case(user, c)]
    q = model.Session.query(Case).filter(Case.kind == kind)
    if org_id:
        q = q.filter(sa.or_(Case.target_org == org_id, Case.requester_org == org_id))
    if state:
        q = q.filter(Case.state == state)
    if entry_id:
        q = q.filter(Case.entry_id == entry_id)
    coordinating = cases.coordinating_org_id()
    coordinates = coordinating is not None and dept_roles.has_role(
        user.id, coordinating, tables.ROLE_COORDINATOR)
    if not user.sysadmin and not coordinates:
        orgs = list(user.get_group_ids(group_type="organization"))
        q = q.filter(sa.or_(Case.requester_user == user.id, Case.target_org.in_(orgs),
                            Case.requester_org.in_(orgs)))
    rows = q.order_by(Case.closed_at.isnot(None), Case.due_at.asc().nulls_last(),
                      Case.created.desc()).all()
    return [c for c in rows if permissions.may_see_case(user, c)]


# -- who can access what now ---------------------------------------------------------------------

def _audience(share_type: str | None) -> str:
    """The audience of a published entry's data by share type (the rule is
    :func:`permissions.can_see_resources`'; this names it for the report)."""
    if share_type == permissions.SHARE_UNCONDITIONAL:
        return "on_request" if gs_config.unconditional_requires_request() else "everyone"
    if share_type == permissions.SHARE_NOT_SHARED:
        return "department"
    return "authorized"


def _users(ids: set[str]) -> dict[str, model.User]:
    if not ids:
        return {}
    return {u.id: u for u in model.Session.query(model.User).filter(model.User.id.in_(ids))}


def _person(user: model.User | None, user_id: str | None) -> dict[str, Any]:
    if user is None:
        return {"id": user_id, "name": user_id, "display_name": user_id}
    return {"id": user.id, "name": user.name, "display_name": user.display_name}


def _iso(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def access_overview(org_id: str, *, at: datetime.datetime | None = None,
                    since: datetime.datetime | None = None) -> dict[str, Any]:
    """Who can reach department ``org_id``'s data now, and who did (DB14 §11.1 •2, §11.2).

    ``entries``: its published entries with their share type and audience; ``authorizations``:
    the grants in force on them (status ``active`` within their validity) with the consumer
    department, the named persons (none: the whole department), the 信息项 and the last
    access under each; ``accesses``: per user and entry the last access (and how many) from
    the access log, since ``since`` when given."""
    now = at or base.now()
    share = model.Package.extras[fields.SHARE_TYPE].astext
    state = model.Package.extras[fields.CATALOGUE_STATE].astext
    code = model.Package.extras[fields.RESOURCE_CODE].astext
    grade = model.Package.extras[fields.DATA_GRADE].astext
    published = (model.Session.query(model.Package.id, model.Package.name, model.Package.title,
                                     code, share, grade)
                 .filter(model.Package.owner_org == org_id, model.Package.state == "active",
                         state.in_(permissions.DATA_STATES))
                 .order_by(code, model.Package.title).all())
    grants = (model.Session.query(Authorization)
              .filter(Authorization.provider_org == org_id,
                      Authorization.status.in_(flows.AUTHORIZATION_GRANTING),
                      Authorization.valid_from <= now, Authorization.valid_until > now)
              .order_by(Authorization.valid_until, Authorization.number).all())
    log = model.Session.query(
        AccessLog.user_id, AccessLog.entry_id, AccessLog.at, AccessLog.channel,
        AccessLog.authorization_id,
        sa.func.count().over(partition_by=(AccessLog.user_id, AccessLog.entry_id)),
    ).filter(AccessLog.provider_org == org_id)
    if since is not None:
        log = log.filter(AccessLog.at >= since)
    accesses = (log.distinct(AccessLog.user_id, AccessLog.entry_id)
                .order_by(AccessLog.user_id, AccessLog.entry_id, AccessLog.at.desc()).all())
    last_by_grant = dict(model.Session.query(AccessLog.authorization_id, sa.func.max(AccessLog.at))
                         .filter(AccessLog.authorization_id.in_([g.id for g in grants]))
                         .group_by(AccessLog.authorization_id).all()) if grants else {}

    entry_ids = {g.entry_id for g in grants} | {a[1] for a in accesses}
    entries = queries.active_entries(entry_ids) if entry_ids else {}
    users = _users({p for g in grants for p in g.persons or []} | {a[0] for a in accesses if a[0]})
    orgs = dept_queries.department_names(g.consumer_org for g in grants)
    numbers = dict(model.Session.query(Authorization.id, Authorization.number).filter(
        Authorization.id.in_({a[4] for a in accesses if a[4]}))) if accesses else {}
    counted: dict[str, int] = {}
    for g in grants:
        counted[g.entry_id] = counted.get(g.entry_id, 0) + 1

    def entry_info(entry_id: str) -> dict[str, Any]:
        row = entries.get(entry_id)
        return {"entry_id": entry_id, "entry_name": row.name if row else entry_id,
                "entry_title": (row.title or row.name) if row else entry_id,
                "resource_code": row.code if row else None}

    return {
        "organization_id": org_id,
        "at": now.isoformat(),
        "since": _iso(since),
        "entries": [{
            "id": p.id, "name": p.name, "title": p.title or p.name, "resource_code": p[3],
            "share_type": p[4], "data_grade": p[5], "audience": _audience(p[4]),
            "authorizations": counted.get(p.id, 0),
        } for p in published],
        "authorizations": [{
            "id": g.id, "number": g.number, **entry_info(g.entry_id),
            "items": list(g.items or []), "consumer_org": g.consumer_org,
            "consumer_title": (orgs[g.consumer_org].title
                               if g.consumer_org in orgs else g.consumer_org),
            "persons": [_person(users.get(p), p) for p in g.persons or []],
            "purpose": g.purpose, "provision_method": g.provision_method,
            "valid_from": _iso(g.valid_from), "valid_until": _iso(g.valid_until),
            "days_left": cases.working_days_left(g.valid_until, now),
            "last_access": _iso(last_by_grant.get(g.id)),
        } for g in grants],
        "accesses": [{
            "user": _person(users.get(a[0]), a[0]), **entry_info(a[1]),
            "last_at": _iso(a[2]), "channel": a[3], "authorization_id": a[4],
            "authorization_number": numbers.get(a[4]) if a[4] else None, "count": int(a[5]),
        } for a in accesses],
    }


# the workbook's sheets and columns, (中文, English)
_SHEETS = {
    "entries": "共享属性 Entries",
    "authorizations": "授权 Authorizations",
    "accesses": "访问记录 Access log",
}
_SHARE_TYPES = {t.value: t for t in vocab.SHARE_TYPES}


def _header(pairs: Sequence[tuple[str, str]]) -> list[str]:
    return [f"{zh} / {en}" for zh, en in pairs]


def _local(iso: str | None) -> datetime.datetime | None:
    """A stored moment as a naive Beijing time (what a spreadsheet cell holds)."""
    if not iso:
        return None
    return datetime.datetime.fromisoformat(iso).astimezone(deadlines.SHANGHAI).replace(
        tzinfo=None)


def _cells(ws: Any, values: Sequence[Any]) -> list[Any]:
    out = []
    for value in values:
        cell = WriteOnlyCell(ws, value=value if value not in ("", None) else None)
        if isinstance(value, datetime.datetime):
            cell.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(value, str):
            cell.number_format = "@"
        out.append(cell)
    return out


def overview_workbook(overview: Mapping[str, Any], department: str) -> bytes:
    """The XLSX of :func:`access_overview` (``department``: its title for the sheets' use):
    one sheet of entries by share type, one of authorizations in force, one of accesses.
    Headers are bilingual ``中文 / English``; times are Beijing time."""
    wb = Workbook(write_only=True)

    ws = wb.create_sheet(_SHEETS["entries"])
    header_row(ws, _header([("部门", "Department"), ("信息资源代码", "Resource code"),
                            ("目录条目", "Entry"), ("共享属性", "Share type"),
                            ("分级", "Grade"), ("可获取数据者", "Who can reach the data"),
                            ("有效授权数", "Authorizations in force")]),
               {0: 24, 1: 26, 2: 36, 5: 30}, 14)
    for e in overview["entries"]:
        share = _SHARE_TYPES.get(e["share_type"] or "")
        audience = AUDIENCES[e["audience"]]
        ws.append(_cells(ws, [department, e["resource_code"], e["title"],
                              share.zh if share else e["share_type"], e["data_grade"],
                              audience.zh, e["authorizations"]]))

    ws = wb.create_sheet(_SHEETS["authorizations"])
    header_row(ws, _header([("授权编号", "Authorization"), ("信息资源代码", "Resource code"),
                            ("目录条目", "Entry"), ("信息项", "Data items"),
                            ("使用部门", "Consumer department"), ("知悉范围", "Persons"),
                            ("用途", "Purpose"), ("提供方式", "Provision"),
                            ("生效时间", "Valid from"), ("截止时间", "Valid until"),
                            ("最近访问", "Last access")]),
               {0: 20, 1: 26, 2: 36, 3: 30, 4: 28, 5: 30, 6: 30}, 18)
    for g in overview["authorizations"]:
        persons = "、".join(p["display_name"] or p["name"] for p in g["persons"]) or "全部门"
        ws.append(_cells(ws, [g["number"], g["resource_code"], g["entry_title"],
                              "、".join(g["items"]) or "全部", g["consumer_title"], persons,
                              g["purpose"], g["provision_method"], _local(g["valid_from"]),
                              _local(g["valid_until"]), _local(g["last_access"])]))

    ws = wb.create_sheet(_SHEETS["accesses"])
    header_row(ws, _header([("用户", "User"), ("用户名", "User name"),
                            ("信息资源代码", "Resource code"), ("目录条目", "Entry"),
                            ("最近访问", "Last access"), ("访问次数", "Accesses"),
                            ("途径", "Channel"), ("授权编号", "Authorization")]),
               {0: 20, 1: 20, 2: 26, 3: 36}, 16)
    for a in overview["accesses"]:
        ws.append(_cells(ws, [a["user"]["display_name"], a["user"]["name"], a["resource_code"],
                              a["entry_title"], _local(a["last_at"]), a["count"], a["channel"],
                              a["authorization_number"]]))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
