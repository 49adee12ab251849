"""The rules of a catalogue entry and of a department, without a database.

One test (or one parametrised group) per rule, each with a valid and an invalid case; the
rule is stated in the docstring. Sources: issue 3, domain reference §A.7 and §C.4.
"""
from __future__ import annotations

import copy
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ckanext.govshare.catalogue import rules, vocab
from ckanext.govshare.catalogue.codes import DEFAULT_RESOURCE_CODE_TEMPLATE

CJK = re.compile(r"[\u4e00-\u9fff]")

SCALE = vocab.DEFAULT_GRADE_SCALE

BASE = {
    "title": "企业登记信息",
    "notes": "全省企业登记注册的基本信息。",
    "is_classified": "false",
    "catalog_class": "2",
    "catalog_item": "08",
    "catalog_subitem": "001",
    "catalog_detail": "",
    "resource_code": "208001/000001",
    "provider_code": "91350100M000100Y43",
    "provider_unit": "SAMR01",
    "format_category": "database",
    "format_type": "dm",
    "info_items": [
        {"name": "统一社会信用代码", "name_en": "uscc", "data_type": "C", "length": 18,
         "grade": "G1", "is_sensitive": "false"},
        {"name": "企业名称", "name_en": "name", "data_type": "C", "length": "200", "grade": "G2"},
        {"name": "成立日期", "data_type": "D"},
    ],
    "share_type": "unconditional",
    "share_mode_category": "platform",
    "share_mode_type": "api",
    "open_type": "conditional_open",
    "open_condition": "汇总统计数据经审核后开放",
    "update_cycle": "daily",
    "data_grade": "G2",
    "related_resource_codes": [],
    "resources": [{"name": "企业登记信息查询接口", "url": "https://x.example/api",
                   "share_mode_type": "api"}],
}
SCOPE = {"consumers": "省直有关部门", "regions": "全省", "need_to_know": "经办人员",
         "usage": "行政审批", "scenarios": "企业开办核验", "agreement_required": "true"}
LAW = "《中华人民共和国出境入境管理法》第八十五条"


def entry(**changes):
    """The valid base entry with some fields changed (None removes a field)."""
    e = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is None:
            e.pop(key, None)
        else:
            e[key] = value
    return e


def item(**changes):
    base = {"name": "企业名称", "data_type": "C", "length": 200}
    base.update(changes)
    return base


def conditional(**changes):
    changes.setdefault("share_condition", "仅限履行法定职责使用")
    changes.setdefault("share_scope", [dict(SCOPE)])
    return entry(share_type="conditional", **changes)


def not_shared(**changes):
    changes.setdefault("open_type", "not_open")
    changes.setdefault("open_condition", None)
    changes.setdefault("no_share_basis", LAW)
    return entry(share_type="not_shared", share_mode_category=None, share_mode_type=None,
                 resources=[], **changes)


def check(e, *, scale=SCALE, allow_core_sharing=False, template=DEFAULT_RESOURCE_CODE_TEMPLATE):
    return rules.check_entry(e, grade_scale=scale, allow_core_sharing=allow_core_sharing,
                             resource_code_template=template)


def assert_ok(e, **kw):
    assert check(e, **kw) == {}


def assert_error(e, key, *words, **kw):
    """``key`` has an error containing each English word (outside a request messages are in the
    default locale, English here; the Chinese of a zh_Hans_CN page is checked by tests/views)."""
    found = check(e, **kw)
    assert key in found, found
    text = " ".join(found[key])
    for word in words:
        if not CJK.search(word):
            assert word in text, text
    return found


# --- the base and the message format ----------------------------------------------------------


def test_base_entry_is_valid():
    """A complete unconditional entry of a database resource passes every rule."""
    assert_ok(entry())


def test_messages_are_in_one_language_and_name_the_field():
    """Every message is in the request's language only (English outside a request) and names
    its field."""
    found = check({})
    assert found
    for key, messages in found.items():
        label = vocab.field_label(re.sub(r"\.\d+\.", ".", key))
        for message in messages:
            assert message.startswith(f"{label['en']}: ") and not CJK.search(message), message


