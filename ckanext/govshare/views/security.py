"""Pages of the sharing flows (filled by the flow's module)."""
from __future__ import annotations

from typing import Any


def register(blueprint: Any) -> None:
    """Add this flow's pages to the govshare blueprint."""
