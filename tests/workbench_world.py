"""The workbench's world (``tests/views/test_workbench.py``, the crawl of
``tests/views/test_crawl.py``): a providing and a consuming department with an entry in every
step of the lifecycle, a data demand and an authorization about to end."""
from __future__ import annotations

import datetime

import ckan.model as model

from ckanext.govshare.model import base
from ckanext.govshare.model.lifecycle import EntryLifecycle
from ckanext.govshare.sharing import security

from . import authorizations as A
from . import lifecycle as L

__all__ = ["build", "new_entry"]


def new_entry(w, **fields):
    return L.entry(w.org, w.compiler, **fields)


def _published(w):
    pkg = new_entry(w)
    L.act("govshare_catalogue_submit", w.compiler, id=pkg["id"])
    L.act("govshare_catalogue_approve", w.reviewer, id=pkg["id"])
    return pkg


def build():
    """The authorizations world (``org`` provides, ``other`` consumes; a published entry) with
    an entry in each step: a draft, a returned draft, two in review (one overdue), an update
    required, a revision in review, a revision draft, an offline request, a G3 entry in review
    awaiting its grade sign-off; a data demand to ``org``; an authorization of ``other``
    ending within the notice."""
    w = A.build()
    w.draft = new_entry(w)
    w.returned = new_entry(w)
    L.act("govshare_catalogue_submit", w.compiler, id=w.returned["id"])
    L.act("govshare_catalogue_return", w.reviewer, id=w.returned["id"], reason="补充信息项说明")
    w.late, w.review = new_entry(w), new_entry(w)
    for pkg in (w.late, w.review):
        L.act("govshare_catalogue_submit", w.compiler, id=pkg["id"])
    model.Session.query(EntryLifecycle).filter(EntryLifecycle.entry_id == w.late["id"]).update(
        {"due_at": base.now() - datetime.timedelta(days=14)})
    w.changed = _published(w)
    L.act("govshare_catalogue_change_event", w.reviewer, id=w.changed["id"],
          reason="法规修订")
    w.revised = _published(w)
    w.revision = L.act("govshare_revision_create", w.compiler, id=w.revised["id"],
                       title="企业登记信息（变更）")
    L.act("govshare_revision_submit", w.compiler, id=w.revision["id"])
    w.drafting = _published(w)
    w.revision_draft = L.act("govshare_revision_create", w.compiler, id=w.drafting["id"],
                             title="企业登记信息（草拟变更）")
    w.leaving = _published(w)
    L.act("govshare_catalogue_request_offline", w.compiler, id=w.leaving["id"],
          reason="职能调整")
    # a G3 entry submitted: its grade sign-off (分级确认) opened as the submission opens it
    # where ckanext.govshare.sharing.signoff_grade is G3 (test.ini leaves it off)
    graded = L.entry_dict(w.org, **A.GRADED)
    graded["info_items"] = [{**i, "share_type": "conditional", "grade": "G3"}
                            for i in graded["info_items"]]
    w.graded_review = L.act("package_create", w.compiler, **graded)
    L.act("govshare_catalogue_submit", w.compiler, id=w.graded_review["id"])
    security.open_signoff({"user": w.compiler["name"]}, entry_id=w.graded_review["id"],
                          entry_fields=L.live(w.graded_review["id"]), grade="G3")
    w.demand = L.act("govshare_demand_create", w.requester, title="企业年报数据需求",
                     target_org=w.org["id"], scenario="年报抽查", basis="《企业信息公示暂行条例》",
                     items=["企业名称", "年报年度"], update_cycle="yearly",
                     expected_date=(base.now().date() + datetime.timedelta(days=60)).isoformat())
    w.auth = A.grant(w, w.entry, validity_days=30)
    model.repo.commit()
    return w
