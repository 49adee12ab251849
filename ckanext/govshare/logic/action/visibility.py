"""Steps of the chained core read actions: every CKAN path that returns entries, their data or
their existence asks :mod:`ckanext.govshare.permissions`.

CKAN's own read actions filter on ``state`` and ``private`` (``package_list``,
``resource_search``, ``member_list``, ``format_autocomplete``, the tag actions) or run the search
without permission labels (``tag_show`` with ``include_datasets``,
``current_package_list_with_resources``). Each step here takes core's action as ``up`` and
filters its answer by :func:`permissions.visible_package_ids` (the entry's metadata and
existence) or :func:`permissions.data_visible_ids` (its data). The ``package_search`` step also
guards the raw index fields a caller may ask for with ``fl``, ``facet.field``, ``q`` and ``fq``.
The chained actions themselves are defined, and composed with the other features' steps, in
:mod:`ckanext.govshare.logic.action.core`.

Calls with ``ignore_auth`` (CKAN's and govshare's own internal reads) and sysadmins get core's
answer unchanged. Nothing here decides who sees what; it only asks.
"""
from __future__ import annotations

import json
import re
from typing import Any

import ckan.logic as ckan_logic
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

from ckanext.govshare import permissions
from ckanext.govshare.catalogue import fields
from ckanext.govshare.search.connection import INDEX_IN_TRANSACTION
from ckanext.govshare.sharing import accesslog

__all__: list[str] = []


def _page(items: list[Any], offset: Any, limit: Any) -> list[Any]:
    start = max(int(offset or 0), 0)
    return items[start:start + int(limit)] if limit not in (None, "") else items[start:]


# -- package_search: the raw index fields ------------------------------------------------------

_FIELD_REF = re.compile(r"(?:^|[\s(+\-!])([A-Za-z_][\w.]*)\s*:")


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def _refuse_data_fields(data_dict: DataDict) -> None:
    """A non-sysadmin may neither facet on nor query by an entry's data fields (resource
    URLs): a prefix query on ``res_url`` would spell out a URL the caller may not read."""
    for param in ("facet.field",):
        fields = data_dict.get(param)
        if isinstance(fields, str):
            try:
                fields = json.loads(fields)
            except ValueError:
                fields = [fields]
        for field in _as_list(fields):
            if permissions.is_data_index_field(field) or field in ("data_dict", "validated_data_dict"):
                raise tk.ValidationError({param: [tk._(
                    "Field \"{field}\" cannot be used here: it holds the data of entries"
                ).format(field=field)]})
    for param in ("q", "fq", "fq_list"):
        for text in _as_list(data_dict.get(param)):
            for field in _FIELD_REF.findall(text):
                if permissions.is_data_index_field(field):
                    raise tk.ValidationError({param: [tk._(
                        "Field \"{field}\" cannot be used here: it holds the data of entries"
                    ).format(field=field)]})


def _fl_fields(fl: Any) -> list[str]:
    if isinstance(fl, (list, tuple)):
        return [str(f) for f in fl]
    return [f for f in re.split(r"[\s,]+", str(fl or "")) if f]


_NUMBERS = ("rows", "start", "facet.mincount", "facet.limit")
_FLAGS = ("include_private", "include_drafts", "include_deleted", "use_default_schema")
_TRUE_FALSE = {"true", "false", "1", "0", "yes", "no", "on", "off", "t", "f", "y", "n"}


def _refuse_malformed(data_dict: DataDict) -> None:
    """What CKAN's own package_search lets through to a crash (a 500): blank numbers and
    flags that are not yes/no."""
    for key in _NUMBERS:
        value = data_dict.get(key)
        if isinstance(value, str) and not value.strip():
            raise tk.ValidationError({key: [tk._("Missing value")]})
    for key in _FLAGS:
        value = data_dict.get(key)
        if value is None or isinstance(value, bool):
            continue
        if str(value).strip().lower() not in _TRUE_FALSE:
            raise tk.ValidationError({key: [tk._("Must be true or false")]})


