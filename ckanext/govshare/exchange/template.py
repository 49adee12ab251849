"""The national 1272 fill-in template: its sheets and columns, and a workbook's rows read as entries.

Pure (no CKAN, no database): the reader (:mod:`.workbook`) hands over each sheet's cell values,
merged ranges and hidden rows; :func:`parse` finds the layout, matches the headers, turns cells
into the catalogue schema's values and groups the rows into entries with their 信息项 and
共享范围, remembering where every value came from (sheet, row, column) so that each error of
the catalogue's rules can be pointed at its cell. The rules themselves are not here: the
importer runs the catalogue's own validation (``package_create``'s schema) on each entry.

Two layouts are read (domain reference A.8):

* the template as exported (:data:`ENTRY_SHEET`, :data:`ITEM_SHEET`, :data:`SCOPE_SHEET`):
  one row per entry, one row per 信息项 and per 共享范围 naming their entry by code or title;
* the flattened sheet departments often fill in: one row per 信息项, the entry's columns
  repeated on each of its rows or merged down over them. There, a share type given per row
  is the item's, and the entry's is the loosest of its items'.

Headers are matched by their text, tolerating （必填项）-style suffixes, quotes and spaces;
columns the template does not know are ignored. What :func:`parse` finds wrong in the workbook
itself — merged cells, hidden rows, numbers with their unit, dates typed as text, full-width
characters or lost leading zeros in codes, duplicate names or codes — are :class:`Problem`
records of a known ``kind`` (the importer words them through gettext).
"""
from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ckanext.govshare.catalogue import codes, fields
from ckanext.govshare.catalogue import vocab as v

__all__ = [
    "ENTRY_SHEET", "ITEM_SHEET", "SCOPE_SHEET", "CODES_SHEET",
    "ENTRY_COLUMNS", "ITEM_COLUMNS", "SCOPE_COLUMNS", "DEPARTMENT", "DEPARTMENT_CODE",
    "Column", "Sheet", "Problem", "Located", "Entry", "Parsed", "parse", "header_key",
    "column_letter", "export_value",
]

ENTRY_SHEET = "信息资源目录"
ITEM_SHEET = "信息项"
SCOPE_SHEET = "共享范围"
CODES_SHEET = "代码表"

#: pseudo-fields of the entry sheet: the provider department named by title and by USCC
DEPARTMENT = "_department"
DEPARTMENT_CODE = fields.PROVIDER_CODE
#: the 1272 template's single column 共享条件/不予共享依据, split by the share type
_CONDITION_OR_BASIS = "_share_condition_or_basis"
_ITEM_NUMBER = "_no"
#: the cell a field without a column of its own is reported at (what decides it)
_FALLBACK_CELLS = {"name": fields.RESOURCE_CODE, "share_scope": fields.SHARE_TYPE,
                   fields.OWNER_ORG: DEPARTMENT, fields.PROVIDER_CODE: DEPARTMENT,
                   fields.CATALOGUE_STATE: "title", "resources": "format_category",
                   fields.INFO_ITEMS: "title"}
_KEY_CODE, _KEY_TITLE = "_key_code", "_key_title"


@dataclass(frozen=True)
class Column:
    """One column of the template: the field it fills, its header and how its cells read."""

    field: str
    zh: str
    kind: str = "text"  # text code choice item format_type grade int date flag list
    terms: tuple[v.Term, ...] = ()
    aliases: tuple[str, ...] = ()
    required: bool = False
    export_only: bool = False


def _c(field_: str, zh: str, kind: str = "text", terms: Iterable[v.Term] = (),
       aliases: Iterable[str] = (), required: bool = False, export_only: bool = False) -> Column:
    return Column(field_, zh, kind, tuple(terms), tuple(aliases), required, export_only)


_OPEN_ALIASES = (v.Term("unconditional_open", "是", "Yes"), v.Term("not_open", "否", "No"))
_CYCLE_ALIASES = (v.Term("irregular", "不定时", "Irregular"), v.Term("daily", "每天", "Daily"))
_DATA_TYPE_ALIASES = (v.Term("C", "字符串型", "String"), v.Term("C", "字符串", "String"),
                      v.Term("N", "数字型", "Number"), v.Term("I", "整数型", "Integer"))
