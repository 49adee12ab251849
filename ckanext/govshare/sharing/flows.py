"""The sharing flows as tables on the lifecycle engine (:class:`~ckanext.govshare.lifecycle.
machine.StateMachine`): states, events, transitions, who may fire what, the clocks that run.

Pure data and pure predicates (no database, no CKAN). Every flow's case lives in
``govshare_case`` (``kind``); the flow services load a case, ask the machine of its kind for the
transition and persist the result. Roles here are **relative to the case** — the person who
filed it, the reviewer of the requesting or of the providing department, the provider's
security officer, the coordinating body — and the services resolve them for a user
(:func:`ckanext.govshare.sharing.cases.case_roles`). ``system`` fires what nobody decides: an
automatic grant, a deadline passing.

Clocks are working-day limits named here and configured as
``ckanext.govshare.deadline.<clock>_days`` (:func:`ckanext.govshare.config.deadline_days`).
"""
from __future__ import annotations

from ckanext.govshare.lifecycle.machine import StateMachine
from ckanext.govshare.messages import Label

# -- kinds of case -------------------------------------------------------------------------------
ACCESS_REQUEST = "access_request"
DEMAND = "demand"
COLLECTION = "collection"
DISPUTE = "dispute"
COMPLAINT = "complaint"
INCIDENT = "incident"
GRADE_SIGNOFF = "grade_signoff"
#: the audit's ``kind`` for an authorization's own steps (not a case)
AUTHORIZATION = "authorization"

KINDS: dict[str, Label] = {
    ACCESS_REQUEST: Label("数据资源申请", "Access request"),
    DEMAND: Label("数据需求", "Data demand"),
    COLLECTION: Label("数据归集申请", "Collection request"),
    DISPUTE: Label("争议", "Dispute"),
    COMPLAINT: Label("质量纠错", "Quality complaint"),
    INCIDENT: Label("安全事件", "Security incident"),
    GRADE_SIGNOFF: Label("分级确认", "Grade sign-off"),
}

#: prefixes of the human-readable case numbers (SQ-2026-000042)
NUMBER_PREFIX: dict[str, str] = {
    ACCESS_REQUEST: "SQ", DEMAND: "XQ", COLLECTION: "GJ", DISPUTE: "ZY", COMPLAINT: "JC",
    INCIDENT: "AQ", GRADE_SIGNOFF: "FJ", AUTHORIZATION: "SQZ",
}

# -- roles relative to a case --------------------------------------------------------------------
REQUESTER = "requester"  # who filed the case (申请人 / 提出人)
CONSUMER_REVIEWER = "consumer_reviewer"  # reviewer of the requesting department (统一提出)
PROVIDER_REVIEWER = "provider_reviewer"  # reviewer of the providing / target department
PROVIDER_SECURITY = "provider_security"  # security officer of the providing department
PROVIDER_COMPILER = "provider_compiler"  # compiler of the entry's unit (answers complaints)
COORDINATOR = "coordinator"  # 统筹协调组织 (the coordinating department's coordinators)
SECURITY_OFFICER = "security_officer"  # security officer of the case's department
PARTY_RAISER = "party_raiser"  # a dispute's raising side: its requester or their reviewer
PARTY_RESPONDENT = "party_respondent"  # a dispute's answering side: the target's reviewer
SYSTEM = "system"

ROLES: dict[str, Label] = {
    REQUESTER: Label("申请人", "Requester"),
    CONSUMER_REVIEWER: Label("申请部门审核人", "Requesting department's reviewer"),
    PROVIDER_REVIEWER: Label("提供部门审核人", "Providing department's reviewer"),
    PROVIDER_SECURITY: Label("提供部门安全管理员", "Providing department's security officer"),
    PROVIDER_COMPILER: Label("提供处室编制人", "Compiler of the providing unit"),
    COORDINATOR: Label("统筹协调人", "Coordinator"),
    SECURITY_OFFICER: Label("安全管理员", "Security officer"),
    PARTY_RAISER: Label("提出方", "Raising party"),
    PARTY_RESPONDENT: Label("被提出方", "Responding party"),
    SYSTEM: Label("系统", "System"),
}

