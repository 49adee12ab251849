"""The demo catalogue loaded by ``ckan govshare demo load`` (and so by ``scripts/serve.sh``).

Three provincial departments with their internal units, a user for every role, and about
seventy catalogue entries with real-looking 信息项, spread over share types, grades, formats and
classes, compiled by each department's compiler; two thirds are submitted and published by the
department's reviewer, some wait in review, the rest are drafts. Each department declares its
business matters (业务事项); its entries name most of them, a few are left uncovered so that the
assessment's comprehensiveness (DB14 §7.4 全面性) has something to report. Everything goes through the public actions, so the demo obeys every rule a real
department's data does. The provincial platform's account (:data:`PLATFORM_ACCOUNT`, a member
of no department) harvests the catalogue with an API token. Loading is idempotent: existing
departments, users and entries (by title within the department) are left alone.
"""
from __future__ import annotations

import io
import logging
import random
from typing import Any, NamedTuple

import ckan.model as model
import ckan.plugins.toolkit as tk
from werkzeug.datastructures import FileStorage

from ckanext.govshare.core_messages import N_
from ckanext.govshare.lifecycle import tables
from ckanext.govshare.messages import text
from ckanext.govshare.sharing import (
    demo_access,
    demo_authz,
    demo_demand,
    demo_dispute,
    demo_security,
)

log = logging.getLogger(__name__)

__all__ = ["load", "Account", "ACCOUNT_KINDS", "account_label", "DEMO_PASSWORD", "DEPARTMENTS",
           "PLATFORM_ACCOUNT"]

DEMO_PASSWORD = "Govshare-Demo-2026"
#: the provincial platform's harvest account (``ckanext.govshare.harvest_user`` of the demo)
PLATFORM_ACCOUNT = "provincial-platform"

DEPARTMENTS: list[dict[str, Any]] = [
    {
        "name": "sx-samr", "title": "省市场监督管理局",
        "description": "负责全省市场综合监督管理、市场主体登记注册。",
        "uscc": "11140000MB1957364J", "region_code": "140000", "level": "province",
        "units": [("SAMR01", "登记注册局"), ("SAMR02", "信用监督管理处"),
                  ("SAMR03", "食品安全抽检监测处")],
        "business_matters": ["企业设立、变更、注销登记", "个体工商户登记", "经营异常名录管理",
                             "严重违法失信名单管理", "企业年度报告公示", "食品安全监督抽检",
                             "市场监管行政处罚", "特种设备使用登记", "计量器具强制检定",
                             "广告监测"],
    },
    {
        "name": "sx-gat", "title": "省公安厅",
        "description": "负责全省人口户籍、身份证件、交通管理等公安业务。",
        "uscc": "111400000123456742", "region_code": "140000", "level": "province",
        "units": [("GAT01", "治安管理总队（户政）"), ("GAT02", "交通管理局"),
                  ("GAT03", "出入境管理局")],
        "business_matters": ["户口登记", "居民身份证办理", "居住证办理", "机动车登记",
                             "机动车驾驶证申领", "道路交通安全违法行为处理", "出入境证件办理",
                             "道路交通事故处理", "剧毒化学品购买许可", "保安服务许可",
                             "旅馆业特种行业许可"],
    },
    {
        "name": "sx-hrss", "title": "省人力资源和社会保障厅",
        "description": "负责全省社会保险、就业、人事人才等工作。",
        "uscc": "11140000MB01234548", "region_code": "140000", "level": "province",
        "units": [("HRSS01", "社会保险事业管理中心"), ("HRSS02", "就业促进和失业保险处")],
        "business_matters": ["社会保险参保登记", "基本养老保险待遇核定与发放", "失业保险金申领",
                             "就业登记", "职业技能等级认定", "社会保障卡申领", "工伤认定",
                             "劳动人事争议仲裁", "人力资源服务许可"],
    },
]

ROLES = ("compiler", "reviewer", "security_officer", "coordinator")

C = "C"
# (name, name_en, data_type, length)
ENTERPRISE = [("统一社会信用代码", "uscc", C, 18), ("企业名称", "enterprise_name", C, 200),
              ("法定代表人", "legal_representative", C, 50), ("成立日期", "established", "D", None),
              ("注册资本", "registered_capital", "N", 18), ("住所", "address", C, 300),
              ("经营范围", "business_scope", "M", None), ("登记状态", "status", C, 20)]