def test_sub_record_messages_name_the_record():
    """A sub-record message names the item (its name and position)."""
    found = check(entry(info_items=[item(), item(name="住所", data_type="X")]))
    (message,) = found["info_items.1.data_type"]
    assert message.startswith('Information item "住所" (no. 2), ')


def test_error_keys_round_trip():
    """Dotted error keys map to CKAN's flattened keys and back."""
    assert rules.error_key("info_items", 2, "name") == "info_items.2.name"
    assert rules.split_error_key("info_items.2.name") == ("info_items", 2, "name")
    assert rules.split_error_key("share_type") == ("share_type",)


# --- scope and required fields ----------------------------------------------------------------


@pytest.mark.parametrize("value", [True, "true", "True", "yes", "1", "on", "是", "涉密"])
def test_classified_is_refused(value):
    """is_classified true is refused outright (DB14 §1: not for state secrets)."""
    assert_error(entry(is_classified=value), "is_classified", "涉密", "classified")


@pytest.mark.parametrize("value", [False, "false", "no", "0", "", None, "否", "非涉密"])
def test_unclassified_is_accepted(value):
    """An entry that is not classified (or says nothing) passes the classified rule."""
    assert "is_classified" not in check(entry(is_classified=value))


@pytest.mark.parametrize("name", rules.REQUIRED_FIELDS)
def test_required_fields(name):
    """Every 1272 core element (and the internal unit) is required."""
    assert_error(entry(**{name: None}), name, "必须填写", "required")
    assert_error(entry(**{name: "  "}), name, "必须填写", "required")


# --- classification -------------------------------------------------------------------------


@pytest.mark.parametrize("class_, item_", [("1", "01"), ("1", "05"), ("2", "12"), ("3", "08")])
def test_classification_valid(class_, item_):
    """Class ∈ 1/2/3 and the 2-digit item is in that class's list."""
    e = entry(catalog_class=class_, catalog_item=item_, resource_code=None)
    assert not {"catalog_class", "catalog_item"} & set(check(e))


def test_class_must_be_1_2_or_3():
    """Only the classes 1 基础, 2 主题, 3 部门 exist."""
    assert_error(entry(catalog_class="4"), "catalog_class", "1 基础信息资源目录")


@pytest.mark.parametrize("item_, words", [("1", ("2位",)), ("001", ("2位",)),
                                          ("13", ("主题信息资源目录", "not an item"))])
def test_item_is_two_digits_of_the_class(item_, words):
    """The item has 2 digits and belongs to the class (主题 has 01–12)."""
    assert_error(entry(catalog_item=item_), "catalog_item", *words)


def test_item_of_another_class_is_refused():
    """Item 06 exists in 主题 but not in 基础 (01–05)."""
    assert "catalog_item" not in check(entry(catalog_item="06"))
    assert_error(entry(catalog_class="1", catalog_item="06"), "catalog_item", "01 人口")


@pytest.mark.parametrize("value, ok", [("001", True), ("01", False), ("0001", False),
                                       ("abc", False)])
def test_subitem_is_three_digits(value, ok):
    """The sub-item (目) has exactly 3 digits."""
    assert ("catalog_subitem" not in check(entry(catalog_subitem=value))) is ok


@pytest.mark.parametrize("value, ok", [("", True), ("A1", True), ("0102", True), ("a-1", False),
                                       ("一", False)])
def test_detail_is_optional_letters_and_digits(value, ok):
    """The detail (细目) is optional, letters and digits only."""
    found = check(entry(catalog_detail=value, resource_code=None))
    assert ("catalog_detail" not in found) is ok


# --- resource code and provider -----------------------------------------------------------


def test_resource_code_must_have_the_template_shape():
    """A given code has the configured template's shape."""
    assert_error(entry(resource_code="208001-1"), "resource_code", "{seq:06}")


