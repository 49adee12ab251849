"""The entry form's linked pick-lists and conditional parts, without a database."""
from __future__ import annotations

import pathlib

import yaml

from ckanext.govshare.catalogue import form, vocab

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _schema_fields() -> dict[str, dict]:
    schema = yaml.safe_load((ROOT / "schemas" / "dataset.yaml").read_text(encoding="utf-8"))
    return {f["field_name"]: f for f in schema["dataset_fields"]}


def test_choices_of_the_parent_value():
    """A format category offers its own types and 其他 (which belongs to every category)."""
    choices = vocab.govshare_format_type_choices()
    offered = [c["value"] for c in
               form.linked_choices(choices, "format_category", "spreadsheet")]
    assert offered == ["et", "xls", "xlsx", "csv", "other"]


def test_every_choice_while_the_parent_is_empty():
    """Nothing chosen yet: every choice is offered."""
    choices = vocab.govshare_format_type_choices()
    assert form.linked_choices(choices, "format_category", "") == choices
    assert form.linked_choices(choices, "format_category", None) == choices


def test_items_of_a_class():
    """Item codes repeat across classes: only the chosen class's items are offered."""
    items = form.linked_choices(vocab.govshare_catalog_item_choices(), "catalog_class", "1")
    assert [c["value"] for c in items] == ["01", "02", "03", "04", "05"]
    assert {c["catalog_class"] for c in items} == {"1"}


def test_a_choice_of_several_parent_values():
    """A share-mode type fits several format categories (a list)."""
    choices = vocab.govshare_share_mode_type_choices()
    by_category = {
        category.value: [c["value"] for c in
                         form.linked_choices(choices, "format_category", category.value)]
        for category in vocab.FORMAT_CATEGORIES
    }
    assert by_category["database"] == ["table", "api"]
    assert by_category["spreadsheet"] == ["file"]
    assert by_category["self_describing"] == ["api", "file"]
    assert by_category["other"] == ["table", "api", "file"]
    # the same sets the rules check a share-mode type against
    for category in vocab.FORMAT_CATEGORIES:
        assert set(by_category[category.value]) == category.share_mode_types


def test_a_chosen_value_outside_the_parent_stays_last():
    """A stored or submitted value that does not fit stays offered, to be corrected."""
    choices = vocab.govshare_format_type_choices()
    offered = form.linked_choices(choices, "format_category", "spreadsheet", "json")
    assert [c["value"] for c in offered][-2:] == ["other", "json"]
    assert offered[-1]["label"]["zh_Hans_CN"] == "自描述格式：JSON"
    unknown = form.linked_choices(choices, "format_category", "spreadsheet", "zzz")
    assert unknown[-1] == {"value": "zzz", "label": "zzz"}
    # a value that fits is not repeated
    fits = form.linked_choices(choices, "format_category", "spreadsheet", "csv")
    assert [c["value"] for c in fits].count("csv") == 1


def test_units_of_a_department():
    """Units carry their department; only that department's are offered."""
    units = [{"value": "A1", "owner_org": "a"}, {"value": "B1", "owner_org": "b"},
             {"value": "A2", "owner_org": "a"}]
    assert [c["value"] for c in form.linked_choices(units, "owner_org", "a")] == [
        "A1", "A2"]
    assert form.linked_choices(units, "owner_org", "c") == []


def test_show_when_from_the_schema():
    """The conditional parts of issue 3, read from the schema's govshare_show_when."""
    conditions = form.show_when(_schema_fields().values())
    assert conditions["share_condition"] == {"share_type": ["conditional"]}
    assert conditions["share_scope"] == {"share_type": ["conditional"]}
    assert conditions["no_share_basis"] == {"share_type": ["not_shared"]}
    assert conditions["open_condition"] == {"open_type": ["conditional_open"]}
    assert conditions["share_mode_type"] == {"share_mode_category": ["platform"]}
    assert conditions["format_other_desc"] == {"format_category": ["other"],
                                               "format_type": ["other"]}
    assert "share_type" not in conditions and "title" not in conditions


