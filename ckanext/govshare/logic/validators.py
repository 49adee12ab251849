"""Validators named in ``schemas/*.yaml`` (registered with ``tk.blanket.validators``).

Thin wrappers: the rules of an entry live in :mod:`ckanext.govshare.catalogue.rules` and the code
arithmetic in :mod:`ckanext.govshare.catalogue.codes`. What is here is what those pure modules cannot
know: the request (CKAN's flattened data, the stored dataset in ``context["package"]``), the
department (organization extras) and the configuration. Every message is in the page's language
(:mod:`ckanext.govshare.messages`) and names its field.

Fields written only by the catalogue lifecycle (``catalogue_state``, ``issued``) keep their
stored values unless the caller's context carries
:data:`~ckanext.govshare.catalogue.fields.LIFECYCLE_CONTEXT_KEY`.

The last section holds the validators of the lifecycle and assessment actions' parameters
(used by :mod:`ckanext.govshare.logic.schema`, not named in the YAML schemas, so not in
``__all__``).
"""
from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import Invalid, StopOnError, missing, unflatten
from ckan.logic.converters import convert_to_extras

from ckanext.govshare import config as gs_config
from ckanext.govshare.catalogue import codes, fields, rules, vocab
from ckanext.govshare.catalogue import entry as catalogue
from ckanext.govshare.department import roles
from ckanext.govshare.lifecycle import deadlines
from ckanext.govshare.messages import join, local
from ckanext.govshare.messages import text as label_text
from ckanext.scheming.plugins import expand_form_composite
from ckanext.scheming.validation import scheming_validator, validators_from_string

log = logging.getLogger(__name__)

__all__ = [
    "govshare_boolean",
    "govshare_natural_number",
    "govshare_uscc",
    "govshare_region_code",
    "govshare_resource_code",
    "govshare_read_only",
    "govshare_provider_code",
    "govshare_provider_unit",
    "govshare_title_unique",
    "govshare_share_type",
    "govshare_related_resource_codes",
    "govshare_records",
    "govshare_records_output",
    "govshare_entry_rules",
    "govshare_department_before",
    "govshare_department_rules",
]


_TRUE = {"true", "1", "yes", "y", "t", "on", "是"}
_FALSE = {"false", "0", "no", "n", "f", "off", "否"}

FlatKey = tuple[Any, ...]
Flat = dict[FlatKey, Any]


# --- helpers -------------------------------------------------------------------------------


def _label_key(key: FlatKey) -> str:
    """``("info_items", 0, "length")`` → ``"info_items.length"`` (the FIELD_LABELS key)."""
    return ".".join(str(p) for p in key if not isinstance(p, int))


def _message(key: FlatKey, problem: str) -> str:
    """``problem`` (translated) prefixed with the field's label in the page's language."""
    label = label_text(vocab.field_label(_label_key(key)))
    return tk._("{field}: {problem}").format(field=label, problem=problem)


def _is_empty(value: Any) -> bool:
    return value is tk.missing or value is None or (isinstance(value, str) and not value.strip())


def _drop(key: FlatKey, data: Flat) -> None:
    """Remove an empty value and skip the key's remaining validators (like ignore_missing)."""
    data.pop(key, None)
    raise tk.StopOnError


def _stored_extra(context: dict[str, Any], name: str) -> Any:
    """The stored value of a custom field of the dataset being updated, if any."""
    package = context.get("package")
    extras = getattr(package, "extras", None) if package is not None else None
    return extras.get(name) if isinstance(extras, dict) else None


# context key of the departments looked up during one action (name and id → organization)
DEPARTMENTS_CONTEXT_KEY = "govshare_departments"


def _department(data: Flat, context: dict[str, Any]) -> model.Group | None:
    """The entry's department, looked up once per validation.

    ``owner_org`` holds the name before core's ``owner_org_validator`` has run and the id
    after it: both are kept in the cache, which lives in navl's per-``validate`` copy of the
    context.
    """
    owner_org = data.get(("owner_org",))
    if _is_empty(owner_org):
        return None
    cache = context.setdefault(DEPARTMENTS_CONTEXT_KEY, {})
    if owner_org not in cache:
        org = catalogue.department(owner_org)
        cache[owner_org] = org
        if org is not None:
            cache[org.id] = cache[org.name] = org
    return cache[owner_org]


def _plain(value: Any) -> Any:
    return None if value is tk.missing else value


