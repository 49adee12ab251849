"""Who sees what: the one module that decides visibility of catalogue entries and their data.

Two questions, answered here and nowhere else:

* **May this user see the entry at all?** Answered as CKAN *permission labels*, so the
  search backend (any backend), ``package_search``, counts, autocomplete and DCAT output all
  agree, and by :func:`can_see_entry` for ``package_show`` and pages.
* **May this user see the entry's data** (resource URLs, API endpoints, files)? Answered by
  :func:`can_see_resources` from the catalogue state, the entry's **share type** and the user's
  **active authorizations**; :func:`redact` removes what may not be seen from any dataset dict
  before it leaves the application (a hidden resource keeps its name, format and share mode,
  never its URL).
* **May this user see a sharing case** (request, demand, dispute…)? :func:`may_see_case`.

Rules (the catalogue's 编制、审核、发布、下线 of DB14 §7.3 and Appendix A):

* an entry that is not published (draft, in review) is seen only by its own department;
* a published entry is seen by every logged-in user of the portal; anonymous users see it only
  when ``ckanext.govshare.public_catalogue`` is on;
* an offline entry stays visible to the same audience as a tombstone (its metadata and
  state), but its resources are seen only by its own department;
* the data of a published entry (DB14 §9.1–9.2, 共享属性) goes, besides its own department, to:
  ``unconditional`` — every logged-in user (with
  ``ckanext.govshare.unconditional_requires_request``: those holding an authorization, granted
  automatically on request); ``conditional`` — those an authorization in force covers (its
  consumer department, or only its named persons, 知悉范围); ``not_shared`` — nobody else.
  An authorization is in force while ``active`` and ``valid_from <= now < valid_until``,
  decided here from the row, whether or not the daily expiry has run yet;
* a deleted entry is seen only by sysadmins and its department's editors and administrators
  (where CKAN shows a deleted dataset: to those who may edit it);
* an entry's lifecycle (its audit trail: who submitted, approved, returned, with the reasons;
  its open step and deadlines; its pending revisions) is followed by its department only; its
  publication and its going offline (:data:`PUBLIC_STEPS`) are told to every reader of the
  entry, as the department's act, without the decision's actor, reason or internal states,
  and of its lifecycle summary every reader gets the publication facts alone
  (:data:`PUBLIC_LIFECYCLE_FIELDS`, :func:`redact_lifecycle`);
* sysadmins see everything.

Visibility is a decision on the entry **as it is now**: stored copies (search documents,
activity snapshots) are filtered with :func:`visible_package_ids` and redacted with
:func:`redact` / :func:`redact_index_fields` on the way out, never trusted for who may see them.

Datasets that are not catalogue entries (no ``catalogue_state``, e.g. harvested ones) keep
CKAN's default labels.
"""
from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.lib.plugins import DefaultPermissionLabels

from ckanext.govshare import config as gs_config
from ckanext.govshare.catalogue import fields
from ckanext.govshare.department import roles
from ckanext.govshare.lifecycle import tables
from ckanext.govshare.model import base, memo
from ckanext.govshare.model.sharing import Authorization

__all__ = [
    "LABEL_PORTAL", "dataset_labels", "user_labels", "can_see_entry", "can_see_entry_row",
    "anonymous_sees_catalogue",
    "can_see_resources", "may_know_exists", "visible_package_ids", "data_visible_ids",
    "visible_and_data_ids", "is_sysadmin", "context_user", "unrestricted",
    "redact", "redact_index_fields", "DATA_INDEX_FIELDS", "is_data_index_field",
    "entry_state", "may_compile", "may_take_assessment_snapshot", "may_see_access_overview",
    "authorized_entry_ids", "authorization_for", "share_type_of", "may_see_case",
    "data_access_reason", "forget_authorizations", "SHARE_UNCONDITIONAL", "SHARE_CONDITIONAL", "SHARE_NOT_SHARED",
    "sharing_orgs", "may_see_authorization", "may_see_statistics", "may_dismiss_duplicate",
    "audit_trail_ids", "audit_trail_labels", "follows_audit_trail", "in_department",
    "PUBLIC_STEPS", "STEP_WHOLE", "STEP_PUBLIC", "is_public_step", "lifecycle_step_labels",
    "lifecycle_step_access", "redact_public_step", "PUBLIC_LIFECYCLE_FIELDS", "redact_lifecycle",
]

LABEL_PORTAL = "govshare-portal"
LABEL_PUBLIC = "public"
VISIBLE_STATES = (tables.PUBLISHED, tables.OFFLINE_REVIEW, tables.OFFLINE)
DATA_STATES = (tables.PUBLISHED, tables.OFFLINE_REVIEW)
SHARE_UNCONDITIONAL = "unconditional"
SHARE_CONDITIONAL = "conditional"
SHARE_NOT_SHARED = "not_shared"
#: the authorization status under which a grant is in force (with its validity)
_IN_FORCE = "active"

