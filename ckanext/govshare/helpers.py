"""Template helpers (``h.govshare_*``): vocabulary choices and labels for forms and pages.

The vocabulary helpers are listed once, in ``vocab.__all__`` (``vocab.get_helpers``), the entry
form's in ``entry_form.__all__`` (``entry_form.get_helpers``).
"""
from __future__ import annotations

from . import entry_form, vocab
from .lifecycle_views import govshare_lifecycle_label, govshare_review_waiting

globals().update(vocab.get_helpers())
globals().update(entry_form.get_helpers())

__all__ = [*vocab.get_helpers(), *entry_form.get_helpers(), govshare_lifecycle_label.__name__,
           govshare_review_waiting.__name__]
