"""Authorizations for tests: a provider and a consumer department with published conditional
entries (one needing a security agreement) and the grant of an approved access request, as the
access-request service creates it (:func:`ckanext.govshare.sharing.authorizations.
grant_from_request`)."""
from __future__ import annotations

from types import SimpleNamespace

import ckan.model as model
from ckan.tests import factories, helpers

from ckanext.govshare.sharing import authorizations, cases, flows

from . import lifecycle as L

SCOPE = {"consumers": "省直有关部门", "regions": "全省", "need_to_know": "经办人员",
         "usage": "行政审批", "scenarios": "企业信用核查"}
#: a conditional G2 entry whose share scope asks no agreement
CONDITIONAL = {
    "share_type": "conditional", "open_type": "not_open", "open_condition": "",
    "share_condition": "仅限履行法定职责需要使用", "share_type_reason": "涉及企业信用信息",
    "share_scope": [{**SCOPE, "agreement_required": "false"}], "data_grade": "G2",
}
#: a conditional G3 entry: its grade (and its share scope) call for a security agreement
GRADED = {**CONDITIONAL, "data_grade": "G3",
          "share_scope": [{**SCOPE, "agreement_required": "true"}]}


def publish(w, **fields):
    data = L.entry_dict(w.org, **fields)
    data["info_items"] = [{**i, "share_type": fields["share_type"], "grade": fields["data_grade"]}
                          for i in data["info_items"]]
    entry = helpers.call_action("package_create", {"user": w.compiler["name"]}, **data)
    L.act("govshare_catalogue_submit", w.compiler, id=entry["id"])
    L.act("govshare_catalogue_approve", w.reviewer, id=entry["id"])
    return L.live(entry["id"])


def member(org, role="member"):
    user = factories.User()
    helpers.call_action("organization_member_create", L.site(), id=org["id"],
                        username=user["name"], role=role)
    return user


def build() -> SimpleNamespace:
    """:func:`tests.lifecycle.world` (``org`` provides, ``other`` consumes) with a conditional
    G2 ``entry`` and a G3 ``graded`` one, both published; ``requester`` and ``colleague`` are
    members of ``other``; ``third`` is the reviewer of a third department."""
    w = L.world()
    w.entry = publish(w, **CONDITIONAL)
    w.graded = publish(w, **GRADED)
    w.requester = member(w.other)
    w.colleague = member(w.other)
    w.third_org = L.department()
    w.third = factories.User()
    L.grant(w.third_org, w.third, "reviewer")
    return w


def grant(w, entry, *, as_user=None, **data):
    """The authorization an approved request of ``w.requester`` for ``entry`` grants."""
    fields = {"items": [], "purpose": "企业信用核查", "scenario": "行政许可审查",
              "basis": "《企业信息公示暂行条例》第十七条",
              "region": "全省", "usage_scope": "本部门审批业务", "provision_method": "query",
              "persons": [w.requester["name"]], "validity_days": 90, **data}
    case = cases.open_case({"user": w.requester["name"]}, flows.ACCESS_REQUEST,
                           title=f"申请使用{entry['title']}", requester_org=w.other["id"],
                           target_org=w.org["id"], data=fields, assignee=None,
                           state=flows.APPROVED, entry_id=entry["id"])
    auth = authorizations.grant_from_request({"user": (as_user or w.reviewer)["name"]}, case)
    model.repo.commit()
    return helpers.call_action("govshare_authorization_show", L.site(), id=auth.id)


def show(auth_id):
    return helpers.call_action("govshare_authorization_show", L.site(), id=auth_id)
