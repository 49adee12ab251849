"""The rules a catalogue entry must satisfy, checked on the whole entry at once.

Pure: an entry is a plain dict with the scheming field names (the API contract of the
catalogue schema), ``info_items``, ``share_scope`` and ``resources`` as lists of dicts.
:func:`check_entry` returns every problem, keyed by field (``share_condition``) or by
indexed sub-record field (``info_items.2.share_type``, ``share_scope.0.usage``,
``resources.1.share_mode_type``); each message is in the page's language (a gettext msgid) and names
the field. Nothing is read from configuration here: the grade scale, the
core-sharing switch and the resource-code template are arguments, read by the caller.

Sources of the rules (cited where each is enforced): the DB14 draft (政务数据共享 部门内部
管理规范), 发改高技〔2017〕1272号 (目录编制指南, "1272"), 国发〔2016〕51号 ("51号"),
国务院令第809号, GB 32100-2015, GB/T 43697-2024 and the domain reference §A.7 / §C.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.govshare.catalogue import codes, fields
from ckanext.govshare.catalogue import vocab as v
from ckanext.govshare.messages import join, local
from ckanext.govshare.messages import text as label_text

__all__ = [
    "Errors",
    "REQUIRED_FIELDS",
    "SCOPE_REQUIRED_FIELDS",
    "check_entry",
    "check_department",
    "UNIT_CODE_PATTERN",
    "default_share_type",
    "no_share_basis_problem",
    "error_key",
    "split_error_key",
]

Errors = dict[str, list[str]]

# 1272 核心元数据: every core element is mandatory except 关联资源代码 (domain reference A.2;
# the resource code is allocated on create, the issue date on publication); provider_unit is
# mandatory here because the DB14 draft makes each 业务机构 compile its own entries
# (§7.2 "业务谁主管，谁编制").
REQUIRED_FIELDS: tuple[str, ...] = (
    "title", "notes", "catalog_class", "catalog_item", "catalog_subitem", "provider_code",
    "provider_unit", "format_category", "format_type", "share_type", "open_type",
    "update_cycle", "data_grade",
)

# DB14 §11.1 可共享数据管理规范: 使用方身份, 地域, 知悉范围, 使用范围, 应用场景, 安全协议
SCOPE_REQUIRED_FIELDS: tuple[str, ...] = (
    "consumers", "regions", "need_to_know", "usage", "scenarios", "agreement_required",
)

_UNCONDITIONAL, _CONDITIONAL, _NOT_SHARED = v.values(v.SHARE_TYPES)
_UNCONDITIONAL_OPEN, _CONDITIONAL_OPEN, _NOT_OPEN = v.values(v.OPEN_TYPES)
_TRUE = {"true", "1", "yes", "y", "t", "on", "是", "涉密"}
_FALSE = {"false", "0", "no", "n", "f", "off", "否", "非涉密"}


# --- keys and messages ---------------------------------------------------------------------


def error_key(*parts: Any) -> str:
    """``error_key("info_items", 2, "name")`` → ``"info_items.2.name"``."""
    return ".".join(str(p) for p in parts)


def split_error_key(key: str) -> tuple[Any, ...]:
    """``"info_items.2.name"`` → ``("info_items", 2, "name")`` (CKAN's flattened error key)."""
    return tuple(int(p) if p.isdigit() else p for p in key.split("."))


class _Report:
    """Collects messages; each names its field (and sub-record) in both languages."""

    def __init__(self) -> None:
        self.errors: Errors = {}

    def _add(self, key: str, message: str) -> None:
        messages = self.errors.setdefault(key, [])
        if message not in messages:
            messages.append(message)

    def field(self, name: str, problem: str) -> None:
        """``problem`` (translated) of the field ``name``, named in the page's language."""
        label = label_text(v.field_label(name))
        self._add(name, tk._("{field}: {problem}").format(field=label, problem=problem))

    def sub(self, parent: str, index: int, subfield: str, record_name: str,
            problem: str) -> None:
        """``problem`` of ``subfield`` of the ``index``-th record of ``parent``."""
        label = label_text(v.field_label(f"{parent}.{subfield}"))
        what = label_text(v.RECORD_LABELS.get(parent) or v.field_label(parent))
        if record_name:
            record = tk._('{what} "{name}" (no. {number})').format(
                what=what, name=record_name, number=index + 1)
        else:
            record = tk._("{what} no. {number}").format(what=what, number=index + 1)
        self._add(error_key(parent, index, subfield),
                  tk._("{record}, {field}: {problem}").format(
                      record=record, field=label, problem=problem))


# --- value coercion (entries come from forms, the API and spreadsheets) ---------------------


def _text(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value).strip()


def _flag(value: Any) -> bool | None:
    """True/False for a stated yes/no, ``None`` when not stated or unreadable."""
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def _records(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, str) and value.strip():
        try:
            value = json.loads(value)
        except ValueError:
            return []
    if not isinstance(value, list):
        return []
    return [r if isinstance(r, dict) else {} for r in value]


def _code_list(value: Any) -> list[str]:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                value = [text]
        else:
            value = re.split(r"[\s,，;；]+", text)
    if not isinstance(value, list):
        return []
    return [_text(c) for c in value if _text(c)]


def _positive_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    text = _text(value)
    # isdecimal, not isdigit: "²" is a digit that int() refuses
    return int(text) if text.isdecimal() and int(text) > 0 else None


def _options(terms: Iterable[v.Term]) -> tuple[str, str]:
    """``(zh, en)`` list of the allowed values, for an invalid-choice message."""
    terms = list(terms)
    return ("、".join(f"{t.value} {t.zh}" for t in terms),
            ", ".join(f"{t.value} ({t.en})" for t in terms))


def _bad_choice(report: _Report, name: str, value: str, terms: Iterable[v.Term]) -> None:
    zh, en = _options(terms)
    report.field(name, tk._("\"{value}\" is not an allowed value (one of: {choices})").format(value=value, choices=local(zh, en)))


# --- the basis of not sharing ---------------------------------------------------------------

# A basis must cite a law, an administrative regulation or a 党中央/国务院 policy (51号).
# Accepted as a citation: a 《title》 that is not a grading document, a document number
# (〔2016〕51号), or a phrase naming such an instrument. Standards (GB/T …, DB14/T …) and
# grading documents are not laws: citing only them, or only the grade, is "grade alone".
_TITLE = re.compile(r"《([^》]+)》")
_GRADING_TITLE = re.compile(r"分级|分类分级|classification and grading", re.I)
_STANDARD_NUMBER = re.compile(
    r"(?<![A-Za-z])(?:GB|DB\d*|JR|YD|GA)(?:/[TZ])?\s*\d+(?:\.\d+)*(?:[-—]\d{4})?", re.I)
_DOC_NUMBER = re.compile(r"[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d+\s*号|令第?\s*\d+\s*号")
_INSTRUMENT = re.compile(
    r"法律|行政法规|党中央|中共中央|国务院|条例|中华人民共和国\S{0,20}法"
    r"|[\u4e00-\u9fff]{2,}法第[一二三四五六七八九十百零〇\d]+条"
    r"|\b(?:law|act|regulations?|state council|central committee)\b",
    re.I,
)
_GRADE_WORDS = re.compile(
    r"分级|分类|等级|级别|[一二三四五1-5]级|核心数据|重要数据|敏感|\bgrade|\blevel|\bsensitiv",
    re.I,
)


def no_share_basis_problem(text: Any, grade_scale: v.GradeScale) -> str | None:
    """Why ``text`` is not a basis for not sharing (translated); ``None`` when it is.

    Refused: an empty basis; a basis that cites no law, administrative regulation or
    党中央/国务院 policy; and, with a dedicated message, a basis that only gives the data's
    grade (a grade code or label of ``grade_scale``, words such as 分级/敏感/核心数据, or only
    a grading standard such as GB/T 43697 or DB14/T 2442).
    """
    basis = _text(text)
    if not basis:
        return tk._("required: cite the law, administrative regulation or State Council / Party Central Committee policy")
    # grading documents and standards are not a legal basis: drop them before looking
    remaining = _TITLE.sub(
        lambda m: " " if _GRADING_TITLE.search(m.group(1)) else m.group(0), basis)
    remaining = _STANDARD_NUMBER.sub(" ", remaining)
    cites_law = bool(
        _TITLE.search(remaining) or _DOC_NUMBER.search(remaining) or _INSTRUMENT.search(remaining)
    )
    if cites_law:
        return None
    grade_words = [re.escape(c) for c in grade_scale.codes]
    grade_words += [re.escape(grade_scale.label(c)[lang])
                    for c in grade_scale.codes for lang in ("zh_Hans_CN", "en")]
    mentions_grade = bool(
        _GRADE_WORDS.search(basis)
        or re.search(r"(?<![0-9A-Za-z])(?:" + "|".join(grade_words) + r")(?![0-9A-Za-z])", basis)
        or basis != remaining
    )
    if mentions_grade:
        # 国发〔2016〕51号 第九条 and C.4 R1: a grade is never a basis for not sharing
        return tk._("a data grade alone is not a basis for not sharing: cite the law, administrative regulation or State Council / Party Central Committee policy")
    return tk._("must cite a law, administrative regulation or State Council / Party Central Committee policy (title, article or document number)")


# --- share type default ----------------------------------------------------------------------


def default_share_type(catalog_class: Any, catalog_item: Any) -> str | None:
    """``unconditional`` for the basic-resource items (人口, 法人单位, 自然资源和空间地理,
    电子证照), ``None`` elsewhere (the compiler must choose).
    """
    # 国发〔2016〕51号 第十条: basic information resources are shared unconditionally
    return _UNCONDITIONAL if v.is_basic_resource(_text(catalog_class), _text(catalog_item)) else None


# --- the rules -------------------------------------------------------------------------------


class _Entry:
    """The entry's values, read once and coerced."""

    def __init__(self, entry: Mapping[str, Any], scale: v.GradeScale) -> None:
        self.raw = entry
        self.scale = scale
        self.t = {k: _text(entry.get(k)) for k in v.FIELD_LABELS if "." not in k}
        self.items = _records(entry.get("info_items"))
        self.scopes = _records(entry.get("share_scope"))
        self.resources = _records(entry.get("resources"))
        self.share_rank = v.share_type_rank(self.t["share_type"])
        self.category = v.format_category(self.t["format_category"])
        item_grades = [_text(i.get("grade")) for i in self.items]
        self.item_max_grade = scale.highest(item_grades)
        # the grade the sharing policy applies to: the entry's, raised to its items' highest
        self.grade = scale.highest([self.t["data_grade"], self.item_max_grade])

    def __getitem__(self, name: str) -> str:
        return self.t[name]


def _check_scope(e: _Entry, r: _Report) -> None:
    # DB14 §1 (not for data involving state secrets); 国务院令第809号 第三条
    if _flag(e.raw.get("is_classified")):
        r.field("is_classified", tk._("classified data is outside the scope of government data sharing and cannot be catalogued"))


def _check_required(e: _Entry, r: _Report) -> None:
    # 1272 核心元数据 (all mandatory but 关联资源代码); DB14 §7.2 for the internal unit
    for name in REQUIRED_FIELDS:
        if not e[name]:
            r.field(name, tk._("required"))


def _check_classification(e: _Entry, r: _Report) -> None:
    # 1272 §6.1: 类 1 digit (1 基础, 2 主题, 3 部门), 项 2 digits from the class's list,
    # 目 3 digits, 细目 optional and variable
    cls, item = e["catalog_class"], e["catalog_item"]
    known_class = v.lookup(v.CATALOG_CLASSES, cls)
    if cls and not known_class:
        _bad_choice(r, "catalog_class", cls, v.CATALOG_CLASSES)
    if item:
        if not re.fullmatch(codes.SEGMENT_PATTERNS["item"], item):
            r.field("catalog_item", tk._("must be 2 digits"))
        elif known_class and not v.catalog_item(cls, item):
            zh, en = _options(v.CATALOG_ITEMS[cls])
            r.field("catalog_item",
                    tk._("\"{item}\" is not an item of {label} (one of: {choices})").format(item=item, label=label_text(known_class), choices=local(zh, en)))
    subitem = e["catalog_subitem"]
    if subitem and not re.fullmatch(codes.SEGMENT_PATTERNS["subitem"], subitem):
        r.field("catalog_subitem", tk._("must be 3 digits"))
    detail = e["catalog_detail"]
    if detail and not re.fullmatch(codes.SEGMENT_PATTERNS["detail"], detail):
        r.field("catalog_detail", tk._("may contain only digits and letters"))


def _check_resource_code(e: _Entry, r: _Report, template: str | None) -> None:
    code = e[fields.RESOURCE_CODE]
    if not template or not code:
        return
    # 1272 信息资源代码 = 分类码 (类/项/目/细目) + 顺序码 (domain reference A.5)
    problem = codes.resource_code_problem(template, code)
    if problem:
        r.field(fields.RESOURCE_CODE, problem)
        return
    parsed = codes.parse_resource_code(template, code) or {}
    mismatched = [
        name for name, part in (("catalog_class", "class"), ("catalog_item", "item"),
                                ("catalog_subitem", "subitem"), ("catalog_detail", "detail"))
        if part in parsed and parsed[part] != e[name]
    ]
    if mismatched:
        r.field(fields.RESOURCE_CODE,
                tk._("the classification part of {code} does not match the entry's class / item / sub-item / detail; clear it to have a new code allocated").format(code=code))


def _check_provider(e: _Entry, r: _Report) -> None:
    code = e["provider_code"]
    # GB 32100-2015; 1272 核心元数据 提供方代码 = the department's 统一社会信用代码
    if code:
        problem = codes.uscc_problem(code)
        if problem:
            r.field("provider_code", problem)


def _check_format(e: _Entry, r: _Report) -> None:
    # 1272 信息资源格式: the type belongs to its category; 其他 needs a description (A.7(7))
    fc, ft = e["format_category"], e["format_type"]
    if fc and not e.category:
        _bad_choice(r, "format_category", fc, v.FORMAT_CATEGORIES)
    if ft:
        if e.category:
            if not v.lookup(e.category.types, ft):
                zh, en = _options(e.category.types)
                r.field("format_type",
                        tk._("\"{ft}\" is not a type of the format category {label} (one of: {choices})").format(ft=ft, label=label_text(e.category), choices=local(zh, en)))
        elif ft != v.FORMAT_OTHER and not v.format_category_of_type(ft):
            r.field("format_type", tk._("\"{ft}\" is not a format type").format(ft=ft))
    if v.FORMAT_OTHER in (fc, ft) and not e["format_other_desc"]:
        r.field("format_other_desc", tk._("required when the format is 'other'"))


def _check_info_items(e: _Entry, r: _Report, allow_core_sharing: bool) -> None:
    # 1272 信息项: at least one; names unique within the entry (domain reference A.3, A.7(8))
    if not e.items:
        r.field("info_items", tk._("at least one information item is required"))
    seen: dict[str, int] = {}
    scale = e.scale
    for i, item in enumerate(e.items):
        name = _text(item.get("name"))

        def sub(subfield: str, problem: str, _i: int = i, _name: str = name) -> None:
            r.sub("info_items", _i, subfield, _name, problem)

        if not name:
            sub("name", tk._("required"))
        elif name in seen:
            sub("name", tk._("repeats item no. {value}: item names must be unique in the entry").format(value=seen[name] + 1))
        else:
            seen[name] = i

        dt_value = _text(item.get("data_type"))
        dt = v.data_type(dt_value)
        if not dt_value:
            sub("data_type", tk._("required"))
        elif not dt:
            zh, en = _options(v.DATA_TYPES)
            sub("data_type", tk._("\"{dt_value}\" is not a data type (one of: {choices})").format(dt_value=dt_value, choices=local(zh, en)))
        length_raw = item.get("length")
        if _text(length_raw):
            if _positive_int(length_raw) is None:
                sub("length", tk._("must be a positive whole number"))
        elif dt and dt.needs_length:
            sub("length", tk._("required for the data type {label} ({value})").format(label=label_text(dt), value=dt.value))

        st = _text(item.get("share_type"))
        st_rank = v.share_type_rank(st)
        if st and st_rank is None:
            zh, en = _options(v.SHARE_TYPES)
            sub("share_type", tk._("\"{st}\" is not a share type (one of: {choices})").format(st=st, choices=local(zh, en)))
        elif st and e.share_rank is not None:
            entry_term = v.SHARE_TYPES[e.share_rank]
            # domain reference A.7(9): an item may be stricter than the entry, never looser
            if st_rank < e.share_rank:
                sub("share_type",
                    tk._("must not be looser than the entry's share type ({label})").format(label=label_text(entry_term)))
            elif st_rank > e.share_rank:
                condition = item.get("share_condition")
                if st == _CONDITIONAL and not _text(condition):
                    sub("share_condition", tk._("required when the item is stricter than the entry (conditional)"))
                elif st == _NOT_SHARED:
                    # 国发〔2016〕51号 第九条: every 不予共享 needs its basis, items included
                    problem = no_share_basis_problem(condition, scale)
                    if problem:
                        sub("share_condition", problem)

        grade = _text(item.get("grade"))
        if grade and grade not in scale:
            sub("grade", tk._("\"{grade}\" is not in the grade scale ({value})").format(grade=grade, value=' '.join(scale.codes)))
        elif grade and st:
            # C.4 R2 and the CORE row of C.2, applied to an item's own share type
            if scale.is_core(grade) and not allow_core_sharing and st != _NOT_SHARED:
                sub("share_type", tk._("core data must not be shared"))
            elif scale.is_restricted(grade) and st == _UNCONDITIONAL:
                sub("share_type",
                    tk._("an item graded {label} cannot be shared unconditionally").format(label=label_text(scale.label(grade))))


def _check_share(e: _Entry, r: _Report) -> None:
    st = e["share_type"]
    if st and e.share_rank is None:
        _bad_choice(r, "share_type", st, v.SHARE_TYPES)
    # 国发〔2016〕51号 第十条: basic resources are shared unconditionally; anything else
    # must state why (domain reference A.7(5))
    if (st and st != _UNCONDITIONAL
            and v.is_basic_resource(e["catalog_class"], e["catalog_item"])
            and not e["share_type_reason"]):
        item = v.catalog_item(e["catalog_class"], e["catalog_item"])
        r.field("share_type_reason",
                tk._("{label} is a basic information resource, shared unconditionally by default: state why it is not").format(label=label_text(item)))
    if st == _CONDITIONAL:
        # DB14 §11.1 可共享数据管理规范; domain reference A.7(1): condition and scope
        if not e["share_condition"]:
            r.field("share_condition", tk._("required when the share type is conditional"))
        if not e.scopes:
            r.field("share_scope", tk._("required when the share type is conditional: consumers, regions, need-to-know, permitted use and scenarios"))
        for i, scope in enumerate(e.scopes):
            consumers = _text(scope.get("consumers"))
            for name in SCOPE_REQUIRED_FIELDS:
                value = scope.get(name)
                stated = _flag(value) is not None if name == "agreement_required" else _text(value)
                if not stated:
                    r.sub("share_scope", i, name, consumers, tk._("required"))
    if st == _NOT_SHARED:
        # 国发〔2016〕51号 第九条 (law, regulation or 党中央/国务院 policy); C.4 R1
        problem = no_share_basis_problem(e["no_share_basis"], e.scale)
        if problem:
            r.field("no_share_basis", problem)

    # 1272 共享方式 (domain reference A.4.3, A.7(3)): a category unless not shared; a type
    # when on the platform, consistent with the format; types exist only on the platform
    smc, smt = e["share_mode_category"], e["share_mode_type"]
    if st and st != _NOT_SHARED and not smc:
        r.field("share_mode_category", tk._("required unless the share type is not_shared"))
    if smc and not v.lookup(v.SHARE_MODE_CATEGORIES, smc):
        _bad_choice(r, "share_mode_category", smc, v.SHARE_MODE_CATEGORIES)
    if smt and not v.lookup(v.SHARE_MODE_TYPES, smt):
        _bad_choice(r, "share_mode_type", smt, v.SHARE_MODE_TYPES)
    elif smc == v.SHARE_MODE_PLATFORM:
        if not smt:
            r.field("share_mode_type", tk._("required for the sharing platform (table, api or file)"))
        elif e.category and smt not in e.category.share_mode_types:
            _inconsistent_mode(r, "share_mode_type", smt, e.category)
    elif smc and smt:
        r.field("share_mode_type", tk._("applies only to the sharing platform category"))


def _inconsistent_mode(r: _Report, name: str, smt: str, category: v.FormatCategory) -> None:
    allowed = [t for t in v.SHARE_MODE_TYPES if t.value in category.share_mode_types]
    zh, en = _options(allowed)
    term = v.lookup(v.SHARE_MODE_TYPES, smt)
    r.field(name, tk._("{value} does not fit the format category {label} (one of: {choices})").format(value=local(term.zh if term else smt, term.en if term else smt), label=label_text(category), choices=local(zh, en)))


def _check_open(e: _Entry, r: _Report) -> None:
    ot = e["open_type"]
    if ot and v.open_type_rank(ot) is None:
        _bad_choice(r, "open_type", ot, v.OPEN_TYPES)
    # domain reference A.7(4)
    if ot == _CONDITIONAL_OPEN and not e["open_condition"]:
        r.field("open_condition", tk._("required when the open type is conditional_open"))
    # [I] data not fit to share with other departments is not fit to open to the public
    if e["share_type"] == _NOT_SHARED and ot and ot != _NOT_OPEN:
        r.field("open_type", tk._("data that is not shared cannot be opened to the public"))


def _check_update_cycle(e: _Entry, r: _Report) -> None:
    cycle = e["update_cycle"]
    if cycle and not v.lookup(v.UPDATE_CYCLES, cycle):
        _bad_choice(r, "update_cycle", cycle, v.UPDATE_CYCLES)
    # domain reference A.7(6)
    if cycle == v.UPDATE_CYCLE_OTHER and not e["update_cycle_other"]:
        r.field("update_cycle_other", tk._("required when the update cycle is 'other'"))


def _check_grade(e: _Entry, r: _Report, allow_core_sharing: bool) -> None:
    scale, dg = e.scale, e["data_grade"]
    if dg and dg not in scale:
        r.field("data_grade", tk._("\"{dg}\" is not in the grade scale ({value})").format(dg=dg, value=' '.join(scale.codes)))
    # domain reference C.3: the entry is graded at least as high as its highest item
    if dg in scale and e.item_max_grade and scale.rank(dg) < scale.rank(e.item_max_grade):
        top = scale.label(e.item_max_grade)
        r.field("data_grade", tk._("must not be lower than the highest item grade ({label})").format(label=label_text(top)))
    grade = e.grade
    if not grade:
        return
    label = scale.label(grade)
    st, ot = e["share_type"], e["open_type"]
    # GB/T 43697-2024 核心数据; C.2 CORE row: not shared unless configuration allows
    if scale.is_core(grade) and not allow_core_sharing and st and st != _NOT_SHARED:
        r.field("share_type", tk._("{label} must not be shared").format(label=label_text(label)))
    # C.4 R2: from the restricted grade up (default G3, and IMP/CORE) never unconditional
    elif scale.is_restricted(grade) and st == _UNCONDITIONAL:
        r.field("share_type", tk._("data graded {label} cannot be shared unconditionally").format(label=label_text(label)))
    # C.2 (重要/核心数据 不予开放) and C.4 R3 (never unconditionally open from G3 up)
    if scale.is_not_open(grade) and ot and ot != _NOT_OPEN:
        r.field("open_type", tk._("data graded {label} must not be opened").format(label=label_text(label)))
    elif scale.is_restricted(grade) and ot == _UNCONDITIONAL_OPEN:
        r.field("open_type", tk._("data graded {label} cannot be opened unconditionally").format(label=label_text(label)))
    # DB14 §11.1 (安全协议) with C.4 R2: restricted data is shared only under an agreement
    if scale.is_restricted(grade) and st == _CONDITIONAL:
        for i, scope in enumerate(e.scopes):
            if _flag(scope.get("agreement_required")) is False:
                r.sub("share_scope", i, "agreement_required", _text(scope.get("consumers")),
                      tk._("data graded {label} requires a signed security agreement").format(label=label_text(label)))


def _check_resources(e: _Entry, r: _Report) -> None:
    # 1272 共享方式挂接: each attached resource's share-mode type fits the format category
    for i, res in enumerate(e.resources):
        smt = _text(res.get("share_mode_type"))
        if not smt:
            continue
        term = v.lookup(v.SHARE_MODE_TYPES, smt)
        name = _text(res.get("name"))
        if not term:
            zh, en = _options(v.SHARE_MODE_TYPES)
            r.sub("resources", i, "share_mode_type", name, tk._("\"{smt}\" is not a share mode type (one of: {choices})").format(smt=smt, choices=local(zh, en)))
        elif e.category and smt not in e.category.share_mode_types:
            r.sub("resources", i, "share_mode_type", name,
                  tk._("{label} does not fit the format category {category}").format(label=label_text(term), category=label_text(e.category)))


def _check_related(e: _Entry, r: _Report) -> None:
    # 1272 关联资源代码 (optional): distinct codes of other entries
    related = _code_list(e.raw.get("related_resource_codes"))
    code = e[fields.RESOURCE_CODE]
    if code and code in related:
        r.field("related_resource_codes", tk._("must not include the entry's own resource code"))
    repeated = sorted({c for c in related if related.count(c) > 1})
    if repeated:
        r.field("related_resource_codes", tk._("repeated codes: {value}").format(value=join(repeated)))


def check_entry(entry: Mapping[str, Any], *, grade_scale: v.GradeScale,
                allow_core_sharing: bool,
                resource_code_template: str | None = None) -> Errors:
    """Every rule of the standard on one catalogue entry; ``{}`` when it is valid.

    :param entry: the entry with the catalogue schema's field names
    :param grade_scale: the configured grade scale and its thresholds
    :param allow_core_sharing: whether core data may be shared (configuration)
    :param resource_code_template: when given, a present ``resource_code`` must have its
        shape and agree with the entry's classification
    :returns: messages by field name or ``parent.index.subfield``
    """
    e = _Entry(entry, grade_scale)
    r = _Report()
    _check_scope(e, r)
    _check_required(e, r)
    _check_classification(e, r)
    _check_resource_code(e, r, resource_code_template)
    _check_provider(e, r)
    _check_format(e, r)
    _check_info_items(e, r, allow_core_sharing)
    _check_share(e, r)
    _check_open(e, r)
    _check_update_cycle(e, r)
    _check_grade(e, r, allow_core_sharing)
    _check_resources(e, r)
    _check_related(e, r)
    return r.errors


# --- departments (DB14 §4 c, §6; issue 3 §2) ------------------------------------------------

# a unit code is the department's own short code for a 处室 (letters, digits, _ . -)
UNIT_CODE_PATTERN = r"[0-9A-Za-z][0-9A-Za-z_.-]{0,31}"


def check_department(dept: Mapping[str, Any]) -> Errors:
    """The rules of a department (organization): codes, level and internal units.

    ``uscc`` passes GB 32100-2015, ``region_code`` is a GB/T 2260 code, ``level`` is
    province / city / county, and each unit has a code and a name, both unique within the
    department (entries name their unit by code: DB14 §7.2 "业务谁主管，谁编制").
    """
    r = _Report()
    uscc = _text(dept.get("uscc"))
    # GB 32100-2015: 18 characters with the check character
    if uscc:
        problem = codes.uscc_problem(uscc)
        if problem:
            r.field("uscc", problem)
    region = _text(dept.get("region_code"))
    # GB/T 2260: 6-digit region codes
    if region:
        problem = codes.region_code_problem(region)
        if problem:
            r.field("region_code", problem)
    level = _text(dept.get("level"))
    if level and not v.lookup(v.ORG_LEVELS, level):
        _bad_choice(r, "level", level, v.ORG_LEVELS)
    seen_codes: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for i, unit in enumerate(_records(dept.get("units"))):
        code, name = _text(unit.get("code")), _text(unit.get("name"))
        if not code:
            r.sub("units", i, "code", name, tk._("required"))
        elif not re.fullmatch(UNIT_CODE_PATTERN, code):
            r.sub("units", i, "code", name, tk._("letters, digits and _ . - only, at most 32 characters"))
        elif code in seen_codes:
            r.sub("units", i, "code", name, tk._("repeats unit no. {value}").format(value=seen_codes[code] + 1))
        else:
            seen_codes[code] = i
        if not name:
            r.sub("units", i, "name", code, tk._("required"))
        elif name in seen_names:
            r.sub("units", i, "name", name, tk._("repeats unit no. {value}").format(value=seen_names[name] + 1))
        else:
            seen_names[name] = i
    return r.errors
