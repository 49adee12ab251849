"""Departments, people and entries for the access request tests (logic and pages).

:func:`world` builds a providing department ``provider`` with its published entries — a
conditional G2 entry (``g2``), a conditional G3 entry (``g3``: the security stage), an
unconditional one, a not-shared one, ``mixed`` (one of its 信息项 not shared) — and a draft; a requesting department ``consumer`` with
the ``requester`` (a plain member), a second member, two reviewers; the provider's two
reviewers, two security officers and ``both`` (reviewer and security officer); an
``outsider`` of a third department; a ``sysadmin``. Entries are published through the import
path (the lifecycle's own tests cover review).
"""
from __future__ import annotations

import itertools
import uuid
from types import SimpleNamespace
from typing import Any

from ckan.tests import factories, helpers

from ckanext.govshare import demo

from . import lifecycle as L
from .departments import department

_seq = itertools.count(1)

#: demo templates (department, index) by what the tests need of them
CONDITIONAL_G2 = ("sx-samr", 5)  # 企业年度报告公示信息: conditional, G2, no agreement
CONDITIONAL_G3 = ("sx-samr", 4)  # 严重违法失信企业名单: conditional, G3, agreement
UNCONDITIONAL = ("sx-samr", 0)  # 企业登记信息: unconditional, G2
NOT_SHARED = ("sx-gat", 6)  # 出入境证件签发信息: not shared, IMP


def entry(org: dict[str, Any], template: tuple[str, int], *, publish: bool = True,
          **fields: Any) -> dict[str, Any]:
    """An entry of ``org`` from a demo template (unit ``DJZCC``), published by import."""
    n = next(_seq)
    dept = {"name": org["name"], "title": org.get("title") or org["name"],
            "units": [("DJZCC", "登记注册处")] * 3}
    row = list(demo.TEMPLATES[template[0]][template[1]])
    row[1] = 0
    row[4] = f"{(n * 7) % 1000:03d}"
    data = demo._entry(dept, tuple(row), "", 0)
    data.update({"title": f"{data['title']}{n}", "name": f"ar-entry-{n}-{uuid.uuid4().hex[:6]}",
                 "owner_org": org["id"], "tags": [{"name": "共享"}]})
    data.update(fields)
    pkg = helpers.call_action("package_create", L.site(), **data)
    if publish:
        helpers.call_action("govshare_catalogue_import", L.site(), id=pkg["id"],
                            catalogue_state="published")
    return helpers.call_action("package_show", L.site(), id=pkg["id"])


def member(org: dict[str, Any], user: dict[str, Any], capacity: str = "member") -> None:
    helpers.call_action("organization_member_create", L.site(), id=org["id"],
                        username=user["name"], role=capacity)


def world() -> SimpleNamespace:
    users = {k: factories.User(fullname=f"{k} 用户", email=f"{k}-{next(_seq)}@example.gov.cn")
             for k in ("requester", "colleague", "c_reviewer", "c_reviewer2", "p_reviewer",
                       "p_reviewer2", "p_security", "p_security2", "both", "p_compiler",
                       "outsider", "two_depts")}
    provider = department()
    consumer = department()
    third = department()
    for who in ("requester", "colleague"):
        member(consumer, users[who])
    L.grant(consumer, users["c_reviewer"], "reviewer")
    L.grant(consumer, users["c_reviewer2"], "reviewer")
    L.grant(provider, users["p_reviewer"], "reviewer")
    L.grant(provider, users["p_reviewer2"], "reviewer")
    L.grant(provider, users["p_security"], "security_officer")
    L.grant(provider, users["p_security2"], "security_officer")
    L.grant(provider, users["both"], "reviewer")
    L.grant(provider, users["both"], "security_officer")
    L.grant(provider, users["p_compiler"], "compiler", units=["DJZCC"])
    member(third, users["outsider"])
    member(consumer, users["two_depts"])
    member(third, users["two_depts"])
    w = SimpleNamespace(provider=provider, consumer=consumer, third=third,
                        sysadmin=factories.Sysadmin(), **users)
    w.g2 = entry(provider, CONDITIONAL_G2)
    w.g3 = entry(provider, CONDITIONAL_G3)
    w.open = entry(provider, UNCONDITIONAL)
    w.closed = entry(provider, NOT_SHARED)
    w.draft = entry(provider, CONDITIONAL_G2, publish=False)
    w.own = entry(consumer, CONDITIONAL_G2)
    # one 信息项 of a conditional entry is itself not shared
    mixed = demo._entry({"name": provider["name"], "title": provider["title"],
                         "units": [("DJZCC", "登记注册处")] * 3},
                        demo.TEMPLATES[CONDITIONAL_G2[0]][CONDITIONAL_G2[1]], "", 0)
    items = mixed["info_items"]
    items[0] = {**items[0], "share_type": "not_shared",
                "share_condition": "《中华人民共和国个人信息保护法》第十三条"}
    w.mixed = entry(provider, CONDITIONAL_G2, info_items=items)
    return w


def fields(**overrides: Any) -> dict[str, Any]:
    """A complete valid request (without the entry)."""
    data = {
        "purpose": "核验企业年度报告信息，办理行政许可", "scenario": "企业开办一件事联办",
        "basis": "《优化营商环境条例》第三十七条", "region": "全省", "usage_scope": "行政审批",
        "provision_method": "query", "validity_days": 90, "expected_volume": "每日约200次",
        "agreement_accepted": True,
    }
    data.update(overrides)
    return data


def request(w: SimpleNamespace, entry: dict[str, Any], who: str = "requester",
            **overrides: Any) -> dict[str, Any]:
    """File a request for ``entry`` as ``who`` of ``w``."""
    return L.act("govshare_access_request_create", getattr(w, who), entry_id=entry["id"],
                 **fields(**overrides))


def step(w: SimpleNamespace, event: str, req: dict[str, Any], who: str, **data: Any) -> dict:
    return L.act(f"govshare_access_request_{event}", getattr(w, who), id=req["id"], **data)
