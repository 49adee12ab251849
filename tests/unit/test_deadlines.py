"""The working-day clock (Chinese statutory holidays and 调休) and update-cycle freshness."""
from __future__ import annotations

import logging
import pathlib
from datetime import date, datetime, time, timedelta, timezone

import holidays
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ckanext.govshare.lifecycle import deadlines

SH = deadlines.SHANGHAI
THRESHOLDS = {"due_soon_ratio": 0.1, "grace_ratio": 0.1, "delinquent_cycles": 2, "irregular_days": 0}


@pytest.fixture(autouse=True)
def _fresh_warnings():
    deadlines._warned.clear()
    yield
    deadlines._warned.clear()


def due(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 23, 59, 59, tzinfo=SH)


# -- the calendar --------------------------------------------------------------------------------

# Make-up working days on a weekend (State Council notices for 2025 and 2026).
MAKE_UP_DAYS = [
    date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28), date(2025, 10, 11),
    date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20),
    date(2026, 10, 10),
]
# Weekdays off for Spring Festival and National Day.
DAYS_OFF = [
    *(date(2025, 1, 28) + timedelta(days=i) for i in range(8)),  # 1-28 … 2-4
    *(date(2025, 10, 1) + timedelta(days=i) for i in range(8)),  # 10-1 … 10-8
    *(date(2026, 2, 15) + timedelta(days=i) for i in range(9)),  # 2-15 … 2-23
    *(date(2026, 10, 1) + timedelta(days=i) for i in range(7)),  # 10-1 … 10-7
]


@pytest.mark.parametrize("day", MAKE_UP_DAYS, ids=str)
def test_make_up_weekend_days_are_working_days(day):
    """A Saturday or Sunday worked in lieu of a holiday (调休) is a working day."""
    assert day.weekday() >= 5
    assert deadlines.is_working_day(day)


@pytest.mark.parametrize("day", DAYS_OFF, ids=str)
def test_spring_festival_and_national_day_are_off(day):
    """Every day of the 2025 and 2026 Spring Festival and National Day breaks is not a working day."""
    assert not deadlines.is_working_day(day)


def test_ordinary_days():
    """An ordinary Monday works, an ordinary Saturday does not."""
    assert deadlines.is_working_day(date(2025, 3, 3))
    assert not deadlines.is_working_day(date(2025, 3, 8))


@pytest.mark.parametrize("year", [2025, 2026])
def test_libraries_agree(year):
    """holidays and chinese_calendar agree on every day of 2025 and 2026."""
    assert deadlines.calendar_disagreements(year) == []


def test_disagreement_is_logged_and_holidays_wins(monkeypatch, caplog):
    """If chinese_calendar disagrees with holidays the clock logs it once and follows holidays."""
    day = date(2025, 2, 8)
    monkeypatch.setattr(deadlines.chinese_calendar, "is_workday", lambda d: d != day)
    with caplog.at_level(logging.WARNING, logger=deadlines.__name__):
        assert deadlines.is_working_day(day)
        assert deadlines.is_working_day(day)
    assert [r.getMessage() for r in caplog.records if "disagree" in r.getMessage()] == [
        "holidays and chinese_calendar disagree on 2025-02-08 (working day: True vs False); "
        "using holidays"
    ]


def test_detected_last_official_year_is_guarded():
    """The detected last official year covers 2026, and the year after it counts Monday–Friday."""
    last = deadlines.detected_last_official_year()
    assert last >= 2026
    assert deadlines.calendar_source(last) == "holidays"
    assert deadlines.calendar_source(last + 1) == "weekdays"


def test_holidays_estimates_2027_silently():
    """holidays alone would call Monday 2027-02-08 a Spring Festival holiday: the guard is needed."""
    assert date(2027, 2, 8) in holidays.China(years=2027)