# -- clocks (ckanext.govshare.deadline.<clock>_days) ---------------------------------------------
CLOCK_ENDORSEMENT = "endorsement"
CLOCK_REPLY = "reply"
CLOCK_REPLY_UNPUBLISHED = "reply_unpublished"
CLOCK_DELIVERY = "delivery"
CLOCK_DEMAND_REPLY = "demand_reply"
CLOCK_COLLECTION_REVIEW = "collection_review"
CLOCK_NEGOTIATION = "negotiation"
CLOCK_COORDINATION = "coordination"
CLOCK_COMPLAINT_REPLY = "complaint_reply"
CLOCK_SIGNOFF = "signoff"
CLOCKS: tuple[str, ...] = (
    CLOCK_ENDORSEMENT, CLOCK_REPLY, CLOCK_REPLY_UNPUBLISHED, CLOCK_DELIVERY, CLOCK_DEMAND_REPLY,
    CLOCK_COLLECTION_REVIEW, CLOCK_NEGOTIATION, CLOCK_COORDINATION, CLOCK_COMPLAINT_REPLY,
    CLOCK_SIGNOFF)

# -- shared state and event names ----------------------------------------------------------------
SUBMITTED = "submitted"
RETURNED = "returned"
APPROVED = "approved"
REFUSED = "refused"
WITHDRAWN = "withdrawn"
CLOSED = "closed"

RETURN = "return"
RESUBMIT = "resubmit"
APPROVE = "approve"
REFUSE = "refuse"
WITHDRAW = "withdraw"
CLOSE = "close"

# ================================================================================================
# 数据资源申请 (DB14 §9.2–9.3, Appendix B Fig. B.2)
# ================================================================================================
ENDORSEMENT = "endorsement"
PROVIDER_REVIEW = "provider_review"
SECURITY_REVIEW = "security_review"
DELIVERED = "delivered"

ENDORSE = "endorse"
DELIVER = "deliver"
GRANT = "grant"  # the automatic grant of an unconditional entry's request

#: the branch names of the access request's alternative targets
BRANCH_DIRECT = "direct"  # same department: no endorsement
BRANCH_SECURITY = "security"  # grade at or above the security level: the security officer too

