"""The world of the visibility sweep (``tests/test_visibility_sweep.py``).

Four departments. The owning department (``demo.DEPARTMENTS[SAMR]``) holds one ``conditional``
entry in every catalogue state, each brought there through the lifecycle actions, plus a
published entry with a pending revision, a deleted entry, and a published ``unconditional``
and a published ``not_shared`` entry (:data:`SHARED`). Every entry carries unique marker
strings:

* metadata markers in its title, notes, a tag and an 信息项 name, and its name and id
  (existence);
* listing markers in its resources' names and formats: what the entry holds, shown with its
  metadata (a resource whose data is hidden keeps its name and format, never its address);
* data markers in a resource URL, and in an uploaded file (name and content) that goes through
  ``resource_create`` with a real upload; the resource ids count as data too;
* the pending revision's proposal carries markers of its own (unpublished metadata);
* audit markers in the reasons given at its lifecycle steps (an approval's, a return's, an
  offline request's), and the id of its pending revision: the entry's audit trail, which only
  its department follows (``govshare_lifecycle`` tells others its publication facts alone).

The people: the department's compiler, reviewer and administrator (a compiler too, and
administrator of the group); an ex-member (compiler and reviewer of the department, who
compiled, approved, asked to take offline and followed entries, then was removed with
``organization_member_delete``); an editor and compiler of the other department; a logged-in
user of no department. A CKAN group holds every entry.

The authorizations (授权), stored as rows on every entry: a third department holds one
department-wide and ``active`` (its member ``granted_dept``); a fourth department's member
``granted_person`` is named in an ``active`` one (知悉范围); their colleague ``colleague`` is
named in none; ``lapsed`` is named in one of each state that grants nothing: ``expired``,
``revoked``, ``suspended``, ``pending_agreement``, and an ``active`` one whose validity ended
(the daily expiry has not run yet).

A marker is ``<prefix><entry><part>``: the per-run prefix (``World.prefix``) is no marker
itself, so autocompletes can be asked for it; all markers have the same length, so none is a
substring of another.
"""
from __future__ import annotations

import datetime
import io
import secrets
from dataclasses import dataclass, field
from typing import Any

import ckan.model as model
from ckan.tests import factories as ckan_factories
from ckan.tests import helpers
from werkzeug.datastructures import FileStorage

from ckanext.govshare.model import base
from ckanext.govshare.model.sharing import Authorization

from . import departments
from . import factories as f

__all__ = ["ENTRIES", "SHARED", "META_PARTS", "LISTING_PARTS", "DATA_PARTS", "PENDING_PARTS",
           "AUDIT_PARTS", "Entry", "World", "build"]

#: entry key -> (lifecycle events fired after creation, then deleted?), in creation order.
#: Events are (action suffix, actor attribute of World); the last state is read back, never
#: assumed.
ENTRIES: dict[str, tuple[tuple[tuple[str, str], ...], bool]] = {
    # a draft that went to review and came back (返回修改): the ex-member compiled it
    "draft": ((("submit", "ex"), ("return", "reviewer")), False),
    "in_review": ((("submit", "compiler"),), False),
    # published, with a pending revision in review (its proposal is not published)
    "published": ((("submit", "compiler"), ("approve", "ex")), False),
    "offline_review": ((("submit", "compiler"), ("approve", "reviewer"),
                        ("request_offline", "compiler")), False),
    "offline": ((("submit", "compiler"), ("approve", "reviewer"),
                 ("request_offline", "ex"), ("approve_offline", "reviewer")), False),
    # offline, then back in review: once published, now unpublished again
    "reinstated": ((("submit", "compiler"), ("approve", "reviewer"),
                    ("request_offline", "compiler"), ("approve_offline", "reviewer"),
                    ("reinstate", "compiler")), False),
    # published, then deleted
    "deleted": ((("submit", "compiler"), ("approve", "reviewer")), True),
}
#: published entries of the other share types (the entries above are ``conditional``)
SHARED: dict[str, str] = {"unconditional": "unconditional", "not_shared": "not_shared"}
#: who compiles (creates) each entry: the ex-member compiled some while still a member
_COMPILED_BY = {"draft": "ex"}

