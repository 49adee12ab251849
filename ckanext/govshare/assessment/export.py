"""The assessment workbook (DB14 §7.4 目录编制考核) written by ``ckan govshare assessment export``.

One sheet ``汇总 Summary`` with a row per department (the overall score, the four dimensions
and the counts behind them), one sheet per department with a row for the whole department and
one per internal unit, and a sheet ``趋势 Trend`` with the stored monthly snapshots. Column
headers are bilingual, ``中文 / English``; scores are numbers formatted as percentages.

Pure: no CKAN, no database. The command collects the actions' results into a
:data:`Report`-shaped mapping and :func:`workbook` turns it into the bytes of an XLSX file.
"""
from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from ckanext.govshare.assessment.service import COUNTS, SCORES, counts_of, scores_of
from ckanext.govshare.xlsx import header_row

__all__ = ["SUMMARY_SHEET", "TREND_SHEET", "SCORE_HEADERS", "COUNT_HEADERS", "sheet_title",
           "workbook"]

TZ = ZoneInfo("Asia/Shanghai")
SUMMARY_SHEET = "汇总 Summary"
TREND_SHEET = "趋势 Trend"

#: (中文, English) of each score column, in :data:`~ckanext.govshare.assessment.SCORES` order
SCORE_HEADERS: dict[str, tuple[str, str]] = {
    "score": ("综合得分", "Overall score"),
    "comprehensiveness": ("全面性", "Comprehensiveness"),
    "completeness": ("完整性", "Completeness"),
    "accuracy": ("准确性", "Accuracy"),
    "timeliness": ("时效性", "Timeliness"),
}
#: (中文, English) of each count column, in :data:`~ckanext.govshare.assessment.COUNTS` order
COUNT_HEADERS: dict[str, tuple[str, str]] = {
    "units": ("内设机构数", "Units"),
    "units_with_entries": ("有目录条目的内设机构数", "Units with entries"),
    "business_matters_declared": ("声明的业务事项数", "Business matters declared"),
    "business_matters_covered": ("已覆盖的业务事项数", "Business matters covered"),
    "entries": ("目录条目数", "Entries"),
    "with_info_items": ("含信息项的条目数", "Entries with data elements"),
    "with_resources": ("含资源的条目数", "Entries with resources"),
    "passing": ("通过全部规则的条目数", "Entries passing every rule"),
    "reviews_decided": ("已审核数", "Reviews decided"),
    "reviews_in_time": ("按时审核数", "Reviews decided in time"),
    "reviews_open_overdue": ("超期未审数", "Open reviews overdue"),
    "published": ("已发布且有更新周期的条目数", "Published entries with an update cycle"),
    "within_cycle": ("按周期更新的条目数", "Entries updated within their cycle"),
}
_DEPARTMENT = ("部门", "Department")
_DEPARTMENT_NAME = ("部门标识", "Department name")
_PERIOD = ("考核周期", "Period")
_UNIT_CODE = ("内设机构代码", "Unit code")
_UNIT = ("内设机构", "Unit")
_MONTH = ("月份", "Month")
_TAKEN_AT = ("快照时间", "Snapshot taken at")
_WHOLE_DEPARTMENT = "全部门 / Whole department"

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_SHEET_MAX = 31  # Excel's limit on a sheet name


def _header(pair: tuple[str, str]) -> str:
    return f"{pair[0]} / {pair[1]}"


def sheet_title(title: str, taken: Iterable[str]) -> str:
    """A sheet name for ``title``: without the characters Excel refuses, at most 31
    characters, and not one of ``taken`` (compared case-insensitively, as Excel does)."""
    base = _BAD_SHEET_CHARS.sub(" ", title).strip().strip("'") or "Sheet"
    used = {t.casefold() for t in taken}
    name, n = base[:_SHEET_MAX], 1
    while name.casefold() in used:
        n += 1
        suffix = f" ({n})"
        name = base[: _SHEET_MAX - len(suffix)] + suffix
    return name


def _values(result: Mapping[str, Any]) -> list[Any]:
    scores, counts = scores_of(result), counts_of(result)
    return [scores[k] for k in SCORES] + [counts[k] for k in COUNTS]


def _snapshot_values(row: Mapping[str, Any]) -> list[Any]:
    return [row.get(k) for k in SCORES]


def _local(iso: str | None) -> datetime.datetime | None:
    """An ISO timestamp as naive Beijing time (Excel has no time zones)."""
    if not iso:
        return None
    return datetime.datetime.fromisoformat(iso).astimezone(TZ).replace(tzinfo=None)


def _write(wb: Workbook, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
           percent: set[int], widths: Mapping[int, int]) -> None:
    """One sheet: a bold header row, frozen, then ``rows``; columns in ``percent`` as 0.00%."""
    ws = wb.create_sheet(title)
    header_row(ws, headers, widths, 16)
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            cell = WriteOnlyCell(ws, value=value)
            if i in percent and value is not None:
                cell.number_format = "0.00%"
            elif isinstance(value, datetime.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, str):
                cell.number_format = "@"  # codes stay text
            cells.append(cell)
        ws.append(cells)


def workbook(report: Mapping[str, Any]) -> bytes:
    """The XLSX bytes of an assessment report.

    ``report``: ``{"period": label, "departments": [{"name", "title", "result",
    "units": [{"code", "name", "result"}], "trend": [snapshot rows]}]}``, where each
    ``result`` is a ``govshare_assessment_show`` result and each snapshot row one of
    ``govshare_assessment_snapshot_list`` (``unit`` ``None`` for the department).
    """
    measures = [_header(SCORE_HEADERS[k]) for k in SCORES] + \
        [_header(COUNT_HEADERS[k]) for k in COUNTS]
    wb = Workbook(write_only=True)
    departments = list(report["departments"])

    first = 3
    _write(wb, SUMMARY_SHEET,
           [_header(_DEPARTMENT), _header(_DEPARTMENT_NAME), _header(_PERIOD), *measures],
           ([d["title"], d["name"], report["period"], *_values(d["result"])]
            for d in departments),
           percent=set(range(first, first + len(SCORES))), widths={0: 28, 1: 18, 2: 12})

    taken = [SUMMARY_SHEET, TREND_SHEET]
    for d in departments:
        title = sheet_title(d["title"] or d["name"], taken)
        taken.append(title)
        rows = [["", _WHOLE_DEPARTMENT, *_values(d["result"])]]
        rows += [[u["code"], u["name"], *_values(u["result"])] for u in d["units"]]
        _write(wb, title, [_header(_UNIT_CODE), _header(_UNIT), *measures], rows,
               percent=set(range(2, 2 + len(SCORES))), widths={0: 14, 1: 28})

    names = {d["name"]: {u["code"]: u["name"] for u in d["units"]} for d in departments}
    trend_rows = []
    for d in departments:
        for row in d["trend"]:
            unit = row.get("unit")
            trend_rows.append([d["title"], unit or "",
                               names[d["name"]].get(unit, unit) if unit else _WHOLE_DEPARTMENT,
                               row["period"], *_snapshot_values(row), _local(row.get("taken_at"))])
    _write(wb, TREND_SHEET,
           [_header(_DEPARTMENT), _header(_UNIT_CODE), _header(_UNIT), _header(_MONTH),
            *[_header(SCORE_HEADERS[k]) for k in SCORES], _header(_TAKEN_AT)],
           trend_rows, percent=set(range(4, 4 + len(SCORES))),
           widths={0: 28, 1: 14, 2: 28, 3: 10, 4 + len(SCORES): 18})
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
