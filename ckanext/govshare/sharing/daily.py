"""The sharing flows' daily run, behind ``ckan govshare remind`` (cron) and its background job.

In order: disputes whose negotiation window has passed go to the coordinator (DB14 §9.3 •3,
:func:`~ckanext.govshare.sharing.dispute.escalate_overdue`); then the catalogue's and the
sharing flows' reminders (:func:`~ckanext.govshare.sharing.notify.remind_all`). The expiry of
authorizations has its own command and job (``ckan govshare authorizations expire``);
visibility never waits for it.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import ckan.model as model

from ckanext.govshare.model import base
from ckanext.govshare.model.sharing import Case
from ckanext.govshare.sharing import dispute, flows, notify

__all__ = ["Daily", "job", "run"]


@dataclass
class Daily:
    """What one run did (or, dry, would do)."""

    escalated: int
    steps: list[Any]
    cases: list[Any]


def _overdue_negotiations(at: datetime.datetime) -> int:
    return (model.Session.query(Case.id)
            .filter(Case.kind == flows.DISPUTE, Case.state == flows.NEGOTIATING,
                    Case.due_at.isnot(None), Case.due_at < at).count())


def run(at: datetime.datetime | None = None, dry_run: bool = False,
        force: bool = False) -> Daily:
    """Escalate the disputes past their negotiation window, then remind (``dry_run``: count
    and list only; send, escalate and record nothing)."""
    at = at or base.now()
    escalated = _overdue_negotiations(at) if dry_run else dispute.escalate_overdue(at)
    steps, cases = notify.remind_all(at=at, dry_run=dry_run, force=force)
    return Daily(escalated, steps, cases)


def job() -> int:
    """Background job of ``ckan govshare remind --enqueue``: how many disputes were escalated
    and steps and cases reminded."""
    done = run()
    return done.escalated + len(done.steps) + len(done.cases)
