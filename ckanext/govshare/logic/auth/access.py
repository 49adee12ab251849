"""Auth functions of the sharing flows' actions (same names): resource access requests, then
authorizations and the access log. Deny by default; each block says whom it lets do what."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.govshare import permissions
from ckanext.govshare.sharing import authorizations, cases, flows

__all__: list[str] = []


# =================================================================================================
# 数据资源申请 (resource access requests): who may see a request is permissions.may_see_case; who
# may fire a step is the request's table (flows.REQUEST_ROLES) read against the user's roles
# relative to it (cases.case_roles); the step's decider and four eyes are the action's. One
# contiguous block: the authorizations are below.
# =================================================================================================

def _request(data_dict: DataDict) -> Any:
    ref = str(data_dict.get("id") or "").strip()
    if not ref:
        raise tk.ObjectNotFound(tk._("No such case"))
    return cases.get_case(ref, flows.ACCESS_REQUEST)


def _request_event(event: str):
    roles = frozenset().union(*(allowed for (name, _stage), allowed
                                in flows.REQUEST_ROLES.items() if name == event))

    def auth(context: Context, data_dict: DataDict) -> AuthResult:
        case = _request(data_dict)
        user = permissions.context_user(context)
        if permissions.may_see_case(user, case) and cases.case_roles(user, case) & roles:
            return {"success": True}
        wanted = "、".join(cases.label(flows.ROLES[r]) for r in sorted(roles))
        return {"success": False, "msg": tk._("Only the {roles} may do this").format(
            roles=wanted)}

    auth.__name__ = f"govshare_access_request_{event}"
    auth.__doc__ = (f"A role of the request that may {event} it (``flows.REQUEST_ROLES``); the "
                    "step's decider and four eyes are the action's.")
    return tk.auth_sysadmins_check(auth)


def govshare_access_request_create(context: Context, data_dict: DataDict) -> AuthResult:
    """A member of some department (a request is made for a department, DB14 §9.3 •1)."""
    user = permissions.context_user(context)
    if user is not None and user.get_group_ids(group_type="organization"):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the staff of a department can request data")}


govshare_access_request_endorse = _request_event(flows.ENDORSE)
govshare_access_request_approve = _request_event(flows.APPROVE)
govshare_access_request_refuse = _request_event(flows.REFUSE)
govshare_access_request_return = _request_event(flows.RETURN)
govshare_access_request_resubmit = _request_event(flows.RESUBMIT)
govshare_access_request_withdraw = _request_event(flows.WITHDRAW)
govshare_access_request_deliver = _request_event(flows.DELIVER)


def govshare_access_request_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Whom :func:`permissions.may_see_case` lets see the request."""
    if permissions.may_see_case(permissions.context_user(context), _request(data_dict)):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the two departments of a request may see it")}


def govshare_access_request_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user: the list keeps to their own requests, steps and departments."""
    return {"success": True}


__all__ += [
    "govshare_access_request_approve",
    "govshare_access_request_create",
    "govshare_access_request_deliver",
    "govshare_access_request_endorse",
    "govshare_access_request_list",
    "govshare_access_request_refuse",
    "govshare_access_request_resubmit",
    "govshare_access_request_return",
    "govshare_access_request_show",
    "govshare_access_request_withdraw",
]

# =================================================================================================
# 授权 (authorizations) and the access log: who may see an authorization is
# permissions.may_see_authorization; who may fire a step is the authorization's table
# (flows.AUTHORIZATION_ROLES) read against the user's roles relative to it
# (authorizations.auth_roles). One contiguous block: the access requests are above.
# =================================================================================================


def _authorization_of(data_dict: DataDict):
    return authorizations.get(str(data_dict.get("id") or "").strip())


def _authorization_step(event: str):
    """The auth function of a step of the authorization's table: a role the table names."""
    wanted = {role for (name, _stage), allowed in flows.AUTHORIZATION_ROLES.items()
              if name == event for role in allowed} - {flows.SYSTEM}

    def auth(context: Context, data_dict: DataDict) -> AuthResult:
        held = authorizations.auth_roles(permissions.context_user(context),
                                         _authorization_of(data_dict))
        if held & wanted:
            return {"success": True}
        return {"success": False, "msg": tk._(
            "Only the providing department's reviewer or security officer may do this")}

    auth.__name__ = f"govshare_authorization_{event}"
    auth.__doc__ = (f"A role that may {event} an authorization (``flows.AUTHORIZATION_ROLES``) "
                    "in its providing department; sysadmins too.")
    return auth


def govshare_authorization_show(context: Context, data_dict: DataDict) -> AuthResult:
    """The two sides of the authorization and the persons it names (``permissions``)."""
    if permissions.may_see_authorization(permissions.context_user(context),
                                         _authorization_of(data_dict)):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the two sides of an authorization may see it")}


def govshare_authorization_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user: the list holds what they may see."""
    if permissions.context_user(context) is not None:
        return {"success": True}
    return {"success": False, "msg": tk._("Log in to see authorizations")}


govshare_authorization_suspend = _authorization_step(flows.SUSPEND)
govshare_authorization_resume = _authorization_step(flows.RESUME)
govshare_authorization_revoke = _authorization_step(flows.REVOKE)


@tk.auth_sysadmins_check
def govshare_authorization_agreement_accept(context: Context,
                                            data_dict: DataDict) -> AuthResult:
    """Someone who may accept the agreement for a side (``authorizations.AGREEMENT_ROLES``):
    a reviewer of either department, the provider's security officer, the requester. Not a
    sysadmin as such: an acceptance binds a department."""
    held = authorizations.auth_roles(permissions.context_user(context),
                                     _authorization_of(data_dict))
    if any(held & roles for roles in authorizations.AGREEMENT_ROLES.values()):
        return {"success": True}
    return {"success": False, "msg": tk._(
        "Only the reviewers of the two departments, the provider's security officer or the "
        "requester may accept the agreement")}


def govshare_authorization_renew(context: Context, data_dict: DataDict) -> AuthResult:
    """The consuming side: its members, the requester, the persons the authorization names."""
    user = permissions.context_user(context)
    auth = _authorization_of(data_dict)
    orgs = permissions.sharing_orgs(user) or []
    if user is not None and (auth.consumer_org in orgs or user.id in (auth.persons or [])
                             or flows.REQUESTER in authorizations.auth_roles(user, auth)):
        return {"success": True}
    return {"success": False, "msg": tk._(
        "Only the consuming department may ask to renew an authorization")}


def govshare_authorization_expire(context: Context, data_dict: DataDict) -> AuthResult:
    """Sysadmins only (CKAN lets them through before this runs)."""
    return {"success": False, "msg": tk._("Only sysadmins may run the expiry")}


def govshare_access_log_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user: the log holds what they may see (``permissions.sharing_orgs``)."""
    if permissions.context_user(context) is not None:
        return {"success": True}
    return {"success": False, "msg": tk._("Log in to see the access log")}


__all__ += [
    "govshare_access_log_list",
    "govshare_authorization_agreement_accept",
    "govshare_authorization_expire",
    "govshare_authorization_list",
    "govshare_authorization_renew",
    "govshare_authorization_resume",
    "govshare_authorization_revoke",
    "govshare_authorization_show",
    "govshare_authorization_suspend",
]
