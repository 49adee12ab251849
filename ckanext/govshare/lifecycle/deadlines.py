"""The working-day clock and update-cycle freshness (DB14 §7.3 时限, §7.4 时效性).

Working days come from maintained libraries, never from a table typed in here: ``holidays``
(``holidays.China``, labels in zh_CN) gives the statutory holidays and the make-up working days
(调休), ``chinese_calendar`` cross-checks it and covers a year ``holidays`` lacks. ``holidays``
silently *estimates* years without an official schedule (no make-up days), so years after the
last official year count Monday–Friday and log a warning once per year. The last official year is
detected from the libraries at run time, or set by ``ckanext.govshare.calendar.last_official_year``.

Conventions of the clock (Asia/Shanghai):

* the day a step starts is not counted (民法典 第二百零一条: 开始的当日不计入); working day 1 is
  the first working day after the start date, so a step started on a weekend or holiday counts
  from the next working day;
* a limit of *n* working days is due at 23:59:59 local time on working day *n*; a step is overdue
  when ``now > due_at``;
* ``date`` values are local calendar dates; datetimes must be timezone-aware (CKAN core keeps
  naive UTC, the extension's tables keep aware timestamps: the caller says which it has).

No limit is a literal here: callers pass the numbers they read through ``config`` getters.
"""
from __future__ import annotations

import calendar
import functools
import logging
import threading
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import holidays

__all__ = [
    "FRESHNESS_STATES",
    "SHANGHAI",
    "UPDATE_CYCLES",
    "add_working_days",
    "calendar_disagreements",
    "calendar_source",
    "detected_last_official_year",
    "freshness",
    "is_overdue",
    "is_working_day",
    "last_official_year",
    "next_update_due",
    "working_days_between",
]

log = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")

#: ``update_cycle`` codes (1272: 实时, 每日, 每周, 每月, 每季度, 每半年, 每年, 不定期, 其他) and the
#: calendar period each one promises: ``(days, months)``.
_CYCLE_PERIODS: dict[str, tuple[int, int]] = {
    "realtime": (1, 0),  # a real-time feed is expected to show an update every day at least
    "daily": (1, 0),
    "weekly": (7, 0),
    "monthly": (0, 1),
    "quarterly": (0, 3),
    "half_yearly": (0, 6),
    "yearly": (0, 12),
}
_OPEN_CYCLES = ("irregular", "other")
UPDATE_CYCLES: tuple[str, ...] = (*_CYCLE_PERIODS, *_OPEN_CYCLES)
FRESHNESS_STATES: tuple[str, ...] = ("fresh", "due", "overdue", "delinquent")

_SOURCE_HOLIDAYS = "holidays"
_SOURCE_CHINESE_CALENDAR = "chinese_calendar"
_SOURCE_WEEKDAYS = "weekdays"

_warned: set[tuple[str, object]] = set()
_warned_lock = threading.Lock()


def _warn_once(key: tuple[str, object], msg: str, *args: object) -> None:
    with _warned_lock:
        if key in _warned:
            return
        _warned.add(key)
    log.warning(msg, *args)


# -- which years have an official schedule -------------------------------------------------------


@functools.cache
def _holidays_last_year() -> int | None:
    """Last year ``holidays.China`` carries an official State Council schedule (its 调休 days)."""
    special = getattr(holidays.China(), "special_public_holidays", None) or {}
    return max(special) if special else None


@functools.cache
def _chinese_calendar_last_year() -> int | None:
    """Last year ``chinese_calendar`` has data for: it raises ``NotImplementedError`` beyond it."""

    def supported(year: int) -> bool:
        try:
            chinese_calendar.is_workday(date(year, 1, 1))
        except NotImplementedError:
            return False
        return True

    year = _holidays_last_year() or date.today().year
    if supported(year):
        # schedules are published a year ahead at most; never probe further than that
        while year <= date.today().year and supported(year + 1):
            year += 1
        return year
    for earlier in range(year - 1, year - 50, -1):
        if supported(earlier):
            return earlier
    return None


