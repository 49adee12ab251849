"""The harvest endpoint's tables (migration ``dcat_feed``): the entries' serialised fragments,
the harvests the platform made and what each entry was last delivered as.

* :class:`DcatFragment` (``govshare_dcat_fragment``): one row per catalogue entry that is or
  was published (published, awaiting offline review, offline): its DCAT-AP serialisation in
  each format, kept current in the transaction that writes the entry
  (:mod:`ckanext.govshare.exchange.dcat_feed`). ``meta_*`` is the entry without its
  distributions; ``data_*`` its distributions with their addresses, ``guarded_*`` without
  (the request page instead): which one a reader gets is decided per request by
  :mod:`ckanext.govshare.permissions`. ``seq`` is the entry's place in the feed, given once and
  never changed, so keyset pages neither repeat nor skip an entry while entries change.
* :class:`HarvestRequest` (``govshare_harvest_request``): one row per page the harvest account
  fetched (DB14 §7.5: the evidence that the catalogue reached the provincial platform).
* :class:`HarvestDelivery` (``govshare_harvest_delivery``): per entry, when the harvest account
  last received it and which version (``modified``) it received.

Entry and department ids are indexed text without foreign keys (rows outlive purged datasets).
"""
from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ckanext.govshare.model import base

__all__ = ["DcatFragment", "HarvestDelivery", "HarvestRequest", "FORMATS", "VARIANTS"]

#: the serialisations kept per entry (the endpoint's formats: ttl also serves n3, xml also rdf)
FORMATS = ("ttl", "jsonld", "xml")
#: the parts kept per format
VARIANTS = ("meta", "data", "guarded")


class DcatFragment(tk.BaseModel):
    __tablename__ = "govshare_dcat_fragment"

    package_id: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    seq: Mapped[int] = mapped_column(
        sa.BigInteger, sa.Sequence("govshare_dcat_fragment_seq"), nullable=False, unique=True)
    owner_org: Mapped[str | None] = mapped_column(sa.Text, index=True)
    state: Mapped[str] = mapped_column(sa.Text, nullable=False)
    modified: Mapped[datetime.datetime] = mapped_column(sa.DateTime(timezone=True), nullable=False)
    meta_ttl: Mapped[str] = mapped_column(sa.Text, nullable=False)
    data_ttl: Mapped[str] = mapped_column(sa.Text, nullable=False)
    guarded_ttl: Mapped[str] = mapped_column(sa.Text, nullable=False)
    meta_jsonld: Mapped[str] = mapped_column(sa.Text, nullable=False)
    data_jsonld: Mapped[str] = mapped_column(sa.Text, nullable=False)
    guarded_jsonld: Mapped[str] = mapped_column(sa.Text, nullable=False)
    meta_xml: Mapped[str] = mapped_column(sa.Text, nullable=False)
    data_xml: Mapped[str] = mapped_column(sa.Text, nullable=False)
    guarded_xml: Mapped[str] = mapped_column(sa.Text, nullable=False)
    built: Mapped[datetime.datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, default=base.now)


class HarvestRequest(tk.BaseModel):
    __tablename__ = "govshare_harvest_request"

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(sa.Text, nullable=False, index=True)
    at: Mapped[datetime.datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, default=base.now)
    format: Mapped[str] = mapped_column(sa.Text, nullable=False)
    modified_since: Mapped[datetime.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    after_seq: Mapped[int | None] = mapped_column(sa.BigInteger)
    entries: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    def dictize(self) -> dict[str, Any]:
        return {"id": self.id, "user_id": self.user_id, "at": self.at.isoformat(),
                "format": self.format, "entries": self.entries,
                "modified_since": self.modified_since.isoformat() if self.modified_since else None}


class HarvestDelivery(tk.BaseModel):
    __tablename__ = "govshare_harvest_delivery"

    package_id: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    owner_org: Mapped[str | None] = mapped_column(sa.Text, index=True)
    first_at: Mapped[datetime.datetime] = mapped_column(sa.DateTime(timezone=True), nullable=False)
    last_at: Mapped[datetime.datetime] = mapped_column(sa.DateTime(timezone=True), nullable=False)
    modified: Mapped[datetime.datetime] = mapped_column(sa.DateTime(timezone=True), nullable=False)
