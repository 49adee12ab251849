"""Controlled vocabularies, the grade scale and the scheming YAML schemas, without a database."""
from __future__ import annotations

import json
import pathlib

import pytest
import yaml

from ckanext.govshare.catalogue import codes, form, rules, vocab

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMAS = sorted((ROOT / "schemas").glob("*.yaml"))
LANGS = {"en", "zh_Hans_CN"}
TEXT_KEYS = ("label", "help_text", "form_placeholder", "repeating_label")


def _load(name: str) -> dict:
    return yaml.safe_load((ROOT / "schemas" / name).read_text(encoding="utf-8"))


def _fields(schema: dict):
    """Every field and subfield of a scheming schema, with its path."""
    for group in ("dataset_fields", "resource_fields", "fields"):
        for field in schema.get(group, []):
            yield f"{group}.{field['field_name']}", field
            for sub in field.get("repeating_subfields", []) + field.get("record_fields", []):
                yield f"{group}.{field['field_name']}.{sub['field_name']}", sub


# --- classification ---------------------------------------------------------------------------


def test_catalog_classes():
    """Three classes: 1 基础, 2 主题, 3 部门 (1272 §6.1)."""
    assert [(c.value, c.zh[:2]) for c in vocab.CATALOG_CLASSES] == [
        ("1", "基础"), ("2", "主题"), ("3", "部门")]
    assert set(vocab.CATALOG_ITEMS) == {"1", "2", "3"}


@pytest.mark.parametrize("class_", ["1", "2", "3"])
def test_catalog_items_are_two_digit_and_unique(class_):
    """Items are 2-digit codes, unique within their class, numbered in order from 01."""
    values = [i.value for i in vocab.CATALOG_ITEMS[class_]]
    assert values == [f"{n:02d}" for n in range(1, len(values) + 1)]


def test_basic_resources_are_marked():
    """人口, 法人单位, 自然资源和空间地理 and 电子证照 are the basic resources (51号), nothing else."""
    marked = {(c, i.zh) for c, items in vocab.CATALOG_ITEMS.items() for i in items
              if i.basic_resource}
    assert marked == {("1", "人口"), ("1", "法人单位"), ("1", "自然资源和空间地理"),
                      ("1", "电子证照")}
    assert vocab.is_basic_resource("1", "01") and not vocab.is_basic_resource("1", "04")
    assert not vocab.is_basic_resource("2", "01")


def test_catalog_item_label_depends_on_the_class():
    """Item codes repeat across classes; the label is looked up within the class."""
    assert vocab.catalog_item_label("1", "01")["zh_Hans_CN"] == "人口"
    assert vocab.catalog_item_label("2", "01")["zh_Hans_CN"] == "公共服务"
    assert vocab.catalog_item_label("9", "01") == {"en": "01", "zh_Hans_CN": "01"}


def test_catalog_item_choices_carry_their_class():
    """The flat item choices say which class each belongs to (for a linked pick-list)."""
    choices = vocab.govshare_catalog_item_choices()
    assert len(choices) == sum(len(v) for v in vocab.CATALOG_ITEMS.values())
    assert {c["catalog_class"] for c in choices} == {"1", "2", "3"}


# --- formats and share modes ------------------------------------------------------------------


def test_format_categories_have_other_and_unique_types():
    """Every category lists 'other'; all other type values are unique across categories."""
    seen: list[str] = []
    for category in vocab.FORMAT_CATEGORIES:
        values = [t.value for t in category.types]
        assert vocab.FORMAT_OTHER in values
        seen += [v for v in values if v != vocab.FORMAT_OTHER]
    assert len(seen) == len(set(seen))
    assert vocab.format_category(vocab.FORMAT_OTHER) is not None


def test_format_type_belongs_to_one_category():
    """A format type leads back to its category ('other' to none in particular)."""
    assert vocab.format_category_of_type("dm").value == "database"
    assert vocab.format_category_of_type("pdf").value == "document"
    assert vocab.format_category_of_type("other") is None
    assert vocab.format_category_of_type("nope") is None


