"""Demo records of the security officer's duties (loaded after the demo catalogue,
:mod:`ckanext.govshare.demo`): a security incident being handled (省公安厅), a closed one
(省人力资源和社会保障厅) and a grade sign-off waiting for a security officer.

Everything goes through the public actions as the demo departments' users
(``<short>-reviewer``, ``<short>-security-officer``, ``<short>-compiler``). Idempotent: an
incident whose title exists is left alone, and a sign-off is asked for only when none is open.
The demo catalogue approves its high-grade entries after :func:`confirm_grade`.
"""
from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.govshare.catalogue import fields
from ckanext.govshare.lifecycle import tables
from ckanext.govshare.model import base
from ckanext.govshare.model.sharing import Case
from ckanext.govshare.sharing import flows, security

__all__ = ["INCIDENTS", "confirm_grade", "load"]

#: (department, reporter, title, severity, days ago, description, entry titles, responsible,
#: handling steps as the security officer, conclusion or None)
INCIDENTS: list[tuple[Any, ...]] = [
    ("sx-gat", "gat-reviewer", "户籍人口信息接口异常批量调用", "serious", 2,
     "监测发现某使用部门账号在非工作时间对户籍人口基本信息接口发起大量查询，"
     "单日调用量超过授权约定峰值的二十倍，疑似超范围使用。",
     ["户籍人口基本信息"], "gat-admin",
     ["已暂停该账号的接口调用权限，并留存全部调用日志备查。",
      "已通知使用部门核查调用用途和经办人员，要求三个工作日内书面说明。"], None),
    ("sx-hrss", "hrss-security-officer", "社会保险参保数据导出文件误发", "general", 20,
     "经办人员将含参保人员姓名和社会保障号码的导出文件误发至非授权人员邮箱。",
     ["社会保险参保信息"], "hrss-reviewer",
     ["已联系收件人删除文件并取得书面确认。",
      "已对经办人员开展数据安全培训，导出功能增加脱敏和审批环节。"],
     "误发文件已确认删除，未造成数据扩散；责任人已作书面检查，导出流程已整改。"),
]


def _context(user: str) -> dict[str, Any]:
    return {"user": user}


def _entry_ids(org_id: str, titles: list[str]) -> list[str]:
    rows = (model.Session.query(model.Package.id)
            .filter(model.Package.owner_org == org_id, model.Package.state == "active",
                    model.Package.title.in_(titles)))
    return [r[0] for r in rows]


def _incidents(echo: Callable[[str], Any]) -> None:
    existing = {title for (title,) in model.Session.query(Case.title)
                .filter(Case.kind == flows.INCIDENT)}
    for (dept, reporter, title, severity, days, description, entries, responsible, steps,
         conclusion) in INCIDENTS:
        org = model.Group.get(dept)
        if title in existing or org is None or model.User.get(reporter) is None:
            continue
        short = dept.split("-")[1]
        officer = f"{short}-security-officer"
        case = tk.get_action("govshare_incident_create")(_context(reporter), {
            "organization_id": org.id, "title": title, "severity": severity,
            "occurred_at": (base.now() - datetime.timedelta(days=days)).isoformat(),
            "description": description, "entries": _entry_ids(org.id, entries),
            "responsible": responsible})
        for text in steps:
            tk.get_action("govshare_incident_handle")(_context(officer),
                                                      {"id": case["number"], "text": text})
        if conclusion:
            tk.get_action("govshare_incident_close")(
                _context(officer), {"id": case["number"], "conclusion": conclusion})
        echo(tk._("Security incident {number}: {title}").format(number=case["number"],
                                                                 title=title))


def _pending_signoff(echo: Callable[[str], Any]) -> None:
    """Submit a draft of a grade the security officer confirms, unless a sign-off is open."""
    if model.Session.query(Case.id).filter(Case.kind == flows.GRADE_SIGNOFF,
                                           Case.closed_at.is_(None)).first() is not None:
        return
    level, scale = security.signoff_level()
    if level is None:
        return
    state = model.Package.extras[fields.CATALOGUE_STATE].astext
    grade = model.Package.extras[fields.DATA_GRADE].astext
    drafts = (model.Session.query(model.Package.id, model.Package.owner_org, grade)
              .filter(model.Package.state == "active", state == tables.DRAFT)
              .order_by(model.Package.name).all())
    for entry_id, org_id, entry_grade in drafts:
        org = model.Group.get(org_id) if org_id else None
        if org is None or not security.needs_signoff(entry_grade, None, level, scale):
            continue
        compiler = f"{org.name.split('-')[-1]}-compiler"
        if model.User.get(compiler) is None:
            continue
        tk.get_action("govshare_catalogue_submit")(_context(compiler), {"id": entry_id})
        signoff = security.latest_signoff(entry_id)
        echo(tk._("Grade sign-off {number} waits for {department}").format(
            number=signoff.number if signoff else "?", department=org.title or org.name))
        return


def confirm_grade(entry_id: str, officer: str) -> None:
    """Sign the entry's open grade sign-off as ``officer`` (nothing when none is open): the demo
    catalogue calls it before approving a high-grade entry."""
    signoff = security.latest_signoff(entry_id)
    if signoff is not None and signoff.closed_at is None:
        tk.get_action("govshare_signoff_sign")(_context(officer), {"id": signoff.number})


def load(echo: Callable[[str], Any] = print) -> None:
    """Load the security demo records (idempotent)."""
    _incidents(echo)
    _pending_signoff(echo)
