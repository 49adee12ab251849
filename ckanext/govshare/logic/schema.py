"""navl schemas of the govshare actions, one function per action (``<object>_<verb>``).

Every error a schema reports is bilingual (:func:`ckanext.govshare.messages.bilingual`) and names
the field, in both languages. The small converters below are private to the department's schemas:
they resolve names to ids and check the role and filing vocabularies. The lifecycle and
assessment schemas at the end use the parameter validators of
:mod:`ckanext.govshare.logic.validators`, where the shared, field-aware validators of the
catalogue live too.
"""
from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey, Schema

from ckanext.govshare import config as gs_config
from ckanext.govshare.catalogue import fields
from ckanext.govshare.core_messages import N_
from ckanext.govshare.department import filing, roles
from ckanext.govshare.lifecycle import tables
from ckanext.govshare.lifecycle.machine import Label
from ckanext.govshare.logic.validators import (
    flag,
    home_notices,
    moment,
    optional_text,
    required_text,
    whole_number,
)
from ckanext.govshare.messages import join
from ckanext.govshare.messages import text as label_text

#: labels of the fields named in error messages
FIELD_LABELS: dict[str, Label] = {
    "organization_id": Label("部门", "Department"),
    "user_id": Label("用户", "User"),
    "role": Label("角色", "Role"),
    "units": Label("内部处室", "Units"),
    "adjust_capacity": Label("调整成员权限", "Adjust capacity"),
    "id": Label("备案记录", "Filing record"),
    "kind": Label("备案类别", "Kind"),
    "name": Label("姓名", "Name"),
    "title": Label("职务", "Title"),
    "unit": Label("所在处室", "Unit"),
    "phone": Label("联系电话", "Phone"),
    "email": Label("电子邮箱", "Email"),
    "effective_date": Label("生效日期", "Effective date"),
    "status": Label("备案状态", "Status"),
    "receipt": Label("备案回执号", "Receipt"),
    "include_history": Label("包含历史", "Include history"),
    "format": Label("导出格式", "Format"),
    "dry_run": Label("仅检查", "Dry run"),
    "upload": Label("工作簿文件", "Workbook file"),
}

Validator = Callable[..., Any]


def _field(key: FlattenKey) -> str:
    return str(key[-1])


def message(field: str, problem: str) -> str:
    """``Field (field) problem`` in the page's language: the one shape of a govshare field error."""
    label = FIELD_LABELS.get(field, Label(field, field))
    return tk._("{label} ({field}) {problem}").format(
        label=label_text(label), field=field, problem=problem)


def _error(key: FlattenKey, errors: FlattenErrorDict, problem: str) -> None:
    errors.setdefault(key, []).append(message(_field(key), problem))


def _blank(value: Any) -> bool:
    return value is None or value is tk.missing or (isinstance(value, str) and not value.strip())


# -- converters ----------------------------------------------------------------------------------


def _required(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
              context: Context) -> None:
    value = data.get(key)
    if _blank(value) or value == []:
        _error(key, errors, tk._("is required"))
        raise tk.StopOnError


def _text(max_length: int) -> Validator:
    def convert(value: Any, context: Context) -> Any:
        if _blank(value):
            return value
        if not isinstance(value, str):
            value = str(value)
        value = value.strip()
        if len(value) > max_length:
            raise tk.Invalid(tk._("must be at most {max_length} characters").format(max_length=max_length))
        return value

    return _named(convert)


def _named(convert: Callable[[Any, Context], Any]) -> Validator:
    """Turn ``convert(value, context)`` raising ``Invalid(problem)`` into a field validator."""

    def validator(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                  context: Context) -> None:
        value = data.get(key)
        if value is tk.missing or value is None:
            return
        try:
            data[key] = convert(value, context)
        except tk.Invalid as e:
            _error(key, errors, str(e.error))
            raise tk.StopOnError from None

    return validator


def _one_of(vocabulary: Mapping[str, Label]) -> Validator:
    def convert(value: Any, context: Context) -> str:
        if value not in vocabulary:
            allowed = ", ".join(vocabulary)
            raise tk.Invalid(tk._("has an invalid value '{value}'; expected one of: {allowed}")
                             .format(value=value, allowed=allowed))
        return value

    return _named(convert)


