"""Actions of the sharing flows (filled by the flow's module)."""
from __future__ import annotations

__all__: list[str] = []
