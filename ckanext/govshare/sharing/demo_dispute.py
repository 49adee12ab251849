"""Demo disputes (争议) and quality complaints (纠错) for ``scripts/serve.sh``: each list, page
and inbox of the two flows has something real to show.

Disputes, raised by one demo department's reviewer against another's entry or answer, through
the ``govshare_dispute_*`` actions: one still in negotiation, one escalated to the coordinator
(the sysadmin ``admin``: the demo configures no coordinating department), one decided and
executed by opening a revision of the entry (the department's compilers then edit and submit
it), and one about a refused access request, decided and executed by granting access.
Complaints, filed by another department's compiler through the ``govshare_complaint_*``
actions: one corrected (accepted) and rated, one answered without a correction and awaiting
its rating, one still waiting for the provider. Idempotent: a scenario whose claim (or
description) is already on record is skipped. Needs ``demo.load()`` first (the demo
departments, their users and their published entries).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.govshare.catalogue import fields
from ckanext.govshare.lifecycle import tables
from ckanext.govshare.messages import text
from ckanext.govshare.model.sharing import Case
from ckanext.govshare.sharing import flows

__all__ = ["COMPLAINTS", "DISPUTES", "load"]

#: the demo's coordinator (no coordinating department configured: the sysadmins)
COORDINATOR = "admin"

#: (raising department, provider, entry title, kind, claim, how far it goes)
DISPUTES: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("sx-hrss", "sx-samr", "企业登记信息", "content",
     "演示：“企业登记信息”未列出注册资本币种，社保登记比对时无法判断金额口径。",
     "negotiating"),
    ("sx-samr", "sx-gat", "出入境证件签发信息", "share_attribute",
     "演示：市场主体登记核验外籍投资人身份需要证件签发信息，不予共享缺乏充分依据，"
     "建议调整为有条件共享。", "escalated"),
    ("sx-gat", "sx-hrss", "社会保险参保信息", "ownership",
     "演示：参保单位地址信息应以市场监管部门登记为准，本条目重复采集，数源认定有误。",
     "revise_entry"),
    ("sx-gat", "sx-samr", "市场监管行政处罚信息", "refusal",
     "演示：治安案件办理需核验行政处罚信息，提供部门以“不具备共享条件”拒绝，但该数据已按月更新。",
     "grant"),
)

#: (complainant's department, provider, entry title, type, description, how far it goes)
COMPLAINTS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("sx-hrss", "sx-samr", "企业营业执照信息", "data_quality",
     "演示：部分企业的“成立日期”晚于核准日期，疑为录入错误。", "corrected"),
    ("sx-gat", "sx-hrss", "就业登记信息", "catalogue",
     "演示：目录摘要称按日更新，实际数据按月更新。", "answered"),
    ("sx-samr", "sx-gat", "机动车驾驶证信息", "service", "演示：接口连续两日超时，无法调用。",
     "submitted"),
)


def _user(dept: str, role: str) -> str:
    return f"{dept.split('-')[1]}-{role.replace('_', '-')}"


def _as(name: str) -> dict[str, Any]:
    return {"user": name}


def _entry(provider: str, title: str) -> model.Package | None:
    org = model.Group.get(provider)
    if org is None:
        return None
    return (model.Session.query(model.Package)
            .filter(model.Package.owner_org == org.id, model.Package.title == title,
                    model.Package.state == "active",
                    model.Package.extras[fields.CATALOGUE_STATE].astext == tables.PUBLISHED)
            .first())


def _exists(kind: str, key: str, text: str) -> bool:
    return model.Session.query(Case.id).filter(
        Case.kind == kind, Case.data[key].astext == text).first() is not None


def _refused_request(raiser: str, provider: str, pkg: model.Package) -> dict[str, Any]:
    """An access request of ``raiser``'s compiler, endorsed, refused by ``provider``."""
    act = tk.get_action
    request = act("govshare_access_request_create")(_as(_user(raiser, "compiler")), {
        "entry_id": pkg.id, "organization_id": raiser, "purpose": "演示：治安案件办理中的处罚记录核验",
        "scenario": "案件办理", "basis": "《中华人民共和国治安管理处罚法》",
        "region": "山西省", "usage_scope": "本部门案件办理", "provision_method": "query",
        "validity_days": 180, "agreement_accepted": True})
    act("govshare_access_request_endorse")(_as(_user(raiser, "reviewer")),
                                           {"id": request["id"], "reason": "同意提出"})
    return act("govshare_access_request_refuse")(_as(_user(provider, "reviewer")), {
        "id": request["id"], "refusal_code": "not_ready", "reason": "数据尚在治理，暂不具备共享条件"})


