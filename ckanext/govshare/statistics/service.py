"""The statistics' charts: each one SQL statement of :mod:`.queries`, its rows labelled in the
page's language and laid out as a table (categories × series) that a page draws as a chart,
shows as a table and exports as XLSX.

A chart is a dict::

    {"name": "entries_by_share_type", "title": "…", "type": "doughnut" | "bar" | "line",
     "category": "<header of the first column>",
     "series": [{"key": "entries", "label": "…", "unit": "count" | "percent" | "days",
                 "drawn": bool}],
     "rows": [{"key": "<code or YYYY-MM>", "label": "…", "values": [n, …]}],
     "note": "…", "stacked": bool, "empty": bool}

``empty``: no figure other than zero (nothing to draw).

Monthly charts cover the ``ckanext.govshare.statistics.months`` months ending with the current
one (Beijing time), empty months included. A scope is the list of departments counted
(``None``: the whole portal); who may ask for which is :mod:`ckanext.govshare.permissions`'
decision, and a chart only ever holds counts and averages, never an entry.
"""
from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import ckan.plugins.toolkit as tk
from flask import has_request_context

from ckanext.govshare import config as gs_config
from ckanext.govshare.assessment import service as assessment
from ckanext.govshare.catalogue import fields, vocab
from ckanext.govshare.department import roles
from ckanext.govshare.lifecycle import deadlines, tables
from ckanext.govshare.lifecycle.labels import in_page_language
from ckanext.govshare.sharing import flows
from ckanext.govshare.statistics import queries

__all__ = ["CHARTS", "DEPARTMENT_CHARTS", "PORTAL_CHARTS", "build", "month_labels",
           "workdays"]

#: the charts of a department's page, in page order
DEPARTMENT_CHARTS: tuple[str, ...] = (
    "entries_by_share_type", "entries_by_state", "entries_by_unit", "entries_by_format",
    "entries_by_class", "review_times", "requests_per_month", "reply_times", "demands",
    "complaints", "assessment_trend")
#: the charts of the portal-wide page: by department instead of by unit
PORTAL_CHARTS: tuple[str, ...] = tuple(
    "entries_by_department" if name == "entries_by_unit" else name
    for name in DEPARTMENT_CHARTS)
#: every chart name
CHARTS: frozenset[str] = frozenset(DEPARTMENT_CHARTS) | frozenset(PORTAL_CHARTS)

#: the calendar reaches this far before the first month shown, for steps opened earlier
_CALENDAR_LEAD = datetime.timedelta(days=366)


# -- months and working days ---------------------------------------------------------------------


def _local(now: datetime.datetime) -> datetime.datetime:
    return now.astimezone(deadlines.SHANGHAI)


def month_labels(now: datetime.datetime, months: int) -> list[str]:
    """The ``months`` months (``YYYY-MM``, at least one) ending with ``now``'s, oldest first."""
    local = _local(now)
    last = f"{local.year:04d}-{local.month:02d}"
    first, _ = assessment.months_back(last, months)
    year, month = (int(p) for p in first.split("-"))
    out = []
    for _i in range(max(months, 1)):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _month_start(label: str) -> datetime.datetime:
    year, month = (int(p) for p in label.split("-"))
    return datetime.datetime(year, month, 1, tzinfo=deadlines.SHANGHAI)


@functools.lru_cache(maxsize=8)
def _workdays(first: datetime.date, last: datetime.date,
              last_official_year: int | None) -> tuple[datetime.date, ...]:
    days = []
    day = first
    while day <= last:
        if deadlines.is_working_day(day, last_official_year=last_official_year):
            days.append(day)
        day += datetime.timedelta(days=1)
    return tuple(days)


def workdays(since: datetime.datetime, now: datetime.datetime) -> list[datetime.date]:
    """The working dates (Chinese statutory holidays and make-up days, DB14 §7.3's clock) from
    a year before ``since`` up to ``now``, Beijing time."""
    return list(_workdays((_local(since) - _CALENDAR_LEAD).date(), _local(now).date(),
                          gs_config.calendar_last_official_year()))


# -- building blocks -----------------------------------------------------------------------------


