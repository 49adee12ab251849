"""Auth functions of the catalogue lifecycle actions, and steps of the chained visibility checks.

Deny by default. Who may fire an event is the table
:data:`ckanext.govshare.lifecycle.tables.ROLE_PERMISSIONS` read against the user's roles in the
entry's department (:func:`ckanext.govshare.department.roles.actor_roles`: a compiler only for their
own units). The auth functions answer "may this user ever fire this event on this entry"; the state,
the review stage and the four-eyes rule are the state machine's, checked by the action under the
entry's row lock. Sysadmins are treated like everyone else here (``auth_sysadmins_check``): the
standard gives decisions to department roles, and the platform's administration has its own
import path (``govshare_catalogue_import``). Writing a pending revision is delegated to core
``package_update`` ("may edit this dataset"). Who sees an entry and its data is
:mod:`ckanext.govshare.permissions`' decision; the steps of the chained ``package_show`` and
``resource_show`` auth at the end (composed in :mod:`ckanext.govshare.logic.auth.core`) only ask
it.
"""
from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.govshare import permissions
from ckanext.govshare.catalogue import fields
from ckanext.govshare.department import roles
from ckanext.govshare.lifecycle import machine as lifecycle
from ckanext.govshare.lifecycle import tables
from ckanext.govshare.messages import join, text
from ckanext.govshare.model.revision import Revision

__all__ = [
    "govshare_audit_list",
    "govshare_catalogue_approve",
    "govshare_catalogue_approve_offline",
    "govshare_catalogue_change_event",
    "govshare_catalogue_import",
    "govshare_catalogue_queue",
    "govshare_catalogue_reinstate",
    "govshare_catalogue_reject_offline",
    "govshare_catalogue_request_offline",
    "govshare_catalogue_return",
    "govshare_catalogue_review",
    "govshare_catalogue_submit",
    "govshare_revision_approve",
    "govshare_revision_create",
    "govshare_revision_discard",
    "govshare_revision_list",
    "govshare_revision_return",
    "govshare_revision_show",
    "govshare_revision_submit",
    "govshare_revision_update",
]

# -- helpers -------------------------------------------------------------------------------------


def _package(data_dict: DataDict, key: str = "id") -> model.Package:
    ref = data_dict.get(key)
    pkg = model.Package.get(str(ref)) if ref else None
    if pkg is None or pkg.state == "deleted":
        raise tk.ObjectNotFound(tk._("catalogue entry not found"))
    return pkg


def _revision(data_dict: DataDict) -> Revision:
    ref = data_dict.get("id")
    rev = model.Session.get(Revision, str(ref)) if ref else None
    if rev is None:
        raise tk.ObjectNotFound(tk._("revision not found"))
    return rev


def _may_fire(context: Context, pkg: model.Package, event: str,
              machine: lifecycle.StateMachine) -> AuthResult:
    """The user holds a role that may fire ``event`` on entries like ``pkg`` at some stage."""
    wanted: set[str] = set()
    for (name, _stage), allowed in machine.role_permissions.items():
        if name == event:
            wanted |= allowed
    held = roles.actor_roles(permissions.context_user(context), pkg.owner_org,
                               pkg.extras.get(fields.PROVIDER_UNIT))
    if held & wanted:
        return {"success": True}
    return {"success": False, "msg": tk._(
        "only the department's {roles} may {event_label} this entry").format(
        roles=join(text(tables.ROLES[r]) for r in sorted(wanted)),
        event_label=text(machine.events[event]))}


def _entry_event(event: str):
    def auth(context: Context, data_dict: DataDict) -> AuthResult:
        return _may_fire(context, _package(data_dict), event, lifecycle.CATALOGUE)

    auth.__name__ = f"govshare_catalogue_{event}"
    auth.__doc__ = (f"A role that may {event} (see ``tables.ROLE_PERMISSIONS``) in the "
                    "entry's department; a compiler only for their units.")
    return tk.auth_sysadmins_check(auth)


def member_of(context: Context, org_id: str | None) -> bool:
    """Whether the user is a member of the department ``org_id`` (any capacity):
    :func:`permissions.in_department`."""
    return permissions.in_department(permissions.context_user(context), org_id)


def _follows_audit_trail(context: Context, org_id: str | None) -> bool:
    return permissions.follows_audit_trail(permissions.context_user(context), org_id)


# -- catalogue transitions -----------------------------------------------------------------------

govshare_catalogue_submit = _entry_event(tables.SUBMIT)
govshare_catalogue_approve = _entry_event(tables.APPROVE)
govshare_catalogue_return = _entry_event(tables.RETURN)
govshare_catalogue_request_offline = _entry_event(tables.REQUEST_OFFLINE)
govshare_catalogue_approve_offline = _entry_event(tables.APPROVE_OFFLINE)
govshare_catalogue_reject_offline = _entry_event(tables.REJECT_OFFLINE)
govshare_catalogue_reinstate = _entry_event(tables.REINSTATE)


def govshare_catalogue_change_event(context: Context, data_dict: DataDict) -> AuthResult:
    """A reviewer or coordinator of the entry's department (sysadmins pass before this runs):
    the responsible body records that the entry must be updated (DB14 §7.3)."""
    pkg = _package(data_dict)
    held = roles.actor_roles(permissions.context_user(context), pkg.owner_org,
                               pkg.extras.get(fields.PROVIDER_UNIT))
    if held & tables.CHANGE_ROLES:
        return {"success": True}
    return {"success": False, "msg": tk._("only the department's reviewer or coordinator may record a change event")}


