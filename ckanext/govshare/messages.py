"""User-facing messages in the language of the page.

Every message is a gettext msgid in English (``tk._("…")``) translated in the zh_Hans_CN
catalogue; values go in with ``.format()`` so the msgid stays literal. A page under ``/en``
reads English, a page under ``/zh_Hans_CN`` Chinese, and a request without a locale prefix (the
API, a page at the portal's root) the portal's default locale (``ckan.locale_default``), which
is how CKAN picks the language of every request. Outside a request (a background job) gettext
answers with the msgid: English, and so do the labels, so that no message mixes languages.

What is not a msgid but data carrying both languages (a vocabulary term, a schema field label,
a state of the lifecycle: :class:`Label`) is shown in the same language with :func:`text`,
:func:`local` and :func:`join`, as ckanext-scheming shows its multilingual labels.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from ckan.common import config, request
from flask import has_request_context

__all__ = ["Label", "bilingual", "is_chinese", "join", "language", "local", "stored", "text"]


class Label(NamedTuple):
    """A label in both languages (of a state, event, role, stage, field…) for pages and messages."""

    zh: str
    en: str


def language() -> str:
    """The language gettext answers in: the current request's (its ``CKAN_LANG``, else the
    portal's default locale, as CKAN's locale selector has it); outside a request gettext
    has no catalogue and answers with the English msgid, so English too."""
    if not has_request_context():
        return "en"
    return str(request.environ.get("CKAN_LANG") or config.get("ckan.locale_default") or "en")


def is_chinese() -> bool:
    """Whether messages are shown in Chinese (zh, zh_Hans_CN, …)."""
    return language().lower().startswith("zh")


def local(zh: str, en: str) -> str:
    """``zh`` or ``en``, whichever is the language of the current request."""
    return zh if is_chinese() else en


def stored(zh: str, en: str) -> str:
    """``zh`` or ``en`` in the portal's default locale, whoever's request writes it: for a text
    kept in a record (a suspension's reason) that every later reader sees as written."""
    default = str(config.get("ckan.locale_default") or "en")
    return zh if default.lower().startswith("zh") else en


def text(label: Any) -> str:
    """A two-language label in the current language.

    Accepts a :class:`Label` (or any object with ``zh`` and ``en``: vocabulary terms), a
    scheming label dict (``{"zh_Hans_CN": …, "en": …}``) and a ``(zh, en)`` pair.
    """
    if isinstance(label, Mapping):
        zh = label.get("zh_Hans_CN") or label.get("zh") or label.get("en") or ""
        return local(str(zh), str(label.get("en") or zh))
    if isinstance(label, tuple) and not hasattr(label, "zh") and len(label) == 2:
        return local(str(label[0]), str(label[1]))
    if hasattr(label, "zh") and hasattr(label, "en"):
        return local(label.zh, label.en)
    return str(label)


def join(items: Iterable[Any]) -> str:
    """Items joined as the current language lists them (``甲、乙`` or ``a, b``)."""
    return ("、" if is_chinese() else ", ").join(str(i) for i in items)


def bilingual(zh: str, en: str) -> str:
    """The message in the language of the current request (see :func:`local`).

    Kept for the search backend's refusals (``search/connection.py``, whose Chinese wording of
    the query parser's limits is its own table): they show one language like every other
    message. New code writes ``tk._("English msgid")`` instead.
    """
    return local(zh, en)
