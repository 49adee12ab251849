"""The sharing hub (``/govshare/sharing``): every sharing case waiting on the signed-in user,
soonest due first, and the way into each flow's own lists and forms.

The cases come from :func:`ckanext.govshare.sharing.cases.open_cases_for` (one query over every
flow's cases, by assignee and due date); each row links to its flow's page.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint

from ckanext.govshare import permissions
from ckanext.govshare.sharing import cases, flows

__all__ = ["READ_ENDPOINTS", "register"]

#: the page of a case of each kind (endpoint of the govshare blueprint, taking ``id``)
READ_ENDPOINTS: dict[str, str] = {
    flows.ACCESS_REQUEST: "govshare.access_request",
    flows.DEMAND: "govshare.demand_read",
    flows.COLLECTION: "govshare.collection_read",
    flows.DISPUTE: "govshare.dispute_read",
    flows.COMPLAINT: "govshare.complaint_read",
    flows.INCIDENT: "govshare.incident",
    flows.GRADE_SIGNOFF: "govshare.signoff",
}


def inbox() -> Any:
    """The user's open sharing cases and the flows' entry points."""
    user = permissions.current_user()
    if user is None:
        return tk.abort(403, tk._("Log in to see your sharing tasks"))
    rows = []
    for case in cases.open_cases_for(user):
        machine = flows.MACHINES[case.kind]
        left = cases.working_days_left(case.due_at)
        rows.append({
            "case": case,
            "kind": cases.label(flows.KINDS[case.kind]),
            "state": cases.label(machine.states[case.state]),
            "url": tk.h.url_for(READ_ENDPOINTS[case.kind], id=case.id),
            "days_left": left,
            "overdue": left is not None and left < 0,
        })
    return tk.render("govshare/sharing/inbox.html", {"rows": rows})


def register(blueprint: Blueprint) -> None:
    """Add the sharing hub to the ``govshare`` blueprint."""
    blueprint.add_url_rule("/govshare/sharing", view_func=inbox, endpoint="sharing_inbox")
