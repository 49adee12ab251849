"""Notifications of the sharing flows: who is told what when a case or an authorization moves,
and the reminders of due and overdue cases.

* :func:`case_changed` — after a step of a case (its flow module calls it once the step is
  written): the people the case now waits on (the holders of ``assignee_role`` in
  ``assignee_org``, or ``assignee_user``; the sysadmins for the coordinator's role when no
  coordinating department is configured) are asked to act, and the requester is told of the
  progress; never the person who took the step.
* :func:`authorization_changed` — a grant became active, was suspended, resumed, revoked or
  expired: both sides are told (the provider department's reviewers; the named persons of the
  grant, or else the consumer department's reviewers, and whoever filed the request).
* :func:`remind` — the open cases due within ``ckanext.govshare.remind.due_soon_days`` working
  days or overdue (one query), one email per person listing those waiting on them, at most
  once a day per case (the day is kept in the case's ``data["reminded_on"]``).
  ``ckan govshare remind`` runs it after the catalogue's reminders (:func:`remind_job` runs
  both as one background job).

Texts are Chinese first, then English (as the catalogue's notices), and name the case number,
the kind of case, its state and its due date. Delivery is the catalogue's:
:func:`ckanext.govshare.lifecycle.notify.deliver` (``tk.mail_user``, or a background job per
message with ``ckanext.govshare.notify.background``); the notices of steps only with
``ckanext.govshare.notify.enabled`` (reminders are what the command is run for, as the
catalogue's). A mail failure is logged, never raised.
"""
from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.govshare import config as gs_config
from ckanext.govshare.department import roles as dept_roles
from ckanext.govshare.lifecycle import deadlines, tables
from ckanext.govshare.lifecycle import notify as lifecycle_notify
from ckanext.govshare.messages import Label
from ckanext.govshare.model import base
from ckanext.govshare.model.roles import Role
from ckanext.govshare.model.sharing import Authorization, Case, CaseEvent
from ckanext.govshare.sharing import flows

__all__ = [
    "CREATED", "CaseReminder", "PAGES", "REMINDED_ON", "assignees", "authorization_changed",
    "case_changed", "case_url", "remind", "remind_all", "remind_job",
]

log = logging.getLogger(__name__)

#: the audit action of a case's opening (``cases.open_case``)
CREATED = "created"
_CREATED_LABELS: dict[str, Label] = {
    flows.INCIDENT: Label("报告", "reported"),
    flows.GRADE_SIGNOFF: Label("提请确认", "asked for"),
}
_CREATED = Label("提交", "filed")
#: steps of an authorization besides its machine's events (``sharing.authorizations`` names them)
_AUTHORIZATION_STEPS: dict[str, Label] = {
    CREATED: Label("已生成", "created"),
    "agreement_accepted": Label("安全协议已确认", "security agreement accepted"),
    "renewal_requested": Label("已申请续期", "renewal requested"),
}

#: the page of each kind of case (path under ``ckan.site_url``; ``{number}``, ``{id}``): a
#: kind without one links its entry's page
PAGES: dict[str, str] = {
    flows.ACCESS_REQUEST: "/govshare/access/{number}",
    flows.DEMAND: "/govshare/demand/{number}",
    flows.COLLECTION: "/govshare/collection/{number}",
    flows.DISPUTE: "/govshare/dispute/{number}",
    flows.COMPLAINT: "/govshare/complaint/{number}",
    flows.INCIDENT: "/govshare/incident/{number}",
    flows.GRADE_SIGNOFF: "/govshare/signoff/{number}",
    flows.AUTHORIZATION: "/govshare/authorization/{number}",
}

#: the data key of the day a case was last reminded (Beijing date, ISO)
REMINDED_ON = "reminded_on"


# -- who ------------------------------------------------------------------------------------------

def _holders(org_id: str, role: str) -> list[str]:
    rows = model.Session.query(Role.user_id).filter(Role.org_id == org_id, Role.role == role,
                                                    dept_roles.in_force())
    return sorted({r[0] for r in rows})


def _sysadmins() -> list[str]:
    rows = model.Session.query(model.User.id).filter(model.User.sysadmin.is_(True),
                                                     model.User.state == "active")
    return sorted(r[0] for r in rows)


def assignees(case: Case) -> list[str]:
    """User ids of those ``case`` waits on (its assignee fields)."""
    if case.assignee_user:
        return [case.assignee_user]
    if not case.assignee_role:
        return []
    if case.assignee_org is None:
        # the sysadmins coordinate when no coordinating department is configured
        return _sysadmins() if case.assignee_role == tables.ROLE_COORDINATOR else []
    return _holders(case.assignee_org, case.assignee_role)


# -- texts ----------------------------------------------------------------------------------------

