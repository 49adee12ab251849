"""The 1272 Excel template on a department's pages (issue #11 §2), on the ``govshare`` blueprint.

Under ``/organization/<id>/govshare/``:

* ``import`` — upload a filled-in workbook (compilers and administrators): a short file is
  imported at once and its problems listed by sheet, row and column; a long one runs as a
  background job and the page follows it (``?job=<id>``, refreshed every two seconds, through
  ``govshare_catalogue_import_status``);
* ``export/<fmt>`` — the department's catalogue as the template (``xlsx``), as JSON, or the
  blank template (``template``).

Thin: the work is the actions ``govshare_catalogue_import_xlsx``, ``…_import_status`` and
``govshare_catalogue_export``; every refusal is their auth functions'.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.common import request
from flask import Blueprint, Response
from flask.views import MethodView

from ckanext.govshare.core_messages import N_
from ckanext.govshare.exchange import workbook
from ckanext.govshare.views import base

__all__ = ["register"]

#: seconds between two looks at a running import
REFRESH_SECONDS = 2


class ImportView(MethodView):
    """The upload form, the outcome of an import, or the progress of a background one."""

    def _render(self, org: dict[str, Any], **extra: Any) -> str:
        return tk.render("govshare/workbook_import.html", base.page(
            org, formats=["xlsx", "json"], refresh=REFRESH_SECONDS, **extra))

    @base.refusal(N_("Only the department's compilers and administrators may import its "
                     "catalogue"))
    def get(self, id: str) -> str:
        org = base.department(id)
        tk.check_access("govshare_catalogue_import_xlsx", base.context(),
                        {"organization_id": org["id"]})
        job_id = request.args.get("job")
        status = None
        if job_id:
            status = tk.get_action("govshare_catalogue_import_status")(base.context(),
                                                                        {"id": job_id})
        return self._render(org, status=status, outcome=(status or {}).get("outcome"))

    @base.refusal(N_("Only the department's compilers and administrators may import its "
                     "catalogue"))
    def post(self, id: str) -> Any:
        org = base.department(id)
        data = {"organization_id": org["id"], "upload": request.files.get("upload"),
                "dry_run": bool(request.form.get("dry_run"))}
        try:
            result = tk.get_action("govshare_catalogue_import_xlsx")(base.context(), data)
        except tk.ValidationError as e:
            return self._render(org, error_messages=base.messages(e.error_dict))
        if result.get("job_id"):
            return tk.redirect_to("govshare.workbook_import", id=org["name"],
                                  job=result["job_id"])
        return self._render(org, outcome=result)


@base.refusal(N_("Only members of the department may export its catalogue"))
def export(id: str, fmt: str) -> Any:
    """Download the department's catalogue as the 1272 template or JSON, or the blank template."""
    org = base.department(id)
    if fmt not in ("xlsx", "json", "template"):
        return tk.abort(404, tk._("Unknown format"))
    payload = tk.get_action("govshare_catalogue_export")(
        base.context(), {"organization_id": org["id"], "format": fmt})
    return Response(
        workbook.payload_bytes(payload), mimetype=payload["mimetype"],
        headers={"Content-Disposition": f'attachment; filename="{payload["filename"]}"'})


def register(blueprint: Blueprint) -> None:
    """Add the import page and the downloads to the ``govshare`` blueprint."""
    prefix = "/organization/<id>/govshare"
    blueprint.add_url_rule(f"{prefix}/import", view_func=ImportView.as_view("workbook_import"))
    blueprint.add_url_rule(f"{prefix}/export/<fmt>", view_func=export,
                           endpoint="workbook_export")
