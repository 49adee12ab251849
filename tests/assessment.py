"""A department for the assessment tests: :func:`tests.lifecycle.world` whose department
declares two business matters (业务事项), one of them named by its one draft entry."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from ckan.tests import helpers

from . import lifecycle as L

#: the business matters of :func:`world`'s department; its entry names the first one
MATTERS = ["企业设立、变更、注销登记", "广告监测"]


def declare(org: dict[str, Any], matters: list[str]) -> dict[str, Any]:
    """Make department ``org`` declare ``matters`` (organization field business_matters)."""
    return helpers.call_action("organization_patch", L.site(), id=org["id"],
                               business_matters=matters)


def world() -> SimpleNamespace:
    """:func:`tests.lifecycle.world` with :data:`MATTERS` declared and one entry of unit
    DJZCC naming the first of them."""
    w = L.world()
    declare(w.org, MATTERS)
    L.entry(w.org, w.compiler, business_matters=MATTERS[:1])
    return w