REQUEST_STATES: dict[str, Label] = {
    ENDORSEMENT: Label("待本部门审核", "Awaiting endorsement"),
    PROVIDER_REVIEW: Label("待提供部门审核", "Awaiting the provider"),
    SECURITY_REVIEW: Label("待安全审核", "Awaiting security review"),
    RETURNED: Label("退回补充", "Returned for information"),
    APPROVED: Label("已同意", "Approved"),
    DELIVERED: Label("已提供", "Delivered"),
    REFUSED: Label("不予共享", "Refused"),
    WITHDRAWN: Label("已撤回", "Withdrawn"),
}
REQUEST_EVENTS: dict[str, Label] = {
    ENDORSE: Label("同意提出", "endorse"),
    APPROVE: Label("同意共享", "approve"),
    REFUSE: Label("不予共享", "refuse"),
    RETURN: Label("退回补充", "return for information"),
    RESUBMIT: Label("重新提交", "resubmit"),
    WITHDRAW: Label("撤回申请", "withdraw"),
    DELIVER: Label("确认已提供", "confirm delivery"),
    GRANT: Label("自动授权", "grant automatically"),
}
# DB14 §9.3 •1: a cross-department request is made by the requesting department (统一提出),
# then the providing department answers; §11: graded data needs its security officer too
REQUEST_TRANSITIONS: dict[tuple[str, str], str] = {
    (ENDORSEMENT, ENDORSE): PROVIDER_REVIEW,
    (ENDORSEMENT, RETURN): RETURNED,
    (ENDORSEMENT, REFUSE): REFUSED,
    (ENDORSEMENT, WITHDRAW): WITHDRAWN,
    (ENDORSEMENT, GRANT): APPROVED,
    (PROVIDER_REVIEW, APPROVE): APPROVED,
    (PROVIDER_REVIEW, REFUSE): REFUSED,
    (PROVIDER_REVIEW, RETURN): RETURNED,
    (PROVIDER_REVIEW, WITHDRAW): WITHDRAWN,
    (PROVIDER_REVIEW, GRANT): APPROVED,
    (SECURITY_REVIEW, APPROVE): APPROVED,
    (SECURITY_REVIEW, REFUSE): REFUSED,
    (SECURITY_REVIEW, RETURN): RETURNED,
    (SECURITY_REVIEW, WITHDRAW): WITHDRAWN,
    (RETURNED, RESUBMIT): ENDORSEMENT,
    (RETURNED, WITHDRAW): WITHDRAWN,
    (APPROVED, DELIVER): DELIVERED,
}
REQUEST_ALTERNATIVES: dict[tuple[str, str, str], str] = {
    (RETURNED, RESUBMIT, BRANCH_DIRECT): PROVIDER_REVIEW,
    (PROVIDER_REVIEW, APPROVE, BRANCH_SECURITY): SECURITY_REVIEW,
}
REQUEST_ROLES: dict[tuple[str, str | None], frozenset[str]] = {
    (ENDORSE, None): frozenset({CONSUMER_REVIEWER}),
    (APPROVE, None): frozenset({PROVIDER_REVIEWER, PROVIDER_SECURITY}),
    (REFUSE, None): frozenset({CONSUMER_REVIEWER, PROVIDER_REVIEWER, PROVIDER_SECURITY}),
    (RETURN, None): frozenset({CONSUMER_REVIEWER, PROVIDER_REVIEWER, PROVIDER_SECURITY}),
    (RESUBMIT, None): frozenset({REQUESTER}),
    (WITHDRAW, None): frozenset({REQUESTER}),
    (DELIVER, None): frozenset({PROVIDER_REVIEWER}),
    (GRANT, None): frozenset({SYSTEM}),
}
#: who decides at each open state of a request (the assignee the service records)
REQUEST_DECIDER: dict[str, str] = {
    ENDORSEMENT: CONSUMER_REVIEWER,
    PROVIDER_REVIEW: PROVIDER_REVIEWER,
    SECURITY_REVIEW: PROVIDER_SECURITY,
    RETURNED: REQUESTER,
    APPROVED: PROVIDER_REVIEWER,
}

#: refusal reasons of a request (and a demand), with the controlled list of DB14 §9.3 practice
REFUSAL_REASONS: dict[str, Label] = {
    "law": Label("法律法规不允许", "Not permitted by law or regulation"),
    "not_ours": Label("数据不在本部门", "The data is not held by this department"),
    "not_ready": Label("不具备共享条件", "The data is not ready to be shared"),
    "other": Label("其他", "Other"),
}
#: 数据提供方式 of a request (domain reference A.4.4)
PROVISION_METHODS: dict[str, Label] = {
    "query": Label("信息查询接口", "Query API"),
    "verify": Label("数据核验接口", "Verification API"),
    "bulk": Label("批量库表交换", "Bulk table exchange"),
    "file": Label("文件下载交换", "File download"),
}
#: validity choices of a request, in days ("dates" gives valid_from / valid_until)
VALIDITY_DAYS: tuple[int, ...] = (30, 90, 180, 365)

# ================================================================================================
# 授权 (the grant an approved request creates)
# ================================================================================================
PENDING_AGREEMENT = "pending_agreement"
ACTIVE = "active"
SUSPENDED = "suspended"
EXPIRED = "expired"
REVOKED = "revoked"

ACTIVATE = "activate"
SUSPEND = "suspend"
RESUME = "resume"
REVOKE = "revoke"
EXPIRE = "expire"

