"""The statistics pages (issue #12 §6), on the ``govshare`` blueprint (``views/__init__.py``
registers them): ``/organization/<id>/govshare/statistics`` for a department's members and
``/govshare/statistics`` for the whole portal (the coordinating department's coordinators and
sysadmins). Each chart is drawn by Chart.js (served by the portal: ``assets/vendor``, installed
by ``scripts/common.sh`` from npm), shown as a table and downloadable as XLSX
(``…/statistics/<chart>.xlsx``). Thin: the figures are ``govshare_statistics_show``'s, the
refusals its auth function's (:func:`base.refusal`).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response

from ckanext.govshare.core_messages import N_
from ckanext.govshare.statistics import export
from ckanext.govshare.views import base

__all__ = ["register"]


def _show(data: dict[str, Any]) -> dict[str, Any]:
    try:
        return tk.get_action("govshare_statistics_show")(base.context(), data)
    except tk.ValidationError:
        return tk.abort(404, tk._("Not found"))


def _xlsx(result: dict[str, Any], scope_name: str, subtitle: str) -> Response:
    chart = result["charts"][0]
    months = result["months"]
    return Response(
        export.workbook(chart, f"{subtitle} {months[0]} – {months[-1]}"),
        mimetype=export.MIMETYPE,
        headers={"Content-Disposition":
                 f'attachment; filename="{export.filename(chart, scope_name, months)}"'})


@base.refusal(N_("Only the coordinating department's coordinators may see the portal's "
                 "statistics"))
def portal_page() -> str:
    """The whole portal's statistics."""
    result = _show({})
    return tk.render("govshare/statistics/portal.html", {"result": result})


@base.refusal(N_("Only the coordinating department's coordinators may see the portal's "
                 "statistics"))
def portal_xlsx(chart: str) -> Response:
    """One chart of the portal's statistics as XLSX."""
    result = _show({"charts": [chart]})
    return _xlsx(result, "portal", tk._("Whole portal"))


@base.refusal(N_("Only members of the department may see its statistics"))
def department_page(id: str) -> str:
    """A department's statistics."""
    org = base.department(id)
    result = _show({"organization_id": org["id"]})
    return tk.render("govshare/statistics/department.html", base.page(
        org, result=result,
        portal=base.allowed("govshare_statistics_show", {})))


@base.refusal(N_("Only members of the department may see its statistics"))
def department_xlsx(id: str, chart: str) -> Response:
    """One chart of a department's statistics as XLSX."""
    org = base.department(id)
    result = _show({"organization_id": org["id"], "charts": [chart]})
    return _xlsx(result, org["name"], org.get("title") or org["name"])


def register(blueprint: Blueprint) -> None:
    """Add the statistics pages to the ``govshare`` blueprint."""
    blueprint.add_url_rule("/govshare/statistics", view_func=portal_page,
                           endpoint="statistics")
    blueprint.add_url_rule("/govshare/statistics/<chart>.xlsx", view_func=portal_xlsx,
                           endpoint="statistics_xlsx")
    prefix = "/organization/<id>/govshare/statistics"
    blueprint.add_url_rule(prefix, view_func=department_page,
                           endpoint="department_statistics")
    blueprint.add_url_rule(f"{prefix}/<chart>.xlsx", view_func=department_xlsx,
                           endpoint="department_statistics_xlsx")