def test_resource_code_must_match_the_classification():
    """The code's classification part is the entry's 类/项/目/细目."""
    assert_error(entry(resource_code="208002/000001"), "resource_code", "不一致", "clear it")
    assert_error(entry(catalog_detail="A1"), "resource_code", "不一致")
    assert_ok(entry(catalog_detail="A1", resource_code="208001A1/000003"))


def test_resource_code_not_checked_without_a_template():
    """Without a template (a stored, unchanged code) the code is not re-checked."""
    assert_ok(entry(resource_code="anything"), template=None)


def test_resource_code_may_be_absent():
    """An absent code is allocated on create, not an error here."""
    assert_ok(entry(resource_code=None))


def test_provider_code_is_a_valid_uscc():
    """The provider code is a 统一社会信用代码 with a correct check character."""
    assert_error(entry(provider_code="91350100M000100Y44"), "provider_code", "校验码", "check")
    assert_ok(entry(provider_code="914403001922038216"))


# --- format -------------------------------------------------------------------------------


@pytest.mark.parametrize("category, type_", [("document", "pdf"), ("spreadsheet", "xlsx"),
                                             ("database", "kingbase"), ("image", "png"),
                                             ("streaming", "mp4"), ("self_describing", "json"),
                                             ("service", "rest")])
def test_format_type_of_its_category(category, type_):
    """A format type listed under its category is accepted."""
    found = check(entry(format_category=category, format_type=type_))
    assert not {"format_category", "format_type"} & set(found)


def test_format_type_of_another_category_is_refused():
    """The type must belong to the category (linked pick-lists)."""
    assert_error(entry(format_type="pdf"), "format_type", "数据库", "Database")


def test_unknown_format_values_are_refused():
    """Unknown categories and types are refused with the allowed values."""
    assert_error(entry(format_category="tape"), "format_category", "database")
    assert_error(entry(format_category=None, format_type="floppy"), "format_type", "floppy")


@pytest.mark.parametrize("category, type_", [("other", "other"), ("database", "other")])
def test_other_format_needs_a_description(category, type_):
    """'other' as category or type requires format_other_desc."""
    e = entry(format_category=category, format_type=type_, share_mode_type="table",
              resources=[])
    assert_error(e, "format_other_desc", "其他", "other")
    e["format_other_desc"] = "OceanBase 分布式数据库"
    assert_ok(e)


# --- information items ----------------------------------------------------------------------


@pytest.mark.parametrize("items", [[], None, "not a list"])
def test_at_least_one_info_item(items):
    """An entry has at least one 信息项."""
    assert_error(entry(info_items=items), "info_items", "至少", "at least one")


def test_info_items_as_json_text_are_read():
    """Items given as a JSON string (a stored extra) are read like a list."""
    assert_ok(entry(info_items='[{"name": "姓名", "data_type": "C", "length": 50}]'))


def test_info_item_names_are_unique():
    """Item names are unique within the entry; the repeat is reported on the second item."""
    assert_error(entry(info_items=[item(), item()]), "info_items.1.name", "第1项", "unique")
    assert_ok(entry(info_items=[item(), item(name="住所")]))


def test_info_item_name_required():
    """Every item has a name."""
    assert_error(entry(info_items=[item(name=" ")]), "info_items.0.name", "必须填写")


@pytest.mark.parametrize("data_type", [dt.value for dt in vocab.DATA_TYPES])
def test_info_item_data_types(data_type):
    """The data types C N Y D T L M G B I F are accepted."""
    assert_ok(entry(info_items=[item(data_type=data_type, length=10)]))


@pytest.mark.parametrize("data_type", ["X", "c", "VARCHAR", ""])
def test_info_item_data_type_from_the_list(data_type):
    """Any other data type is refused (or missing)."""
    assert "info_items.0.data_type" in check(entry(info_items=[item(data_type=data_type)]))