def test_format_share_mode_types_are_share_mode_types():
    """Each category names the share-mode types it can be served as, from the vocabulary."""
    known = set(vocab.values(vocab.SHARE_MODE_TYPES))
    for category in vocab.FORMAT_CATEGORIES:
        assert category.share_mode_types and category.share_mode_types <= known
    assert vocab.format_category("database").share_mode_types == {"table", "api"}
    assert vocab.format_category("document").share_mode_types == {"file"}


def test_format_type_choices_are_linked():
    """Format type choices carry their category; 'other' appears once."""
    choices = vocab.govshare_format_type_choices()
    assert [c["value"] for c in choices].count("other") == 1
    by_value = {c["value"]: c for c in choices}
    assert by_value["dm"]["format_category"] == "database"
    assert by_value["dm"]["label"]["zh_Hans_CN"].startswith("数据库")


def test_share_and_open_vocabularies():
    """Share, share-mode and open types are exactly the standard's values, ordered."""
    assert vocab.values(vocab.SHARE_TYPES) == ("unconditional", "conditional", "not_shared")
    assert vocab.values(vocab.SHARE_MODE_CATEGORIES) == ("platform", "email", "medium")
    assert vocab.values(vocab.SHARE_MODE_TYPES) == ("table", "api", "file")
    assert vocab.values(vocab.OPEN_TYPES) == ("unconditional_open", "conditional_open",
                                              "not_open")
    assert [vocab.share_type_rank(v) for v in ("unconditional", "conditional", "not_shared",
                                               "x")] == [0, 1, 2, None]
    assert vocab.open_type_rank("not_open") == 2 and vocab.open_type_rank("") is None
    assert set(vocab.OPEN_TYPE_EU_ACCESS_RIGHT) == set(vocab.values(vocab.OPEN_TYPES))


def test_update_cycles():
    """The nine update cycles, each with its EU frequency code."""
    assert vocab.values(vocab.UPDATE_CYCLES) == (
        "realtime", "daily", "weekly", "monthly", "quarterly", "half_yearly", "yearly",
        "irregular", "other")
    assert set(vocab.UPDATE_CYCLE_EU_FREQUENCY) == set(vocab.values(vocab.UPDATE_CYCLES))


def test_data_types():
    """The 1272 data types C N Y D T L M G B I F; C, N and F need a length."""
    assert "".join(vocab.values(vocab.DATA_TYPES)) == "CNYDTLMGBIF"
    assert {t.value for t in vocab.DATA_TYPES if t.needs_length} == {"C", "N", "F"}
    assert vocab.data_type("D").zh == "日期型"


# --- grade scale ----------------------------------------------------------------------------


def test_default_grade_scale():
    """G1–G4, IMP, CORE in order; restricted from G3, not open from IMP, core from CORE."""
    scale = vocab.DEFAULT_GRADE_SCALE
    assert scale.codes == ("G1", "G2", "G3", "G4", "IMP", "CORE")
    assert [scale.is_restricted(c) for c in scale.codes] == [False, False, True, True, True, True]
    assert [scale.is_not_open(c) for c in scale.codes] == [False] * 4 + [True, True]
    assert [scale.is_core(c) for c in scale.codes] == [False] * 5 + [True]
    assert scale.highest(["G2", None, "", "G4", "X"]) == "G4"
    assert scale.highest([]) is None
    assert scale.rank("nope") is None and not scale.is_restricted(None)
    assert vocab.GRADE_TERMS["IMP"].national_level == "important"


def test_grade_scale_is_overridable():
    """Another scale, thresholds and labels can replace the default."""
    scale = vocab.GradeScale(codes=["L1", "L2"], restricted_from="L2", not_open_from="L2",
                             core_from="L2", labels={"L1": {"en": "One", "zh_Hans_CN": "一"}})
    assert scale.codes == ("L1", "L2") and "L1" in scale
    assert scale.label("L1") == {"en": "One", "zh_Hans_CN": "一"}
    assert scale.label("L2") == {"en": "L2", "zh_Hans_CN": "L2"}
    assert [c["value"] for c in vocab.grade_choices(scale)] == ["L1", "L2"]


