"""Catalogue compilation assessment (DB14 §7.4 目录编制考核) of a department or one of its units.

Four dimensions, each a share in [0, 1] with the counts it comes from:

* 全面性 ``comprehensiveness``: the mean of the share of the department's units with at least
  one entry and the share of the business matters the department declares (the organization
  field ``business_matters``) that at least one of its entries names in its own
  ``business_matters`` (compared by :func:`normalize_matter`). A department that declares no
  business matters, or a unit (matters are declared per department), is scored on its units
  alone and the matters' coverage is ``null`` with a note.
* 完整性 ``completeness``: per entry, the mean of (required + recommended fields filled,
  信息项 present, resources attached — not required of ``not_shared`` entries), averaged.
* 准确性 ``accuracy``: the share of entries passing every rule of :func:`rules.check_entry`
  and without an accepted correction in the period (``corrected``: a quality complaint about
  the entry that its provider accepted as an error and its complainant marked solved,
  :func:`.queries.corrected_entry_ids`; domain reference §E.9 "accepted 目录纠错").
* 时效性 ``timeliness``: reviews decided within the working-day limit (decisions in the period,
  from the audit trail, on the configured clock :func:`.lifecycle.service.step_due`, plus
  steps still open past ``due_at``) and published entries whose last data update
  (:func:`.lifecycle.queries.last_data_updates`) is within their cycle
  (:func:`.lifecycle.freshness.entry_freshness` ``fresh`` or ``due``).

The overall score weights the dimensions by ``ckanext.govshare.assessment.weights``; a
dimension without data drops out.

Monthly snapshots (``govshare_assessment_snapshot``, :mod:`.model.assessment`) keep the results
of past months for trends: :func:`take_snapshots` assesses a department and each of its units
for one month ``YYYY-MM`` and replaces that month's rows; :func:`list_snapshots` reads series.

Pure helpers come first (scoring, periods, the flat counts of a result); :func:`assess` and the
snapshot functions read and write the database.
"""
from __future__ import annotations

import datetime
import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.model.types import make_uuid
from sqlalchemy.dialects.postgresql import insert

from ckanext.govshare import config as gs_config
from ckanext.govshare.assessment import queries
from ckanext.govshare.catalogue import duplicates, rules, vocab
from ckanext.govshare.department import roles
from ckanext.govshare.lifecycle import deadlines, freshness
from ckanext.govshare.lifecycle import queries as lifecycle_queries
from ckanext.govshare.lifecycle import service as lifecycle_service
from ckanext.govshare.model.assessment import SCORES, AssessmentSnapshot
from ckanext.govshare.model.audit import AuditEntry
from ckanext.govshare.model.lifecycle import EntryLifecycle

log = logging.getLogger(__name__)

__all__ = ["RECOMMENDED_FIELDS", "SCORES", "COUNTS", "parse_period", "is_month", "previous_month",
           "last_month", "months_back", "completeness_of",
           "normalize_matter", "matters_coverage",
           "department_business_matters", "score", "scores_of", "counts_of", "assess",
           "take_snapshots", "list_snapshots", "trend", "department_names",
           "snapshot_departments", "snapshot_job"]

# recommended (not mandatory) metadata a complete entry carries besides REQUIRED_FIELDS
RECOMMENDED_FIELDS: tuple[str, ...] = ("source_system", "business_matters", "tags")

