"""``govshare_duplicate_dismissal``: "not a duplicate" decisions of the duplicates report
(DB14 §8.1 一数一源; migration ``duplicate_dismissal``).

One row per pair of entries, ``entry_a < entry_b``, with each entry's fingerprint (its normalized
title and 信息项 names, :func:`ckanext.govshare.catalogue.duplicates.fingerprint`) when the
decision was taken: the detection leaves the pair out while both fingerprints are unchanged.
Entry, department and user ids are indexed text without foreign keys.
"""
from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ckanext.govshare.model import base

__all__ = ["DuplicateDismissal"]


class DuplicateDismissal(tk.BaseModel):
    __tablename__ = "govshare_duplicate_dismissal"

    entry_a: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    entry_b: Mapped[str] = mapped_column(sa.Text, primary_key=True, index=True)
    fingerprint_a: Mapped[str] = mapped_column(sa.Text, nullable=False)
    fingerprint_b: Mapped[str] = mapped_column(sa.Text, nullable=False)
    org_a: Mapped[str | None] = mapped_column(sa.Text)
    org_b: Mapped[str | None] = mapped_column(sa.Text)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    decided_by: Mapped[str | None] = mapped_column(sa.Text)
    decided_at: Mapped[datetime.datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, default=base.now)

    def dictize(self) -> dict[str, Any]:
        """The API representation (``decided_at`` as ISO 8601 with offset)."""
        return {
            "entry_a": self.entry_a, "entry_b": self.entry_b,
            "organization_a": self.org_a, "organization_b": self.org_b,
            "reason": self.reason, "decided_by": self.decided_by,
            "decided_at": self.decided_at.isoformat() if self.decided_at else None,
        }