@pytest.mark.parametrize("kwargs", [
    {"codes": ()},
    {"codes": ("G1", "G1", "G3", "CORE")},
    {"codes": ("G1", "G2"), "restricted_from": "G3"},
    {"codes": ("G1", "G3", ""), "restricted_from": "G3"},
])
def test_inconsistent_grade_scales_are_refused(kwargs):
    """A scale needs distinct codes and thresholds that are in it."""
    base = {"codes": ("G1", "G3", "CORE"), "restricted_from": "G3", "not_open_from": "CORE",
            "core_from": "CORE"}
    with pytest.raises(ValueError):
        vocab.GradeScale(**{**base, **kwargs})


def test_config_defaults_match_the_built_in_defaults():
    """config_declaration.yaml declares the same defaults as vocab and codes (no drift)."""
    declared = yaml.safe_load(
        (ROOT / "ckanext" / "govshare" / "config_declaration.yaml").read_text(encoding="utf-8"))
    options = {o["key"]: o for g in declared["groups"] for o in g["options"]}
    scale = vocab.DEFAULT_GRADE_SCALE
    assert options["ckanext.govshare.grade.scale"]["default"].split() == list(scale.codes)
    assert options["ckanext.govshare.grade.restricted_from"]["default"] == scale.restricted_from
    assert options["ckanext.govshare.grade.not_open_from"]["default"] == scale.not_open_from
    assert options["ckanext.govshare.grade.core_from"]["default"] == scale.core_from
    assert options["ckanext.govshare.allow_core_sharing"]["default"] is False
    assert (options["ckanext.govshare.resource_code.template"]["default"]
            == codes.DEFAULT_RESOURCE_CODE_TEMPLATE)


# --- choices helpers ----------------------------------------------------------------------------


def test_every_choices_helper_gives_bilingual_choices():
    """Every govshare_*_choices helper returns {value, label: {en, zh_Hans_CN}} choices."""
    helpers = vocab.get_helpers()
    choice_helpers = {n: f for n, f in helpers.items() if n.endswith("_choices")}
    assert len(choice_helpers) >= 12
    for name, helper in choice_helpers.items():
        if name == "govshare_grade_choices":
            continue  # reads configuration: covered through grade_choices
        choices = helper({"field_name": "x"})
        assert choices, name
        values = [c["value"] for c in choices]
        assert len(values) == len(set(values)) or name == "govshare_catalog_item_choices"
        for choice in choices:
            assert set(choice["label"]) == LANGS and all(choice["label"].values()), name


def test_helpers_are_all_prefixed():
    """Template helpers follow the govshare_ prefix."""
    assert all(name.startswith("govshare_") for name in vocab.get_helpers())
    assert vocab.get_helpers()["govshare_catalog_item_label"]("1", "05")["en"].startswith(
        "Electronic")


# --- the YAML schemas ----------------------------------------------------------------------------


def test_schemas_exist():
    """The catalogue entry and department schemas ship in schemas/."""
    names = {p.name for p in SCHEMAS}
    assert {"dataset.yaml", "organization.yaml"} <= names


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_every_text_is_bilingual(path):
    """Every label, help text, placeholder and choice label has both en and zh_Hans_CN."""
    schema = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert schema["scheming_version"] == 2
    for where, field in _fields(schema):
        assert "label" in field and "help_text" in field, where
        for key in TEXT_KEYS:
            if key in field:
                text = field[key]
                assert isinstance(text, dict) and set(text) == LANGS, (where, key)
                assert all(isinstance(t, str) and t.strip() for t in text.values()), (where, key)
        for choice in field.get("choices", []):
            assert set(choice["label"]) == LANGS, where
        if "choices_helper" in field:
            helpers = {**vocab.get_helpers(), **form.get_helpers()}
            assert field["choices_helper"] in helpers, where
    assert "about" in schema