def guard_search(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``package_search`` (permission labels applied), with the raw index fields guarded:
    no facet or query on data fields, and with ``fl`` every returned document is redacted
    like ``package_show`` (data fields dropped, stored dataset dicts redacted) for the entries
    whose data the user may not see. Malformed numbers and flags are refused for everyone."""
    _refuse_malformed(data_dict)
    if permissions.unrestricted(context):
        return up(context, data_dict)
    _refuse_data_fields(data_dict)
    wanted = _fl_fields(data_dict.get("fl")) if data_dict.get("fl") else []
    added_id = bool(wanted) and "id" not in wanted and "*" not in wanted
    if added_id:
        data_dict["fl"] = [*wanted, "id"]
    result = up(context, data_dict)
    if not wanted:
        return result
    docs = [r for r in result.get("results") or [] if isinstance(r, dict)]
    user = permissions.context_user(context)
    seen = permissions.data_visible_ids(user, [d.get("id") for d in docs])
    for doc in docs:
        permissions.redact_index_fields(user, doc, data_visible=doc.get("id") in seen)
        if added_id:
            doc.pop("id", None)
    return result


# -- lists built from CKAN's tables ------------------------------------------------------------


def filter_package_list(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``package_list``: only the entries the user may see (names are existence)."""
    if permissions.unrestricted(context):
        return up(context, data_dict)
    limit, offset = data_dict.pop("limit", None), data_dict.pop("offset", None)
    refs = up(context, data_dict)
    by_ref = dict(model.Session.query(model.Package.name, model.Package.id)
                  .filter(model.Package.name.in_(refs))) if refs else {}
    by_ref.update({r: r for r in refs if r not in by_ref})  # api_version 2 gives ids
    seen = permissions.visible_package_ids(permissions.context_user(context), list(by_ref.values()))
    return _page([r for r in refs if by_ref.get(r) in seen], offset, limit)


def current_packages_through_search(up: Action, context: Context,
                                        data_dict: DataDict) -> Any:
    """Core's list, through the chained ``package_search`` (labels and redaction) instead of
    core's unchained one."""
    if permissions.unrestricted(context):
        return up(context, data_dict)
    tk.check_access("current_package_list_with_resources", context, data_dict)
    limit = data_dict.get("limit")
    offset = data_dict.get("offset", 0)
    if "offset" not in data_dict and "page" in data_dict and limit:
        offset = (int(data_dict["page"]) - 1) * int(limit)
    search = tk.get_action("package_search")(
        {"user": context.get("user") or "", "auth_user_obj": permissions.context_user(context)},
        {"q": "", "rows": limit, "start": offset, "sort": "metadata_modified desc"})
    return search.get("results", [])


def filter_member_list(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``member_list``: datasets among the members only where the user may see them."""
    members = up(context, data_dict)
    if permissions.unrestricted(context):
        return members
    ids = [m[0] for m in members if m[1] == "package"]
    if not ids:
        return members
    seen = permissions.visible_package_ids(permissions.context_user(context), ids)
    return [m for m in members if m[1] != "package" or m[0] in seen]


def filter_resource_search(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``resource_search``: only resources whose data the user may see; ``count`` counts
    only those."""
    if permissions.unrestricted(context):
        return up(context, data_dict)
    limit, offset = data_dict.pop("limit", None), data_dict.pop("offset", None)
    result = up(context, data_dict)
    found = result.get("results") or []

    def package_id(res: Any) -> str | None:
        return res.get("package_id") if isinstance(res, dict) else getattr(res, "package_id", None)

    seen = permissions.data_visible_ids(permissions.context_user(context), {package_id(r) for r in found})
    kept = [r for r in found if package_id(r) in seen]
    return {**result, "count": len(kept), "results": _page(kept, offset, limit)}


def filter_format_autocomplete(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``format_autocomplete``, counted over the resources whose data the user may see
    (a hidden entry's resources are hidden whole, their formats with them)."""
    if permissions.unrestricted(context):
        return up(context, data_dict)
    tk.check_access("format_autocomplete", context, data_dict)
    q = str(data_dict.get("q") or "")
    limit = int(data_dict.get("limit") or 5)
    like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = (model.Session.query(model.Resource.format, model.Resource.package_id)
            .filter(model.Resource.state == "active", model.Resource.format.ilike(like))
            .all())
    seen = permissions.data_visible_ids(permissions.context_user(context), {r[1] for r in rows})
    counts: dict[str, int] = {}
    for fmt, package_id in rows:
        if package_id in seen and fmt:
            counts[fmt] = counts.get(fmt, 0) + 1
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [fmt.lower() for fmt, _ in ordered[:limit]]


def filter_user_show(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``user_show``; ``number_created_packages`` counts only visible entries."""
    result = up(context, data_dict)
    if permissions.unrestricted(context) or not isinstance(result, dict) or not result.get("id"):
        return result
    if "number_created_packages" in result:
        ids = [r[0] for r in model.Session.query(model.Package.id).filter(
            model.Package.creator_user_id == result["id"], model.Package.state == "active")]
        result["number_created_packages"] = len(
            permissions.visible_package_ids(permissions.context_user(context), ids))
    return result


# -- tags: a tag is seen where an entry carrying it is seen ------------------------------------


def _visible_tag_ids(context: Context, tag_ids: set[str]) -> set[str]:
    """Ids among ``tag_ids`` of vocabulary tags or of tags carried by an entry the user may see."""
    if not tag_ids:
        return set()
    rows = (model.Session.query(model.PackageTag.tag_id, model.PackageTag.package_id)
            .filter(model.PackageTag.tag_id.in_(tag_ids), model.PackageTag.state == "active")
            .all())
    seen = permissions.visible_package_ids(permissions.context_user(context), {r[1] for r in rows})
    keep = {tag_id for tag_id, package_id in rows if package_id in seen}
    vocab = {r[0] for r in model.Session.query(model.Tag.id).filter(
        model.Tag.id.in_(tag_ids), model.Tag.vocabulary_id.isnot(None))}
    return keep | vocab


def _tag_filter(context: Context, tags: list[Any]) -> list[Any]:
    def tag_id(tag: Any) -> str | None:
        return tag.get("id") if isinstance(tag, dict) else getattr(tag, "id", None)

    ids = {tag_id(t) for t in tags}
    if not all(ids) or None in ids:  # plain names: look their ids up
        names = [t if isinstance(t, str) else (t.get("name") if isinstance(t, dict) else t.name)
                 for t in tags]
        by_name = dict(model.Session.query(model.Tag.name, model.Tag.id).filter(
            model.Tag.name.in_(names)))
        seen = _visible_tag_ids(context, set(by_name.values()))
        return [t for t, n in zip(tags, names) if by_name.get(n) in seen]
    seen = _visible_tag_ids(context, ids)  # type: ignore[arg-type]
    return [t for t in tags if tag_id(t) in seen]


def filter_tag_list(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``tag_list``: only tags of entries the user may see."""
    if permissions.unrestricted(context):
        return up(context, data_dict)
    limit, offset = data_dict.pop("limit", None), data_dict.pop("offset", None)
    return _page(_tag_filter(context, up(context, data_dict)), offset, limit)


def filter_tag_search(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``tag_search``: only tags of entries the user may see; ``count`` counts those."""
    if permissions.unrestricted(context):
        return up(context, data_dict)
    limit, offset = data_dict.pop("limit", None), data_dict.pop("offset", None)
    result = up(context, data_dict)
    kept = _tag_filter(context, result.get("results") or [])
    return {**result, "count": len(kept), "results": _page(kept, offset, limit if limit not in
                                                              (None, "") else 10)}


def filter_tag_autocomplete(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``tag_autocomplete``: only tags of entries the user may see."""
    if permissions.unrestricted(context):
        return up(context, data_dict)
    limit, offset = data_dict.pop("limit", None), data_dict.pop("offset", None)
    return _page(_tag_filter(context, up(context, data_dict)), offset,
                 limit if limit not in (None, "") else 10)


def filter_tag_show(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``tag_show``: a tag no visible entry carries is not found; ``include_datasets``
    lists the entries through the chained ``package_search`` (labels and redaction) instead
    of core's unlabelled search."""
    if permissions.unrestricted(context):
        return up(context, data_dict)
    include = tk.asbool(data_dict.get("include_datasets", False))
    result = up(context, {**data_dict, "include_datasets": False})
    if not _visible_tag_ids(context, {result["id"]}):
        raise tk.ObjectNotFound(tk._("Tag not found"))
    if include:
        vocab = result.get("vocabulary_id")
        field = f"vocab_{model.Vocabulary.get(vocab).name}" if vocab else "tags"
        name = result["name"].replace("\\", "\\\\").replace('"', '\\"')
        found = tk.get_action("package_search")(
            {"user": context.get("user") or "", "auth_user_obj": permissions.context_user(context)},
            {"fq": f'{field}:"{name}"', "rows": 1000})
        result["packages"] = found["results"]
    return result


# -- actions that name a dataset: an entry the user may not know of is an unknown name ---------


def _not_found_if_unknown(context: Context, pkg: model.Package | None, message: str) -> None:
    user = permissions.context_user(context)
    if pkg is not None and not permissions.may_know_exists(user, pkg):
        raise tk.ObjectNotFound(message)


def unknown_package_not_found(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``package_show``; a refused entry the user may not know of is "not found", as an
    unknown name (the names are resource codes: a refusal would tell which drafts exist)."""
    try:
        return up(context, data_dict)
    except tk.NotAuthorized:
        ref = data_dict.get("id") or data_dict.get("name")
        _not_found_if_unknown(context, model.Package.get(str(ref)) if ref else None,
                              tk._("Dataset not found"))
        raise


def unknown_resource_not_found(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``resource_show``; a refused resource of an entry the user may not know of is
    "not found"."""
    try:
        return up(context, data_dict)
    except tk.NotAuthorized:
        resource = model.Resource.get(str(data_dict.get("id") or ""))
        _not_found_if_unknown(context, resource.package if resource is not None else None,
                              tk._("Resource not found"))
        raise


# -- the access log: an outsider who reached an entry's data -----------------------------------

def log_package_access(up: Action, context: Context, data_dict: DataDict) -> Any:
    """``package_show``: ``up``'s answer; when it hands an outsider the entry's data (its
    resources), the access is logged (:mod:`ckanext.govshare.sharing.accesslog`)."""
    result = up(context, data_dict)
    if (not context.get("ignore_auth") and isinstance(result, dict)
            and result.get("resources") and not result.get("govshare_redacted")):
        accesslog.record(permissions.context_user(context), result,
                         channel=accesslog.channel_of_request("package_show"))
    return result


def log_resource_access(up: Action, context: Context, data_dict: DataDict) -> Any:
    """``resource_show`` (also behind a download): ``up``'s answer, the access logged when it
    is an outsider's."""
    result = up(context, data_dict)
    if not context.get("ignore_auth") and isinstance(result, dict):
        resource = model.Resource.get(str(result.get("id") or ""))
        pkg = resource.package if resource is not None else None
        if pkg is not None and permissions.entry_state(pkg) is not None:
            accesslog.record(permissions.context_user(context), {
                "id": pkg.id, "owner_org": pkg.owner_org,
                fields.CATALOGUE_STATE: permissions.entry_state(pkg),
                fields.SHARE_TYPE: permissions.share_type_of(pkg),
            }, channel=accesslog.channel_of_request("resource_show"),
                resource_id=str(result.get("id")))
    return result


_UNKNOWN = "00000000-0000-0000-0000-000000000000"


def as_unknown(up: Action, context: Context, data_dict: DataDict, *keys: str) -> Any:
    """Call ``up`` with each dataset named in ``keys`` that the user may not know of replaced
    by a name no dataset has, so the answer (error or count) is the one an unknown name gets."""
    if permissions.unrestricted(context):
        return up(context, data_dict)
    user = permissions.context_user(context)
    changed = dict(data_dict)
    for key in keys:
        ref = data_dict.get(key)
        pkg = model.Package.get(str(ref)) if ref else None
        if pkg is not None and not permissions.may_know_exists(user, pkg):
            changed[key] = _UNKNOWN
    return up(context, changed)


def filter_user_list(up: Action, context: Context, data_dict: DataDict) -> Any:
    """Core ``user_list``; each user's ``number_created_packages`` counts visible entries only
    (and ``order_by=number_created_packages`` sorts by that count)."""
    result = up(context, data_dict)
    if permissions.unrestricted(context) or not result or not isinstance(result[0], dict) \
            or "number_created_packages" not in result[0]:
        return result
    created = model.Session.query(model.Package.creator_user_id, model.Package.id).filter(
        model.Package.creator_user_id.in_([u["id"] for u in result]),
        model.Package.state == "active").all()
    seen = permissions.visible_package_ids(permissions.context_user(context), {r[1] for r in created})
    counts: dict[str, int] = {}
    for creator, package_id in created:
        if package_id in seen:
            counts[creator] = counts.get(creator, 0) + 1
    for user in result:
        user["number_created_packages"] = counts.get(user["id"], 0)
    if data_dict.get("order_by") == "number_created_packages":
        result.sort(key=lambda u: (u["number_created_packages"], u.get("name") or ""))
    return result


def index_in_transaction(up: Action, context: Context, data_dict: DataDict) -> Any:
    """``package_create``/``package_update`` with ``defer_commit`` write no search document
    (core leaves it to the caller). Asked with ``INDEX_IN_TRANSACTION``, the document is
    written right after the entry, in its transaction, as core writes it when it commits
    itself: so the action's subscribers (the activity's ``package_show``) read the entry from
    its document instead of dictizing and validating it a second time, and the caller has
    nothing left to index."""
    result = up(context, data_dict)
    if context.get(INDEX_IN_TRANSACTION) and context.get("defer_commit"):
        pkg_id = result if isinstance(result, str) else result["id"]
        ckan_logic.index_update_package_dicts(
            ckan_logic.package_show_default_and_custom_schemas(context, pkg_id))
    return result


def reindex(ref: Any) -> None:
    """Write the dataset ``ref``'s search document again, as it is now, and commit."""
    pkg = model.Package.get(str(ref)) if ref else None
    if pkg is None:
        return
    ckan_logic.index_update_package({"ignore_auth": True}, pkg.id)
    model.Session.commit()
