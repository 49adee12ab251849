"""The statistics' SQL: one statement per chart, over CKAN's ``package`` table (and its
``extras``), the lifecycle's audit trail (``govshare_audit``), the sharing cases
(``govshare_case``, ``govshare_case_event``) and the assessment snapshots.

Every statement takes ``:orgs``, the departments of the scope (``NULL``: the whole portal), and
only ever returns counts and averages grouped by a code or a month — never an entry's title,
name or id. Working days are counted against ``:workdays``, the working dates of the calendar
(Chinese statutory holidays and make-up days) that :mod:`.service` passes in. Bound parameters
only: field names and values reach the database as parameters; no statement is built from
values.
"""
from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

import ckan.model as model
import sqlalchemy as sa

from ckanext.govshare.catalogue import fields
from ckanext.govshare.lifecycle import tables
from ckanext.govshare.sharing import flows

__all__ = ["assessment_trend", "case_states", "entry_counts", "entry_counts_by_department",
           "replies_per_month", "requests_per_month", "review_times"]

#: Beijing time: months and working days are counted on local dates
TZ = "Asia/Shanghai"

_ENTRIES = """
    FROM package p
    WHERE p.state = 'active' AND p.type = 'dataset' AND p.extras ? :state_field
      AND (CAST(:orgs AS text[]) IS NULL OR p.owner_org = ANY(CAST(:orgs AS text[])))
"""

_ENTRY_COUNTS = sa.text(f"""
    SELECT COALESCE(p.extras->>:field, '') AS key, count(*) AS entries
    {_ENTRIES}
    GROUP BY 1 ORDER BY 2 DESC, 1
""")

_ENTRY_COUNTS_BY_DEPARTMENT = sa.text("""
    SELECT p.owner_org AS key, COALESCE(g.title, g.name, p.owner_org) AS title,
           count(*) AS entries,
           count(*) FILTER (WHERE p.extras->>:state_field = :published) AS published
    FROM package p LEFT JOIN "group" g ON g.id = p.owner_org
    WHERE p.state = 'active' AND p.type = 'dataset' AND p.extras ? :state_field
      AND (CAST(:orgs AS text[]) IS NULL OR p.owner_org = ANY(CAST(:orgs AS text[])))
    GROUP BY 1, 2 ORDER BY 3 DESC, 2
""")

# A decision of a review step is measured from the row that opened the step: the previous row
# of the same entry (or of the same revision) among the review rows. A first-stage approval
# both decides the reviewer's step and opens the coordinator's.
# ``cal``: every date from the calendar's first (``:workdays[1]``) to today, with ``n``, the
# working days up to and including it; working days after a and up to b = n(b) - n(a), a
# date before the calendar counting from its start. Hash joins: no scan of the calendar per row.
_CALENDAR = """
    cal AS (
        SELECT g::date AS day, count(w.d) OVER (ORDER BY g) AS n
        FROM generate_series(CAST(:cal_first AS date), CAST(:cal_last AS date),
                             interval '1 day') AS g
        LEFT JOIN unnest(CAST(:workdays AS date[])) AS w(d) ON w.d = g::date
    )
"""

# A decision of a review step is measured from the row that opened the step: the previous row
# of the same entry (or of the same revision) among the review rows. A first-stage approval
# both decides the reviewer's step and opens the coordinator's.
_REVIEW_TIMES = sa.text(f"""
    WITH {_CALENDAR}, steps AS (
        SELECT a.action, a.at,
               lag(a.action) OVER w AS opened_by, lag(a.at) OVER w AS opened_at
        FROM govshare_audit a
        WHERE a.action = ANY(CAST(:actions AS text[]))
          AND (CAST(:orgs AS text[]) IS NULL OR a.org_id = ANY(CAST(:orgs AS text[])))
        WINDOW w AS (PARTITION BY a.entry_id, COALESCE(a.revision_id, '') ORDER BY a.at, a.id)
    ), decided AS (
        SELECT to_char(s.at AT TIME ZONE :tz, 'YYYY-MM') AS month,
               CASE WHEN s.action = ANY(CAST(:revision_decisions AS text[])) THEN 'revision'
                    WHEN s.action = ANY(CAST(:offline_decisions AS text[])) THEN 'offline'
                    ELSE 'review' END AS kind,
               b.n - COALESCE(a.n, 0) AS days
        FROM steps s
        JOIN cal b ON b.day = (s.at AT TIME ZONE :tz)::date
        LEFT JOIN cal a ON a.day = (s.opened_at AT TIME ZONE :tz)::date
        WHERE s.action = ANY(CAST(:decisions AS text[]))
          AND s.opened_by = ANY(CAST(:openings AS text[])) AND s.at >= :since
    )
    SELECT month, count(*) AS decided,
           count(*) FILTER (WHERE days <= CASE kind WHEN 'revision' THEN :revision_days
                                                     WHEN 'offline' THEN :offline_days
                                                     ELSE :review_days END) AS on_time,
           avg(days) AS average_days
    FROM decided GROUP BY month ORDER BY month
""")

