"""The bad workbooks: each is the valid template of two entries (:func:`tests.workbooks.template`)
spoilt in one known way, built in memory. ``CASES[name] = (build, expected)``: ``build(w)``
returns the file for the test world ``w`` and the keyword arguments of the import, and
``expected`` is the problem that must be among those reported — a workbook ``kind`` or, for a
rule of the catalogue, ``("rule", field)``."""
from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import openpyxl

from ... import workbooks as W

ENT, ITEMS = "信息资源目录", "信息项"


def _base(w: Any, **fields: Any) -> bytes:
    return W.template(W.good_entries(w.org, **fields))


def _spoilt(*changes: Callable[[Any], None], **fields: Any) -> Callable:
    def build(w: Any) -> tuple[bytes, dict]:
        content = _base(w, **fields)
        for change in changes:
            content = W.spoil(content, change)
        return content, {}
    return build


def _cell(sheet: str, row: int, header: str, value: Any) -> Callable:
    return _spoilt(W.set_cell(sheet, row, header, value))


def _as(user: str, build: Callable) -> Callable:
    def built(w: Any) -> tuple[bytes, dict]:
        content, kwargs = build(w)
        return content, {**kwargs, "user": user}
    return built


def _raw(content: bytes) -> Callable:
    return lambda w: (content, {})


def _merge(wb: Any) -> None:
    wb[ENT].merge_cells("C2:D2")


def _hide_row(wb: Any) -> None:
    wb[ENT].row_dimensions[3].hidden = True


def _hide_items(wb: Any) -> None:
    wb[ITEMS].sheet_state = "hidden"


def _drop_column(wb: Any) -> None:
    ws = wb[ENT]
    ws.cell(row=1, column=W.column(ws, "信息资源摘要"), value="备用")


def _same_titles(wb: Any) -> None:
    ws = wb[ENT]
    col = W.column(ws, "信息资源名称")
    ws.cell(row=3, column=col, value=ws.cell(row=2, column=col).value)


def _same_codes(wb: Any) -> None:
    ws = wb[ENT]
    for row in (2, 3):
        ws.cell(row=row, column=W.column(ws, "信息资源代码"), value="302001/000991")


def _same_item_names(wb: Any) -> None:
    ws = wb[ITEMS]
    col = W.column(ws, "信息项名称")
    ws.cell(row=3, column=col, value=ws.cell(row=2, column=col).value)


def _orphan_item(wb: Any) -> None:
    ws = wb[ITEMS]
    ws.cell(row=2, column=W.column(ws, "信息资源名称"), value="没有这个条目")


