"""The actions of ckanext-govshare, as ``tk.blanket.actions`` reads them: this package's ``__all__``.

One module per feature holds its ``govshare_*`` actions and lists them in its ``__all__``
(:mod:`.visibility`, :mod:`.catalogue` and :mod:`.activity` only hold steps of chained core
actions); :mod:`.core` defines every chained core action once, composing those steps. Each
module is named here and its ``__all__`` collected by
:func:`ckanext.govshare.logic.registry.export`: a name exported twice is an error at import
time, and a module not named here registers nothing (``tests/unit/test_registry.py`` fails).
"""
from __future__ import annotations

from ckanext.govshare.logic import registry
from ckanext.govshare.logic.action import (
    access,
    activity,
    assessment,
    catalogue,
    core,
    demand,
    department,
    dispute,
    harvest,
    lifecycle,
    security,
    statistics,
    visibility,
    workbench,
    workbook,
)

__all__ = registry.export(
    globals(), (department, lifecycle, catalogue, assessment,
     access, demand, dispute, security, statistics, workbook, workbench, harvest, visibility, activity, core))