def _unflatten_plain(data: Flat) -> dict[str, Any]:
    """The entry as a nested dict, without navl's ``missing`` markers and ``__`` keys."""
    flat = {k: _plain(v) for k, v in data.items() if not str(k[0]).startswith("__")}
    return unflatten(flat)


def _prune_blank_records(data: Flat, field: str) -> None:
    """Drop the records of a repeating field whose every value is empty (blank form panels)."""
    records: dict[int, list[FlatKey]] = {}
    for flat_key in data:
        if len(flat_key) == 3 and flat_key[0] == field and isinstance(flat_key[1], int):
            records.setdefault(flat_key[1], []).append(flat_key)
    for keys in records.values():
        if all(_is_empty(data[k]) or data[k] == [] for k in keys):
            for k in keys:
                del data[k]


def _add_errors(found: dict[str, list[str]], errors: Flat) -> None:
    """Put rule messages on CKAN's flattened error keys, unless the field already failed."""
    for dotted, messages in found.items():
        key = rules.split_error_key(dotted)
        if errors.get(key):
            continue
        errors.setdefault(key, []).extend(messages)


# --- single values ------------------------------------------------------------------------


def govshare_boolean(key: FlatKey, data: Flat, errors: Flat, context: dict[str, Any]) -> None:
    """Store a yes/no answer as ``"true"`` / ``"false"`` (accepts booleans and yes/no words)."""
    value = data.get(key)
    if _is_empty(value):
        _drop(key, data)
    if isinstance(value, bool):
        data[key] = "true" if value else "false"
        return
    text = str(value).strip().lower()
    if text in _TRUE:
        data[key] = "true"
    elif text in _FALSE:
        data[key] = "false"
    else:
        errors[key].append(_message(key, tk._("must be yes or no")))


def govshare_natural_number(key: FlatKey, data: Flat, errors: Flat,
                            context: dict[str, Any]) -> None:
    """A positive whole number, stored as an int (e.g. a 信息项 length); empty is dropped."""
    value = data.get(key)
    if _is_empty(value):
        _drop(key, data)
    text = str(value).strip()
    # isdecimal, not isdigit: "²" is a digit that int() refuses
    if isinstance(value, bool) or not text.isdecimal() or int(text) < 1:
        errors[key].append(_message(key, tk._("must be a positive whole number")))
        return
    data[key] = int(text)


def govshare_uscc(key: FlatKey, data: Flat, errors: Flat, context: dict[str, Any]) -> None:
    """A 统一社会信用代码 with a correct GB 32100-2015 check character (blanks removed)."""
    value = data.get(key)
    if _is_empty(value):
        _drop(key, data)
    code = codes.normalize_uscc(value)
    problem = codes.uscc_problem(code)
    if problem:
        errors[key].append(_message(key, problem))
    else:
        data[key] = code


def govshare_region_code(key: FlatKey, data: Flat, errors: Flat,
                         context: dict[str, Any]) -> None:
    """A GB/T 2260 administrative region code (6 digits, a province prefix)."""
    value = data.get(key)
    if _is_empty(value):
        _drop(key, data)
    code = str(value).strip()
    problem = codes.region_code_problem(code)
    if problem:
        errors[key].append(_message(key, problem))
    else:
        data[key] = code


# --- catalogue entry fields -----------------------------------------------------------------


def govshare_resource_code(key: FlatKey, data: Flat, errors: Flat,
                           context: dict[str, Any]) -> None:
    """A 信息资源代码 with the configured template's shape; empty is left for allocation.

    A code already stored on the dataset is accepted as it is (it was valid when issued,
    also if the template has changed since).
    """
    value = data.get(key)
    if _is_empty(value):
        _drop(key, data)
    code = str(value).strip()
    data[key] = code
    if code == _stored_extra(context, fields.RESOURCE_CODE):
        return
    problem = codes.resource_code_problem(gs_config.resource_code_template(), code)
    if problem:
        errors[key].append(_message(key, problem))


@scheming_validator
def govshare_read_only(field: dict[str, Any], schema: dict[str, Any]) -> Callable[..., None]:
    """A field only the lifecycle writes: editors' input is replaced by the stored value.

    On create the field starts at the schema field's ``govshare_initial`` (e.g. ``draft``)
    or empty. Callers with ``context[fields.LIFECYCLE_CONTEXT_KEY]`` write the value they give.
    """
    initial = field.get("govshare_initial")

    def validator(key: FlatKey, data: Flat, errors: Flat, context: dict[str, Any]) -> None:
        if context.get(fields.LIFECYCLE_CONTEXT_KEY):
            if _is_empty(data.get(key)):
                _drop(key, data)
            return
        value = _stored_extra(context, key[-1]) or initial
        if value:
            data[key] = value
        else:
            _drop(key, data)

    return validator


