"""What a pending revision changes: the proposable part of an entry and its field-by-field diff.

Pure functions on dataset dicts (no database, no CKAN): the write service
(:mod:`~ckanext.govshare.lifecycle.service`) stores :func:`diff_entries` of the live entry and
the proposal with each revision and in the audit trail, and decides from it whether an edit of
a published entry needs review (:func:`~ckanext.govshare.lifecycle.machine.needs_review`).
Values are compared as a form or the API may spell them (:func:`same`: ``18`` and ``"18"``,
``None`` and ``""`` say the same).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ckanext.govshare.catalogue import fields

__all__ = ["NOT_PROPOSED", "diff_entries", "metadata", "same"]

#: keys of a shown dataset that are not the entry's metadata: never proposed, never diffed
NOT_PROPOSED = frozenset({
    "id", "type", "state", fields.OWNER_ORG, "organization", "creator_user_id", "private",
    "metadata_created", "metadata_modified", "revision_id", "resources", "num_resources",
    "num_tags", "relationships_as_object", "relationships_as_subject", "tracking_summary",
    "groups", fields.CATALOGUE_STATE, fields.ISSUED, "plugin_data",
})


def metadata(pkg_dict: Mapping[str, Any]) -> dict[str, Any]:
    """The proposable part of a dataset dict (no ids, timestamps, resources, lifecycle)."""
    return {k: v for k, v in pkg_dict.items()
            if k not in NOT_PROPOSED and not k.startswith("govshare_")}


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _plain(value: Any) -> Any:
    """A value as a form or the API may spell it: scalars as text, empty parts dropped."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if not _blank(v)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def same(a: Any, b: Any) -> bool:
    """Whether two values say the same (``18`` and ``"18"``, ``None`` and ``""`` do)."""
    return _plain(a) == _plain(b)


def _diff_list(old: list[Any], new: list[Any]) -> dict[str, Any]:
    """Item-by-item diff of a repeating field (信息项 keyed by ``name``, else by position)."""
    def key(i: int, item: Any) -> Any:
        return item.get("name") if isinstance(item, dict) and item.get("name") else i

    before = {key(i, x): x for i, x in enumerate(old)}
    after = {key(i, x): x for i, x in enumerate(new)}
    changed = []
    for k in after:
        if k in before and not same(before[k], after[k]):
            a, b = before[k], after[k]
            if isinstance(a, dict) and isinstance(b, dict):
                changes = {f: [a.get(f), b.get(f)] for f in sorted(set(a) | set(b))
                           if not same(a.get(f), b.get(f))}
            else:
                changes = {"value": [a, b]}
            changed.append({"key": k, "changes": changes})
    return {
        "added": [after[k] for k in after if k not in before],
        "removed": [before[k] for k in before if k not in after],
        "changed": changed,
    }


def _comparable(field: str, value: Any) -> Any:
    """What of a field's value says something: keywords by their names alone (a portal gives
    each tag an id of its own, so the same keywords loaded into another portal, or re-sent by
    a client that names them only, are no change), in any order."""
    if field == "tags" and isinstance(value, (list, tuple)):
        return sorted({str(t.get("name") if isinstance(t, Mapping) else t) for t in value})
    return value


def diff_entries(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Field-by-field diff of two entries' metadata: ``[{field, old, new[, items]}]``."""
    old, new = metadata(old), metadata(new)
    diff = []
    for field in sorted(set(old) | set(new)):
        a, b = old.get(field), new.get(field)
        if _blank(a) and _blank(b) or same(_comparable(field, a), _comparable(field, b)):
            continue
        change: dict[str, Any] = {"field": field, "old": a, "new": b}
        if isinstance(a, list) and isinstance(b, list):
            change["items"] = _diff_list(a, b)
        diff.append(change)
    return diff
