"""The harvest endpoint's pages.

* ``/catalog.<format>`` on the ``govshare_dcat`` blueprint (:data:`catalog`, registered by the
  ``govshare_dcat`` plugin before ckanext-dcat's own view of the same path): ckanext-dcat's
  catalogue view, answered by the ``dcat_catalog_show`` action govshare chains
  (:mod:`ckanext.govshare.logic.dcat`), with its refusals as HTTP answers (403 for an anonymous
  visitor of a catalogue that is not public, 409 for a bad parameter) where the stock view
  would end in a 500.
* ``/organization/<id>/govshare/harvest`` on the ``govshare`` blueprint: the department's
  entries as the provincial platform last received them, those changed since first (DB14 §7.5).
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask import Blueprint, make_response

from ckanext.dcat.utils import CONTENT_TYPES
from ckanext.govshare.core_messages import N_
from ckanext.govshare.views import base

__all__ = ["catalog", "register"]

catalog = Blueprint("govshare_dcat", __name__)


def read_catalog(_format: str) -> object:
    """A page of the catalogue feed (``page``: the ``hydra:next`` cursor, ``modified_since``)."""
    if _format not in CONTENT_TYPES:
        return tk.abort(404)
    args = tk.request.args
    data_dict = {"format": _format, **{k: args.get(k) for k in
                                       ("page", "modified_since", "q", "fq", "profiles")}}
    # ckanext-dcat's harvester asks HEAD before every GET (for a Content-Length): the checks
    # answer it, and the page is neither built nor recorded as delivered twice
    head = tk.request.method == "HEAD"
    try:
        body = tk.get_action("dcat_catalog_show")({}, dict(data_dict, check_only=head))
    except tk.NotAuthorized as refusal:
        return tk.abort(403, str(refusal) or tk._("Log in to read the catalogue"))
    except tk.ValidationError as invalid:
        return tk.abort(409, str(invalid))
    response = make_response(body)
    response.headers["Content-Type"] = CONTENT_TYPES[_format]
    if head:
        # the length of a page not built is unknown, not 0
        response.automatically_set_content_length = False
        response.headers.pop("Content-Length", None)
    return response


catalog.add_url_rule("/catalog.<_format>", view_func=read_catalog, endpoint="read_catalog")


@base.refusal(N_("Only members of the department may see what was reported to the platform"))
def deliveries(id: str) -> str:
    org = base.department(id)
    rows = tk.get_action("govshare_harvest_delivery_list")(
        base.context(), {"organization_id": org["id"]})
    return tk.render("govshare/harvest.html", base.page(
        org, rows=rows, changed=[r for r in rows if r["changed_since"]]))


def register(blueprint: Blueprint) -> None:
    """Add the department's harvest page to the ``govshare`` blueprint."""
    blueprint.add_url_rule("/organization/<id>/govshare/harvest", view_func=deliveries,
                           endpoint="harvest_deliveries")
