"""Actions of the sharing flows: resource access requests (``govshare_access_request_*``),
authorizations and the access log (``govshare_authorization_*``, ``govshare_access_log_list``).

Each block checks access once with the auth function of its name and hands over to its service
in :mod:`ckanext.govshare.sharing` (:mod:`~ckanext.govshare.sharing.access`,
:mod:`~ckanext.govshare.sharing.authorizations`), which locks, checks, fires, audits and
notifies.
"""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import Invalid
from ckan.logic import validate
from ckan.types import Context, DataDict, Schema

from ckanext.govshare import permissions
from ckanext.govshare.logic.validators import moment, optional_text, whole_number
from ckanext.govshare.messages import join, local
from ckanext.govshare.sharing import access, authorizations, cases, flows

__all__: list[str] = []


# =================================================================================================
# 数据资源申请 (resource access requests) — DB14 §9.2–9.3, Appendix B Fig. B.2; the service is
# ckanext.govshare.sharing.access (one contiguous block: the authorizations are below)
# =================================================================================================

#: ``govshare_access_request_list``'s page size, and the most one call returns
REQUEST_PAGE_SIZE = 50
REQUEST_PAGE_MAX = 1000


def _one_of(choices: Any) -> Any:
    def validator(value: Any, context: Context) -> Any:
        if value not in choices:
            raise Invalid(tk._("Choose one of: {choices}").format(choices=", ".join(choices)))
        return value
    return validator


def _bounded(low: int, high: int | None) -> Any:
    def validator(value: Any, context: Context) -> int:
        try:
            number = int(str(value).strip())
        except ValueError:
            raise Invalid(tk._("Not a whole number")) from None
        if number < low or (high is not None and number > high):
            raise Invalid(tk._("Between {low} and {high}").format(low=low, high=high)
                          if high is not None else tk._("At least {low}").format(low=low))
        return number
    return validator


def _request_step_schema() -> Schema:
    v = tk.get_validator
    return {
        "id": [v("not_empty"), v("unicode_safe")],
        "reason": [v("ignore_missing"), v("unicode_safe")],
        "refusal_code": [v("ignore_missing"), v("unicode_safe"), _one_of(flows.REFUSAL_REASONS)],
    }


def _request_list_schema() -> Schema:
    v = tk.get_validator
    states = [*flows.REQUEST_STATES, access.STATE_OPEN, access.STATE_CLOSED]
    return {
        "side": [v("default")(access.SIDE_MINE), v("unicode_safe"), _one_of(access.LIST_SIDES)],
        "state": [v("ignore_missing"), v("unicode_safe"), _one_of(states)],
        "entry_id": [v("ignore_missing"), v("unicode_safe")],
        "organization_id": [v("ignore_missing"), v("unicode_safe")],
        "overdue": [v("default")(False), v("boolean_validator")],
        "limit": [v("default")(REQUEST_PAGE_SIZE), _bounded(1, REQUEST_PAGE_MAX)],
        "offset": [v("default")(0), _bounded(0, None)],
    }


def _request_result(context: Context, case: Any) -> dict[str, Any]:
    return access.as_dict(case, cases.context_user(context))


def _request_step(event: str, context: Context, data_dict: DataDict) -> dict[str, Any]:
    tk.check_access(f"govshare_access_request_{event}", context, data_dict)
    case = access.decide(context, data_dict["id"], event, reason=data_dict.get("reason"),
                         refusal_code=data_dict.get("refusal_code"))
    return _request_result(context, case)


