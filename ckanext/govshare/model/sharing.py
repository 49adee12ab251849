"""The sharing flows' tables (migration ``sharing``): cases, their audit, grants, the access log.

* :class:`Case` (``govshare_case``): one row per case of any flow (``kind``: access request,
  demand, collection, dispute, complaint, incident, grade sign-off), its ``state`` on the flow's
  table (:mod:`ckanext.govshare.sharing.flows`), who acts next (``assignee_org`` +
  ``assignee_role``, or ``assignee_user``) and by when (``due_at`` on the working-day ``clock``;
  ``paused_days`` holds the working days left while the clock is stopped). A flow's own fields
  are in ``data``.
* :class:`CaseEvent` (``govshare_case_event``): append-only, one row per step of a case or an
  authorization, with or without a catalogue entry.
* :class:`Authorization` (``govshare_authorization``): a grant of an entry's data to a consumer
  department (all its members, or the named ``persons`` — 知悉范围) for some 信息项, valid
  from/until, with its security agreement.
* :class:`AccessLog` (``govshare_access_log``): append-only, who reached an entry's data.

Ids of entries, departments and users are indexed text without foreign keys, as in
``govshare_audit``: the trail outlives what it names.
"""
from __future__ import annotations

import datetime
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.model.types import make_uuid
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from ckanext.govshare.model import base

__all__ = ["AUTHORIZATION_STATUSES", "AccessLog", "Authorization", "Case", "CaseEvent",
           "next_number"]

#: the statuses of an authorization (the table's CHECK constraint lists the same)
AUTHORIZATION_STATUSES = ("pending_agreement", "active", "suspended", "expired", "revoked")