def test_2027_falls_back_to_weekdays_with_one_warning(caplog):
    """After the last official year, Monday–Friday are working days and a warning is logged once per year."""
    with caplog.at_level(logging.WARNING, logger=deadlines.__name__):
        assert deadlines.is_working_day(date(2027, 2, 8), last_official_year=2026)
        assert deadlines.is_working_day(date(2027, 10, 1), last_official_year=2026)
        assert not deadlines.is_working_day(date(2027, 2, 6), last_official_year=2026)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "2027" in warnings[0].getMessage() and "Monday-Friday" in warnings[0].getMessage()


def test_configured_last_official_year_caps_the_libraries(caplog):
    """A configured last official year of 2025 makes 2026's Spring Festival Eve a plain Monday."""
    with caplog.at_level(logging.WARNING, logger=deadlines.__name__):
        assert deadlines.is_working_day(date(2026, 2, 16), last_official_year=2025)
        assert not deadlines.is_working_day(date(2026, 2, 14), last_official_year=2025)
    assert len(caplog.records) == 1


def test_chinese_calendar_covers_a_year_holidays_lacks(monkeypatch):
    """A year only chinese_calendar has officially is answered by chinese_calendar, not by the estimate."""
    monkeypatch.setattr(deadlines, "_holidays_last_year", lambda: 2025)
    assert deadlines.calendar_source(2026) == "chinese_calendar"
    assert deadlines.is_working_day(date(2026, 2, 14))
    assert not deadlines.is_working_day(date(2026, 2, 23))


def test_last_official_year_prefers_configuration():
    """A configured last official year replaces detection; none (or 0) detects."""
    assert deadlines.last_official_year(2030) == 2030
    assert deadlines.last_official_year(None) == deadlines.detected_last_official_year()
    assert deadlines.last_official_year(0) == deadlines.detected_last_official_year()


# -- adding working days -------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "n", "expected"), [
    # 2025 Spring Festival: 1-28 … 2-4 off, Sunday 1-26 and Saturday 2-8 worked
    (date(2025, 1, 24), 1, due(2025, 1, 26)),
    (date(2025, 1, 24), 5, due(2025, 2, 7)),
    (date(2025, 1, 27), 1, due(2025, 2, 5)),
    (date(2025, 2, 7), 1, due(2025, 2, 8)),
    (date(2025, 2, 8), 5, due(2025, 2, 14)),
    # 2025 National Day: 10-1 … 10-8 off, Sunday 9-28 and Saturday 10-11 worked
    (date(2025, 9, 26), 1, due(2025, 9, 28)),
    (date(2025, 9, 30), 1, due(2025, 10, 9)),
    (date(2025, 9, 30), 3, due(2025, 10, 11)),
    # 2026 Spring Festival: 2-15 … 2-23 off, Saturdays 2-14 and 2-28 worked
    (date(2026, 2, 13), 1, due(2026, 2, 14)),
    (date(2026, 2, 13), 2, due(2026, 2, 24)),
    (date(2026, 2, 13), 5, due(2026, 2, 27)),
    (date(2026, 2, 13), 6, due(2026, 2, 28)),
    # 2026 National Day: 10-1 … 10-7 off, Sunday 9-20 and Saturday 10-10 worked
    (date(2026, 9, 30), 1, due(2026, 10, 8)),
    (date(2026, 9, 30), 2, due(2026, 10, 9)),
    (date(2026, 9, 30), 3, due(2026, 10, 10)),
    (date(2026, 9, 30), 5, due(2026, 10, 13)),
    (date(2026, 9, 30), 15, due(2026, 10, 27)),
    (date(2026, 9, 18), 1, due(2026, 9, 20)),
    # a 15-day update limit started on the 2026 Mid-Autumn Festival, over National Day
    (date(2026, 9, 25), 15, due(2026, 10, 22)),
], ids=str)
def test_add_working_days_over_holidays(start, n, expected):
    """The n-th working day after the start date, skipping holidays and counting make-up days, ends the limit."""
    assert deadlines.add_working_days(start, n) == expected