#: marker parts: the entry's metadata, its resources' listing, its data, a pending
#: revision's proposal, and its audit trail (the reasons of its steps, its pending revision)
META_PARTS = ("title", "notes", "tag", "item", "name", "id")
LISTING_PARTS = ("resname", "format")
DATA_PARTS = ("url", "file", "filename", "resid", "upid")
PENDING_PARTS = ("revtitle", "revnotes", "revitem")
AUDIT_PARTS = ("reason", "revid")
_CODES = {part: f"{i:02d}" for i, part in enumerate(META_PARTS[:4] + LISTING_PARTS
                                                    + DATA_PARTS[:3] + PENDING_PARTS
                                                    + AUDIT_PARTS[:1])}
#: the lapsed grants: (status, valid_from days from now, valid_until days from now)
LAPSED = (("expired", -60, -1), ("revoked", -10, 60), ("suspended", -10, 60),
          ("pending_agreement", -1, 60), ("active", -60, -1))

#: the reasons given at the steps (each followed by the entry's ``reason`` marker)
_REASONS = {"approve": "审核通过", "return": "退回：信息项不全", "request_offline": "数据停止采集"}


@dataclass
class Entry:
    key: str
    pkg: dict[str, Any]
    state: str  # catalogue_state, or "deleted"
    share: str = "conditional"  # share_type
    marks: dict[str, str] = field(default_factory=dict)  # part -> marker
    resources: list[dict[str, Any]] = field(default_factory=list)
    upload: dict[str, Any] | None = None
    revision: dict[str, Any] | None = None
    activities: list[str] = field(default_factory=list)


@dataclass
class World:
    prefix: str
    org: dict[str, Any]
    other: dict[str, Any]
    group: dict[str, Any]
    users: dict[str, dict[str, Any]]
    tokens: dict[str, str]
    entries: dict[str, Entry]
    other_entry: dict[str, Any]
    activities: dict[str, list[str]]  # "entry"/"organization"/"group" -> activity ids
    cases: dict[str, list[str]] = field(default_factory=dict)  # kind -> case ids
    authorizations: list[str] = field(default_factory=list)

    def marker_parts(self) -> dict[str, tuple[str, str]]:
        """Every marker -> (entry key, part)."""
        return {m: (e.key, part) for e in self.entries.values() for part, m in e.marks.items()}


def _upload(content: str, filename: str) -> FileStorage:
    return FileStorage(io.BytesIO(content.encode()), filename, "upload")


def _entry_data(org: dict[str, Any], mark: dict[str, str],
                share: str = "conditional") -> dict[str, Any]:
    data = f.entry_dict(f.CONDITIONAL, owner_org=org["id"])
    if share == "unconditional":
        data.update(share_type="unconditional", share_condition="", data_grade="G2",
                    share_scope=[])
        data["info_items"] = [{**i, "share_type": "unconditional", "grade": "G2"}
                              for i in data["info_items"]]
    if share == "not_shared":
        data.update(share_type="not_shared", share_condition="",
                    no_share_basis="《中华人民共和国保守国家秘密法》第九条", share_scope=[],
                    share_mode_category="", share_mode_type="")
        data["info_items"] = [{**i, "share_type": "not_shared"} for i in data["info_items"]]
    data["title"] = f"企业登记信息 {mark['title']}"
    data["notes"] = f"{data['notes']} {mark['notes']}"
    data["tags"] = [{"name": mark["tag"]}, {"name": "企业登记"}]
    items = [dict(i) for i in data["info_items"]]
    items[1]["name"] = f"企业名称{mark['item']}"
    data["info_items"] = items
    resource = dict(data["resources"][0])
    resource["url"] = f"https://share.example.gov.cn/sx-samr/{mark['url']}/data"
    resource["name"] = f"企业登记数据 {mark['resname']}"
    data["resources"] = [resource]
    return data


_SITE: dict[str, Any] = {}


