"""Lifecycle emails: who is told what, in Chinese and English, through CKAN's mailer.

Two kinds, both stating the entry, the step and the deadline in both languages:

* **transition notices** (:func:`transition`), sent after a lifecycle event is committed: the
  deciders of the step that opens (the department's reviewers, or its coordinators at the
  second stage) or the person whose request was decided;
* **change-event notices** (:func:`change_event`): the compilers of the entry's unit are told
  that a change event makes the entry's update due, and by when;
* **reminders** (:func:`remind`, run by ``ckan govshare remind`` from cron or as a background
  job): one email per person listing the open steps that are overdue or due within
  ``ckanext.govshare.remind.due_soon_days`` working days, at most once per step and day. A
  review step goes to its deciders without those the four-eyes rule excludes (the submitter,
  and at the coordinator stage the stage-1 approver); an "update required" step goes to the
  compilers of the entry's unit.

Delivery goes through ``tk.mail_user``, in the request or — with
``ckanext.govshare.notify.background`` — in a background job through ``tk.enqueue_job``. A mail
failure is logged and never undoes the lifecycle event.
"""
from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.mailer import MailerException

from ckanext.govshare import config as gs_config
from ckanext.govshare.catalogue import fields
from ckanext.govshare.department import roles
from ckanext.govshare.lifecycle import deadlines, queries, tables
from ckanext.govshare.lifecycle import machine as lifecycle
from ckanext.govshare.model import base
from ckanext.govshare.model.lifecycle import EntryLifecycle
from ckanext.govshare.model.revision import Revision
from ckanext.govshare.model.roles import Role

__all__ = [
    "Message", "Reminder", "change_event", "deliver", "remind", "remind_job", "send_job", "step_label",
    "transition",
]

log = logging.getLogger(__name__)

SUBJECT_PREFIX = "[政务数据共享 Data sharing]"


@dataclass(frozen=True)
class Message:
    """One email to one user."""

    user_id: str
    subject: str
    body: str


@dataclass
class Reminder:
    """An open step the reminder run found: overdue or due soon."""

    entry_id: str
    name: str
    title: str
    resource_code: str | None
    org_id: str | None
    step: str
    stage: str | None
    due_at: datetime.datetime
    overdue: bool
    revision_id: str | None = None
    recipients: list[str] = field(default_factory=list)
    state: str | None = None
    unit: str | None = None
    submitted_by: str | None = None
    stage_approver: str | None = None


# -- helpers -------------------------------------------------------------------------------------


def _deciders(org_id: str | None, stage: str | None) -> list[str]:
    """User ids of the department's reviewers, or coordinators at the coordinator stage."""
    if not org_id:
        return []
    role = (tables.ROLE_COORDINATOR if stage == tables.STAGE_COORDINATOR
            else tables.ROLE_REVIEWER)
    rows = model.Session.query(Role.user_id).filter(Role.org_id == org_id, Role.role == role,
                                                    roles.in_force())
    return sorted({r[0] for r in rows})


def _assignees(org_id: str | None, unit: str | None) -> list[str]:
    """User ids of the compilers of ``unit`` in the department (of any unit when ``None``)."""
    if not org_id:
        return []
    rows = model.Session.query(Role.user_id, Role.units).filter(
        Role.org_id == org_id, Role.role == tables.CHANGE_ASSIGNEE_ROLE, roles.in_force())
    return sorted({user_id for user_id, units in rows if not unit or unit in (units or [])})


def _recipients(item: Reminder) -> list[str]:
    """Who is reminded of ``item``: the unit's compilers for an update, else the deciders the
    four-eyes rule lets decide it."""
    if item.step == tables.CHANGE_CLOCK:
        return _assignees(item.org_id, item.unit)
    if item.revision_id is not None:
        machine, state = lifecycle.REVISION, lifecycle.REVISION.review_state
    else:
        machine, state = lifecycle.CATALOGUE, item.state or lifecycle.CATALOGUE.review_state
    return lifecycle.eligible_deciders(
        _deciders(item.org_id, item.stage), machine=machine, state=state, stage=item.stage,
        submitter=item.submitted_by, stage_approver=item.stage_approver)


def _url(name: str) -> str:
    return f"{tk.config.get('ckan.site_url', '').rstrip('/')}/dataset/{name}"


def _when(moment: datetime.datetime | None) -> tuple[str, str]:
    if moment is None:
        return ("无", "none")
    text = moment.astimezone(deadlines.SHANGHAI).strftime("%Y-%m-%d %H:%M")
    return (f"{text}（北京时间）", f"{text} (Beijing time)")