_OPEN_STEPS = {"in_review": "review", "offline_review": "offline_review"}
_PERIOD = re.compile(r"^(\d{4})(?:-(?:(\d{2})|Q([1-4])))?$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def parse_period(text: str | None, now: datetime.datetime) -> tuple[str, datetime.datetime,
                                                                    datetime.datetime]:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-Qn`` (Beijing time) → (label, start, end); default: the
    current month. Raises ``ValueError`` on anything else."""
    local = now.astimezone(deadlines.SHANGHAI)
    text = (text or f"{local.year:04d}-{local.month:02d}").strip()
    m = _PERIOD.match(text)
    if not m:
        raise ValueError(text)
    year = int(m.group(1))
    if m.group(2):
        first, months = int(m.group(2)), 1
        if not 1 <= first <= 12:
            raise ValueError(text)
    elif m.group(3):
        first, months = (int(m.group(3)) - 1) * 3 + 1, 3
    else:
        first, months = 1, 12
    start = datetime.datetime(year, first, 1, tzinfo=deadlines.SHANGHAI)
    end_index = first - 1 + months
    end = datetime.datetime(year + end_index // 12, end_index % 12 + 1, 1, tzinfo=deadlines.SHANGHAI)
    return text, start, end


def is_month(text: Any) -> bool:
    """Whether ``text`` is a month ``YYYY-MM`` (the period of a snapshot)."""
    return isinstance(text, str) and bool(_MONTH.match(text))


def _month_index(label: str) -> int:
    year, month = label.split("-")
    return int(year) * 12 + int(month) - 1


def _month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def previous_month(now: datetime.datetime) -> str:
    """The month before ``now``'s in Beijing time, ``YYYY-MM`` (the default snapshot)."""
    local = now.astimezone(deadlines.SHANGHAI)
    return _month_label(local.year * 12 + local.month - 2)


def last_month(period: str | None, now: datetime.datetime) -> str:
    """The last month ``YYYY-MM`` of a period (``2026`` → ``2026-12``, ``2026-Q2`` → ``2026-06``;
    default: the current month)."""
    _label, _start, end = parse_period(period, now)
    last = end - datetime.timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


def months_back(last: str, n: int) -> tuple[str, str]:
    """The first and last month of the ``n`` months (at least one) that end with ``last``."""
    return _month_label(_month_index(last) - max(n, 1) + 1), last


def _filled(value: Any) -> bool:
    if isinstance(value, (list, tuple, dict)):
        return bool(value)
    return value not in (None, "") and bool(str(value).strip())


def completeness_of(entry: Mapping[str, Any]) -> float:
    """One entry's completeness in [0, 1]."""
    # DB14 §7.4 完整性: metadata filled, 信息项 described, data attached
    fields = rules.REQUIRED_FIELDS + RECOMMENDED_FIELDS
    parts = [sum(_filled(entry.get(f)) for f in fields) / len(fields),
             1.0 if _filled(entry.get("info_items")) else 0.0]
    if entry.get("share_type") != "not_shared":
        parts.append(1.0 if _filled(entry.get("resources")) else 0.0)
    return sum(parts) / len(parts)


def _share(good: int, total: int) -> float | None:
    return round(good / total, 4) if total else None


def normalize_matter(text: Any) -> str:
    """A business matter as compared: NFKC (full-width forms folded), case folded, without
    whitespace or punctuation (企业设立、变更登记 = 企业设立 变更登记); ``""`` for a blank one.
    The normalization of 信息项 names (:func:`duplicates.normalize_name`)."""
    return duplicates.normalize_name(text)


def matters_coverage(declared: Iterable[Any], named: Iterable[Any]) -> dict[str, Any] | None:
    """How many ``declared`` business matters some entry names (``named``: every value of the
    entries' ``business_matters``).

    ``{"declared": n, "covered": k, "score": k / n, "uncovered": [...]}``, the uncovered ones as
    declared; declared matters equal after :func:`normalize_matter` count once, blanks not at
    all. ``None`` when nothing is declared.
    """
    # DB14 §7.4 全面性: the catalogue covers the department's business matters
    wanted: dict[str, str] = {}
    for matter in declared:
        key = normalize_matter(matter)
        if key:
            wanted.setdefault(key, str(matter).strip())
    if not wanted:
        return None
    present = {normalize_matter(m) for m in named}
    uncovered = [text for key, text in wanted.items() if key not in present]
    covered = len(wanted) - len(uncovered)
    return {"declared": len(wanted), "covered": covered,
            "score": _share(covered, len(wanted)), "uncovered": uncovered}


def _as_list(value: Any) -> list[Any]:
    """A repeating text value as a list: a list, a JSON list or one plain string."""
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            loaded = json.loads(value)
        except ValueError:
            return [value]
        return loaded if isinstance(loaded, list) else [value]
    return [value] if value not in (None, "") else []


