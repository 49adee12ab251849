"""Demo authorizations (授权) for ``scripts/serve.sh``: one in each status, so that both sides'
lists, an authorization's page, its agreement and its download have something real to show.

Each comes the way a real one does — an access request filed by the consuming department's
compiler, endorsed by its reviewer, approved by the providing department's reviewer (and its
security officer for graded data) through the ``govshare_access_request_*`` actions — and is
then moved on through the ``govshare_authorization_*`` actions: an agreement accepted by one
side only (待签署安全协议), one accepted by both (有效), a plain grant (有效), one suspended,
one revoked, and one whose validity is over, expired by the daily expiry. Idempotent: a
scenario whose purpose is already on an authorization is skipped. Needs ``demo.load()`` first
(the demo departments, their users and their published entries).
"""
from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.govshare import permissions
from ckanext.govshare.catalogue import fields
from ckanext.govshare.lifecycle import tables
from ckanext.govshare.model import base
from ckanext.govshare.model.sharing import Authorization
from ckanext.govshare.sharing import agreement, authorizations, flows

__all__ = ["SCENARIOS", "load"]

#: (consumer department, provider department, entry title, purpose, what follows the grant)
SCENARIOS: tuple[tuple[str, str, str, str, str], ...] = (
    ("sx-hrss", "sx-samr", "严重违法失信企业名单", "演示：社保待遇资格核查中的失信主体核验",
     "consumer_accepts"),
    ("sx-gat", "sx-samr", "不合格食品核查处置信息", "演示：食品安全案件线索核查", "both_accept"),
    ("sx-gat", "sx-samr", "企业年度报告公示信息", "演示：涉企治安管理信息比对", "active"),
    ("sx-samr", "sx-hrss", "就业登记信息", "演示：市场主体登记人员身份核验", "suspend"),
    ("sx-samr", "sx-gat", "机动车驾驶证信息", "演示：企业名下车辆驾驶人情况核查", "revoke"),
    ("sx-hrss", "sx-gat", "交通违法处理信息", "演示：职业资格审查中的违法记录核验", "expire"),
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


def _grant(consumer: str, provider: str, pkg: model.Package, purpose: str) -> str | None:
    """File, endorse and approve a request; the id of the authorization it grants."""
    act: Callable[..., Any] = tk.get_action
    request = act("govshare_access_request_create")(_as(_user(consumer, "compiler")), {
        "entry_id": pkg.id, "organization_id": consumer, "purpose": purpose,
        "scenario": "跨部门业务协同办理中的数据核验", "basis": "《政务数据共享条例》第十四条",
        "persons": [_user(consumer, "compiler")], "region": "山西省",
        "usage_scope": "本部门行政审批与监管业务", "provision_method": "query",
        "validity_days": 90, "agreement_accepted": True,
    })
    request = act("govshare_access_request_endorse")(
        _as(_user(consumer, "reviewer")), {"id": request["id"], "reason": "同意提出"})
    request = act("govshare_access_request_approve")(
        _as(_user(provider, "reviewer")), {"id": request["id"], "reason": "同意共享"})
    if request["state"] == flows.SECURITY_REVIEW:
        request = act("govshare_access_request_approve")(
            _as(_user(provider, "security_officer")), {"id": request["id"],
                                                        "reason": "安全审核通过"})
    return (request.get("data") or {}).get("authorization_id")


def _follow(what: str, auth_id: str, consumer: str, provider: str) -> None:
    """Move the new authorization to the scenario's status."""
    act = tk.get_action
    accept = act("govshare_authorization_agreement_accept")
    if what in ("consumer_accepts", "both_accept"):
        accept(_as(_user(consumer, "compiler")), {"id": auth_id, "side": agreement.CONSUMER})
    if what == "both_accept":
        accept(_as(_user(provider, "security_officer")),
               {"id": auth_id, "side": agreement.PROVIDER})
    elif what == "suspend":
        act("govshare_authorization_suspend")(_as(_user(provider, "security_officer")), {
            "id": auth_id, "reason": "发现超出约定时段的批量调用，暂停核查"})
    elif what == "revoke":
        act("govshare_authorization_revoke")(_as(_user(provider, "reviewer")), {
            "id": auth_id, "reason": "使用部门职能调整，不再需要该数据"})
    elif what == "expire":
        # the request was granted long ago: its validity is over, and the daily run expires it
        auth = model.Session.get(Authorization, auth_id)
        now = base.now()
        auth.valid_from = now - datetime.timedelta(days=100)
        auth.valid_until = now - datetime.timedelta(days=10)
        model.Session.flush()
        site = tk.get_action("get_site_user")({"ignore_auth": True}, {})
        authorizations.expire_due({"user": site["name"], "ignore_auth": True})
        model.repo.commit()


def load(echo: Callable[[str], Any] = print) -> None:
    """Create the demo authorizations that are not there yet."""
    made = 0
    for consumer, provider, title, purpose, what in SCENARIOS:
        if model.Session.query(Authorization).filter(Authorization.purpose == purpose).first():
            continue
        pkg = _entry(provider, title)
        if pkg is None:
            echo(tk._("Demo authorizations: no published entry {title} of {provider}, "
                      "skipped").format(title=title, provider=provider))
            continue
        requester = model.User.get(_user(consumer, "compiler"))
        if permissions.can_see_resources(requester, {
                "id": pkg.id, "owner_org": pkg.owner_org,
                fields.CATALOGUE_STATE: tables.PUBLISHED,
                fields.SHARE_TYPE: permissions.share_type_of(pkg)}):
            echo(tk._("Demo authorizations: {consumer} already uses {title}, skipped")
                 .format(consumer=consumer, title=title))
            continue
        auth_id = _grant(consumer, provider, pkg, purpose)
        if auth_id is None:
            echo(tk._("Demo authorizations: the request for {title} granted nothing, "
                      "skipped").format(title=title))
            continue
        _follow(what, auth_id, consumer, provider)
        made += 1
    echo(tk._("Demo authorizations: {count} new").format(count=made))
