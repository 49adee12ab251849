"""Quality complaints (数据质量投诉 / 纠错, DB14 §10.3–10.4; domain reference §B.5, §E.6): the
service.

Any portal user who sees a published entry may complain about it or about one of its 信息项
(type :data:`flows.COMPLAINT_TYPES`, description, basis, contact, attachments). The provider —
the reviewer of the entry's department or a compiler of its unit (``case.data["unit"]``) —
answers within ``complaint_reply`` working days with the correction: its text, optionally the
revision of the entry it opened, and whether the complaint was accepted as an error
(``correction_accepted``). The complainant then rates the answer 1–5 and marks the complaint
solved, or reopens it (the reply clock starts again).

A solved complaint whose correction was accepted is an error found in the catalogue: it counts
against the entry's department in the assessment's 准确性
(:func:`ckanext.govshare.assessment.queries.corrected_entry_ids`).
"""
from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.govshare import permissions
from ckanext.govshare.catalogue import fields
from ckanext.govshare.model.revision import Revision
from ckanext.govshare.model.sharing import Case
from ckanext.govshare.sharing import cases, dispute, flows

__all__ = ["RATINGS", "CORRECTION_ACCEPTED", "raise_complaint", "answer", "rate", "reopen",
           "withdraw"]

#: the scale of the complainant's rating (domain reference §B.5: 1–5)
RATINGS: tuple[int, ...] = (1, 2, 3, 4, 5)
#: the field of ``case.data`` that marks an accepted correction (read by the assessment)
CORRECTION_ACCEPTED = "correction_accepted"


def raise_complaint(context: MutableMapping[str, Any], data: Mapping[str, Any]) -> Case:
    """File a complaint (validated ``data``: ``entry_id``, ``item``, ``type``,
    ``description``, ``basis``, ``contact``, ``organization_id``, attachments); it waits on
    the provider's reviewer, due after ``complaint_reply`` working days.

    :raises tk.ObjectNotFound: no such entry, or one the user does not see
    :raises tk.ValidationError: an entry not published, a 信息项 it does not have
    """
    user = cases.context_user(context)
    if user is None:
        raise tk.NotAuthorized(tk._("Log in first"))
    pkg = dispute.entry_of(data.get("entry_id"))
    if not permissions.can_see_entry(user, pkg):
        raise tk.ObjectNotFound(tk._("No such catalogue entry"))
    if permissions.entry_state(pkg) not in permissions.VISIBLE_STATES:
        raise tk.ValidationError({"entry_id": [tk._(
            "Only a published catalogue entry can be the subject of a complaint")]})
    item = (data.get("item") or "").strip()
    if item:
        names = dispute.item_names(dispute.entry_items(pkg))
        if item not in names:
            raise tk.ValidationError({"item": [tk._("Not a data element of the entry")]})
        item = names[item]
    mine = dispute.user_departments(user)
    requester_org = data.get("organization_id") or (mine[0] if mine else None)
    if requester_org:
        org = model.Group.get(requester_org)
        if org is None or (org.id not in mine and not user.sysadmin):
            raise tk.ValidationError({"organization_id": [
                tk._("You can only act for a department you belong to")]})
        requester_org = org.id
    attachments = dispute.parse_attachments(data, step=dispute.CREATED, actor=user.id)
    case = cases.open_case(
        context, flows.COMPLAINT, title=pkg.title or pkg.name, requester_org=requester_org,
        target_org=pkg.owner_org, data={
            "type": data["type"], "item": item, "description": data["description"],
            "basis": data.get("basis") or "", "contact": data["contact"],
            # DB14 §7.2 业务谁主管，谁编制: the compilers of the entry's unit correct it
            "unit": pkg.extras.get(fields.PROVIDER_UNIT),
            "entry_title": pkg.title or pkg.name, "entry_name": pkg.name,
        },
        assignee=flows.PROVIDER_REVIEWER, entry_id=pkg.id,
        resource_code=pkg.extras.get(fields.RESOURCE_CODE), comment=data["description"],
        requester_user=user.id)
    if attachments:
        case.data = {**case.data, **dispute.with_attachments(
            case, dispute.store_attachments(case, attachments))}
        model.Session.flush()
    dispute.notice(context, case, dispute.CREATED, user.id)
    return case


def answer(context: MutableMapping[str, Any], case: Case, *, reason: str | None,
           correction_accepted: bool, revision_id: str | None,
           data: Mapping[str, Any]) -> Case:
    """The provider's answer to the locked ``case``: the correction (``reason``), whether the
    complaint is accepted as an error, and the revision of the entry that corrects it."""
    if revision_id:
        rev = model.Session.get(Revision, revision_id)
        if rev is None or rev.entry_id != case.entry_id:
            raise tk.ValidationError({"revision_id": [
                tk._("Not a revision of the entry complained about")]})
    user = cases.context_user(context)
    answered = {"text": (reason or "").strip(), CORRECTION_ACCEPTED: bool(correction_accepted),
                "revision_id": revision_id or None,
                "by": user.id if user is not None else None}
    # DB14 §10.4: the provider's correction is recorded with the complaint
    return dispute.step(context, case, flows.ANSWER, reason=reason, data=data,
                        extra={"answer": answered, CORRECTION_ACCEPTED: bool(correction_accepted),
                               "answers": int(case.data.get("answers") or 0) + 1},
                        assignee=flows.REQUESTER)


def rate(context: MutableMapping[str, Any], case: Case, *, rating: int, comment: str | None,
         data: Mapping[str, Any]) -> Case:
    """The complainant rates the answer of the locked ``case`` (1–5) and marks it solved."""
    if rating not in RATINGS:
        raise tk.ValidationError({"rating": [tk._("Rate the answer from 1 to 5")]})
    return dispute.step(context, case, flows.RATE, reason=comment, data=data,
                        extra={"rating": rating, "solved": True}, assignee=None)


def reopen(context: MutableMapping[str, Any], case: Case, *, reason: str | None,
           rating: int | None, data: Mapping[str, Any]) -> Case:
    """The complainant is not satisfied: the locked ``case`` goes back to the provider, its
    reply clock starting again."""
    extra: dict[str, Any] = {"solved": False}
    if rating is not None:
        if rating not in RATINGS:
            raise tk.ValidationError({"rating": [tk._("Rate the answer from 1 to 5")]})
        extra["rating"] = rating
    return dispute.step(context, case, flows.REOPEN, reason=reason, data=data, extra=extra,
                        assignee=flows.PROVIDER_REVIEWER)


def withdraw(context: MutableMapping[str, Any], case: Case, *, reason: str | None,
             data: Mapping[str, Any]) -> Case:
    """The complainant withdraws the locked ``case`` before it is answered."""
    return dispute.step(context, case, flows.WITHDRAW, reason=reason, data=data, assignee=None)