def detected_last_official_year() -> int:
    """The last year either library has an official schedule for."""
    years = [y for y in (_holidays_last_year(), _chinese_calendar_last_year()) if y is not None]
    if not years:
        raise RuntimeError("neither holidays nor chinese_calendar has an official schedule")
    return max(years)


def last_official_year(configured: int | None = None) -> int:
    """``configured`` (``ckanext.govshare.calendar.last_official_year``) or the detected year."""
    return configured if configured else detected_last_official_year()


def calendar_source(year: int, *, last_official_year: int | None = None) -> str:
    """Where working days of ``year`` come from: ``holidays``, ``chinese_calendar`` or ``weekdays``.

    ``holidays`` answers every official year it has; ``chinese_calendar`` answers an official
    year only it has; beyond the last official year both would guess, so it is Monday–Friday.
    A configured last official year above the detected one trusts ``holidays`` for those years.
    """
    last = _effective_last(last_official_year)
    if year > last:
        return _SOURCE_WEEKDAYS
    hol_last = _holidays_last_year()
    cc_last = _chinese_calendar_last_year()
    if hol_last is not None and hol_last < year and cc_last is not None and year <= cc_last:
        return _SOURCE_CHINESE_CALENDAR
    return _SOURCE_HOLIDAYS


def _effective_last(configured: int | None) -> int:
    return last_official_year(configured)


# -- working days --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _china(year: int) -> holidays.HolidayBase:
    """One populated ``holidays.China`` per year, only ever queried for dates of that year."""
    return holidays.China(years=year, language="zh_CN")


def is_working_day(day: date, *, last_official_year: int | None = None) -> bool:
    """Whether ``day`` (a local date) is a working day in mainland China."""
    if isinstance(day, datetime):
        day = _local(day).date()
    last = _effective_last(last_official_year)
    source = calendar_source(day.year, last_official_year=last)
    if source == _SOURCE_WEEKDAYS:
        _warn_once(
            ("weekdays", day.year),
            "No official holiday schedule for %s (last official year %s): counting "
            "Monday-Friday as working days; update holidays/chinesecalendar or set "
            "ckanext.govshare.calendar.last_official_year",
            day.year,
            last,
        )
        return day.weekday() < 5
    if source == _SOURCE_CHINESE_CALENDAR:
        return bool(chinese_calendar.is_workday(day))
    working = bool(_china(day.year).is_working_day(day))
    cc_last = _chinese_calendar_last_year()
    if cc_last is not None and day.year <= cc_last:
        cross = bool(chinese_calendar.is_workday(day))
        if cross != working:
            _warn_once(
                ("disagree", day),
                "holidays and chinese_calendar disagree on %s (working day: %s vs %s); "
                "using holidays",
                day,
                working,
                cross,
            )
    return working


def calendar_disagreements(year: int) -> list[date]:
    """Days of ``year`` on which ``holidays`` and ``chinese_calendar`` disagree (both must cover it)."""
    days = (date(year, 1, 1) + timedelta(days=i) for i in range(366))
    return [
        d
        for d in days
        if d.year == year
        and bool(_china(year).is_working_day(d)) != bool(chinese_calendar.is_workday(d))
    ]


def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: pass a timezone-aware datetime or a date")
    return moment.astimezone(SHANGHAI)


def _local_date(moment: date) -> date:
    return _local(moment).date() if isinstance(moment, datetime) else moment


def add_working_days(
    start: datetime | date, n: int, *, last_official_year: int | None = None
) -> datetime:
    """The deadline of an ``n``-working-day limit for a step started at ``start``.

    Working day 1 is the first working day after ``start``'s local date; the result is
    23:59:59 Asia/Shanghai on working day ``n``.
    """
    if n < 1:
        raise ValueError(f"a limit of working days must be at least 1, got {n}")
    day = _local_date(start)
    last = _effective_last(last_official_year)
    counted = 0
    while counted < n:
        day += timedelta(days=1)
        if is_working_day(day, last_official_year=last):
            counted += 1
    return datetime.combine(day, time(23, 59, 59), tzinfo=SHANGHAI)


