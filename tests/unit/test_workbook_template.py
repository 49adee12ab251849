"""The 1272 template's reading rules, without a database: headers, cells, the two layouts."""
from __future__ import annotations

import datetime

from ckanext.govshare.catalogue import vocab
from ckanext.govshare.exchange import template as t

SCALE = vocab.DEFAULT_GRADE_SCALE
CODE = "{class}{item}{subitem}{detail}/{seq:06}"
ENTRY = ["信息资源名称（必填项）", "信息资源摘要", "共享类型", "信息资源分类（类）",
         "信息资源分类（项）", "信息资源分类（目）"]


def _parse(*sheets: t.Sheet) -> t.Parsed:
    """The sheets parsed; the columns these short sheets leave out are not counted."""
    parsed = t.parse(sheets, grade_scale=SCALE, code_template=CODE)
    parsed.problems = [p for p in parsed.problems if p.kind != "missing_columns"]
    return parsed


def test_header_key_ignores_notes_quotes_and_spaces():
    """A header matches with its （必填项） note, quotes, spaces or half-width brackets."""
    assert t.header_key(" “信息资源名称”（必填项） ") == t.header_key("信息资源名称")
    assert t.header_key("信息资源分类(类)") == t.header_key("信息资源分类（类）")


def test_cells_read_as_the_schema_values():
    """Labels become codes, an item by its class; integral floats lose their '.0'."""
    parsed = _parse(t.Sheet("目录", [ENTRY, ["甲", "摘要", "有条件共享", 1.0, "人口", "001"]]))
    values = parsed.entries[0].values
    assert values["share_type"] == "conditional"
    assert (values["catalog_class"], values["catalog_item"]) == ("1", "01")
    assert parsed.problems == []


def test_known_mistakes_are_located():
    """A subitem that lost its zeros, full-width codes, a unit in a number, a date as text."""
    rows = [ENTRY + ["信息资源代码", "发布日期"],
            ["甲", "摘", "无条件共享", "1", "01", 1.0, "１０１００１／０００００１", "2025年3月1日"]]
    problems = {(p.kind, p.at.column) for p in _parse(t.Sheet("目录", rows)).problems}
    assert ("code_too_short", "F") in problems
    assert ("fullwidth", "G") in problems
    assert ("date_as_text", "H") in problems


def test_real_date_cell_is_accepted():
    """A date cell is a date; an ISO text too."""
    rows = [ENTRY + ["发布日期"], ["甲", "摘", "无条件共享", "1", "01", "001",
                                 datetime.date(2025, 3, 1)]]
    assert _parse(t.Sheet("目录", rows)).problems == []


def test_flat_sheet_merged_entry_and_loosest_share():
    """Flattened sheet: merged entry cells repeat the entry; it shares as its loosest item and
    only stricter items keep a share type."""
    header = ENTRY + ["信息项名称", "数据类型", "数据长度"]
    rows = [header,
            ["甲", "摘", "无条件共享", "1", "01", "001", "姓名", "C", 50],
            [None, None, "有条件共享", None, None, None, "身份证号", "C", 18]]
    merged = [(1, c, 2, c) for c in (0, 1, 3, 4, 5)]
    parsed = _parse(t.Sheet("目录", rows, merged=merged))
    assert parsed.layout == "flat" and parsed.problems == []
    (entry,) = parsed.entries
    assert entry.values["share_type"] == "unconditional"
    assert [i.values.get("share_type") for i in entry.items] == [None, "conditional"]


def test_hidden_row_and_other_merges_are_problems():
    """A hidden data row and a merge across columns are reported at their place."""
    rows = [ENTRY, ["甲", "摘", "无条件共享", "1", "01", "001"],
            ["乙", "摘", "无条件共享", "1", "01", "002"]]
    parsed = _parse(t.Sheet("目录", rows, merged=[(1, 0, 1, 1)], hidden_rows=frozenset({3})))
    found = {(p.kind, p.at.row, p.at.column) for p in parsed.problems}
    assert ("merged_cells", 2, "A") in found and ("hidden_row", 3, "") in found
