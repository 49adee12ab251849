"""``govshare_filing`` and ``govshare_filing_history``: the filed responsible persons (备案).

DB14 §4 c), §6.2 and §11.2 require each department to name its responsible persons and file
them with the platform's administration. ``govshare_filing`` holds the current record, one per
(department, kind); ``govshare_filing_history`` is append-only and keeps a full snapshot after
every change (created, updated, filed), so the filed state at any date can be reconstructed and
the current-state queries stay simple. Department and user ids are indexed text without foreign
keys. Vocabularies live in :mod:`ckanext.govshare.department.filing`; the tables enforce them with CHECK
constraints.
"""
from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.model.types import make_uuid
from sqlalchemy.orm import Mapped, mapped_column

from ckanext.govshare.model import base

__all__ = ["Filing", "FilingHistory"]

_KINDS = "kind IN ('lead', 'share_manager', 'contact', 'security_officer')"
_STATUSES = "status IN ('to_be_filed', 'filed', 'changed_to_be_refiled')"


def _iso(value: datetime.date | datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class Filing(tk.BaseModel):
    __tablename__ = "govshare_filing"
    __table_args__ = (
        sa.UniqueConstraint("org_id", "kind", name="govshare_filing_org_kind_key"),
        sa.CheckConstraint(_KINDS, name="govshare_filing_kind_check"),
        sa.CheckConstraint(_STATUSES, name="govshare_filing_status_check"),
    )

    id: Mapped[str] = mapped_column(sa.Text, primary_key=True, default=make_uuid)
    org_id: Mapped[str] = mapped_column(sa.Text, nullable=False, index=True)
    kind: Mapped[str] = mapped_column(sa.Text, nullable=False)
    name: Mapped[str] = mapped_column(sa.Text, nullable=False)
    title: Mapped[str] = mapped_column(sa.Text, nullable=False)
    unit: Mapped[str | None] = mapped_column(sa.Text)
    phone: Mapped[str] = mapped_column(sa.Text, nullable=False)
    email: Mapped[str] = mapped_column(sa.Text, nullable=False)
    effective_date: Mapped[datetime.date] = mapped_column(sa.Date, nullable=False)
    status: Mapped[str] = mapped_column(sa.Text, nullable=False, default="to_be_filed")
    receipt: Mapped[str | None] = mapped_column(sa.Text)
    filed_at: Mapped[datetime.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    filed_by: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    created: Mapped[datetime.datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, default=base.now
    )
    modified: Mapped[datetime.datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, default=base.now
    )
    created_by: Mapped[str | None] = mapped_column(sa.Text)
    modified_by: Mapped[str | None] = mapped_column(sa.Text)

    def dictize(self, context: Any = None) -> dict[str, Any]:
        """The API representation (dates and timestamps as ISO 8601)."""
        return {
            "id": self.id,
            "organization_id": self.org_id,
            "kind": self.kind,
            "name": self.name,
            "title": self.title,
            "unit": self.unit,
            "phone": self.phone,
            "email": self.email,
            "effective_date": _iso(self.effective_date),
            "status": self.status,
            "receipt": self.receipt,
            "filed_at": _iso(self.filed_at),
            "filed_by": self.filed_by,
            "version": self.version,
            "created": _iso(self.created),
            "modified": _iso(self.modified),
            "created_by": self.created_by,
            "modified_by": self.modified_by,
        }

    def snapshot(self, event: str, actor: str | None) -> FilingHistory:
        """A history row recording the current state after ``event`` by ``actor``."""
        return FilingHistory(
            filing_id=self.id,
            org_id=self.org_id,
            kind=self.kind,
            version=self.version,
            event=event,
            name=self.name,
            title=self.title,
            unit=self.unit,
            phone=self.phone,
            email=self.email,
            effective_date=self.effective_date,
            status=self.status,
            receipt=self.receipt,
            actor=actor,
            at=self.modified or base.now(),
        )


class FilingHistory(tk.BaseModel):
    __tablename__ = "govshare_filing_history"
    __table_args__ = (
        sa.UniqueConstraint("filing_id", "version", name="govshare_filing_history_version_key"),
        sa.CheckConstraint(
            "event IN ('created', 'updated', 'filed')", name="govshare_filing_history_event_check"
        ),
        sa.CheckConstraint(_KINDS, name="govshare_filing_history_kind_check"),
        sa.CheckConstraint(_STATUSES, name="govshare_filing_history_status_check"),
    )

    id: Mapped[str] = mapped_column(sa.Text, primary_key=True, default=make_uuid)
    filing_id: Mapped[str] = mapped_column(sa.Text, nullable=False, index=True)
    org_id: Mapped[str] = mapped_column(sa.Text, nullable=False, index=True)
    kind: Mapped[str] = mapped_column(sa.Text, nullable=False)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    event: Mapped[str] = mapped_column(sa.Text, nullable=False)
    name: Mapped[str] = mapped_column(sa.Text, nullable=False)
    title: Mapped[str] = mapped_column(sa.Text, nullable=False)
    unit: Mapped[str | None] = mapped_column(sa.Text)
    phone: Mapped[str] = mapped_column(sa.Text, nullable=False)
    email: Mapped[str] = mapped_column(sa.Text, nullable=False)
    effective_date: Mapped[datetime.date] = mapped_column(sa.Date, nullable=False)
    status: Mapped[str] = mapped_column(sa.Text, nullable=False)
    receipt: Mapped[str | None] = mapped_column(sa.Text)
    actor: Mapped[str | None] = mapped_column(sa.Text)
    at: Mapped[datetime.datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, default=base.now
    )

    def dictize(self, context: Any = None) -> dict[str, Any]:
        return {
            "filing_id": self.filing_id,
            "organization_id": self.org_id,
            "kind": self.kind,
            "version": self.version,
            "event": self.event,
            "name": self.name,
            "title": self.title,
            "unit": self.unit,
            "phone": self.phone,
            "email": self.email,
            "effective_date": _iso(self.effective_date),
            "status": self.status,
            "receipt": self.receipt,
            "actor": self.actor,
            "at": _iso(self.at),
        }
