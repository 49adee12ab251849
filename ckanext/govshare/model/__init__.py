"""govshare's own tables (``tk.BaseModel``, prefixed ``govshare_*``, created by alembic only)."""
from .assessment import AssessmentSnapshot
from .audit import AuditEntry
from .filing import Filing, FilingHistory
from .lifecycle import EntryLifecycle
from .revision import Revision
from .roles import Role, RoleEvent

__all__ = ["AssessmentSnapshot", "AuditEntry", "EntryLifecycle", "Filing", "FilingHistory",
           "Revision", "Role", "RoleEvent"]
