"""The catalogue entry form's linked pick-lists and conditional parts, and the entry page's labels.

The dataset schema says, as data, which select depends on which field and which part of the
form applies when:

* ``govshare_linked_to: <field>`` on a select (form snippet ``govshare_linked_select.html``):
  its choices carry the value of ``<field>`` they belong to under the key ``<field>``
  (a string, a list of values, or empty for a choice that belongs to every value);
  ``provider_unit`` → ``owner_org``, ``format_type`` → ``format_category``,
  ``catalog_item`` → ``catalog_class``, ``share_mode_type`` → ``format_category``;
* ``govshare_show_when: {<field>: [values]}``: the part applies when any listed field has one
  of its values (``no_share_basis`` when ``share_type`` is ``not_shared``).

The server renders the choices of the selected (or, for the department, the preselected)
value, so the form works without JavaScript; the ``govshare-entry-form`` JavaScript module
(``assets/js/entry-form.js``) refills the selects and hides the parts that do not apply as the
user changes the form, from :func:`govshare_entry_form_config` embedded in the page. Hidden
parts keep their values, and a part with an error is never hidden. Convenience only: the rules
of :mod:`ckanext.govshare.catalogue.rules` and the provider-unit validator decide what is stored.

The department's units are read through :func:`roles.department_units` and a compiler is
offered only the units :func:`permissions.may_compile` lets them compile.

Pure functions first (plain data in, plain data out, unit-tested); the ``govshare_*`` template
helpers read the request's user and the departments.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.govshare import permissions
from ckanext.govshare.catalogue import fields as entry_fields
from ckanext.govshare.department import roles

__all__ = [
    "DEPARTMENT_FIELD",
    "belongs_to",
    "linked_choices",
    "show_when",
    "visible",
    "unit_label",
    "error_anchor",
    "error_summary",
    "form_sections",
    "get_helpers",
    "govshare_provider_unit_choices",
    "govshare_linked_select",
    "govshare_entry_form_config",
    "govshare_unit_label",
    "govshare_error_summary",
    "govshare_form_sections",
]

#: the form's department select (scheming's ``dataset_organization`` preset)
DEPARTMENT_FIELD = entry_fields.OWNER_ORG

Choice = Mapping[str, Any]


# --- pure --------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def belongs_to(choice: Choice, parent: str, parent_value: Any) -> bool:
    """Whether ``choice`` is offered when the field ``parent`` has ``parent_value``.

    Every choice is offered while the parent is empty; a choice without a value for the
    parent (``format_type`` ``other``) belongs to every value.
    """
    value = _text(parent_value)
    owner = choice.get(parent)
    if not value or owner in (None, "", [], ()):
        return True
    if isinstance(owner, (list, tuple, set, frozenset)):
        return value in {_text(o) for o in owner}
    return _text(owner) == value


def linked_choices(choices: Iterable[Choice], parent: str, parent_value: Any,
                   selected: Any = None) -> list[Choice]:
    """The choices offered for ``parent_value``, in their order.

    A ``selected`` value that is not among them is kept (last), so that a stored or submitted
    value the rules refuse stays visible to be corrected instead of silently changing.
    """
    choices = list(choices)
    offered = [c for c in choices if belongs_to(c, parent, parent_value)]
    chosen = _text(selected)
    if chosen and all(_text(c.get("value")) != chosen for c in offered):
        known = next((c for c in choices if _text(c.get("value")) == chosen), None)
        offered.append(known or {"value": chosen, "label": chosen})
    return offered


def show_when(fields: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, list[str]]]:
    """``{field: {depends_on: [values]}}`` of the fields that declare ``govshare_show_when``."""
    out: dict[str, dict[str, list[str]]] = {}
    for field in fields:
        conditions = field.get("govshare_show_when")
        if not conditions:
            continue
        out[field["field_name"]] = {
            dep: [_text(v) for v in (values if isinstance(values, (list, tuple)) else [values])]
            for dep, values in conditions.items()
        }
    return out


def visible(conditions: Mapping[str, Iterable[str]], data: Mapping[str, Any]) -> bool:
    """Whether a part with ``conditions`` (see :func:`show_when`) applies to the form ``data``."""
    return any(_text(data.get(dep)) in set(values) for dep, values in conditions.items())


def unit_label(units: Iterable[Mapping[str, str]], code: Any) -> str:
    """``"code name"`` of the unit ``code`` among ``units``; the code alone when unknown."""
    code = _text(code)
    for unit in units:
        if unit.get("code") == code:
            name = _text(unit.get("name"))
            return f"{code} {name}" if name and name != code else code
    return code


# --- template helpers ----------------------------------------------------------------------------


def form_sections(fields: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The form's fields in sections, as the schema says: a field with ``govshare_section``
    (a label) starts a section; a field with ``govshare_advanced: true`` is put in its section's
    folded advanced part. Fields before the first heading make a section without one; fields
    without a form snippet are left out."""
    sections: list[dict[str, Any]] = []
    for field in fields:
        if "form_snippet" in field and field["form_snippet"] is None:
            continue
        if field.get("govshare_section") or not sections:
            sections.append({"heading": field.get("govshare_section"),
                             "id": f"section-{field.get('field_name')}",
                             "fields": [], "advanced": []})
        part = "advanced" if field.get("govshare_advanced") else "fields"
        sections[-1][part].append(field)
    return sections


