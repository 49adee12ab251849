"""数据归集 and 回流 (DB14 §8.2–8.3): collection requests and vertical-system backflow requests,
and the write service of their flow.

A collection request (a ``govshare_case`` of kind ``collection``, ``type`` ``collection``)
states what §8.3.1 a) asks of every 归集需求 — the scenario, the data already held and the
department the needed data belongs to — and how it is to be collected (the target library,
full or incremental, the frequency, the fields; domain reference E.5). The requesting
department's 共享管理责任机构 reviews it (§8.3.1 b): its reviewer approves it with an
implementation suggestion, returns it for more information or refuses it. A backflow request
(回流, ``type`` ``backflow``, §8.3.2) asks a superior department, whose reviewer answers it the
same way. An approved request is completed (the collection task runs) by its requester or the
reviewer.

The case's own fields are in ``case.data`` (:data:`FIELDS`); the state, the roles and the
clock are :mod:`.cases`' and :mod:`.flows`' (the reviewer is the flow's
:data:`~.flows.PROVIDER_REVIEWER` of ``target_org``: the requester's own department for a
collection, the superior department for a backflow). Lists are
:func:`.demand.list_cases`'.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ckan.model as model

from ckanext.govshare.messages import Label
from ckanext.govshare.model.sharing import Case
from ckanext.govshare.sharing import cases, flows, notify

__all__ = [
    "BACKFLOW", "COLLECTION", "FIELDS", "LIBRARIES", "MODES", "TYPE", "approve", "complete",
    "create", "refuse", "resubmit", "return_", "target_of", "withdraw",
]

#: the case's ``type`` field (:data:`flows.COLLECTION_TYPES`)
TYPE = "type"
COLLECTION, BACKFLOW = tuple(flows.COLLECTION_TYPES)

# the request's own fields (case.data): DB14 §8.3.1 a), domain reference E.5
DESCRIPTION = "description"
SCENARIO = "scenario"  # 数据使用场景
EXISTING_DATA = "existing_data"  # 已有数据情况
SOURCE_ORG = "source_org"  # 所需数据的归属部门, a department of the portal…
SOURCE_NAME = "source_name"  # …or named (outside the portal, e.g. a ministry)
TARGET_LIBRARY = "target_library"  # 前置库 / 中心库
MODE = "mode"  # 全量 / 增量
FREQUENCY = "frequency"  # an update cycle of the catalogue's vocabulary
COLLECTED_FIELDS = "fields"  # 信息项 to collect, by name
ENTRY_ID = "entry_id"  # the catalogue entry concerned, if any
SUGGESTION = "suggestion"  # 实施建议 of the approval (§8.3.1 b)
COMPLETION = "completion"  # what was done (the task, its first run)

#: the fields a request is filed (and resubmitted) with, in the form's order
FIELDS: tuple[str, ...] = (DESCRIPTION, SCENARIO, EXISTING_DATA, SOURCE_ORG, SOURCE_NAME,
                           TARGET_LIBRARY, MODE, FREQUENCY, COLLECTED_FIELDS)

#: 归集目标库 (domain reference E.5)
LIBRARIES: dict[str, Label] = {
    "front": Label("前置库", "Front-end library"),
    "center": Label("中心库", "Central library"),
}
#: 归集方式
MODES: dict[str, Label] = {
    "full": Label("全量", "Full"),
    "incremental": Label("增量", "Incremental"),
}


def target_of(type_: str, requester_org: str, superior_org: str | None) -> str | None:
    """The department whose reviewer answers a request (pure): the requester's own for a
    collection (DB14 §8.3.1 b, 共享管理责任机构), the superior department for a backflow
    (§8.3.2)."""
    return superior_org if type_ == BACKFLOW else requester_org


def _done(context: Mapping[str, Any], case: Case, event: str) -> Case:
    """Commit the step (unless the caller defers it) and tell the people it concerns."""
    if not context.get("defer_commit"):
        model.repo.commit()
    notify.case_changed(case, event, cases.actor_id(context) or None)
    return case


def create(context: Mapping[str, Any], *, type_: str, title: str, requester_org: str,
           superior_org: str | None, data: Mapping[str, Any],
           entry_id: str | None = None) -> Case:
    """File a collection (or backflow) request of ``requester_org``; ``data`` holds
    :data:`FIELDS`, validated. Its review is due after
    ``ckanext.govshare.deadline.collection_review_days`` working days."""
    values = {k: data[k] for k in FIELDS if data.get(k) not in (None, "", [])}
    values[TYPE] = type_
    case = cases.open_case(
        context, flows.COLLECTION, title=title, requester_org=requester_org,
        target_org=target_of(type_, requester_org, superior_org), data=values,
        assignee=flows.PROVIDER_REVIEWER, entry_id=entry_id)
    return _done(context, case, "created")


def approve(context: Mapping[str, Any], ref: str, *, suggestion: str | None = None) -> Case:
    """Approve request ``ref`` with an implementation suggestion (实施建议, §8.3.1 b); the
    requester completes it once the collection runs."""
    case = cases.lock_case(ref, flows.COLLECTION)
    cases.fire(context, case, flows.APPROVE, reason=suggestion, assignee=flows.REQUESTER,
               data={SUGGESTION: suggestion} if suggestion else None)
    return _done(context, case, flows.APPROVE)


def return_(context: Mapping[str, Any], ref: str, *, reason: str) -> Case:
    """Return request ``ref`` to its requester for more information (reason required)."""
    case = cases.lock_case(ref, flows.COLLECTION)
    cases.fire(context, case, flows.RETURN, reason=reason, assignee=flows.REQUESTER)
    return _done(context, case, flows.RETURN)


def resubmit(context: Mapping[str, Any], ref: str, *, changes: Mapping[str, Any],
             title: str | None = None, reason: str | None = None) -> Case:
    """Resubmit a returned request ``ref`` with its changed fields (:data:`FIELDS`); a new
    review clock starts."""
    case = cases.lock_case(ref, flows.COLLECTION)
    values = {k: changes[k] for k in FIELDS if k in changes}
    cases.fire(context, case, flows.RESUBMIT, reason=reason, assignee=flows.PROVIDER_REVIEWER,
               data=values, audit_data={"changed": sorted(values)} if values else None)
    if title:
        case.title = title
    model.Session.flush()
    return _done(context, case, flows.RESUBMIT)


def refuse(context: Mapping[str, Any], ref: str, *, reason: str) -> Case:
    """Refuse request ``ref`` (未通过), with a reason."""
    case = cases.lock_case(ref, flows.COLLECTION)
    cases.fire(context, case, flows.REFUSE, reason=reason)
    return _done(context, case, flows.REFUSE)


def withdraw(context: Mapping[str, Any], ref: str, *, reason: str | None = None) -> Case:
    """Withdraw request ``ref`` (its requester), while in review or returned."""
    case = cases.lock_case(ref, flows.COLLECTION)
    cases.fire(context, case, flows.WITHDRAW, reason=reason)
    return _done(context, case, flows.WITHDRAW)


def complete(context: Mapping[str, Any], ref: str, *, note: str | None = None) -> Case:
    """Mark approved request ``ref`` completed (the collection task is configured and has
    run), with what was done."""
    case = cases.lock_case(ref, flows.COLLECTION)
    cases.fire(context, case, flows.COMPLETE, reason=note,
               data={COMPLETION: note} if note else None)
    return _done(context, case, flows.COMPLETE)
