"""A world for the statistics tests (logic and pages): figures known in advance."""
from __future__ import annotations

import datetime
from types import SimpleNamespace

from ckan.tests import factories

from ckanext.govshare.model import base as model_base

from . import access as A
from . import lifecycle as L

DAYS_AGO = 30  # at least 20 working days: late against every limit


def _at(days: float):
    at = model_base.now() + datetime.timedelta(days=days)
    return lambda: at


def world() -> SimpleNamespace:
    """The access world (:func:`tests.access.world`) with two reviews and two answered
    access requests of ``provider``, one of each decided a month late; a snapshot of the
    provider's assessment; ``coordinator``, a coordinator of ``third``."""
    w = A.world()
    w.coordinator = factories.User()
    L.grant(w.third, w.coordinator, "coordinator")
    real = model_base.now
    # two reviews decided: one at once, one a month after its submission (late)
    w.quick = A.entry(w.provider, A.UNCONDITIONAL, publish=False)
    w.slow = A.entry(w.provider, A.CONDITIONAL_G2, publish=False)
    try:
        model_base.now = _at(-DAYS_AGO)
        L.act("govshare_catalogue_submit", w.p_compiler, id=w.slow["id"])
        late = A.request(w, w.g2)
        A.step(w, "endorse", late, "c_reviewer")
    finally:
        model_base.now = real
    L.act("govshare_catalogue_submit", w.p_compiler, id=w.quick["id"])
    L.act("govshare_catalogue_approve", w.p_reviewer, id=w.quick["id"])
    L.act("govshare_catalogue_approve", w.p_reviewer, id=w.slow["id"])
    # two access requests answered: one a month late, one at once
    A.step(w, "approve", late, "p_reviewer")
    on_time = A.request(w, w.mixed)
    A.step(w, "endorse", on_time, "c_reviewer")
    A.step(w, "refuse", on_time, "p_reviewer", reason="数据不在本部门", refusal_code="not_ours")
    L.act("govshare_assessment_snapshot_create", w.sysadmin, organization_id=w.provider["id"])
    return w
