"""Auth functions of the dispute (争议) and quality complaint (纠错) actions.

Deny by default. Who may fire a step is the flow's table (:data:`ckanext.govshare.sharing.flows.
DISPUTE_ROLES`, :data:`~ckanext.govshare.sharing.flows.COMPLAINT_ROLES`) read against the
roles the user holds in the case (:func:`ckanext.govshare.sharing.cases.case_roles`: the
raising and responding departments' reviewers, the requester, the provider's compilers of the
entry's unit, the coordinator). The auth functions answer "may this user ever fire this step on
this case"; the state is the state machine's, checked by the action under the case's row lock.
Sysadmins are treated like everyone else for the steps (``auth_sysadmins_check``): they act
only as the coordinator when no coordinating department is configured. Who may see a case is
:func:`ckanext.govshare.permissions.may_see_case`'s decision.
"""
from __future__ import annotations

from collections.abc import Callable

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.govshare import permissions
from ckanext.govshare.sharing import cases, dispute, flows

__all__ = [
    "govshare_complaint_answer",
    "govshare_complaint_create",
    "govshare_complaint_list",
    "govshare_complaint_rate",
    "govshare_complaint_reopen",
    "govshare_complaint_show",
    "govshare_complaint_withdraw",
    "govshare_dispute_close",
    "govshare_dispute_create",
    "govshare_dispute_decide",
    "govshare_dispute_escalate",
    "govshare_dispute_execute",
    "govshare_dispute_list",
    "govshare_dispute_settle",
    "govshare_dispute_show",
    "govshare_dispute_withdraw",
]

Auth = Callable[[Context, DataDict], AuthResult]


def _logged_in(context: Context) -> AuthResult:
    if permissions.context_user(context) is None:
        return {"success": False, "msg": tk._("Log in first")}
    return {"success": True}


def _case_step(kind: str, event: str) -> Auth:
    def auth(context: Context, data_dict: DataDict) -> AuthResult:
        user = permissions.context_user(context)
        if user is None:
            return {"success": False, "msg": tk._("Log in first")}
        case = cases.get_case(str(data_dict.get("id") or ""), kind)
        if cases.case_roles(user, case) & flows.MACHINES[kind].roles_for(event, case.state):
            return {"success": True}
        return {"success": False, "msg": tk._("You may not do this at this step")}

    verb = event
    auth.__name__ = f"govshare_{kind}_{verb}"
    auth.__doc__ = (f"A role that may {event} a {kind} (``flows.MACHINES[{kind!r}]``) held "
                    "in the case.")
    return tk.auth_sysadmins_check(auth)


def _case_show(kind: str) -> Auth:
    def auth(context: Context, data_dict: DataDict) -> AuthResult:
        user = permissions.context_user(context)
        case = cases.get_case(str(data_dict.get("id") or ""), kind)
        if user is not None and permissions.may_see_case(user, case):
            return {"success": True}
        return {"success": False, "msg": tk._("You may not see this case")}

    auth.__name__ = f"govshare_{kind}_show"
    auth.__doc__ = f"Whoever may see the {kind} (``permissions.may_see_case``)."
    return auth


# -- disputes ------------------------------------------------------------------------------------


def govshare_dispute_create(context: Context, data_dict: DataDict) -> AuthResult:
    """A member of a department (the action checks the entry or request and the parties)."""
    user = permissions.context_user(context)
    if user is None:
        return {"success": False, "msg": tk._("Log in first")}
    if user.sysadmin or dispute.user_departments(user):
        return {"success": True}
    return {"success": False, "msg": tk._("Only members of a department can raise a dispute")}


govshare_dispute_settle = _case_step(flows.DISPUTE, flows.SETTLE)
govshare_dispute_escalate = _case_step(flows.DISPUTE, flows.ESCALATE)
govshare_dispute_decide = _case_step(flows.DISPUTE, flows.DECIDE)
govshare_dispute_execute = _case_step(flows.DISPUTE, flows.EXECUTE)
govshare_dispute_close = _case_step(flows.DISPUTE, flows.CLOSE)
govshare_dispute_withdraw = _case_step(flows.DISPUTE, flows.WITHDRAW)
govshare_dispute_show = _case_show(flows.DISPUTE)


def govshare_dispute_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user (the list holds only the cases they may see)."""
    return _logged_in(context)


# -- quality complaints --------------------------------------------------------------------------


def govshare_complaint_create(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user (the action checks that they see the entry)."""
    return _logged_in(context)


govshare_complaint_answer = _case_step(flows.COMPLAINT, flows.ANSWER)
govshare_complaint_rate = _case_step(flows.COMPLAINT, flows.RATE)
govshare_complaint_reopen = _case_step(flows.COMPLAINT, flows.REOPEN)
govshare_complaint_withdraw = _case_step(flows.COMPLAINT, flows.WITHDRAW)
govshare_complaint_show = _case_show(flows.COMPLAINT)


def govshare_complaint_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user (the list holds only the cases they may see)."""
    return _logged_in(context)