_CLASSIFIED = (v.Term("true", "涉密", "Classified"), v.Term("false", "非涉密", "Unclassified"),
               *v.YES_NO)

ENTRY_COLUMNS: tuple[Column, ...] = (
    _c(fields.RESOURCE_CODE, "信息资源代码", "code"),
    _c("title", "信息资源名称", required=True, aliases=("资源名称",)),
    _c("notes", "信息资源摘要", required=True, aliases=("摘要",)),
    _c(DEPARTMENT, "信息资源提供方", aliases=("部门名称", "提供方", "提供单位")),
    _c(DEPARTMENT_CODE, "信息资源提供方代码", "code", aliases=("部门代码", "提供方代码")),
    _c(fields.PROVIDER_UNIT, "提供方内部部门", required=True,
       aliases=("部门内设科室或内部部门", "内部部门", "处室", "提供方内部部门代码")),
    _c(fields.CATALOG_CLASS, "信息资源分类（类）", "choice", v.CATALOG_CLASSES, ("类",), True),
    _c(fields.CATALOG_ITEM, "信息资源分类（项）", "item", aliases=("项",), required=True),
    _c(fields.CATALOG_SUBITEM, "信息资源分类（目）", "code", aliases=("目",), required=True),
    _c(fields.CATALOG_DETAIL, "信息资源分类（细目）", "code", aliases=("细目",)),
    _c("format_category", "信息资源格式分类", "choice", v.FORMAT_CATEGORIES, required=True),
    _c("format_type", "信息资源格式类型", "format_type", required=True),
    _c("format_other_desc", "其他格式描述", aliases=("其他类型资源格式描述",)),
    _c(fields.SHARE_TYPE, "共享类型", "choice", v.SHARE_TYPES, required=True),
    _c(fields.SHARE_TYPE_REASON, "非无条件共享理由"),
    _c(fields.SHARE_CONDITION, "共享条件"),
    _c(fields.NO_SHARE_BASIS, "不予共享依据"),
    _c(_CONDITION_OR_BASIS, "共享条件/不予共享依据", aliases=("共享条件或不予共享依据",)),
    _c(fields.SHARE_MODE_CATEGORY, "共享方式分类", "choice", v.SHARE_MODE_CATEGORIES),
    _c(fields.SHARE_MODE_TYPE, "共享方式类型", "choice", v.SHARE_MODE_TYPES),
    _c(fields.OPEN_TYPE, "开放属性", "choice", v.OPEN_TYPES + _OPEN_ALIASES,
       aliases=("是否向社会开放", "开放类型"), required=True),
    _c(fields.OPEN_CONDITION, "开放条件"),
    _c(fields.UPDATE_CYCLE, "更新周期", "choice", v.UPDATE_CYCLES + _CYCLE_ALIASES, required=True),
    _c("update_cycle_other", "其他更新周期说明"),
    _c(fields.DATA_GRADE, "数据分级", "grade", required=True, aliases=("数据级别",)),
    _c(fields.IS_CLASSIFIED, "涉密属性", "flag", _CLASSIFIED, aliases=("是否涉密",)),
    _c("tag_string", "关键字", "list", aliases=("关键词",)),
    _c("related_resource_codes", "关联资源代码", "codes"),
    _c("source_system", "来源系统", aliases=("信息系统名称", "所属业务系统名称")),
    _c("business_matters", "关联业务事项", "list", aliases=("业务事项名称",)),
    _c(fields.ISSUED, "发布日期", "date", export_only=True),
    _c(fields.CATALOGUE_STATE, "目录状态", export_only=True),
)

# the columns naming the entry a 信息项 or 共享范围 row belongs to
_KEY_COLUMNS: tuple[Column, ...] = (
    _c(_KEY_CODE, "信息资源代码", "code"),
    _c(_KEY_TITLE, "信息资源名称", aliases=("资源名称",)),
)

