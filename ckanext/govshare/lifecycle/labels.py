"""The lifecycle's labels in the page's language: states, events, stages and audit actions.

Read by the lifecycle pages (``views/lifecycle.py``) and the template helper
``h.govshare_lifecycle_label`` (``helpers.py``); :func:`in_page_language` is also the pages'
one way to show any bilingual :class:`~ckanext.govshare.messages.Label`.
"""
from __future__ import annotations

from ckanext.govshare.lifecycle import tables
from ckanext.govshare.messages import Label, text

__all__ = ["AUDIT_ACTIONS", "TABLES", "in_page_language", "label_of", "labels"]

#: the label of every action the audit trail records (``govshare_audit_list``)
AUDIT_ACTIONS: dict[str, Label] = {
    **tables.CATALOGUE_EVENTS,
    **{f"revision_{k}": Label(f"变更：{v.zh}", f"revision: {v.en}")
       for k, v in tables.REVISION_EVENTS.items()},
    tables.REVISION_CREATE: Label("发起变更", "revision: create"),
    tables.IMPORTED: Label("导入", "imported"),
    tables.UPDATED_WITHOUT_REVIEW: Label("免审更新", "updated without review"),
    tables.CHANGE_EVENT: Label("登记变更事由", "change event recorded"),
    tables.CHANGE_CLOSED: Label("变更事由已处理", "updated after the change event"),
}

#: the labels of each kind of lifecycle code, by kind (see :func:`label_of`)
TABLES: dict[str, dict[str, Label]] = {
    "state": tables.CATALOGUE_STATES,
    "stage": tables.STAGES,
    "event": tables.CATALOGUE_EVENTS,
    "action": AUDIT_ACTIONS,
    "revision_state": tables.REVISION_STATES,
}


def in_page_language(label: Label) -> str:
    """``label`` in the page's language: Chinese for a ``zh*`` locale, English otherwise
    (outside a request: the default locale's; :func:`ckanext.govshare.messages.text`)."""
    return text(label)


def label_of(kind: str, code: str | None) -> str:
    """The label of a lifecycle ``state``, ``stage``, ``event``, audit ``action`` or
    ``revision_state`` in the page's language (the code itself when unknown)."""
    label = TABLES.get(kind, {}).get(code or "")
    return in_page_language(label) if label else (code or "")


def labels() -> dict[str, dict[str, str]]:
    """Labels of states, events and stages in the page's language."""
    return {
        "states": {k: in_page_language(v) for k, v in tables.CATALOGUE_STATES.items()},
        "events": {k: in_page_language(v) for k, v in tables.CATALOGUE_EVENTS.items()},
        "stages": {k: in_page_language(v) for k, v in tables.STAGES.items()},
        "revision_states": {k: in_page_language(v) for k, v in tables.REVISION_STATES.items()},
        "revision_events": {k: in_page_language(v) for k, v in tables.REVISION_EVENTS.items()},
    }
