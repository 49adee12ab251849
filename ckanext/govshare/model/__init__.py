"""govshare's own tables (``tk.BaseModel``, prefixed ``govshare_*``, created by alembic only)."""
from ckanext.govshare.model.assessment import AssessmentSnapshot
from ckanext.govshare.model.audit import AuditEntry
from ckanext.govshare.model.duplicate import DuplicateDismissal
from ckanext.govshare.model.filing import Filing, FilingHistory
from ckanext.govshare.model.lifecycle import EntryLifecycle
from ckanext.govshare.model.revision import Revision
from ckanext.govshare.model.roles import Role, RoleEvent
from ckanext.govshare.model.sharing import AccessLog, Authorization, Case, CaseEvent

__all__ = ["AccessLog", "AssessmentSnapshot", "AuditEntry", "Authorization", "DuplicateDismissal", "Case", "CaseEvent", "EntryLifecycle", "Filing", "FilingHistory",
           "Revision", "Role", "RoleEvent"]