_default = DefaultPermissionLabels()


def _member_label(org_id: str) -> str:
    return f"member-{org_id}"


def _editor_label(org_id: str) -> str:
    return f"govshare-editor-{org_id}"


def entry_state(pkg: Any) -> str | None:
    """The ``catalogue_state`` of a Package object or a dataset dict (None: not an entry)."""
    if isinstance(pkg, dict):
        state = pkg.get(fields.CATALOGUE_STATE)
        if state is None:
            for extra in pkg.get("extras") or []:
                if isinstance(extra, dict) and extra.get("key") == fields.CATALOGUE_STATE:
                    return extra.get("value")
        return state
    return pkg.extras.get(fields.CATALOGUE_STATE) if pkg is not None else None


def _field(pkg: Any, name: str) -> Any:
    """A top-level field of a Package object or a dataset dict (scheming fields are extras)."""
    if isinstance(pkg, dict):
        value = pkg.get(name)
        if value is None:
            for extra in pkg.get("extras") or []:
                if isinstance(extra, dict) and extra.get("key") == name:
                    return extra.get("value")
        return value
    return pkg.extras.get(name) if pkg is not None else None


def share_type_of(pkg: Any) -> str | None:
    """The ``share_type`` of a Package object or a dataset dict."""
    return _field(pkg, fields.SHARE_TYPE)


def dataset_labels(pkg: model.Package) -> list[str]:
    state = entry_state(pkg)
    if state is None:
        return _default.get_dataset_labels(pkg)
    if pkg.state == "deleted":
        # a deleted entry: only where CKAN shows a deleted dataset, to those who may edit it
        return [_editor_label(pkg.owner_org)] if pkg.owner_org else [f"creator-{pkg.creator_user_id}"]
    labels = [_member_label(pkg.owner_org)] if pkg.owner_org else [f"creator-{pkg.creator_user_id}"]
    # DB14 §7.5: an entry reaches the sharing platform's users once published (目录发布);
    # while compiled and reviewed it stays inside its department
    if state in VISIBLE_STATES:
        labels.append(LABEL_PORTAL)
        if gs_config.public_catalogue():
            labels.append(LABEL_PUBLIC)
    return labels


def user_labels(user_obj: model.User | None) -> list[str]:
    labels = _core_user_labels(user_obj)
    if user_obj is not None and not user_obj.is_anonymous:
        labels.append(LABEL_PORTAL)
        labels.extend(_editor_label(org_id) for org_id in _memo(
            "editor_orgs", user_obj.id, lambda: _editor_orgs(user_obj)))
    return labels


def _core_user_labels(user_obj: model.User | None) -> list[str]:
    """CKAN's labels of the user (their memberships), a new list each time."""
    if user_obj is None or user_obj.is_anonymous:
        return _default.get_user_dataset_labels(user_obj)
    return list(_memo("core_labels", user_obj.id, lambda: tuple(_read_core_labels(user_obj))))


def _read_core_labels(user_obj: model.User) -> list[str]:
    """What core's ``DefaultPermissionLabels.get_user_dataset_labels`` answers, read with two
    statements: core asks ``organization_list_for_user``, which looks the user up twice and
    dictizes every department (about 7 ms, on every request that searches or shows). Sysadmins
    and dataset collaborators keep core's own path."""
    if user_obj.sysadmin or authz.check_config_permission("allow_dataset_collaborators"):
        return _default.get_user_dataset_labels(user_obj)
    roles_ = authz.get_roles_with_permission("read")
    if not roles_:
        return [LABEL_PUBLIC, f"creator-{user_obj.id}"]
    cascade = set(authz.check_config_permission("roles_that_cascade_to_sub_groups") or ())
    group_ids: set[str] = set()
    rows = (model.Session.query(model.Member.capacity, model.Group)
            .join(model.Group, model.Group.id == model.Member.group_id)
            .filter(model.Member.table_name == "user", model.Member.table_id == user_obj.id,
                    model.Member.state == "active", model.Member.capacity.in_(roles_)))
    for capacity, group in rows:
        group_ids.add(group.id)
        if capacity in cascade:
            group_ids.update(g[0] for g in group.get_children_group_hierarchy(type="organization"))
    if not group_ids:
        return [LABEL_PUBLIC, f"creator-{user_obj.id}"]
    orgs = (model.Session.query(model.Group.id)
            .filter(model.Group.id.in_(group_ids), model.Group.is_organization.is_(True),
                    model.Group.state == "active"))
    return [LABEL_PUBLIC, f"creator-{user_obj.id}", *(_member_label(r[0]) for r in orgs)]