@pytest.mark.parametrize("data_type", ["C", "N", "F"])
def test_length_required_where_the_type_needs_it(data_type):
    """C, N and F items need a length."""
    assert_error(entry(info_items=[item(data_type=data_type, length=None)]),
                 "info_items.0.length", "数据长度")


@pytest.mark.parametrize("data_type", ["Y", "D", "T", "L", "M", "G", "B", "I"])
def test_length_optional_for_fixed_types(data_type):
    """Types with an implied length do not need one."""
    assert_ok(entry(info_items=[item(data_type=data_type, length=None)]))


@pytest.mark.parametrize("length, ok", [(18, True), ("18", True), (" 7 ", True), (0, False),
                                        (-1, False), ("abc", False), ("1.5", False),
                                        (True, False)])
def test_length_is_a_positive_integer(length, ok):
    """A given length is a positive whole number."""
    assert ("info_items.0.length" not in check(entry(info_items=[item(length=length)]))) is ok


# --- item vs entry share type -----------------------------------------------------------------


def test_item_may_be_stricter_than_the_entry():
    """An item may be shared more strictly than the entry, with its condition or basis."""
    items = [item(), item(name="法定代表人", share_type="conditional", share_condition="仅限核验"),
             item(name="身份证号", share_type="not_shared", share_condition=LAW)]
    assert_ok(entry(info_items=items))


@pytest.mark.parametrize("entry_type, item_type", [("conditional", "unconditional"),
                                                   ("not_shared", "conditional"),
                                                   ("not_shared", "unconditional")])
def test_item_never_looser_than_the_entry(entry_type, item_type):
    """An item may not be shared more loosely than the entry (unconditional < conditional < not_shared)."""
    base = conditional() if entry_type == "conditional" else not_shared()
    base["info_items"] = [item(share_type=item_type, share_condition="x")]
    assert_error(base, "info_items.0.share_type", "更宽松", "looser")


def test_stricter_conditional_item_needs_its_condition():
    """A conditional item in an unconditional entry states its condition."""
    assert_error(entry(info_items=[item(share_type="conditional")]),
                 "info_items.0.share_condition", "共享条件", "condition")


def test_stricter_not_shared_item_needs_a_legal_basis():
    """A not-shared item in a shared entry cites its legal basis, not its grade."""
    e = entry(info_items=[item(share_type="not_shared", share_condition="该信息项为4级")])
    assert_error(e, "info_items.0.share_condition", "数据分级本身", "grade alone")


def test_item_share_type_from_the_list():
    """An item's share type is one of the three share types."""
    assert_error(entry(info_items=[item(share_type="sometimes")]), "info_items.0.share_type",
                 "unconditional")


# --- basic resources ----------------------------------------------------------------------------


@pytest.mark.parametrize("class_, item_, default", [
    ("1", "01", "unconditional"), ("1", "02", "unconditional"), ("1", "03", "unconditional"),
    ("1", "05", "unconditional"), ("1", "04", None), ("2", "01", None), ("3", "07", None),
])
def test_basic_resources_default_to_unconditional(class_, item_, default):
    """人口, 法人单位, 自然资源和空间地理 and 电子证照 default to unconditional sharing."""
    assert rules.default_share_type(class_, item_) == default


def test_basic_resource_not_unconditional_needs_a_reason():
    """A basic resource shared otherwise than unconditionally states why (share_type_reason)."""
    e = conditional(catalog_class="1", catalog_item="01", resource_code=None)
    assert_error(e, "share_type_reason", "人口", "basic information resource")
    e["share_type_reason"] = "涉及个人信息，依据《个人信息保护法》第十三条有条件共享"
    assert_ok(e)


def test_other_resources_need_no_reason():
    """Entries outside the basic resources choose their share type freely."""
    assert_ok(conditional(catalog_class="1", catalog_item="04", resource_code=None))
    assert_ok(entry(catalog_class="1", catalog_item="01", resource_code=None))


# --- conditional sharing --------------------------------------------------------------------------