AUTHORIZATION_STATES: dict[str, Label] = {
    PENDING_AGREEMENT: Label("待签署安全协议", "Awaiting the security agreement"),
    ACTIVE: Label("有效", "Active"),
    SUSPENDED: Label("已暂停", "Suspended"),
    EXPIRED: Label("已到期", "Expired"),
    REVOKED: Label("已撤销", "Revoked"),
}
AUTHORIZATION_EVENTS: dict[str, Label] = {
    ACTIVATE: Label("生效", "activate"),
    SUSPEND: Label("暂停", "suspend"),
    RESUME: Label("恢复", "resume"),
    REVOKE: Label("撤销", "revoke"),
    EXPIRE: Label("到期", "expire"),
}
AUTHORIZATION_TRANSITIONS: dict[tuple[str, str], str] = {
    (PENDING_AGREEMENT, ACTIVATE): ACTIVE,
    (PENDING_AGREEMENT, REVOKE): REVOKED,
    (PENDING_AGREEMENT, SUSPEND): SUSPENDED,
    (PENDING_AGREEMENT, EXPIRE): EXPIRED,
    (ACTIVE, SUSPEND): SUSPENDED,
    (ACTIVE, REVOKE): REVOKED,
    (ACTIVE, EXPIRE): EXPIRED,
    (SUSPENDED, RESUME): ACTIVE,
    (SUSPENDED, REVOKE): REVOKED,
    (SUSPENDED, EXPIRE): EXPIRED,
}
AUTHORIZATION_ALTERNATIVES: dict[tuple[str, str, str], str] = {
    # resuming a grant whose agreement is not yet accepted by both sides
    (SUSPENDED, RESUME, "agreement"): PENDING_AGREEMENT,
}
AUTHORIZATION_ROLES: dict[tuple[str, str | None], frozenset[str]] = {
    (ACTIVATE, None): frozenset({SYSTEM}),
    (SUSPEND, None): frozenset({PROVIDER_REVIEWER, PROVIDER_SECURITY, SYSTEM}),
    (RESUME, None): frozenset({PROVIDER_REVIEWER}),
    (REVOKE, None): frozenset({PROVIDER_REVIEWER, PROVIDER_SECURITY}),
    (EXPIRE, None): frozenset({SYSTEM}),
}
#: the statuses under which a grant lets its holders see the data
AUTHORIZATION_GRANTING: frozenset[str] = frozenset({ACTIVE})

# ================================================================================================
# 数据需求 (DB14 §6.3, §9.2–9.3, Fig. B.1)
# ================================================================================================
ACCEPTED = "accepted"
FULFILLED = "fulfilled"
ACCEPT = "accept"
TRANSFER = "transfer"
FULFIL = "fulfil"

DEMAND_STATES: dict[str, Label] = {
    SUBMITTED: Label("待受理", "Awaiting the target department"),
    ACCEPTED: Label("已受理", "Accepted"),
    FULFILLED: Label("已满足", "Fulfilled"),
    REFUSED: Label("不予受理", "Refused"),
    WITHDRAWN: Label("已撤回", "Withdrawn"),
}
DEMAND_EVENTS: dict[str, Label] = {
    ACCEPT: Label("受理", "accept"),
    TRANSFER: Label("转办", "transfer"),
    REFUSE: Label("不予受理", "refuse"),
    FULFIL: Label("已满足", "fulfil"),
    WITHDRAW: Label("撤回", "withdraw"),
}
DEMAND_TRANSITIONS: dict[tuple[str, str], str] = {
    (SUBMITTED, ACCEPT): ACCEPTED,
    (SUBMITTED, TRANSFER): SUBMITTED,
    (SUBMITTED, REFUSE): REFUSED,
    (SUBMITTED, WITHDRAW): WITHDRAWN,
    (ACCEPTED, FULFIL): FULFILLED,
    (ACCEPTED, WITHDRAW): WITHDRAWN,
}
DEMAND_ROLES: dict[tuple[str, str | None], frozenset[str]] = {
    (ACCEPT, None): frozenset({PROVIDER_REVIEWER}),
    # a demand for an unknown department goes to the coordinator, who routes it (转办)
    (TRANSFER, None): frozenset({PROVIDER_REVIEWER, COORDINATOR}),
    (REFUSE, None): frozenset({PROVIDER_REVIEWER}),
    (FULFIL, None): frozenset({SYSTEM, PROVIDER_REVIEWER}),
    (WITHDRAW, None): frozenset({REQUESTER}),
}