def error_anchor(key: str, index: int | None = None, subfield: str | None = None) -> str:
    """The id of the form element an error of ``key`` (or of a record's subfield) belongs to:
    scheming's ``field-<name>`` and ``field-<name>-<index>-<subfield>``; a record field's own
    error (no record at all) is shown in ``field-<name>-errors``."""
    if subfield is not None:
        return f"field-{key}-{index}-{subfield}"
    if index is not None:
        return f"field-{key}-errors"
    return f"field-{key}"


def error_summary(errors: Mapping[str, Any], fields: Iterable[Mapping[str, Any]],
                  label: Callable[[Any], str]) -> list[dict[str, str]]:
    """The form's errors in the order of its fields, each once, with the anchor of its field.

    ``errors`` is CKAN's re-shown form errors (a field's messages, or for a record field one
    dict of subfield messages per record); ``label`` gives a field label in the page's
    language. The govshare rules name their field in the message; a message that does not
    (CKAN's own, e.g. "Missing value") is prefixed with the field's label, so no label is shown
    twice.
    """
    fields = [f for f in fields if f.get("field_name")]
    by_name = {f["field_name"]: f for f in fields}
    order = {name: i for i, name in enumerate(by_name)}
    found: list[dict[str, str]] = []

    def add(anchor: str, message: Any, field: Mapping[str, Any] | None) -> None:
        text = _text(message)
        name = label(field["label"]) if field and field.get("label") else ""
        if name and name not in text:
            text = tk._("{field}: {problem}").format(field=name, problem=text)
        if text and all(item["message"] != text for item in found):
            found.append({"anchor": anchor, "message": text})

    for key in sorted(errors, key=lambda k: (order.get(k, len(order)), k)):
        value = errors[key]
        field = by_name.get(key)
        if isinstance(value, list) and any(isinstance(v, dict) for v in value):
            subfields = {f.get("field_name"): f for f in (field or {}).get("record_fields")
                         or (field or {}).get("repeating_subfields") or []}
            for index, record in enumerate(value):
                for subfield, messages in (record or {}).items():
                    for message in messages if isinstance(messages, list) else [messages]:
                        add(error_anchor(key, index, subfield), message, subfields.get(subfield))
            continue
        record_field = field is not None and (
            "record_fields" in field or "repeating_subfields" in field)
        for message in value if isinstance(value, list) else [value]:
            add(error_anchor(key, 0 if record_field else None), message, field)
    return found


