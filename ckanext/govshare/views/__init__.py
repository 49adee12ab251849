"""The ``govshare`` blueprint: pages of ckanext-govshare, thin wrappers around the actions.

One module per feature adds its pages (``register(blueprint)``, below); their shared helpers
are ``base.py``'s:

* ``department`` — a department's roles and filing (``/organization/<id>/govshare/…``);
* ``lifecycle`` — the review queue, an entry's lifecycle page, a revision's diff;
* ``assessment`` — a department's assessment and its possible duplicate sources;
* ``activity`` — guards of the activity plugin's pages that render stored snapshots.

Every form carries ``h.csrf_input()`` and every POST by a session user is checked (see
:func:`_protect_forms`); access is decided by the actions' auth functions: a refusal a view
leaves to the blueprint is its 403 page (:func:`base.refusal`), an unknown object a 404.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, current_app, g
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import HTTPException

from ckanext.govshare.views import (
    access,
    activity,
    assessment,
    authorization,
    base,
    catalogue,
    demand,
    department,
    dispute,
    harvest,
    lifecycle,
    security,
    sharing,
    statistics,
    workbench,
    workbook,
)

__all__ = ["govshare"]

govshare = Blueprint("govshare", __name__)

_csrf = CSRFProtect()  # only its protect(), which reads the running app's configuration


@govshare.before_request
def _protect_forms() -> None:
    """Check the CSRF token of every POST made with a login session.

    CKAN exempts a view from CSRF checks for the rest of the process as soon as one request
    reaches it without a session (anonymous, or an API token in the header). These forms
    grant roles and change filed persons, so they check session users themselves; requests
    authenticated by a header carry no cookie to forge and stay exempt, as in core.
    """
    if (not current_app.config.get("WTF_CSRF_ENABLED", True)
            or g.get("login_via_auth_header") or g.get("csrf_valid")):
        return
    _csrf.protect()


# -- error handlers ------------------------------------------------------------------------------


def _abort(status: int, detail: str) -> Any:
    """CKAN's answer to ``tk.abort(status, detail)`` (the detail flashed, the error page),
    returned: an error handler that raises ends in a 500."""
    try:
        tk.abort(status, detail)
    except HTTPException as error:
        return current_app.handle_http_exception(error)


@govshare.errorhandler(tk.NotAuthorized)
def _refused(error: tk.NotAuthorized) -> Any:
    """An action refused the user: the view's 403 page (:func:`base.refusal`)."""
    return _abort(403, base.refusal_message())


@govshare.errorhandler(tk.ObjectNotFound)
def _not_found(error: tk.ObjectNotFound) -> Any:
    """An action found no such object: 404."""
    return _abort(404, tk._("Not found"))


@govshare.app_errorhandler(tk.ValidationError)
def _refused_write(error: tk.ValidationError) -> tuple[str, int]:
    """A refusal no core view expects (core's resource delete does not catch a
    ``ValidationError``, e.g. the lock of an entry in review): its messages on the error
    page, answered 400, never a 500."""
    messages = [str(m) for m in (error.error_summary or {}).values()] or base.messages(
        error.error_dict)
    return tk.render("error_document_template.html", {
        "code": 400, "name": tk._("Bad request"), "content": " ".join(messages),
    }), 400


# -- the pages -----------------------------------------------------------------------------------

# a department's roles and filing
department.register(govshare)
# the 1272 Excel template: import page and downloads
workbook.register(govshare)
catalogue.register(govshare)
# the catalogue lifecycle: review queue, an entry's lifecycle page, a revision's diff
lifecycle.register(govshare)
# the department's assessment and its trend, its possible duplicate sources
assessment.register(govshare)
# the activity plugin's pages that render stored snapshots themselves
activity.register(govshare)
# the sharing flows: access requests and authorizations, demands and collection requests,
# disputes and quality complaints, security (incidents, grade sign-off, who can access what)
access.register(govshare)
authorization.register(govshare)
demand.register(govshare)
dispute.register(govshare)
security.register(govshare)
# the hub: every sharing case waiting on the user
sharing.register(govshare)
# statistics of a department and of the portal, with charts, tables and XLSX (issue #12 §6)
statistics.register(govshare)
# 我的工作台: every to-do of the user, lifecycle and sharing flows together
workbench.register(govshare)
# what the provincial platform harvested of a department's catalogue (DB14 §7.5)
harvest.register(govshare)