_REQUESTS_PER_MONTH = sa.text("""
    SELECT to_char(c.created AT TIME ZONE :tz, 'YYYY-MM') AS month,
           count(*) FILTER (WHERE CAST(:orgs AS text[]) IS NULL
                            OR c.target_org = ANY(CAST(:orgs AS text[]))) AS received,
           count(*) FILTER (WHERE CAST(:orgs AS text[]) IS NULL
                            OR c.requester_org = ANY(CAST(:orgs AS text[]))) AS sent,
           count(*) FILTER (WHERE c.state = ANY(CAST(:granted AS text[]))
                            AND (CAST(:orgs AS text[]) IS NULL
                                 OR c.target_org = ANY(CAST(:orgs AS text[])))) AS granted
    FROM govshare_case c
    WHERE c.kind = :kind AND c.created >= :since
      AND (CAST(:orgs AS text[]) IS NULL OR c.target_org = ANY(CAST(:orgs AS text[]))
           OR c.requester_org = ANY(CAST(:orgs AS text[])))
    GROUP BY 1 ORDER BY 1
""")

# The providing department's answer to a request (approve, refuse, return, grant: not the
# requester's withdrawal), measured from the event that put the request before it.
_REPLIES_PER_MONTH = sa.text(f"""
    WITH {_CALENDAR}, events AS (
        SELECT e.at, e.case_id, e.from_state, e.to_state, e.action,
               max(e.at) FILTER (WHERE e.to_state = :review_state
                                 AND e.from_state IS DISTINCT FROM :review_state)
                   OVER (PARTITION BY e.case_id ORDER BY e.at, e.id
                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS opened
        FROM govshare_case_event e
        WHERE e.kind = :kind
    ), replies AS (
        SELECT e.at, e.opened,
               COALESCE((c.data->>'must_publish_first')::boolean, false) AS unpublished
        FROM events e
        JOIN govshare_case c ON c.id = e.case_id
        WHERE e.from_state = :review_state AND e.to_state <> :review_state
          AND e.action <> :withdraw AND e.opened IS NOT NULL AND e.at >= :since
          AND (CAST(:orgs AS text[]) IS NULL OR c.target_org = ANY(CAST(:orgs AS text[])))
    ), timed AS (
        SELECT r.at, r.unpublished, b.n - COALESCE(a.n, 0) AS days
        FROM replies r
        JOIN cal b ON b.day = (r.at AT TIME ZONE :tz)::date
        LEFT JOIN cal a ON a.day = (r.opened AT TIME ZONE :tz)::date
    )
    SELECT to_char(at AT TIME ZONE :tz, 'YYYY-MM') AS month, count(*) AS replied,
           count(*) FILTER (WHERE days <= CASE WHEN unpublished THEN :reply_unpublished_days
                                               ELSE :reply_days END) AS on_time,
           avg(days) AS average_days
    FROM timed GROUP BY 1 ORDER BY 1
""")

_CASE_STATES = sa.text("""
    SELECT c.state AS key, count(*) AS cases,
           count(*) FILTER (WHERE c.due_at IS NOT NULL AND c.due_at < :now) AS overdue
    FROM govshare_case c
    WHERE c.kind = :kind
      AND (CAST(:orgs AS text[]) IS NULL OR c.target_org = ANY(CAST(:orgs AS text[])))
    GROUP BY 1 ORDER BY 2 DESC, 1
""")

_ASSESSMENT_TREND = sa.text("""
    SELECT s.period AS month, avg(s.score) AS score,
           avg(s.comprehensiveness) AS comprehensiveness, avg(s.completeness) AS completeness,
           avg(s.accuracy) AS accuracy, avg(s.timeliness) AS timeliness,
           count(DISTINCT s.org_id) AS departments
    FROM govshare_assessment_snapshot s
    WHERE s.unit = '' AND s.period >= :first AND s.period <= :last
      AND (CAST(:orgs AS text[]) IS NULL OR s.org_id = ANY(CAST(:orgs AS text[])))
    GROUP BY 1 ORDER BY 1
""")


