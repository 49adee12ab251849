"""govshare's own tables (``tk.BaseModel``, prefixed ``govshare_*``, created by alembic only)."""
from .filing import Filing, FilingHistory
from .roles import Role

__all__ = ["Filing", "FilingHistory", "Role"]
