"""The auth functions of ckanext-govshare, as ``tk.blanket.auth_functions`` reads them: this
package's ``__all__``.

One module per feature holds the auth functions of its actions (same names) and lists them in
its ``__all__``; :mod:`.department` also holds the capabilities ``govshare_permission_*`` the
others are composed from. :mod:`.core` defines every chained core auth function once, composing
the steps the feature modules hold (:mod:`.catalogue` and :mod:`.activity` only hold steps).
Each module is named here and its ``__all__`` collected by
:func:`ckanext.govshare.logic.registry.export`: a name exported twice is an error at import
time, and a module not named here registers nothing (``tests/unit/test_registry.py`` fails).
"""
from __future__ import annotations

from ckanext.govshare.logic import registry
from ckanext.govshare.logic.auth import (
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
    workbench,
    workbook,
)

__all__ = registry.export(
    globals(), (department, lifecycle, catalogue, assessment,
     access, demand, dispute, security, statistics, workbook, workbench, harvest, activity, core))