def _grant_all(entry_id: str, provider: str, third: str, fourth: str,
               users: dict[str, dict[str, Any]]) -> None:
    """The world's authorizations of one entry, stored as rows (what the sharing flows would
    have left; their making is tested with the flows)."""
    now = base.now()
    day = datetime.timedelta(days=1)
    grants = [(third, [], "active", -10, 60),
              (fourth, [users["granted_person"]["id"]], "active", -10, 60)]
    grants += [(fourth, [users["lapsed"]["id"]], status, start, end)
               for status, start, end in LAPSED]
    for n, (consumer, persons, status, start, end) in enumerate(grants):
        model.Session.add(Authorization(
            number=f"SWEEP-{entry_id[:8]}-{n}", entry_id=entry_id, provider_org=provider,
            consumer_org=consumer, persons=persons, items=[], purpose="sweep",
            valid_from=now + start * day, valid_until=now + end * day, status=status))
    model.Session.commit()


def _call(action: str, who: dict[str, Any] | None = None, **data: Any) -> Any:
    """``action`` as ``who`` with auth checks on (None: the site user, auth skipped)."""
    if who is None and not _SITE:
        _SITE.update(f.site())
    context = f.as_user(who) if who else dict(_SITE)
    return helpers.call_action(action, context, **data)


def build() -> World:
    """Create the world in the (empty) database; takes a few seconds."""
    _SITE.clear()
    prefix = "qz" + secrets.token_hex(3)
    org = f.department(f.SAMR)
    other = f.department(f.GAT)
    samr_units = [code for code, _ in f.demo.DEPARTMENTS[f.SAMR]["units"]]
    gat_units = [code for code, _ in f.demo.DEPARTMENTS[f.GAT]["units"]]
    users = {
        "compiler": f.user(org, "compiler", units=samr_units),
        "admin": f.user(org, "compiler", units=samr_units, capacity="admin"),
        "reviewer": f.user(org, "reviewer"),
        "ex": f.user(org, "compiler", units=samr_units),
        "other": f.user(other, "compiler", units=gat_units, capacity="editor"),
        "nobody": ckan_factories.User(),
    }
    third = f.department(2)
    fourth = departments.department(name=f"{prefix}-fourth", title="第四部门 sweep")
    users["granted_dept"] = f.user(third, capacity="member")
    for key in ("granted_person", "colleague", "lapsed"):
        users[key] = f.user(fourth, capacity="member")
    _call("govshare_role_grant", organization_id=org["id"], user_id=users["ex"]["id"],
          role="reviewer")
    group = _call("group_create", name=f"{prefix}-group", title="专题 sweep group")
    _call("group_member_create", id=group["id"], username=users["admin"]["name"], role="admin")
    other_entry = _call("package_create", users["other"],
                        **f.entry_dict(f.NOT_SHARED, owner_org=other["id"]))

    entries: dict[str, Entry] = {}
    plan = [(key, events, delete, "conditional") for key, (events, delete) in ENTRIES.items()]
    plan += [(key, ENTRIES["published"][0], False, share) for key, share in SHARED.items()]
    for n, (key, events, delete, share) in enumerate(plan):
        code = f"{n:02d}"
        mark = {part: f"{prefix}{code}{c}" for part, c in _CODES.items()}
        author = users[_COMPILED_BY.get(key, "compiler")]
        pkg = _call("package_create", author, **_entry_data(org, mark, share))
        # the uploaded file: while a draft (later states take no new resources)
        upload = _call("resource_create", author, package_id=pkg["id"],
                       upload=_upload(f"id,name\n1,{mark['file']}\n", f"{mark['filename']}.csv"),
                       name=f"上传文件 {mark['resname']}", format=mark["format"],
                       share_mode_type="file", url="")
        _call("member_create", id=group["id"], object=pkg["id"], object_type="package",
              capacity="public")
        if key == "draft":
            _call("follow_dataset", users["ex"], id=pkg["id"])
        for event, actor in events:
            data = {"id": pkg["id"]}
            if event in _REASONS:
                data["reason"] = f"{_REASONS[event]} {mark['reason']}"
            _call(f"govshare_catalogue_{event}", users[actor], **data)
        if not any(event in _REASONS for event, _actor in events):
            del mark["reason"]
        revision = None
        if key == "published" and share == "conditional":
            items = [dict(i) for i in _call("package_show", id=pkg["id"])["info_items"]]
            items[2]["name"] = f"法定代表人{mark['revitem']}"
            revision = _call("govshare_revision_create", users["compiler"], id=pkg["id"],
                             title=f"企业登记信息 {mark['revtitle']}",
                             notes=f"变更说明 {mark['revnotes']}", info_items=items)
            _call("govshare_revision_submit", users["compiler"], id=revision["id"])
        if delete:
            _call("package_delete", users["compiler"], id=pkg["id"])
        live = _call("package_show", id=pkg["id"])
        state = "deleted" if live["state"] == "deleted" else live["catalogue_state"]
        mark["name"], mark["id"] = live["name"], live["id"]
        resources = live["resources"]
        mark["resid"], mark["upid"] = resources[0]["id"], upload["id"]
        if revision is not None:
            mark["revid"] = revision["id"]
        else:
            for part in PENDING_PARTS:
                del mark[part]
        entries[key] = Entry(key=key, pkg=live, state=state, share=live["share_type"],
                             marks=mark, resources=resources, upload=upload, revision=revision)
        _grant_all(live["id"], org["id"], third["id"], fourth["id"], users)

    # the ex-member leaves the department (their govshare roles are the write side's business)
    _call("organization_member_delete", id=org["id"], username=users["ex"]["name"])
    model.Session.commit()

    tokens = {k: f.token(u) for k, u in users.items()}
    activities: dict[str, list[str]] = {}
    for e in entries.values():
        e.activities = [a["id"] for a in _call("package_activity_list", id=e.pkg["id"],
                                               include_hidden_activity=True, limit=100)]
    # the newest activity of each: its snapshot holds every marker
    activities["entry"] = [e.activities[0] for e in entries.values()]
    for kind, ref in (("organization", org), ("group", group)):
        found = _call(f"{kind}_activity_list", id=ref["id"], include_hidden_activity=True,
                      limit=100)
        activities[kind] = [a["id"] for a in found if a["object_id"] == ref["id"]][:1]
    world = World(prefix=prefix, org=org, other=other, group=group, users=users, tokens=tokens,
                  entries=entries, other_entry=other_entry, activities=activities,
                  cases=_cases(org, other, entries, users),
                  authorizations=[a.id for a in model.Session.query(Authorization.id)])
    return world