def test_visible_when_any_condition_holds():
    """A part applies while any field it depends on has one of its values."""
    other = form.show_when(_schema_fields().values())["format_other_desc"]
    assert form.visible(other, {"format_category": "other"})
    assert form.visible(other, {"format_category": "database", "format_type": "other"})
    assert not form.visible(other, {"format_category": "database", "format_type": "dm"})
    assert not form.visible(other, {})


def test_linked_fields_name_existing_parents():
    """Every linked select depends on a field of the schema, whose choices carry its value."""
    fields = _schema_fields()
    linked = {name: f["govshare_linked_to"] for name, f in fields.items()
              if f.get("govshare_linked_to")}
    assert linked == {"provider_unit": "owner_org", "catalog_item": "catalog_class",
                      "format_type": "format_category", "share_mode_type": "format_category"}
    for name, parent in linked.items():
        assert parent in fields, name
        assert fields[name]["form_snippet"] == "govshare_linked_select.html", name
    for name in ("catalog_item", "format_type", "share_mode_type"):
        helper = vocab.get_helpers()[fields[name]["choices_helper"]]
        assert all(linked[name] in choice for choice in helper()), name
    for name, conditions in form.show_when(fields.values()).items():
        assert set(conditions) <= set(fields), name


def test_unit_label():
    """A unit is shown as "code name"; an unknown code as itself."""
    units = [{"code": "SAMR02", "name": "信用监督管理处"}, {"code": "X", "name": "X"}]
    assert form.unit_label(units, "SAMR02") == "SAMR02 信用监督管理处"
    assert form.unit_label(units, "X") == "X"
    assert form.unit_label(units, "GONE") == "GONE"
    assert form.unit_label(units, None) == ""


def test_form_sections_from_the_schema():
    """Every form field is in one section, in schema order; the URL name is advanced."""
    fields = list(_schema_fields().values())
    sections = form.form_sections(fields)
    assert [s["id"] for s in sections] == [
        "section-title", "section-catalog_class", "section-format_category",
        "section-info_items", "section-share_type", "section-update_cycle"]
    shown = [f["field_name"] for s in sections for f in s["fields"] + s["advanced"]]
    assert sorted(shown) == sorted(
        f["field_name"] for f in fields if f.get("form_snippet", "") is not None)
    assert [f["field_name"] for f in sections[0]["advanced"]] == ["name"]
    assert [f["field_name"] for f in sections[3]["fields"]] == ["info_items"]


def _label(value):
    return value["en"] if isinstance(value, dict) else str(value)


def test_error_summary_in_form_order_with_anchors():
    """Errors come in the form's order, each once, with its field's anchor; a message that
    names its field keeps it, CKAN's own message gets the label in front."""
    fields = [{"field_name": "title", "label": {"en": "Resource title"}},
              {"field_name": "name", "label": {"en": "URL name"}},
              {"field_name": "info_items", "label": {"en": "Information items"},
               "record_fields": [{"field_name": "name", "label": {"en": "Item name"}}]}]
    errors = {
        "info_items": [{}, {"name": ['Information item "x" (no. 2), Item name: repeats item no. 1']}],
        "name": ["Missing value"],
        "title": ["Resource title: required", "Resource title: required"],
    }
    assert form.error_summary(errors, fields, _label) == [
        {"anchor": "field-title", "message": "Resource title: required"},
        {"anchor": "field-name", "message": "URL name: Missing value"},
        {"anchor": "field-info_items-1-name",
         "message": 'Information item "x" (no. 2), Item name: repeats item no. 1'},
    ]


def test_error_summary_of_a_record_field_itself():
    """A record field's own error (no record at all) links to the field's error box."""
    fields = [{"field_name": "info_items", "label": {"en": "Information items"},
               "record_fields": []}]
    errors = {"info_items": ["Information items: at least one information item is required"]}
    assert form.error_summary(errors, fields, _label) == [
        {"anchor": "field-info_items-errors",
         "message": "Information items: at least one information item is required"}]