def working_days_between(
    a: datetime | date, b: datetime | date, *, last_official_year: int | None = None
) -> int:
    """Working days after ``a``'s local date up to and including ``b``'s (negative if b < a).

    The inverse of :func:`add_working_days`: ``working_days_between(s, add_working_days(s, n))
    == n``; a review decided within its limit has ``working_days_between(submitted, decided)
    <= limit``.
    """
    first, second = _local_date(a), _local_date(b)
    if second < first:
        return -working_days_between(b, a, last_official_year=last_official_year)
    last = _effective_last(last_official_year)
    return sum(
        1
        for i in range(1, (second - first).days + 1)
        if is_working_day(first + timedelta(days=i), last_official_year=last)
    )


def is_overdue(due_at: datetime, now: datetime) -> bool:
    """Whether a step due at ``due_at`` is overdue at ``now`` (both timezone-aware)."""
    return _local(now) > _local(due_at)


# -- update-cycle freshness ----------------------------------------------------------------------


def _add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _advance(moment: datetime, update_cycle: str, cycles: int, irregular_days: int) -> datetime:
    if update_cycle in _OPEN_CYCLES:
        return moment + timedelta(days=irregular_days * cycles)
    days, months = _CYCLE_PERIODS[update_cycle]
    return _add_months(moment, months * cycles) + timedelta(days=days * cycles)


def _check_cycle(update_cycle: str) -> None:
    if update_cycle not in UPDATE_CYCLES:
        raise ValueError(f"unknown update_cycle {update_cycle!r}; one of {', '.join(UPDATE_CYCLES)}")


def next_update_due(
    update_cycle: str, last_update: datetime, *, irregular_days: int
) -> datetime | None:
    """When the cycle expects the next update (local time), ``None`` for an open cycle.

    ``irregular`` and ``other`` promise no date unless ``irregular_days`` (> 0) is configured.
    """
    _check_cycle(update_cycle)
    if update_cycle in _OPEN_CYCLES and irregular_days <= 0:
        return None
    return _advance(_local(last_update), update_cycle, 1, irregular_days)


def freshness(
    update_cycle: str,
    last_update: datetime,
    now: datetime,
    *,
    due_soon_ratio: float,
    grace_ratio: float,
    delinquent_cycles: int,
    irregular_days: int,
) -> str:
    """``fresh``, ``due``, ``overdue`` or ``delinquent`` for a published entry (§7.4 时效性).

    With ``expected`` = last update + one cycle (calendar months for monthly and longer, local
    time) and ``period`` = that cycle's length:

    * ``due`` from ``expected - due_soon_ratio × period`` until ``expected + grace_ratio × period``;
    * ``overdue`` after that;
    * ``delinquent`` after ``delinquent_cycles`` cycles + ``grace_ratio × period`` without an
      update (with ``delinquent_cycles`` 1 an entry goes straight from due to delinquent);
    * ``fresh`` before ``due``, and always for ``irregular``/``other`` unless ``irregular_days``
      gives them a period.
    """
    if not 0 <= due_soon_ratio < 1 or grace_ratio < 0 or delinquent_cycles < 1:
        raise ValueError("due_soon_ratio in [0, 1), grace_ratio >= 0 and delinquent_cycles >= 1")
    expected = next_update_due(update_cycle, last_update, irregular_days=irregular_days)
    if expected is None:
        return "fresh"
    last, current = _local(last_update), _local(now)
    period = expected - last
    grace = period * grace_ratio
    if current > _advance(last, update_cycle, delinquent_cycles, irregular_days) + grace:
        return "delinquent"
    if current > expected + grace:
        return "overdue"
    if current >= expected - period * due_soon_ratio:
        return "due"
    return "fresh"