def step_label(step: str, stage: str | None = None) -> tuple[str, str]:
    """``(zh, en)`` name of an open step: ``review`` (at a stage), ``offline_review``, ``revision``."""
    if step == tables.CLOCK_OFFLINE_REVIEW:
        return ("下线审核", "offline review")
    if step == tables.CHANGE_CLOCK:
        return ("变更事由发生后更新目录", "update after a change event")
    if step == tables.CLOCK_REVISION_REVIEW:
        name = ("变更审核", "revision review")
    else:
        name = ("目录审核", "catalogue review")
    if stage:
        label = tables.STAGES[stage]
        return (f"{name[0]}（{label.zh}）", f"{name[1]} ({label.en.lower()})")
    return name


def _entry_line(title: str, code: str | None) -> tuple[str, str]:
    suffix = f"（{code}）" if code else ""
    return (f"“{title}”{suffix}", f"'{title}'" + (f" ({code})" if code else ""))


# -- transition notices --------------------------------------------------------------------------

_CATALOGUE, _REVISION = lifecycle.CATALOGUE.name, lifecycle.REVISION.name

# (kind, event, opens a step) -> (zh, en) sentence; {e} is the entry, {r} the reason
_TEXT: dict[tuple[str, str, bool], tuple[str, str]] = {
    (_CATALOGUE, tables.SUBMIT, True): (
        "目录条目{e}已提交审核，请审核。",
        "Catalogue entry {e} was submitted for review."),
    (_CATALOGUE, tables.REINSTATE, True): (
        "已下线的目录条目{e}申请重新上线，请审核。",
        "Offline catalogue entry {e} asks to be reinstated."),
    (_CATALOGUE, tables.REQUEST_OFFLINE, True): (
        "目录条目{e}申请下线，理由：{r}。请审核。",
        "Catalogue entry {e} is requested offline: {r}."),
    (_CATALOGUE, tables.APPROVE, True): (
        "目录条目{e}已通过责任机构审核，请统筹协调组织审核。",
        "Catalogue entry {e} passed the reviewer and awaits the coordinator."),
    (_CATALOGUE, tables.APPROVE, False): (
        "目录条目{e}已审核通过并发布。",
        "Catalogue entry {e} was approved and published."),
    (_CATALOGUE, tables.RETURN, False): (
        "目录条目{e}被退回，理由：{r}。",
        "Catalogue entry {e} was returned: {r}."),
    (_CATALOGUE, tables.APPROVE_OFFLINE, False): (
        "目录条目{e}已下线。",
        "Catalogue entry {e} is now offline."),
    (_CATALOGUE, tables.REJECT_OFFLINE, False): (
        "目录条目{e}的下线申请被驳回，理由：{r}。",
        "The offline request for {e} was refused: {r}."),
    (_REVISION, tables.SUBMIT, True): (
        "目录条目{e}的变更已提交审核，请审核。",
        "A revision of catalogue entry {e} was submitted for review."),
    (_REVISION, tables.APPROVE, True): (
        "目录条目{e}的变更已通过责任机构审核，请统筹协调组织审核。",
        "A revision of {e} passed the reviewer and awaits the coordinator."),
    (_REVISION, tables.APPROVE, False): (
        "目录条目{e}的变更已审核通过并生效。",
        "The revision of catalogue entry {e} was approved and applied."),
    (_REVISION, tables.RETURN, False): (
        "目录条目{e}的变更被退回，理由：{r}。",
        "The revision of catalogue entry {e} was returned: {r}."),
}


def transition(*, entry_fields: Mapping[str, Any], entry_id: str, event: str,
               result: lifecycle.TransitionResult, actor: str,
               previous_submitter: str | None, due_at: datetime.datetime | None,
               kind: str, author: str | None = None) -> list[Message]:
    """Compose and deliver the notices of one committed event; returns what was sent."""
    if not gs_config.notify_enabled():
        return []
    opens = result.clock is not None
    text = _TEXT.get((kind, event, opens))
    if text is None:
        return []
    if opens:
        recipients = _deciders(entry_fields.get(fields.OWNER_ORG), result.new_stage)
    else:
        recipients = [u for u in (previous_submitter, author) if u]
    recipients = [u for u in dict.fromkeys(recipients) if u != actor]
    if not recipients:
        return []
    title = entry_fields.get("title") or entry_fields.get("name") or entry_id
    e_zh, e_en = _entry_line(title, entry_fields.get(fields.RESOURCE_CODE))
    reason = result.reason or ""
    zh = text[0].format(e=e_zh, r=reason)
    en = text[1].format(e=e_en, r=reason)
    lines_zh, lines_en = [zh], [en]
    if opens:
        step = step_label(result.clock or tables.CLOCK_REVIEW, result.new_stage)
        when = _when(due_at)
        lines_zh.append(f"环节：{step[0]}；办理期限：{when[0]}。")
        lines_en.append(f"Step: {step[1]}; deadline: {when[1]}.")
    link = _url(entry_fields.get("name") or entry_id)
    body = "\n".join([*lines_zh, "", *lines_en, "", link])
    subject = f"{SUBJECT_PREFIX} {zh.rstrip('。')} / {en.rstrip('.')}"
    messages = [Message(u, subject[:250], body) for u in recipients]
    deliver(messages)
    return messages