def _organization(value: Any, context: Context) -> str:
    group = model.Group.get(str(value))
    if group is None or not group.is_organization or group.state != "active":
        raise tk.Invalid(tk._("'{value}' does not exist").format(value=value))
    return group.id


def _user(value: Any, context: Context) -> str:
    user = model.User.get(str(value))
    if user is None or user.state == "deleted":
        raise tk.Invalid(tk._("'{value}' does not exist").format(value=value))
    return user.id


def _units(value: Any, context: Context) -> list[str]:
    """A list of unit codes, or one string separated by commas, semicolons or blanks."""
    if isinstance(value, str):
        value = re.split(r"[\s,，;；、]+", value)
    if not isinstance(value, list | tuple):
        raise tk.Invalid(tk._("must be a list of unit codes"))
    codes: list[str] = []
    for item in value:
        code = str(item).strip()
        if code and code not in codes:
            codes.append(code)
    return codes


def _phone(value: Any, context: Context) -> str:
    phone = filing.normalize_phone(str(value))
    if not filing.valid_phone(phone):
        raise tk.Invalid(tk._("'{value}' is not valid: expected a mobile number or a landline with area code (e.g. 0351-1234567)").format(value=value))
    return phone


def _email(value: Any, context: Context) -> str:
    email = str(value).strip()
    if not filing.valid_email(email):
        raise tk.Invalid(tk._("'{value}' is not a valid email address").format(value=value))
    return email


def _date(value: Any, context: Context) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise tk.Invalid(tk._("'{value}' is not a valid date: expected YYYY-MM-DD").format(value=value)) from None


def _boolean(value: Any, context: Context) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on", "y"):
        return True
    if text in ("false", "0", "no", "off", "n", ""):
        return False
    raise tk.Invalid(tk._("'{value}' must be true or false").format(value=value))


def _not_settable(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                  context: Context) -> None:
    if not _blank(data.get(key)):
        _error(key, errors, tk._("is set only by filing (govshare_filing_file)"))
        raise tk.StopOnError
    data.pop(key, None)


# -- whole-record checks -------------------------------------------------------------------------


def _compiler_units(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                    context: Context) -> None:
    """Compilers are bound to ≥ 1 unit of their department; other roles to none (DB14 §7.2)."""
    if errors.get(("organization_id",)) or errors.get(("role",)) or errors.get(("units",)):
        return
    role = data.get(("role",))
    units = data.get(("units",))
    units = [] if units is tk.missing or units is None else units
    ukey = ("units",)
    if role != tables.ROLE_COMPILER:
        if units:
            _error(ukey, errors, tk._("applies to the compiler role only"))
        data[ukey] = []
        return
    if not units:
        _error(ukey, errors, tk._("is required: a compiler is bound to at least one unit of the department"))
        return
    known = roles.department_units(data[("organization_id",)])
    codes = [u["code"] for u in known]
    unknown = [u for u in units if u not in codes]
    if not known:
        _error(ukey, errors, tk._("cannot be bound: the department has no registered units"))
    elif unknown:
        _error(ukey, errors,
               tk._("contains {units}, which are not units of the department; valid: {known}").format(
                   units=join(unknown), known=join(codes)))
    else:
        data[ukey] = units


def _one_target(*fields: str) -> Validator:
    def check(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
              context: Context) -> None:
        if all(_blank(data.get((f,))) for f in fields):
            names = " / ".join(fields)
            _error((fields[0],), errors, tk._("is required (give at least one of {names})").format(names=names))

    return check


def _filing_target(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                   context: Context) -> None:
    if not _blank(data.get(("id",))):
        return
    if _blank(data.get(("organization_id",))) or _blank(data.get(("kind",))):
        if not errors.get(("organization_id",)) and not errors.get(("kind",)):
            _error(("id",), errors, tk._("is required (or give both organization_id and kind)"))


# -- schemas -------------------------------------------------------------------------------------


def _base() -> Schema:
    ignore = tk.get_validator("ignore")
    return {"__extras": [ignore], "__junk": [ignore]}


