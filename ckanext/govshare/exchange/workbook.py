"""The 1272 template as a file: read with python-calamine, written with openpyxl's write-only mode.

:func:`read` turns an ``.xlsx`` into :class:`~.template.Sheet` records (cell values, merged
ranges, hidden rows and sheets) for :func:`.template.parse`; calamine reports no row
visibility, so the hidden rows are read from the sheet's XML with one scan of its ``<row>``
tags. :func:`write` lays entries out as the template (entries, 信息项, 共享范围 and a sheet of
the allowed values); the same file imports back unchanged. :func:`json_document` is the same
catalogue structured by the 1272 core metadata.
"""
from __future__ import annotations

import base64
import io
import posixpath
import re
import zipfile
from collections.abc import Iterable, Mapping
from typing import Any

import python_calamine
from openpyxl import Workbook

from ckanext.govshare import xlsx
from ckanext.govshare.catalogue import fields
from ckanext.govshare.catalogue import vocab as v
from ckanext.govshare.exchange import template as t

__all__ = ["WorkbookError", "read", "write", "json_document", "payload_bytes"]


class WorkbookError(Exception):
    """The file is not a workbook calamine can read (not xlsx, damaged, encrypted)."""


_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')
_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)/?>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_REL_TAG = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)/?>")


def _attrs(text: bytes) -> dict[str, str]:
    return {k.decode(): val.decode("utf-8") for k, val in _ATTR.findall(text)}