@pytest.mark.parametrize("start", [date(2025, 1, 30), date(2025, 2, 1), date(2025, 2, 2)], ids=str)
def test_start_on_non_working_day_counts_from_next_working_day(start):
    """A step started on a holiday or weekend has the next working day as its day 1."""
    assert deadlines.add_working_days(start, 1) == due(2025, 2, 5)


def test_due_at_is_end_of_day_in_shanghai():
    """The deadline is 23:59:59 Asia/Shanghai on the last working day, timezone-aware."""
    result = deadlines.add_working_days(datetime(2025, 3, 3, 9, 30, tzinfo=SH), 5)
    assert result.tzinfo is SH
    assert result.timetz() == time(23, 59, 59, tzinfo=SH)
    assert result.date() == date(2025, 3, 10)


def test_start_is_read_in_shanghai_time():
    """A UTC start just after midnight in Shanghai counts from the Shanghai date."""
    start = datetime(2025, 2, 6, 16, 30, tzinfo=timezone.utc)  # 2025-02-07 00:30 in Shanghai
    assert deadlines.add_working_days(start, 1) == due(2025, 2, 8)
    start = datetime(2025, 2, 6, 15, 30, tzinfo=timezone.utc)  # 2025-02-06 23:30 in Shanghai
    assert deadlines.add_working_days(start, 1) == due(2025, 2, 7)


def test_naive_datetime_refused():
    """A naive datetime is ambiguous (CKAN core keeps naive UTC) and is refused."""
    with pytest.raises(ValueError, match="naive"):
        deadlines.add_working_days(datetime(2025, 3, 3, 9, 30), 5)


@pytest.mark.parametrize("n", [0, -1])
def test_limit_must_be_positive(n):
    """A limit of fewer than one working day is refused."""
    with pytest.raises(ValueError):
        deadlines.add_working_days(date(2025, 3, 3), n)


def test_add_working_days_into_fallback_year():
    """A limit running into a year without an official schedule counts Monday–Friday there."""
    assert deadlines.add_working_days(date(2026, 12, 31), 1, last_official_year=2026) == due(
        2027, 1, 1
    )


def test_is_overdue():
    """A step is overdue strictly after its due time, compared in absolute time."""
    due_at = due(2025, 2, 7)
    assert not deadlines.is_overdue(due_at, due_at)
    assert deadlines.is_overdue(due_at, due_at + timedelta(seconds=1))
    assert not deadlines.is_overdue(due_at, datetime(2025, 2, 7, 15, 0, tzinfo=timezone.utc))


# -- counting working days -----------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b", "expected"), [
    (date(2025, 1, 27), date(2025, 2, 5), 1),
    (date(2025, 1, 24), date(2025, 2, 8), 6),
    (date(2025, 9, 30), date(2025, 10, 8), 0),
    (date(2026, 2, 13), date(2026, 2, 28), 6),
    (date(2025, 3, 3), date(2025, 3, 3), 0),
    (date(2025, 2, 5), date(2025, 1, 27), -1),
], ids=str)
def test_working_days_between(a, b, expected):
    """Working days after a's date up to and including b's date; negative when b is earlier."""
    assert deadlines.working_days_between(a, b) == expected


@settings(max_examples=60, deadline=None)
@given(
    st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 11, 30)),
    st.integers(min_value=1, max_value=20),
)
def test_working_days_between_inverts_add(start, n):
    """working_days_between(start, add_working_days(start, n)) is n, and the deadline is a working day."""
    end = deadlines.add_working_days(start, n)
    assert deadlines.working_days_between(start, end) == n
    assert deadlines.is_working_day(end.date())