ITEM_COLUMNS: tuple[Column, ...] = (
    _c(_ITEM_NUMBER, "序号", "int", export_only=True),
    _c("name", "信息项名称", required=True),
    _c("name_en", "英文名称", aliases=("信息项英文名", "字段名", "英文名")),
    _c("data_type", "数据类型", "choice", v.DATA_TYPES + _DATA_TYPE_ALIASES, required=True),
    _c("length", "数据长度", "int"),
    _c("share_type", "信息项共享类型", "choice", v.SHARE_TYPES),
    _c("share_condition", "信息项共享条件/不予共享依据", aliases=("信息项共享条件",)),
    _c("grade", "信息项分级", "grade"),
    _c("is_sensitive", "是否敏感", "flag", v.YES_NO),
    _c("description", "信息项说明", aliases=("备注",)),
)

SCOPE_COLUMNS: tuple[Column, ...] = (
    _c("consumers", "数据使用方身份", required=True),
    _c("regions", "地域", required=True),
    _c("need_to_know", "知悉范围", required=True),
    _c("usage", "使用范围", required=True),
    _c("scenarios", "应用场景", required=True),
    _c("agreement_required", "需签订安全协议", "flag", v.YES_NO, ("是否签订安全协议",), True),
)

#: in the flattened sheet the share columns are per 信息项 (domain reference A.8)
_FLAT_ITEM_SHARE = {fields.SHARE_TYPE: "share_type", fields.SHARE_CONDITION: "share_condition"}


# --- what the reader hands over, and what comes back ---------------------------------------


@dataclass
class Sheet:
    """One worksheet: its cell values row by row (row 1 first), merged ranges as 0-based
    ``(first_row, first_col, last_row, last_col)``, its hidden rows (1-based) and whether
    the sheet itself is hidden."""

    name: str
    rows: Sequence[Sequence[Any]]
    merged: Sequence[tuple[int, int, int, int]] = ()
    hidden_rows: frozenset[int] = frozenset()
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class Located:
    """Where a value came from: sheet, 1-based row, column letter and its header."""

    sheet: str
    row: int
    column: str = ""
    header: str = ""


@dataclass
class Problem:
    """Something wrong in the workbook, at a cell (``kind`` names the known mistake; ``params``
    fill its message; ``field`` is the catalogue field concerned, if any)."""

    at: Located
    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    field: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.at.sheet, "row": self.at.row, "column": self.at.column,
                "header": self.at.header, "field": self.field, "kind": self.kind,
                "params": dict(self.params)}


@dataclass(slots=True)
class Record:
    """A 信息项 or 共享范围 row: its values and where each came from."""

    values: dict[str, Any]
    cells: dict[str, Located]
    at: Located


@dataclass
class Entry:
    """One catalogue entry of the workbook: the fields its columns gave, its records and the
    cell of every value."""

    values: dict[str, Any]
    cells: dict[str, Located]
    at: Located
    items: list[Record] = field(default_factory=list)
    scopes: list[Record] = field(default_factory=list)
    department: str = ""
    #: the entry fields the workbook states (a column present); others keep stored values
    given: set[str] = field(default_factory=set)

    @property
    def code(self) -> str:
        return str(self.values.get(fields.RESOURCE_CODE) or "")

    @property
    def title(self) -> str:
        return str(self.values.get("title") or "")

    def located(self, key: str) -> Located:
        """The cell of ``field`` or ``info_items.2.length`` (the entry's row when unknown)."""
        parts = key.split(".")
        if len(parts) >= 2 and parts[0] in ("info_items", "share_scope") and parts[1].isdigit():
            records = self.items if parts[0] == "info_items" else self.scopes
            index = int(parts[1])
            if index < len(records):
                rec = records[index]
                return rec.cells.get(parts[2], rec.at) if len(parts) > 2 else rec.at
        cell = self.cells.get(parts[0])
        if cell is None and parts[0] in _FALLBACK_CELLS:
            cell = self.cells.get(_FALLBACK_CELLS[parts[0]])
        return cell or self.at

    def data(self) -> dict[str, Any]:
        """The entry as ``package_create`` takes it (records included when the workbook has
        them)."""
        out = dict(self.values)
        if self.items or "info_items" in self.given:
            out["info_items"] = [dict(r.values) for r in self.items]
        if self.scopes or "share_scope" in self.given:
            out["share_scope"] = [dict(r.values) for r in self.scopes]
        return out


