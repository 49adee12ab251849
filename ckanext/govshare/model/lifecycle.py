"""``govshare_lifecycle``: the bookkeeping of each catalogue entry's open lifecycle step.

``catalogue_state`` itself is a dataset field (the search index and the permission labels read
it there); what the state machine needs besides it lives here, one row per entry: the review
stage, who opened the pending step (four eyes), the reviewer who approved at the first stage,
when the step is due on the working-day clock, the last reason given, the published version
number and when the last reminder went out; and, apart from that step, the "update required"
step a change event opens on a published entry (``change_*``, DB14 §7.3). Only
:mod:`ckanext.govshare.lifecycle.service` writes it.
Ids are indexed text without foreign keys (the row outlives a purged dataset).
"""
from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ckanext.govshare.model import base

__all__ = ["EntryLifecycle"]


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class EntryLifecycle(tk.BaseModel):
    __tablename__ = "govshare_lifecycle"

    entry_id: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    org_id: Mapped[str | None] = mapped_column(sa.Text, index=True)
    stage: Mapped[str | None] = mapped_column(sa.Text)
    submitted_by: Mapped[str | None] = mapped_column(sa.Text)
    stage_approver: Mapped[str | None] = mapped_column(sa.Text)
    clock: Mapped[str | None] = mapped_column(sa.Text)
    opened_at: Mapped[datetime.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    due_at: Mapped[datetime.datetime | None] = mapped_column(
        sa.DateTime(timezone=True), index=True
    )
    reason: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    published_at: Mapped[datetime.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    reminded_at: Mapped[datetime.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    modified: Mapped[datetime.datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, default=base.now
    )
    change_reason: Mapped[str | None] = mapped_column(sa.Text)
    change_reported_by: Mapped[str | None] = mapped_column(sa.Text)
    change_occurred_at: Mapped[datetime.datetime | None] = mapped_column(
        sa.DateTime(timezone=True))
    change_due_at: Mapped[datetime.datetime | None] = mapped_column(
        sa.DateTime(timezone=True), index=True)
    change_reminded_at: Mapped[datetime.datetime | None] = mapped_column(
        sa.DateTime(timezone=True))

    def dictize(self, context: Any = None) -> dict[str, Any]:
        """The API representation (timestamps as ISO 8601 with offset)."""
        return {
            "stage": self.stage,
            "submitted_by": self.submitted_by,
            "stage_approver": self.stage_approver,
            "clock": self.clock,
            "opened_at": _iso(self.opened_at),
            "due_at": _iso(self.due_at),
            "reason": self.reason,
            "version": self.version,
            "published_at": _iso(self.published_at),
            "modified": _iso(self.modified),
            "update_required": None if self.change_due_at is None else {
                "reason": self.change_reason,
                "reported_by": self.change_reported_by,
                "occurred_at": _iso(self.change_occurred_at),
                "due_at": _iso(self.change_due_at),
            },
        }
