"""Controlled vocabularies of the catalogue entry, as data.

Everything a catalogue entry may pick from a list lives here, each term with an
``{en, zh_Hans_CN}`` label: catalogue classes and their items (1272 §6.1), resource formats
(category → type, with the share-mode types each category can be served as), 信息项 data
types, share / share-mode / open types, update cycles, department levels and the grade scale.
The ``govshare_*_choices`` functions turn them into ckanext-scheming choice lists
(``choices_helper``); they are registered as template helpers by the plugin.

Data and pure functions of it. The grade scale is overridable by configuration:
:func:`grade_scale` (and :func:`govshare_grade_choices` through it) is the one function that
reads config, through :mod:`ckanext.govshare.config` at call time; everything else takes a
:class:`GradeScale` argument.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ckanext.govshare import config as gs_config

__all__ = [
    "Term",
    "CatalogItem",
    "FormatCategory",
    "DataType",
    "GradeTerm",
    "GradeScale",
    "CATALOG_CLASSES",
    "CATALOG_ITEMS",
    "FORMAT_CATEGORIES",
    "FORMAT_OTHER",
    "DATA_TYPES",
    "SHARE_TYPES",
    "SHARE_MODE_CATEGORIES",
    "SHARE_MODE_TYPES",
    "SHARE_MODE_PLATFORM",
    "OPEN_TYPES",
    "OPEN_TYPE_EU_ACCESS_RIGHT",
    "UPDATE_CYCLES",
    "UPDATE_CYCLE_OTHER",
    "UPDATE_CYCLE_EU_FREQUENCY",
    "ORG_LEVELS",
    "YES_NO",
    "GRADE_TERMS",
    "DEFAULT_GRADE_SCALE",
    "FIELD_LABELS",
    "RECORD_LABELS",
    "lookup",
    "values",
    "catalog_item",
    "catalog_item_label",
    "is_basic_resource",
    "format_category",
    "format_category_of_type",
    "data_type",
    "share_type_rank",
    "open_type_rank",
    "grade_scale",
    "grade_choices",
    "field_label",
    "get_helpers",
    "govshare_catalog_class_choices",
    "govshare_catalog_item_choices",
    "govshare_format_category_choices",
    "govshare_format_type_choices",
    "govshare_data_type_choices",
    "govshare_share_type_choices",
    "govshare_share_mode_category_choices",
    "govshare_share_mode_type_choices",
    "govshare_open_type_choices",
    "govshare_update_cycle_choices",
    "govshare_org_level_choices",
    "govshare_yes_no_choices",
    "govshare_grade_choices",
    "govshare_catalog_item_label",
]

Label = dict[str, str]


@dataclass(frozen=True)
class Term:
    """One controlled value with its Chinese and English label."""

    value: str
    zh: str
    en: str

    @property
    def label(self) -> Label:
        """The scheming ``{en, zh_Hans_CN}`` label."""
        return {"en": self.en, "zh_Hans_CN": self.zh}

    def choice(self, **extra: Any) -> dict[str, Any]:
        """A scheming choice (``value`` + ``label``), with optional extra keys."""
        return {"value": self.value, "label": self.label, **extra}


@dataclass(frozen=True)
class CatalogItem(Term):
    """A 项 of a catalogue class; ``basic_resource`` marks the 基础信息资源 of 国发〔2016〕51号."""

    basic_resource: bool = False


@dataclass(frozen=True)
class FormatCategory(Term):
    """A 格式分类 with its 格式类型 and the share-mode types it can be served as on the platform."""

    types: tuple[Term, ...] = ()
    share_mode_types: frozenset[str] = frozenset()


@dataclass(frozen=True)
class DataType(Term):
    """A 信息项 data type; ``needs_length`` when the length is not implied by the type."""

    needs_length: bool = False


def _terms(*rows: tuple[str, str, str]) -> tuple[Term, ...]:
    return tuple(Term(*row) for row in rows)


# --- catalogue classification (1272 §6.1; item codes follow the listed order) -------------

CATALOG_CLASSES: tuple[Term, ...] = _terms(
    ("1", "基础信息资源目录", "Basic information resources"),
    ("2", "主题信息资源目录", "Thematic information resources"),
    ("3", "部门信息资源目录", "Departmental information resources"),
)

CATALOG_ITEMS: dict[str, tuple[CatalogItem, ...]] = {
    "1": (
        CatalogItem("01", "人口", "Population", basic_resource=True),
        CatalogItem("02", "法人单位", "Legal entities", basic_resource=True),
        CatalogItem("03", "自然资源和空间地理", "Natural resources and geospatial",
                    basic_resource=True),
        CatalogItem("04", "社会信用", "Social credit"),
        CatalogItem("05", "电子证照", "Electronic licences and certificates",
                    basic_resource=True),
    ),
    "2": (
        CatalogItem("01", "公共服务", "Public services"),
        CatalogItem("02", "健康保障", "Health care"),
        CatalogItem("03", "社会保障", "Social security"),
        CatalogItem("04", "食品药品安全", "Food and drug safety"),
        CatalogItem("05", "安全生产", "Work safety"),
        CatalogItem("06", "价格监管", "Price supervision"),
        CatalogItem("07", "能源安全", "Energy security"),
        CatalogItem("08", "信用体系", "Credit system"),
        CatalogItem("09", "城乡建设", "Urban and rural development"),
        CatalogItem("10", "社区治理", "Community governance"),
        CatalogItem("11", "生态环保", "Ecology and environmental protection"),
        CatalogItem("12", "应急保障", "Emergency response"),
    ),
    "3": (
        CatalogItem("01", "党中央", "Central Committee of the CPC"),
        CatalogItem("02", "全国人大常委会", "NPC Standing Committee"),
        CatalogItem("03", "国务院", "State Council"),
        CatalogItem("04", "全国政协", "CPPCC National Committee"),
        CatalogItem("05", "最高人民法院", "Supreme People's Court"),
        CatalogItem("06", "最高人民检察院", "Supreme People's Procuratorate"),
        CatalogItem("07", "省(自治区、直辖市)及其下各级政务部门",
                    "Provincial government departments and those below"),
        CatalogItem("08", "计划单列市及其下各级政务部门",
                    "Departments of cities specifically designated in the state plan"),
    ),
}

# --- resource formats (1272 信息资源格式; domain reference A.4.2) --------------------------

FORMAT_OTHER = "other"
_OTHER_TYPE = Term(FORMAT_OTHER, "其他", "Other")
_FILE = frozenset({"file"})

FORMAT_CATEGORIES: tuple[FormatCategory, ...] = (
    FormatCategory(
        "document", "电子文件", "Electronic document",
        types=_terms(
            ("ofd", "OFD", "OFD"), ("wps", "WPS", "WPS"), ("xml", "XML", "XML"),
            ("txt", "TXT", "TXT"), ("doc", "DOC", "DOC"), ("docx", "DOCX", "DOCX"),
            ("html", "HTML", "HTML"), ("pdf", "PDF", "PDF"), ("ppt", "PPT", "PPT"),
            ("pptx", "PPTX", "PPTX"),
        ) + (_OTHER_TYPE,),
        share_mode_types=_FILE,
    ),
    FormatCategory(
        "spreadsheet", "电子表格", "Spreadsheet",
        types=_terms(
            ("et", "ET", "ET"), ("xls", "XLS", "XLS"), ("xlsx", "XLSX", "XLSX"),
            ("csv", "CSV", "CSV"),
        ) + (_OTHER_TYPE,),
        share_mode_types=_FILE,
    ),
    FormatCategory(
        "database", "数据库", "Database",
        types=_terms(
            ("dm", "达梦 DM", "Dameng DM"), ("kingbase", "人大金仓 KingbaseES", "KingbaseES"),
            ("gbase", "南大通用 GBase", "GBase"), ("oracle", "Oracle", "Oracle"),
            ("sqlserver", "SQL Server", "SQL Server"), ("db2", "DB2", "DB2"),
            ("sybase", "Sybase", "Sybase"), ("mysql", "MySQL", "MySQL"),
            ("postgresql", "PostgreSQL", "PostgreSQL"), ("access", "Access", "Access"),
            ("dbf", "DBF", "DBF"), ("dbase", "dBASE", "dBASE"),
        ) + (_OTHER_TYPE,),
        # 1272 practice: a database resource is shared as 库表 or 接口 (domain reference A.2 9c)
        share_mode_types=frozenset({"table", "api"}),
    ),
    FormatCategory(
        "image", "图形图像", "Graphics and images",
        types=_terms(
            ("jpg", "JPG", "JPG"), ("gif", "GIF", "GIF"), ("bmp", "BMP", "BMP"),
            ("png", "PNG", "PNG"), ("tiff", "TIFF", "TIFF"),
        ) + (_OTHER_TYPE,),
        share_mode_types=_FILE,
    ),
    FormatCategory(
        "streaming", "流媒体", "Streaming media",
        types=_terms(
            ("swf", "SWF", "SWF"), ("rm", "RM", "RM"), ("mpg", "MPG", "MPG"),
            ("mp4", "MP4", "MP4"),
        ) + (_OTHER_TYPE,),
        share_mode_types=_FILE,
    ),
    FormatCategory(
        "self_describing", "自描述格式", "Self-describing format",
        types=_terms(("json", "JSON", "JSON"), ("rdf", "RDF", "RDF")) + (_OTHER_TYPE,),
        share_mode_types=frozenset({"file", "api"}),
    ),
    FormatCategory(
        "service", "服务接口", "Service interface",
        types=_terms(
            ("rest", "RESTful 接口", "RESTful API"), ("soap", "WebService (SOAP)",
                                                       "Web service (SOAP)"),
        ) + (_OTHER_TYPE,),
        share_mode_types=frozenset({"api"}),
    ),
    FormatCategory(
        FORMAT_OTHER, "其他", "Other",
        types=(_OTHER_TYPE,),
        share_mode_types=frozenset({"table", "api", "file"}),
    ),
)

# --- 信息项 data types (1272 letter codes; domain reference A.3) ---------------------------

DATA_TYPES: tuple[DataType, ...] = (
    DataType("C", "字符型", "Character", needs_length=True),
    DataType("N", "数值型", "Numeric", needs_length=True),
    DataType("Y", "货币型", "Currency"),
    DataType("D", "日期型", "Date"),
    DataType("T", "日期时间型", "Date and time"),
    DataType("L", "逻辑型", "Logical"),
    DataType("M", "备注型", "Memo"),
    DataType("G", "通用型", "General (binary object)"),
    DataType("B", "双精度型", "Double precision"),
    DataType("I", "整型", "Integer"),
    DataType("F", "浮点型", "Floating point", needs_length=True),
)

# --- sharing, opening, updating ----------------------------------------------------------

# ordered from the loosest to the strictest: an info item may move right, never left
SHARE_TYPES: tuple[Term, ...] = _terms(
    ("unconditional", "无条件共享", "Unconditional sharing"),
    ("conditional", "有条件共享", "Conditional sharing"),
    ("not_shared", "不予共享", "Not shared"),
)

SHARE_MODE_PLATFORM = "platform"
SHARE_MODE_CATEGORIES: tuple[Term, ...] = _terms(
    (SHARE_MODE_PLATFORM, "共享平台方式", "Sharing platform"),
    ("email", "邮件方式", "E-mail"),
    ("medium", "介质方式", "Storage medium"),
)

SHARE_MODE_TYPES: tuple[Term, ...] = _terms(
    ("table", "库表", "Database table"),
    ("api", "接口", "API / service"),
    ("file", "文件", "File"),
)

# ordered from the most to the least open; eu_access_right: the DCAT-AP access-right code
OPEN_TYPES: tuple[Term, ...] = _terms(
    ("unconditional_open", "无条件开放", "Unconditionally open"),
    ("conditional_open", "有条件开放", "Conditionally open"),
    ("not_open", "不予开放", "Not open"),
)
OPEN_TYPE_EU_ACCESS_RIGHT: dict[str, str] = {
    "unconditional_open": "PUBLIC",
    "conditional_open": "RESTRICTED",
    "not_open": "NON_PUBLIC",
}

UPDATE_CYCLE_OTHER = "other"
UPDATE_CYCLES: tuple[Term, ...] = _terms(
    ("realtime", "实时", "Real time"),
    ("daily", "每日", "Daily"),
    ("weekly", "每周", "Weekly"),
    ("monthly", "每月", "Monthly"),
    ("quarterly", "每季度", "Quarterly"),
    ("half_yearly", "每半年", "Half-yearly"),
    ("yearly", "每年", "Yearly"),
    ("irregular", "不定期", "Irregular"),
    (UPDATE_CYCLE_OTHER, "其他", "Other"),
)
# EU frequency NAL code of each cycle (domain reference D.2), for the DCAT profile
UPDATE_CYCLE_EU_FREQUENCY: dict[str, str] = {
    "realtime": "CONT",
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "monthly": "MONTHLY",
    "quarterly": "QUARTERLY",
    "half_yearly": "ANNUAL_2",
    "yearly": "ANNUAL",
    "irregular": "IRREG",
    UPDATE_CYCLE_OTHER: "OTHER",
}

ORG_LEVELS: tuple[Term, ...] = _terms(
    ("province", "省级", "Provincial"),
    ("city", "市级", "Municipal"),
    ("county", "县级", "County"),
)

# stored form of every yes/no field (``govshare_boolean`` normalises input to these)
YES_NO: tuple[Term, ...] = _terms(("false", "否", "No"), ("true", "是", "Yes"))

# --- grading (domain reference C.1/C.2; GB/T 43697-2024 levels) --------------------------


@dataclass(frozen=True)
class GradeTerm(Term):
    """A grade with the GB/T 43697 level it belongs to (``general``/``important``/``core``)."""

    national_level: str = "general"


GRADE_TERMS: dict[str, GradeTerm] = {
    t.value: t
    for t in (
        GradeTerm("G1", "一般数据1级", "General data, level 1"),
        GradeTerm("G2", "一般数据2级", "General data, level 2"),
        GradeTerm("G3", "一般数据3级（敏感）", "General data, level 3 (sensitive)"),
        GradeTerm("G4", "一般数据4级（高敏感）", "General data, level 4 (highly sensitive)"),
        GradeTerm("IMP", "重要数据", "Important data", national_level="important"),
        GradeTerm("CORE", "核心数据", "Core data", national_level="core"),
    )
}


@dataclass(frozen=True)
class GradeScale:
    """An ordered grade scale (lowest first) and the thresholds the sharing rules use.

    ``restricted_from``: from this grade up an entry may be neither shared nor opened
    unconditionally. ``not_open_from``: from this grade up it must be ``not_open``.
    ``core_from``: from this grade up it is core data, ``not_shared`` unless configuration
    allows core sharing. ``labels`` overrides the built-in labels of :data:`GRADE_TERMS`.
    """

    codes: tuple[str, ...]
    restricted_from: str
    not_open_from: str
    core_from: str
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        codes = tuple(self.codes)
        object.__setattr__(self, "codes", codes)
        if not codes or any(not c for c in codes):
            raise ValueError("a grade scale needs at least one non-empty grade code")
        if len(set(codes)) != len(codes):
            raise ValueError(f"grade codes repeat in the scale: {' '.join(codes)}")
        for name in ("restricted_from", "not_open_from", "core_from"):
            if getattr(self, name) not in codes:
                raise ValueError(
                    f"grade threshold {name}={getattr(self, name)!r} is not in the scale "
                    f"({' '.join(codes)})"
                )

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    def rank(self, code: str | None) -> int | None:
        """Position of ``code`` in the scale (0 = lowest), ``None`` when not in it."""
        try:
            return self.codes.index(code)  # type: ignore[arg-type]
        except ValueError:
            return None

    def at_least(self, code: str | None, threshold: str) -> bool:
        """Whether ``code`` is in the scale and not below ``threshold``."""
        rank = self.rank(code)
        return rank is not None and rank >= self.codes.index(threshold)

    def is_restricted(self, code: str | None) -> bool:
        return self.at_least(code, self.restricted_from)

    def is_not_open(self, code: str | None) -> bool:
        return self.at_least(code, self.not_open_from)

    def is_core(self, code: str | None) -> bool:
        return self.at_least(code, self.core_from)

    def highest(self, codes: Iterable[str | None]) -> str | None:
        """The highest of the known ``codes`` (unknown and empty ones are ignored)."""
        ranked = [r for r in (self.rank(c) for c in codes) if r is not None]
        return self.codes[max(ranked)] if ranked else None

    def label(self, code: str) -> Label:
        if code in self.labels:
            return dict(self.labels[code])
        if code in GRADE_TERMS:
            return GRADE_TERMS[code].label
        return {"en": code, "zh_Hans_CN": code}


DEFAULT_GRADE_SCALE = GradeScale(
    codes=("G1", "G2", "G3", "G4", "IMP", "CORE"),
    restricted_from="G3",
    not_open_from="IMP",
    core_from="CORE",
)

# --- field labels: shared by the schema YAML (kept equal by a test) and rule messages -----

FIELD_LABELS: dict[str, Label] = {
    key: {"zh_Hans_CN": zh, "en": en}
    for key, zh, en in (
        ("title", "信息资源名称", "Resource title"),
        ("name", "URL 标识", "URL name"),
        ("notes", "信息资源摘要", "Abstract"),
        ("is_classified", "涉密属性", "Classified"),
        ("catalog_class", "信息资源分类（类）", "Catalogue class"),
        ("catalog_item", "信息资源分类（项）", "Catalogue item"),
        ("catalog_subitem", "信息资源分类（目）", "Catalogue sub-item"),
        ("catalog_detail", "信息资源分类（细目）", "Catalogue detail"),
        ("resource_code", "信息资源代码", "Resource code"),
        ("owner_org", "信息资源提供方", "Provider"),
        ("provider_code", "信息资源提供方代码", "Provider code"),
        ("provider_unit", "提供方内部部门", "Provider's internal unit"),
        ("format_category", "信息资源格式分类", "Format category"),
        ("format_type", "信息资源格式类型", "Format type"),
        ("format_other_desc", "其他格式描述", "Other format description"),
        ("info_items", "信息项", "Information items"),
        ("info_items.name", "信息项名称", "Item name"),
        ("info_items.name_en", "英文名称", "English name"),
        ("info_items.data_type", "数据类型", "Data type"),
        ("info_items.length", "数据长度", "Length"),
        ("info_items.share_type", "信息项共享类型", "Item share type"),
        ("info_items.share_condition", "信息项共享条件/不予共享依据",
         "Item share condition / basis"),
        ("info_items.grade", "信息项分级", "Item grade"),
        ("info_items.is_sensitive", "是否敏感", "Sensitive"),
        ("info_items.description", "信息项说明", "Description"),
        ("share_type", "共享类型", "Share type"),
        ("share_type_reason", "非无条件共享理由", "Reason for not sharing unconditionally"),
        ("share_condition", "共享条件", "Share condition"),
        ("share_scope", "可共享数据管理规范", "Sharing scope"),
        ("share_scope.consumers", "数据使用方身份", "Consumer departments or kinds"),
        ("share_scope.regions", "地域", "Regions"),
        ("share_scope.need_to_know", "知悉范围", "Need-to-know scope"),
        ("share_scope.usage", "使用范围", "Permitted use"),
        ("share_scope.scenarios", "应用场景", "Application scenarios"),
        ("share_scope.agreement_required", "需签订安全协议", "Security agreement required"),
        ("no_share_basis", "不予共享依据", "Basis for not sharing"),
        ("share_mode_category", "共享方式分类", "Share mode category"),
        ("share_mode_type", "共享方式类型", "Share mode type"),
        ("open_type", "开放属性", "Open type"),
        ("open_condition", "开放条件", "Open condition"),
        ("update_cycle", "更新周期", "Update cycle"),
        ("update_cycle_other", "其他更新周期说明", "Other update cycle"),
        ("data_grade", "数据分级", "Data grade"),
        ("issued", "发布日期", "Issued"),
        ("related_resource_codes", "关联资源代码", "Related resource codes"),
        ("source_system", "来源系统", "Source system"),
        ("business_matters", "关联业务事项", "Related business matters"),
        ("catalogue_state", "目录状态", "Catalogue state"),
        ("resources", "共享方式挂接资源", "Attached resources"),
        ("resources.share_mode_type", "共享方式类型", "Share mode type"),
        ("units", "处室", "Internal units"),
        ("units.code", "处室代码", "Unit code"),
        ("units.name", "处室名称", "Unit name"),
        ("uscc", "统一社会信用代码", "Unified social credit code"),
        ("region_code", "行政区划代码", "Region code"),
        ("level", "层级", "Level"),
    )
}


# how one record of a repeating field is called in a message ("信息项「企业名称」（第2项）")
RECORD_LABELS: dict[str, Label] = {
    "info_items": {"zh_Hans_CN": "信息项", "en": "Information item"},
    "share_scope": {"zh_Hans_CN": "共享范围", "en": "Sharing scope"},
    "resources": {"zh_Hans_CN": "资源", "en": "Resource"},
    "units": {"zh_Hans_CN": "内部部门", "en": "Internal unit"},
}


def field_label(key: str) -> Label:
    """Label of a field or ``parent.subfield``; the key itself when unknown."""
    return FIELD_LABELS.get(key, {"zh_Hans_CN": key, "en": key})


# --- lookups -----------------------------------------------------------------------------


def lookup(terms: Iterable[Term], value: Any) -> Term | None:
    """The term of ``terms`` whose value is ``value``."""
    for term in terms:
        if term.value == value:
            return term
    return None


def values(terms: Iterable[Term]) -> tuple[str, ...]:
    return tuple(t.value for t in terms)


def catalog_item(class_: Any, item: Any) -> CatalogItem | None:
    """The 项 ``item`` of class ``class_``, ``None`` when the class has no such item."""
    return lookup(CATALOG_ITEMS.get(class_, ()), item)  # type: ignore[return-value]


def is_basic_resource(class_: Any, item: Any) -> bool:
    """Whether (class, item) is a 基础信息资源 (人口, 法人单位, 自然资源和空间地理, 电子证照)."""
    found = catalog_item(class_, item)
    return bool(found and found.basic_resource)


def catalog_item_label(class_: Any, item: Any) -> Label:
    """Label of an item within its class (item codes repeat across classes)."""
    found = catalog_item(class_, item)
    return found.label if found else {"en": str(item or ""), "zh_Hans_CN": str(item or "")}


def format_category(value: Any) -> FormatCategory | None:
    return lookup(FORMAT_CATEGORIES, value)  # type: ignore[return-value]


def format_category_of_type(type_value: Any) -> FormatCategory | None:
    """The category a format type belongs to (``other`` belongs to every category: None)."""
    if type_value == FORMAT_OTHER:
        return None
    for category in FORMAT_CATEGORIES:
        if lookup(category.types, type_value):
            return category
    return None


def data_type(value: Any) -> DataType | None:
    return lookup(DATA_TYPES, value)  # type: ignore[return-value]


def share_type_rank(value: Any) -> int | None:
    """0 for unconditional … 2 for not_shared; ``None`` when not a share type."""
    vals = values(SHARE_TYPES)
    return vals.index(value) if value in vals else None


def open_type_rank(value: Any) -> int | None:
    """0 for unconditional_open … 2 for not_open; ``None`` when not an open type."""
    vals = values(OPEN_TYPES)
    return vals.index(value) if value in vals else None


def grade_scale() -> GradeScale:
    """The configured :class:`GradeScale` (``ckanext.govshare.grade.*``).

    Raises ``ValueError`` naming the option when the scale, its thresholds or the labels'
    JSON are inconsistent.
    """
    options = gs_config.grade_scale_options()
    try:
        return GradeScale(**options)
    except ValueError as exc:
        raise ValueError(f"ckanext.govshare.grade.*: {exc}") from exc


def grade_choices(scale: GradeScale) -> list[dict[str, Any]]:
    """Choices of a grade scale, lowest first."""
    return [{"value": code, "label": scale.label(code)} for code in scale.codes]


# --- scheming choices helpers (``choices_helper: govshare_…_choices``) --------------------


def _choices(terms: Iterable[Term]) -> list[dict[str, Any]]:
    return [t.choice() for t in terms]


def govshare_catalog_class_choices(field: Any = None) -> list[dict[str, Any]]:
    """Catalogue classes 1 基础 / 2 主题 / 3 部门."""
    return _choices(CATALOG_CLASSES)


def govshare_catalog_item_choices(field: Any = None) -> list[dict[str, Any]]:
    """Items of every class; each choice carries ``catalog_class`` for a linked pick-list.

    Item codes repeat across classes, so labels name the class and a display should use
    :func:`govshare_catalog_item_label` with the entry's class.
    """
    out = []
    for cls in CATALOG_CLASSES:
        for item in CATALOG_ITEMS[cls.value]:
            out.append({
                "value": item.value,
                "label": {
                    "en": f"{cls.value}{item.value} {item.en}",
                    "zh_Hans_CN": f"{cls.value}{item.value} {item.zh}",
                },
                "catalog_class": cls.value,
                "basic_resource": item.basic_resource,
            })
    return out


def govshare_catalog_item_label(class_: Any, item: Any) -> Label:
    """Template helper: the label of ``item`` within ``class_``."""
    return catalog_item_label(class_, item)


def govshare_format_category_choices(field: Any = None) -> list[dict[str, Any]]:
    return _choices(FORMAT_CATEGORIES)


def govshare_format_type_choices(field: Any = None) -> list[dict[str, Any]]:
    """All format types, each with ``format_category`` (``other`` once, for every category)."""
    out: list[dict[str, Any]] = []
    for category in FORMAT_CATEGORIES:
        for term in category.types:
            if term.value != FORMAT_OTHER:
                out.append({
                    "value": term.value,
                    "label": {"en": f"{category.en}: {term.en}",
                              "zh_Hans_CN": f"{category.zh}：{term.zh}"},
                    "format_category": category.value,
                })
    out.append(_OTHER_TYPE.choice(format_category=""))
    return out


def govshare_data_type_choices(field: Any = None) -> list[dict[str, Any]]:
    return [
        {"value": t.value, "label": {"en": f"{t.value} {t.en}", "zh_Hans_CN": f"{t.value} {t.zh}"},
         "needs_length": t.needs_length}
        for t in DATA_TYPES
    ]


def govshare_share_type_choices(field: Any = None) -> list[dict[str, Any]]:
    return _choices(SHARE_TYPES)


def govshare_share_mode_category_choices(field: Any = None) -> list[dict[str, Any]]:
    return _choices(SHARE_MODE_CATEGORIES)


def govshare_share_mode_type_choices(field: Any = None) -> list[dict[str, Any]]:
    """Share-mode types, each with the format categories it can serve under
    ``format_category`` (for the linked pick-list of the entry form)."""
    return [
        t.choice(format_category=[c.value for c in FORMAT_CATEGORIES
                                  if t.value in c.share_mode_types])
        for t in SHARE_MODE_TYPES
    ]


def govshare_open_type_choices(field: Any = None) -> list[dict[str, Any]]:
    return _choices(OPEN_TYPES)


def govshare_update_cycle_choices(field: Any = None) -> list[dict[str, Any]]:
    return _choices(UPDATE_CYCLES)


def govshare_org_level_choices(field: Any = None) -> list[dict[str, Any]]:
    return _choices(ORG_LEVELS)


def govshare_yes_no_choices(field: Any = None) -> list[dict[str, Any]]:
    return _choices(YES_NO)


def govshare_grade_choices(field: Any = None) -> list[dict[str, Any]]:
    """The configured grade scale (``ckanext.govshare.grade.*``), lowest first."""
    return grade_choices(grade_scale())


def get_helpers() -> dict[str, Callable[..., Any]]:
    """Every template helper of this module, by name (for ``ITemplateHelpers``)."""
    return {name: globals()[name] for name in __all__ if name.startswith("govshare_")}