@dataclass
class Parsed:
    entries: list[Entry]
    problems: list[Problem]
    layout: str = ""


# --- headers and cells ------------------------------------------------------------------------

_SUFFIX = re.compile(r"[（(][^（()）]*(?:必填|选填|可选|必选)[^（()）]*[）)]")
_NOISE = re.compile(r"[\s\"'“”‘’*＊:：]")


def header_key(text: Any) -> str:
    """A header as compared: no （必填项）-style note, quotes, spaces, asterisks or colons;
    full-width brackets and slashes as half-width."""
    s = _SUFFIX.sub("", str(text or ""))
    s = _NOISE.sub("", s)
    return s.replace("（", "(").replace("）", ")").replace("／", "/").lower()


def column_letter(index: int) -> str:
    """0 → ``A``, 26 → ``AA``."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _choice_key(text: str) -> str:
    return re.sub(r"[\s（）()/]", "", text).lower()


def _choice_map(terms: Iterable[v.Term]) -> dict[str, str]:
    out: dict[str, str] = {}
    for t in terms:
        for key in (t.value, t.zh, t.en, f"{t.value}{t.zh}", f"{t.zh}{t.value}"):
            out.setdefault(_choice_key(key), t.value)
    return out


_FULLWIDTH = re.compile(r"[\uff01-\uff5e\u3000]")
_UNIT_NUMBER = re.compile(r"^\s*(\d+)\s*(?:位|个字符|字符|个字节|字节|个汉字|汉字|字|bytes?|chars?)\s*$",
                          re.I)
_DATE_TEXT = re.compile(
    r"^\s*(\d{4})\s*(?:年|[./\-])\s*(\d{1,2})\s*(?:月|[./\-])\s*(\d{1,2})\s*日?\s*$|^\s*(\d{8})\s*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LIST_SPLIT = re.compile(r"[\n\r;；]+")
_TAG_SPLIT = re.compile(r"[\n\r,，;；、]+")
_CODE_SPLIT = re.compile(r"[\s,，;；、]+")


def _halfwidth(text: str) -> str:
    return "".join(" " if c == "\u3000" else chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e"
                   else c for c in text)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


class _Reader:
    """Reads one sheet's cells into field values, recording the problems of its cells."""

    def __init__(self, scale: v.GradeScale, problems: list[Problem]) -> None:
        self.problems = problems
        self.maps: dict[tuple[str, ...], dict[str, str]] = {}
        self.grades = _choice_map(v.Term(c, scale.label(c)["zh_Hans_CN"], scale.label(c)["en"])
                                  for c in scale.codes)
        self.items = {cls: _choice_map(items) for cls, items in v.CATALOG_ITEMS.items()}
        self.types = {cat.value: _choice_map(cat.types) for cat in v.FORMAT_CATEGORIES}
        self.all_types = _choice_map(t for cat in v.FORMAT_CATEGORIES for t in cat.types)

    def problem(self, at: Located, kind: str, field_: str = "", **params: Any) -> None:
        self.problems.append(Problem(at, kind, params, field_))

    def _choice(self, terms: tuple[v.Term, ...], text: str) -> str:
        key = tuple(t.value + t.zh for t in terms)
        if key not in self.maps:
            self.maps[key] = _choice_map(terms)
        return self.maps[key].get(_choice_key(text), text)

    def cell(self, col: Column, value: Any, at: Located, row: Mapping[str, Any]) -> Any:
        """The field value of one cell (``None`` when empty); problems recorded."""
        kind = col.kind
        if kind == "int":
            return self._int(col, value, at)
        if kind == "date":
            return self._date(col, value, at)
        text = _text(value)
        if not text:
            return None
        if kind in ("code", "codes") and _FULLWIDTH.search(text):
            self.problem(at, "fullwidth", col.field, value=text, suggestion=_halfwidth(text))
            text = _halfwidth(text)
        if kind == "code":
            return self._code(col, value, text, at)
        if kind == "codes":
            return [c for c in _CODE_SPLIT.split(text) if c]
        if kind == "list":
            if col.field == "tag_string":
                return ",".join(s.strip() for s in _TAG_SPLIT.split(text) if s.strip())
            return [s.strip() for s in _LIST_SPLIT.split(text) if s.strip()]
        if kind in ("choice", "flag"):
            return self._choice(col.terms, text)
        if kind == "grade":
            return self.grades.get(_choice_key(text), text)
        if kind == "item":
            if re.fullmatch(r"\d", text):
                self.problem(at, "code_too_short", col.field, value=text, width=2)
                return text
            cls = _text(row.get(fields.CATALOG_CLASS))
            return self.items.get(cls, {}).get(_choice_key(text), text)
        if kind == "format_type":
            category = row.get("format_category")
            found = self.types.get(str(category), self.all_types).get(_choice_key(text))
            return found or self.all_types.get(_choice_key(text), text)
        return text

    def _code(self, col: Column, value: Any, text: str, at: Located) -> str:
        width = {fields.CATALOG_SUBITEM: 3}.get(col.field)
        if width and text.isdigit() and len(text) < width:
            # Excel turned the code into a number and dropped its leading zeros
            self.problem(at, "code_too_short", col.field, value=text, width=width)
        return text

    def _int(self, col: Column, value: Any, at: Located) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            return _text(value)
        if isinstance(value, (int, float)):
            return int(value) if float(value).is_integer() else value
        text = str(value).strip()
        unit = _UNIT_NUMBER.match(text)
        if unit:
            self.problem(at, "unit_in_number", col.field, value=text, number=unit.group(1))
            return text
        if _FULLWIDTH.search(text) and _halfwidth(text).strip().isdigit():
            self.problem(at, "fullwidth", col.field, value=text, suggestion=_halfwidth(text))
            return int(_halfwidth(text))
        return int(text) if text.isdecimal() else text

    def _date(self, col: Column, value: Any, at: Located) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, (datetime.date, datetime.datetime)):
            return _text(value)
        text = _text(value)
        if isinstance(value, str) and _ISO_DATE.match(text):
            return text
        match = _DATE_TEXT.match(text) if isinstance(value, str) else None
        if match:
            if match.group(4):
                y, m, d = text[:4], text[4:6], text[6:8]
            else:
                y, m, d = match.group(1), match.group(2), match.group(3)
            self.problem(at, "date_as_text", col.field, value=text,
                         suggestion=f"{int(y):04d}-{int(m):02d}-{int(d):02d}")
        else:
            self.problem(at, "not_a_date", col.field, value=text)
        return None