def _series(key: str, label: str, unit: str = "count", drawn: bool = True) -> dict[str, Any]:
    return {"key": key, "label": label, "unit": unit, "drawn": drawn}


def _chart(name: str, title: str, kind: str, category: str, series: list[dict[str, Any]],
           rows: list[dict[str, Any]], note: str = "", stacked: bool = False) -> dict[str, Any]:
    return {"name": name, "title": title, "type": kind, "category": category,
            "series": series, "rows": rows, "note": note, "stacked": stacked,
            "empty": not any(v for r in rows for v in r["values"])}


def _row(key: str, label: str, values: Iterable[Any]) -> dict[str, Any]:
    return {"key": key, "label": label, "values": list(values)}


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _days(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


def _text(label: Any) -> str:
    """A two-language label (``zh``, ``en``) in the page's language; outside a request (the
    API from the command line) in the portal's default locale."""
    if has_request_context():
        return in_page_language(label)
    default = str(tk.config.get("ckan.locale_default") or "")
    return label.zh if default.startswith("zh") else label.en


def _term_label(terms: Iterable[Any], key: str) -> str:
    if not key:
        return tk._("Not given")
    term = vocab.lookup(terms, key)
    return _text(term) if term is not None else key


def _counts(name: str, title: str, kind: str, category: str, rows: Sequence[Any],
            label: Callable[[str], str]) -> dict[str, Any]:
    return _chart(name, title, kind, category, [_series("entries", tk._("Entries"))],
                  [_row(r.key, label(r.key), [r.entries]) for r in rows])


def _by_month(rows: Sequence[Any], months: list[str]) -> dict[str, Any]:
    found = {r.month: r for r in rows}
    return {m: found.get(m) for m in months}


# -- the charts ----------------------------------------------------------------------------------


def _entries_by_share_type(scope: Scope) -> dict[str, Any]:
    rows = queries.entry_counts(scope.orgs, fields.SHARE_TYPE)
    return _counts("entries_by_share_type", tk._("Entries by share type"), "doughnut",
                   tk._("Share type"), rows, lambda k: _term_label(vocab.SHARE_TYPES, k))


def _entries_by_state(scope: Scope) -> dict[str, Any]:
    rows = queries.entry_counts(scope.orgs, fields.CATALOGUE_STATE)
    states = tables.CATALOGUE_STATES
    rows = sorted(rows, key=lambda r: list(states).index(r.key) if r.key in states else 99)
    return _counts("entries_by_state", tk._("Entries by catalogue state"), "bar",
                   tk._("Catalogue state"), rows,
                   lambda k: _text(states[k]) if k in states else k)


def _entries_by_unit(scope: Scope) -> dict[str, Any]:
    units = {}
    for org_id in scope.orgs or ():
        units.update({u["code"]: u["name"] for u in roles.department_units(org_id)})
    rows = queries.entry_counts(scope.orgs, fields.PROVIDER_UNIT)
    return _counts("entries_by_unit", tk._("Entries by unit"), "bar", tk._("Unit"), rows,
                   lambda k: f"{k} {units[k]}" if k in units else (k or tk._("Not given")))


def _entries_by_department(scope: Scope) -> dict[str, Any]:
    rows = queries.entry_counts_by_department(scope.orgs)
    return _chart("entries_by_department", tk._("Entries by department"), "bar",
                  tk._("Department"),
                  [_series("entries", tk._("Entries")), _series("published", tk._("Published"))],
                  [_row(r.key, r.title, [r.entries, r.published]) for r in rows])


def _entries_by_format(scope: Scope) -> dict[str, Any]:
    rows = queries.entry_counts(scope.orgs, fields.FORMAT_CATEGORY)
    return _counts("entries_by_format", tk._("Entries by format"), "bar", tk._("Format"),
                   rows, lambda k: _term_label(vocab.FORMAT_CATEGORIES, k))


def _entries_by_class(scope: Scope) -> dict[str, Any]:
    rows = queries.entry_counts(scope.orgs, fields.CATALOG_CLASS)
    return _counts("entries_by_class", tk._("Entries by catalogue class"), "bar",
                   tk._("Catalogue class"), rows,
                   lambda k: _term_label(vocab.CATALOG_CLASSES, k))


def _timeliness_series(done: str) -> list[dict[str, Any]]:
    return [_series("on_time", tk._("Within the time limit")),
            _series("late", tk._("Late")),
            _series(done, tk._("Decided") if done == "decided" else tk._("Answered"),
                    drawn=False),
            _series("on_time_rate", tk._("Share within the time limit"), "percent",
                    drawn=False),
            _series("average_days", tk._("Average working days"), "days", drawn=False)]


def _timeliness_rows(by_month: Mapping[str, Any], done: str) -> list[dict[str, Any]]:
    out = []
    for month, r in by_month.items():
        total = getattr(r, done, 0) if r is not None else 0
        on_time = r.on_time if r is not None else 0
        out.append(_row(month, month, [on_time, total - on_time, total,
                                       _rate(on_time, total),
                                       _days(r.average_days) if r is not None else None]))
    return out


def _review_times(scope: Scope) -> dict[str, Any]:
    # DB14 §7.3: each review step has a time limit in working days
    limits = {"review": gs_config.deadline_review_days(),
              "revision": gs_config.deadline_revision_review_days(),
              "offline": gs_config.deadline_offline_review_days()}
    rows = queries.review_times(scope.orgs, scope.since, scope.workdays, scope.today, limits)
    return _chart(
        "review_times", tk._("Reviews decided within the time limit"), "bar", tk._("Month"),
        _timeliness_series("decided"), _timeliness_rows(_by_month(rows, scope.months),
                                                        "decided"),
        tk._("Working days from submission (or the previous stage) to each decision, against "
             "the limit of its step: {review} for a review, {revision} for a revision, "
             "{offline} for an offline request.").format(**limits), stacked=True)


def _requests_per_month(scope: Scope) -> dict[str, Any]:
    by_month = _by_month(queries.requests_per_month(scope.orgs, scope.since), scope.months)
    series = [_series("received", tk._("Received")), _series("granted", tk._("Approved or delivered"))]
    if scope.orgs is not None:
        series.insert(1, _series("sent", tk._("Sent")))
    keys = [s["key"] for s in series]
    return _chart(
        "requests_per_month", tk._("Access requests per month"), "line", tk._("Month"),
        series, [_row(m, m, [getattr(r, k) if r is not None else 0 for k in keys])
                 for m, r in by_month.items()],
        tk._("Received: requests for the data of the department's entries; sent: requests "
             "its members filed; granted: received requests approved or delivered.")
        if scope.orgs is not None else
        tk._("Requests filed per month; granted: approved or delivered."))


def _reply_times(scope: Scope) -> dict[str, Any]:
    # DB14 §9.3; domain reference B.4: the providing department answers within its limit
    reply = gs_config.deadline_days(flows.CLOCK_REPLY)
    unpublished = gs_config.deadline_days(flows.CLOCK_REPLY_UNPUBLISHED)
    rows = queries.replies_per_month(scope.orgs, scope.since, scope.workdays, scope.today,
                                     reply, unpublished)
    return _chart(
        "reply_times", tk._("Access requests answered within the time limit"), "bar",
        tk._("Month"), _timeliness_series("replied"),
        _timeliness_rows(_by_month(rows, scope.months), "replied"),
        tk._("Working days from the request reaching the providing department to its answer, "
             "against {reply} working days ({unpublished} when the data had first to be "
             "published).").format(reply=reply, unpublished=unpublished), stacked=True)


def _case_states(scope: Scope, name: str, title: str, kind: str,
                 states: Mapping[str, Any], note: str) -> dict[str, Any]:
    rows = queries.case_states(scope.orgs, kind, scope.now)
    rows = sorted(rows, key=lambda r: list(states).index(r.key) if r.key in states else 99)
    return _chart(name, title, "bar", tk._("State"),
                  [_series("cases", tk._("Cases")), _series("overdue", tk._("Overdue"))],
                  [_row(r.key, _text(states[r.key]) if r.key in states else r.key,
                        [r.cases, r.overdue]) for r in rows], note)


def _demands(scope: Scope) -> dict[str, Any]:
    chart = _case_states(scope, "demands", tk._("Data demands"), flows.DEMAND,
                         flows.DEMAND_STATES, "")
    total = sum(r["values"][0] for r in chart["rows"])
    fulfilled = sum(r["values"][0] for r in chart["rows"] if r["key"] == flows.FULFILLED)
    rate = _rate(fulfilled, total)
    chart["note"] = tk._("{fulfilled} of {total} demands fulfilled ({rate}).").format(
        fulfilled=fulfilled, total=total, rate="—" if rate is None else f"{rate}%")
    return chart


def _complaints(scope: Scope) -> dict[str, Any]:
    return _case_states(scope, "complaints", tk._("Quality complaints"), flows.COMPLAINT,
                        flows.COMPLAINT_STATES,
                        tk._("Complaints about the data of the department's entries, by "
                             "state; overdue: waiting for an answer past the time limit."))


def _assessment_trend(scope: Scope) -> dict[str, Any]:
    months = scope.months[-gs_config.assessment_trend_months():]
    by_month = _by_month(queries.assessment_trend(scope.orgs, months[0], months[-1]), months)
    keys = list(assessment.SCORES)
    labels = {"score": tk._("Overall score"), "comprehensiveness": tk._("Comprehensiveness"),
              "completeness": tk._("Completeness"), "accuracy": tk._("Accuracy"),
              "timeliness": tk._("Timeliness")}
    series = [_series(k, labels.get(k, k), "percent") for k in keys]
    rows = []
    for month, r in by_month.items():
        values = [None if r is None or getattr(r, k) is None else round(100 * getattr(r, k), 1)
                  for k in keys]
        if scope.orgs is None:
            values.append(r.departments if r is not None else 0)
        rows.append(_row(month, month, values))
    if scope.orgs is None:
        series.append(_series("departments", tk._("Departments assessed"), drawn=False))
    return _chart(
        "assessment_trend", tk._("Assessment trend"), "line", tk._("Month"), series, rows,
        tk._("Stored monthly snapshots of the catalogue compilation assessment (DB14 §7.4); "
             "the portal's figures are the departments' means."))


_BUILDERS: dict[str, Callable[[Scope], dict[str, Any]]] = {
    "entries_by_share_type": _entries_by_share_type,
    "entries_by_state": _entries_by_state,
    "entries_by_unit": _entries_by_unit,
    "entries_by_department": _entries_by_department,
    "entries_by_format": _entries_by_format,
    "entries_by_class": _entries_by_class,
    "review_times": _review_times,
    "requests_per_month": _requests_per_month,
    "reply_times": _reply_times,
    "demands": _demands,
    "complaints": _complaints,
    "assessment_trend": _assessment_trend,
}


class Scope:
    """What a set of charts counts: the departments (``None``: the portal), the months shown
    and the working-day calendar (computed once, only if a chart needs it)."""

    def __init__(self, orgs: Sequence[str] | None, now: datetime.datetime, months: int):
        self.orgs = None if orgs is None else list(orgs)
        self.now = now
        self.months = month_labels(now, months)
        self.since = _month_start(self.months[0])
        self.today = _local(now).date()

    @functools.cached_property
    def workdays(self) -> list[datetime.date]:
        return workdays(self.since, self.now)


def build(orgs: Sequence[str] | None, now: datetime.datetime,
          names: Iterable[str] | None = None) -> dict[str, Any]:
    """The charts ``names`` (default: all of the scope's, in page order) of the departments
    ``orgs`` (``None``: the whole portal) at ``now``.

    Returns ``{"months": [first, last], "charts": [...]}``. Raises ``KeyError`` for a chart
    the scope does not have.
    """
    scope = Scope(orgs, now, gs_config.statistics_months())
    available = PORTAL_CHARTS if orgs is None else DEPARTMENT_CHARTS
    wanted = list(available) if names is None else list(names)
    for name in wanted:
        if name not in available:
            raise KeyError(name)
    return {"months": [scope.months[0], scope.months[-1]],
            "charts": [_BUILDERS[name](scope) for name in wanted]}