# -- what the decisions read, kept for the current transaction -----------------------------------

def _memo(kind: str, user_id: str, compute: Any) -> Any:
    """``compute()``, kept for ``(kind, user_id)`` while the session's transaction lasts
    (:func:`memo.kept`): a page asks the same questions of one user many times (every entry
    of a search page), their memberships, editor departments and authorizations are read once
    per transaction instead; the clock (``base.now``, which tests pin) is part of the key of
    what depends on it."""
    return memo.kept(("permissions", kind, user_id,
                      base.now if kind == "authorized" else None), compute)


def _editor_orgs(user_obj: model.User) -> list[str]:
    """Ids of the departments where the user is an editor or administrator now."""
    rows = (model.Session.query(model.Member.group_id)
            .join(model.Group, model.Group.id == model.Member.group_id)
            .filter(model.Member.table_name == "user", model.Member.table_id == user_obj.id,
                    model.Member.state == "active", model.Member.capacity.in_(("editor", "admin")),
                    model.Group.is_organization.is_(True), model.Group.state == "active"))
    return [r[0] for r in rows]


def _user(user: str | model.User | None) -> model.User | None:
    if user is None or isinstance(user, model.User):
        return user
    return model.User.get(user)


def _is_sysadmin(user_obj: model.User | None) -> bool:
    return bool(user_obj is not None and user_obj.sysadmin)


def context_user(context: Any) -> model.User | None:
    """The user an action runs for, from its context (None: anonymous)."""
    user = context.get("auth_user_obj")
    if isinstance(user, model.User):
        return user
    name = context.get("user")
    return model.User.get(name) if name else None


def unrestricted(context: Any) -> bool:
    """Internal reads (``ignore_auth``) and sysadmins get CKAN's answer unfiltered."""
    return bool(context.get("ignore_auth")) or _is_sysadmin(context_user(context))


def is_sysadmin(user: str | model.User | None) -> bool:
    """Whether ``user`` (a name, an id or a User) is a sysadmin: sees everything."""
    return _is_sysadmin(_user(user))


def _in_department(user_obj: model.User | None, org_id: str | None) -> bool:
    if user_obj is None or not org_id:
        return False
    return _member_label(org_id) in _core_user_labels(user_obj)


def anonymous_sees_catalogue() -> bool:
    """Whether anonymous visitors see published entries (``ckanext.govshare.public_catalogue``);
    when not, the portal's pages ask them to sign in (DB14 §4 内部管理)."""
    return bool(gs_config.public_catalogue())


def can_see_entry(user: str | model.User | None, pkg: model.Package) -> bool:
    """Whether ``user`` may see the entry's metadata."""
    user_obj = _user(user)
    if _is_sysadmin(user_obj):
        return True
    return bool(set(dataset_labels(pkg)) & set(user_labels(user_obj)))


def may_know_exists(user: str | model.User | None, pkg: model.Package) -> bool:
    """Whether a refusal may tell ``user`` that the entry exists (403 rather than 404).

    Only an anonymous visitor asking for an entry that every logged-in user sees (published, or
    offline as a tombstone) is told to log in; an entry the user may not see in any case does
    not exist for them.
    """
    if can_see_entry(user, pkg):
        return True
    user_obj = _user(user)
    return (user_obj is None or user_obj.is_anonymous) and pkg.state == "active" \
        and entry_state(pkg) in VISIBLE_STATES


def can_see_entry_row(member_orgs: list[str] | None, owner_org: str | None,
                      state: str | None) -> bool:
    """:func:`can_see_entry` for a logged-in user and an entry read as a row (no Package).

    ``member_orgs``: the ids of the user's departments, ``None`` for a sysadmin. The same
    rule as the labels: the own department's entries in any state, others' only once
    published (or offline, as a tombstone).
    """
    if member_orgs is None:
        return True
    return (owner_org is not None and owner_org in member_orgs) or state in VISIBLE_STATES


def can_see_resources(user: str | model.User | None, pkg_dict: dict[str, Any]) -> bool:
    """Whether ``user`` may see the entry's data (resources, URLs, files).

    ``pkg_dict``: a dataset dict, or the fields this reads: ``catalogue_state``, ``owner_org``,
    ``share_type`` and ``id`` (an authorization names the entry by id).
    """
    return data_access_reason(user, pkg_dict) is not None