# ================================================================================================
# 数据归集 and 回流 (DB14 §8.2–8.3)
# ================================================================================================
COMPLETED = "completed"
COMPLETE = "complete"
COLLECTION_TYPES: dict[str, Label] = {
    "collection": Label("归集", "Collection"),
    "backflow": Label("回流", "Backflow"),
}
COLLECTION_STATES: dict[str, Label] = {
    SUBMITTED: Label("待审核", "In review"),
    RETURNED: Label("退回补充", "Returned for information"),
    APPROVED: Label("审核通过", "Approved"),
    COMPLETED: Label("已完成", "Completed"),
    REFUSED: Label("未通过", "Refused"),
    WITHDRAWN: Label("已撤回", "Withdrawn"),
}
COLLECTION_EVENTS: dict[str, Label] = {
    APPROVE: Label("审核通过", "approve"),
    RETURN: Label("退回补充", "return for information"),
    REFUSE: Label("不予通过", "refuse"),
    RESUBMIT: Label("重新提交", "resubmit"),
    COMPLETE: Label("确认完成", "complete"),
    WITHDRAW: Label("撤回", "withdraw"),
}
# DB14 §8.3.1 b): the 共享管理责任机构 reviews a collection request; §8.3.2: a backflow
# request goes to the superior department
COLLECTION_TRANSITIONS: dict[tuple[str, str], str] = {
    (SUBMITTED, APPROVE): APPROVED,
    (SUBMITTED, RETURN): RETURNED,
    (SUBMITTED, REFUSE): REFUSED,
    (SUBMITTED, WITHDRAW): WITHDRAWN,
    (RETURNED, RESUBMIT): SUBMITTED,
    (RETURNED, WITHDRAW): WITHDRAWN,
    (APPROVED, COMPLETE): COMPLETED,
}
COLLECTION_ROLES: dict[tuple[str, str | None], frozenset[str]] = {
    (APPROVE, None): frozenset({PROVIDER_REVIEWER}),
    (RETURN, None): frozenset({PROVIDER_REVIEWER}),
    (REFUSE, None): frozenset({PROVIDER_REVIEWER}),
    (RESUBMIT, None): frozenset({REQUESTER}),
    (WITHDRAW, None): frozenset({REQUESTER}),
    (COMPLETE, None): frozenset({REQUESTER, PROVIDER_REVIEWER}),
}

# ================================================================================================
# 争议 (DB14 §7.6, §9.2 •5–6, §9.3 •3)
# ================================================================================================
NEGOTIATING = "negotiating"
ESCALATED = "escalated"
DECIDED = "decided"
EXECUTED = "executed"
SETTLE = "settle"
ESCALATE = "escalate"
DECIDE = "decide"
EXECUTE = "execute"