def test_conditional_needs_condition_and_scope():
    """Conditional sharing requires share_condition and a sharing scope."""
    e = entry(share_type="conditional")
    assert_error(e, "share_condition", "有条件共享", "conditional")
    assert_error(e, "share_scope", "知悉范围", "need-to-know")
    assert_ok(conditional())


@pytest.mark.parametrize("name", rules.SCOPE_REQUIRED_FIELDS)
def test_every_scope_states_all_its_parts(name):
    """A scope names consumers, regions, need-to-know, use, scenarios and the agreement (§11.1)."""
    scope = dict(SCOPE)
    scope[name] = ""
    assert_error(conditional(share_scope=[dict(SCOPE), scope]), f"share_scope.1.{name}",
                 "必须填写", "required")


def test_agreement_may_be_no_below_the_restricted_grade():
    """Below the restricted grade a scope may say no agreement is needed."""
    assert_ok(conditional(share_scope=[dict(SCOPE, agreement_required="false")]))


# --- not shared -----------------------------------------------------------------------------


@pytest.mark.parametrize("basis", [
    LAW,
    "依据国办发〔2019〕57号文件",
    "根据《政务数据共享条例》第十二条",
    "根据中华人民共和国统计法第二十五条",
    "数据安全法第二十一条",
    "国务院令第809号",
    "Article 25 of the Statistics Law of the PRC",
    "依据《中华人民共和国个人信息保护法》，该数据为4级",
])
def test_not_shared_with_a_legal_basis(basis):
    """not_shared is accepted with a basis citing a law, regulation or State Council policy."""
    assert_ok(not_shared(no_share_basis=basis))


def test_not_shared_needs_a_basis():
    """not_shared requires no_share_basis."""
    assert_error(not_shared(no_share_basis=None), "no_share_basis", "必须填写", "required")


@pytest.mark.parametrize("basis", [
    "该数据为4级数据",
    "数据分级为G4",
    "属于核心数据",
    "属于重要数据，不宜共享",
    "敏感数据",
    "CORE",
    "grade 4, sensitive",
    "依据GB/T 43697-2024，属于核心数据",
    "依据《政务数据分类分级要求》（DB14/T 2442-2022）",
    "依据《数据安全技术 数据分类分级规则》",
])
def test_grade_alone_is_never_a_basis(basis):
    """A basis that only gives the grade (or cites only a grading standard) is refused."""
    assert_error(not_shared(no_share_basis=basis), "no_share_basis", "数据分级本身", "grade alone")


@pytest.mark.parametrize("basis", ["涉及个人隐私", "根据有关规定", "工作需要", "n/a"])
def test_basis_without_an_instrument_is_refused(basis):
    """A basis that names no law, regulation or policy is refused."""
    assert_error(not_shared(no_share_basis=basis), "no_share_basis", "须引用", "must cite")


def test_custom_grade_labels_count_as_grade_words():
    """The configured scale's codes are recognised as 'grade alone'."""
    scale = vocab.GradeScale(codes=("L1", "L2", "L3"), restricted_from="L2",
                             not_open_from="L3", core_from="L3")
    found = check(not_shared(no_share_basis="L3", data_grade="L1",
                             info_items=[item()]), scale=scale)
    assert "a data grade alone" in found["no_share_basis"][0]


# --- share mode ---------------------------------------------------------------------------------


@pytest.mark.parametrize("share_type", ["unconditional", "conditional"])
def test_share_mode_category_required_unless_not_shared(share_type):
    """A shared entry says how it is shared."""
    e = conditional() if share_type == "conditional" else entry()
    e.pop("share_mode_category")
    assert_error(e, "share_mode_category", "必须填写", "required")


def test_not_shared_needs_no_share_mode():
    """A not-shared entry has no share mode."""
    assert_ok(not_shared())


def test_share_mode_category_from_the_list():
    """The category is platform, email or medium."""
    assert_error(entry(share_mode_category="fax"), "share_mode_category", "platform")