def _no_entry_sheet(w: Any) -> tuple[bytes, dict]:
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "电话"])
    wb.active.append(["张三", "0351-1234567"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), {}


def _unknown_department(w: Any) -> tuple[bytes, dict]:
    content = W.spoil(_base(w), W.set_cell(ENT, 2, "信息资源提供方", "不存在的管理局"))
    return content, {"organization_id": None}


def _other_department(w: Any) -> tuple[bytes, dict]:
    return W.spoil(_base(w), W.set_cell(ENT, 2, "信息资源提供方", w.other["title"])), {}


def _other_unit(w: Any) -> tuple[bytes, dict]:
    return _base(w, provider_unit="BGS"), {}


def _flat_merged_item(w: Any) -> tuple[bytes, dict]:
    content = W.flat(W.good_entries(w.org))

    def change(wb: Any) -> None:
        ws = wb.active
        col = W.column(ws, "信息项说明")
        ws.merge_cells(start_row=2, end_row=3, start_column=col, end_column=col)
    return W.spoil(content, change), {}


def _flat_no_title(w: Any) -> tuple[bytes, dict]:
    content = W.flat(W.good_entries(w.org), merge=False)

    def change(wb: Any) -> None:
        ws = wb.active
        ws.insert_rows(2)
        ws.cell(row=2, column=W.column(ws, "信息项名称"), value="孤立的信息项")
    return W.spoil(content, change), {}


CASES: dict[str, tuple[Callable, Any]] = {
    "not_xlsx": (_raw(b"this is not a workbook"), "not_a_workbook"),
    "csv_renamed": (_raw("信息资源名称,信息资源摘要\n甲,乙\n".encode()), "not_a_workbook"),
    "no_entry_sheet": (_no_entry_sheet, "no_entry_sheet"),
    "missing_required_column": (_spoilt(_drop_column), "missing_columns"),
    "merged_cells": (_spoilt(_merge), "merged_cells"),
    "hidden_row": (_spoilt(_hide_row), "hidden_row"),
    "hidden_sheet": (_spoilt(_hide_items), "hidden_sheet"),
    "fullwidth_subitem": (_cell(ENT, 2, "信息资源分类（目）", "００１"), "fullwidth"),
    "fullwidth_resource_code": (_cell(ENT, 2, "信息资源代码", "３０２００１/０００００１"), "fullwidth"),
    "subitem_lost_zeros": (_cell(ENT, 2, "信息资源分类（目）", 1), "code_too_short"),
    "item_lost_zero": (_cell(ENT, 2, "信息资源分类（项）", 2), "code_too_short"),
    "resource_code_too_short": (_cell(ENT, 2, "信息资源代码", "302001/12"), "code_too_short"),
    "unit_in_length": (_cell(ITEMS, 2, "数据长度", "18位"), "unit_in_number"),
    "date_as_text": (_cell(ENT, 2, "发布日期", "2025年3月1日"), "date_as_text"),
    "not_a_date": (_cell(ENT, 2, "发布日期", "下个月"), "not_a_date"),
    "duplicate_title": (_spoilt(_same_titles), "duplicate_title"),
    "duplicate_code": (_spoilt(_same_codes), "duplicate_code"),
    "orphan_item": (_spoilt(_orphan_item), "unknown_entry"),
    "unknown_department": (_unknown_department, "unknown_department"),
    "other_department": (_other_department, "other_department"),
    "other_unit_compiler": (_other_unit, "not_authorized"),
    "flat_merged_item_cells": (_flat_merged_item, "merged_cells"),
    "flat_item_without_entry": (_flat_no_title, "no_entry"),
    # the catalogue's own rules, located at their cells
    "duplicate_item_names": (_spoilt(_same_item_names), ("rule", "info_items.1.name")),
    "format_vs_share_mode": (_cell(ENT, 2, "共享方式类型", "文件"), ("rule", "share_mode_type")),
    "unknown_share_type": (_cell(ENT, 2, "共享类型", "随便共享"), ("rule", "share_type")),
    "missing_abstract": (_cell(ENT, 2, "信息资源摘要", None), ("rule", "notes")),
    "conditional_without_condition": (
        _spoilt(W.set_cell(ENT, 2, "共享类型", "有条件共享"),
                W.set_cell(ENT, 2, "共享条件", None)), ("rule", "share_condition")),
    "not_shared_without_basis": (
        _spoilt(W.set_cell(ENT, 2, "共享类型", "不予共享"),
                W.set_cell(ENT, 2, "开放属性", "不予开放")), ("rule", "no_share_basis")),
    "unknown_unit": (_as("sysadmin", _cell(ENT, 2, "提供方内部部门", "XYZ")),
                     ("rule", "provider_unit")),
    "bad_data_type": (_cell(ITEMS, 2, "数据类型", "文本"), ("rule", "info_items.0.data_type")),
    "length_not_number": (_cell(ITEMS, 2, "数据长度", "很长"), ("rule", "info_items.0.length")),
    "grade_too_high_to_share": (_cell(ENT, 2, "数据分级", "G4"), ("rule", "share_type")),
    "classified": (_cell(ENT, 2, "涉密属性", "涉密"), ("rule", "is_classified")),
    "item_looser_than_entry": (
        _spoilt(W.set_cell(ENT, 2, "共享类型", "有条件共享"),
                W.set_cell(ITEMS, 2, "信息项共享类型", "无条件共享")),
        ("rule", "info_items.0.share_type")),
    "bad_update_cycle": (_cell(ENT, 2, "更新周期", "偶尔"), ("rule", "update_cycle")),
    "bad_catalog_class": (_cell(ENT, 2, "信息资源分类（类）", "9"), ("rule", "catalog_class")),
}
