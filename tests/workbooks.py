"""Workbooks for the import tests, built in memory: the exported template of a few valid
entries (:func:`good_entries`, :func:`template`), opened with openpyxl to be spoilt
(:func:`spoil`), and the flattened one-row-per-信息项 sheet (:func:`flat`)."""
from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import openpyxl

from ckanext.govshare.catalogue import vocab
from ckanext.govshare.exchange import workbook

from . import lifecycle as L


def good_entries(org: dict[str, Any], n: int = 2, **fields: Any) -> list[dict[str, Any]]:
    """``n`` valid entries of ``org`` (unit ``DJZCC``) as the template takes them."""
    out = []
    for _ in range(n):
        e = L.entry_dict(org, **fields)
        for key in ("name", "tags", "owner_org", "resources"):
            e.pop(key, None)
        out.append(e)
    return out


def template(entries: list[dict[str, Any]], departments: dict | None = None) -> bytes:
    """The exported template of ``entries``."""
    return workbook.write(entries, grade_scale=vocab.DEFAULT_GRADE_SCALE,
                          departments=departments or {})


def spoil(content: bytes, change: Callable[[Any], None]) -> bytes:
    """``content`` after ``change(openpyxl workbook)``."""
    wb = openpyxl.load_workbook(io.BytesIO(content))
    change(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def column(ws: Any, header: str) -> int:
    """1-based index of the column headed ``header`` in row 1."""
    for cell in ws[1]:
        if cell.value == header:
            return cell.column
    raise KeyError(header)


def set_cell(sheet: str, row: int, header: str, value: Any) -> Callable[[Any], None]:
    def change(wb: Any) -> None:
        ws = wb[sheet]
        ws.cell(row=row, column=column(ws, header)).value = value  # (value=None would not clear)
    return change


def flat(entries: list[dict[str, Any]], merge: bool = True) -> bytes:
    """The flattened sheet: one row per 信息项, the entry's columns merged down its rows."""
    src = openpyxl.load_workbook(io.BytesIO(template(entries)))
    ents, items = src["信息资源目录"], src["信息项"]
    ent_headers = [c.value for c in ents[1]]
    item_headers = [c.value for c in items[1]][2:]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "目录"
    ws.append([f"{h}（必填项）" if h == "信息资源名称" else h for h in ent_headers + item_headers])
    item_rows = list(items.iter_rows(min_row=2, values_only=True))
    for e_row in ents.iter_rows(min_row=2, values_only=True):
        mine = [r for r in item_rows if r[1] == e_row[1]]
        first = ws.max_row + 1
        for k, r in enumerate(mine):
            ws.append(list(e_row) if k == 0 or not merge else [None] * len(e_row))
            for j, value in enumerate(r[2:]):
                ws.cell(row=ws.max_row, column=len(ent_headers) + 1 + j, value=value)
        if merge and len(mine) > 1:
            for j in range(1, len(ent_headers) + 1):
                ws.merge_cells(start_row=first, end_row=first + len(mine) - 1,
                               start_column=j, end_column=j)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