def department_business_matters(org_id: str) -> list[str]:
    """The business matters (业务事项) a department declares: its organization field
    ``business_matters``, stored by ckanext-scheming as one JSON extra."""
    org = model.Group.get(org_id) if org_id else None
    if org is None or not org.is_organization:
        return []
    return [str(m) for m in _as_list((org.extras or {}).get("business_matters")) if m]


def score(dimensions: Mapping[str, Mapping[str, Any]], weights: Mapping[str, float]) -> float | None:
    """The weighted overall score; dimensions whose ``score`` is ``None`` drop out."""
    present = {k: d["score"] for k, d in dimensions.items() if d.get("score") is not None}
    total = sum(weights.get(k, 0.0) for k in present)
    if not total:
        return None
    return round(sum(weights.get(k, 0.0) * v for k, v in present.items()) / total, 4)


#: the counts behind an assessment's scores, flattened (snapshot ``counts``, export columns)
COUNTS: tuple[str, ...] = (
    "units", "units_with_entries", "business_matters_declared", "business_matters_covered",
    "entries", "with_info_items", "with_resources", "passing", "reviews_decided",
    "reviews_in_time", "reviews_open_overdue", "published", "within_cycle")


def scores_of(result: Mapping[str, Any]) -> dict[str, float | None]:
    """The overall score and the four dimension scores of an :func:`assess` result."""
    return {name: result["score"] if name == "score" else result[name]["score"]
            for name in SCORES}


def counts_of(result: Mapping[str, Any]) -> dict[str, int | None]:
    """The counts of an :func:`assess` result as one flat mapping (keys :data:`COUNTS`);
    the business matters' counts are ``None`` when none are declared."""
    c, k, a, t = (result[d] for d in ("comprehensiveness", "completeness", "accuracy",
                                       "timeliness"))
    matters = c.get("business_matters") or {}
    return {
        "units": c["units"], "units_with_entries": c["units_with_entries"],
        "business_matters_declared": matters.get("declared"),
        "business_matters_covered": matters.get("covered"),
        "entries": k["entries"], "with_info_items": k["with_info_items"],
        "with_resources": k["with_resources"], "passing": a["passing"],
        "reviews_decided": t["reviews"]["decided"], "reviews_in_time": t["reviews"]["in_time"],
        "reviews_open_overdue": t["reviews"]["open_overdue"],
        "published": t["updates"]["published"], "within_cycle": t["updates"]["within_cycle"],
    }


def _review_timeliness(
        rows: Iterable[Any], start: datetime.datetime, end: datetime.datetime,
        due: Callable[[str, datetime.datetime], datetime.datetime | None]) -> tuple[int, int]:
    """(decided in time, decided) for review steps decided in [start, end), from audit rows
    ordered by entry and time; ``due(clock, opened)`` is the step's deadline
    (:func:`.lifecycle.service.step_due`, the clock the steps ran on)."""
    opened: dict[str, tuple[str, datetime.datetime]] = {}
    in_time = decided = 0
    for row in rows:
        was = opened.get(row.entry_id)
        if was and row.to_state != was[0]:
            if start <= row.at < end:
                decided += 1
                due_at = due(_OPEN_STEPS[was[0]], was[1])
                in_time += due_at is None or not deadlines.is_overdue(due_at, row.at)
            opened.pop(row.entry_id, None)
        if row.to_state in _OPEN_STEPS and row.entry_id not in opened:
            opened[row.entry_id] = (row.to_state, row.at)
    return in_time, decided