DISPUTE_KINDS: dict[str, Label] = {
    # catalogue disputes (目录争议, §7.6)
    "ownership": Label("数源（职责）争议", "Ownership (data source)"),
    "duplicate": Label("重复编目", "Duplicate entry"),
    "share_attribute": Label("共享属性争议", "Share attribute"),
    "content": Label("目录内容争议", "Catalogue content"),
    # sharing disputes (共享争议, §9.2 •5–6, §9.3 •3)
    "refusal": Label("不予共享争议", "Refusal"),
    "overdue": Label("超期未答复", "Overdue reply"),
    "conditions": Label("共享条件争议", "Sharing conditions"),
}
#: what a binding decision orders (executed by the service)
DISPUTE_OUTCOMES: dict[str, Label] = {
    "revise_entry": Label("修改目录条目", "Revise the entry"),
    "grant": Label("予以授权", "Grant access"),
    "confirm_refusal": Label("维持原答复", "Confirm the refusal"),
    "dismiss": Label("驳回争议", "Dismiss the dispute"),
}
DISPUTE_STATES: dict[str, Label] = {
    NEGOTIATING: Label("协商中", "In negotiation"),
    ESCALATED: Label("已提请协调", "Escalated to the coordinator"),
    DECIDED: Label("已作出协调结论", "Decided"),
    EXECUTED: Label("已执行", "Executed"),
    CLOSED: Label("已办结", "Closed"),
    WITHDRAWN: Label("已撤回", "Withdrawn"),
}
DISPUTE_EVENTS: dict[str, Label] = {
    SETTLE: Label("协商一致", "settle"),
    ESCALATE: Label("提请协调", "escalate"),
    DECIDE: Label("作出协调结论", "decide"),
    EXECUTE: Label("执行结论", "execute"),
    CLOSE: Label("办结", "close"),
    WITHDRAW: Label("撤回", "withdraw"),
}
# Appendix B: 发起 → 双方协商 → 提请统筹协调组织协调 → 协调结论 (binding) → 执行 → 归档
DISPUTE_TRANSITIONS: dict[tuple[str, str], str] = {
    (NEGOTIATING, SETTLE): CLOSED,
    (NEGOTIATING, ESCALATE): ESCALATED,
    (NEGOTIATING, WITHDRAW): WITHDRAWN,
    (ESCALATED, DECIDE): DECIDED,
    (DECIDED, EXECUTE): EXECUTED,
    (EXECUTED, CLOSE): CLOSED,
}
DISPUTE_ROLES: dict[tuple[str, str | None], frozenset[str]] = {
    (SETTLE, None): frozenset({PARTY_RAISER, PARTY_RESPONDENT}),
    (ESCALATE, None): frozenset({PARTY_RAISER, PARTY_RESPONDENT, SYSTEM}),
    (WITHDRAW, None): frozenset({PARTY_RAISER}),
    (DECIDE, None): frozenset({COORDINATOR}),
    (EXECUTE, None): frozenset({COORDINATOR, SYSTEM}),
    (CLOSE, None): frozenset({COORDINATOR}),
}

# ================================================================================================
# 质量纠错 (DB14 §10.3–10.4)
# ================================================================================================
ANSWERED = "answered"
SOLVED = "solved"
ANSWER = "answer"
RATE = "rate"
REOPEN = "reopen"

COMPLAINT_TYPES: dict[str, Label] = {
    "catalogue": Label("目录纠错", "Catalogue error"),
    "data_quality": Label("数据质量", "Data quality"),
    "service": Label("服务响应", "Service"),
    "other": Label("其他", "Other"),
}
COMPLAINT_STATES: dict[str, Label] = {
    SUBMITTED: Label("待处理", "Awaiting the provider"),
    ANSWERED: Label("已答复", "Answered"),
    SOLVED: Label("已评价办结", "Rated and closed"),
    WITHDRAWN: Label("已撤回", "Withdrawn"),
}
COMPLAINT_EVENTS: dict[str, Label] = {
    ANSWER: Label("答复", "answer"),
    RATE: Label("评价", "rate"),
    REOPEN: Label("重新打开", "reopen"),
    WITHDRAW: Label("撤回", "withdraw"),
}
COMPLAINT_TRANSITIONS: dict[tuple[str, str], str] = {
    (SUBMITTED, ANSWER): ANSWERED,
    (SUBMITTED, WITHDRAW): WITHDRAWN,
    (ANSWERED, RATE): SOLVED,
    (ANSWERED, REOPEN): SUBMITTED,
}
COMPLAINT_ROLES: dict[tuple[str, str | None], frozenset[str]] = {
    (ANSWER, None): frozenset({PROVIDER_REVIEWER, PROVIDER_COMPILER}),
    (RATE, None): frozenset({REQUESTER}),
    (REOPEN, None): frozenset({REQUESTER}),
    (WITHDRAW, None): frozenset({REQUESTER}),
}