def govshare_provider_code(key: FlatKey, data: Flat, errors: Flat,
                           context: dict[str, Any]) -> None:
    """提供方代码 = the department's 统一社会信用代码: filled from it, checked against it."""
    value = data.get(key)
    org = _department(data, context)
    org_uscc = codes.normalize_uscc((org.extras or {}).get("uscc")) if org is not None else ""
    code = org_uscc if _is_empty(value) else codes.normalize_uscc(value)
    if not code:
        if org is not None:
            errors[key].append(_message(
                key, tk._("the department has no unified social credit code yet: a department admin adds it to the department")))
        _drop(key, data)
    data[key] = code
    problem = codes.uscc_problem(code)
    if problem:
        errors[key].append(_message(key, problem))
    elif org_uscc and code != org_uscc:
        errors[key].append(_message(
            key, tk._("must be the department's unified social credit code ({org_uscc})").format(org_uscc=org_uscc)))


def govshare_provider_unit(key: FlatKey, data: Flat, errors: Flat,
                           context: dict[str, Any]) -> None:
    """One of the department's internal units, by code (a unique unit name is accepted)."""
    value = data.get(key)
    if _is_empty(value):
        _drop(key, data)
    text = str(value).strip()
    org = _department(data, context)
    if org is None:
        data[key] = text
        return
    units = roles.department_units(org)
    if not units:
        errors[key].append(_message(
            key, tk._("the department has no internal units yet: a department admin adds them first")))
        return
    by_code = {str(u.get("code")): u for u in units}
    by_name = [u for u in units if str(u.get("name", "")).strip() == text]
    if text in by_code:
        data[key] = text
    elif len(by_name) == 1:
        data[key] = str(by_name[0].get("code"))
    else:
        listed = join(f"{u.get('code')} {u.get('name')}" for u in units)
        errors[key].append(_message(key, tk._(
            '"{unit}" is not an internal unit of {department} (one of: {units})').format(
                unit=text, department=org.title or org.name, units=listed)))


def govshare_title_unique(key: FlatKey, data: Flat, errors: Flat,
                          context: dict[str, Any]) -> None:
    """The title is unique among the department's (not deleted) datasets."""
    title = data.get(key)
    org = _department(data, context)
    if _is_empty(title) or org is None:
        return
    package = context.get("package")
    own_id = package.id if package is not None else data.get(("id",))
    query = model.Session.query(model.Package.name).filter(
        model.Package.owner_org == org.id,
        model.Package.title == str(title).strip(),
        model.Package.state != "deleted",
    )
    if not _is_empty(own_id):
        query = query.filter(model.Package.id != own_id)
    other = query.first()
    if other is not None:
        errors[key].append(_message(
            key, tk._("the department already has an entry with this title ({name})").format(name=other.name)))


def govshare_share_type(key: FlatKey, data: Flat, errors: Flat,
                        context: dict[str, Any]) -> None:
    """Default the share type of basic-resource entries to ``unconditional`` when absent."""
    if not _is_empty(data.get(key)):
        return
    default = rules.default_share_type(
        _plain(data.get(("catalog_class",))), _plain(data.get(("catalog_item",))))
    if default:
        data[key] = default
    else:
        _drop(key, data)


def govshare_related_resource_codes(key: FlatKey, data: Flat, errors: Flat,
                                    context: dict[str, Any]) -> None:
    """Every related code is the resource code of an existing (not deleted) entry.

    Runs after ``scheming_multiple_text``, which stores the list as JSON.
    """
    value = data.get(key)
    if _is_empty(value):
        return
    try:
        related = json.loads(value) if isinstance(value, str) else list(value)
    except (TypeError, ValueError):
        related = [value]
    related = [str(c).strip() for c in related if str(c).strip()]
    if not related:
        return
    code_column = model.Package.extras[fields.RESOURCE_CODE].astext
    found = {
        row[0] for row in model.Session.query(code_column).filter(
            code_column.in_(related), model.Package.state != "deleted")
    }
    unknown = [c for c in related if c not in found]
    if unknown:
        errors[key].append(_message(
            key, tk._("no entry has the resource code {value}").format(value=join(unknown))))