def _sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the part holding its XML (``xl/worksheets/sheet1.xml``)."""
    try:
        rels = {a.get("Id"): a.get("Target", "") for a in
                (_attrs(m) for m in _REL_TAG.findall(zf.read("xl/_rels/workbook.xml.rels")))}
        out = {}
        for m in _SHEET_TAG.findall(zf.read("xl/workbook.xml")):
            a = _attrs(m)
            target = rels.get(a.get("r:id", ""), "")
            if target:
                path = target.lstrip("/") if target.startswith("/") else \
                    posixpath.normpath(posixpath.join("xl", target))
                out[a.get("name", "")] = path
        return out
    except KeyError:
        return {}


def _hidden_rows(zf: zipfile.ZipFile, path: str | None) -> frozenset[int]:
    if not path:
        return frozenset()
    try:
        data = zf.read(path)
    except KeyError:
        return frozenset()
    hidden = set()
    for attrs in _ROW_TAG.findall(data):
        if _HIDDEN.search(attrs):
            number = _ROW_NUMBER.search(attrs)
            if number:
                hidden.add(int(number.group(1)))
    return frozenset(hidden)


def read(content: bytes) -> list[t.Sheet]:
    """The sheets of an ``.xlsx`` file, in workbook order.

    :raises WorkbookError: when the content is not a readable workbook
    """
    try:
        book = python_calamine.CalamineWorkbook.from_object(io.BytesIO(content))
        zf = zipfile.ZipFile(io.BytesIO(content))
    except (python_calamine.CalamineError, zipfile.BadZipFile, ValueError, OSError) as e:
        raise WorkbookError(str(e)) from None
    paths = _sheet_paths(zf)
    sheets = []
    try:
        for meta in book.sheets_metadata:
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            sheet = book.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ()]
            sheets.append(t.Sheet(
                name=meta.name, rows=rows, merged=merged,
                hidden_rows=_hidden_rows(zf, paths.get(meta.name)),
                hidden=meta.visible != python_calamine.SheetVisibleEnum.Visible))
    except (python_calamine.CalamineError, ValueError) as e:
        raise WorkbookError(str(e)) from None
    return sheets


# --- writing ------------------------------------------------------------------------------------

_WIDTHS = {"title": 28, "notes": 40, t.DEPARTMENT: 24, "provider_unit": 18, "name": 18,
           "description": 30, "share_condition": 30, "no_share_basis": 30}


def _header(ws: Any, columns: Iterable[t.Column]) -> list[t.Column]:
    columns = list(columns)
    xlsx.header_row(ws, [c.zh for c in columns],
                    {i: _WIDTHS.get(c.field, 14) for i, c in enumerate(columns)}, 14)
    return columns


def _entry_columns() -> list[t.Column]:
    # the combined 共享条件/不予共享依据 column is read, never written (two columns are)
    return [c for c in t.ENTRY_COLUMNS if not c.field.startswith("_share")]


def _key_columns() -> list[t.Column]:
    return [t.Column("_key_code", "信息资源代码", "code"), t.Column("_key_title", "信息资源名称")]


def _department_value(entry: Mapping[str, Any], departments: Mapping[str, Any]) -> Any:
    org = departments.get(entry.get(fields.OWNER_ORG) or "") or {}
    return org.get("title") or org.get("name")


def write(entries: Iterable[Mapping[str, Any]], *, grade_scale: v.GradeScale,
          departments: Mapping[str, Mapping[str, Any]] | None = None) -> bytes:
    """The template with ``entries`` (``package_show`` dicts; none: the blank template).

    :param departments: organization dicts by id, for the provider's title
    """
    departments = departments or {}
    wb = Workbook(write_only=True)
    ws_entries = wb.create_sheet(t.ENTRY_SHEET)
    ws_items = wb.create_sheet(t.ITEM_SHEET)
    ws_scopes = wb.create_sheet(t.SCOPE_SHEET)
    entry_cols = _header(ws_entries, _entry_columns())
    item_cols = _header(ws_items, _key_columns() + list(t.ITEM_COLUMNS))
    scope_cols = _header(ws_scopes, _key_columns() + list(t.SCOPE_COLUMNS))

    def value(col: t.Column, record: Mapping[str, Any]) -> Any:
        return t.export_value(col, record.get(col.field), grade_scale=grade_scale)

    for entry in entries:
        if "tag_string" not in entry and entry.get("tags"):
            entry = {**entry, "tag_string": ",".join(tag["name"] for tag in entry["tags"])}
        row = []
        for col in entry_cols:
            if col.field == t.DEPARTMENT:
                row.append(_department_value(entry, departments))
            else:
                row.append(value(col, entry))
        ws_entries.append(row)
        key = [entry.get(fields.RESOURCE_CODE) or None, entry.get("title")]
        for number, item in enumerate(entry.get(fields.INFO_ITEMS) or [], 1):
            ws_items.append(key + [number if c.field == "_no" else value(c, item)
                                   for c in item_cols[2:]])
        for scope in entry.get(fields.SHARE_SCOPE) or []:
            ws_scopes.append(key + [value(c, scope) for c in scope_cols[2:]])
    _codes_sheet(wb.create_sheet(t.CODES_SHEET), grade_scale)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _codes_sheet(ws: Any, grade_scale: v.GradeScale) -> None:
    """The allowed values of each choice column (代码表), for whoever fills the template in."""
    xlsx.header_row(ws, ["字段", "代码", "名称"], {0: 22, 1: 16, 2: 40}, 16)
    for col in _entry_columns() + list(t.ITEM_COLUMNS) + list(t.SCOPE_COLUMNS):
        if col.kind in ("choice", "flag"):
            seen = set()
            for term in col.terms:
                if term.value not in seen:
                    seen.add(term.value)
                    ws.append([col.zh, term.value, term.zh])
        elif col.kind == "grade":
            for code in grade_scale.codes:
                ws.append([col.zh, code, grade_scale.label(code)["zh_Hans_CN"]])
        elif col.kind == "item":
            for cls, items in v.CATALOG_ITEMS.items():
                for item in items:
                    ws.append([col.zh, item.value, f"{cls} {item.zh}"])
        elif col.kind == "format_type":
            for cat in v.FORMAT_CATEGORIES:
                for term in cat.types:
                    ws.append([col.zh, term.value, f"{cat.zh}：{term.zh}"])


# --- the 1272-structured JSON -------------------------------------------------------------------


def _record(record: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    return {n: record.get(n) for n in names if record.get(n) not in (None, "", [])}


def json_document(entries: Iterable[Mapping[str, Any]], *,
                  departments: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """The catalogue as JSON grouped by the 1272 core metadata elements (信息资源分类, 名称,
    代码, 提供方, 摘要, 格式, 信息项, 共享属性, 开放属性, 更新周期, 发布日期, 关联资源代码)."""
    departments = departments or {}
    out = []
    for e in entries:
        org = departments.get(e.get(fields.OWNER_ORG) or "") or {}
        out.append({
            "classification": _record(e, (fields.CATALOG_CLASS, fields.CATALOG_ITEM,
                                          fields.CATALOG_SUBITEM, fields.CATALOG_DETAIL)),
            "title": e.get("title"),
            "resource_code": e.get(fields.RESOURCE_CODE),
            "provider": {"name": org.get("title") or org.get("name"),
                         "code": e.get(fields.PROVIDER_CODE),
                         "unit": e.get(fields.PROVIDER_UNIT)},
            "abstract": e.get("notes"),
            "format": _record(e, ("format_category", "format_type", "format_other_desc")),
            "info_items": [_record(i, [c.field for c in t.ITEM_COLUMNS if c.field != "_no"])
                           for i in e.get(fields.INFO_ITEMS) or []],
            "sharing": {
                **_record(e, (fields.SHARE_TYPE, fields.SHARE_TYPE_REASON,
                              fields.SHARE_CONDITION, fields.NO_SHARE_BASIS,
                              fields.SHARE_MODE_CATEGORY, fields.SHARE_MODE_TYPE)),
                "scope": [_record(s, [c.field for c in t.SCOPE_COLUMNS])
                          for s in e.get(fields.SHARE_SCOPE) or []],
            },
            "opening": _record(e, (fields.OPEN_TYPE, fields.OPEN_CONDITION)),
            "update_cycle": _record(e, (fields.UPDATE_CYCLE, "update_cycle_other")),
            "data_grade": e.get(fields.DATA_GRADE),
            "is_classified": e.get(fields.IS_CLASSIFIED),
            "issued": e.get(fields.ISSUED),
            "related_resource_codes": e.get("related_resource_codes") or [],
            "source_system": e.get("source_system"),
            "business_matters": e.get("business_matters") or [],
            "keywords": [tag.get("name") for tag in e.get("tags") or []],
            "catalogue_state": e.get(fields.CATALOGUE_STATE),
        })
    return {"standard": "发改高技〔2017〕1272号 政务信息资源目录编制指南", "count": len(out),
            "entries": out}


def payload_bytes(payload: Mapping[str, Any]) -> bytes:
    """The file content of a ``govshare_catalogue_export`` answer."""
    if payload["encoding"] == "base64":
        return base64.b64decode(payload["data"])
    return str(payload["data"]).encode("utf-8")