# ================================================================================================
# 安全事件 and 分级确认 (DB14 §11.1–11.2)
# ================================================================================================
REPORTED = "reported"
HANDLING = "handling"
HANDLE = "handle"
SIGNED = "signed"
OBJECTED = "objected"
SIGN = "sign"
OBJECT = "object"

INCIDENT_STATES: dict[str, Label] = {
    REPORTED: Label("已报告", "Reported"),
    HANDLING: Label("处置中", "Being handled"),
    CLOSED: Label("已关闭", "Closed"),
}
INCIDENT_EVENTS: dict[str, Label] = {
    HANDLE: Label("记录处置步骤", "record a handling step"),
    CLOSE: Label("关闭事件", "close"),
}
INCIDENT_TRANSITIONS: dict[tuple[str, str], str] = {
    (REPORTED, HANDLE): HANDLING,
    (HANDLING, HANDLE): HANDLING,
    (REPORTED, CLOSE): CLOSED,
    (HANDLING, CLOSE): CLOSED,
}
INCIDENT_ROLES: dict[tuple[str, str | None], frozenset[str]] = {
    (HANDLE, None): frozenset({SECURITY_OFFICER}),
    (CLOSE, None): frozenset({SECURITY_OFFICER}),
}
INCIDENT_SEVERITIES: dict[str, Label] = {
    "major": Label("重大", "Major"),
    "serious": Label("较大", "Serious"),
    "general": Label("一般", "General"),
}

SIGNOFF_STATES: dict[str, Label] = {
    SUBMITTED: Label("待安全确认", "Awaiting the security officer"),
    SIGNED: Label("已确认", "Signed off"),
    OBJECTED: Label("有异议", "Objected"),
}
SIGNOFF_EVENTS: dict[str, Label] = {
    SIGN: Label("确认分级", "sign off"),
    OBJECT: Label("提出异议", "object"),
}
# DB14 §11.1: the grade of a high-grade entry is confirmed by the department's security officer
SIGNOFF_TRANSITIONS: dict[tuple[str, str], str] = {
    (SUBMITTED, SIGN): SIGNED,
    (SUBMITTED, OBJECT): OBJECTED,
}
SIGNOFF_ROLES: dict[tuple[str, str | None], frozenset[str]] = {
    (SIGN, None): frozenset({SECURITY_OFFICER}),
    (OBJECT, None): frozenset({SECURITY_OFFICER}),
}


def _machine(name: str, states, events, transitions, roles, *, clocks=None, opening=(),
             reasons=(), four_eyes=(), alternatives=None) -> StateMachine:
    return StateMachine(
        name=name, state_field="state", states=states, events=events, transitions=transitions,
        review_state=None, clocks=clocks or {}, opening_events=frozenset(opening),
        reason_required=frozenset(reasons), four_eyes=frozenset(four_eyes),
        role_permissions=roles, roles=ROLES, alternatives=alternatives or {})