def _when(moment: datetime.datetime | None) -> tuple[str, str]:
    if moment is None:
        return ("无", "none")
    text = moment.astimezone(deadlines.SHANGHAI).strftime("%Y-%m-%d %H:%M")
    return (f"{text}（北京时间）", f"{text} (Beijing time)")


def _site(path: str) -> str:
    return f"{tk.config.get('ckan.site_url', '').rstrip('/')}{path}"


def case_url(case: Case) -> str:
    """The address of the case's page (its entry's page for a kind without one)."""
    path = PAGES.get(case.kind)
    if path:
        return _site(path.format(number=case.number, id=case.id))
    if case.entry_id:
        pkg = model.Package.get(case.entry_id)
        return _site(f"/dataset/{pkg.name if pkg is not None else case.entry_id}")
    return _site("/")


def _event_label(case: Case, event: str) -> Label:
    if event == CREATED:
        return _CREATED_LABELS.get(case.kind, _CREATED)
    return flows.MACHINES[case.kind].events.get(event) or Label(event, event)


def _last_comment(case: Case) -> str | None:
    row = (model.Session.query(CaseEvent.comment).filter(CaseEvent.case_id == case.id)
           .order_by(CaseEvent.at.desc(), CaseEvent.id.desc()).first())
    return row[0] if row else None


def _subject(zh: str, en: str) -> str:
    return f"{lifecycle_notify.SUBJECT_PREFIX} {zh} / {en}"[:250]


# -- a case moved -------------------------------------------------------------------------------

def case_changed(case: Case, event: str, actor: str | None) -> list[lifecycle_notify.Message]:
    """Tell the people a step of ``case`` concerns: its new assignees are asked to act, its
    requester is told; returns what was sent (``event``: the event fired, or ``created``)."""
    if not gs_config.notify_enabled():
        return []
    waiting = [u for u in assignees(case) if u != actor]
    requester = case.requester_user if case.requester_user not in (actor, None) else None
    if not waiting and requester is None:
        return []
    kind = flows.KINDS[case.kind]
    state = flows.MACHINES[case.kind].states.get(case.state) or Label(case.state, case.state)
    step = _event_label(case, event)
    due_zh, due_en = _when(case.due_at)
    comment = _last_comment(case)
    zh = [f"{kind.zh} {case.number}“{case.title}”：{step.zh}。",
          f"当前状态：{state.zh}；办理期限：{due_zh}。"]
    en = [f"{kind.en} {case.number} '{case.title}': {step.en}.",
          f"State: {state.en}; due: {due_en}."]
    if comment:
        zh.append(f"说明：{comment}")
        en.append(f"Note: {comment}")
    subject = _subject(f"{kind.zh} {case.number}：{state.zh}", f"{kind.en} {case.number}: {state.en}")
    link = case_url(case)
    messages = []
    for user_id in dict.fromkeys([*waiting, *([requester] if requester else [])]):
        if user_id in waiting:
            first = ("该事项等待您办理。", "It awaits your action.")
        else:
            first = ("您提出的事项有新进展。", "There is news on your case.")
        body = "\n".join([first[0], *zh, "", first[1], *en, "", link])
        messages.append(lifecycle_notify.Message(user_id, subject, body))
    lifecycle_notify.deliver(messages)
    return messages


# -- an authorization moved ------------------------------------------------------------------------

def authorization_changed(auth: Authorization, event: str,
                          actor: str | None) -> list[lifecycle_notify.Message]:
    """Tell both sides of ``auth`` that it became active, was suspended, resumed, revoked or
    expired (``event`` of :data:`flows.AUTHORIZATION_EVENTS`); returns what was sent."""
    if not gs_config.notify_enabled():
        return []
    provider = _holders(auth.provider_org, tables.ROLE_REVIEWER)
    consumer = list(auth.persons or []) or _holders(auth.consumer_org, tables.ROLE_REVIEWER)
    if auth.request_id:
        requester = model.Session.query(Case.requester_user).filter(
            Case.id == auth.request_id).scalar()
        if requester:
            consumer.append(requester)
    recipients = [u for u in dict.fromkeys([*provider, *consumer]) if u and u != actor]
    if not recipients:
        return []
    pkg = model.Package.get(auth.entry_id)
    title = (pkg.title or pkg.name) if pkg is not None else auth.entry_id
    group = model.Group.get(auth.consumer_org)
    consumer_name = group.display_name if group is not None else auth.consumer_org
    step = (flows.AUTHORIZATION_EVENTS.get(event) or _AUTHORIZATION_STEPS.get(event)
            or Label(event, event))
    status = flows.AUTHORIZATION_STATES.get(auth.status) or Label(auth.status, auth.status)
    until_zh, until_en = _when(auth.valid_until)
    zh = [f"数据授权 {auth.number}（“{title}”，使用部门：{consumer_name}）：{step.zh}。",
          f"当前状态：{status.zh}；有效期至：{until_zh}。"]
    en = [f"Authorization {auth.number} ('{title}', consumer: {consumer_name}): {step.en}.",
          f"Status: {status.en}; valid until: {until_en}."]
    if auth.status_reason:
        zh.append(f"理由：{auth.status_reason}")
        en.append(f"Reason: {auth.status_reason}")
    link = _site(PAGES[flows.AUTHORIZATION].format(number=auth.number, id=auth.id))
    subject = _subject(f"数据授权 {auth.number}：{status.zh}",
                       f"Authorization {auth.number}: {status.en}")
    body = "\n".join([*zh, "", *en, "", link])
    messages = [lifecycle_notify.Message(u, subject, body) for u in recipients]
    lifecycle_notify.deliver(messages)
    return messages