# --- layouts ------------------------------------------------------------------------------------


@dataclass
class _Header:
    sheet: Sheet
    row: int  # 0-based index of the header row
    columns: dict[int, Column]
    kind: str  # entries items scopes flat


def _match(row: Sequence[Any], columns: Iterable[Column]) -> dict[int, Column]:
    by_key: dict[str, Column] = {}
    for col in columns:
        for name in (col.zh, *col.aliases):
            by_key.setdefault(header_key(name), col)
    out: dict[int, Column] = {}
    taken: set[str] = set()
    for i, text in enumerate(row):
        col = by_key.get(header_key(text))
        if col is not None and col.field not in taken:
            out[i] = col
            taken.add(col.field)
    return out


def _find_header(sheet: Sheet) -> _Header | None:
    """The sheet's header row (one of its first five) and what the sheet holds."""
    for index, row in enumerate(sheet.rows[:5]):
        entry_cols = _match(row, ENTRY_COLUMNS)
        fields_ = {c.field for c in entry_cols.values()}
        item_cols = _match(row, ITEM_COLUMNS)
        has_items = any(c.field == "name" for c in item_cols.values())
        scope_cols = _match(row, SCOPE_COLUMNS)
        if has_items and len(fields_ - {fields.RESOURCE_CODE, "title"}) >= 2:
            flat = dict(entry_cols)
            for i, col in item_cols.items():
                if i not in flat:
                    flat[i] = col
            return _Header(sheet, index, flat, "flat")
        if has_items:
            return _Header(sheet, index, {**_match(row, _KEY_COLUMNS), **item_cols}, "items")
        if len(scope_cols) >= 2 and fields_ <= {fields.RESOURCE_CODE, "title"}:
            return _Header(sheet, index, {**_match(row, _KEY_COLUMNS), **scope_cols}, "scopes")
        if "title" in fields_ and len(fields_) >= 2:
            return _Header(sheet, index, entry_cols, "entries")
    return None


