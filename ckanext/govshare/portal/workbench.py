"""我的工作台: every to-do of one user across the catalogue lifecycle and the sharing flows, in
one list, soonest due first (overdue first), each with its working days left.

What waits on the user, by kind, each read with one query (no N+1):

* review steps the user may decide now (:func:`lifecycle.queries.waiting_steps`: roles in
  force, stage, four eyes): entries in review, offline requests, revisions in review;
* the entries of the user's units as their compiler (:func:`portal.queries.compiler_rows`):
  drafts, returned entries, updates required after a change event (DB14 §7.3), revisions
  being written or returned; for a department administrator (who may compile any entry),
  those they compiled themselves and those of units no compiler is bound to;
* the sharing cases assigned to the user or to a role they hold
  (:func:`sharing.cases.open_cases_for`): requests to endorse or decide, demands, collection
  requests, disputes, complaints, incidents, grade sign-offs;
* active authorizations about to end that the user's department may renew
  (``ckanext.govshare.workbench.expiry_notice_days``).

The header's badge counts the same rows in SQL (:func:`count`). Deadlines are working days on
the lifecycle's calendar (:mod:`ckanext.govshare.lifecycle.deadlines`).
"""
from __future__ import annotations

import datetime
from typing import Any

import ckan.model as model

from ckanext.govshare import config as gs_config
from ckanext.govshare import permissions
from ckanext.govshare.core_messages import N_
from ckanext.govshare.lifecycle import deadlines, tables
from ckanext.govshare.lifecycle import queries as lifecycle_queries
from ckanext.govshare.model import base
from ckanext.govshare.portal import queries
from ckanext.govshare.sharing import cases, flows

__all__ = ["BATCH_DECISIONS", "KINDS", "KIND_OFFLINE_REVIEW", "KIND_REVIEW",
           "KIND_REVISION_REVIEW", "count", "days_left", "items"]

#: an entry in review waiting for the user's decision (目录审核)
KIND_REVIEW = "review"
#: a request to take an entry offline waiting for the user's decision (下线审核)
KIND_OFFLINE_REVIEW = "offline_review"
#: a pending revision in review waiting for the user's decision (变更审核)
KIND_REVISION_REVIEW = "revision_review"

#: every kind of to-do, in the order of the filter, with its label (msgid; the sharing
#: flows' kinds are labelled by :data:`flows.KINDS`)
KINDS: dict[str, str | None] = {
    KIND_REVIEW: N_("Catalogue review"),
    KIND_REVISION_REVIEW: N_("Revision review"),
    KIND_OFFLINE_REVIEW: N_("Offline review"),
    queries.KIND_RETURNED: N_("Returned entry"),
    queries.KIND_UPDATE_REQUIRED: N_("Update required"),
    queries.KIND_REVISION_DRAFT: N_("Revision to finish"),
    queries.KIND_DRAFT: N_("Draft entry"),
    **{kind: None for kind in flows.KINDS},
    queries.KIND_EXPIRING: N_("Authorization expiring"),
}

#: the decisions the workbench takes on several selected to-dos at once, by kind (one reason
#: for all): approve or return reviews and revisions, approve or reject offline requests;
#: every other flow is decided on its page
BATCH_DECISIONS: dict[str, tuple[str, ...]] = {
    KIND_REVIEW: (tables.APPROVE, tables.RETURN),
    KIND_REVISION_REVIEW: (tables.APPROVE, tables.RETURN),
    KIND_OFFLINE_REVIEW: (tables.APPROVE, tables.RETURN),  # approve or reject the request
}

_STEP_KIND = {tables.IN_REVIEW: KIND_REVIEW, tables.OFFLINE_REVIEW: KIND_OFFLINE_REVIEW}


def days_left(due_at: datetime.datetime | None, now: datetime.datetime) -> int | None:
    """Working days from ``now`` to ``due_at``; negative: overdue by that many (at least one
    once the due day has passed)."""
    if due_at is None:
        return None
    left = deadlines.working_days_between(
        now, due_at, last_official_year=gs_config.calendar_last_official_year())
    if deadlines.is_overdue(due_at, now):
        return min(left, -1)
    return max(left, 0)