# -- freshness -----------------------------------------------------------------------------------


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.mark.parametrize(("cycle", "last", "now", "expected"), [
    ("realtime", at(2025, 3, 1, 8), at(2025, 3, 2, 4), "fresh"),
    ("realtime", at(2025, 3, 1, 8), at(2025, 3, 2, 11), "overdue"),
    ("daily", at(2025, 3, 1, 8), at(2025, 3, 2, 4), "fresh"),
    ("daily", at(2025, 3, 1, 8), at(2025, 3, 2, 6), "due"),
    ("daily", at(2025, 3, 1, 8), at(2025, 3, 2, 10), "due"),
    ("daily", at(2025, 3, 1, 8), at(2025, 3, 2, 11), "overdue"),
    ("daily", at(2025, 3, 1, 8), at(2025, 3, 3, 11), "delinquent"),
    ("weekly", at(2025, 3, 3), at(2025, 3, 9), "fresh"),
    ("weekly", at(2025, 3, 3), at(2025, 3, 9, 12), "due"),
    ("weekly", at(2025, 3, 3), at(2025, 3, 11), "overdue"),
    ("weekly", at(2025, 3, 3), at(2025, 3, 18), "delinquent"),
    ("monthly", at(2025, 1, 31, 10), at(2025, 2, 25), "fresh"),
    ("monthly", at(2025, 1, 31, 10), at(2025, 2, 26), "due"),
    ("monthly", at(2025, 1, 31, 10), at(2025, 3, 2), "due"),
    ("monthly", at(2025, 1, 31, 10), at(2025, 3, 4), "overdue"),
    ("monthly", at(2025, 1, 31, 10), at(2025, 4, 4), "delinquent"),
    ("quarterly", at(2025, 1, 15), at(2025, 4, 1), "fresh"),
    ("quarterly", at(2025, 1, 15), at(2025, 4, 10), "due"),
    ("quarterly", at(2025, 1, 15), at(2025, 4, 30), "overdue"),
    ("quarterly", at(2025, 1, 15), at(2025, 8, 1), "delinquent"),
    ("half_yearly", at(2025, 1, 1), at(2025, 6, 1), "fresh"),
    ("half_yearly", at(2025, 1, 1), at(2025, 6, 20), "due"),
    ("half_yearly", at(2025, 1, 1), at(2025, 8, 1), "overdue"),
    ("half_yearly", at(2025, 1, 1), at(2026, 2, 1), "delinquent"),
    ("yearly", at(2024, 3, 1), at(2025, 1, 15), "fresh"),
    ("yearly", at(2024, 3, 1), at(2025, 2, 1), "due"),
    ("yearly", at(2024, 3, 1), at(2025, 5, 1), "overdue"),
    ("yearly", at(2024, 3, 1), at(2026, 5, 1), "delinquent"),
    ("irregular", at(2015, 1, 1), at(2025, 1, 1), "fresh"),
    ("other", at(2015, 1, 1), at(2025, 1, 1), "fresh"),
], ids=str)
def test_freshness_per_cycle(cycle, last, now, expected):
    """Each update cycle is fresh, due (near or just past the expected update), overdue, then delinquent."""
    assert deadlines.freshness(cycle, last, now, **THRESHOLDS) == expected


def test_irregular_cycle_when_configured():
    """irregular/other get a period only when irregular_days is configured."""
    options = {**THRESHOLDS, "irregular_days": 30}
    assert deadlines.freshness("irregular", at(2025, 1, 1), at(2025, 1, 20), **options) == "fresh"
    assert deadlines.freshness("other", at(2025, 1, 1), at(2025, 2, 10), **options) == "overdue"


def test_thresholds_are_arguments():
    """The thresholds come from the caller: a wider grace keeps an entry due, not overdue."""
    last, now = at(2025, 1, 31, 10), at(2025, 3, 4)
    assert deadlines.freshness("monthly", last, now, **THRESHOLDS) == "overdue"
    assert deadlines.freshness("monthly", last, now, **{**THRESHOLDS, "grace_ratio": 0.5}) == "due"
    assert deadlines.freshness("monthly", last, at(2025, 2, 20), **{
        **THRESHOLDS, "due_soon_ratio": 0.5}) == "due"


