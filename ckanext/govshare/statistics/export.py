"""One statistics chart as an XLSX workbook: the table the page shows (the first column the
categories, then one column per series), with its title and note above it. openpyxl's
write-only mode; pure (no CKAN, no database): the chart dict of :mod:`.service` in, bytes out.
"""
from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from ckanext.govshare.xlsx import header_row

__all__ = ["MIMETYPE", "filename", "workbook"]

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: characters a sheet title may not hold, and its longest length
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_SHEET_MAX = 31
_PERCENT = "0.0\\%"  # values are already percentages (0–100)


def filename(chart: Mapping[str, Any], scope_name: str, months: list[str]) -> str:
    """``<scope>-<chart>-<last month>.xlsx`` (ASCII: names and codes only)."""
    return f"{scope_name}-{chart['name']}-{months[-1]}.xlsx"


def workbook(chart: Mapping[str, Any], subtitle: str = "") -> bytes:
    """The XLSX bytes of ``chart``: its title (and ``subtitle``, e.g. the department and the
    months), the header row, one row per category; percentages and averages as numbers."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_SHEET_BAD.sub(" ", chart["title"])[:_SHEET_MAX] or chart["name"])
    series = list(chart["series"])
    header_row(ws, [chart["category"], *(s["label"] for s in series)], {0: 28}, 16)
    for row in chart["rows"]:
        cells = [WriteOnlyCell(ws, value=row["label"])]
        for s, value in zip(series, row["values"], strict=False):
            cell = WriteOnlyCell(ws, value=value)
            if s["unit"] == "percent":
                cell.number_format = _PERCENT
            elif s["unit"] == "days":
                cell.number_format = "0.0"
            cells.append(cell)
        ws.append(cells)
    ws.append([])
    for line in (chart["title"], subtitle, chart.get("note") or ""):
        if line:
            ws.append([line])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