def govshare_access_request_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """File a resource access request (数据资源申请) for a catalogue entry's data.

    The entry must be published and visible to the requester, not ``not_shared`` (raise a
    dispute about its share attribute instead), and its data not already the requester's.
    Across departments the requesting department's reviewer endorses it first (统一提出,
    DB14 §9.3 •1), within ``ckanext.govshare.deadline.endorsement_days`` working days; then the
    providing department's reviewer answers within ``reply_days`` (``reply_unpublished_days``
    for a draft entry linked to the requester's accepted demand). An ``unconditional`` entry's
    request is granted at once when ``ckanext.govshare.unconditional_requires_request`` is on.

    :param entry_id: the entry (id or name)
    :type entry_id: string
    :param items: the requested 信息项 by name (a list, or text separated by commas); empty:
        all of the entry's shared 信息项
    :type items: list of strings
    :param purpose: what the data is used for (用途), required
    :type purpose: string
    :param scenario: the application scenario (应用场景), required
    :type scenario: string
    :param basis: the legal or business basis (申请依据), required
    :type basis: string
    :param basis_url: a web address of the basis document (optional)
    :type basis_url: string
    :param basis_upload: the basis document as an uploaded file (optional, multipart)
    :type basis_upload: file
    :param organization_id: the requesting department (id or name); default: the requester's
        only department. The requester must be a member of it
    :type organization_id: string
    :param persons: who may use the data (知悉范围), user names of members of the requesting
        department; empty: the whole department
    :type persons: list of strings
    :param region: where the data is used (使用地域), required
    :type region: string
    :param usage_scope: the scope of use (使用范围), required
    :type usage_scope: string
    :param provision_method: ``query``, ``verify``, ``bulk`` or ``file`` (数据提供方式)
    :type provision_method: string
    :param validity_days: 30, 90, 180 or 365; or give ``valid_from`` and ``valid_until``
    :type validity_days: int
    :param valid_from: first day of use, ``YYYY-MM-DD`` (not in the past)
    :type valid_from: string
    :param valid_until: last day of use, ``YYYY-MM-DD`` (at most a year later)
    :type valid_until: string
    :param expected_volume: the expected volume of use (optional)
    :type expected_volume: string
    :param agreement_accepted: the requester accepts the terms of use of shared data; must
        be true
    :type agreement_accepted: bool
    :param parent_id: the authorization this request renews (``govshare_authorization_renew``
        sets it): its data may already be the requester's
    :type parent_id: string
    :param demand_id: the requester's demand (数据需求) for this entry, when filing for an
        entry not yet published (``must_publish_first``)
    :type demand_id: string
    :returns: the request (as :func:`govshare_access_request_show`)
    :rtype: dictionary
    """
    tk.check_access("govshare_access_request_create", context, data_dict)
    case = access.create(context, data_dict)
    return _request_result(context, case)