def change_event(*, entry_fields: Mapping[str, Any], entry_id: str, unit: str | None,
                 reason: str, due_at: datetime.datetime, actor: str) -> list[Message]:
    """Tell the compilers of the entry's ``unit`` that a change event makes its update due."""
    if not gs_config.notify_enabled():
        return []
    recipients = [u for u in _assignees(entry_fields.get(fields.OWNER_ORG), unit) if u != actor]
    if not recipients:
        return []
    title = entry_fields.get("title") or entry_fields.get("name") or entry_id
    e_zh, e_en = _entry_line(title, entry_fields.get(fields.RESOURCE_CODE))
    w_zh, w_en = _when(due_at)
    zh = f"目录条目{e_zh}因变更事由需要更新：{reason}。"
    en = f"Catalogue entry {e_en} must be updated after a change event: {reason}."
    body = "\n".join([zh, f"请在 {w_zh} 前提交变更。", "",
                      en, f"Please submit a revision by {w_en}.", "",
                      _url(entry_fields.get("name") or entry_id)])
    subject = f"{SUBJECT_PREFIX} {zh.rstrip('。')} / {en.rstrip('.')}"
    messages = [Message(u, subject[:250], body) for u in recipients]
    deliver(messages)
    return messages


# -- delivery ------------------------------------------------------------------------------------


def _send(message: Message) -> bool:
    user = model.User.get(message.user_id)
    if user is None or not user.email:
        log.info("govshare: no email address for user %s, notice not sent", message.user_id)
        return False
    try:
        tk.mail_user(user, message.subject, message.body)
    except MailerException as err:
        log.warning("govshare: could not email %s: %s", user.name, err)
        return False
    return True


def send_job(user_id: str, subject: str, body: str) -> bool:
    """Background job: send one notice (``tk.enqueue_job`` target)."""
    return _send(Message(user_id, subject, body))


def deliver(messages: Iterable[Message]) -> int:
    """Send now, or enqueue one job per message with ``ckanext.govshare.notify.background``."""
    sent = 0
    for message in messages:
        if gs_config.notify_background():
            tk.enqueue_job(send_job, [message.user_id, message.subject, message.body],
                           title="govshare notice")
            sent += 1
        elif _send(message):
            sent += 1
    return sent


# -- reminders -----------------------------------------------------------------------------------

def _open_steps(at: datetime.datetime, horizon: datetime.datetime,
                force: bool) -> list[Reminder]:
    today = at.astimezone(deadlines.SHANGHAI).date()

    def fresh(reminded: datetime.datetime | None) -> bool:
        return force or reminded is None or \
            reminded.astimezone(deadlines.SHANGHAI).date() < today

    steps = [s for s in model.Session.query(EntryLifecycle).filter(
        EntryLifecycle.due_at.isnot(None), EntryLifecycle.due_at <= horizon) if fresh(s.reminded_at)]
    revisions = [r for r in model.Session.query(Revision).filter(
        Revision.state == lifecycle.REVISION.review_state, Revision.due_at.isnot(None),
        Revision.due_at <= horizon) if fresh(r.reminded_at)]
    changes = [s for s in model.Session.query(EntryLifecycle).filter(
        EntryLifecycle.change_due_at.isnot(None), EntryLifecycle.change_due_at <= horizon)
        if fresh(s.change_reminded_at)]
    ids = list({s.entry_id for s in steps} | {r.entry_id for r in revisions}
               | {s.entry_id for s in changes})
    if not ids:
        return []
    packages = queries.active_entries(ids)
    found: list[Reminder] = []
    for s in steps:
        pkg = packages.get(s.entry_id)
        if pkg is None or pkg.state not in (tables.IN_REVIEW, tables.OFFLINE_REVIEW):
            continue
        found.append(Reminder(pkg.id, pkg.name, pkg.title or pkg.name, pkg.code,
                              pkg.owner_org, s.clock or tables.CLOCK_REVIEW, s.stage, s.due_at,
                              at > s.due_at, state=pkg.state, unit=pkg.unit,
                              submitted_by=s.submitted_by, stage_approver=s.stage_approver))
    for r in revisions:
        pkg = packages.get(r.entry_id)
        if pkg is None:
            continue
        found.append(Reminder(pkg.id, pkg.name, pkg.title or pkg.name, pkg.code,
                              pkg.owner_org, tables.CLOCK_REVISION_REVIEW, r.stage, r.due_at,
                              at > r.due_at, revision_id=r.id, state=pkg.state, unit=pkg.unit,
                              submitted_by=r.submitted_by, stage_approver=r.stage_approver))
    for s in changes:
        pkg = packages.get(s.entry_id)
        if pkg is None or pkg.state not in (tables.PUBLISHED, tables.OFFLINE_REVIEW):
            continue
        found.append(Reminder(pkg.id, pkg.name, pkg.title or pkg.name, pkg.code,
                              pkg.owner_org, tables.CHANGE_CLOCK, None, s.change_due_at,
                              at > s.change_due_at, state=pkg.state, unit=pkg.unit))
    return found