def test_dataset_schema_keeps_the_api_contract():
    """The dataset schema has every field name of the issue's table (the API contract)."""
    schema = _load("dataset.yaml")
    assert schema["dataset_type"] == "dataset"
    fields = {f["field_name"]: f for f in schema["dataset_fields"]}
    contract = {
        "title", "notes", "name", "is_classified", "catalog_class", "catalog_item",
        "catalog_subitem", "catalog_detail", "resource_code", "owner_org", "provider_code",
        "provider_unit", "format_category", "format_type", "format_other_desc", "info_items",
        "share_type", "share_condition", "no_share_basis", "share_mode_category",
        "share_mode_type", "share_scope", "open_type", "open_condition", "update_cycle",
        "update_cycle_other", "data_grade", "issued", "related_resource_codes",
        "source_system", "business_matters", "catalogue_state",
    }
    assert contract <= set(fields)
    assert {s["field_name"] for s in fields["info_items"]["record_fields"]} >= {
        "name", "name_en", "data_type", "length", "share_type", "grade", "is_sensitive",
        "description"}
    resources = {f["field_name"] for f in schema["resource_fields"]}
    assert resources == {"name", "url", "format", "share_mode_type", "description"}
    assert "share_type_reason" in fields
    scope = {s["field_name"] for s in fields["share_scope"]["record_fields"]}
    assert scope == set(rules.SCOPE_REQUIRED_FIELDS)


def test_labels_agree_with_the_rule_messages():
    """The schemas' labels are the field names the rule messages use (FIELD_LABELS)."""
    compared = 0
    for where, field in _fields(_load("dataset.yaml")):
        group, *parts = where.split(".")
        key = ".".join(parts)
        if group == "resource_fields":
            key = "resources." + key
        if key in vocab.FIELD_LABELS:
            assert field["label"] == vocab.FIELD_LABELS[key], where
            compared += 1
    for where, field in _fields(_load("organization.yaml")):
        key = where.split(".", 1)[1]
        if key in ("uscc", "region_code", "level", "units", "units.code", "units.name"):
            assert field["label"] == vocab.FIELD_LABELS[key], where
            compared += 1
    assert compared >= 50


def test_read_only_and_rule_validators_are_named():
    """State and issue date are read-only; the whole-entry rules run after the fields."""
    schema = _load("dataset.yaml")
    fields = {f["field_name"]: f for f in schema["dataset_fields"]}
    assert schema["after_validators"] == "govshare_entry_rules"
    for name in ("catalogue_state", "issued"):
        assert "govshare_read_only" in fields[name]["validators"]
        assert fields[name]["form_snippet"] is None
    assert fields["catalogue_state"]["govshare_initial"] == "draft"
    org = _load("organization.yaml")
    assert org["organization_type"] == "organization"
    org_fields = {f["field_name"]: f for f in org["fields"]}
    assert "govshare_uscc" in org_fields["uscc"]["validators"]
    assert "govshare_region_code" in org_fields["region_code"]["validators"]
    assert {s["field_name"] for s in org_fields["units"]["repeating_subfields"]} == {"code", "name"}


def test_every_named_validator_exists():
    """Every validator a schema names is a govshare validator or one of CKAN's / scheming's."""
    import ckan.lib.navl.validators as navl
    import ckan.logic.converters as converters
    import ckan.logic.validators as core
    import ckanext.scheming.validation as scheming

    from ckanext.govshare.logic import validators as govshare

    presets_file = pathlib.Path(scheming.__file__).parent / "presets.json"
    presets = {p["preset_name"]: p["values"]
               for p in json.loads(presets_file.read_text())["presets"]}
    for path in SCHEMAS:
        schema = yaml.safe_load(path.read_text(encoding="utf-8"))
        strings = [schema.get("before_validators", ""), schema.get("after_validators", "")]
        for _where, field in _fields(schema):
            strings.append(field.get("validators") or presets.get(field.get("preset"), {}).get(
                "validators", ""))
        for name in (s.split("(")[0] for text in strings for s in (text or "").split()):
            if name.startswith("govshare_"):
                assert name in govshare.__all__, name
            else:
                assert any(hasattr(m, name) for m in (navl, core, converters, scheming)), name
