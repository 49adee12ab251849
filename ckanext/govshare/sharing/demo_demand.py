"""Demo data demands and collection requests, loaded after the demo catalogue
(:mod:`ckanext.govshare.demo`): something real on every page and list of these flows.

Demands between the three demo departments — one awaiting its target department, one
accepted with a draft entry for a unit, one fulfilled at once by a published entry (its
requester sees the access-request button), one transferred, one refused with a reason code,
one addressed to nobody and waiting on the coordinator — and collection requests in review,
returned, approved and completed. Everything goes through the public actions as the demo
users (``<short>-compiler``, ``<short>-reviewer``), so the demo obeys every rule. Idempotent:
a case whose title its department already filed is left alone.
"""
from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.govshare.lifecycle import deadlines
from ckanext.govshare.model import base
from ckanext.govshare.model.sharing import Case
from ckanext.govshare.sharing import flows

__all__ = ["DEMANDS", "COLLECTIONS", "load"]


def _as(user: str) -> dict[str, Any]:
    return {"user": user, "ignore_auth": False}


def _org_id(name: str) -> str | None:
    group = model.Group.get(name)
    return group.id if group is not None else None


def _day(days: int) -> str:
    """The ISO date ``days`` from today (Beijing)."""
    today = base.now().astimezone(deadlines.SHANGHAI).date()
    return (today + datetime.timedelta(days=days)).isoformat()


def _entry_id(org: str, title: str) -> str | None:
    row = (model.Session.query(model.Package.id)
           .filter(model.Package.owner_org == _org_id(org), model.Package.title == title,
                   model.Package.state == "active").first())
    return row[0] if row else None


# (requester, target department or None, fields, steps: (user, action, params) after filing)
DEMANDS: list[tuple[str, str | None, dict[str, Any], list[tuple[str, str, dict[str, Any]]]]] = [
    ("hrss-compiler", "sx-samr", {
        "title": "新设立企业社保登记联动信息",
        "description": "全省每日新设立企业的登记信息，用于自动办理单位社会保险参保登记。",
        "scenario": "企业开办“一件事”：新设企业自动办理社保参保登记",
        "basis": "《优化营商环境条例》第十九条；《社会保险法》第五十七条",
        "items": ["统一社会信用代码", "企业名称", "成立日期", "法定代表人", "住所"],
        "update_cycle": "daily", "expected_date": 60,
    }, []),
    ("samr-compiler", "sx-gat", {
        "title": "企业法定代表人身份核验信息",
        "description": "企业登记时核验法定代表人身份信息的真实性。",
        "scenario": "企业设立、变更登记时核验法定代表人身份",
        "basis": "《市场主体登记管理条例》第十六条",
        "items": ["公民身份号码", "姓名", "核验结果"],
        "update_cycle": "realtime", "expected_date": 45,
    }, [("gat-reviewer", "govshare_demand_accept",
         {"planned_date": 30, "unit": "GAT01", "reason": "由治安管理总队（户政）编制核验接口目录"})]),
    ("hrss-compiler", "sx-samr", {
        "title": "太原市企业登记信息（社保稽核用）",
        "description": "太原市企业登记信息，用于社保稽核比对。",
        "scenario": "社会保险参保单位稽核",
        "basis": "《社会保险稽核办法》第五条",
        "items": ["统一社会信用代码", "企业名称", "登记状态"],
        "update_cycle": "daily", "expected_date": 30,
    }, [("samr-reviewer", "govshare_demand_accept",
         {"planned_date": 5, "unit": "SAMR01", "entry_title": "企业登记信息（太原市）",
          "reason": "目录中已有该数据"})]),
    ("hrss-compiler", "sx-gat", {
        "title": "企业经营异常名录信息",
        "description": "被列入经营异常名录的企业，用于就业补贴发放前核查。",
        "scenario": "就业补贴发放前核查企业经营状态",
        "basis": "《就业补助资金管理办法》第十八条",
        "items": ["统一社会信用代码", "企业名称", "列入日期", "列入原因"],
        "update_cycle": "weekly", "expected_date": 40,
    }, [("gat-reviewer", "govshare_demand_transfer",
         {"target_org": "sx-samr", "reason": "经营异常名录由市场监管部门管理，转市场监管局办理"})]),
    ("gat-compiler", "sx-hrss", {
        "title": "个人社会保险缴费明细",
        "description": "涉案人员的逐月社保缴费明细。",
        "scenario": "经济犯罪案件侦查中核查涉案人员收入来源",
        "basis": "《刑事诉讼法》第五十四条",
        "items": ["社会保障号码", "姓名", "缴费月份", "缴费基数", "缴费单位"],
        "update_cycle": "irregular", "expected_date": 20,
    }, [("hrss-reviewer", "govshare_demand_refuse",
         {"code": "law", "reason": "逐月缴费明细属于个人敏感信息，应依法通过协查函个案调取，不纳入批量共享。"})]),
    ("samr-compiler", None, {
        "title": "全省企业用水用气信息",
        "description": "企业月度用水、用气量，用于判断企业实际经营状态。",
        "scenario": "企业信用监管中识别“僵尸企业”",
        "basis": "《企业信息公示暂行条例》第十四条",
        "items": ["统一社会信用代码", "用水量", "用气量", "统计月份"],
        "update_cycle": "monthly", "expected_date": 90,
    }, []),
]