def test_next_update_due_clamps_months():
    """A monthly cycle from 31 January expects the next update on the last day of February."""
    assert deadlines.next_update_due("monthly", at(2025, 1, 31, 10), irregular_days=0) == at(
        2025, 2, 28, 10
    )
    assert deadlines.next_update_due("monthly", at(2024, 1, 31, 10), irregular_days=0) == at(
        2024, 2, 29, 10
    )
    assert deadlines.next_update_due("irregular", at(2024, 1, 31), irregular_days=0) is None


def test_freshness_reads_utc_in_shanghai_time():
    """A last update given in UTC is the same instant in Shanghai."""
    last = datetime(2025, 3, 1, 0, 0, tzinfo=timezone.utc)  # 08:00 in Shanghai
    assert deadlines.freshness("daily", last, at(2025, 3, 2, 5), **THRESHOLDS) == "fresh"


@pytest.mark.parametrize("bad", [
    {"update_cycle": "fortnightly"},
    {"update_cycle": ""},
    {"due_soon_ratio": 1.0},
    {"grace_ratio": -0.1},
    {"delinquent_cycles": 0},
    {"last_update": datetime(2025, 1, 1)},
])
def test_freshness_refuses_bad_input(bad):
    """An unknown cycle, impossible thresholds or a naive datetime are refused."""
    kwargs = {"update_cycle": "daily", "last_update": at(2025, 1, 1), "now": at(2025, 1, 2),
              **THRESHOLDS, **bad}
    with pytest.raises(ValueError):
        deadlines.freshness(**kwargs)


@given(
    st.sampled_from([c for c in deadlines.UPDATE_CYCLES]),
    st.lists(st.integers(min_value=0, max_value=3 * 366 * 24), min_size=2, max_size=6),
)
def test_freshness_never_improves_with_time(cycle, hours):
    """Without an update, an entry's freshness only gets worse as time passes."""
    last = at(2025, 1, 31, 10)
    order = [deadlines.FRESHNESS_STATES.index(
        deadlines.freshness(cycle, last, last + timedelta(hours=h), **THRESHOLDS)
    ) for h in sorted(hours)]
    assert order == sorted(order)


# -- configuration -------------------------------------------------------------------------------


def test_declared_defaults_are_the_issues():
    """The limits are config options with the issues' defaults: review 5, revision 5, offline 5,
    change 15; sharing (issue 10, domain reference B.4): endorsement 2, reply 5 (10 when the data
    must first be published), delivery 20, demand 10, collection 5, negotiation 10,
    coordination 10, complaint 5, grade sign-off 2."""
    path = pathlib.Path(deadlines.__file__).parents[1] / "config_declaration.yaml"
    options = {
        o["key"]: o for g in yaml.safe_load(path.read_text())["groups"] for o in g["options"]
    }
    prefix = "ckanext.govshare.deadline."
    assert {k[len(prefix):]: options[k]["default"] for k in options if k.startswith(prefix)} == {
        "review_days": 5,
        "revision_review_days": 5,
        "offline_review_days": 5,
        "update_after_change_days": 15,
        "endorsement_days": 2, "reply_days": 5, "reply_unpublished_days": 10,
        "delivery_days": 20, "demand_reply_days": 10, "collection_review_days": 5,
        "negotiation_days": 10, "coordination_days": 10, "complaint_reply_days": 5,
        "signoff_days": 2,
    }
    assert options["ckanext.govshare.calendar.last_official_year"]["default"] == ""
    assert options["ckanext.govshare.lifecycle.second_stage"]["default"] == ""
    for key in ("due_soon_ratio", "grace_ratio", "delinquent_cycles", "irregular_days"):
        assert f"ckanext.govshare.freshness.{key}" in options
