"""The words of the activity streams: each activity type's label (the pages' "activity type"
filter) and the sentence of each lifecycle step, in the catalogue's vocabulary (README
glossary: 目录条目, 挂接资源, 部门 …).

ckanext-activity shows its filter's types as their codes title-cased ("New Package"); the
portal's ``snippets/activity_type_selector.html`` asks :func:`type_label` instead. A lifecycle
step (:data:`~ckanext.govshare.activity.lifecycle.ACTIVITY_TYPE`) is told by
``snippets/activities/lifecycle_package.html`` with :func:`step_sentence` (a publication or
going offline read outside the department as the department's act). Every text is a
gettext msgid, translated when a page asks.
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.govshare.activity.lifecycle import ACTIVITY_TYPE
from ckanext.govshare.core_messages import N_
from ckanext.govshare.lifecycle import tables

__all__ = ["PUBLIC_STEP_SENTENCES", "STEP_SENTENCES", "TYPE_LABELS", "step_sentence", "type_label"]

#: ckanext-activity's types and the lifecycle's, by code (the code itself when unknown)
TYPE_LABELS: dict[str, str] = {
    "new package": N_("Catalogue entry created"),
    "changed package": N_("Catalogue entry updated"),
    "deleted package": N_("Catalogue entry deleted"),
    "follow dataset": N_("Catalogue entry followed"),
    "new resource view": N_("View of an attached resource created"),
    "changed resource view": N_("View of an attached resource updated"),
    "deleted resource view": N_("View of an attached resource deleted"),
    "new organization": N_("Department created"),
    "changed organization": N_("Department updated"),
    "deleted organization": N_("Department deleted"),
    "follow organization": N_("Department followed"),
    "new group": N_("Group created"),
    "changed group": N_("Group updated"),
    "deleted group": N_("Group deleted"),
    "follow group": N_("Group followed"),
    "new user": N_("User created"),
    "changed user": N_("User updated"),
    "follow user": N_("User followed"),
    ACTIVITY_TYPE: N_("Catalogue lifecycle"),
}

#: a lifecycle step's sentence by audit action (``{actor}``: the user, ``{entry}``: the entry)
STEP_SENTENCES: dict[str, str] = {
    tables.SUBMIT: N_("{actor} submitted the catalogue entry {entry} for review"),
    tables.APPROVE: N_("{actor} approved the catalogue entry {entry}"),
    tables.RETURN: N_("{actor} returned the catalogue entry {entry}"),
    tables.REQUEST_OFFLINE: N_("{actor} asked to take the catalogue entry {entry} offline"),
    tables.APPROVE_OFFLINE: N_("{actor} approved taking the catalogue entry {entry} offline"),
    tables.REJECT_OFFLINE: N_(
        "{actor} rejected the request to take the catalogue entry {entry} offline"),
    tables.REINSTATE: N_("{actor} asked to put the catalogue entry {entry} back online"),
    tables.REVISION_CREATE: N_("{actor} started a revision of the catalogue entry {entry}"),
    tables.REVISION_UPDATE: N_("{actor} edited the revision of the catalogue entry {entry}"),
    f"revision_{tables.SUBMIT}": N_(
        "{actor} submitted the revision of the catalogue entry {entry} for review"),
    tables.REVISION_APPROVE: N_("{actor} approved the revision of the catalogue entry {entry}"),
    f"revision_{tables.RETURN}": N_(
        "{actor} returned the revision of the catalogue entry {entry}"),
    f"revision_{tables.DISCARD}": N_(
        "{actor} discarded the revision of the catalogue entry {entry}"),
    tables.IMPORTED: N_("{actor} imported the catalogue entry {entry}"),
    tables.UPDATED_WITHOUT_REVIEW: N_(
        "{actor} updated the catalogue entry {entry} without review"),
    tables.CHANGE_EVENT: N_("{actor} recorded a change event of the catalogue entry {entry}"),
    tables.CHANGE_CLOSED: N_(
        "{actor} made the update the change event of the catalogue entry {entry} asked for"),
}
#: the sentence of a step the table does not know
_STEP_FALLBACK = N_("{actor} took a lifecycle step of the catalogue entry {entry}")
#: a public step's sentence as a reader outside the department reads it (by audit action,
#: ``permissions.PUBLIC_STEPS``): the department's act (``{department}``), no actor
PUBLIC_STEP_SENTENCES: dict[str, str] = {
    tables.APPROVE: N_("{department} published the catalogue entry {entry}"),
    tables.APPROVE_OFFLINE: N_("{department} took the catalogue entry {entry} offline"),
}
_PUBLIC_FALLBACK = N_("{department} changed the state of the catalogue entry {entry}")


def type_label(activity_type: str) -> str:
    """The label of ``activity_type`` in the page's language (its code when unknown)."""
    label = TYPE_LABELS.get(activity_type)
    return tk._(label) if label else activity_type


def step_sentence(action: str | None, public: bool = False) -> str:
    """The sentence of lifecycle step ``action`` in the page's language, with ``{actor}`` and
    ``{entry}`` to fill; ``public``: of its public part, with ``{department}`` and
    ``{entry}``."""
    if public:
        return tk._(PUBLIC_STEP_SENTENCES.get(action or "", _PUBLIC_FALLBACK))
    return tk._(STEP_SENTENCES.get(action or "", _STEP_FALLBACK))