def remind(*, at: datetime.datetime | None = None, dry_run: bool = False,
           force: bool = False) -> list[Reminder]:
    """Email each decider (or, for an update, each compiler) the open steps that are overdue
    or due soon; returns them.

    A step is reminded at most once per (Beijing) day unless ``force``; ``dry_run`` sends
    nothing and records nothing.
    """
    at = at or base.now()
    # DB14 §7.3 时限: the steps' time limits are kept by reminding before and after due_at
    horizon = deadlines.add_working_days(
        at, gs_config.remind_due_soon_days(),
        last_official_year=gs_config.calendar_last_official_year())
    found = sorted(_open_steps(at, horizon, force), key=lambda r: r.due_at)
    per_user: dict[str, list[Reminder]] = {}
    for item in found:
        item.recipients = _recipients(item)
        for user_id in item.recipients:
            per_user.setdefault(user_id, []).append(item)
    if dry_run:
        return found
    messages = []
    for user_id, items in per_user.items():
        overdue = sum(1 for i in items if i.overdue)
        subject = (f"{SUBJECT_PREFIX} 待办提醒：{overdue} 项已超期，{len(items) - overdue} 项即将到期 / "
                   f"Reminder: {overdue} overdue, {len(items) - overdue} due soon")
        lines_zh, lines_en = ["以下目录事项需要您办理："], ["The following steps await you:"]
        for i in items:
            e_zh, e_en = _entry_line(i.title, i.resource_code)
            s_zh, s_en = step_label(i.step, i.stage)
            w_zh, w_en = _when(i.due_at)
            flag_zh, flag_en = ("已超期", "OVERDUE") if i.overdue else ("即将到期", "due soon")
            lines_zh.append(f"- {e_zh}：{s_zh}，期限 {w_zh}，{flag_zh}。{_url(i.name)}")
            lines_en.append(f"- {e_en}: {s_en}, deadline {w_en}, {flag_en}. {_url(i.name)}")
        messages.append(Message(user_id, subject, "\n".join([*lines_zh, "", *lines_en])))
    deliver(messages)
    reminded_steps = {i.entry_id for i in found
                      if i.revision_id is None and i.step != tables.CHANGE_CLOCK}
    reminded_changes = {i.entry_id for i in found if i.step == tables.CHANGE_CLOCK}
    reminded_revisions = {i.revision_id for i in found if i.revision_id}
    if reminded_steps:
        model.Session.query(EntryLifecycle).filter(
            EntryLifecycle.entry_id.in_(reminded_steps)).update(
            {EntryLifecycle.reminded_at: at}, synchronize_session=False)
    if reminded_changes:
        model.Session.query(EntryLifecycle).filter(
            EntryLifecycle.entry_id.in_(reminded_changes)).update(
            {EntryLifecycle.change_reminded_at: at}, synchronize_session=False)
    if reminded_revisions:
        model.Session.query(Revision).filter(Revision.id.in_(reminded_revisions)).update(
            {Revision.reminded_at: at}, synchronize_session=False)
    model.repo.commit()
    return found


def remind_job() -> int:
    """Background job: one reminder run (``ckan govshare remind --enqueue``)."""
    return len(remind())
