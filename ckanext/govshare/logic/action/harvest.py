"""What the provincial platform received of a department's catalogue (DB14 §7.5; issue #11 §1).

``govshare_harvest_delivery_list``: the department's entries in the harvest feed
(:mod:`ckanext.govshare.exchange.dcat_feed`) with the time the harvest account
(``ckanext.govshare.harvest_user``) last received each, those changed since (or never received)
first — what is still to be reported.
"""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.govshare import permissions
from ckanext.govshare.exchange import dcat_feed

__all__ = ["govshare_harvest_delivery_list"]


@tk.side_effect_free
def govshare_harvest_delivery_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The department's published and offline entries as the provincial platform last
    harvested them.

    :param organization_id: the department (id or name)
    :type organization_id: string
    :returns: one dict per entry — ``id``, ``name``, ``title``, ``catalogue_state``,
        ``modified`` (its current version), ``delivered_at`` (``None``: never harvested) and
        ``changed_since`` (changed after it was last harvested, or never harvested) — those
        changed since first
    :rtype: list of dictionaries
    """
    tk.check_access("govshare_harvest_delivery_list", context, data_dict)
    ref = str(data_dict.get("organization_id") or "").strip()
    org = model.Group.get(ref) if ref else None
    if org is None or not org.is_organization:
        raise tk.ValidationError({"organization_id": [tk._(
            "Department not found")]})
    rows = dcat_feed.department_deliveries(org.id)
    seen = permissions.visible_package_ids(permissions.context_user(context),
                                           [r["id"] for r in rows])
    return [r for r in rows if r["id"] in seen]
