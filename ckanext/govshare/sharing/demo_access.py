"""Demo access requests (数据资源申请) between the demo departments, in several states, so the
request pages and the lists 我的申请 / 待我审核 have something real to show after
``scripts/serve.sh``. Loaded after :func:`ckanext.govshare.demo.load` (its departments, users
and published entries), through the public actions as the demo users; idempotent: a request is
filed only when its requester has none for that entry yet.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.govshare.model.sharing import Case
from ckanext.govshare.sharing import flows

log = logging.getLogger(__name__)

__all__ = ["REQUESTS", "load"]

#: (requester, provider department, entry title, steps as (event, user, extra data), fields)
REQUESTS: list[tuple[str, str, str, list[tuple[str, str, dict[str, Any]]], dict[str, Any]]] = [
    # waits for the requesting department's endorsement (统一提出)
    ("gat-compiler", "sx-samr", "严重违法失信企业名单", [], {
        "items": ["统一社会信用代码", "企业名称"], "purpose": "治安管理中核查企业失信情况",
        "scenario": "特种行业许可审查", "basis": "《旅馆业治安管理办法》第四条",
        "provision_method": "verify", "validity_days": 180}),
    # endorsed, waits for the provider
    ("hrss-compiler", "sx-samr", "企业年度报告公示信息", [
        ("endorse", "hrss-reviewer", {"reason": "就业登记核验确需"})], {
        "purpose": "核验用人单位经营状态", "scenario": "就业登记与失业保险稽核",
        "basis": "《失业保险条例》第二十四条", "provision_method": "query",
        "validity_days": 365}),
    # returned by the provider for more information (the clock stops)
    ("samr-compiler", "sx-gat", "机动车登记信息", [
        ("endorse", "samr-reviewer", {}),
        ("return", "gat-reviewer", {"reason": "请补充具体的使用场景和依据文件"})], {
        "items": ["号牌号码", "车辆类型", "所有人"], "purpose": "市场主体住所核查",
        "scenario": "企业登记信息核查", "basis": "《市场主体登记管理条例》",
        "provision_method": "query", "validity_days": 90}),
    # approved: an authorization, waiting for delivery
    ("samr-compiler", "sx-hrss", "失业保险金发放信息", [
        ("endorse", "samr-reviewer", {}),
        ("approve", "hrss-reviewer", {"reason": "同意按查询接口提供"})], {
        "purpose": "核查企业用工与社保缴纳情况", "scenario": "企业信用监管",
        "basis": "《企业信息公示暂行条例》第十条", "provision_method": "query",
        "validity_days": 180}),
    # refused with a reason of the controlled list
    ("gat-compiler", "sx-hrss", "社会保险参保信息", [
        ("endorse", "gat-reviewer", {}),
        ("refuse", "hrss-reviewer", {"refusal_code": "law",
                                      "reason": "个人参保明细不得超出法定用途提供"})], {
        "purpose": "人口信息比对", "scenario": "流动人口管理",
        "basis": "《居住证暂行条例》", "provision_method": "bulk", "validity_days": 365}),
    # G3: approved by the reviewer, waits for the provider's security officer
    ("hrss-compiler", "sx-gat", "户籍人口基本信息", [
        ("endorse", "hrss-reviewer", {}),
        ("approve", "gat-reviewer", {"reason": "同意，转安全审核"})], {
        "items": ["公民身份号码", "姓名"], "purpose": "社会保障卡申领身份核验",
        "scenario": "社会保障卡办理", "basis": "《社会保险法》第五十八条",
        "provision_method": "verify", "validity_days": 365}),
]

#: what every demo request states besides its own fields
COMMON: dict[str, Any] = {"region": "全省", "usage_scope": "本部门行政审批与监管",
                          "expected_volume": "每日约500次", "agreement_accepted": True}


def _entry_id(org_name: str, title: str) -> str | None:
    org = model.Group.get(org_name)
    if org is None:
        return None
    row = (model.Session.query(model.Package.id)
           .filter(model.Package.owner_org == org.id, model.Package.title == title,
                   model.Package.state == "active").first())
    return row[0] if row else None


def _filed(user_name: str, entry_id: str) -> bool:
    user = model.User.get(user_name)
    return user is not None and model.Session.query(
        model.Session.query(Case).filter(
            Case.kind == flows.ACCESS_REQUEST, Case.requester_user == user.id,
            Case.entry_id == entry_id).exists()).scalar()


def load(echo: Callable[[str], Any] = print) -> None:
    """File the demo requests that are not there yet and take their steps."""
    filed = 0
    for requester, provider, title, steps, own in REQUESTS:
        entry_id = _entry_id(provider, title)
        if entry_id is None or model.User.get(requester) is None:
            echo(tk._("Demo access requests: {title} of {provider} or {requester} missing, "
                      "skipped").format(title=title, provider=provider, requester=requester))
            continue
        if _filed(requester, entry_id):
            continue
        try:
            req = tk.get_action("govshare_access_request_create")(
                {"user": requester}, {"entry_id": entry_id, **COMMON, **own})
            for event, user, data in steps:
                req = tk.get_action(f"govshare_access_request_{event}")(
                    {"user": user}, {"id": req["id"], **data})
        except (tk.ValidationError, tk.NotAuthorized) as err:
            model.Session.rollback()
            echo(tk._("Demo access requests: {title} for {requester} not filed: {error}")
                 .format(title=title, requester=requester, error=err))
            continue
        filed += 1
    echo(tk._("Access requests: {count} new").format(count=filed))
