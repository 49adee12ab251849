"""Auth of the security officer's actions (DB14 §11.1–11.2): deny by default.

* Reporting an incident: the department's reviewers and security officers.
* Handling and closing an incident, signing or objecting to a sign-off: whoever holds, in the
  case, a role the flow's table gives the event (:data:`flows.INCIDENT_ROLES`,
  :data:`flows.SIGNOFF_ROLES`: the security officer of the case's department), whatever the
  case's state — the state is the table's, checked by the action under the case's lock.
* Seeing one: :func:`ckanext.govshare.permissions.may_see_case`; listing: any logged-in user
  (the list holds what they may see).
* The department's "who can access what now":
  :func:`ckanext.govshare.permissions.may_see_access_overview`.

The writes are decisions of department roles, so sysadmins are judged like everyone else
(``auth_sysadmins_check``); they pass the reads before these functions run.
"""
from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.govshare import permissions
from ckanext.govshare.department import roles
from ckanext.govshare.lifecycle import tables
from ckanext.govshare.model.sharing import Case
from ckanext.govshare.sharing import cases, flows

__all__ = [
    "govshare_access_overview",
    "govshare_incident_close",
    "govshare_incident_create",
    "govshare_incident_handle",
    "govshare_incident_list",
    "govshare_incident_show",
    "govshare_signoff_list",
    "govshare_signoff_object",
    "govshare_signoff_show",
    "govshare_signoff_sign",
]

#: who reports a security incident of their department
REPORTING_ROLES = (tables.ROLE_REVIEWER, tables.ROLE_SECURITY_OFFICER)


def _case(data_dict: DataDict, kind: str) -> Case:
    ref = data_dict.get("id")
    if not ref:
        raise tk.ObjectNotFound(tk._("No such case"))
    return cases.get_case(str(ref), kind)


def _department(data_dict: DataDict) -> model.Group | None:
    ref = data_dict.get("organization_id")
    group = model.Group.get(str(ref)) if ref else None
    return group if group is not None and group.is_organization else None


def _may_fire(context: Context, kind: str, event: str, data_dict: DataDict) -> AuthResult:
    """The user holds, in the case, a role the flow's table lets fire ``event``."""
    case = _case(data_dict, kind)
    allowed = set()
    for (name, _stage), holders in flows.MACHINES[kind].role_permissions.items():
        if name == event:
            allowed |= holders
    if cases.case_roles(permissions.context_user(context), case) & allowed:
        return {"success": True}
    return {"success": False, "msg": tk._("Only the security officer of the department may "
                                          "do this")}


def _visible(context: Context, kind: str, data_dict: DataDict) -> AuthResult:
    if permissions.may_see_case(permissions.context_user(context), _case(data_dict, kind)):
        return {"success": True}
    return {"success": False, "msg": tk._("You may not see this case")}


def _logged_in(context: Context) -> AuthResult:
    if permissions.context_user(context) is not None:
        return {"success": True}
    return {"success": False, "msg": tk._("Log in first")}


@tk.auth_sysadmins_check
def govshare_incident_create(context: Context, data_dict: DataDict) -> AuthResult:
    """A reviewer or security officer of the department (DB14 §11.1 •4)."""
    org = _department(data_dict)
    user = permissions.context_user(context)
    if org is not None and user is not None and roles.has_role(user.id, org.id, REPORTING_ROLES):
        return {"success": True}
    return {"success": False, "msg": tk._("Only a reviewer or the security officer of the "
                                          "department may report a security incident")}


@tk.auth_sysadmins_check
def govshare_incident_handle(context: Context, data_dict: DataDict) -> AuthResult:
    """The security officer of the incident's department."""
    return _may_fire(context, flows.INCIDENT, flows.HANDLE, data_dict)


@tk.auth_sysadmins_check
def govshare_incident_close(context: Context, data_dict: DataDict) -> AuthResult:
    """The security officer of the incident's department."""
    return _may_fire(context, flows.INCIDENT, flows.CLOSE, data_dict)


def govshare_incident_show(context: Context, data_dict: DataDict) -> AuthResult:
    """The department's security officers, reviewers and administrators, the coordinators."""
    return _visible(context, flows.INCIDENT, data_dict)


def govshare_incident_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user: the list holds the incidents they may see."""
    return _logged_in(context)


@tk.auth_sysadmins_check
def govshare_signoff_sign(context: Context, data_dict: DataDict) -> AuthResult:
    """The security officer of the entry's department (DB14 §11.1 •1)."""
    return _may_fire(context, flows.GRADE_SIGNOFF, flows.SIGN, data_dict)


@tk.auth_sysadmins_check
def govshare_signoff_object(context: Context, data_dict: DataDict) -> AuthResult:
    """The security officer of the entry's department."""
    return _may_fire(context, flows.GRADE_SIGNOFF, flows.OBJECT, data_dict)


def govshare_signoff_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may see the case: the members of the entry's department."""
    return _visible(context, flows.GRADE_SIGNOFF, data_dict)


def govshare_signoff_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user: the list holds the sign-offs they may see."""
    return _logged_in(context)


def govshare_access_overview(context: Context, data_dict: DataDict) -> AuthResult:
    """The department's administrators, reviewers and security officers (sysadmins pass
    before this runs)."""
    org = _department(data_dict)
    if org is not None and permissions.may_see_access_overview(
            permissions.context_user(context), org.id):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the administrators, reviewers and security "
                                          "officers of the department may see who can access "
                                          "its data")}