def _merged_fill(header: _Header, problems: list[Problem]) -> dict[tuple[int, int], Any]:
    """Values of merged cells: in the flattened sheet an entry column merged down over the
    entry's rows repeats its value; any other merge is a problem."""
    fill: dict[tuple[int, int], Any] = {}
    sheet = header.sheet
    for r0, c0, r1, c1 in sheet.merged:
        col = header.columns.get(c0)
        entry_col = col is not None and col in ENTRY_COLUMNS
        if (header.kind == "flat" and entry_col and c0 == c1 and r0 > header.row):
            value = sheet.rows[r0][c0] if r0 < len(sheet.rows) and c0 < len(sheet.rows[r0]) \
                else None
            for r in range(r0 + 1, r1 + 1):
                fill[(r, c0)] = value
            continue
        where = f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}"
        problems.append(Problem(
            Located(sheet.name, r0 + 1, column_letter(c0), col.zh if col else ""),
            "merged_cells", {"range": where}, col.field if col else ""))
    return fill


def _rows(header: _Header, reader: _Reader, problems: list[Problem]):
    """``(row number, {field: value}, {field: Located})`` of each non-empty data row."""
    sheet = header.sheet
    fill = _merged_fill(header, problems)
    for r in range(header.row + 1, len(sheet.rows)):
        raw = sheet.rows[r]
        values: dict[str, Any] = {}
        cells: dict[str, Located] = {}
        cols = sorted(header.columns.items())
        cells_raw = {i: fill.get((r, i), raw[i] if i < len(raw) else None) for i, _ in cols}
        if all(_text(x) == "" for x in cells_raw.values()):
            continue
        if r + 1 in sheet.hidden_rows:
            problems.append(Problem(Located(sheet.name, r + 1), "hidden_row", {}))
        # the class and the format category first: the item and the format type read by them
        cols.sort(key=lambda ic: ic[1].field not in (fields.CATALOG_CLASS, "format_category"))
        for i, col in cols:
            at = Located(sheet.name, r + 1, column_letter(i), col.zh)
            cells[col.field] = at
            value = reader.cell(col, cells_raw[i], at, values)
            if value is not None and not col.export_only:
                values[col.field] = value
        yield r + 1, values, cells


def _entry_of(values: dict[str, Any], cells: dict[str, Located], at: Located,
              columns: Iterable[Column]) -> Entry:
    entry_fields = {c.field for c in ENTRY_COLUMNS}
    data = {k: val for k, val in values.items() if k in entry_fields}
    given = {c.field for c in columns if c.field in entry_fields and not c.export_only}
    department = str(data.pop(DEPARTMENT, "") or "")
    given.discard(DEPARTMENT)
    combined = data.pop(_CONDITION_OR_BASIS, None)
    if _CONDITION_OR_BASIS in given:
        given.discard(_CONDITION_OR_BASIS)
        target = (fields.NO_SHARE_BASIS if data.get(fields.SHARE_TYPE) == "not_shared"
                  else fields.SHARE_CONDITION)
        given.add(target)
        if combined:
            data.setdefault(target, combined)
            cells.setdefault(target, cells.get(_CONDITION_OR_BASIS, at))
    return Entry(values=data, cells=dict(cells), at=at, department=department, given=given)


def _record(values: dict[str, Any], cells: dict[str, Located], at: Located,
            columns: tuple[Column, ...]) -> Record:
    names = {c.field for c in columns if not c.export_only}
    return Record({k: val for k, val in values.items() if k in names},
                  {k: c for k, c in cells.items() if k in names}, at)


def _loosest(share_types: Iterable[str]) -> str | None:
    ranked = [(v.share_type_rank(s), s) for s in share_types if v.share_type_rank(s) is not None]
    return min(ranked)[1] if ranked else None