def _dispute(raiser: str, provider: str, pkg: model.Package, kind: str, claim: str,
             goal: str) -> str:
    act = tk.get_action
    reviewer = _user(raiser, "reviewer")
    data: dict[str, Any] = {"kind": kind, "claim": claim, "organization_id": raiser,
                            "attachment_url": "https://www.shanxi.gov.cn/zfxxgk/"}
    if kind in ("refusal", "overdue", "conditions"):
        data["request_id"] = _refused_request(raiser, provider, pkg)["id"]
    else:
        data["entry_id"] = pkg.id
    made = act("govshare_dispute_create")(_as(reviewer), data)
    if goal == "negotiating":
        return made["number"]
    act("govshare_dispute_escalate")(_as(_user(provider, "reviewer")), {
        "id": made["id"], "reason": "演示：双方协商未能达成一致，提请统筹协调组织协调。"})
    if goal == "escalated":
        return made["number"]
    outcome = "grant" if goal == "grant" else "revise_entry"
    act("govshare_dispute_decide")(_as(COORDINATOR), {
        "id": made["id"], "outcome": outcome,
        "reason": "演示：经协调，" + ("该数据具备共享条件，予以授权。" if outcome == "grant"
                                 else "由提供部门修改目录条目，明确数源并删除重复信息项。")})
    act("govshare_dispute_execute")(_as(COORDINATOR), {"id": made["id"]})
    return made["number"]


def _complaint(who: str, provider: str, pkg: model.Package, kind: str, description: str,
               goal: str) -> str:
    act = tk.get_action
    complainant = _user(who, "compiler")
    made = act("govshare_complaint_create")(_as(complainant), {
        "entry_id": pkg.id, "type": kind, "description": description,
        "contact": f"{complainant}@example.gov.cn", "organization_id": who,
        "item": ""})
    if goal == "submitted":
        return made["number"]
    accepted = goal == "corrected"
    act("govshare_complaint_answer")(_as(_user(provider, "compiler")), {
        "id": made["id"], "correction_accepted": accepted,
        "reason": "演示：已核对源数据并更正错误记录。" if accepted
        else "演示：经核实，目录描述与实际更新频率一致，数据按日增量更新、按月汇总发布。"})
    if accepted:
        act("govshare_complaint_rate")(_as(complainant), {
            "id": made["id"], "rating": 5, "reason": "更正及时"})
    return made["number"]


def _state(number: str, states: dict[str, Any]) -> str:
    """The label of the state case ``number`` is in, in the current language."""
    state = model.Session.query(Case.state).filter(Case.number == number).scalar()
    return text(states[state]) if state in states else str(state)


def load(echo: Callable[[str], Any] = print) -> None:
    """Create the demo disputes and complaints that are not there yet."""
    made = 0
    for raiser, provider, title, kind, claim, goal in DISPUTES:
        if _exists(flows.DISPUTE, "claim", claim):
            continue
        pkg = _entry(provider, title)
        if pkg is None:
            echo(tk._("Demo disputes: no published entry {title} of {provider}, skipped")
                 .format(title=title, provider=provider))
            continue
        number = _dispute(raiser, provider, pkg, kind, claim, goal)
        echo(tk._("Demo dispute {number}: {state}").format(
            number=number, state=_state(number, flows.DISPUTE_STATES)))
        made += 1
    for who, provider, title, kind, description, goal in COMPLAINTS:
        if _exists(flows.COMPLAINT, "description", description):
            continue
        pkg = _entry(provider, title)
        if pkg is None:
            echo(tk._("Demo complaints: no published entry {title} of {provider}, skipped")
                 .format(title=title, provider=provider))
            continue
        number = _complaint(who, provider, pkg, kind, description, goal)
        echo(tk._("Demo complaint {number}: {state}").format(
            number=number, state=_state(number, flows.COMPLAINT_STATES)))
        made += 1
    echo(tk._("Demo disputes and complaints: {count} new").format(count=made))