def _cases(org: dict[str, Any], other: dict[str, Any], entries: dict[str, Entry],
           users: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """One case of each flow about the world's entries, filed through the actions: a request
    for the published conditional entry's data, a demand, a quality complaint and a dispute of
    the not_shared entry by a fourth department's member; a collection request and a security
    incident of the owning department."""
    published, not_shared = entries["published"].pkg, entries["not_shared"].pkg
    colleague = users["colleague"]
    made = {
        "access_request": _call(
            "govshare_access_request_create", colleague, entry_id=published["id"],
            purpose="企业信用监管核查", scenario="监管执法核验", basis="《企业信息公示暂行条例》",
            region="全省", usage_scope="本部门执法人员", provision_method="query",
            validity_days=90, agreement_accepted=True),
        "demand": _call(
            "govshare_demand_create", colleague, title="企业年报数据需求", target_org=org["id"],
            scenario="年报抽查", basis="《企业信息公示暂行条例》第八条", items=["企业名称", "年报年度"],
            update_cycle="yearly", expected_date=(base.now().date() + datetime.timedelta(days=60))
            .isoformat()),
        "complaint": _call(
            "govshare_complaint_create", colleague, entry_id=published["id"],
            type="catalogue", description="信息项说明与实际不符", contact="0351-0000000"),
        "dispute": _call(
            "govshare_dispute_create", colleague, kind="share_attribute",
            entry_id=not_shared["id"], claim="该数据应有条件共享", basis="《政务数据共享条例》"),
        "collection": _call(
            "govshare_collection_create", users["compiler"], type="collection",
            title="公安人口基础信息归集", scenario="企业登记核验", existing_data="无",
            source_org=other["id"], target_library="front", mode="incremental",
            frequency="daily", fields=["姓名", "公民身份号码"]),
        "incident": _call(
            "govshare_incident_create", users["reviewer"], organization_id=org["id"],
            title="接口异常调用", severity="general", occurred_at=base.now().date().isoformat(),
            description="发现异常批量调用，已暂停接口", responsible=users["reviewer"]["name"]),
    }
    return {kind: [case["id"]] for kind, case in made.items()}