# (requester, fields, steps)
COLLECTIONS: list[tuple[str, dict[str, Any], list[tuple[str, str, dict[str, Any]]]]] = [
    ("samr-compiler", {
        "type": "collection", "title": "归集全省食品生产许可信息",
        "scenario": "食品安全监督抽检计划编制", "existing_data": "已有全省食品安全监督抽检结果",
        "source_name": "省市场监督管理局食品生产安全监督管理处", "target_library": "center",
        "mode": "incremental", "frequency": "daily",
        "fields": ["许可证编号", "生产者名称", "食品类别", "有效期至"],
    }, []),
    ("gat-compiler", {
        "type": "collection", "title": "归集旅馆业住宿登记信息",
        "scenario": "治安管理中核查住宿人员", "existing_data": "已有户籍人口基本信息",
        "source_name": "各市公安局治安管理支队", "target_library": "front", "mode": "incremental",
        "frequency": "realtime", "fields": ["公民身份号码", "姓名", "入住时间", "旅馆名称"],
    }, [("gat-reviewer", "govshare_collection_return",
         {"reason": "请补充已有数据情况：是否已通过其他渠道获取住宿登记信息，避免重复归集。"})]),
    ("hrss-compiler", {
        "type": "collection", "title": "归集企业登记信息用于参保扩面",
        "scenario": "社会保险参保扩面", "existing_data": "已有社会保险参保信息",
        "source_org": "sx-samr", "target_library": "front", "mode": "full",
        "frequency": "monthly", "fields": ["统一社会信用代码", "企业名称", "成立日期"],
    }, [("hrss-reviewer", "govshare_collection_approve",
         {"reason": "经省政务数据共享平台前置库按月全量归集，仅限参保扩面使用。"})]),
    ("samr-compiler", {
        "type": "collection", "title": "归集特种设备检验检测信息",
        "scenario": "特种设备安全监管", "existing_data": "已有特种设备使用登记信息",
        "source_name": "省特种设备检验研究院", "target_library": "center", "mode": "incremental",
        "frequency": "weekly", "fields": ["设备代码", "检验日期", "检验结论"],
    }, [("samr-reviewer", "govshare_collection_approve",
         {"reason": "通过中心库每周增量归集。"}),
        ("samr-compiler", "govshare_collection_complete",
         {"reason": "归集任务已配置，首次同步 12,480 条。"})]),
]


def _exists(kind: str, requester: str, title: str) -> bool:
    user = model.User.get(requester)
    if user is None:
        return True  # the demo catalogue is not loaded: nothing to attach to
    return model.Session.query(
        model.Session.query(Case).filter(Case.kind == kind, Case.title == title,
                                         Case.requester_user == user.id).exists()).scalar()


def _dates(params: dict[str, Any]) -> dict[str, Any]:
    """Day offsets of the date parameters as ISO dates (relative to today)."""
    out = dict(params)
    for key in ("expected_date", "planned_date"):
        if isinstance(out.get(key), int):
            out[key] = _day(out[key])
    return out


def _steps(case: dict[str, Any], steps: list[tuple[str, str, dict[str, Any]]]) -> None:
    for user, action, params in steps:
        params = _dates(params)
        if params.get("target_org"):
            params["target_org"] = _org_id(params["target_org"])
        if action == "govshare_demand_accept" and params.get("entry_title"):
            # link the published entry of that title: the demand is fulfilled at once
            linked = _entry_id(case["target_org_name"], params.pop("entry_title"))
            if linked:
                params["entry_id"] = linked
        tk.get_action(action)(_as(user), {"id": case["id"], **params})


def load(echo: Callable[[str], Any] = print) -> None:
    """Load the demo demands and collection requests (after ``demo.load``)."""
    made = 0
    for requester, target, fields, steps in DEMANDS:
        if _exists(flows.DEMAND, requester, fields["title"]):
            continue
        data = _dates(fields)
        data["target_org"] = _org_id(target) if target else "unknown"
        case = tk.get_action("govshare_demand_create")(_as(requester), data)
        case["target_org_name"] = target
        _steps(case, steps)
        made += 1
    echo(tk._("Demands: {count} new").format(count=made))
    made = 0
    for requester, fields, steps in COLLECTIONS:
        if _exists(flows.COLLECTION, requester, fields["title"]):
            continue
        data = dict(fields)
        if data.get("source_org"):
            data["source_org"] = _org_id(data["source_org"])
        case = tk.get_action("govshare_collection_create")(_as(requester), data)
        _steps(case, steps)
        made += 1
    echo(tk._("Collection requests: {count} new").format(count=made))
