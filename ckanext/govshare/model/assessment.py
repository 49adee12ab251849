"""``govshare_assessment_snapshot``: monthly assessment results kept for trends (DB14 §7.4).

One row per department and month (``unit`` is ``''``) and per internal unit and month: the
four dimension scores and the overall score (shares in [0, 1], ``NULL`` for a dimension
without data), the counts behind them and the weights in force when the snapshot was taken.
Department ids are indexed text without foreign keys. Rows are written by
:func:`ckanext.govshare.assessment.service.take_snapshots` only, which replaces the row of the
same department, unit and month.
"""
from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.model.types import make_uuid
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from ckanext.govshare.model import base

__all__ = ["SCORES", "AssessmentSnapshot"]

#: the overall score and the dimensions in the order of DB14 §7.4: the snapshot's score columns
SCORES: tuple[str, ...] = ("score", "comprehensiveness", "completeness", "accuracy",
                           "timeliness")


class AssessmentSnapshot(tk.BaseModel):
    __tablename__ = "govshare_assessment_snapshot"
    __table_args__ = (
        sa.UniqueConstraint("org_id", "unit", "period", name="govshare_assessment_snapshot_key"),
    )

    id: Mapped[str] = mapped_column(sa.Text, primary_key=True, default=make_uuid)
    org_id: Mapped[str] = mapped_column(sa.Text, nullable=False)
    unit: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    period: Mapped[str] = mapped_column(sa.Text, nullable=False, index=True)
    score: Mapped[float | None] = mapped_column(sa.Float)
    comprehensiveness: Mapped[float | None] = mapped_column(sa.Float)
    completeness: Mapped[float | None] = mapped_column(sa.Float)
    accuracy: Mapped[float | None] = mapped_column(sa.Float)
    timeliness: Mapped[float | None] = mapped_column(sa.Float)
    counts: Mapped[dict[str, Any]] = mapped_column(postgresql.JSONB, nullable=False, default=dict)
    weights: Mapped[dict[str, Any]] = mapped_column(postgresql.JSONB, nullable=False,
                                                    default=dict)
    taken_at: Mapped[datetime.datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, default=base.now)
    taken_by: Mapped[str | None] = mapped_column(sa.Text)

    def dictize(self, context: Any = None) -> dict[str, Any]:
        """The API representation (``unit`` ``None`` for the department as a whole)."""
        return {
            "organization_id": self.org_id,
            "unit": self.unit or None,
            "period": self.period,
            **{name: getattr(self, name) for name in SCORES},
            "counts": dict(self.counts or {}),
            "weights": dict(self.weights or {}),
            "taken_at": self.taken_at.isoformat() if self.taken_at else None,
            "taken_by": self.taken_by,
        }