def _item(kind: str, ref: str, *, now: datetime.datetime, entry_id: str | None = None,
          name: str | None = None, title: str | None = None, number: str | None = None,
          org: str | None = None, unit: str | None = None, code: str | None = None,
          state: str | None = None, due_at: datetime.datetime | None = None,
          since: datetime.datetime | None = None, reason: str | None = None) -> dict[str, Any]:
    left = days_left(due_at, now)
    return {
        "kind": kind, "id": ref, "entry_id": entry_id, "name": name, "title": title,
        "number": number, "organization_id": org, "unit": unit, "resource_code": code,
        "state": state, "due_at": due_at.isoformat() if due_at else None,
        "since": since.isoformat() if since else None, "days_left": left,
        "overdue": left is not None and left < 0, "reason": reason,
        "decisions": list(BATCH_DECISIONS.get(kind, ())), "_due": due_at,
    }


def _reviews(user: model.User, now: datetime.datetime) -> list[dict[str, Any]]:
    out = []
    for row in lifecycle_queries.waiting_steps(user.id):
        revision = row.kind == lifecycle_queries.QUEUE_KIND_REVISION
        kind = KIND_REVISION_REVIEW if revision else _STEP_KIND.get(row.state, KIND_REVIEW)
        out.append(_item(kind, row.revision_id if revision else row.id, now=now,
                         entry_id=row.id, name=row.name, title=row.title, org=row.owner_org,
                         unit=row.unit, code=row.code, state=row.state, due_at=row.due_at,
                         since=row.opened_at, reason=row.reason))
    return out


def _compiled(user: model.User, now: datetime.datetime) -> list[dict[str, Any]]:
    return [_item(row.kind, row.ref, now=now, entry_id=row.id, name=row.name, title=row.title,
                  org=row.owner_org, unit=row.unit, code=row.code, state=row.state,
                  due_at=row.due_at, since=row.since, reason=row.reason)
            for row in queries.compiler_rows(user.id)]


def _cases(user: model.User, now: datetime.datetime) -> list[dict[str, Any]]:
    waiting = cases.open_cases_for(user)
    entries = lifecycle_queries.active_entries({c.entry_id for c in waiting if c.entry_id})
    out = []
    for case in waiting:
        entry = entries.get(case.entry_id) if case.entry_id else None
        out.append(_item(
            case.kind, case.id, now=now, entry_id=case.entry_id, title=case.title,
            number=case.number, org=case.assignee_org or case.target_org or case.requester_org,
            unit=(case.data or {}).get("unit") or (entry.unit if entry else None),
            code=case.resource_code or (entry.code if entry else None), state=case.state,
            due_at=case.due_at, since=case.created))
    return out


def _expiring(user: model.User, now: datetime.datetime) -> list[dict[str, Any]]:
    notice = gs_config.workbench_expiry_notice_days()
    if not notice:
        return []
    rows = queries.expiring_rows(user.id, now, now + datetime.timedelta(days=notice))
    # the entry is named only to who may see it now (permissions.py decides)
    visible = permissions.visible_package_ids(user, [r.entry_id for r in rows]) if rows else set()
    return [_item(queries.KIND_EXPIRING, row.id, now=now, number=row.number,
                  entry_id=row.entry_id if row.entry_id in visible else None,
                  name=row.name if row.entry_id in visible else None,
                  title=row.title if row.entry_id in visible else None,
                  org=row.consumer_org, unit=row.unit if row.entry_id in visible else None,
                  code=row.code if row.entry_id in visible else None, state=row.status,
                  due_at=row.valid_until, reason=row.purpose)
            for row in rows]


_KIND_ORDER = {kind: n for n, kind in enumerate(KINDS)}
_NEVER = datetime.datetime.max.replace(tzinfo=datetime.timezone.utc)


def _order(item: dict[str, Any]) -> tuple:
    return (item["_due"] or _NEVER, _KIND_ORDER[item["kind"]], item["title"] or "", item["id"])


def items(user: model.User, now: datetime.datetime | None = None) -> list[dict[str, Any]]:
    """Every to-do of ``user``: dated ones by due date (the overdue first), then the undated
    (drafts, revisions to finish) by kind. One query per kind of source."""
    now = now or base.now()
    found = (_reviews(user, now) + _compiled(user, now) + _cases(user, now)
             + _expiring(user, now))
    found.sort(key=_order)
    for item in found:
        del item["_due"]
    return found


def count(user: model.User, now: datetime.datetime | None = None) -> int:
    """How many to-dos :func:`items` lists, counted in SQL (one count per kind of source):
    the header's badge on every page."""
    now = now or base.now()
    total = (lifecycle_queries.waiting_count(user.id) + queries.compiler_count(user.id)
             + cases.count_open_cases_for(user))
    notice = gs_config.workbench_expiry_notice_days()
    if notice:
        total += queries.expiring_count(user.id, now, now + datetime.timedelta(days=notice))
    return total