PERSON = [("公民身份号码", "id_number", C, 18), ("姓名", "name", C, 50), ("性别", "sex", C, 2),
          ("出生日期", "birth_date", "D", None), ("民族", "ethnicity", C, 20),
          ("户籍地址", "household_address", C, 300)]
INSURED = [("社会保障号码", "ss_number", C, 18), ("姓名", "name", C, 50),
           ("参保险种", "insurance_type", C, 20), ("参保状态", "insured_status", C, 10),
           ("缴费基数", "contribution_base", "N", 12), ("参保日期", "insured_since", "D", None)]
VEHICLE = [("号牌号码", "plate_number", C, 15), ("车辆类型", "vehicle_type", C, 20),
           ("车辆识别代号", "vin", C, 17), ("所有人", "owner", C, 100),
           ("初次登记日期", "first_registered", "D", None)]
INSPECTION = [("抽检编号", "sample_id", C, 40), ("食品名称", "food_name", C, 100),
              ("生产企业", "producer", C, 200), ("检验结论", "conclusion", C, 20),
              ("抽检日期", "sampled_on", "D", None)]

# (title, unit index, class, item, subitem, format (category, type), share, grade, cycle, items)
TEMPLATES: dict[str, list[tuple]] = {
    "sx-samr": [
        ("企业登记信息", 0, "1", "02", "001", ("database", "dm"), "unconditional", "G2", "daily", ENTERPRISE),
        ("企业营业执照信息", 0, "1", "05", "001", ("database", "kingbase"), "unconditional", "G2", "realtime", ENTERPRISE[:6]),
        ("个体工商户登记信息", 0, "1", "02", "002", ("database", "mysql"), "unconditional", "G2", "daily", ENTERPRISE[:5]),
        ("企业经营异常名录", 1, "2", "08", "001", ("spreadsheet", "xlsx"), "unconditional", "G1", "weekly", ENTERPRISE[:3]),
        ("严重违法失信企业名单", 1, "2", "08", "002", ("spreadsheet", "csv"), "conditional", "G3", "monthly", ENTERPRISE[:4]),
        ("企业年度报告公示信息", 1, "3", "07", "001", ("database", "oracle"), "conditional", "G2", "yearly", ENTERPRISE),
        ("食品安全监督抽检结果", 2, "2", "04", "001", ("spreadsheet", "xlsx"), "unconditional", "G1", "monthly", INSPECTION),
        ("不合格食品核查处置信息", 2, "2", "04", "002", ("document", "pdf"), "conditional", "G3", "irregular", INSPECTION[:4]),
        ("市场监管行政处罚信息", 1, "3", "07", "002", ("service", "rest"), "conditional", "G2", "daily", ENTERPRISE[:3]),
        ("特种设备使用登记信息", 0, "3", "07", "003", ("database", "postgresql"), "conditional", "G2", "monthly", ENTERPRISE[:2]),
    ],
    "sx-gat": [
        ("户籍人口基本信息", 0, "1", "01", "001", ("database", "dm"), "conditional", "G3", "daily", PERSON),
        ("居民身份证签发信息", 0, "1", "05", "002", ("service", "rest"), "conditional", "G3", "realtime", PERSON[:4]),
        ("流动人口居住登记信息", 0, "1", "01", "002", ("database", "gbase"), "conditional", "G3", "weekly", PERSON[:5]),
        ("机动车登记信息", 1, "3", "07", "001", ("database", "oracle"), "conditional", "G2", "daily", VEHICLE),
        ("机动车驾驶证信息", 1, "1", "05", "003", ("service", "rest"), "conditional", "G2", "daily", PERSON[:3]),
        ("交通违法处理信息", 1, "3", "07", "002", ("spreadsheet", "csv"), "conditional", "G2", "daily", VEHICLE[:3]),
        ("出入境证件签发信息", 2, "3", "07", "003", ("database", "kingbase"), "not_shared", "IMP", "realtime", PERSON[:4]),
        ("道路交通事故统计信息", 1, "2", "05", "001", ("spreadsheet", "xlsx"), "unconditional", "G1", "monthly", VEHICLE[:2]),
    ],
    "sx-hrss": [
        ("社会保险参保信息", 0, "2", "03", "001", ("database", "dm"), "conditional", "G3", "monthly", INSURED),
        ("养老保险待遇领取信息", 0, "2", "03", "002", ("service", "rest"), "conditional", "G3", "monthly", INSURED[:4]),
        ("失业保险金发放信息", 1, "2", "03", "003", ("spreadsheet", "xlsx"), "conditional", "G2", "monthly", INSURED[:5]),
        ("就业登记信息", 1, "3", "07", "001", ("database", "mysql"), "conditional", "G2", "weekly", PERSON[:3] + INSURED[2:3]),
        ("职业技能等级证书信息", 1, "1", "05", "004", ("self_describing", "json"), "unconditional", "G1", "monthly", PERSON[:2]),
        ("社会保障卡发放信息", 0, "1", "05", "005", ("database", "oracle"), "conditional", "G3", "daily", INSURED[:3]),
    ],
}
# the business matters (业务事项) each template's entries serve, as their departments declare them
ENTRY_MATTERS: dict[str, list[str]] = {
    "企业登记信息": ["企业设立、变更、注销登记"],
    "企业营业执照信息": ["企业设立、变更、注销登记"],
    "个体工商户登记信息": ["个体工商户登记"],
    "企业经营异常名录": ["经营异常名录管理"],
    "严重违法失信企业名单": ["严重违法失信名单管理"],
    "企业年度报告公示信息": ["企业年度报告公示", "经营异常名录管理"],
    "食品安全监督抽检结果": ["食品安全监督抽检"],
    "不合格食品核查处置信息": ["食品安全监督抽检", "市场监管行政处罚"],
    "市场监管行政处罚信息": ["市场监管行政处罚"],
    "特种设备使用登记信息": ["特种设备使用登记"],
    "户籍人口基本信息": ["户口登记"],
    "居民身份证签发信息": ["居民身份证办理"],
    "流动人口居住登记信息": ["居住证办理"],
    "机动车登记信息": ["机动车登记"],
    "机动车驾驶证信息": ["机动车驾驶证申领"],
    "交通违法处理信息": ["道路交通安全违法行为处理"],
    "出入境证件签发信息": ["出入境证件办理"],
    "道路交通事故统计信息": ["道路交通事故处理"],
    "社会保险参保信息": ["社会保险参保登记"],
    "养老保险待遇领取信息": ["基本养老保险待遇核定与发放"],
    "失业保险金发放信息": ["失业保险金申领"],
    "就业登记信息": ["就业登记"],
    "职业技能等级证书信息": ["职业技能等级认定"],
    "社会保障卡发放信息": ["社会保障卡申领", "社会保险参保登记"],
}
# regional variants multiply the templates to about sixty entries
VARIANTS = ["", "（太原市）", "（大同市）"]
CYCLES_SHARE_MODE = {"database": "table", "service": "api"}


