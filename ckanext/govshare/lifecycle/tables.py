"""The lifecycle's names and tables: states, events, roles, stages, clocks, audit actions.

The one place each name is spelled, and the tables built from those names: the states and
events of the two state machines with their transitions (DB14 §7.3, Appendix A), who may fire
what (:data:`ROLE_PERMISSIONS`), the roles with their labels (DB14 §5), the "update required"
step after a change event, and the fields whose change always needs review. Pure data (no
CKAN): the engine (:mod:`~ckanext.govshare.lifecycle.machine`) runs these tables, and every
other module compares and stores states, events and roles through these constants.
"""
from __future__ import annotations

from ckanext.govshare.catalogue import fields as f
from ckanext.govshare.messages import Label

# -- catalogue states (DB14 §7.3, Appendix A) and the revision's own ---------------------------
DRAFT = "draft"
IN_REVIEW = "in_review"
PUBLISHED = "published"
OFFLINE_REVIEW = "offline_review"
OFFLINE = "offline"
APPROVED = "approved"
RETURNED = "returned"
DISCARDED = "discarded"

# -- events ------------------------------------------------------------------------------------
SUBMIT = "submit"
APPROVE = "approve"
RETURN = "return"
REQUEST_OFFLINE = "request_offline"
APPROVE_OFFLINE = "approve_offline"
REJECT_OFFLINE = "reject_offline"
REINSTATE = "reinstate"
UPDATE = "update"
DISCARD = "discard"

# -- roles (DB14 §5) and review stages -----------------------------------------------------------
ROLE_COMPILER = "compiler"  # 政务数据业务机构 编制人
ROLE_REVIEWER = "reviewer"  # 政务数据共享管理责任机构 审核人
ROLE_COORDINATOR = "coordinator"  # 政务数据共享统筹协调组织
ROLE_SECURITY_OFFICER = "security_officer"  # 数据安全管理
STAGE_REVIEWER = "reviewer"
STAGE_COORDINATOR = "coordinator"

#: the role vocabulary, in display order, with bilingual labels
ROLES: dict[str, Label] = {
    ROLE_COMPILER: Label("编制人", "Compiler"),
    ROLE_REVIEWER: Label("审核人", "Reviewer"),
    ROLE_SECURITY_OFFICER: Label("安全管理员", "Security officer"),
    ROLE_COORDINATOR: Label("统筹协调人", "Coordinator"),
}

STAGES: dict[str, Label] = {
    STAGE_REVIEWER: Label("责任机构审核", "Reviewer stage"),
    STAGE_COORDINATOR: Label("统筹协调组织审核", "Coordinator stage"),
}

# -- working-day clocks of the open steps (``ckanext.govshare.deadline.<clock>_days``) -----------
CLOCK_REVIEW = "review"
CLOCK_OFFLINE_REVIEW = "offline_review"
CLOCK_REVISION_REVIEW = "revision_review"
CLOCK_UPDATE_AFTER_CHANGE = "update_after_change"

# -- the two tables ------------------------------------------------------------------------------

CATALOGUE_STATES: dict[str, Label] = {
    DRAFT: Label("编制中", "Draft"),
    IN_REVIEW: Label("审核中", "In review"),
    PUBLISHED: Label("已发布", "Published"),
    OFFLINE_REVIEW: Label("下线审核中", "Offline review"),
    OFFLINE: Label("已下线", "Offline"),
}

CATALOGUE_EVENTS: dict[str, Label] = {
    SUBMIT: Label("提交审核", "submit"),
    APPROVE: Label("审核通过", "approve"),
    RETURN: Label("退回", "return"),
    REQUEST_OFFLINE: Label("申请下线", "request offline"),
    APPROVE_OFFLINE: Label("同意下线", "approve offline"),
    REJECT_OFFLINE: Label("驳回下线申请", "reject offline"),
    REINSTATE: Label("申请重新上线", "reinstate"),
}

# DB14 §7.3, Appendix A: 编制 → 审核 → 发布 → 下线, and reinstatement of an offline entry
CATALOGUE_TRANSITIONS: dict[tuple[str, str], str] = {
    (DRAFT, SUBMIT): IN_REVIEW,
    (IN_REVIEW, APPROVE): PUBLISHED,
    (IN_REVIEW, RETURN): DRAFT,
    (PUBLISHED, REQUEST_OFFLINE): OFFLINE_REVIEW,
    (OFFLINE_REVIEW, APPROVE_OFFLINE): OFFLINE,
    (OFFLINE_REVIEW, REJECT_OFFLINE): PUBLISHED,
    (OFFLINE, REINSTATE): IN_REVIEW,
}

REVISION_STATES: dict[str, Label] = {
    DRAFT: Label("变更编制中", "Draft revision"),
    IN_REVIEW: Label("变更审核中", "Revision in review"),
    APPROVED: Label("变更已生效", "Approved"),
    RETURNED: Label("变更已退回", "Returned"),
    DISCARDED: Label("变更已放弃", "Discarded"),
}

REVISION_EVENTS: dict[str, Label] = {
    UPDATE: Label("修改", "update"),
    SUBMIT: Label("提交审核", "submit"),
    APPROVE: Label("审核通过", "approve"),
    RETURN: Label("退回", "return"),
    DISCARD: Label("放弃变更", "discard"),
}