def _flat_entries(header: _Header, reader: _Reader, problems: list[Problem]) -> list[Entry]:
    entries: list[Entry] = []
    per_item_share = not any(c.field == "share_type" for c in header.columns.values()
                             if c in ITEM_COLUMNS)
    current: Entry | None = None
    key = None
    for row, values, cells in _rows(header, reader, problems):
        at = Located(header.sheet.name, row)
        row_key = values.get(fields.RESOURCE_CODE) or values.get("title")
        if row_key and row_key != key:
            current = _entry_of(values, cells, at, header.columns.values())
            current.given.add("info_items")
            entries.append(current)
            key = row_key
        elif current is None:
            problems.append(Problem(at, "no_entry", {}))
            continue
        item_values = dict(values)
        item_cells = dict(cells)
        if per_item_share:
            for entry_field, item_field in _FLAT_ITEM_SHARE.items():
                if entry_field in values:
                    item_values[item_field] = values[entry_field]
                    item_cells[item_field] = cells[entry_field]
        if item_values.get("name") or any(item_values.get(c.field) for c in ITEM_COLUMNS
                                          if c.field not in ("name", _ITEM_NUMBER)):
            current.items.append(_record(item_values, item_cells, at, ITEM_COLUMNS))
    if per_item_share:
        for entry in entries:
            _share_from_items(entry)
    return entries


def _share_from_items(entry: Entry) -> None:
    """Flattened sheet: the entry shares as its loosest item; items as loose keep no share
    type of their own (an item is only stated when stricter than its entry)."""
    loosest = _loosest(str(r.values.get("share_type") or "") for r in entry.items)
    if loosest is None:
        return
    if entry.values.get(fields.SHARE_TYPE) != loosest:
        for rec in entry.items:
            if rec.values.get("share_type") == loosest:
                entry.values[fields.SHARE_TYPE] = loosest
                entry.cells[fields.SHARE_TYPE] = rec.cells.get("share_type", rec.at)
                if rec.values.get("share_condition"):
                    entry.values[fields.SHARE_CONDITION] = rec.values["share_condition"]
                break
    for rec in entry.items:
        if rec.values.get("share_type") == loosest:
            rec.values.pop("share_type", None)
            rec.values.pop("share_condition", None)


def _children(header: _Header, reader: _Reader, problems: list[Problem],
              by_code: dict[str, Entry], by_title: dict[str, list[Entry]],
              columns: tuple[Column, ...], attr: str, given: str) -> None:
    for entry in by_code.values():
        entry.given.add(given)
    for entries in by_title.values():
        for entry in entries:
            entry.given.add(given)
    for row, values, cells in _rows(header, reader, problems):
        at = Located(header.sheet.name, row)
        code, title = values.get(_KEY_CODE), values.get(_KEY_TITLE)
        owner = by_code.get(str(code)) if code else None
        if owner is None and title:
            candidates = by_title.get(str(title)) or []
            owner = candidates[0] if len(candidates) == 1 else None
        if owner is None:
            where = cells.get(_KEY_CODE if code else _KEY_TITLE, at)
            problems.append(Problem(where, "unknown_entry", {"value": code or title or ""}))
            continue
        getattr(owner, attr).append(_record(values, cells, at, columns))


def _duplicates(entries: list[Entry], problems: list[Problem]) -> None:
    """The same resource code twice, or the same title twice in one department."""
    seen_codes: dict[str, Entry] = {}
    seen_titles: dict[tuple[str, str], Entry] = {}
    for entry in entries:
        if entry.code:
            first = seen_codes.get(entry.code)
            if first is not None:
                problems.append(Problem(entry.located(fields.RESOURCE_CODE), "duplicate_code",
                                        {"value": entry.code, "first_row": first.at.row},
                                        fields.RESOURCE_CODE))
            else:
                seen_codes[entry.code] = entry
        if entry.title:
            key = (entry.department or str(entry.values.get(DEPARTMENT_CODE) or ""), entry.title)
            first = seen_titles.get(key)
            if first is not None:
                problems.append(Problem(entry.located("title"), "duplicate_title",
                                        {"value": entry.title, "first_row": first.at.row},
                                        "title"))
            else:
                seen_titles[key] = entry