def test_platform_needs_a_share_mode_type():
    """On the sharing platform a type (table / api / file) is required."""
    assert_error(entry(share_mode_type=None), "share_mode_type", "共享平台", "platform")
    assert_error(entry(share_mode_type="ftp"), "share_mode_type", "table")


@pytest.mark.parametrize("category, type_, mode, ok", [
    ("database", "dm", "table", True), ("database", "dm", "api", True),
    ("database", "dm", "file", False), ("document", "pdf", "file", True),
    ("document", "pdf", "api", False), ("spreadsheet", "xlsx", "table", False),
    ("service", "rest", "api", True), ("service", "rest", "file", False),
    ("self_describing", "json", "api", True),
])
def test_share_mode_type_consistent_with_format(category, type_, mode, ok):
    """A file format is shared as a file; a database as a table or an API."""
    e = entry(format_category=category, format_type=type_, share_mode_type=mode, resources=[])
    assert ("share_mode_type" not in check(e)) is ok


@pytest.mark.parametrize("category", ["email", "medium"])
def test_share_mode_type_only_on_the_platform(category):
    """E-mail and medium sharing have no share-mode type."""
    assert_error(entry(share_mode_category=category), "share_mode_type", "仅共享平台方式")
    assert_ok(entry(share_mode_category=category, share_mode_type=None))


# --- opening and updates ------------------------------------------------------------------------


def test_conditional_open_needs_a_condition():
    """conditional_open requires open_condition."""
    assert_error(entry(open_condition=None), "open_condition", "开放条件", "conditional_open")
    assert_ok(entry(open_type="not_open", open_condition=None))


def test_open_type_from_the_list():
    """The open type is unconditional_open, conditional_open or not_open."""
    assert_error(entry(open_type="public"), "open_type", "not_open")


def test_not_shared_is_not_open():
    """Data not shared with other departments is not opened to the public."""
    assert_error(not_shared(open_type="conditional_open", open_condition="x"), "open_type",
                 "不予开放", "cannot be opened")


def test_other_update_cycle_needs_text():
    """update_cycle 'other' requires update_cycle_other."""
    assert_error(entry(update_cycle="other"), "update_cycle_other", "其他", "other")
    assert_ok(entry(update_cycle="other", update_cycle_other="每两年"))


@pytest.mark.parametrize("cycle", [c.value for c in vocab.UPDATE_CYCLES if c.value != "other"])
def test_update_cycles(cycle):
    """Every listed update cycle is accepted; others are refused."""
    assert_ok(entry(update_cycle=cycle))
    assert_error(entry(update_cycle="hourly"), "update_cycle", "realtime")


# --- grading ------------------------------------------------------------------------------------


def test_data_grade_from_the_scale():
    """The data grade and item grades come from the configured scale."""
    assert_error(entry(data_grade="G9"), "data_grade", "G1 G2 G3 G4 IMP CORE")
    assert_error(entry(info_items=[item(grade="L3")]), "info_items.0.grade", "G1 G2")


def test_data_grade_at_least_the_highest_item_grade():
    """data_grade ≥ the highest item grade."""
    e = conditional(data_grade="G2", info_items=[item(grade="G3")])
    assert_error(e, "data_grade", "一般数据3级", "level 3")
    assert_ok(conditional(data_grade="G3", info_items=[item(grade="G3"), item(name="b")]))


@pytest.mark.parametrize("grade", ["G3", "G4", "IMP"])
def test_restricted_grades_cannot_be_unconditional(grade):
    """Grade ≥ G3 (or IMP) cannot be shared unconditionally."""
    assert_error(entry(data_grade=grade, open_type="not_open", open_condition=None),
                 "share_type", "不得无条件共享", "unconditionally")
    assert_ok(conditional(data_grade=grade, open_type="not_open", open_condition=None))