#: the machine of each kind of case, and of an authorization
MACHINES: dict[str, StateMachine] = {
    ACCESS_REQUEST: _machine(
        ACCESS_REQUEST, REQUEST_STATES, REQUEST_EVENTS, REQUEST_TRANSITIONS, REQUEST_ROLES,
        clocks={ENDORSEMENT: CLOCK_ENDORSEMENT, PROVIDER_REVIEW: CLOCK_REPLY,
                SECURITY_REVIEW: CLOCK_REPLY, APPROVED: CLOCK_DELIVERY},
        opening=(RESUBMIT,), reasons=(REFUSE, RETURN),
        four_eyes=(ENDORSE, APPROVE, REFUSE, RETURN), alternatives=REQUEST_ALTERNATIVES),
    AUTHORIZATION: _machine(
        AUTHORIZATION, AUTHORIZATION_STATES, AUTHORIZATION_EVENTS, AUTHORIZATION_TRANSITIONS,
        AUTHORIZATION_ROLES, reasons=(SUSPEND, REVOKE), alternatives=AUTHORIZATION_ALTERNATIVES),
    DEMAND: _machine(
        DEMAND, DEMAND_STATES, DEMAND_EVENTS, DEMAND_TRANSITIONS, DEMAND_ROLES,
        clocks={SUBMITTED: CLOCK_DEMAND_REPLY}, reasons=(REFUSE, TRANSFER)),
    COLLECTION: _machine(
        COLLECTION, COLLECTION_STATES, COLLECTION_EVENTS, COLLECTION_TRANSITIONS,
        COLLECTION_ROLES, clocks={SUBMITTED: CLOCK_COLLECTION_REVIEW}, opening=(RESUBMIT,),
        reasons=(RETURN, REFUSE), four_eyes=(APPROVE, RETURN, REFUSE)),
    DISPUTE: _machine(
        DISPUTE, DISPUTE_STATES, DISPUTE_EVENTS, DISPUTE_TRANSITIONS, DISPUTE_ROLES,
        clocks={NEGOTIATING: CLOCK_NEGOTIATION, ESCALATED: CLOCK_COORDINATION},
        reasons=(ESCALATE, DECIDE, SETTLE)),
    COMPLAINT: _machine(
        COMPLAINT, COMPLAINT_STATES, COMPLAINT_EVENTS, COMPLAINT_TRANSITIONS, COMPLAINT_ROLES,
        clocks={SUBMITTED: CLOCK_COMPLAINT_REPLY}, reasons=(ANSWER, REOPEN)),
    INCIDENT: _machine(
        INCIDENT, INCIDENT_STATES, INCIDENT_EVENTS, INCIDENT_TRANSITIONS, INCIDENT_ROLES,
        reasons=(HANDLE, CLOSE)),
    GRADE_SIGNOFF: _machine(
        GRADE_SIGNOFF, SIGNOFF_STATES, SIGNOFF_EVENTS, SIGNOFF_TRANSITIONS, SIGNOFF_ROLES,
        clocks={SUBMITTED: CLOCK_SIGNOFF}, reasons=(OBJECT,)),
}

#: the initial state of each kind of case
INITIAL: dict[str, str] = {
    ACCESS_REQUEST: ENDORSEMENT, DEMAND: SUBMITTED, COLLECTION: SUBMITTED,
    DISPUTE: NEGOTIATING, COMPLAINT: SUBMITTED, INCIDENT: REPORTED, GRADE_SIGNOFF: SUBMITTED,
}


def is_open(kind: str, state: str) -> bool:
    """Whether a case of ``kind`` in ``state`` is still open: some event of its table is
    legal there (a closed case's state has none)."""
    machine = MACHINES[kind]
    return any(s == state for (s, _e) in machine.transitions)


def request_branch_on_resubmit(same_department: bool) -> str | None:
    """The branch a resubmitted request takes: straight to the provider within one department
    (no endorsement), else the table's target."""
    return BRANCH_DIRECT if same_department else None


def grade_rank(grade: str | None, scale: list[str]) -> int:
    """The position of ``grade`` on the configured ``scale`` (lowest first), -1 if unknown."""
    return scale.index(grade) if grade in scale else -1


def needs_security_stage(grade: str | None, level: str, scale: list[str]) -> bool:
    """Whether a request for data of ``grade`` needs the provider's security officer after its
    reviewer: the grade is at or above ``level`` on ``scale`` (domain reference C.4 R5)."""
    return grade_rank(grade, scale) >= grade_rank(level, scale) >= 0


def request_start(*, same_department: bool, share_type: str) -> tuple[str, str]:
    """``(state, decider role)`` a new access request starts in: within one department the
    provider's reviewer decides at once; across departments the requesting department's
    reviewer endorses first (DB14 §9.3 •1)."""
    if same_department:
        return PROVIDER_REVIEW, PROVIDER_REVIEWER
    return ENDORSEMENT, CONSUMER_REVIEWER