def _entry(dept: dict, template: tuple, variant: str, seq: int) -> dict[str, Any]:
    (title, unit_ix, cls, item, subitem, (fcat, ftype), share, grade, cycle, items) = template
    unit_code = dept["units"][unit_ix][0]
    share_mode_type = CYCLES_SHARE_MODE.get(fcat, "file")
    info_items = [
        {"name": n, "name_en": en, "data_type": t, "length": length, "share_type": share,
         "grade": grade, "is_sensitive": "yes" if n in ("公民身份号码", "社会保障号码") else "no",
         "description": f"{n}（{title}）"}
        for (n, en, t, length) in items
    ]
    entry: dict[str, Any] = {
        "title": title + variant,
        "notes": f"{dept['title']}{dept['units'][unit_ix][1]}编制的{title}{variant}，"
                 f"按照政务数据资源目录编制要求登记，用于跨部门共享。",
        "owner_org": dept["name"],
        "is_classified": "no",
        "catalog_class": cls, "catalog_item": item,
        "catalog_subitem": f"{int(subitem) + seq:03d}" if variant else subitem,
        "provider_unit": unit_code,
        "format_category": fcat, "format_type": ftype,
        "info_items": info_items,
        "share_type": share,
        "share_mode_category": "platform" if share != "not_shared" else "",
        "share_mode_type": share_mode_type if share != "not_shared" else "",
        "open_type": "not_open" if share != "unconditional" else "conditional_open",
        "open_condition": "" if share != "unconditional" else "经申请审核后向社会开放统计汇总数据",
        "update_cycle": cycle,
        "data_grade": grade,
        "source_system": f"{dept['title']}{dept['units'][unit_ix][1]}业务系统",
        "business_matters": ENTRY_MATTERS.get(title, [f"{title}相关行政审批与监管事项"]),
        # keywords (关键字) as whole words: the resource without its generic ending, the
        # department without the province
        "tags": [{"name": title.removesuffix("信息")}, {"name": dept["title"].removeprefix("省")}],
        "resources": [] if share == "not_shared" else [{
            "name": f"{title}{'接口' if share_mode_type == 'api' else '数据'}",
            "url": f"https://share.example.gov.cn/{dept['name']}/{cls}{item}{subitem}/{seq}",
            "format": ftype.upper(), "share_mode_type": share_mode_type,
            "description": f"经省政务数据共享平台以{'接口' if share_mode_type == 'api' else '库表/文件'}方式提供",
        }],
    }
    if share == "conditional":
        entry["share_condition"] = "仅限履行法定职责需要使用，须经提供方审核同意，不得用于其他用途。"
        entry["share_scope"] = [{
            "consumers": "省直有关部门及各市县政务部门", "regions": "全省",
            "need_to_know": "经办人员", "usage": "行政审批与监管",
            "scenarios": f"{title}相关业务办理与核验",
            "agreement_required": "true" if grade in ("G3", "G4", "IMP", "CORE") else "false",
        }]
    if share == "not_shared":
        entry["no_share_basis"] = "《中华人民共和国出境入境管理法》第八十五条及国务院有关规定"
    if cls == "1" and share != "unconditional":
        entry["share_type_reason"] = "涉及个人信息，依据《个人信息保护法》按有条件共享管理。"
    return entry