# -- reminders ------------------------------------------------------------------------------------

@dataclass
class CaseReminder:
    """An open case the reminder run found: overdue or due soon."""

    case_id: str
    number: str
    kind: str
    title: str
    state: str
    due_at: datetime.datetime
    overdue: bool
    url: str
    recipients: list[str] = field(default_factory=list)


def _due_cases(at: datetime.datetime, horizon: datetime.datetime, force: bool) -> list[Case]:
    today = at.astimezone(deadlines.SHANGHAI).date().isoformat()
    q = model.Session.query(Case).filter(Case.closed_at.is_(None), Case.due_at.isnot(None),
                                         Case.due_at <= horizon)
    if not force:
        reminded = Case.data[REMINDED_ON].astext
        q = q.filter(sa.or_(reminded.is_(None), reminded < today))
    return q.order_by(Case.due_at, Case.number).all()


def remind(at: datetime.datetime | None = None, dry_run: bool = False,
           force: bool = False) -> list[CaseReminder]:
    """Email each person the open cases waiting on them that are overdue or due within
    ``ckanext.govshare.remind.due_soon_days`` working days; returns the cases.

    A case is reminded at most once per (Beijing) day unless ``force``; ``dry_run`` sends and
    records nothing."""
    at = at or base.now()
    # DB14 §9.3 时限: the flows' working-day limits are kept by reminding before and after
    horizon = deadlines.add_working_days(
        at, gs_config.remind_due_soon_days(),
        last_official_year=gs_config.calendar_last_official_year())
    found: list[CaseReminder] = []
    per_user: dict[str, list[CaseReminder]] = {}
    for case in _due_cases(at, horizon, force):
        item = CaseReminder(case.id, case.number, case.kind, case.title, case.state,
                            case.due_at, at > case.due_at, case_url(case), assignees(case))
        found.append(item)
        for user_id in item.recipients:
            per_user.setdefault(user_id, []).append(item)
    if dry_run or not found:
        return found
    messages = []
    for user_id, items in per_user.items():
        overdue = sum(1 for i in items if i.overdue)
        subject = _subject(f"共享事项待办提醒：{overdue} 项已超期，{len(items) - overdue} 项即将到期",
                           f"Sharing reminder: {overdue} overdue, {len(items) - overdue} due soon")
        zh, en = ["以下共享事项需要您办理："], ["The following sharing cases await you:"]
        for i in items:
            kind = flows.KINDS[i.kind]
            state = flows.MACHINES[i.kind].states.get(i.state) or Label(i.state, i.state)
            w_zh, w_en = _when(i.due_at)
            flag_zh, flag_en = ("已超期", "OVERDUE") if i.overdue else ("即将到期", "due soon")
            zh.append(f"- {kind.zh} {i.number}“{i.title}”：{state.zh}，期限 {w_zh}，{flag_zh}。{i.url}")
            en.append(f"- {kind.en} {i.number} '{i.title}': {state.en}, due {w_en}, "
                      f"{flag_en}. {i.url}")
        messages.append(lifecycle_notify.Message(user_id, subject, "\n".join([*zh, "", *en])))
    lifecycle_notify.deliver(messages)
    today = at.astimezone(deadlines.SHANGHAI).date().isoformat()
    model.Session.query(Case).filter(Case.id.in_([i.case_id for i in found])).update(
        {Case.data: Case.data.op("||")(sa.func.jsonb_build_object(REMINDED_ON, today))},
        synchronize_session=False)
    model.repo.commit()
    return found


def remind_all(at: datetime.datetime | None = None, dry_run: bool = False,
               force: bool = False) -> tuple[list[Any], list[CaseReminder]]:
    """The catalogue's reminders (:func:`ckanext.govshare.lifecycle.notify.remind`), then the
    sharing flows' (:func:`remind`)."""
    steps = lifecycle_notify.remind(at=at, dry_run=dry_run, force=force)
    return steps, remind(at=at, dry_run=dry_run, force=force)


def remind_job() -> int:
    """Background job of ``ckan govshare remind --enqueue``: the catalogue's and the sharing
    flows' reminders; returns how many steps and cases were reminded."""
    steps, found = remind_all()
    return len(steps) + len(found)
