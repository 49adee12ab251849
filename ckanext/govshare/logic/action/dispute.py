"""Actions of disputes (争议, DB14 §7.6, §9.2 •5–6, §9.3 •3) and quality complaints (纠错, DB14
§10.3–10.4): one action per step of their tables (:data:`ckanext.govshare.sharing.flows.
DISPUTE_TRANSITIONS`, :data:`~ckanext.govshare.sharing.flows.COMPLAINT_TRANSITIONS`), their
detail and their lists.

Each action checks access once (the auth function of the same name: the roles the user holds
in the case), validates its parameters (the schemas below), and hands over to
:mod:`ckanext.govshare.sharing.dispute` or :mod:`~ckanext.govshare.sharing.complaint`, which
lock the case, ask its state machine, write, audit and notify. Every step accepts attachments:
``attachment_url`` (a link, or a list of links) and ``attachment_upload`` (an uploaded file, or
a list, sent as multipart form data). The answer of every step is the case as
``govshare_dispute_show`` / ``govshare_complaint_show`` give it.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict, Schema

from ckanext.govshare import permissions
from ckanext.govshare.messages import Label
from ckanext.govshare.model.sharing import Case
from ckanext.govshare.sharing import cases, complaint, flows
from ckanext.govshare.sharing import dispute as service

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

#: the page size of the lists by default, and the largest page one call returns
LIST_PAGE_SIZE = 50
LIST_MAX_PAGE_SIZE = 1000

# -- validators and schemas ------------------------------------------------------------------------

Validator = Callable[..., None]


def _blank(value: Any) -> bool:
    return value is None or value is tk.missing or (isinstance(value, str) and not value.strip())


def _required(key: Any, data: Any, errors: Any, context: Any) -> None:
    """A non-blank text, stripped."""
    if _blank(data.get(key)):
        errors[key].append(tk._("Missing value"))
        raise tk.StopOnError
    data[key] = str(data[key]).strip()


def _optional(key: Any, data: Any, errors: Any, context: Any) -> None:
    """A text, stripped; a missing or blank one is dropped."""
    if _blank(data.get(key)):
        data.pop(key, None)
        raise tk.StopOnError
    data[key] = str(data[key]).strip()


def _keep(key: Any, data: Any, errors: Any, context: Any) -> None:
    """Any value (a list, an uploaded file); a missing one is dropped."""
    if data.get(key) is tk.missing or data.get(key) is None:
        data.pop(key, None)
        raise tk.StopOnError


def _one_of(vocabulary: Mapping[str, Label]) -> Validator:
    def validator(key: Any, data: Any, errors: Any, context: Any) -> None:
        if data.get(key) not in vocabulary:
            errors[key].append(tk._("Not one of the values offered"))
            raise tk.StopOnError
    return validator


def _whole(maximum: int) -> Validator:
    def validator(key: Any, data: Any, errors: Any, context: Any) -> None:
        text = str(data.get(key)).strip()
        if not text.isdecimal() or int(text) > maximum:
            errors[key].append(tk._("Must be a whole number from 0 to {maximum}").format(
                maximum=maximum))
            raise tk.StopOnError
        data[key] = int(text)
    return validator


def _flag(key: Any, data: Any, errors: Any, context: Any) -> None:
    data[key] = tk.asbool(data.get(key))


_ATTACHMENTS = {"attachment_url": [_keep], "attachment_upload": [_keep]}


def _step() -> Schema:
    return {"id": [_required], "reason": [_optional], **_ATTACHMENTS}


def _show() -> Schema:
    return {"id": [_required]}


def _list(sides: Mapping[str, Label], states: Mapping[str, Label]) -> Callable[[], Schema]:
    def schema() -> Schema:
        return {"side": [_optional, _one_of(sides)], "state": [_optional, _one_of(states)],
                "open": [_optional, _flag], "entry_id": [_optional],
                "limit": [_optional, _whole(LIST_MAX_PAGE_SIZE)],
                "offset": [_optional, _whole(10**9)]}
    return schema


def dispute_create() -> Schema:
    return {"kind": [_required, _one_of(flows.DISPUTE_KINDS)], "entry_id": [_optional],
            "request_id": [_optional], "organization_id": [_optional],
            "claim": [_required], "basis": [_optional], "remedy": [_optional],
            **_ATTACHMENTS}


def dispute_decide() -> Schema:
    return {**_step(), "outcome": [_required, _one_of(flows.DISPUTE_OUTCOMES)],
            "items": [_keep], "persons": [_keep], "provision_method": [_optional],
            "validity_days": [_optional], "purpose": [_optional], "scenario": [_optional],
            "region": [_optional], "usage_scope": [_optional]}


_DISPUTE_SIDES = service.SIDES
_COMPLAINT_SIDES = {k: v for k, v in service.SIDES.items() if k != service.SIDE_COORDINATING}


def complaint_create() -> Schema:
    return {"entry_id": [_required], "item": [_optional],
            "type": [_required, _one_of(flows.COMPLAINT_TYPES)], "description": [_required],
            "basis": [_optional], "contact": [_required], "organization_id": [_optional],
            **_ATTACHMENTS}


def complaint_answer() -> Schema:
    return {**_step(), "correction_accepted": [_optional, _flag], "revision_id": [_optional]}


def complaint_rate() -> Schema:
    return {**_step(), "rating": [_required, _whole(max(complaint.RATINGS))]}


def complaint_reopen() -> Schema:
    return {**_step(), "rating": [_optional, _whole(max(complaint.RATINGS))]}


# -- helpers -------------------------------------------------------------------------------------


def _run(context: Context, work: Callable[[], Case]) -> dict[str, Any]:
    """Do ``work`` (a flow's step) all or nothing — in a savepoint, so that a refusal halfway
    (an execution that cannot open the revision) leaves nothing behind, even under
    ``defer_commit`` —, commit (unless ``defer_commit``), then tell those concerned, and
    answer the case as its ``show`` action does."""
    ctx: Any = context
    try:
        with model.Session.begin_nested():
            case_id = work().id
    except Exception:
        service.drop_notices(ctx)
        raise
    if not context.get("defer_commit"):
        model.repo.commit()
    service.send_notices(ctx)
    return service.show(permissions.context_user(context), cases.get_case(case_id))


def _fire(kind: str, event: str, context: Context, data_dict: DataDict, **extra: Any
          ) -> dict[str, Any]:
    ctx: Any = context

    def work() -> Case:
        case = cases.lock_case(data_dict["id"], kind)
        return service.step(ctx, case, event, reason=data_dict.get("reason"), data=data_dict,
                            **extra)
    return _run(context, work)


def _list_action(kind: str, context: Context, data_dict: DataDict) -> dict[str, Any]:
    user = permissions.context_user(context)
    if user is None:
        raise tk.NotAuthorized(tk._("Log in first"))
    entry_id = None
    if data_dict.get("entry_id"):
        pkg = model.Package.get(data_dict["entry_id"])
        entry_id = pkg.id if pkg is not None else data_dict["entry_id"]
    return service.case_list(
        user, kind, side=data_dict.get("side"), state=data_dict.get("state"),
        open_only=bool(data_dict.get("open")), entry_id=entry_id,
        limit=data_dict.get("limit", LIST_PAGE_SIZE), offset=data_dict.get("offset", 0))


# -- disputes ------------------------------------------------------------------------------------


@validate(dispute_create)
def govshare_dispute_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Raise a dispute (提出争议) against another department; it opens in negotiation, due
    after ``ckanext.govshare.deadline.negotiation_days`` working days.

    A catalogue dispute names the entry; a sharing dispute names the access request whose
    answer it contests (its requester or the requesting department's reviewer raises it): a
    refusal once refused, an overdue reply once the provider's step is past due, the
    conditions once set. A ``not_shared`` entry is contested with a ``share_attribute`` one.

    :param kind: ``ownership``, ``duplicate``, ``share_attribute``, ``content`` (about an
        entry) or ``refusal``, ``overdue``, ``conditions`` (about an access request)
    :type kind: string
    :param entry_id: the entry (id or name), for a catalogue dispute
    :type entry_id: string
    :param request_id: the access request (id or number), for a sharing dispute
    :type request_id: string
    :param organization_id: the department raising a catalogue dispute (default: the
        user's only one); a sharing dispute is the requesting department's
    :type organization_id: string
    :param claim: what is disputed, and why (required)
    :type claim: string
    :param basis: the legal or business basis
    :type basis: string
    :param remedy: what the raising department asks for
    :type remedy: string
    :param attachment_url: a link (or a list of links) to supporting documents
    :type attachment_url: string or list
    :param attachment_upload: a file (or a list of files) uploaded with the request
    :type attachment_upload: file
    :returns: the dispute, with ``days_left``, ``overdue``, ``timeline`` and
        ``allowed_events``
    :rtype: dictionary
    """
    tk.check_access("govshare_dispute_create", context, data_dict)
    ctx: Any = context
    return _run(context, lambda: service.raise_dispute(ctx, data_dict))


@validate(_step)
def govshare_dispute_settle(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Record that the two sides agreed (协商一致): the dispute is closed.

    Either side (the raiser or the raising department's reviewer, the responding
    department's reviewer), during the negotiation.

    :param id: the dispute (id or number)
    :type id: string
    :param reason: what was agreed (required)
    :type reason: string
    :param attachment_url: links to supporting documents
    :type attachment_url: string or list
    :param attachment_upload: uploaded files
    :type attachment_upload: file
    :returns: the dispute
    :rtype: dictionary
    """
    tk.check_access("govshare_dispute_settle", context, data_dict)
    return _fire(flows.DISPUTE, flows.SETTLE, context, data_dict,
                 assignee=service.NEXT_ASSIGNEE[flows.SETTLE])


@validate(_step)
def govshare_dispute_escalate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Escalate the dispute to the 统筹协调组织 (提请协调), who decides within
    ``ckanext.govshare.deadline.coordination_days`` working days.

    Either side, during the negotiation; a negotiation past its window is escalated
    automatically by ``ckan govshare remind``.

    :param id: the dispute (id or number)
    :type id: string
    :param reason: why the negotiation failed (required)
    :type reason: string
    :param attachment_url: links to supporting documents
    :type attachment_url: string or list
    :param attachment_upload: uploaded files
    :type attachment_upload: file
    :returns: the dispute
    :rtype: dictionary
    """
    tk.check_access("govshare_dispute_escalate", context, data_dict)
    return _fire(flows.DISPUTE, flows.ESCALATE, context, data_dict,
                 extra={"escalated": True}, assignee=service.NEXT_ASSIGNEE[flows.ESCALATE])


@validate(dispute_decide)
def govshare_dispute_decide(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The coordinator's binding decision (协调结论) on an escalated dispute.

    The outcome must be one the kind allows: ``revise_entry`` (the entry is changed through
    a revision), ``grant`` (access is granted), ``confirm_refusal`` or ``dismiss``. A grant
    takes the disputed request's terms; the terms given here override them, and are needed
    (at least ``provision_method`` and ``validity_days``) when there is no request.

    :param id: the dispute (id or number)
    :type id: string
    :param outcome: ``revise_entry``, ``grant``, ``confirm_refusal`` or ``dismiss``
    :type outcome: string
    :param reason: the reasons of the decision (required)
    :type reason: string
    :param items: the 信息项 granted (names; default all)
    :type items: list of strings
    :param persons: the users of the raising department granted (知悉范围; default: the
        whole department)
    :type persons: list of strings
    :param provision_method: ``query``, ``verify``, ``bulk`` or ``file``
    :type provision_method: string
    :param validity_days: 30, 90, 180 or 365
    :type validity_days: int
    :param purpose: the purpose of the use
    :type purpose: string
    :param scenario: the application scenario
    :type scenario: string
    :param region: the region of use
    :type region: string
    :param usage_scope: the scope of use
    :type usage_scope: string
    :param attachment_url: links to the decision's documents
    :type attachment_url: string or list
    :param attachment_upload: uploaded files
    :type attachment_upload: file
    :returns: the dispute
    :rtype: dictionary
    """
    tk.check_access("govshare_dispute_decide", context, data_dict)
    ctx: Any = context
    terms = {k: data_dict[k] for k in ("items", "persons", "provision_method", "validity_days",
                                        "purpose", "scenario", "region", "usage_scope")
             if k in data_dict}
    return _run(context, lambda: service.decide(
        ctx, cases.lock_case(data_dict["id"], flows.DISPUTE), outcome=data_dict["outcome"],
        reason=data_dict.get("reason"), terms=terms, data=data_dict))


@validate(_step)
def govshare_dispute_execute(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Carry out the coordinator's decision (执行结论).

    ``revise_entry`` opens a pending revision of the entry (its reason: the decision), which
    the entry's department edits and submits for review; ``grant`` creates the
    authorization (from the disputed request, or from an access request created already
    approved); ``confirm_refusal`` and ``dismiss`` change nothing but the record. The
    dispute's ``data.execution`` names what was created.

    :param id: the dispute (id or number)
    :type id: string
    :param reason: a comment
    :type reason: string
    :returns: the dispute
    :rtype: dictionary
    """
    tk.check_access("govshare_dispute_execute", context, data_dict)
    ctx: Any = context
    return _run(context, lambda: service.execute(
        ctx, cases.lock_case(data_dict["id"], flows.DISPUTE), reason=data_dict.get("reason"),
        data=data_dict))


@validate(_step)
def govshare_dispute_close(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Close (归档) an executed dispute.

    :param id: the dispute (id or number)
    :type id: string
    :param reason: a comment
    :type reason: string
    :returns: the dispute
    :rtype: dictionary
    """
    tk.check_access("govshare_dispute_close", context, data_dict)
    return _fire(flows.DISPUTE, flows.CLOSE, context, data_dict,
                 assignee=service.NEXT_ASSIGNEE[flows.CLOSE])


@validate(_step)
def govshare_dispute_withdraw(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Withdraw a dispute during the negotiation (the raising side).

    :param id: the dispute (id or number)
    :type id: string
    :param reason: a comment
    :type reason: string
    :returns: the dispute
    :rtype: dictionary
    """
    tk.check_access("govshare_dispute_withdraw", context, data_dict)
    return _fire(flows.DISPUTE, flows.WITHDRAW, context, data_dict,
                 assignee=service.NEXT_ASSIGNEE[flows.WITHDRAW])


@tk.side_effect_free
@validate(_show)
def govshare_dispute_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One dispute: its fields (``data``: kind, claim, basis, remedy, decision, execution),
    attachments, ``days_left`` (working days; negative: overdue), ``overdue``, its
    ``timeline`` (every step with its party, reasons and attachments) and the
    ``allowed_events`` of the user.

    :param id: the dispute (id or number)
    :type id: string
    :rtype: dictionary
    """
    tk.check_access("govshare_dispute_show", context, data_dict)
    return service.show(permissions.context_user(context),
                        cases.get_case(data_dict["id"], flows.DISPUTE))


@tk.side_effect_free
@validate(_list(_DISPUTE_SIDES, flows.DISPUTE_STATES))
def govshare_dispute_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The disputes the user may see, soonest due first.

    :param side: ``raised`` (by the user or their departments), ``received`` (against
        their departments), ``coordinating`` (escalated: for the coordinator) or
        ``waiting`` (open and waiting on the user); default every side
    :type side: string
    :param state: one state (``negotiating``, ``escalated``, ``decided``, ``executed``,
        ``closed``, ``withdrawn``)
    :type state: string
    :param open: only open disputes
    :type open: bool
    :param entry_id: only disputes about this entry (id or name)
    :type entry_id: string
    :param limit: page size (default 50, at most 1000)
    :type limit: int
    :param offset: page start
    :type offset: int
    :returns: ``{"count": n, "results": [...]}``, each with ``due_at``, ``days_left`` and
        ``overdue``
    :rtype: dictionary
    """
    tk.check_access("govshare_dispute_list", context, data_dict)
    return _list_action(flows.DISPUTE, context, data_dict)


# -- quality complaints --------------------------------------------------------------------------


@validate(complaint_create)
def govshare_complaint_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """File a quality complaint (纠错) about a published entry or one of its 信息项; the
    provider answers within ``ckanext.govshare.deadline.complaint_reply_days`` working days.

    :param entry_id: the entry (id or name)
    :type entry_id: string
    :param item: one of its 信息项 (name), if the complaint is about it
    :type item: string
    :param type: ``catalogue``, ``data_quality``, ``service`` or ``other``
    :type type: string
    :param description: what is wrong (required)
    :type description: string
    :param basis: what shows it (依据)
    :type basis: string
    :param contact: how to reach the complainant (required)
    :type contact: string
    :param organization_id: the complainant's department (default: their first)
    :type organization_id: string
    :param attachment_url: links to supporting documents
    :type attachment_url: string or list
    :param attachment_upload: uploaded files
    :type attachment_upload: file
    :returns: the complaint
    :rtype: dictionary
    """
    tk.check_access("govshare_complaint_create", context, data_dict)
    ctx: Any = context
    return _run(context, lambda: complaint.raise_complaint(ctx, data_dict))


@validate(complaint_answer)
def govshare_complaint_answer(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The provider's answer: the correction made (by the reviewer of the entry's department
    or a compiler of its unit).

    :param id: the complaint (id or number)
    :type id: string
    :param reason: the correction, or why nothing is to be corrected (required)
    :type reason: string
    :param correction_accepted: the complaint is accepted as an error of the entry (counts
        in the assessment's 准确性 once the complainant marks it solved)
    :type correction_accepted: bool
    :param revision_id: the revision of the entry that corrects it
    :type revision_id: string
    :returns: the complaint
    :rtype: dictionary
    """
    tk.check_access("govshare_complaint_answer", context, data_dict)
    ctx: Any = context
    return _run(context, lambda: complaint.answer(
        ctx, cases.lock_case(data_dict["id"], flows.COMPLAINT), reason=data_dict.get("reason"),
        correction_accepted=bool(data_dict.get("correction_accepted")),
        revision_id=data_dict.get("revision_id"), data=data_dict))


@validate(complaint_rate)
def govshare_complaint_rate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The complainant rates the answer 1–5 and marks the complaint solved.

    :param id: the complaint (id or number)
    :type id: string
    :param rating: 1 (poor) to 5 (very good)
    :type rating: int
    :param reason: a comment
    :type reason: string
    :returns: the complaint
    :rtype: dictionary
    """
    tk.check_access("govshare_complaint_rate", context, data_dict)
    ctx: Any = context
    return _run(context, lambda: complaint.rate(
        ctx, cases.lock_case(data_dict["id"], flows.COMPLAINT), rating=data_dict["rating"],
        comment=data_dict.get("reason"), data=data_dict))


@validate(complaint_reopen)
def govshare_complaint_reopen(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The complainant is not satisfied: the complaint goes back to the provider, with a
    new reply deadline.

    :param id: the complaint (id or number)
    :type id: string
    :param reason: what is still wrong (required)
    :type reason: string
    :param rating: a rating of the answer, 1–5 (optional)
    :type rating: int
    :returns: the complaint
    :rtype: dictionary
    """
    tk.check_access("govshare_complaint_reopen", context, data_dict)
    ctx: Any = context
    return _run(context, lambda: complaint.reopen(
        ctx, cases.lock_case(data_dict["id"], flows.COMPLAINT), reason=data_dict.get("reason"),
        rating=data_dict.get("rating"), data=data_dict))


@validate(_step)
def govshare_complaint_withdraw(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The complainant withdraws a complaint not yet answered.

    :param id: the complaint (id or number)
    :type id: string
    :param reason: a comment
    :type reason: string
    :returns: the complaint
    :rtype: dictionary
    """
    tk.check_access("govshare_complaint_withdraw", context, data_dict)
    ctx: Any = context
    return _run(context, lambda: complaint.withdraw(
        ctx, cases.lock_case(data_dict["id"], flows.COMPLAINT), reason=data_dict.get("reason"),
        data=data_dict))


@tk.side_effect_free
@validate(_show)
def govshare_complaint_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One complaint: its fields (``data``: type, item, description, basis, contact, answer,
    rating), attachments, ``days_left``, ``overdue``, ``timeline`` and the user's
    ``allowed_events``.

    :param id: the complaint (id or number)
    :type id: string
    :rtype: dictionary
    """
    tk.check_access("govshare_complaint_show", context, data_dict)
    return service.show(permissions.context_user(context),
                        cases.get_case(data_dict["id"], flows.COMPLAINT))


@tk.side_effect_free
@validate(_list(_COMPLAINT_SIDES, flows.COMPLAINT_STATES))
def govshare_complaint_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The complaints the user may see, soonest due first.

    :param side: ``raised`` (by the user or their departments), ``received`` (about their
        departments' entries) or ``waiting`` (open and waiting on the user); default every
        side
    :type side: string
    :param state: ``submitted``, ``answered``, ``solved`` or ``withdrawn``
    :type state: string
    :param open: only open complaints
    :type open: bool
    :param entry_id: only complaints about this entry (id or name)
    :type entry_id: string
    :param limit: page size (default 50, at most 1000)
    :type limit: int
    :param offset: page start
    :type offset: int
    :returns: ``{"count": n, "results": [...]}``, each with ``due_at``, ``days_left`` and
        ``overdue``
    :rtype: dictionary
    """
    tk.check_access("govshare_complaint_list", context, data_dict)
    return _list_action(flows.COMPLAINT, context, data_dict)