def _run(statement: Any, **params: Any) -> list[Any]:
    return model.Session.execute(statement, params).all()


def _calendar(workdays: list[datetime.date], until: datetime.date) -> dict[str, Any]:
    """The parameters of ``cal``: the working dates and the span they cover, to ``until``."""
    return {"workdays": workdays, "cal_first": workdays[0] if workdays else until,
            "cal_last": until}


def _scope(orgs: Sequence[str] | None) -> list[str] | None:
    return None if orgs is None else list(orgs)


def entry_counts(orgs: Sequence[str] | None, field: str) -> list[Any]:
    """``key`` (the value of the entry field ``field``, ``''`` when empty), ``entries``."""
    return _run(_ENTRY_COUNTS, orgs=_scope(orgs), field=field,
                state_field=fields.CATALOGUE_STATE)


def entry_counts_by_department(orgs: Sequence[str] | None) -> list[Any]:
    """``key`` (the department's id), ``title``, ``entries``, ``published``."""
    return _run(_ENTRY_COUNTS_BY_DEPARTMENT, orgs=_scope(orgs),
                state_field=fields.CATALOGUE_STATE, published=tables.PUBLISHED)


def review_times(orgs: Sequence[str] | None, since: datetime.datetime,
                 workdays: list[datetime.date], until: datetime.date,
                 limits: dict[str, int]) -> list[Any]:
    """Per month of decision: ``decided``, ``on_time`` (within the step's limit of working
    days: ``limits`` by ``review``, ``revision``, ``offline``), ``average_days``; ``workdays``
    the working dates up to ``until`` (today, Beijing time)."""
    revision_decisions = [f"revision_{tables.APPROVE}", f"revision_{tables.RETURN}"]
    offline_decisions = [tables.APPROVE_OFFLINE, tables.REJECT_OFFLINE]
    decisions = [tables.APPROVE, tables.RETURN, *offline_decisions, *revision_decisions]
    openings = [tables.SUBMIT, tables.APPROVE, tables.REQUEST_OFFLINE,
                f"revision_{tables.SUBMIT}", f"revision_{tables.APPROVE}"]
    return _run(_REVIEW_TIMES, orgs=_scope(orgs), since=since, **_calendar(workdays, until), tz=TZ,
                actions=sorted(set(decisions) | set(openings)), decisions=decisions,
                openings=openings, revision_decisions=revision_decisions,
                offline_decisions=offline_decisions, review_days=limits["review"],
                revision_days=limits["revision"], offline_days=limits["offline"])


def requests_per_month(orgs: Sequence[str] | None, since: datetime.datetime) -> list[Any]:
    """Access requests per month filed: ``received`` (by the scope's departments as
    providers), ``sent`` (by them as requesters), ``granted`` (received, approved or
    delivered now)."""
    return _run(_REQUESTS_PER_MONTH, orgs=_scope(orgs), since=since, tz=TZ,
                kind=flows.ACCESS_REQUEST, granted=[flows.APPROVED, flows.DELIVERED])


def replies_per_month(orgs: Sequence[str] | None, since: datetime.datetime,
                      workdays: list[datetime.date], until: datetime.date, reply_days: int,
                      reply_unpublished_days: int) -> list[Any]:
    """The providers' answers to access requests per month: ``replied``, ``on_time`` (within
    ``reply_days`` working days, ``reply_unpublished_days`` for data still to be published),
    ``average_days``."""
    return _run(_REPLIES_PER_MONTH, orgs=_scope(orgs), since=since, **_calendar(workdays, until), tz=TZ,
                kind=flows.ACCESS_REQUEST, review_state=flows.PROVIDER_REVIEW,
                withdraw=flows.WITHDRAW, reply_days=reply_days,
                reply_unpublished_days=reply_unpublished_days)


def case_states(orgs: Sequence[str] | None, kind: str, now: datetime.datetime) -> list[Any]:
    """The cases of ``kind`` addressed to the scope's departments, by state: ``key``,
    ``cases``, ``overdue`` (open past their due time)."""
    return _run(_CASE_STATES, orgs=_scope(orgs), kind=kind, now=now)


def assessment_trend(orgs: Sequence[str] | None, first: str, last: str) -> list[Any]:
    """Per stored month (``YYYY-MM``) from ``first`` to ``last``: the mean of the
    departments' snapshot scores, and how many departments had one."""
    return _run(_ASSESSMENT_TREND, orgs=_scope(orgs), first=first, last=last)