@pytest.mark.parametrize("grade", ["G1", "G2"])
def test_low_grades_may_be_unconditional(grade):
    """G1 and G2 may be shared unconditionally and opened unconditionally."""
    assert_ok(entry(data_grade=grade, info_items=[item(grade="G1")],
                    open_type="unconditional_open", open_condition=None))


def test_item_grade_raises_the_policy_grade():
    """An item's grade applies even when the entry's grade is set too low."""
    e = entry(data_grade="G1", info_items=[item(grade="G4")],
              open_type="not_open", open_condition=None)
    found = check(e)
    assert "data_grade" in found and "share_type" in found


def test_restricted_item_cannot_be_unconditional():
    """An item graded ≥ G3 cannot itself be shared unconditionally."""
    e = conditional(data_grade="G3", open_type="not_open", open_condition=None)
    e["info_items"] = [item(grade="G3", share_type="unconditional")]
    found = assert_error(e, "info_items.0.share_type", "cannot be shared unconditionally")
    assert "looser" in " ".join(found["info_items.0.share_type"])


@pytest.mark.parametrize("grade", ["G3", "G4"])
def test_restricted_grades_cannot_be_unconditionally_open(grade):
    """Grade ≥ G3 cannot be opened unconditionally (conditional opening stays possible)."""
    assert_error(conditional(data_grade=grade, open_type="unconditional_open",
                             open_condition=None), "open_type", "不得无条件开放")
    assert_ok(conditional(data_grade=grade))


@pytest.mark.parametrize("grade", ["IMP", "CORE"])
def test_important_and_core_data_are_not_open(grade):
    """From the not-open threshold (IMP) up the open type is not_open."""
    e = conditional(data_grade=grade) if grade == "IMP" else not_shared(data_grade=grade)
    e.update(open_type="conditional_open", open_condition="x")
    assert_error(e, "open_type", "不予开放", "must not be opened")


def test_core_is_not_shared_by_default():
    """CORE data is not_shared unless configuration allows core sharing."""
    e = conditional(data_grade="CORE", open_type="not_open", open_condition=None)
    assert_error(e, "share_type", "核心数据必须不予共享", "Core data must not be shared")
    assert_ok(e, allow_core_sharing=True)
    assert_ok(not_shared(data_grade="CORE"))


def test_core_sharing_allowed_is_still_never_unconditional():
    """Even with core sharing allowed, core data is never unconditional."""
    e = entry(data_grade="CORE", open_type="not_open", open_condition=None)
    assert_error(e, "share_type", "不得无条件共享", allow_core_sharing=True)


def test_core_item_must_not_be_shared():
    """An item graded CORE with its own share type must be not_shared (unless allowed)."""
    e = not_shared(data_grade="CORE")
    e["info_items"] = [item(grade="CORE", share_type="not_shared", share_condition=LAW)]
    assert_ok(e)
    c = conditional(data_grade="CORE", open_type="not_open", open_condition=None)
    c["info_items"] = [item(grade="CORE", share_type="conditional")]
    assert_error(c, "info_items.0.share_type", "核心数据", allow_core_sharing=False)
    assert "info_items.0.share_type" not in check(c, allow_core_sharing=True)


def test_restricted_conditional_sharing_needs_an_agreement():
    """From G3 up every sharing scope requires a signed security agreement."""
    e = conditional(data_grade="G3", share_scope=[dict(SCOPE, agreement_required="false")])
    assert_error(e, "share_scope.0.agreement_required", "安全协议", "security agreement")
    assert_ok(conditional(data_grade="G3"))


def test_thresholds_come_from_the_scale_argument():
    """Another scale with other thresholds changes the outcome; nothing is hard-coded."""
    scale = vocab.GradeScale(codes=("L1", "L2", "L3", "L4"), restricted_from="L2",
                             not_open_from="L3", core_from="L4",
                             labels={"L2": {"en": "Level two", "zh_Hans_CN": "第二级"}})
    e = entry(data_grade="L2", info_items=[item(grade="L1")], open_type="not_open",
              open_condition=None)
    assert_error(e, "share_type", "第二级", "Level two", scale=scale)
    assert_ok(entry(data_grade="L1", info_items=[item(grade="L1")]), scale=scale)
    assert_error(entry(data_grade="G1"), "data_grade", "L1 L2 L3 L4", scale=scale)


