"""Duplicate sources (DB14 §8.1 一数一源): catalogue entries that describe the same data.

Two entries are possible duplicates when their normalized titles are equal, or when the sets of
their 信息项 names overlap by at least the configured Jaccard threshold
(``ckanext.govshare.duplicates.threshold``, default 0.8). The pure part (normalization, Jaccard,
:func:`compare`) has no database; :func:`candidates` loads the entries a user may see and
:func:`find_for` / :func:`report` compare against them. The reviewer sees the matches of an
entry at review time; the department report lists every pair touching the department,
grouped per entry (:func:`group`).

A pair someone with the right (:func:`ckanext.govshare.permissions.may_dismiss_duplicate`)
decided is *not* a duplicate is remembered (``govshare_duplicate_dismissal``) with each
entry's :func:`fingerprint` — its normalized title and the set of its normalized 信息项
names, exactly what :func:`compare` looks at — and left out of every result while both
fingerprints stay the same (:func:`dismissed_pairs`). A change of either entry's title or
信息项 that the comparison can see (not a change of spacing, punctuation, case or a generic
ending such as 信息/数据) brings the pair back, and the decision has to be taken again.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from typing import Any

import ckan.model as model
import sqlalchemy as sa

from ckanext.govshare import permissions
from ckanext.govshare.catalogue import fields, queries
from ckanext.govshare.model.duplicate import DuplicateDismissal

__all__ = [
    "normalize_title", "normalize_name", "item_names", "jaccard", "compare", "fingerprint",
    "pair_key", "group", "candidates", "public", "find_for", "report", "dismissed_pairs", "dismiss",
    "undismiss",
]

#: a pair of entry ids, the smaller first
Pair = tuple[str, str]

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


def fingerprint(entry: Mapping[str, Any]) -> str:
    """What :func:`compare` sees of an entry (``title``, ``info_items``), as a short hash: equal
    fingerprints compare alike against any other entry."""
    names = "\x1e".join(sorted(item_names(entry.get(fields.INFO_ITEMS))))
    text = f"{normalize_title(entry.get('title'))}\x1f{names}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def pair_key(a: str, b: str) -> Pair:
    """The pair of entry ids ``a`` and ``b``, the smaller first (how a decision is stored)."""
    return (a, b) if a < b else (b, a)


def group(pairs: Iterable[Mapping[str, Any]], org_id: str) -> list[dict[str, Any]]:
    """The report's pairs grouped per entry of department ``org_id``: ``[{"entry": …,
    "matches": [match, …]}]``, a pair of two of its entries under both; the groups with the
    most (and the strongest) matches first, then by title."""
    groups: dict[str, dict[str, Any]] = {}
    for p in pairs:
        for mine, other in ((p["entry"], p["duplicate"]), (p["duplicate"], p["entry"])):
            if mine.get("organization_id") != org_id:
                continue
            g = groups.setdefault(mine["id"], {"entry": mine, "matches": []})
            g["matches"].append(dict(other, reasons=p["reasons"], title_match=p["title_match"],
                                     jaccard=p["jaccard"]))
    for g in groups.values():
        g["matches"].sort(key=lambda m: (not m["title_match"], -m["jaccard"], m["title"] or ""))
    return sorted(groups.values(), key=lambda g: (
        -len(g["matches"]), not any(m["title_match"] for m in g["matches"]),
        g["entry"].get("title") or ""))


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


def public(e: Mapping[str, Any]) -> dict[str, Any]:
    """What a result shows of a pool entry (not its 信息项)."""
    return {k: e.get(k) for k in ("id", "name", "title", "organization_id", "organization_name",
                                  "organization_title", fields.CATALOGUE_STATE,
                                  fields.RESOURCE_CODE, "unit")}


def find_for(entry: Mapping[str, Any], pool: list[dict[str, Any]],
             threshold: float, dismissed: Collection[Pair] = ()) -> list[dict[str, Any]]:
    """The entries of ``pool`` that look like ``entry`` (itself excluded), best first; not
    those paired with it in ``dismissed``."""
    found = []
    for other in pool:
        if other["id"] == entry.get("id") or pair_key(other["id"], str(entry.get("id"))) \
                in dismissed:
            continue
        match = compare(entry, other, threshold)
        if match:
            found.append(dict(public(other), **match))
    return sorted(found, key=lambda m: (not m["title_match"], -m["jaccard"], m["title"] or ""))


def report(org_id: str, pool: list[dict[str, Any]], threshold: float,
           dismissed: Collection[Pair] = ()) -> list[dict[str, Any]]:
    """Every pair of possible duplicates with at least one entry of department ``org_id``,
    but those in ``dismissed``.

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
            if b["id"] in seen or pair_key(a["id"], b["id"]) in dismissed:
                continue
            match = compare(a, b, threshold)
            if match:
                pairs.append(dict(match, entry=public(a), duplicate=public(b)))
    return sorted(pairs, key=lambda m: (not m["title_match"], -m["jaccard"]))


# -- "not a duplicate" decisions -----------------------------------------------------------------


def dismissed_pairs(entries: Iterable[Mapping[str, Any]]) -> dict[Pair, dict[str, Any]]:
    """The decisions still in force among ``entries`` (each with ``id``, ``title`` and
    ``info_items``; a pending revision's proposal may stand in for its entry): pairs of two of
    them decided not to be duplicates while both had the fingerprints they have now."""
    prints = {e["id"]: fingerprint(e) for e in entries}
    if not prints:
        return {}
    ids = list(prints)
    rows = model.Session.query(DuplicateDismissal).filter(
        DuplicateDismissal.entry_a.in_(ids), DuplicateDismissal.entry_b.in_(ids))
    return {(r.entry_a, r.entry_b): r.dictize() for r in rows
            if prints.get(r.entry_a) == r.fingerprint_a
            and prints.get(r.entry_b) == r.fingerprint_b}


def dismiss(a: Mapping[str, Any], b: Mapping[str, Any], *, reason: str | None,
            actor: str | None, at: datetime.datetime) -> dict[str, Any]:
    """Record (or renew) the decision that entries ``a`` and ``b`` (``id``, ``title``,
    ``info_items``, ``organization_id``) are not duplicates, with their fingerprints now."""
    first, second = (a, b) if a["id"] < b["id"] else (b, a)
    row = model.Session.get(DuplicateDismissal, (first["id"], second["id"])) or \
        DuplicateDismissal(entry_a=first["id"], entry_b=second["id"])
    row.fingerprint_a, row.fingerprint_b = fingerprint(first), fingerprint(second)
    row.org_a, row.org_b = first.get("organization_id"), second.get("organization_id")
    row.reason, row.decided_by, row.decided_at = reason, actor, at
    model.Session.add(row)
    model.Session.flush()
    return row.dictize()


def undismiss(a: str, b: str) -> bool:
    """Take back the decision on entries ``a`` and ``b``; ``False`` when there was none."""
    first, second = pair_key(a, b)
    deleted = model.Session.execute(sa.delete(DuplicateDismissal).where(
        DuplicateDismissal.entry_a == first, DuplicateDismissal.entry_b == second))
    return bool(deleted.rowcount)
