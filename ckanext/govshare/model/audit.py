"""``govshare_audit``: the append-only audit trail of the catalogue lifecycle (issue #4 §5).

One row per recorded event on a catalogue entry: every transition of ``catalogue_state``, every
step of a pending revision, and the sysadmin import path (action ``imported``). Rows are only
ever inserted. The database enforces it: a row-level trigger (migration ``lifecycle``) refuses
``UPDATE`` and ``DELETE`` to every role, the application's included, and a statement-level
trigger, ``govshare_no_truncate`` (migration ``no_truncate``), refuses ``TRUNCATE``. Emptying the
trail takes the table owner disabling that trigger for one transaction (``ALTER TABLE …
DISABLE TRIGGER govshare_no_truncate``, TRUNCATE, ``ENABLE TRIGGER``): the test fixture
(``tests/database.py``) does so between tests, and an operator who must purge the trail (a
retention rule) does so explicitly, by hand.

Entry, department and user ids are indexed text without foreign keys, so the trail outlives a
purged dataset, organization or user.
"""
from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from ckanext.govshare.model import base

__all__ = ["AuditEntry"]


class AuditEntry(tk.BaseModel):
    __tablename__ = "govshare_audit"
    __table_args__ = (
        sa.Index("govshare_audit_entry_at", "entry_id", "at"),
        sa.Index("govshare_audit_org_at", "org_id", "at"),
        sa.Index("govshare_audit_actor_at", "actor", "at"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(sa.Text, nullable=False)
    resource_code: Mapped[str | None] = mapped_column(sa.Text)
    org_id: Mapped[str | None] = mapped_column(sa.Text)
    action: Mapped[str] = mapped_column(sa.Text, nullable=False)
    from_state: Mapped[str | None] = mapped_column(sa.Text)
    to_state: Mapped[str | None] = mapped_column(sa.Text)
    actor: Mapped[str | None] = mapped_column(sa.Text)
    at: Mapped[datetime.datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, default=base.now
    )
    comment: Mapped[str | None] = mapped_column(sa.Text)
    revision_id: Mapped[str | None] = mapped_column(sa.Text)
    diff: Mapped[Any | None] = mapped_column(postgresql.JSONB)

    def dictize(self, context: Any = None) -> dict[str, Any]:
        """The API representation (``at`` as ISO 8601 with offset)."""
        return {
            "id": self.id,
            "entry_id": self.entry_id,
            "resource_code": self.resource_code,
            "organization_id": self.org_id,
            "action": self.action,
            "from_state": self.from_state,
            "to_state": self.to_state,
            "actor": self.actor,
            "at": self.at.isoformat() if self.at else None,
            "comment": self.comment,
            "revision_id": self.revision_id,
            "diff": self.diff,
        }