# --- resources and related codes -----------------------------------------------------------------


def test_resource_share_mode_type_fits_the_format():
    """An attached resource's share-mode type is valid and fits the format category."""
    assert_error(entry(resources=[{"name": "导出文件", "share_mode_type": "file"}]),
                 "resources.0.share_mode_type", "资源「导出文件」", "数据库")
    assert_error(entry(resources=[{"name": "r", "share_mode_type": "ftp"}]),
                 "resources.0.share_mode_type", "table")
    assert_ok(entry(resources=[{"name": "r", "share_mode_type": "table"}, {"name": "s"}]))


def test_related_codes_are_other_and_distinct():
    """Related codes are distinct and not the entry's own code."""
    assert_error(entry(related_resource_codes=["208001/000001"]), "related_resource_codes",
                 "自身", "own")
    assert_error(entry(related_resource_codes='["101001/000001", "101001/000001"]'),
                 "related_resource_codes", "101001/000001")
    assert_ok(entry(related_resource_codes="101001/000001, 102001/000002"))


# --- robustness ---------------------------------------------------------------------------------

_values = st.one_of(st.none(), st.booleans(), st.integers(-3, 300), st.text(max_size=8),
                    st.sampled_from(["C", "G3", "CORE", "other", "platform", "not_shared",
                                     "conditional", "unconditional", "1", "01", "001"]))
_records = st.lists(st.dictionaries(st.sampled_from(
    ["name", "data_type", "length", "share_type", "grade", "share_condition", "consumers",
     "agreement_required", "share_mode_type"]), _values, max_size=6), max_size=4)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(k for k in vocab.FIELD_LABELS if "." not in k)),
                       _values, max_size=20),
       _records, _records, _records)
def test_any_input_gives_messages_not_exceptions(fields, items, scopes, resources):
    """Arbitrary input never raises; every key is a known field and every message a string."""
    e = dict(fields, info_items=items, share_scope=scopes, resources=resources)
    found = check(e)
    for key, messages in found.items():
        assert re.sub(r"\.\d+\.", ".", key) in vocab.FIELD_LABELS
        assert messages and all(isinstance(m, str) and m for m in messages)


# --- departments ------------------------------------------------------------------------------


def test_department_valid():
    """A department with a valid USCC, region code, level and units passes."""
    assert rules.check_department({
        "uscc": "91350100M000100Y43", "region_code": "140000", "level": "province",
        "units": [{"code": "SAMR01", "name": "登记注册局"}, {"code": "SAMR02", "name": "信用处"}],
    }) == {}


def test_department_bad_uscc_check_digit():
    """A bad USCC check character gives a clear error on uscc."""
    found = rules.check_department({"uscc": "91350100M000100Y44"})
    assert "check character" in found["uscc"][0]


def test_department_region_and_level():
    """The region code is GB/T 2260 shaped and the level is province, city or county."""
    found = rules.check_department({"region_code": "14000", "level": "village"})
    assert "6 digits" in found["region_code"][0]
    assert "province" in found["level"][0]


def test_department_units_code_and_name_unique_and_required():
    """Each unit has a code (letters, digits, _ . -) and a name, both unique."""
    found = rules.check_department({"units": [
        {"code": "A1", "name": "甲处"}, {"code": "A1", "name": "乙处"},
        {"code": "", "name": "甲处"}, {"code": "处室", "name": ""},
    ]})
    assert "repeats unit no. 1" in found["units.1.code"][0]
    assert "required" in found["units.2.code"][0]
    assert "repeats unit no. 1" in found["units.2.name"][0]
    assert "letters, digits" in found["units.3.code"][0]
    assert "required" in found["units.3.name"][0]
