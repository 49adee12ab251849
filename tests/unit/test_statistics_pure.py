"""The statistics' pure parts: the months a chart covers and a chart's XLSX (issue #12 §6)."""
from __future__ import annotations

import datetime
import io

from python_calamine import CalamineWorkbook

from ckanext.govshare.statistics import export, service

UTC = datetime.timezone.utc


def test_months_end_with_the_current_beijing_month_across_a_year():
    """12 months ending with the current month in Beijing time (UTC 31 Dec 17:00 is already
    January there), oldest first, across the turn of the year."""
    now = datetime.datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    months = service.month_labels(now, 12)
    assert months[0] == "2026-02" and months[-1] == "2027-01" and len(months) == 12
    assert service.month_labels(now, 0) == ["2027-01"]


def test_workdays_skip_holidays_and_count_make_up_days():
    """The calendar passed to SQL: the National Day week is off, a make-up Saturday works."""
    days = set(service._workdays(datetime.date(2026, 9, 25), datetime.date(2026, 10, 12), 2026))
    assert datetime.date(2026, 10, 1) not in days and datetime.date(2026, 10, 7) not in days
    assert datetime.date(2026, 10, 9) in days and datetime.date(2026, 9, 26) not in days
    assert datetime.date(2026, 10, 10) in days  # 调休: a Saturday worked


def test_xlsx_is_the_chart_table():
    """Header, one row per category with numbers as numbers, then the title and note."""
    chart = {"name": "review_times", "title": "Reviews: on time?", "category": "Month",
             "series": [{"key": "on_time", "label": "On time", "unit": "count"},
                        {"key": "rate", "label": "Share", "unit": "percent"},
                        {"key": "days", "label": "Days", "unit": "days"}],
             "rows": [{"key": "2026-11", "label": "2026-11", "values": [3, 75.0, 2.5]},
                      {"key": "2026-12", "label": "2026-12", "values": [0, None, None]}],
             "note": "a note"}
    data = export.workbook(chart, "Dept 2026-01 – 2026-12")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert sheet.sheet_names == ["Reviews  on time "]
    rows = sheet.get_sheet_by_index(0).to_python()
    assert rows[0] == ["Month", "On time", "Share", "Days"]
    assert rows[1] == ["2026-11", 3.0, 75.0, 2.5]
    assert rows[2][:2] == ["2026-12", 0.0]
    assert [r[0] for r in rows[4:]] == ["Reviews: on time?", "Dept 2026-01 – 2026-12", "a note"]
    assert export.filename(chart, "sx-samr", ["2026-01", "2026-12"]) == \
        "sx-samr-review_times-2026-12.xlsx"
