"""Auth functions of the demand and collection actions (same names).

Deny by default. Filing: a member of the requesting department (the one named, or any of the
user's). A step of a case: a user holding, in that case, a role its flow's table lets take the
step at some state (:func:`ckanext.govshare.sharing.cases.case_roles`, relative to the case:
the requester, the target department's reviewer, the coordinator…); the state itself and the
four-eyes rule are the state machine's, checked by the action under the case's row lock.
Sysadmins are treated like everyone else for the steps (``auth_sysadmins_check``): they hold
the coordinator's role only when no coordinating department is configured. Reading a case is
:func:`ckanext.govshare.permissions.may_see_case`'s decision; a list is any logged-in user's
(it keeps to the cases they may see).
"""
from __future__ import annotations

from collections.abc import Callable

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.govshare import permissions
from ckanext.govshare.sharing import cases, flows

__all__ = [
    "govshare_collection_approve",
    "govshare_collection_complete",
    "govshare_collection_create",
    "govshare_collection_list",
    "govshare_collection_refuse",
    "govshare_collection_resubmit",
    "govshare_collection_return",
    "govshare_collection_show",
    "govshare_collection_withdraw",
    "govshare_demand_accept",
    "govshare_demand_create",
    "govshare_demand_list",
    "govshare_demand_refuse",
    "govshare_demand_show",
    "govshare_demand_transfer",
    "govshare_demand_withdraw",
]

Auth = Callable[[Context, DataDict], AuthResult]


def _refused(message: str) -> AuthResult:
    return {"success": False, "msg": message}


def _may_file(context: Context, data_dict: DataDict) -> AuthResult:
    """A member of the requesting department (named, or any of the user's)."""
    user = permissions.context_user(context)
    if user is None:
        return _refused(tk._("Log in first"))
    org_id = data_dict.get("requester_org")
    if org_id:
        if authz.has_user_permission_for_group_or_org(org_id, user.name, "read"):
            return {"success": True}
        return _refused(tk._("Only members of the requesting department may file for it"))
    if user.get_group_ids(group_type="organization"):
        return {"success": True}
    return _refused(tk._("Only members of a department may file a request"))


def _step(kind: str, event: str) -> Auth:
    """The auth function of firing ``event`` on a case of ``kind``."""
    machine = flows.MACHINES[kind]
    wanted = frozenset().union(*(
        allowed for (name, _stage), allowed in machine.role_permissions.items()
        if name == event))

    def auth(context: Context, data_dict: DataDict) -> AuthResult:
        case = cases.get_case(str(data_dict.get("id") or ""), kind)
        held = cases.case_roles(permissions.context_user(context), case)
        if held & wanted:
            return {"success": True}
        return _refused(tk._("Only {roles} may do this").format(
            roles=" / ".join(cases.label(flows.ROLES[r]) for r in sorted(wanted))))

    auth.__doc__ = (f"A role of the case that may {event} it "
                    f"(``flows.MACHINES[{kind!r}].role_permissions``).")
    return tk.auth_sysadmins_check(auth)


def _show(kind: str) -> Auth:
    def auth(context: Context, data_dict: DataDict) -> AuthResult:
        case = cases.get_case(str(data_dict.get("id") or ""), kind)
        if permissions.may_see_case(permissions.context_user(context), case):
            return {"success": True}
        return _refused(tk._("Only the two sides of the case may see it"))

    auth.__doc__ = "Whom ``permissions.may_see_case`` lets see the case."
    return auth


def _list(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user: the list keeps to the cases they may see."""
    if permissions.context_user(context) is None:
        return _refused(tk._("Log in first"))
    return {"success": True}


# -- demands -------------------------------------------------------------------------------------


def govshare_demand_create(context: Context, data_dict: DataDict) -> AuthResult:
    """A member of the requesting department (DB14 §6.3: a 业务机构 raises its needs)."""
    return _may_file(context, data_dict)


govshare_demand_accept = _step(flows.DEMAND, flows.ACCEPT)
govshare_demand_transfer = _step(flows.DEMAND, flows.TRANSFER)
govshare_demand_refuse = _step(flows.DEMAND, flows.REFUSE)
govshare_demand_withdraw = _step(flows.DEMAND, flows.WITHDRAW)
govshare_demand_show = _show(flows.DEMAND)


def govshare_demand_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user (the list keeps to the demands they may see)."""
    return _list(context, data_dict)


# -- collection and backflow requests ----------------------------------------------------------------


def govshare_collection_create(context: Context, data_dict: DataDict) -> AuthResult:
    """A member of the requesting department (DB14 §8.3.1 a)."""
    return _may_file(context, data_dict)


govshare_collection_approve = _step(flows.COLLECTION, flows.APPROVE)
govshare_collection_return = _step(flows.COLLECTION, flows.RETURN)
govshare_collection_refuse = _step(flows.COLLECTION, flows.REFUSE)
govshare_collection_resubmit = _step(flows.COLLECTION, flows.RESUBMIT)
govshare_collection_withdraw = _step(flows.COLLECTION, flows.WITHDRAW)
govshare_collection_complete = _step(flows.COLLECTION, flows.COMPLETE)
govshare_collection_show = _show(flows.COLLECTION)


def govshare_collection_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user (the list keeps to the requests they may see)."""
    return _list(context, data_dict)
