"""Duplicate sources (DB14 §8.1 一数一源): catalogue entries that describe the same data.

Two entries are possible duplicates when their normalized titles are equal, or when the sets of
their 信息项 names overlap by at least the configured Jaccard threshold
(``ckanext.govshare.duplicates.threshold``, default 0.8). The pure part (normalization, Jaccard,
:func:`compare`) has no database; :func:`candidates` loads the entries a user may see and
:func:`find_for` / :func:`report` compare against them. The reviewer sees the matches of an
entry at review time; the department report lists every pair touching the department.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from ckanext.govshare import permissions
from ckanext.govshare.catalogue import fields, queries

__all__ = [
    "normalize_title", "normalize_name", "item_names", "jaccard", "compare",
    "candidates", "find_for", "report",
]

# punctuation and spacing, ASCII and CJK, brackets kept out but their contents kept
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
# generic endings that do not change what data an entry describes (企业登记信息 = 企业登记数据)
_GENERIC_SUFFIXES = ("信息表", "数据表", "信息", "数据", "目录", "清单", "表")


def normalize_title(title: Any) -> str:
    """NFKC, case-folded, without spaces/punctuation and without one generic ending."""
    text = _NOISE.sub("", unicodedata.normalize("NFKC", str(title or "")).casefold())
    for suffix in _GENERIC_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def normalize_name(name: Any) -> str:
    """An 信息项 name for comparison: NFKC, case-folded, without spaces/punctuation."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", str(name or "")).casefold())


def item_names(info_items: Any) -> frozenset[str]:
    """The normalized names of an entry's 信息项 (a list of dicts, its JSON text, or a set of
    names already normalized)."""
    if isinstance(info_items, (set, frozenset)):
        return frozenset(info_items)
    if isinstance(info_items, str):
        try:
            info_items = json.loads(info_items) if info_items.strip() else []
        except ValueError:
            return frozenset()
    if not isinstance(info_items, list):
        return frozenset()
    names = (normalize_name(i.get("name")) for i in info_items if isinstance(i, Mapping))
    return frozenset(n for n in names if n)


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    """|a ∩ b| / |a ∪ b|; 0.0 when both are empty."""
    sa, sb = set(a), set(b)
    union = sa | sb
    return len(sa & sb) / len(union) if union else 0.0


def compare(a: Mapping[str, Any], b: Mapping[str, Any], threshold: float) -> dict[str, Any] | None:
    """Why ``a`` and ``b`` look like the same data, or ``None``.

    Each is a mapping with ``title`` and ``info_items`` (list or JSON text).
    Returns ``{"reasons": [...], "title_match": bool, "jaccard": float}``.
    """
    # DB14 §8.1 一数一源: one set of data, one source
    title_match = bool(normalize_title(a.get("title"))) and \
        normalize_title(a.get("title")) == normalize_title(b.get("title"))
    score = jaccard(item_names(a.get(fields.INFO_ITEMS)), item_names(b.get(fields.INFO_ITEMS)))
    reasons = [reason for reason, hit in (("title", title_match),
                                          (fields.INFO_ITEMS, score >= threshold)) if hit]
    if not reasons:
        return None
    return {"reasons": reasons, "title_match": title_match, "jaccard": round(score, 4)}


# -- the portal's entries ------------------------------------------------------------------------


def candidates(visible_orgs: list[str] | None) -> list[dict[str, Any]]:
    """Active catalogue entries a user may compare against.

    All entries of ``visible_orgs`` (the user's departments; ``None``: all, a sysadmin) and
    the published or offline entries of every other department.
    """
    return [{"id": r.id, "name": r.name, "title": r.title,
             "organization_id": r.owner_org, "organization_name": r.org_name,
             "organization_title": r.org_title or r.org_name, fields.CATALOGUE_STATE: r.state,
             fields.RESOURCE_CODE: r.code, "unit": r.unit,
             fields.INFO_ITEMS: item_names(r.info_items)}
            for r in queries.entries_to_compare()
            if permissions.can_see_entry_row(visible_orgs, r.owner_org, r.state)]


def _public(e: Mapping[str, Any]) -> dict[str, Any]:
    return {k: e.get(k) for k in ("id", "name", "title", "organization_id", "organization_name",
                                  "organization_title", fields.CATALOGUE_STATE,
                                  fields.RESOURCE_CODE, "unit")}


def find_for(entry: Mapping[str, Any], pool: list[dict[str, Any]],
             threshold: float) -> list[dict[str, Any]]:
    """The entries of ``pool`` that look like ``entry`` (itself excluded), best first."""
    found = []
    for other in pool:
        if other["id"] == entry.get("id"):
            continue
        match = compare(entry, other, threshold)
        if match:
            found.append(dict(_public(other), **match))
    return sorted(found, key=lambda m: (not m["title_match"], -m["jaccard"], m["title"] or ""))


def report(org_id: str, pool: list[dict[str, Any]], threshold: float) -> list[dict[str, Any]]:
    """Every pair of possible duplicates with at least one entry of department ``org_id``.

    Compares the department's entries with the whole pool (department × portal, not
    portal × portal), each pair once.
    """
    pairs = []
    seen: set[str] = set()
    for a in pool:
        if a["organization_id"] != org_id:
            continue
        seen.add(a["id"])
        for b in pool:
            if b["id"] in seen:
                continue
            match = compare(a, b, threshold)
            if match:
                pairs.append(dict(match, entry=_public(a), duplicate=_public(b)))
    return sorted(pairs, key=lambda m: (not m["title_match"], -m["jaccard"]))