def _optional(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
              context: Context) -> None:
    """Like ``ignore_missing``, and a blank form field counts as missing too."""
    if _blank(data.get(key)) or data.get(key) == []:
        data.pop(key, None)
        raise tk.StopOnError


def _opt() -> list[Validator]:
    return [_optional]


def role_grant() -> Schema:
    return {
        **_base(),
        "organization_id": [_required, _named(_organization)],
        "user_id": [_required, _named(_user)],
        "role": [_required, _one_of(roles.ROLES)],
        "units": [*_opt(), _named(_units)],
        "__after": [_compiler_units],
    }


def role_revoke() -> Schema:
    return {
        **_base(),
        "organization_id": [_required, _named(_organization)],
        "user_id": [_required, _named(_user)],
        "role": [_required, _one_of(roles.ROLES)],
        "adjust_capacity": [tk.get_validator("default")(True), _named(_boolean)],
    }


def role_list() -> Schema:
    return {
        **_base(),
        "organization_id": [*_opt(), _named(_organization)],
        "user_id": [*_opt(), _named(_user)],
        "role": [*_opt(), _one_of(roles.ROLES)],
        "__after": [_one_target("organization_id", "user_id")],
    }


def role_event_list() -> Schema:
    natural = tk.get_validator("natural_number_validator")
    return {
        **role_list(),
        "limit": [*_opt(), natural],
        "offset": [*_opt(), natural],
    }


def _person() -> Schema:
    return {
        "name": [_required, _text(100)],
        "title": [_required, _text(100)],
        "unit": [*_opt(), _text(200)],
        "phone": [_required, _named(_phone)],
        "email": [_required, _named(_email)],
        "effective_date": [_required, _named(_date)],
        "status": [_not_settable],
        "receipt": [_not_settable],
        "filed_at": [_not_settable],
        "filed_by": [_not_settable],
    }


def filing_create() -> Schema:
    return {
        **_base(),
        **_person(),
        "organization_id": [_required, _named(_organization)],
        "kind": [_required, _one_of(filing.KINDS)],
    }


def filing_update() -> Schema:
    ignore = tk.get_validator("ignore")
    return {
        **_base(),
        **_person(),
        "id": [_required, _text(100)],
        # the identity of a record is fixed: a department names one person per kind
        "organization_id": [ignore],
        "kind": [ignore],
    }


def filing_show() -> Schema:
    return {
        **_base(),
        "id": [*_opt(), _text(100)],
        "organization_id": [*_opt(), _named(_organization)],
        "kind": [*_opt(), _one_of(filing.KINDS)],
        "include_history": [tk.get_validator("default")(False), _named(_boolean)],
        "__after": [_filing_target],
    }


def filing_list() -> Schema:
    return {
        **_base(),
        "organization_id": [*_opt(), _named(_organization)],
        "kind": [*_opt(), _one_of(filing.KINDS)],
        "status": [*_opt(), _one_of(filing.STATUSES)],
    }


def filing_file() -> Schema:
    return {
        **_base(),
        "id": [_required, _text(100)],
        "receipt": [*_opt(), _text(100)],
    }


def filing_export() -> Schema:
    formats = {fmt: Label(fmt, fmt) for fmt in filing.FORMATS}
    return {
        **filing_list(),
        "format": [tk.get_validator("default")("csv"), _one_of(formats)],
    }


# -- the lifecycle actions -----------------------------------------------------------------------

#: the review queue's page size by default, and the largest page one call returns
QUEUE_PAGE_SIZE = 100
QUEUE_MAX_PAGE_SIZE = 1000


def transition() -> Schema:
    """A transition of an entry or a revision (``govshare_catalogue_<event>``,
    ``govshare_revision_<verb>``), and ``govshare_revision_show``."""
    return {"id": [required_text], "reason": [optional_text]}


def catalogue_import() -> Schema:
    return {"id": [required_text], fields.CATALOGUE_STATE: [required_text],
            "comment": [optional_text], "version": [whole_number(10**6)],
            "submitted_at": [moment], "published_at": [moment], fields.ISSUED: [moment],
            "reason": [optional_text]}


