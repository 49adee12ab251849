"""Bilingual user-facing messages.

Validation errors of the standard's rules are shown to Chinese- and English-speaking users of
the same portal and read by ckanapi scripts, so each carries both languages in one string:
``"中文 / English"``. Page text goes through gettext (``tk._``) instead.
"""
from __future__ import annotations

from typing import NamedTuple

__all__ = ["Label", "bilingual"]


class Label(NamedTuple):
    """A bilingual label (of a state, event, role, stage, field…) for pages and messages."""

    zh: str
    en: str


def bilingual(zh: str, en: str) -> str:
    """Return ``"zh / en"``: the one format of every govshare validation message."""
    return f"{zh} / {en}"