def data_access_reason(user: str | model.User | None, pkg_dict: dict[str, Any]) -> str | None:
    """Why ``user`` may see the entry's data — ``"entry"`` (not a catalogue entry),
    ``"sysadmin"``, ``"department"``, ``"share_type"`` (unconditional), ``"authorization"`` —
    or ``None``: they may not. The access log records the reason of an outsider's access."""
    state = entry_state(pkg_dict)
    if state is None:
        return "entry"  # not a catalogue entry: CKAN's own auth applies
    user_obj = _user(user)
    if _is_sysadmin(user_obj):
        return "sysadmin"
    if _in_department(user_obj, pkg_dict.get("owner_org")):
        return "department"
    # DB14 §7.3 下线: an offline entry's data is no longer shared outside its department
    if state not in DATA_STATES or user_obj is None or user_obj.is_anonymous:
        return None
    share_type = share_type_of(pkg_dict)
    # DB14 §9.1: 不予共享 — the data stays with its department, whatever anyone was granted
    if share_type == SHARE_NOT_SHARED:
        return None
    # DB14 §9.1: 无条件共享 — every user of the sharing platform, unless the portal wants a
    # (granted automatically) request on record first
    if share_type == SHARE_UNCONDITIONAL and not gs_config.unconditional_requires_request():
        return "share_type"
    # DB14 §9.1–9.3: 有条件共享 (and an unknown share type, judged as strictly): only under an
    # authorization in force for this user
    entry_id = pkg_dict.get("id")
    if entry_id and str(entry_id) in authorized_entry_ids(user_obj):
        return "authorization"
    return None


def _org_ids(user_obj: model.User) -> list[str]:
    """The departments the user is an active member of."""
    rows = (model.Session.query(model.Member.group_id)
            .join(model.Group, model.Group.id == model.Member.group_id)
            .filter(model.Member.table_name == "user", model.Member.table_id == user_obj.id,
                    model.Member.state == "active", model.Group.is_organization.is_(True),
                    model.Group.state == "active"))
    return [r[0] for r in rows]


def _in_force_query(user_obj: model.User) -> Any:
    """Authorizations in force now that cover ``user_obj`` (department-wide for one of their
    departments, or naming them)."""
    now = base.now()
    orgs = _memo("orgs", user_obj.id, lambda: _org_ids(user_obj))
    if not orgs:
        return None
    return (model.Session.query(Authorization)
            .filter(Authorization.status == _IN_FORCE,
                    Authorization.valid_from <= now, Authorization.valid_until > now,
                    Authorization.consumer_org.in_(orgs),
                    sa.or_(sa.func.cardinality(Authorization.persons) == 0,
                           Authorization.persons.any(user_obj.id))))


def authorized_entry_ids(user: str | model.User | None) -> frozenset[str]:
    """The ids of the entries whose data an authorization in force grants ``user`` now.

    One query per user and transaction (:func:`_memo`; a write forgets it)."""
    user_obj = _user(user)
    if user_obj is None or user_obj.is_anonymous:
        return frozenset()

    def compute() -> frozenset[str]:
        q = _in_force_query(user_obj)
        return frozenset() if q is None else frozenset(
            r[0] for r in q.with_entities(Authorization.entry_id).distinct())

    return _memo("authorized", user_obj.id, compute)


def authorization_for(user: str | model.User | None, entry_id: str) -> Authorization | None:
    """The authorization in force that grants ``user`` the data of ``entry_id`` (the latest
    valid one), or ``None``."""
    user_obj = _user(user)
    if user_obj is None or user_obj.is_anonymous:
        return None
    q = _in_force_query(user_obj)
    if q is None:
        return None
    return (q.filter(Authorization.entry_id == entry_id)
            .order_by(Authorization.valid_until.desc()).first())


def forget_authorizations() -> None:
    """Forget this transaction's answers of :func:`authorized_entry_ids` and memberships (a
    flush does it too; for a write that bypassed the session)."""
    memo.forget()


def may_see_case(user: str | model.User | None, case: Any) -> bool:
    """Whether ``user`` may see a sharing case (``govshare_case`` row or its dict).

    Sysadmins; the person who filed it; the members of the requesting and of the target
    department (the two sides, DB14 §9.3); the coordinating department's coordinators (it may
    be escalated to them). A security incident (DB14 §11.2) only by the department's security
    officers, reviewers and administrators, and the coordinators.
    """
    user_obj = _user(user)
    if user_obj is None or user_obj.is_anonymous:
        return False
    if _is_sysadmin(user_obj):
        return True
    get = case.get if isinstance(case, dict) else lambda k: getattr(case, k, None)
    if get("requester_user") == user_obj.id:
        return True
    if _is_portal_coordinator(user_obj):
        return True
    if get("kind") == "incident":
        org_id = get("target_org")
        return bool(org_id) and (_is_org_admin(user_obj, org_id) or roles.has_role(
            user_obj.id, org_id, (tables.ROLE_SECURITY_OFFICER, tables.ROLE_REVIEWER)))
    orgs = set(_org_ids(user_obj))
    return bool({get("requester_org"), get("target_org")} & orgs - {None})