def _code_lengths(entries: list[Entry], template: str, problems: list[Problem]) -> None:
    """A resource code shorter than the template makes it (leading zeros lost in Excel)."""
    for entry in entries:
        code = entry.code
        if not code or codes.parse_resource_code(template, code) is not None:
            continue
        try:
            expected = codes.format_resource_code(
                template, entry.values.get(fields.CATALOG_CLASS) or "1",
                entry.values.get(fields.CATALOG_ITEM) or "01",
                entry.values.get(fields.CATALOG_SUBITEM) or "001",
                entry.values.get(fields.CATALOG_DETAIL) or "", 1)
        except ValueError:
            continue
        if len(code) < len(expected):
            problems.append(Problem(entry.located(fields.RESOURCE_CODE), "code_too_short",
                                    {"value": code, "width": len(expected)},
                                    fields.RESOURCE_CODE))


def parse(sheets: Iterable[Sheet], *, grade_scale: v.GradeScale,
          code_template: str) -> Parsed:
    """Read a workbook's sheets as catalogue entries.

    :param sheets: the workbook's sheets as the reader found them
    :param grade_scale: the configured grade scale (its codes and labels are read as grades)
    :param code_template: the resource-code template (a shorter code is a known mistake)
    :returns: the entries in sheet order and the problems of the workbook itself
    """
    problems: list[Problem] = []
    reader = _Reader(grade_scale, problems)
    headers: dict[str, list[_Header]] = {}
    for sheet in sheets:
        if sheet.name == CODES_SHEET:
            continue
        header = _find_header(sheet)
        if header is None:
            continue
        if sheet.hidden:
            problems.append(Problem(Located(sheet.name, 1), "hidden_sheet", {}))
        headers.setdefault(header.kind, []).append(header)
    main = (headers.get("flat") or headers.get("entries") or [None])[0]
    if main is None:
        problems.append(Problem(Located("", 0), "no_entry_sheet",
                                {"sheet": ENTRY_SHEET, "items": ITEM_SHEET}))
        return Parsed([], problems)
    for kind, found in headers.items():
        for extra in found:
            if extra is not main and kind in ("flat", "entries"):
                problems.append(Problem(Located(extra.sheet.name, extra.row + 1),
                                        "extra_entry_sheet", {"sheet": main.sheet.name}))
    missing = [c.zh for c in ENTRY_COLUMNS if c.required
               and c.field not in {col.field for col in main.columns.values()}]
    if missing:
        problems.append(Problem(Located(main.sheet.name, main.row + 1), "missing_columns",
                                {"columns": "、".join(missing)}))
    if main.kind == "flat":
        entries = _flat_entries(main, reader, problems)
    else:
        entries = []
        for row, values, cells in _rows(main, reader, problems):
            entries.append(_entry_of(values, cells, Located(main.sheet.name, row),
                                     main.columns.values()))
        by_code = {e.code: e for e in entries if e.code}
        by_title: dict[str, list[Entry]] = {}
        for e in entries:
            if e.title:
                by_title.setdefault(e.title, []).append(e)
        for header in headers.get("items", [])[:1]:
            _children(header, reader, problems, by_code, by_title, ITEM_COLUMNS, "items",
                      "info_items")
        for header in headers.get("scopes", [])[:1]:
            _children(header, reader, problems, by_code, by_title, SCOPE_COLUMNS, "scopes",
                      "share_scope")
    _duplicates(entries, problems)
    _code_lengths(entries, code_template, problems)
    return Parsed(entries, problems, main.kind)


# --- export ---------------------------------------------------------------------------------------


def export_value(col: Column, value: Any, *, grade_scale: v.GradeScale) -> Any:
    """A stored value as the template shows it: choices by their Chinese label, lists one
    per line, codes as text."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, list):
        return "\n".join(str(x) for x in value)
    text = str(value)
    if col.kind in ("choice", "flag"):
        term = v.lookup(col.terms, text)
        return term.zh if term else text
    if col.kind == "grade":
        return grade_scale.label(text)["zh_Hans_CN"] if text in grade_scale else text
    if col.kind == "item":
        return text
    if col.kind == "format_type":
        category = v.format_category_of_type(text)
        term = v.lookup(category.types, text) if category else None
        return term.zh if term else text
    return value
