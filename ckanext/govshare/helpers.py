"""Template helpers (``h.govshare_*``): vocabulary choices and labels for forms and pages.

The vocabulary helpers are listed once, in ``vocab.__all__`` (``vocab.get_helpers``).
"""
from __future__ import annotations

from . import vocab
from .lifecycle_views import govshare_lifecycle_label, govshare_review_waiting

globals().update(vocab.get_helpers())

__all__ = [*vocab.get_helpers(), govshare_lifecycle_label.__name__,
           govshare_review_waiting.__name__]
