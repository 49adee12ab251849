"""The entry form's "save draft" (issue #12 §5), on the ``govshare`` blueprint.

``/catalogue/entry/new-draft`` is CKAN's own dataset creation view (``ckan.views.dataset.
CreateView``: the same form, validation and re-shown errors); the form's 保存草稿 button posts
to it. A new entry is in the catalogue's draft state whichever button saves it; saved as a
draft it is made an ordinary (active) CKAN dataset at once and the compiler lands on its page,
to complete it, attach resources and submit it for review later, instead of CKAN's "add data"
step. Any other button of a form re-shown here does exactly what it does on ``/dataset/new``.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.common import current_user, request
from ckan.views.dataset import CreateView
from flask import Blueprint

__all__ = ["register", "DRAFT"]

#: the value of the form's save button that saves a new entry as a draft
DRAFT = "govshare-draft"


class DraftView(CreateView):
    """CKAN's create view, ending on the new entry's page when saved as a draft."""

    def post(self, package_type: str = "dataset") -> Any:  # type: ignore[override]
        response = super().post(package_type)
        created = getattr(response, "status_code", 200) in (301, 302, 303)
        if request.form.get("save") != DRAFT or not created:
            return response
        # CKAN's staged form left the dataset in its 'draft' state, waiting for resources
        name = response.headers["Location"].rstrip("/").split("/dataset/", 1)[1].split("/")[0]
        context = {"user": current_user.name, "allow_state_change": True}
        tk.get_action("package_patch")(context, {"id": name, "state": "active"})
        tk.h.flash_success(tk._("The draft is saved. Complete it and submit it for review "
                                "when it is ready."))
        return tk.redirect_to(f"{package_type}.read", id=name)


def register(blueprint: Blueprint) -> None:
    """Add the save-draft endpoint of the entry form to the ``govshare`` blueprint."""
    # the form posts here; the form itself is CKAN's /dataset/new
    blueprint.add_url_rule("/catalogue/entry/new-draft", methods=["POST"],
                           view_func=DraftView.as_view("entry_new_draft"))