def govshare_catalogue_import(context: Context, data_dict: DataDict) -> AuthResult:
    """Sysadmins only (CKAN lets them pass before this function runs)."""
    return {"success": False, "msg": tk._("only sysadmins may import catalogue states")}


def govshare_catalogue_queue(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user: the queue shows the open steps of the user's own departments."""
    return {"success": True}


def govshare_catalogue_review(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever decides review steps in some department: a reviewer or coordinator role
    (sysadmins pass before this runs). It puts the review queue in the site navigation; each
    decision is still the entry's own auth function and the state machine's."""
    user = permissions.context_user(context)
    if user is not None and roles.has_role_anywhere(user.id, lifecycle.DECIDING_ROLES):
        return {"success": True}
    return {"success": False, "msg": tk._("only reviewers and coordinators review catalogue entries")}


def govshare_audit_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Those who may follow the lifecycle of the department asked for (or of the entry's):
    :func:`permissions.follows_audit_trail`, its members; the list keeps to them."""
    if data_dict.get("entry_id"):
        pkg = _package(data_dict, "entry_id")
        if not _follows_audit_trail(context, pkg.owner_org):
            return {"success": False, "msg": tk._("only members of the department may see its audit trail")}
    org_ref = data_dict.get("organization_id")
    if org_ref:
        org = model.Group.get(str(org_ref))
        if org is None or not _follows_audit_trail(context, org.id):
            return {"success": False, "msg": tk._("only members of the department may see its audit trail")}
    return {"success": True}


# -- pending revisions ---------------------------------------------------------------------------


def govshare_revision_create(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may edit the entry (core ``package_update``)."""
    pkg = _package(data_dict)
    return authz.is_authorized("package_update", context, {"id": pkg.id})


def govshare_revision_update(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may edit the revised entry (core ``package_update``)."""
    rev = _revision(data_dict)
    return authz.is_authorized("package_update", context, {"id": rev.entry_id})


def govshare_revision_discard(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may edit the revised entry (core ``package_update``)."""
    return govshare_revision_update(context, data_dict)


def _revision_event(event: str):
    def auth(context: Context, data_dict: DataDict) -> AuthResult:
        rev = _revision(data_dict)
        return _may_fire(context, _package({"id": rev.entry_id}), event, lifecycle.REVISION)

    auth.__name__ = f"govshare_revision_{event}"
    auth.__doc__ = f"A role that may {event} a revision in the entry's department."
    return tk.auth_sysadmins_check(auth)


govshare_revision_submit = _revision_event(tables.SUBMIT)
govshare_revision_approve = _revision_event(tables.APPROVE)
govshare_revision_return = _revision_event(tables.RETURN)


def govshare_revision_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Those who may follow the entry's lifecycle (:func:`permissions.follows_audit_trail`:
    its department's members; a pending revision is not published)."""
    rev = _revision(data_dict)
    if _follows_audit_trail(context, rev.org_id):
        return {"success": True}
    return {"success": False, "msg": tk._("only members of the department may see pending revisions")}


def govshare_revision_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Members of the department asked for (or of the entry's)."""
    return govshare_audit_list(context, data_dict)


# -- steps of the chained core auth functions (composed in logic/auth/core.py) --------------------


def may_see_entry(next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    """``package_show``: a catalogue entry is seen by whom :func:`permissions.can_see_entry`
    says; another dataset by ``next_auth``'s rule. (The chained ``package_show`` action
    answers a refusal as "not found" where the user may not even know the entry exists; an
    auth function only refuses, as CKAN's callers of ``check_access`` expect.)"""
    pkg = context.get("package") or model.Package.get(str(data_dict.get("id") or ""))
    if pkg is None or permissions.entry_state(pkg) is None:
        return next_auth(context, data_dict)
    if permissions.can_see_entry(permissions.context_user(context), pkg):
        return {"success": True}
    return {"success": False, "msg": tk._("Log in to see the catalogue's entries")}


def may_see_entry_data(next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    """``resource_show``: ``next_auth``'s rule, then an entry's data is seen by whom
    :func:`permissions.can_see_resources` says."""
    result = next_auth(context, data_dict)
    if not result.get("success"):
        return result
    resource = context.get("resource") or model.Resource.get(str(data_dict.get("id") or ""))
    pkg = resource.package if resource is not None else None
    if pkg is None or permissions.entry_state(pkg) is None:
        return result
    pkg_dict = {fields.CATALOGUE_STATE: permissions.entry_state(pkg), "owner_org": pkg.owner_org,
                fields.SHARE_TYPE: permissions.share_type_of(pkg), "id": pkg.id}
    if permissions.can_see_resources(permissions.context_user(context), pkg_dict):
        return result
    return {"success": False, "msg": tk._(
        "The data of this entry is shared only with its department and those it has "
        "authorized: request access from the entry's page")}


def logged_in_only(next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    """``package_collaborator_list``: ``next_auth``'s rule for logged-in users; anonymous
    callers are refused here (core's own function asserts a user object and answered them with
    a 500)."""
    if permissions.context_user(context) is None:
        return {"success": False, "msg": tk._("Log in to see the catalogue's entries")}
    return next_auth(context, data_dict)