@validate(_request_step_schema)
def govshare_access_request_endorse(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Endorse a cross-department request for the requesting department (统一提出, DB14 §9.3
    •1): it goes to the providing department's reviewer.

    By a reviewer of the requesting department, not the requester.

    :param id: the request (id or number)
    :type id: string
    :param reason: a comment (optional)
    :type reason: string
    :returns: the request
    :rtype: dictionary
    """
    return _request_step(flows.ENDORSE, context, data_dict)


@validate(_request_step_schema)
def govshare_access_request_approve(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Approve a request: the authorization is created and the provider delivers the data
    within ``ckanext.govshare.deadline.delivery_days`` working days.

    By the providing department's reviewer; data graded at or above
    ``ckanext.govshare.sharing.security_review_grade`` then goes to the provider's security
    officer (another person), whose approval grants it.

    :param id: the request (id or number)
    :type id: string
    :param reason: a comment (optional)
    :type reason: string
    :returns: the request (``data.authorization_id`` once granted)
    :rtype: dictionary
    """
    return _request_step(flows.APPROVE, context, data_dict)


@validate(_request_step_schema)
def govshare_access_request_refuse(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Refuse a request, with a reason from the controlled list and its text (DB14 §9.3).

    By the decider of the request's step (requesting department's reviewer at endorsement,
    provider's reviewer, provider's security officer at the security stage).

    :param id: the request (id or number)
    :type id: string
    :param refusal_code: ``law``, ``not_ours``, ``not_ready`` or ``other``
    :type refusal_code: string
    :param reason: the explanation (required)
    :type reason: string
    :returns: the request
    :rtype: dictionary
    """
    return _request_step(flows.REFUSE, context, data_dict)


@validate(_request_step_schema)
def govshare_access_request_return(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Return a request to the requester for more information: its clock stops until it is
    resubmitted, then resumes with the working days it had left.

    :param id: the request (id or number)
    :type id: string
    :param reason: what is missing (required)
    :type reason: string
    :returns: the request
    :rtype: dictionary
    """
    return _request_step(flows.RETURN, context, data_dict)


def govshare_access_request_resubmit(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Resubmit a returned request, with the corrected fields: across departments it goes to
    the requesting department's reviewer again, within one department to the provider.

    By the requester. Fields not given stay as filed; those given are checked as at filing.

    :param id: the request (id or number)
    :type id: string
    :param reason: a comment (optional)
    :type reason: string
    :param <field>: any field of :func:`govshare_access_request_create` but ``entry_id``,
        ``organization_id`` and ``demand_id``
    :returns: the request
    :rtype: dictionary
    """
    ref = str(data_dict.get("id") or "").strip()
    if not ref:
        raise tk.ValidationError({"id": [tk._("Missing value")]})
    tk.check_access("govshare_access_request_resubmit", context, data_dict)
    changes = {k: v for k, v in data_dict.items() if k not in ("id", "reason")}
    case = access.decide(context, ref, flows.RESUBMIT, reason=data_dict.get("reason"),
                         changes=changes)
    return _request_result(context, case)


@validate(_request_step_schema)
def govshare_access_request_withdraw(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Withdraw a request that is not decided yet (by the requester).

    :param id: the request (id or number)
    :type id: string
    :param reason: a comment (optional)
    :type reason: string
    :returns: the request
    :rtype: dictionary
    """
    return _request_step(flows.WITHDRAW, context, data_dict)


@validate(_request_step_schema)
def govshare_access_request_deliver(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Confirm that the approved data has been provided (数据提供); closes the request.

    By the providing department's reviewer.

    :param id: the request (id or number)
    :type id: string
    :param reason: how it was provided (optional)
    :type reason: string
    :returns: the request
    :rtype: dictionary
    """
    return _request_step(flows.DELIVER, context, data_dict)


@tk.side_effect_free
@validate(_request_step_schema)
def govshare_access_request_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One request: its fields, state and deadline, its timeline and what the caller may do.

    Seen by the requester, the members of both departments, the coordinators and sysadmins.

    :param id: the request (id or number)
    :type id: string
    :returns: the case (``data`` holds the request's fields) with ``state_label``, ``due_at``,
        ``working_days_left`` (negative: overdue by that many), ``overdue``, ``entry``,
        ``requester``, ``persons``, ``timeline`` (oldest first), ``allowed_events`` and
        ``allowed_actions`` (the actions the caller may call now)
    :rtype: dictionary
    """
    tk.check_access("govshare_access_request_show", context, data_dict)
    return _request_result(context, cases.get_case(data_dict["id"], flows.ACCESS_REQUEST))


@tk.side_effect_free
@validate(_request_list_schema)
def govshare_access_request_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Requests on one side for the caller, with state, deadline and working days left.

    :param side: ``mine`` (filed by me, default), ``to_decide`` (waiting for my decision,
        soonest due first) or ``department`` (of my departments)
    :type side: string
    :param state: a state (``endorsement``, ``provider_review``, ``security_review``,
        ``returned``, ``approved``, ``delivered``, ``refused``, ``withdrawn``), ``open`` or
        ``closed``
    :type state: string
    :param entry_id: only requests for this entry (id or name)
    :type entry_id: string
    :param organization_id: with ``side=department``: one of my departments (id or name)
    :type organization_id: string
    :param overdue: only overdue requests
    :type overdue: bool
    :param limit: page size (default 50, at most 1000)
    :type limit: int
    :param offset: how many to skip (default 0)
    :type offset: int
    :returns: ``{"count": n, "results": [...]}``, each with ``state_label``, ``due_at``,
        ``working_days_left`` and ``overdue``
    :rtype: dictionary
    """
    tk.check_access("govshare_access_request_list", context, data_dict)
    user = cases.context_user(context)
    if user is None:
        raise tk.NotAuthorized(tk._("Log in to see access requests"))
    entry_id = data_dict.get("entry_id")
    if entry_id:
        pkg = model.Package.get(entry_id)
        entry_id = pkg.id if pkg is not None else entry_id
    org_id = data_dict.get("organization_id")
    if org_id:
        org = model.Group.get(org_id)
        if org is None or not org.is_organization:
            raise tk.ObjectNotFound(tk._("Department not found"))
        if not permissions.is_sysadmin(user) and org.id not in user.get_group_ids(
                group_type="organization"):
            raise tk.NotAuthorized(tk._("Only members of the department may see this"))
        org_id = org.id
    count, results = access.list_requests(
        user, side=data_dict["side"], state=data_dict.get("state"), entry_id=entry_id,
        organization_id=org_id, overdue=data_dict["overdue"], limit=data_dict["limit"],
        offset=data_dict["offset"])
    return {"count": count, "results": results}


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
# 授权 (authorizations) and the access log — DB14 §9.3, §11.1 •2; the service is
# ckanext.govshare.sharing.authorizations (one contiguous block: the access requests are above)
# =================================================================================================

#: the authorization list's and the access log's page size by default, and the largest page
AUTHORIZATION_PAGE_SIZE = 50
AUTHORIZATION_MAX_PAGE_SIZE = 1000


def _authorization_ref(key, data, errors, context) -> None:
    """The authorization's id or number, required."""
    value = data.get(key)
    if value is tk.missing or value is None or not str(value).strip():
        errors[key].append(tk._("Authorization (id) is required"))
        raise tk.StopOnError
    data[key] = str(value).strip()


def _authorization_choice(allowed, zh: str, en: str):
    """One of ``allowed``; a missing or blank value is dropped."""
    def validator(key, data, errors, context) -> None:
        value = data.get(key)
        if value is tk.missing or value in (None, ""):
            data.pop(key, None)
            raise tk.StopOnError
        if str(value) not in allowed:
            errors[key].append(tk._("{label} ({key}) must be one of: {value}").format(label=local(zh, en), key=key[-1], value=join(allowed)))
            raise tk.StopOnError
        data[key] = str(value)
    return validator


def _authorization_named(kind: str, zh: str, en: str):
    """A user or department named by id or name, as its id; a missing one is dropped."""
    def validator(key, data, errors, context) -> None:
        value = data.get(key)
        if value is tk.missing or value in (None, ""):
            data.pop(key, None)
            raise tk.StopOnError
        found = (model.User.get(str(value)) if kind == "user" else model.Group.get(str(value)))
        if found is None:
            errors[key].append(tk._("{label} ({key}) not found").format(label=local(zh, en), key=key[-1]))
            raise tk.StopOnError
        data[key] = found.id
    return validator


def _authorization_step_schema() -> dict:
    return {"id": [_authorization_ref], "reason": [optional_text]}


def _authorization_accept_schema() -> dict:
    return {"id": [_authorization_ref],
            "side": [_authorization_choice(("provider", "consumer"), "协议方", "Side")]}


def _authorization_list_schema() -> dict:
    return {
        "side": [_authorization_choice(tuple(authorizations.SIDES), "授权方向", "Side")],
        "organization_id": [_authorization_named("organization", "部门", "Department")],
        "status": [_authorization_choice(tuple(flows.AUTHORIZATION_STATES), "授权状态", "Status")],
        "entry_id": [optional_text], "valid_until_before": [moment],
        "limit": [whole_number(AUTHORIZATION_MAX_PAGE_SIZE)],
        "offset": [whole_number(10**9)],
    }


def _access_log_list_schema() -> dict:
    return {
        "entry_id": [optional_text], "user_id": [_authorization_named("user", "用户", "User")],
        "organization_id": [_authorization_named("organization", "部门", "Department")],
        "since": [moment], "until": [moment],
        "limit": [whole_number(AUTHORIZATION_MAX_PAGE_SIZE)],
        "offset": [whole_number(10**9)],
    }


def _authorization_result(context: Context, auth) -> dict[str, Any]:
    """The authorization as ``govshare_authorization_show`` returns it to the context's user."""
    user = permissions.context_user(context)
    result = authorizations.show_dict(auth, user=user,
                                      restricted=not permissions.unrestricted(context))
    result["timeline"] = [row.dictize() for row in authorizations.timeline(auth.id)]
    result["allowed_events"] = authorizations.allowed_events(user, auth)
    result["acceptable_sides"] = authorizations.acceptable_sides(user, auth)
    return result


def _authorization_done(context: Context, auth) -> dict[str, Any]:
    if not context.get("defer_commit"):
        model.repo.commit()
    return _authorization_result(context, auth)


@validate(_authorization_step_schema)
def govshare_authorization_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """An authorization (授权): its terms, status, validity, agreement and timeline.

    Seen by the members of its providing and consuming departments, the persons it names
    and sysadmins. ``in_force`` says whether it grants the data now (``active`` within its
    validity), ``lapsed`` whether it is past ``valid_until`` (expired even before the daily
    expiry records it), ``days_left`` the calendar days to its last day. ``agreement`` (or
    ``null``) holds the security agreement's text, SHA-256 ``checksum``, each side's
    acceptance and ``problems`` (``checksum``, ``terms``, ``acceptance``: what no longer
    matches). ``allowed_events`` and ``acceptable_sides`` are what the calling user may do.

    :param id: the authorization's id or number (``SQZ-2026-000001``)
    :type id: string
    :returns: the authorization
    :rtype: dictionary
    """
    tk.check_access("govshare_authorization_show", context, data_dict)
    return _authorization_result(context, authorizations.get(data_dict["id"]))


@validate(_authorization_list_schema)
def govshare_authorization_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The authorizations the user sees: granted to their departments (``side=consumer``,
    我部门获得的授权, including those naming them) or by them (``side=provider``,
    我部门提供的授权), or both; active first, then by end of validity.

    :param side: ``consumer`` or ``provider`` (optional)
    :type side: string
    :param organization_id: only this department's side (id or name, optional)
    :type organization_id: string
    :param status: ``pending_agreement``, ``active``, ``suspended``, ``expired``, ``revoked``
    :type status: string
    :param entry_id: only this entry's (optional)
    :type entry_id: string
    :param valid_until_before: only those ending before this date or time (optional)
    :type valid_until_before: string
    :param limit: page size (default 50, at most 1000)
    :type limit: int
    :param offset: first row
    :type offset: int
    :returns: ``{"count": n, "results": [authorization, ...]}``
    :rtype: dictionary
    """
    tk.check_access("govshare_authorization_list", context, data_dict)
    count, results = authorizations.list_authorizations(
        permissions.context_user(context), side=data_dict.get("side"),
        organization_id=data_dict.get("organization_id"), status=data_dict.get("status"),
        entry_id=data_dict.get("entry_id"),
        valid_until_before=data_dict.get("valid_until_before"),
        limit=data_dict.get("limit") or AUTHORIZATION_PAGE_SIZE,
        offset=data_dict.get("offset") or 0)
    return {"count": count, "results": results}


@validate(_authorization_step_schema)
def govshare_authorization_suspend(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Suspend an authorization (active or awaiting its agreement), with a reason: its holders
    lose the data until it is resumed. A reviewer or the security officer of the providing
    department (or a sysadmin).

    :param id: the authorization's id or number
    :type id: string
    :param reason: why (required)
    :type reason: string
    :returns: the authorization
    :rtype: dictionary
    """
    tk.check_access("govshare_authorization_suspend", context, data_dict)
    return _authorization_done(
        context, authorizations.suspend(context, data_dict["id"], data_dict.get("reason")))


@validate(_authorization_step_schema)
def govshare_authorization_resume(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Resume a suspended authorization: active again, or awaiting its security agreement while
    both sides have not accepted it (an entry whose grade now calls for one gets one).
    Refused while the entry is offline or not shared, and past the validity (renew instead).
    A reviewer of the providing department (or a sysadmin).

    :param id: the authorization's id or number
    :type id: string
    :param reason: an optional comment
    :type reason: string
    :returns: the authorization
    :rtype: dictionary
    """
    tk.check_access("govshare_authorization_resume", context, data_dict)
    return _authorization_done(
        context, authorizations.resume(context, data_dict["id"], data_dict.get("reason")))


@validate(_authorization_step_schema)
def govshare_authorization_revoke(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Revoke an authorization for good, with a reason. A reviewer or the security officer of
    the providing department (or a sysadmin).

    :param id: the authorization's id or number
    :type id: string
    :param reason: why (required)
    :type reason: string
    :returns: the authorization
    :rtype: dictionary
    """
    tk.check_access("govshare_authorization_revoke", context, data_dict)
    return _authorization_done(
        context, authorizations.revoke(context, data_dict["id"], data_dict.get("reason")))


@validate(_authorization_accept_schema)
def govshare_authorization_agreement_accept(context: Context,
                                            data_dict: DataDict) -> dict[str, Any]:
    """Accept the authorization's security agreement (安全协议, DB14 §11.1 •2) for one side:
    ``consumer`` — a reviewer of the consuming department or the requester; ``provider`` — a
    reviewer or the security officer of the providing department; two different persons.
    The acceptance records the text's checksum; once both sides accepted, the authorization
    becomes active. Refused when the text or the terms no longer match the checksum.

    :param id: the authorization's id or number
    :type id: string
    :param side: ``consumer`` or ``provider`` (optional when the user may accept for one
        side only)
    :type side: string
    :returns: the authorization
    :rtype: dictionary
    """
    tk.check_access("govshare_authorization_agreement_accept", context, data_dict)
    return _authorization_done(context, authorizations.accept_agreement(
        context, data_dict["id"], data_dict.get("side")))


def govshare_authorization_renew(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Ask to renew an authorization: a new access request (``govshare_access_request_create``)
    prefilled from it — entry, 信息项, purpose, scenario, region, usage scope, provision
    method, persons, a validity as long as before — with ``parent_id`` the authorization's
    id. Any field of the request given here replaces the prefilled one. An active or expired
    authorization; a member of the consuming department, the requester or a named person.

    :param id: the authorization's id or number
    :type id: string
    :param agreement_accepted: the requester accepts the terms of use of shared data again
        (required, as for every request)
    :type agreement_accepted: bool
    :param <field>: any other field of ``govshare_access_request_create`` to change, e.g.
        ``validity_days`` or ``basis``
    :returns: the new access request
    :rtype: dictionary
    """
    ref = str(data_dict.get("id") or "").strip()
    if not ref:
        raise tk.ValidationError({"id": [
            tk._("Authorization (id) is required")]})
    tk.check_access("govshare_authorization_renew", context, data_dict)
    auth = authorizations.get(ref)
    overrides = {k: v for k, v in data_dict.items() if k != "id"}
    request_data = authorizations.renewal_request(auth, overrides)
    request_context = {k: context[k] for k in ("user", "auth_user_obj") if k in context}
    request = tk.get_action("govshare_access_request_create")(request_context, request_data)
    authorizations.record_renewal(context, authorizations.get(auth.id), request)
    if not context.get("defer_commit"):
        model.repo.commit()
    return request


def govshare_authorization_expire(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Run the daily expiry now: every authorization (active, suspended or awaiting its
    agreement) past its ``valid_until`` becomes ``expired``, audited. What
    ``ckan govshare authorizations expire`` runs from cron. Sysadmins only.

    :returns: ``{"count": n, "results": [numbers of the expired authorizations]}``
    :rtype: dictionary
    """
    tk.check_access("govshare_authorization_expire", context, data_dict)
    done = authorizations.expire_due(context)
    if not context.get("defer_commit"):
        model.repo.commit()
    return {"count": len(done), "results": [a.number for a in done]}


@validate(_access_log_list_schema)
def govshare_access_log_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The access log (who reached an entry's data from outside its department): the
    accesses to the entries of the user's departments (the providing side) and the user's
    own (the consuming side); sysadmins see all. Newest first.

    :param entry_id: only this entry's (optional)
    :type entry_id: string
    :param user_id: only this user's (id or name, optional)
    :type user_id: string
    :param organization_id: only the entries of this department (id or name, optional)
    :type organization_id: string
    :param since: from this date or time (optional)
    :type since: string
    :param until: before this date or time (optional)
    :type until: string
    :param limit: page size (default 50, at most 1000)
    :type limit: int
    :param offset: first row
    :type offset: int
    :returns: ``{"count": n, "results": [access, ...]}`` (each with ``entry`` and ``user``)
    :rtype: dictionary
    """
    tk.check_access("govshare_access_log_list", context, data_dict)
    count, results = authorizations.access_log(
        permissions.context_user(context), entry_id=data_dict.get("entry_id"),
        user_id=data_dict.get("user_id"), organization_id=data_dict.get("organization_id"),
        since=data_dict.get("since"), until=data_dict.get("until"),
        limit=data_dict.get("limit") or AUTHORIZATION_PAGE_SIZE,
        offset=data_dict.get("offset") or 0)
    return {"count": count, "results": results}


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