def catalogue_change_event() -> Schema:
    return {"id": [required_text], "reason": [required_text], "occurred_at": [moment]}


def audit_list() -> Schema:
    return {"entry_id": [optional_text], "organization_id": [optional_text],
            "actor": [optional_text], "action": [optional_text], "since": [moment],
            "until": [moment], "limit": [whole_number(1000)], "offset": [whole_number(10**9)]}


def catalogue_queue() -> Schema:
    return {"organization_id": [optional_text], "unit": [optional_text],
            "state": [optional_text], "stage": [optional_text], "due_before": [moment],
            "overdue": [flag], "kind": [optional_text],
            "limit": [whole_number(QUEUE_MAX_PAGE_SIZE)],
            "offset": [whole_number(10**9)]}


#: the admin form's error summary names an option by its key as CKAN prettifies it, through
#: gettext (``ValidationError.error_summary``): its translation is the field's label (the page
#: names it in either language: ``views.shell.govshare_config_error_summary``)
NOTICES_SUMMARY_LABEL = N_("Ckanext.govshare.home.notices")


def config_options(schema: Schema) -> Schema:
    """CKAN's runtime-editable options (``/ckan-admin/config``, ``config_option_update``:
    :meth:`IConfigurer.update_config_schema`) with the home page's notices: saved in
    ``system_info`` and read from there by every process."""
    schema[gs_config.HOME_NOTICES] = [home_notices]
    return schema


def workbench_list() -> Schema:
    return {"kind": [optional_text], "organization_id": [optional_text],
            "unit": [optional_text]}


def revision_list() -> Schema:
    return {"entry_id": [optional_text], "organization_id": [optional_text],
            "state": [optional_text], "limit": [whole_number(1000)],
            "offset": [whole_number(10**9)]}


# -- the assessment and duplicate-source actions -------------------------------------------------


def assessment_show() -> Schema:
    return {"organization_id": [optional_text], "unit": [optional_text],
            "period": [optional_text]}


def assessment_snapshot_create() -> Schema:
    return {"organization_id": [optional_text], "period": [optional_text]}


def assessment_snapshot_list() -> Schema:
    return {"organization_id": [optional_text], "unit": [optional_text],
            "include_units": [tk.get_validator("ignore_missing"),
                              tk.get_validator("boolean_validator")],
            "period_from": [optional_text], "period_to": [optional_text]}


def duplicate_list() -> Schema:
    return {"id": [optional_text], "revision_id": [optional_text],
            "organization_id": [optional_text],
            "include_dismissed": [tk.get_validator("ignore_missing"),
                                  tk.get_validator("boolean_validator")]}


def duplicate_dismiss() -> Schema:
    return {"id": [optional_text], "duplicate_id": [optional_text],
            "reason": [optional_text]}


def duplicate_undismiss() -> Schema:
    return {"id": [optional_text], "duplicate_id": [optional_text]}


def statistics_show() -> Schema:
    return {"organization_id": [optional_text],
            "charts": [tk.get_validator("ignore_missing"),
                       tk.get_validator("convert_to_list_if_string"),
                       tk.get_validator("list_of_strings")]}


# -- the 1272 workbook (exchange/) ---------------------------------------------------------------

#: formats of ``govshare_catalogue_export``: the filled template, its JSON, the blank template
EXPORT_FORMATS: dict[str, Label] = {
    "xlsx": Label("Excel 模板", "Excel template"),
    "json": Label("1272 JSON", "1272 JSON"),
    "template": Label("空白模板", "Blank template"),
}


def catalogue_import_xlsx() -> Schema:
    return {
        **_base(),
        "organization_id": [*_opt(), _named(_organization)],
        "dry_run": [tk.get_validator("default")(False), _named(_boolean)],
        "upload": [*_opt()],
    }


def catalogue_import_status() -> Schema:
    return {**_base(), "id": [_required, _text(100)]}


def catalogue_export() -> Schema:
    return {
        **_base(),
        "organization_id": [*_opt(), _named(_organization)],
        "format": [tk.get_validator("default")("xlsx"), _one_of(EXPORT_FORMATS)],
    }
