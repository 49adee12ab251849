"""Names of the lifecycle's states, events and roles: the one place each is spelled.

Pure constants (no CKAN). The state machines' tables are built from these names; every other
module compares and stores states, events and roles through them.
"""
from __future__ import annotations

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
