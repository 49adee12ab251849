"""``govshare_revision``: pending revisions (变更) of published catalogue entries.

Editing a published entry does not touch it: the proposed entry is stored here with its
field-by-field diff against the live version, goes through ``draft`` → ``in_review`` →
``approved`` (or ``returned`` / ``discarded``, see :data:`ckanext.govshare.lifecycle.machine.REVISION`),
and only the approval writes it to the dataset, in the same transaction that bumps the entry's
version. At most one revision of an entry is open (draft, in review or returned) at a time: a
partial unique index says so. Ids are indexed text without foreign keys.
"""
from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.model.types import make_uuid
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from ckanext.govshare.lifecycle import tables
from ckanext.govshare.model import base

__all__ = ["OPEN_STATES", "Revision"]

#: states in which a revision is still pending
OPEN_STATES = tables.REVISION_OPEN_STATES


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class Revision(tk.BaseModel):
    __tablename__ = "govshare_revision"
    __table_args__ = (
        sa.CheckConstraint(
            sa.column("state").in_(list(tables.REVISION_STATES)),
            name="govshare_revision_state_check",
        ),
        sa.Index(
            "govshare_revision_one_open",
            "entry_id",
            unique=True,
            postgresql_where=sa.column("state").in_(OPEN_STATES),
        ),
    )

    id: Mapped[str] = mapped_column(sa.Text, primary_key=True, default=make_uuid)
    entry_id: Mapped[str] = mapped_column(sa.Text, nullable=False, index=True)
    org_id: Mapped[str | None] = mapped_column(sa.Text, index=True)
    author: Mapped[str] = mapped_column(sa.Text, nullable=False)
    state: Mapped[str] = mapped_column(sa.Text, nullable=False, default=tables.DRAFT)
    stage: Mapped[str | None] = mapped_column(sa.Text)
    submitted_by: Mapped[str | None] = mapped_column(sa.Text)
    submitted_at: Mapped[datetime.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    stage_approver: Mapped[str | None] = mapped_column(sa.Text)
    proposed: Mapped[dict[str, Any]] = mapped_column(postgresql.JSONB, nullable=False)
    diff: Mapped[list[dict[str, Any]]] = mapped_column(postgresql.JSONB, nullable=False)
    base_version: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    version: Mapped[int | None] = mapped_column(sa.Integer)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    due_at: Mapped[datetime.datetime | None] = mapped_column(
        sa.DateTime(timezone=True), index=True
    )
    reminded_at: Mapped[datetime.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(sa.Text)
    decided_at: Mapped[datetime.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created: Mapped[datetime.datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, default=base.now
    )
    modified: Mapped[datetime.datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, default=base.now
    )

    def dictize(self, context: Any = None, *, include_proposed: bool = True) -> dict[str, Any]:
        """The API representation (timestamps as ISO 8601 with offset)."""
        data = {
            "id": self.id,
            "entry_id": self.entry_id,
            "organization_id": self.org_id,
            "author": self.author,
            "state": self.state,
            "stage": self.stage,
            "submitted_by": self.submitted_by,
            "submitted_at": _iso(self.submitted_at),
            "stage_approver": self.stage_approver,
            "diff": self.diff,
            "base_version": self.base_version,
            "version": self.version,
            "reason": self.reason,
            "due_at": _iso(self.due_at),
            "decided_by": self.decided_by,
            "decided_at": _iso(self.decided_at),
            "created": _iso(self.created),
            "modified": _iso(self.modified),
        }
        if include_proposed:
            data["proposed"] = self.proposed
        return data
