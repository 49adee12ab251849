"""``govshare_role``: the roles a user holds inside a department (DB14 §5, §6), and
``govshare_role_event``: their history.

One row per (department, user, role). Compilers (业务机构编制人) carry the codes of the internal
units (处室) they compile for in ``units``; the other roles carry an empty list. Department and
user ids are plain indexed text without foreign keys: a role record outlives a purged user or
organization, and the extension never blocks core deletes. The vocabulary lives in
:mod:`ckanext.govshare.lifecycle.tables` (what the roles mean inside a department in
:mod:`ckanext.govshare.department.roles`); the table enforces it with a CHECK constraint.

Every change of a role row appends a :class:`RoleEvent` in the same transaction: granted,
units changed, revoked, or ended because the holder's CKAN membership no longer supports it.
The table is append-only: a row trigger refuses UPDATE and DELETE (migration ``role_events``)
and a statement trigger TRUNCATE (``govshare_no_truncate``, migration ``no_truncate``).
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

__all__ = ["ROLE_EVENTS", "Role", "RoleEvent"]

#: what happened to a role row (the table's CHECK constraint lists the same)
ROLE_EVENTS = ("granted", "units_changed", "revoked", "ended_by_membership")


class Role(tk.BaseModel):
    __tablename__ = "govshare_role"
    __table_args__ = (
        sa.UniqueConstraint("org_id", "user_id", "role", name="govshare_role_org_user_role_key"),
        sa.CheckConstraint(
            sa.column("role").in_(list(tables.ROLES)),
            name="govshare_role_role_check",
        ),
    )

    id: Mapped[str] = mapped_column(sa.Text, primary_key=True, default=make_uuid)
    org_id: Mapped[str] = mapped_column(sa.Text, nullable=False, index=True)
    user_id: Mapped[str] = mapped_column(sa.Text, nullable=False, index=True)
    role: Mapped[str] = mapped_column(sa.Text, nullable=False)
    units: Mapped[list[str]] = mapped_column(
        postgresql.ARRAY(sa.Text), nullable=False, default=list
    )
    created: Mapped[datetime.datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, default=base.now
    )
    modified: Mapped[datetime.datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, default=base.now
    )
    created_by: Mapped[str | None] = mapped_column(sa.Text)

    def dictize(self, context: Any = None) -> dict[str, Any]:
        """The API representation (timestamps as ISO 8601 with offset)."""
        return {
            "id": self.id,
            "organization_id": self.org_id,
            "user_id": self.user_id,
            "role": self.role,
            "units": list(self.units or []),
            "created": self.created.isoformat() if self.created else None,
            "modified": self.modified.isoformat() if self.modified else None,
            "created_by": self.created_by,
        }


class RoleEvent(tk.BaseModel):
    __tablename__ = "govshare_role_event"
    __table_args__ = (
        sa.Index("govshare_role_event_org_at", "org_id", "at"),
        sa.Index("govshare_role_event_user_at", "user_id", "at"),
        sa.CheckConstraint(
            sa.column("event").in_(ROLE_EVENTS),
            name="govshare_role_event_event_check",
        ),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=True)
    org_id: Mapped[str] = mapped_column(sa.Text, nullable=False)
    user_id: Mapped[str] = mapped_column(sa.Text, nullable=False)
    role: Mapped[str] = mapped_column(sa.Text, nullable=False)
    units: Mapped[list[str]] = mapped_column(
        postgresql.ARRAY(sa.Text), nullable=False, default=list
    )
    event: Mapped[str] = mapped_column(sa.Text, nullable=False)
    actor: Mapped[str | None] = mapped_column(sa.Text)
    at: Mapped[datetime.datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, default=base.now
    )
    comment: Mapped[str | None] = mapped_column(sa.Text)

    def dictize(self, context: Any = None) -> dict[str, Any]:
        """The API representation (``at`` as ISO 8601 with offset)."""
        return {
            "id": self.id,
            "organization_id": self.org_id,
            "user_id": self.user_id,
            "role": self.role,
            "units": list(self.units or []),
            "event": self.event,
            "actor": self.actor,
            "at": self.at.isoformat() if self.at else None,
            "comment": self.comment,
        }
