"""The freshness of a published entry (DB14 §7.4 时效性): is its data updated within its cycle?

Pure (no database): the entry's dict, the time of its last data update (read by
:func:`.queries.last_data_updates`) and the thresholds of ``config.freshness_options()`` in,
:func:`.deadlines.freshness`'s verdict out. Shown with every entry
(``govshare_lifecycle.freshness``) and counted by the assessment's timeliness.
"""
from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from ckanext.govshare.catalogue import fields
from ckanext.govshare.lifecycle import deadlines, tables

__all__ = ["entry_freshness"]


def entry_freshness(entry: Mapping[str, Any], last: datetime.datetime | None,
                    at: datetime.datetime, options: Mapping[str, Any]) -> dict[str, Any] | None:
    """``{"state", "next_update_due", "last_update"}`` of a published entry with an update
    cycle whose data was last updated at ``last`` (:func:`.queries.last_data_updates`, never
    the dataset's ``metadata_modified``, which lifecycle decisions bump), by
    :func:`deadlines.freshness` with ``options`` (``config.freshness_options()``); timestamps
    ISO 8601. ``None`` for any other entry, an unknown cycle or an unknown ``last``."""
    cycle = entry.get(fields.UPDATE_CYCLE)
    if entry.get(fields.CATALOGUE_STATE) != tables.PUBLISHED or not cycle or last is None:
        return None
    try:
        state = deadlines.freshness(cycle, last, at, **options)
    except ValueError:
        return None
    due = deadlines.next_update_due(cycle, last, irregular_days=options["irregular_days"])
    return {"state": state, "next_update_due": due.isoformat() if due else None,
            "last_update": last.isoformat()}