#: what a demo account is besides a catalogue role (:data:`tables.ROLES`), as msgids
ACCOUNT_KINDS: dict[str, str] = {
    "sysadmin": N_("Platform administrator"),
    "admin": N_("Department administrator"),
    "harvest": N_("The provincial platform's harvest account"),
}


class Account(NamedTuple):
    """A demo account as ``ckan govshare demo load`` lists it: the title of its department
    (``""``: none) and its role (a catalogue role or a key of :data:`ACCOUNT_KINDS`)."""

    name: str
    password: str
    department: str
    role: str


def account_label(account: Account) -> str:
    """What ``account`` is, in the current language: its department and role (the catalogue
    role's label, never its code)."""
    role = account.role
    label = text(tables.ROLES[role]) if role in tables.ROLES else tk._(ACCOUNT_KINDS[role])
    return f"{account.department} {label}" if account.department else label


def _site_user() -> dict:
    return tk.get_action("get_site_user")({"ignore_auth": True}, {})


def load(echo=print) -> list[Account]:
    """Load the demo catalogue; returns the demo accounts."""
    site = _site_user()
    ctx = lambda: {"user": site["name"], "ignore_auth": True}  # noqa: E731
    accounts: list[Account] = []
    rnd = random.Random(2026)

    def ensure_user(name: str, fullname: str, sysadmin: bool = False) -> None:
        existing = model.User.get(name)
        if existing is not None and existing.fullname != fullname:
            # a demo loaded before the display names lost their English role words
            existing.fullname = fullname
            model.Session.commit()
        if existing is None:
            tk.get_action("user_create")(ctx(), {
                "name": name, "fullname": fullname, "email": f"{name}@example.gov.cn",
                "password": DEMO_PASSWORD,
            })
            if sysadmin:
                user = model.User.get(name)
                user.sysadmin = True
                model.Session.commit()

    ensure_user("admin", "平台管理员", sysadmin=True)
    accounts.append(Account("admin", DEMO_PASSWORD, "", "sysadmin"))
    # the provincial platform's harvest account: a member of no department, so it receives what
    # any logged-in outsider sees (scripts/serve.sh names it ckanext.govshare.harvest_user)
    ensure_user(PLATFORM_ACCOUNT, "省级政务数据共享平台")
    accounts.append(Account(PLATFORM_ACCOUNT, DEMO_PASSWORD, "", "harvest"))

    for dept in DEPARTMENTS:
        org = model.Group.get(dept["name"])
        if org is None:
            tk.get_action("organization_create")(ctx(), {
                "name": dept["name"], "title": dept["title"], "description": dept["description"],
                "uscc": dept["uscc"], "region_code": dept["region_code"], "level": dept["level"],
                "units": [{"code": c, "name": n} for c, n in dept["units"]],
                "business_matters": dept["business_matters"],
            })
        elif not (org.extras or {}).get("business_matters"):
            # a demo loaded before departments declared business matters
            tk.get_action("organization_patch")(ctx(), {
                "id": org.id, "business_matters": dept["business_matters"]})
        short = dept["name"].split("-")[1]
        admin = f"{short}-admin"
        ensure_user(admin, f"{dept['title']}管理员")
        tk.get_action("organization_member_create")(ctx(), {
            "id": dept["name"], "username": admin, "role": "admin"})
        accounts.append(Account(admin, DEMO_PASSWORD, dept["title"], "admin"))
        for role in ROLES:
            uname = f"{short}-{role.replace('_', '-')}"
            # the catalogue's role name (编制人, 审核人…), never the English code
            ensure_user(uname, f"{dept['title']}{tables.ROLES[role].zh}")
            grant = {"organization_id": dept["name"], "user_id": uname, "role": role}
            if role == "compiler":
                grant["units"] = [c for c, _ in dept["units"]]
            tk.get_action("govshare_role_grant")(ctx(), grant)
            accounts.append(Account(uname, DEMO_PASSWORD, dept["title"], role))

        existing = {
            p.title for p in model.Session.query(model.Package)
            .filter(model.Package.owner_org == model.Group.get(dept["name"]).id)
            .filter(model.Package.state == "active")
        }
        created = 0
        compiler, reviewer = f"{short}-compiler", f"{short}-reviewer"
        for seq, variant in enumerate(VARIANTS):
            for n, template in enumerate(TEMPLATES[dept["name"]]):
                entry = _entry(dept, template, variant, seq)
                if entry["title"] in existing:
                    continue
                rnd.shuffle(entry["tags"])
                new = tk.get_action("package_create")({"user": compiler}, entry)
                created += 1
                if not variant and entry["share_mode_type"] == "file":
                    _upload_sample(compiler, new, entry)
                # most of the catalogue is published; the last variant shows the other states
                if variant != VARIANTS[-1] or n % 3 == 0:
                    tk.get_action("govshare_catalogue_submit")({"user": compiler}, {"id": new["id"]})
                    if variant != VARIANTS[-1]:
                        # DB14 §11.1: a high grade is confirmed by the security officer first
                        demo_security.confirm_grade(new["id"], f"{short}-security-officer")
                        tk.get_action("govshare_catalogue_approve")(
                            {"user": reviewer}, {"id": new["id"]})
        echo(tk._("{department}: {count} new entries").format(
            department=dept["title"], count=created))
    # the sharing flows: requests and their authorizations, demands and collection requests,
    # disputes and complaints, incidents and grade sign-offs, in several states each
    for flow in (demo_access, demo_authz, demo_demand, demo_dispute, demo_security):
        flow.load(echo)
    return accounts


def _upload_sample(compiler: str, pkg: dict[str, Any], entry: dict[str, Any]) -> None:
    """An uploaded file (a CSV of the entry's 信息项 as header and one sample row) attached to
    a file-shared entry, so the portal serves a real download."""
    header = ",".join(i["name"] for i in entry["info_items"])
    sample = ",".join("示例" for _ in entry["info_items"])
    upload = FileStorage(io.BytesIO(f"{header}\n{sample}\n".encode()),
                         f"{pkg['name']}-sample.csv", "upload")
    tk.get_action("resource_create")({"user": compiler}, {
        "package_id": pkg["id"], "name": f"{entry['title']}（样例文件）", "format": "CSV",
        "share_mode_type": "file", "url": "", "upload": upload,
        "description": "上传的样例数据文件（演示）"})