def assess(org_id: str, unit: str | None, period: str | None,
           now: datetime.datetime) -> dict[str, Any]:
    """The assessment of department ``org_id`` (or its ``unit``) for ``period``."""
    label, start, end = parse_period(period, now)
    at = min(now, end)
    site = {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"],
            "ignore_auth": True}
    ids = queries.entry_ids(org_id, unit)
    entries = [tk.get_action("package_show")(dict(site, use_cache=False), {"id": i}) for i in ids]

    units = [u["code"] for u in roles.department_units(org_id)]
    if unit:
        units = [unit]
    with_entries = {e.get("provider_unit") for e in entries}
    covered = sum(u in with_entries for u in units)
    units_share = _share(covered, len(units))
    matters = None if unit else matters_coverage(
        department_business_matters(org_id),
        (m for e in entries for m in _as_list(e.get("business_matters"))))
    parts = [s for s in (units_share, matters and matters["score"]) if s is not None]
    comprehensiveness: dict[str, Any] = {
        "score": round(sum(parts) / len(parts), 4) if parts else None,
        "units": len(units), "units_with_entries": covered, "units_score": units_share,
        "business_matters": matters,
    }
    if matters is None:
        comprehensiveness["business_matters_note"] = (
            "业务事项按部门声明，内设机构不计算业务事项覆盖率 / business matters are declared per "
            "department; a unit's coverage is not computed" if unit else
            "部门未声明业务事项，未计算业务事项覆盖率 / the department declares no business "
            "matters; their coverage is not computed")

    complete = [completeness_of(e) for e in entries]
    completeness = {"score": round(sum(complete) / len(complete), 4) if complete else None,
                    "entries": len(entries),
                    "with_info_items": sum(_filled(e.get("info_items")) for e in entries),
                    "with_resources": sum(_filled(e.get("resources")) for e in entries)}

    scale, core = vocab.grade_scale(), gs_config.allow_core_sharing()
    # DB14 §7.4 准确性: every rule of the standard holds
    failing = {e["id"] for e in entries
               if rules.check_entry(e, grade_scale=scale, allow_core_sharing=core)}
    # DB14 §10.3–10.4: an error found through a quality complaint and corrected counts too
    corrected = queries.corrected_entry_ids(ids, start, end)
    accurate = len(set(ids) - failing - corrected)
    accuracy = {"score": _share(accurate, len(entries)), "entries": len(entries),
                "passing": len(entries) - len(failing), "corrected": len(corrected)}

    audit = (model.Session.query(AuditEntry).filter(AuditEntry.entry_id.in_(ids))
             .filter(AuditEntry.revision_id.is_(None))
             .order_by(AuditEntry.entry_id, AuditEntry.at, AuditEntry.id).all()) if ids else []
    in_time, decided = _review_timeliness(audit, start, end, lifecycle_service.step_due)
    open_late = (model.Session.query(EntryLifecycle).filter(EntryLifecycle.entry_id.in_(ids))
                 .filter(EntryLifecycle.due_at.isnot(None))
                 .filter(EntryLifecycle.due_at < at).count()) if ids else 0
    opts = gs_config.freshness_options()
    states: dict[str, int] = {}
    last_updates = lifecycle_queries.last_data_updates(ids)
    for e in entries:
        fresh = freshness.entry_freshness(e, last_updates.get(e["id"]), at, opts)
        if fresh is not None:
            states[fresh["state"]] = states.get(fresh["state"], 0) + 1
    published = sum(states.values())
    fresh = states.get("fresh", 0) + states.get("due", 0)
    reviews, review_total = in_time, decided + open_late
    good, total = reviews + fresh, review_total + published
    timeliness = {"score": _share(good, total),
                  "reviews": {"decided": decided, "in_time": in_time, "open_overdue": open_late,
                              "score": _share(reviews, review_total)},
                  "updates": {"published": published, "within_cycle": fresh,
                              "freshness": states, "score": _share(fresh, published)}}

    dimensions = {"comprehensiveness": comprehensiveness, "completeness": completeness,
                  "accuracy": accuracy, "timeliness": timeliness}
    weights = gs_config.assessment_weights()
    return {"organization_id": org_id, "unit": unit, "period": label,
            "period_start": start.isoformat(), "period_end": end.isoformat(),
            "weights": weights, "score": score(dimensions, weights), **dimensions}


# -- monthly snapshots ---------------------------------------------------------------------------