def _departments() -> list[dict[str, Any]]:
    """The departments the request's user may create entries in (the form's department
    select offers the same ones, in the same order)."""
    if permissions.current_user() is None:
        return []
    return tk.h.organizations_available("create_dataset")


def govshare_provider_unit_choices(field: Any = None) -> list[dict[str, Any]]:
    """``choices_helper`` of ``provider_unit``: the units of the user's departments that the
    user may compile (a compiler: their own units; an admin: all), each labelled ``code name``
    and carrying its department under ``owner_org``. Empty outside a request."""
    user = permissions.current_user()
    out: list[dict[str, Any]] = []
    for org in _departments():
        for unit in roles.department_units(org["id"]):
            if permissions.may_compile(user, org["id"], unit["code"]):
                label = unit_label([unit], unit["code"])
                out.append({"value": unit["code"], "label": {"en": label, "zh_Hans_CN": label},
                            DEPARTMENT_FIELD: org["id"]})
    return out


def _choices(field: Mapping[str, Any]) -> list[dict[str, Any]]:
    return tk.h.scheming_field_choices(field) or []


def _parent_value(parent: str, data: Mapping[str, Any]) -> str:
    value = _text(data.get(parent))
    if value or parent != DEPARTMENT_FIELD:
        return value
    # the department select has no empty option: the browser shows its first department
    value = _text(data.get("group_id"))
    if value:
        return value
    departments = _departments()
    return departments[0]["id"] if departments else ""


def govshare_linked_select(field: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """Template helper of ``govshare_linked_select.html``: the ``<option>`` list of a linked
    select for the form ``data`` (``options``, ``selected``, ``parent``, ``parent_value``)."""
    parent = field["govshare_linked_to"]
    parent_value = _parent_value(parent, data)
    selected = _text(data.get(field["field_name"]))
    options: list[dict[str, str]] = []
    required = tk.h.scheming_field_required(field)
    if not required or field.get("form_include_blank_choice"):
        options.append({"value": "", "text": ""})
    for choice in linked_choices(_choices(field), parent, parent_value, selected):
        label = choice.get("label")
        text = tk.h.scheming_language_text(label) if isinstance(label, dict) else _text(label)
        options.append({"value": _text(choice.get("value")), "text": text})
    return {"options": options, "selected": selected, "parent": parent,
            "parent_value": parent_value}


def govshare_entry_form_config(fields: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Template helper: what the ``govshare-entry-form`` JavaScript module needs, as JSON-able
    data: every linked select with all its choices (labels in the page's language, each with
    the parent value it belongs to) and the ``govshare_show_when`` conditions."""
    fields = list(fields)
    linked: dict[str, Any] = {}
    for field in fields:
        parent = field.get("govshare_linked_to")
        if not parent:
            continue
        linked[field["field_name"]] = {
            "parent": parent,
            "choices": [
                {"value": _text(c.get("value")),
                 "label": (tk.h.scheming_language_text(c["label"])
                           if isinstance(c.get("label"), dict) else _text(c.get("label"))),
                 "parent": c.get(parent) if isinstance(c.get(parent), list) else _text(c.get(parent))}
                for c in _choices(field)
            ],
        }
    return {"linked": linked, "show_when": show_when(fields)}


def govshare_error_summary(errors: Mapping[str, Any] | None,
                           fields: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Template helper: :func:`error_summary` with labels in the page's language."""
    return error_summary(errors or {}, fields, tk.h.scheming_language_text)


def govshare_form_sections(fields: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Template helper: :func:`form_sections`."""
    return form_sections(fields)


def govshare_unit_label(org_id: str | None, code: Any) -> str:
    """Template helper: ``"code name"`` of a unit of department ``org_id``."""
    return unit_label(roles.department_units(org_id or ""), code)


def get_helpers() -> dict[str, Callable[..., Any]]:
    """Every template helper of this module, by name (collected by ``helpers.py``)."""
    return {name: globals()[name] for name in __all__ if name.startswith("govshare_")}
