"""The assessment workbook without a database: sheet names Excel accepts, the sheets and their
bilingual headers (DB14 §7.4)."""
from __future__ import annotations

import io

import openpyxl

from ckanext.govshare.assessment import export as x


def test_sheet_title_cleans_shortens_and_dedupes():
    """No []:*?/\\ characters, at most 31 characters, unique regardless of case."""
    assert x.sheet_title("省市场监督管理局[试点]/2026", []) == "省市场监督管理局 试点  2026"
    long = "省" * 40
    first = x.sheet_title(long, [])
    second = x.sheet_title(long, [first])
    assert len(first) == len(second) == 31 and first != second and second.endswith(" (2)")
    assert x.sheet_title("Summary", ["summary"]) == "Summary (2)"
    assert x.sheet_title("", []) == "Sheet"


def _result(score):
    return {
        "score": score,
        "comprehensiveness": {"score": 1.0, "units": 1, "units_with_entries": 1,
                              "business_matters": None},
        "completeness": {"score": None, "entries": 0, "with_info_items": 0, "with_resources": 0},
        "accuracy": {"score": None, "entries": 0, "passing": 0},
        "timeliness": {"score": None,
                       "reviews": {"decided": 0, "in_time": 0, "open_overdue": 0},
                       "updates": {"published": 0, "within_cycle": 0}},
    }


def test_workbook_sheets_and_values():
    """Summary first, a sheet per department (names made safe), the trend last; missing
    scores stay empty cells, taken_at becomes Beijing time."""
    report = {"period": "2026-10", "departments": [{
        "name": "d", "title": "测试厅:一", "result": _result(1.0),
        "units": [{"code": "U1", "name": "一处", "result": _result(0.5)}],
        "trend": [{"unit": None, "period": "2026-10", "score": 1.0, "comprehensiveness": 1.0,
                   "completeness": None, "accuracy": None, "timeliness": None,
                   "taken_at": "2026-10-31T16:30:00+00:00"}],
    }]}
    wb = openpyxl.load_workbook(io.BytesIO(x.workbook(report)))
    assert wb.sheetnames == ["汇总 Summary", "测试厅 一", "趋势 Trend"]
    summary = list(wb["汇总 Summary"].iter_rows(values_only=True))
    assert summary[1][:5] == ("测试厅:一", "d", "2026-10", 1.0, 1.0)
    assert summary[1][5] is None  # completeness without entries
    units = list(wb["测试厅 一"].iter_rows(values_only=True))
    assert [r[:3] for r in units[1:]] == [(None, "全部门 / Whole department", 1.0),
                                          ("U1", "一处", 0.5)]
    trend = list(wb["趋势 Trend"].iter_rows(values_only=True))
    assert trend[1][:5] == ("测试厅:一", None, "全部门 / Whole department", "2026-10", 1.0)
    assert trend[1][-1].isoformat() == "2026-11-01T00:30:00"