def redact(user: str | model.User | None, pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Remove from ``pkg_dict`` (in place) what ``user`` may not see; returns it."""
    if not can_see_resources(user, pkg_dict):
        _strip_data(pkg_dict)
    return pkg_dict


#: fields of CKAN's search document that carry an entry's data (resource URLs and their
#: descriptions and extras); ``data_dict`` / ``validated_data_dict`` carry whole dataset dicts
DATA_INDEX_FIELDS = frozenset({"res_url", "res_description", "res_type", "urls", "url_resources"})
_DICT_INDEX_FIELDS = ("data_dict", "validated_data_dict")


def is_data_index_field(field: str) -> bool:
    """Whether search-document field ``field`` carries an entry's data (not its metadata)."""
    return field in DATA_INDEX_FIELDS or field.startswith("res_extras_")


def redact_index_fields(user: str | model.User | None, doc: dict[str, Any],
                        data_visible: bool | None = None) -> dict[str, Any]:
    """:func:`redact` for a raw search document (``package_search`` with ``fl``).

    The data fields (:func:`is_data_index_field`) are removed and the dataset dicts stored as
    JSON text (``data_dict``, ``validated_data_dict``) are redacted like ``package_show``'s
    answer. ``data_visible`` is the caller's bulk answer of :func:`data_visible_ids`; without it
    the document's own ``catalogue_state`` and ``owner_org`` are judged.
    """
    if data_visible is None:
        data_visible = can_see_resources(user, {
            fields.CATALOGUE_STATE: _first(doc.get(fields.CATALOGUE_STATE)
                                           or doc.get(f"extras_{fields.CATALOGUE_STATE}")),
            fields.SHARE_TYPE: _first(doc.get(fields.SHARE_TYPE)
                                      or doc.get(f"extras_{fields.SHARE_TYPE}")),
            "owner_org": _first(doc.get("owner_org")), "id": _first(doc.get("id")),
        })
    for key in _DICT_INDEX_FIELDS:
        value = doc.get(key)
        if isinstance(value, str) and value:
            try:
                stored = json.loads(value)
            except ValueError:
                stored = None
            if isinstance(stored, dict):
                if not data_visible:
                    _strip_data(stored)
                doc[key] = json.dumps(stored)
    if not data_visible:
        for key in [k for k in doc if is_data_index_field(k)]:
            del doc[key]
        doc["govshare_redacted"] = True
    return doc


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


#: what a hidden resource keeps: enough to know what one would ask for, never where it is
HIDDEN_RESOURCE_FIELDS = ("name", "format", "position")


def _strip_data(pkg_dict: dict[str, Any]) -> None:
    resources = pkg_dict.get("resources") or []
    pkg_dict["resources"] = []
    pkg_dict["govshare_hidden_resources"] = [
        {k: r.get(k) for k in HIDDEN_RESOURCE_FIELDS if k in r}
        for r in resources if isinstance(r, dict)]
    pkg_dict["num_resources"] = 0
    pkg_dict["govshare_redacted"] = True


def _light_packages(ids: Any | None) -> list[Any]:
    """What :func:`dataset_labels` reads, for many datasets in one query (no Package objects)."""
    q = model.Session.query(model.Package.id, model.Package.state, model.Package.private,
                            model.Package.owner_org, model.Package.creator_user_id,
                            model.Package.extras[fields.CATALOGUE_STATE].astext,
                            model.Package.extras[fields.SHARE_TYPE].astext)
    if ids is not None:
        ids = [str(i) for i in ids if i]
        if not ids:
            return []
        q = q.filter(model.Package.id.in_(ids))
    return [SimpleNamespace(id=r[0], state=r[1], private=r[2], owner_org=r[3],
                            creator_user_id=r[4],
                            extras={fields.CATALOGUE_STATE: r[5], fields.SHARE_TYPE: r[6]}
                            if r[5] is not None else {})
            for r in q]


def visible_package_ids(user: str | model.User | None, ids: Any | None = None) -> set[str]:
    """The ids among ``ids`` (every dataset when ``None``) whose entry ``user`` may see now.

    The same decision as :func:`can_see_entry` (the permission labels of the dataset as it is
    now), for many datasets at once: for lists built from CKAN's tables or from stored copies
    (activities, members, tags, resources) instead of the search index.
    """
    return _visible(_user(user), _light_packages(ids))


def _visible(user_obj: model.User | None, light: list[Any]) -> set[str]:
    if _is_sysadmin(user_obj):
        return {p.id for p in light}
    mine = set(user_labels(user_obj))
    return {p.id for p in light if mine.intersection(dataset_labels(p))}


def data_visible_ids(user: str | model.User | None, ids: Any) -> set[str]:
    """The ids among ``ids`` whose entry **and** data ``user`` may see now
    (:func:`can_see_entry` and :func:`can_see_resources`)."""
    return visible_and_data_ids(user, ids)[1]


def visible_and_data_ids(user: str | model.User | None, ids: Any) -> tuple[set[str], set[str]]:
    """:func:`visible_package_ids` and :func:`data_visible_ids` of the same ``ids`` at once
    (the entries read once: a page of the harvest feed asks both)."""
    user_obj = _user(user)
    light = {p.id: p for p in _light_packages(ids)}
    seen = _visible(user_obj, list(light.values()))
    return seen, {pid for pid in seen if can_see_resources(user_obj, {
        fields.CATALOGUE_STATE: entry_state(light[pid]), "owner_org": light[pid].owner_org,
        fields.SHARE_TYPE: share_type_of(light[pid]), "id": pid})}


def audit_trail_ids(user: str | model.User | None, ids: Any) -> set[str]:
    """The ids among ``ids`` of the entries whose lifecycle ``user`` may follow: its audit
    trail, shown as the entry's timeline and as lifecycle steps in the activity streams (who
    submitted, approved, returned, with the reasons). The members of the entry's department
    (any capacity, as ``govshare_audit_list`` has it) and sysadmins; whether the entry itself
    is visible is :func:`visible_package_ids`' question, asked besides."""
    user_obj = _user(user)
    return {p.id for p in _light_packages(ids) if follows_audit_trail(user_obj, p.owner_org)}


def follows_audit_trail(user: str | model.User | None, org_id: str | None) -> bool:
    """Whether ``user`` may follow the lifecycle of department ``org_id``'s entries: their
    audit trail, their pending revisions (:func:`audit_trail_ids` for entries). Its members
    in any capacity (those of a parent department its administrators, as CKAN cascades them)
    and sysadmins."""
    user_obj = _user(user)
    return _is_sysadmin(user_obj) or _in_department(user_obj, org_id)


def in_department(user: str | model.User | None, org_id: str | None) -> bool:
    """Whether ``user`` is a member of department ``org_id`` (any capacity; as CKAN's
    ``read`` permission on it, cascades included): the department's own pages and lists."""
    return _in_department(_user(user), org_id)


def audit_trail_labels(org_id: str | None) -> list[str]:
    """The permission labels stored with a record of department ``org_id``'s audit trail
    outside it (a lifecycle step in CKAN's activity table): its members' (see
    :func:`audit_trail_ids`)."""
    return [_member_label(org_id)] if org_id else []


# -- lifecycle steps in the activity streams -----------------------------------------------------

#: the lifecycle steps told to every reader who may see the entry, as ``(audit action, state
#: the step leaves the entry in)``: its publication (DB14 §7.5 目录发布; again after a
#: reinstatement) and its going offline (DB14 §7.3 下线). Every other step (submitted,
#: returned, an offline request, a revision's steps …) is the department's alone.
PUBLIC_STEPS: frozenset[tuple[str, str]] = frozenset({
    (tables.APPROVE, tables.PUBLISHED), (tables.APPROVE_OFFLINE, tables.OFFLINE)})
#: how a reader reads a lifecycle step (:func:`lifecycle_step_access`): whole, as the
#: department's audit trail has it, or only its public part (:func:`redact_public_step`)
STEP_WHOLE = "whole"
STEP_PUBLIC = "public"
#: what a public step tells a reader outside the entry's department: which step, and the
#: state it left the entry in (the state every reader sees on the entry) — not who decided,
#: the reason given or the states in between
PUBLIC_STEP_FIELDS = ("action", "to_state")


def is_public_step(action: str | None, to_state: str | None) -> bool:
    """Whether the lifecycle step ``action`` that left an entry in ``to_state`` is told to
    every reader of the entry (:data:`PUBLIC_STEPS`)."""
    return (action, to_state) in PUBLIC_STEPS


def lifecycle_step_labels(pkg: model.Package, action: str | None,
                          to_state: str | None) -> list[str]:
    """The permission labels stored with lifecycle step ``action`` of entry ``pkg`` (its
    activity, recorded before the step writes the entry's new state): a public step's are the
    entry's own as the step leaves it, every other step's its department's
    (:func:`audit_trail_labels`)."""
    if not is_public_step(action, to_state):
        return audit_trail_labels(pkg.owner_org)
    after = SimpleNamespace(id=pkg.id, state=pkg.state, private=pkg.private,
                            owner_org=pkg.owner_org, creator_user_id=pkg.creator_user_id,
                            extras={fields.CATALOGUE_STATE: to_state,
                                    fields.SHARE_TYPE: share_type_of(pkg)})
    return dataset_labels(after)


def lifecycle_step_access(user: str | model.User | None,
                          steps: list[tuple[str, str | None, str | None]], *,
                          seen: set[str] | None = None,
                          by_actor: bool = False) -> list[str | None]:
    """How ``user`` may read each of ``steps``, lifecycle steps recorded in CKAN's activity
    stream as ``(entry id, audit action, state the step left the entry in)``:
    :data:`STEP_WHOLE` for the entry's audit trail (:func:`audit_trail_ids`: who took the step,
    the states, the reason), :data:`STEP_PUBLIC` for a public step (:data:`PUBLIC_STEPS`) of
    an entry they see now, told as its department's act; ``None``: not at all. Either way
    only while ``user`` may see the entry now (``seen``: :func:`visible_package_ids` of the
    steps' entries when the caller has it).

    ``by_actor``: the steps are read as their actor's (a user's stream): a public step names
    no actor, so none is read there in its public part.
    """
    user_obj = _user(user)
    ids = {step[0] for step in steps}
    if seen is None:
        seen = visible_package_ids(user_obj, ids)
    followed = audit_trail_ids(user_obj, ids & seen)
    access: list[str | None] = []
    for entry_id, action, to_state in steps:
        if entry_id in followed:
            access.append(STEP_WHOLE)
        elif entry_id in seen and not by_actor and is_public_step(action, to_state):
            access.append(STEP_PUBLIC)
        else:
            access.append(None)
    return access


def redact_public_step(activity: dict[str, Any]) -> dict[str, Any]:
    """Leave of a lifecycle step's activity dict (in place) its public part: the step
    (:data:`PUBLIC_STEP_FIELDS`, marked ``public``) and the entry's snapshot (redacted as any
    other by :func:`redact`), without its actor; returns it."""
    data = activity.get("data") if isinstance(activity.get("data"), dict) else {}
    step = data.get("lifecycle") or {}
    public = {key: step.get(key) for key in PUBLIC_STEP_FIELDS}
    public["public"] = True
    activity["user_id"] = None
    activity["data"] = {**{k: v for k, v in data.items() if k == "package"}, "lifecycle": public}
    return activity


# -- an entry's lifecycle summary (govshare_lifecycle) -------------------------------------------

#: what every reader of an entry learns of its lifecycle summary (``govshare_lifecycle``, added
#: by ``package_show`` and ``package_search``): its publication facts, as its page shows them —
#: the state (the entry's ``catalogue_state``), the published version and when it was published,
#: and its timeliness (``freshness``). Who submitted and approved, the reasons, the open step
#: with its stage and deadline, an "update required" step and a pending revision are the
#: department's (:func:`follows_audit_trail`).
# DB14 §7.3: the compiling, review, update and offline steps and their time limits are the
# department's own process; §7.5 目录发布 is what reaches the sharing platform's users
PUBLIC_LIFECYCLE_FIELDS = frozenset({"state", "version", "published_at", "freshness"})


def redact_lifecycle(user: str | model.User | None, pkg_dicts: Any) -> None:
    """Leave of each entry's ``govshare_lifecycle`` in ``pkg_dicts`` (in place) its public part
    (:data:`PUBLIC_LIFECYCLE_FIELDS`) where ``user`` may not follow the entry's audit trail
    (:func:`audit_trail_ids`: its department and sysadmins keep it whole). One query for all
    the entries."""
    summaries = {d["id"]: d for d in pkg_dicts if isinstance(d, dict) and d.get("id")
                 and isinstance(d.get(fields.LIFECYCLE_SUMMARY), dict)}
    user_obj = _user(user)
    if not summaries or _is_sysadmin(user_obj):
        return
    followed = audit_trail_ids(user_obj, summaries) if user_obj is not None else set()
    for entry_id, pkg_dict in summaries.items():
        if entry_id not in followed:
            pkg_dict[fields.LIFECYCLE_SUMMARY] = {
                key: value for key, value in pkg_dict[fields.LIFECYCLE_SUMMARY].items()
                if key in PUBLIC_LIFECYCLE_FIELDS}


def _is_org_admin(user_obj: model.User, org_id: str) -> bool:
    return authz.has_user_permission_for_group_or_org(org_id, user_obj.name, "admin")


def may_compile(user: str | model.User | None, org_id: str | None, unit: str | None) -> bool:
    """Whether ``user`` may compile (create or edit) an entry of ``unit`` in department ``org_id``.

    业务谁主管，谁编制 (DB14 §7.2): a compiler compiles only the entries of the units they are
    bound to; the department's administrators and sysadmins may compile any entry.
    """
    user_obj = _user(user)
    if user_obj is None:
        return False
    if _is_sysadmin(user_obj) or (org_id and _is_org_admin(user_obj, org_id)):
        return True
    if not org_id:
        return False
    units = roles.compiler_units(user_obj.id, org_id)
    return bool(units) and (unit is None or unit in units)


def may_take_assessment_snapshot(user: str | model.User | None, org_id: str | None) -> bool:
    """Whether ``user`` may store the monthly assessment snapshot of department ``org_id``:
    sysadmins, the department's administrators and its reviewers and coordinators (the bodies
    that answer for the catalogue, DB14 §7.4)."""
    user_obj = _user(user)
    if user_obj is None or not org_id:
        return _is_sysadmin(user_obj)
    if _is_sysadmin(user_obj) or _is_org_admin(user_obj, org_id):
        return True
    return roles.has_role(user_obj.id, org_id, (tables.ROLE_REVIEWER, tables.ROLE_COORDINATOR))


def may_see_access_overview(user: str | model.User | None, org_id: str | None) -> bool:
    """Whether ``user`` may see who can reach department ``org_id``'s data and who did (its
    authorizations in force and its access log, DB14 §11.2): sysadmins, the department's
    administrators, reviewers and security officers."""
    user_obj = _user(user)
    if user_obj is None or not org_id:
        return _is_sysadmin(user_obj)
    if _is_sysadmin(user_obj) or _is_org_admin(user_obj, org_id):
        return True
    return roles.has_role(user_obj.id, org_id,
                          (tables.ROLE_REVIEWER, tables.ROLE_SECURITY_OFFICER))


def current_user() -> model.User | None:
    """The user of the current request (None outside a request or when anonymous)."""
    try:
        user = tk.current_user
    except (RuntimeError, AttributeError):
        return None
    if user is None or getattr(user, "is_anonymous", True):
        return None
    return model.User.get(user.id)


def sharing_orgs(user: str | model.User | None) -> list[str] | None:
    """The departments for which ``user`` sees authorizations (either side) and the access
    log of their entries: those they are an active member of (DB14 §9.3: the two sides of a
    grant); ``None`` for a sysadmin (every department); ``[]`` when anonymous."""
    user_obj = _user(user)
    if user_obj is None or user_obj.is_anonymous:
        return []
    if _is_sysadmin(user_obj):
        return None
    return _org_ids(user_obj)


def may_see_authorization(user: str | model.User | None, auth: Any) -> bool:
    """Whether ``user`` may see an authorization (row or dict): sysadmins, the members of its
    providing and of its consuming department, and the persons it names."""
    user_obj = _user(user)
    if user_obj is None or user_obj.is_anonymous:
        return False
    if _is_sysadmin(user_obj):
        return True
    get = auth.get if isinstance(auth, dict) else lambda k: getattr(auth, k, None)
    if user_obj.id in (get("persons") or []):
        return True
    return bool({get("provider_org"), get("consumer_org")} & set(_org_ids(user_obj)) - {None})


def _is_portal_coordinator(user_obj: model.User) -> bool:
    """Whether the user is a coordinator of the coordinating department
    (``ckanext.govshare.coordinating_department``, the 统筹协调组织)."""
    coordinating = gs_config.coordinating_department()
    group = model.Group.get(coordinating) if coordinating else None
    return group is not None and roles.has_role(user_obj.id, group.id, tables.ROLE_COORDINATOR)


def may_see_statistics(user: str | model.User | None, org_id: str | None) -> bool:
    """Whether ``user`` may see the statistics of department ``org_id`` (``None``: the whole
    portal's, every department's).

    Statistics are counts and averages over every entry and case of the scope, in any state,
    and never name an entry: the department's members (who see all its entries) see their
    department's; the coordinating department's coordinators (统筹协调组织, DB14 §5) and
    sysadmins see every department's and the portal's. Nobody else: an outsider would learn how
    many drafts a department has.
    """
    user_obj = _user(user)
    if user_obj is None or user_obj.is_anonymous:
        return False
    if _is_sysadmin(user_obj) or _is_portal_coordinator(user_obj):
        return True
    return org_id is not None and org_id in _org_ids(user_obj)


def may_dismiss_duplicate(user: str | model.User | None, org_ids: Any) -> bool:
    """Whether ``user`` may decide that two entries of departments ``org_ids`` are not
    duplicates (DB14 §8.1 一数一源), or take the decision back: sysadmins, and the
    administrators, reviewers and coordinators of either department (the bodies that answer
    for its catalogue). Seeing both entries is the caller's condition."""
    user_obj = _user(user)
    if user_obj is None or user_obj.is_anonymous:
        return False
    if _is_sysadmin(user_obj):
        return True
    return any(org_id and (_is_org_admin(user_obj, org_id) or roles.has_role(
        user_obj.id, org_id, (tables.ROLE_REVIEWER, tables.ROLE_COORDINATOR)))
        for org_id in set(org_ids))