# --- repeating records (信息项, 共享范围) --------------------------------------------------------

# The schema key listing a record field's subfields. Not scheming's ``repeating_subfields``:
# that makes navl flatten every record into ``(field, i, subfield)`` keys and run its whole
# machinery per key (20 信息项 × 8 subfields ≈ 160 keys, sorted again and again on create,
# update and show). A record field is validated as one value instead, its subfields with their
# own validators, and stored as one JSON extra, as scheming stores repeating subfields.
RECORD_FIELDS = "record_fields"
_DEFAULT_SUBFIELD_VALIDATORS = "ignore_missing unicode_safe strip_value"


def expand_form_records(data_dict: dict[str, Any], names: Iterable[str]) -> None:
    """Turn the form's ``info_items-0-name`` … keys into lists of records, in place.

    In place, like scheming does for its repeating subfields, so that a form re-rendered
    after a validation error shows the records that were submitted.
    """
    expand_form_composite(data_dict, set(names))


def _record_list(value: Any) -> list[Any] | None:
    """A list of records from a list or its JSON text; ``None`` when it is neither."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except ValueError:
            return None
    return value if isinstance(value, list) else None


@scheming_validator
def govshare_records(field: dict[str, Any], schema: dict[str, Any]) -> Callable[..., None]:
    """A field of repeating records validated as one value and stored as a JSON extra.

    Accepts a list of records (API) or its JSON text; the form's ``field-0-subfield`` keys are
    made records before validation, by the chained package_create/package_update
    (:func:`expand_form_records`).
    Each subfield runs the validators the schema gives it; a subfield the schema does not
    declare is refused; a record whose every value is empty (a blank form panel) is dropped.
    Errors go on ``(field, i, subfield)``, the keys navl gives repeating subfields.
    """
    name = field["field_name"]
    subfields = [(sf["field_name"],
                  [(v, v.__code__.co_argcount) for v in validators_from_string(
                      sf.get("validators", _DEFAULT_SUBFIELD_VALIDATORS), sf, schema)])
                 for sf in field[RECORD_FIELDS]]
    known = {sub for sub, _validators in subfields}

    def validator(key: FlatKey, data: Flat, errors: Flat, context: dict[str, Any]) -> None:
        value = data.get(key)
        if value is missing or value is None:
            _drop(key, data)
        records = _record_list(value)
        if records is None:
            errors[key].append(_message(key, tk._("must be a list of records")))
            data.pop(key, None)  # nothing of it reaches the whole-entry rules
            raise StopOnError
        found: Flat = {}
        cleaned: list[dict[str, Any]] = []
        for position, record in enumerate(records, 1):
            if not isinstance(record, dict):
                errors[key].append(_message(key, tk._("item no. {position} must be a record").format(position=position)))
                data.pop(key, None)
                raise StopOnError
            if all(_is_empty(v) or v == [] for v in record.values()):
                continue
            i = len(cleaned)
            for sub in record.keys() - known:
                found[(name, i, sub)] = [tk._("\"{sub}\" is not a subfield of {name} (one of: {value})").format(sub=sub, name=name, value=join(sorted(known)))]
            flat: Flat = {(name, i, sub): record.get(sub, missing) for sub in known}
            errs: Flat = {k: [] for k in flat}
            for sub, validators in subfields:
                k = (name, i, sub)
                for converter, nargs in validators:
                    # navl's convert(), without looking up each validator's arity again
                    try:
                        if nargs == 4:
                            converter(k, flat, errs, context)
                        elif nargs == 2:
                            flat[k] = converter(flat.get(k), context)
                        else:
                            flat[k] = converter(flat.get(k))
                    except Invalid as err:
                        errs[k].append(err.error)
                    except StopOnError:
                        break
            found.update((k, v) for k, v in errs.items() if v)
            cleaned.append({sub: flat[(name, i, sub)] for sub, _v in subfields
                            if flat.get((name, i, sub), missing) is not missing})
        # one (empty) error key per record keeps the records' positions when navl unflattens
        # the errors: it closes up gaps, and the rules may add item errors later
        for i in range(len(cleaned)):
            errors.setdefault((name, i, subfields[0][0]), [])
        for k, messages in found.items():
            errors.setdefault(k, []).extend(messages)
        data[key] = json.dumps(cleaned, ensure_ascii=False)

    return validator


def govshare_records_output(value: Any) -> Any:
    """The stored JSON text of a record field back as a list (show)."""
    records = _record_list(value)
    return records if records is not None else value


def _entry_for_rules(data: Flat) -> dict[str, Any]:
    """The entry as the rules read it: record fields are back from their JSON extras."""
    entry = _unflatten_plain(data)
    extras = {e.get("key"): e.get("value") for e in entry.get("extras") or ()
              if isinstance(e, dict)}
    for name in fields.ENTRY_RECORD_FIELDS:
        if name not in entry and name in extras:
            entry[name] = extras[name]
    return entry


def govshare_entry_rules(key: FlatKey, data: Flat, errors: Flat,
                         context: dict[str, Any]) -> None:
    """The whole-entry rules of :func:`ckanext.govshare.catalogue.rules.check_entry` (``after_validators``).

    A stored resource code that is not being changed is not re-checked against the template.
    """
    entry = _entry_for_rules(data)
    code = entry.get(fields.RESOURCE_CODE)
    template = None
    if code and code != _stored_extra(context, fields.RESOURCE_CODE):
        template = gs_config.resource_code_template()
    found = rules.check_entry(
        entry,
        grade_scale=vocab.grade_scale(),
        allow_core_sharing=gs_config.allow_core_sharing(),
        resource_code_template=template,
    )
    _add_errors(found, errors)


# --- departments (organization schema) ------------------------------------------------------

# ckanext-scheming stores repeating subfields of datasets only: for organizations the units
# are moved in from the form, checked and stored as one JSON extra here, and read back on show.
_UNITS = "units"
_UNIT_FIELDS = ("code", "name")


def _is_show(context: dict[str, Any]) -> bool:
    # only CKAN's show schema for groups declares these keys
    keys = context.get("schema_keys") or ()
    return "num_followers" in keys and "package_count" in keys


def govshare_department_before(key: FlatKey, data: Flat, errors: Flat,
                               context: dict[str, Any]) -> None:
    """Bring ``units`` into ``(units, i, field)`` keys (``before_validators``).

    From the form (``units-0-code`` …) on create/update; from the stored JSON extra on show.
    """
    if _is_show(context):
        for flat_key, value in list(data.items()):
            if (flat_key[0] == "extras" and isinstance(value, dict)
                    and value.get("key") == _UNITS):
                try:
                    units = json.loads(value.get("value") or "[]")
                except ValueError:
                    units = []
                for i, unit in enumerate(u for u in units if isinstance(u, dict)):
                    for name in _UNIT_FIELDS:
                        data[(_UNITS, i, name)] = unit.get(name, "")
                for other in [k for k in data if k[0] == "extras" and k[1] == flat_key[1]]:
                    del data[other]
        return
    extras = data.get(("__extras",))
    if not isinstance(extras, dict):
        return
    indexes: dict[str, int] = {}
    for form_key in sorted(k for k in extras if k.startswith(_UNITS + "-")):
        parts = form_key.split("-", 2)
        if len(parts) != 3 or parts[2] not in _UNIT_FIELDS:
            continue
        index = indexes.setdefault(parts[1], len(indexes))
        data[(_UNITS, index, parts[2])] = extras.pop(form_key)


def govshare_department_rules(key: FlatKey, data: Flat, errors: Flat,
                              context: dict[str, Any]) -> None:
    """:func:`ckanext.govshare.catalogue.rules.check_department`, then store ``units`` as one extra."""
    if _is_show(context):
        return
    _prune_blank_records(data, _UNITS)
    dept = _unflatten_plain(data)
    _add_errors(rules.check_department(dept), errors)
    unit_keys = sorted((k for k in data if k[0] == _UNITS and len(k) == 3), key=lambda k: k[1:])
    units: dict[int, dict[str, str]] = {}
    for flat_key in unit_keys:
        value = _plain(data.pop(flat_key))
        units.setdefault(flat_key[1], {})[flat_key[2]] = str(value or "").strip()
    stored = [{name: unit.get(name, "") for name in _UNIT_FIELDS}
              for _i, unit in sorted(units.items())]
    data[(_UNITS,)] = json.dumps(stored, ensure_ascii=False)
    convert_to_extras((_UNITS,), data, errors, context)
    del data[(_UNITS,)]


# --- parameters of the lifecycle and assessment actions -----------------------------------------

#: labels of the action parameters named in their error messages
PARAMETER_LABELS: dict[str, tuple[str, str]] = {
    "id": ("目录条目", "Entry"),
    "reason": ("理由", "Reason"),
    fields.CATALOGUE_STATE: ("目录状态", "Catalogue state"),
    "entry_id": ("目录条目", "Entry"),
    "organization_id": ("部门", "Department"),
    "since": ("起始时间", "Since"),
    "until": ("截止时间", "Until"),
    "due_before": ("办理期限早于", "Due before"),
    "limit": ("条数", "Limit"),
    "offset": ("偏移", "Offset"),
    "version": ("版本号", "Version"),
    "occurred_at": ("发生时间", "Occurred at"),
    "submitted_at": ("提交时间", "Submitted at"),
    "published_at": ("首次发布时间", "Published at"),
    fields.ISSUED: ("发布日期", "Issued"),
}


def parameter_message(key: Any, problem: str) -> str:
    """``Label (field) problem`` in the page's language for an action parameter (a name or a flat key)."""
    field = str(key[-1]) if isinstance(key, tuple) else str(key)
    label = PARAMETER_LABELS.get(field, (field, field))
    return tk._("{label} ({field}) {problem}").format(
        label=local(*label), field=field, problem=problem)


