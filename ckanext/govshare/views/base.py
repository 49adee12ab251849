"""Shared page helpers of the ``govshare`` views: one of each, for every feature's module.

* :func:`context` — the context of an action called for the logged-in user;
* :func:`label` — a bilingual label in the page's language;
* :func:`allowed` — whether the user passes an auth function (to show a form or a button);
* :func:`messages` — the messages of a ``tk.ValidationError`` as a flat list;
* :func:`department` — the department of a ``/organization/<id>/govshare/…`` page (404 when
  the user may not see it); :func:`page` — the template variables of such a page;
* :func:`refusal` — the message of a view's 403 page when an action refuses the user: the
  blueprint's handler of ``tk.NotAuthorized`` (``views/__init__.py``) shows it
  (:func:`refusal_message`).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import ckan.plugins.toolkit as tk
from ckan.common import current_user, request
from ckan.types import Context
from flask import current_app

from ckanext.govshare.core_messages import N_
from ckanext.govshare.lifecycle.labels import in_page_language as label

__all__ = ["allowed", "context", "department", "label", "messages", "page", "refusal",
           "refusal_message"]

View = TypeVar("View", bound=Callable[..., Any])

#: the attribute of a view function (or of a ``MethodView``'s method) holding its refusal
_REFUSAL = "govshare_refusal"
#: the 403 page's message of a view that names none
_DEFAULT_REFUSAL = N_("Not authorized")


def context() -> Context:
    """The context of an action called for the logged-in user."""
    return {"user": current_user.name, "auth_user_obj": current_user}


def allowed(auth: str, data_dict: dict[str, Any]) -> bool:
    """Whether the logged-in user passes the auth function ``auth`` for ``data_dict``."""
    try:
        tk.check_access(auth, context(), data_dict)
    except tk.NotAuthorized:
        return False
    return True


def messages(error_dict: dict[str, Any]) -> list[str]:
    """The messages of a ``tk.ValidationError``'s ``error_dict``, field by field (not the
    ``allowed_actions`` a refused lifecycle event lists beside them)."""
    out: list[str] = []
    for key, value in error_dict.items():
        if key == "allowed_actions":
            continue
        out.extend(value if isinstance(value, list) else [str(value)])
    return out


def department(id: str) -> dict[str, Any]:
    """The department (organization) ``id``; 404 when it is unknown or the user may not see it."""
    try:
        return tk.get_action("organization_show")(
            context(), {"id": id, "include_datasets": False, "include_users": False}
        )
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Department not found"))


def page(org: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The template variables of a department page (core's organization page frame)."""
    return {"group_dict": org, "group_type": "organization", **extra}


def refusal(message: str) -> Callable[[View], View]:
    """Decorate a view (or a ``MethodView``'s ``get``/``post``): ``message`` (marked with
    ``N_``, translated when shown) is its 403 page when an action refuses the user."""

    def mark(view: View) -> View:
        setattr(view, _REFUSAL, message)
        return view

    return mark


def refusal_message() -> str:
    """The 403 message of the view serving this request (see :func:`refusal`), translated."""
    view = current_app.view_functions.get(request.endpoint or "")
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        method = request.method.lower()
        view = getattr(view_class, method, None) or (
            getattr(view_class, "get", None) if method == "head" else None)
    return tk._(getattr(view, _REFUSAL, None) or _DEFAULT_REFUSAL)