# DB14 §7.3: 更新 of a published entry is reviewed like its first publication
REVISION_TRANSITIONS: dict[tuple[str, str], str] = {
    (DRAFT, UPDATE): DRAFT,
    (DRAFT, SUBMIT): IN_REVIEW,
    (DRAFT, DISCARD): DISCARDED,
    (IN_REVIEW, APPROVE): APPROVED,
    (IN_REVIEW, RETURN): RETURNED,
    (RETURNED, UPDATE): DRAFT,
    (RETURNED, SUBMIT): IN_REVIEW,
    (RETURNED, DISCARD): DISCARDED,
}

#: the states of a revision that is still open (the entry has at most one)
REVISION_OPEN_STATES: tuple[str, ...] = (DRAFT, IN_REVIEW, RETURNED)

# Which role may fire which event; the key's second element is the review stage of the current
# state (``None`` outside ``in_review``). Data, so auth functions and docs read the same table.
ROLE_PERMISSIONS: dict[tuple[str, str | None], frozenset[str]] = {
    # DB14 §7.2: 业务谁主管，谁编制 — the business unit compiles, requests offline and reinstatement
    (SUBMIT, None): frozenset({ROLE_COMPILER}),
    (UPDATE, None): frozenset({ROLE_COMPILER}),
    (DISCARD, None): frozenset({ROLE_COMPILER}),
    (REQUEST_OFFLINE, None): frozenset({ROLE_COMPILER}),
    (REINSTATE, None): frozenset({ROLE_COMPILER}),
    # DB14 §7.3 (审核、下线), §7.5 (发布): the responsible body reviews and publishes, and
    # decides on offline requests
    (APPROVE, STAGE_REVIEWER): frozenset({ROLE_REVIEWER}),
    (RETURN, STAGE_REVIEWER): frozenset({ROLE_REVIEWER}),
    (APPROVE_OFFLINE, None): frozenset({ROLE_REVIEWER}),
    (REJECT_OFFLINE, None): frozenset({ROLE_REVIEWER}),
    # the coordinator approves or returns at the optional second stage
    (APPROVE, STAGE_COORDINATOR): frozenset({ROLE_COORDINATOR}),
    (RETURN, STAGE_COORDINATOR): frozenset({ROLE_COORDINATOR}),
}

# -- audit actions besides the events ------------------------------------------------------------

#: the sysadmin import path
IMPORTED = "imported"
#: an edit applied to a published entry without review (no-review fields only)
UPDATED_WITHOUT_REVIEW = "updated_without_review"
#: a pending revision created or changed (its events are recorded as ``revision_<event>``)
REVISION_CREATE = "revision_create"
REVISION_UPDATE = "revision_update"
REVISION_APPROVE = "revision_approve"

# -- the "update required" step after a change event (变更事由, DB14 §7.3) -------------------------

#: audit action recording a change event, and the one recording that its update was made
CHANGE_EVENT = "change_event"
CHANGE_CLOSED = "change_updated"
#: the working-day clock of the step (``ckanext.govshare.deadline.update_after_change_days``)
CHANGE_CLOCK = CLOCK_UPDATE_AFTER_CHANGE
#: the entry states in which a change event opens the step: the entry is live
CHANGE_STATES: frozenset[str] = frozenset({PUBLISHED})
#: who reports a change event: the department's responsible body or its coordinator
CHANGE_ROLES: frozenset[str] = frozenset({ROLE_REVIEWER, ROLE_COORDINATOR})
#: who is to make the update: the compilers of the entry's unit
CHANGE_ASSIGNEE_ROLE = ROLE_COMPILER
#: what happened to the entry, as far as the step is concerned
OUTCOME_REVISION_APPROVED = "revision_approved"
#: what closes the step: an approved revision, an edit applied without review, going offline
CHANGE_CLOSING_OUTCOMES: frozenset[str] = frozenset(
    {OUTCOME_REVISION_APPROVED, UPDATED_WITHOUT_REVIEW, OFFLINE})

# -- edits of a published entry that need no review ----------------------------------------------

#: dataset fields whose change always goes through a reviewed revision; refused in
#: ``ckanext.govshare.revision.no_review_fields``
REVIEW_REQUIRED_FIELDS: frozenset[str] = frozenset({
    # DB14 §7.5: publication is the responsible body's act; the state machine writes these
    f.CATALOGUE_STATE, f.ISSUED,
    # DB14 §7.2: 业务谁主管，谁编制 — the department and unit that compile the entry, the
    # provider, and the classification its unique resource code is made of
    f.OWNER_ORG, f.PROVIDER_UNIT, f.PROVIDER_CODE, f.RESOURCE_CODE,
    f.CATALOG_CLASS, f.CATALOG_ITEM, f.CATALOG_SUBITEM, f.CATALOG_DETAIL,
    # DB14 §9: what is shared, with whom, how and on which conditions
    f.SHARE_TYPE, f.SHARE_TYPE_REASON, f.SHARE_CONDITION, f.SHARE_SCOPE, f.NO_SHARE_BASIS,
    f.SHARE_MODE_CATEGORY, f.SHARE_MODE_TYPE,
    # DB14 §11: classification and grading decide what may be shared or opened; 信息项 carry
    # their own grade, share type and sensitivity
    f.DATA_GRADE, f.IS_CLASSIFIED, f.OPEN_TYPE, f.OPEN_CONDITION, f.INFO_ITEMS,
})