def required_text(key: FlatKey, data: Flat, errors: Flat, context: dict[str, Any]) -> None:
    """A non-blank value, stripped."""
    value = data.get(key)
    if value is tk.missing or value is None or not str(value).strip():
        errors[key].append(parameter_message(key, tk._("is required")))
        raise tk.StopOnError
    data[key] = str(value).strip()


def optional_text(key: FlatKey, data: Flat, errors: Flat, context: dict[str, Any]) -> None:
    """A value as text; a missing one is dropped."""
    value = data.get(key)
    if value is tk.missing or value is None:
        data.pop(key, None)
        raise tk.StopOnError
    data[key] = str(value)


def moment(key: FlatKey, data: Flat, errors: Flat, context: dict[str, Any]) -> None:
    """An ISO 8601 date or datetime; a date or a naive time is read as Beijing time."""
    value = data.get(key)
    if value is tk.missing or value in (None, ""):
        data.pop(key, None)
        raise tk.StopOnError
    if isinstance(value, datetime.datetime):
        at = value
    else:
        try:
            at = datetime.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            errors[key].append(parameter_message(
                key, tk._("must be an ISO 8601 date or time")))
            raise tk.StopOnError from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=deadlines.SHANGHAI)
    data[key] = at


def whole_number(maximum: int) -> Callable[..., None]:
    """A whole number 0–``maximum``; a missing or blank one is dropped."""
    def validator(key: FlatKey, data: Flat, errors: Flat, context: dict[str, Any]) -> None:
        value = data.get(key)
        if value is tk.missing or value in (None, ""):
            data.pop(key, None)
            raise tk.StopOnError
        text = str(value).strip()
        if not text.isdecimal() or int(text) > maximum:
            errors[key].append(parameter_message(
                key, tk._("must be a whole number 0–{maximum}").format(maximum=maximum)))
            raise tk.StopOnError
        data[key] = int(text)
    return validator


def home_notices(key: FlatKey, data: Flat, errors: Flat, context: dict[str, Any]) -> None:
    """The home page's notices as a sysadmin writes them on ``/ckan-admin/config``: one per
    line, each stripped, blank lines dropped (nothing left: no notice box); a notice longer
    than ``ckanext.govshare.home.notice_max_length`` characters is refused, by its number."""
    value = data.get(key)
    if value is tk.missing or value is None:
        data.pop(key, None)
        raise tk.StopOnError
    notices = [line.strip() for line in str(value).splitlines() if line.strip()]
    limit = gs_config.home_notice_max_length()
    for number, notice in enumerate(notices, 1):
        if len(notice) > limit:
            errors[key].append(tk._(
                "Notice {number} has {length} characters; a notice may have at most {limit}"
            ).format(number=number, length=len(notice), limit=limit))
            raise tk.StopOnError
    data[key] = "\n".join(notices)


def flag(key: FlatKey, data: Flat, errors: Flat, context: dict[str, Any]) -> None:
    """A yes/no value as a bool; a missing or blank one is dropped."""
    value = data.get(key)
    if value is tk.missing or value in (None, ""):
        data.pop(key, None)
        raise tk.StopOnError
    data[key] = tk.asbool(value)