def _iso(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def next_number(prefix: str) -> str:
    """A human-readable case number, e.g. ``SQ-2026-000042`` (one sequence for all kinds)."""
    value = model.Session.execute(sa.text("SELECT nextval('govshare_case_number_seq')")).scalar()
    return f"{prefix}-{base.now().year}-{int(value):06d}"


class Case(tk.BaseModel):
    __tablename__ = "govshare_case"

    id: Mapped[str] = mapped_column(sa.Text, primary_key=True, default=make_uuid)
    kind: Mapped[str] = mapped_column(sa.Text, nullable=False)
    number: Mapped[str] = mapped_column(sa.Text, nullable=False, unique=True)
    state: Mapped[str] = mapped_column(sa.Text, nullable=False)
    title: Mapped[str] = mapped_column(sa.Text, nullable=False)
    entry_id: Mapped[str | None] = mapped_column(sa.Text)
    resource_code: Mapped[str | None] = mapped_column(sa.Text)
    parent_id: Mapped[str | None] = mapped_column(sa.Text)
    requester_user: Mapped[str | None] = mapped_column(sa.Text)
    requester_org: Mapped[str | None] = mapped_column(sa.Text)
    target_org: Mapped[str | None] = mapped_column(sa.Text)
    assignee_org: Mapped[str | None] = mapped_column(sa.Text)
    assignee_role: Mapped[str | None] = mapped_column(sa.Text)
    assignee_user: Mapped[str | None] = mapped_column(sa.Text)
    submitter: Mapped[str | None] = mapped_column(sa.Text)
    clock: Mapped[str | None] = mapped_column(sa.Text)
    due_at: Mapped[datetime.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    paused_days: Mapped[int | None] = mapped_column(sa.Integer)
    data: Mapped[dict[str, Any]] = mapped_column(postgresql.JSONB, nullable=False, default=dict)
    created: Mapped[datetime.datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, default=base.now)
    modified: Mapped[datetime.datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, default=base.now)
    closed_at: Mapped[datetime.datetime | None] = mapped_column(sa.DateTime(timezone=True))

    def dictize(self) -> dict[str, Any]:
        """The API representation (timestamps as ISO 8601 with offset)."""
        return {
            "id": self.id, "kind": self.kind, "number": self.number, "state": self.state,
            "title": self.title, "entry_id": self.entry_id, "resource_code": self.resource_code,
            "parent_id": self.parent_id, "requester_user": self.requester_user,
            "requester_org": self.requester_org, "target_org": self.target_org,
            "assignee_org": self.assignee_org, "assignee_role": self.assignee_role,
            "assignee_user": self.assignee_user, "submitter": self.submitter,
            "clock": self.clock, "due_at": _iso(self.due_at), "paused_days": self.paused_days,
            "data": dict(self.data or {}), "created": _iso(self.created),
            "modified": _iso(self.modified), "closed_at": _iso(self.closed_at),
        }


class CaseEvent(tk.BaseModel):
    __tablename__ = "govshare_case_event"

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(sa.Text, nullable=False)
    kind: Mapped[str] = mapped_column(sa.Text, nullable=False)
    entry_id: Mapped[str | None] = mapped_column(sa.Text)
    org_id: Mapped[str | None] = mapped_column(sa.Text)
    action: Mapped[str] = mapped_column(sa.Text, nullable=False)
    from_state: Mapped[str | None] = mapped_column(sa.Text)
    to_state: Mapped[str | None] = mapped_column(sa.Text)
    actor: Mapped[str | None] = mapped_column(sa.Text)
    at: Mapped[datetime.datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, default=base.now)
    comment: Mapped[str | None] = mapped_column(sa.Text)
    data: Mapped[Any | None] = mapped_column(postgresql.JSONB)

    def dictize(self) -> dict[str, Any]:
        return {
            "id": self.id, "case_id": self.case_id, "kind": self.kind,
            "entry_id": self.entry_id, "organization_id": self.org_id, "action": self.action,
            "from_state": self.from_state, "to_state": self.to_state, "actor": self.actor,
            "at": _iso(self.at), "comment": self.comment, "data": self.data,
        }


class Authorization(tk.BaseModel):
    __tablename__ = "govshare_authorization"

    id: Mapped[str] = mapped_column(sa.Text, primary_key=True, default=make_uuid)
    number: Mapped[str] = mapped_column(sa.Text, nullable=False, unique=True)
    request_id: Mapped[str | None] = mapped_column(sa.Text)
    entry_id: Mapped[str] = mapped_column(sa.Text, nullable=False)
    provider_org: Mapped[str] = mapped_column(sa.Text, nullable=False)
    consumer_org: Mapped[str] = mapped_column(sa.Text, nullable=False)
    persons: Mapped[list[str]] = mapped_column(postgresql.ARRAY(sa.Text), nullable=False,
                                               default=list)
    items: Mapped[list[str]] = mapped_column(postgresql.ARRAY(sa.Text), nullable=False,
                                             default=list)
    purpose: Mapped[str | None] = mapped_column(sa.Text)
    scenario: Mapped[str | None] = mapped_column(sa.Text)
    region: Mapped[str | None] = mapped_column(sa.Text)
    usage_scope: Mapped[str | None] = mapped_column(sa.Text)
    provision_method: Mapped[str | None] = mapped_column(sa.Text)
    valid_from: Mapped[datetime.datetime] = mapped_column(sa.DateTime(timezone=True),
                                                          nullable=False)
    valid_until: Mapped[datetime.datetime] = mapped_column(sa.DateTime(timezone=True),
                                                           nullable=False)
    status: Mapped[str] = mapped_column(sa.Text, nullable=False)
    status_reason: Mapped[str | None] = mapped_column(sa.Text)
    agreement: Mapped[dict[str, Any] | None] = mapped_column(postgresql.JSONB)
    created: Mapped[datetime.datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, default=base.now)
    modified: Mapped[datetime.datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, default=base.now)

    def dictize(self) -> dict[str, Any]:
        return {
            "id": self.id, "number": self.number, "request_id": self.request_id,
            "entry_id": self.entry_id, "provider_org": self.provider_org,
            "consumer_org": self.consumer_org, "persons": list(self.persons or []),
            "items": list(self.items or []), "purpose": self.purpose,
            "scenario": self.scenario, "region": self.region, "usage_scope": self.usage_scope,
            "provision_method": self.provision_method, "valid_from": _iso(self.valid_from),
            "valid_until": _iso(self.valid_until), "status": self.status,
            "status_reason": self.status_reason,
            "agreement": dict(self.agreement) if self.agreement else None,
            "created": _iso(self.created), "modified": _iso(self.modified),
        }


class AccessLog(tk.BaseModel):
    __tablename__ = "govshare_access_log"

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(sa.Text, nullable=False)
    resource_id: Mapped[str | None] = mapped_column(sa.Text)
    provider_org: Mapped[str | None] = mapped_column(sa.Text)
    user_id: Mapped[str | None] = mapped_column(sa.Text)
    user_orgs: Mapped[list[str]] = mapped_column(postgresql.ARRAY(sa.Text), nullable=False,
                                                 default=list)
    channel: Mapped[str] = mapped_column(sa.Text, nullable=False)
    authorization_id: Mapped[str | None] = mapped_column(sa.Text)
    at: Mapped[datetime.datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, default=base.now)

    def dictize(self) -> dict[str, Any]:
        return {
            "id": self.id, "entry_id": self.entry_id, "resource_id": self.resource_id,
            "provider_org": self.provider_org, "user_id": self.user_id,
            "user_orgs": list(self.user_orgs or []), "channel": self.channel,
            "authorization_id": self.authorization_id, "at": _iso(self.at),
        }