def _store(result: Mapping[str, Any], taken_by: str | None, taken_at: datetime.datetime) -> None:
    """Insert or replace the snapshot row of the result's department, unit and month."""
    values = {"org_id": result["organization_id"], "unit": result["unit"] or "",
              "period": result["period"], **scores_of(result), "counts": counts_of(result),
              "weights": dict(result["weights"]), "taken_at": taken_at, "taken_by": taken_by}
    stmt = insert(AssessmentSnapshot.__table__).values(id=make_uuid(), **values)
    replaced = {k: stmt.excluded[k] for k in values if k not in ("org_id", "unit", "period")}
    model.Session.execute(stmt.on_conflict_do_update(
        constraint="govshare_assessment_snapshot_key", set_=replaced))


def take_snapshots(org_id: str, period: str, now: datetime.datetime, taken_by: str | None,
                   commit: bool = True) -> list[dict[str, Any]]:
    """Assess department ``org_id`` and each of its units for the month ``period`` and store
    the results, replacing the month's earlier snapshot (also dropping rows of units the
    department no longer has). Returns the stored rows, the department's first."""
    if not is_month(period):
        raise ValueError(period)
    codes = [u["code"] for u in roles.department_units(org_id)]
    for unit in [None, *codes]:
        _store(assess(org_id, unit, period, now), taken_by, now)
    model.Session.execute(sa.delete(AssessmentSnapshot.__table__).where(
        AssessmentSnapshot.org_id == org_id, AssessmentSnapshot.period == period,
        AssessmentSnapshot.unit.notin_(["", *codes])))
    if commit:
        model.Session.commit()
    return list_snapshots([org_id], include_units=True, period_from=period, period_to=period)


def list_snapshots(org_ids: list[str] | None, unit: str | None = None,
                   include_units: bool = False, period_from: str | None = None,
                   period_to: str | None = None) -> list[dict[str, Any]]:
    """Stored snapshots, oldest month first per department and unit (the department's rows
    before its units'). ``org_ids`` ``None``: every department; ``unit``: that unit's series;
    ``include_units``: the units' rows too; otherwise the departments' rows only."""
    S = AssessmentSnapshot
    q = model.Session.query(S)
    if org_ids is not None:
        q = q.filter(S.org_id.in_(org_ids))
    if unit:
        q = q.filter(S.unit == unit)
    elif not include_units:
        q = q.filter(S.unit == "")
    if period_from:
        q = q.filter(S.period >= period_from)
    if period_to:
        q = q.filter(S.period <= period_to)
    return [row.dictize() for row in q.order_by(S.org_id, S.unit, S.period)]


def trend(org_id: str, unit: str | None, last: str, months: int) -> list[dict[str, Any]]:
    """The stored snapshots of the ``months`` months ending with ``last``, oldest first: the
    month, the overall and dimension scores and when the snapshot was taken."""
    first, last = months_back(last, months)
    keep = ("period", *SCORES, "taken_at")
    return [{k: row[k] for k in keep}
            for row in list_snapshots([org_id], unit, False, first, last)]


def department_names() -> list[str]:
    """Names of every active department (organization), in name order."""
    return [g.name for g in model.Session.query(model.Group)
            .filter_by(is_organization=True, state="active").order_by(model.Group.name)]


def snapshot_departments(period: str | None, departments: Iterable[str] | None,
                         report: Any = None) -> list[dict[str, Any]]:
    """Store the month's snapshot of every (or each named) department as the site user,
    through ``govshare_assessment_snapshot_create``; ``report(ref, stored)`` after each."""
    site = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    out = []
    for ref in list(departments or []) or department_names():
        data = {"organization_id": ref, **({"period": period} if period else {})}
        stored = tk.get_action("govshare_assessment_snapshot_create")({"user": site}, data)
        if report is not None:
            report(ref, stored)
        out.append(stored)
    return out


def snapshot_job(period: str | None = None, departments: list[str] | None = None) -> None:
    """Background job (``tk.enqueue_job``): :func:`snapshot_departments`, logged."""
    snapshot_departments(period, departments, lambda ref, stored: log.info(
        "assessment snapshot %s of %s: %d row(s)", stored["period"], ref, stored["count"]))
