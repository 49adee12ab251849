"""Nothing leaks (issue 8): every read action and every page, asked by every outsider, shows
only what ``permissions.py`` allows.

The sweep enumerates, when it runs, every action of CKAN's action registry whose name is a
read (``*_show``, ``*_list``, ``*_search``, ``*_autocomplete``, also ``*_list_*`` such as
``current_package_list_with_resources``) and every GET rule of the Flask app. It generates their
parameters from the world of ``tests/sweep_world.py`` (entry ids and names, resources, tags,
users, departments, activities, revisions; an action's ``id`` is read from its docstring) and
calls them through the API and the pages as each persona, logged in by API token. An action or
a page added later is swept without touching this file.

The oracle: every entry carries unique markers (``sweep_world``). A response (body and
headers) may hold a marker only when :data:`WHO_SEES` lets the persona see that part of that
entry; markers the request itself carries do not count. No response is a 5xx. One run lists
every leak of every call. The oracle is not blind: every marker an audience may see reaches it
through some call, the department's administrator (the control) is shown every marker, and
every swept action and page answers (or, for a page, refuses) someone.

Kept fast (one world per module, one app, lean parameters): the three logged-in outsiders
(one audience) share out the pages with a value in their path, each asked by one of them;
every other page and every action is asked by every persona. The summary line gives the
number of calls.
"""
from __future__ import annotations

import functools
import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import ckan.logic as logic
import ckan.plugins.toolkit as tk
import pytest

from ckanext.govshare.department import filing
from ckanext.govshare.lifecycle import tables

from . import conftest, sweep_world
from .sweep_world import (
    AUDIT_PARTS,
    DATA_PARTS,
    LISTING_PARTS,
    META_PARTS,
    PENDING_PARTS,
    SHARED,
    World,
)

# -- Who sees what ---------------------------------------------------------------------------------
# permissions.py's rules as a table (the README's "Who sees what"). Parts of an entry:
#   metadata: title, notes, tags, 信息项, its name and id (existence), and its resources'
#             names and formats (a hidden resource is listed, never addressed);
#   data:     its resources: URLs, ids, the uploaded files and their content;
#   pending:  the proposal of a pending revision (变更) of a published entry;
#   audit:    its audit trail: the reasons given at its lifecycle steps, its pending revision
#             (who submitted and approved too, not markers: the functional tests check them).
# Audiences: anonymous; anonymous_public (anonymous with ckanext.govshare.public_catalogue on);
# outsider (logged in, no authorization in force: a user of no department, a member of another
# department, an ex-member of the entry's department, a colleague of a named person, a person
# named only in expired, revoked, suspended or unsigned grants); authorized (covered by an
# active authorization: department-wide, or named in it); department (its editors). Sysadmins
# see everything. Rows: the catalogue states of a ``conditional`` entry, then a published
# entry of each other share type.
META, DATA, PENDING, AUDIT = "metadata", "data", "pending", "audit"
NOTHING: tuple[str, ...] = ()
_INSIDE = (META, DATA)
WHO_SEES: dict[str, dict[str, tuple[str, ...]]] = {
    # state             anonymous   anonymous_public  outsider      authorized   department
    "draft":          dict(anonymous=NOTHING, anonymous_public=NOTHING, outsider=NOTHING,
                           authorized=NOTHING, department=_INSIDE),
    "in_review":      dict(anonymous=NOTHING, anonymous_public=NOTHING, outsider=NOTHING,
                           authorized=NOTHING, department=_INSIDE),
    # 有条件共享: the data only under an authorization in force (DB14 §9.1–9.3)
    "published":      dict(anonymous=NOTHING, anonymous_public=(META,), outsider=(META,),
                           authorized=_INSIDE, department=_INSIDE),
    "offline_review": dict(anonymous=NOTHING, anonymous_public=(META,), outsider=(META,),
                           authorized=_INSIDE, department=_INSIDE),
    # the tombstone: metadata as when published, the data only inside the department
    "offline":        dict(anonymous=NOTHING, anonymous_public=(META,), outsider=(META,),
                           authorized=(META,), department=_INSIDE),
    # package_delete: where CKAN shows a deleted dataset, to those who may edit it
    "deleted":        dict(anonymous=NOTHING, anonymous_public=NOTHING, outsider=NOTHING,
                           authorized=NOTHING, department=_INSIDE),
    # what a pending revision proposes is not published
    "pending revision": dict(anonymous=NOTHING, anonymous_public=NOTHING, outsider=NOTHING,
                             authorized=NOTHING, department=(PENDING,)),
    # 无条件共享: the data to every logged-in user
    "published unconditional": dict(anonymous=NOTHING, anonymous_public=(META,),
                                    outsider=_INSIDE, authorized=_INSIDE, department=_INSIDE),
    # 不予共享: the data stays inside the department, whatever was granted
    "published not_shared": dict(anonymous=NOTHING, anonymous_public=(META,), outsider=(META,),
                                 authorized=(META,), department=_INSIDE),
}
#: who follows an entry's audit trail, in every state (permissions.follows_audit_trail): its
#: department (and sysadmins); every other reader gets its publication facts alone
AUDIT_TRAIL_AUDIENCES = frozenset({"department"})
PART_KIND = {**{p: META for p in META_PARTS + LISTING_PARTS}, **{p: DATA for p in DATA_PARTS},
             **{p: PENDING for p in PENDING_PARTS}, **{p: AUDIT for p in AUDIT_PARTS}}

#: persona -> (audience of WHO_SEES, user of the world or None (anonymous), public_catalogue)
PERSONAS: dict[str, tuple[str, str | None, bool]] = {
    "anonymous": ("anonymous", None, False),
    "anonymous_public": ("anonymous_public", None, True),
    "no_department": ("outsider", "nobody", False),
    "other_department": ("outsider", "other", False),
    "ex_member": ("outsider", "ex", False),
    "colleague": ("outsider", "colleague", False),
    "lapsed": ("outsider", "lapsed", False),
    "granted_department": ("authorized", "granted_dept", False),
    "granted_person": ("authorized", "granted_person", False),
}
#: the control: the owning department's administrator (a compiler too, administrator of the
#: group that holds the entries)
CONTROL: tuple[str, str | None, bool] = ("department", "admin", False)

# -- Exceptions (the one place) ------------------------------------------------------------------
#: routes (endpoints) the sweep does not request, and why
SKIPPED_ROUTES: dict[str, str] = {
    "static": "static files of the theme: no catalogue data",
    "webassets.index": "compiled assets: no catalogue data",
    "api.i18n_js_translations": "the UI's translation catalogue: no catalogue data",
    "api.action": "the action API: swept action by action (test_actions_leak_nothing)",
    "home.redirect_locale": "redirects an old locale's URL to the same path, swept itself",
    "user.logout": "ends a cookie session; the sweep logs in by API token",
    "file.download": "a file of the files API: none exists (uploads use ckan.storage_path, "
                     "served by the resource download route, which is swept)",
    "file.public_download": "the files API's public storages: none is configured",
    "file.trusted_download": "a signed one-time token of the files API: none exists",
    "util.primer": "a sample of the UI's widgets, registered in testing mode only",
    "util.custom_form_fields": "a sample form, registered in testing mode only",
    "activity.dashboard_testing": "a sample dashboard, registered in testing mode only",
}
#: path arguments the world has no value for: the routes that need one are not requested
NO_VALUES: dict[str, str] = {
    "view_id": "a resource view: none exists, test.ini loads no view plugin",
    "file_id": "an attachment of a dispute or complaint: the world's carry none",
}
#: actions and pages that answer nobody the sweep asks as (outsiders, nor the control: the
#: department's administrator), and why; they are still swept, only the proof that their
#: generated values reach the world is missing
CONTROL_REFUSED: dict[str, str] = {
    "config_option_list": "sysadmins only", "config_option_show": "sysadmins only",
    "job_list": "sysadmins only", "job_show": "sysadmins only (and no job exists)",
    "task_status_show": "sysadmins only (and no task status exists)",
    "dataset_follower_list": "sysadmins only", "group_follower_list": "sysadmins only",
    "organization_follower_list": "sysadmins only", "user_follower_list": "sysadmins only",
    "file_show": "no file of the files API exists",
    "resource_view_show": "no resource view exists (no view plugin)",
    "dataset_resource.view": "no resource view exists (no view plugin)",
    "vocabulary_show": "no tag vocabulary exists",
    "govshare_filing_show": "no filing (备案) record exists",
    "govshare_signoff_show": "no grade sign-off exists (off in test.ini)",
    "govshare.signoff": "no grade sign-off exists (off in test.ini)",
    "govshare.access_basis": "the world's access request carries no basis document",
    "package_collaborator_list": "dataset collaborators are off "
                                 "(ckan.auth.allow_dataset_collaborators)",
    "package_collaborator_list_for_user": "dataset collaborators are off",
    "util.internal_redirect": "needs a url argument",
    "activity.package_changes_multiple": "needs two activity ids as arguments",
    "activity.group_changes_multiple": "needs two activity ids as arguments",
    "activity.organization_changes_multiple": "needs two activity ids as arguments",
}
# -- What the sweep sends ------------------------------------------------------------------------
#: a read action: its name ends in, or has inside, one of these words (``overview``: who can
#: access a department's data, govshare_access_overview)
READ_ACTION = re.compile(r"_(show|list|search|autocomplete|overview)(_|$)")
#: parameters given one fixed value (when the action documents them); every include_* is true
FIXED: dict[str, Any] = {
    "limit": 100, "rows": 1000, "object_type": "package", "key": "ckan.site_title",
    "all_fields": True, "facet.limit": -1,
}
#: search-document fields asked for as facets and as ``fl`` (one call each, where the action
#: takes ``facet.field`` or ``fl``): the entries' metadata, and their data
SEARCH_FIELDS = (["name", "title", "notes", "tags", "organization", "groups", "extras_*"],
                 ["res_url", "res_name", "res_description", "res_format", "urls",
                  "data_dict", "validated_data_dict"])
#: what an ``id`` refers to, from the words of its ``:param id:`` (first match wins)
ID_WORDS = (("resource_view", "view"), ("activity", "activity"), ("revision", "revision"),
            ("resource", "resource"), ("user", "user"), ("organization", "organization"),
            ("department", "organization"), ("group", "group"), ("tag", "tag"),
            ("dataset", "entry"), ("package", "entry"), ("entry", "entry"))
#: the sharing flows' actions: their ``id`` is a case (or an authorization) of their flow
CASE_ACTIONS = (("govshare_access_request_", "access_request"),
                ("govshare_authorization_", "authorization"), ("govshare_demand_", "demand"),
                ("govshare_collection_", "collection"), ("govshare_dispute_", "dispute"),
                ("govshare_complaint_", "complaint"), ("govshare_incident_", "incident"),
                ("govshare_signoff_", "grade_signoff"))
#: the sharing flows' pages: ``/govshare/<section>/<id>``
CASE_ROUTES = {"access": "access_request", "authorization": "authorization",
               "demand": "demand", "collection": "collection", "dispute": "dispute",
               "complaint": "complaint", "incident": "incident", "signoff": "grade_signoff"}
#: what other reference parameters refer to
PARAM_KIND = {"package_id": "entry", "dataset_id": "entry", "entry_id": "entry",
              "resource_id": "resource", "user_id": "user", "user": "user", "username": "user",
              "organization_id": "organization", "org_id": "organization",
              "owner_org": "organization", "organization": "organization",
              "group_id": "group", "group": "group", "tag": "tag", "tag_name": "tag",
              "activity_id": "activity", "revision_id": "revision"}
#: extra parameter sets of issue 8's findings (on top of the generated ones)
TRICKY: dict[str, list[dict[str, Any]]] = {
    "package_search": [
        {"q": "*:*", "rows": 1000, "include_drafts": True, "include_deleted": True,
         "include_private": True, "fl": "res_url", "facet.field": ["res_url"]},
        {"q": "res_url:*", "rows": 1000, "include_private": True},
    ],
    "resource_search": [{"query": "url:share.example.gov.cn"}],
    "help_show": [{"name": "package_show"}],
}


@dataclass
class Report:
    """What one persona's sweep saw: calls, leaks, 5xx, the markers shown, what answered."""

    persona: str
    calls: int = 0
    leaks: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    errors: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    swept: set[str] = field(default_factory=set)
    answered: set[str] = field(default_factory=set)  # actions / endpoints answering < 400
    unfillable: dict[str, str] = field(default_factory=dict)

    def message(self, world: World) -> str:
        where = world.marker_parts()
        lines = [f"{self.persona}: {len(self.leaks)} of {self.calls} calls leak, "
                 f"{len(self.errors)} answer 5xx"]
        for call, markers in sorted(self.leaks.items()):
            parts = sorted(f"{where[m][0]}.{where[m][1]}" for m in markers)
            lines.append(f"  LEAK {call}\n       -> {', '.join(parts)}")
        lines += [f"  5xx  {e}" for e in self.errors]
        return "\n".join(lines)


_STATS: Counter[str] = Counter()
#: every action and page swept, and those that answered someone (< 400), over the module
_SWEPT: set[str] = set()
_ANSWERED: set[str] = set()
_ANSWERED_CALLS: set[str] = set()
#: pages that refused someone (403): CKAN answers 404 for what does not exist, so a refusal
#: shows the page found the world's values
_REFUSED: set[str] = set()
#: audience -> the markers its personas were shown (the positive half of the oracle)
_SEEN: dict[str, set[str]] = defaultdict(set)


# -- the world -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(reset_db, migrate_db_for, request) -> Iterator[World]:
    """The sweep's world, built once for the module on an emptied database."""
    conftest.load_plugins()
    conftest.reset_database(reset_db, migrate_db_for)
    started = time.monotonic()
    built = sweep_world.build()
    built_in = time.monotonic() - started
    yield built
    if _STATS:
        calls = ", ".join(f"{k} {v}" for k, v in sorted(_STATS.items()))
        line = (f"visibility sweep: {sum(_STATS.values())} calls ({calls}); world built in "
                f"{built_in:.0f}s, swept in {time.monotonic() - started - built_in:.0f}s")
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        with capture.global_and_fixture_disabled():
            print("\n" + line)


@pytest.fixture(scope="module")
def sweep_app(world) -> Any:
    """One app for the module: its templates compile once."""
    from ckan.tests.helpers import _get_test_app

    return _get_test_app()


def _forbidden(world: World, audience: str) -> set[str]:
    """The markers ``audience`` may not see."""
    def visible(entry: Any, part: str) -> bool:
        kind = PART_KIND[part]
        if kind == AUDIT:
            return audience in AUDIT_TRAIL_AUDIENCES
        return kind in WHO_SEES[_row(entry, kind)][audience]

    return {m for e in world.entries.values() for part, m in e.marks.items()
            if not visible(e, part)}


def _row(entry: Any, kind: str = META) -> str:
    """The row of :data:`WHO_SEES` that decides ``entry``'s parts of ``kind``."""
    if kind == PENDING:
        return "pending revision"
    return entry.state if entry.share == "conditional" else f"{entry.state} {entry.share}"


# -- the actions -----------------------------------------------------------------------------------


def read_actions() -> list[str]:
    """Every read action of the registry (after the plugins loaded)."""
    logic.get_action("package_show")  # fills the registry
    return sorted(n for n in logic._actions if READ_ACTION.search(n))


def _docs(name: str) -> str:
    """The docstrings of the action and of every function its chain wraps."""
    docs, todo, done = [], [logic.get_action(name)], set()
    while todo:
        fn = todo.pop()
        if id(fn) in done:
            continue
        done.add(id(fn))
        if isinstance(fn, functools.partial):
            todo.append(fn.func)
            todo.extend(a for a in fn.args if callable(a))
        else:
            docs.append(getattr(fn, "__doc__", None) or "")
        if getattr(fn, "__wrapped__", None) is not None:
            todo.append(fn.__wrapped__)
    return "\n".join(docs)


_PARAM = re.compile(r":param\s+(?:[\w\[\], ]+\s+)?([\w.]+)\s*:(.*?)(?=\n\s*:|\n\s*\n|$)", re.S)


def documented_params(name: str) -> dict[str, str]:
    """The action's ``:param x: text`` (first text of each)."""
    found: dict[str, str] = {}
    for param, text in _PARAM.findall(_docs(name)):
        found.setdefault(param, " ".join(text.split()).lower())
    return found


def _id_kind(name: str, text: str) -> str | None:
    case = next((k for prefix, k in CASE_ACTIONS if name.startswith(prefix)), None)
    if case is not None:
        return case
    kind = next((k for word, k in ID_WORDS if word in text), None)
    if kind is None:
        return None
    if kind == "group" and name.startswith("organization"):
        return "organization"
    if kind == "group" and name.startswith("member"):
        return "member"
    return kind


def _pool(world: World, kind: str | None, me: str | None = None) -> list[Any]:
    """The world's values of one kind of reference (users: also ``me``, the caller)."""
    entries = list(world.entries.values())
    pools: dict[str, list[Any]] = {
        "entry": [e.pkg["id"] for e in entries],
        "resource": [e.resources[0]["id"] for e in entries],  # the pages take the upload
        "organization": [world.org["id"]],  # the other department holds no marker
        "group": [world.group["id"]],
        "member": [world.org["id"], world.group["id"]],
        "user": [world.users[k]["id"] for k in dict.fromkeys(("ex", "compiler", me)) if k],
        "tag": [e.marks["tag"] for e in entries],
        "activity": [e.activities[0] for e in entries],  # the newest: holds every marker
        "revision": [e.revision["id"] for e in entries if e.revision],
        "authorization": world.authorizations[:3],
        **{kind: ids for kind, ids in world.cases.items()},
    }
    return pools.get(kind or "", [])


def action_calls(name: str, world: World, me: str | None = None) -> list[dict[str, Any]]:
    """The parameter sets the sweep sends to action ``name``: one per value of its first
    reference parameter, the others fixed; search variants; :data:`TRICKY`."""
    params = documented_params(name)
    fixed: dict[str, Any] = {}
    varying: tuple[str, list[Any]] | None = None
    variants: list[dict[str, Any]] = []
    for p, text in params.items():
        if p.startswith("include_"):
            fixed[p] = True
        elif p in FIXED:
            fixed[p] = FIXED[p]
        elif p == "fl":
            variants += [{"fl": ",".join(["id"] + f)} for f in SEARCH_FIELDS]
        elif p == "facet.field":
            variants += [{"facet.field": [x for x in f if "*" not in x and "dict" not in x]}
                         for f in SEARCH_FIELDS]
        elif p in ("q", "query", "term", "incomplete"):
            if name.startswith("resource_") and p == "query":
                variants += [{p: "url:"}, {p: f"name:{world.prefix}"}]
            elif name.endswith("autocomplete") or p != "q":
                fixed[p] = world.prefix  # substring matches: the markers' common prefix
            else:
                fixed[p] = ""  # searches and lists: everything
        elif p == "type" and not name.startswith("govshare_"):
            fixed[p] = "organization" if "organization" in name else "dataset"
        elif p == "terms":
            fixed[p] = [world.prefix]
        else:
            pool = _pool(world, _id_kind(name, text) if p == "id" else PARAM_KIND.get(p), me)
            if pool and varying is None:
                varying = (p, pool)
            elif pool:
                fixed[p] = pool[0]
    calls = [{**fixed, varying[0]: v} for v in varying[1]] if varying else [fixed]
    calls += [{**fixed, **v} for v in variants]
    if name == "dcat_dataset_show":
        # ckanext-dcat's RDF of one dataset documents no parameter: each entry (Turtle)
        calls = [{"id": e.pkg["name"], "format": "ttl"} for e in world.entries.values()]
    return calls + TRICKY.get(name, [])


# -- the routes ------------------------------------------------------------------------------------

_ARG = re.compile(r"<(?:([^:<>]+):)?(\w+)>")
#: the section of a route's path (its first word; for feeds the second) -> what ``<id>`` is
ROUTE_ID_KIND = {"dataset": "entry", "organization": "organization", "group": "group",
                 "user": "user", "tag": "tag"}
#: routes whose ``<id>`` is an activity (the changes an activity made)
ACTIVITY_ID_ROUTES = re.compile(r"_changes$")
#: the pages take fewer values than the actions: the owning department and the ex-member (who
#: compiled, approved and followed entries) hold everything a page could show
PAGE_POOLS = {"organization": lambda w, me: [w.org["name"]],
              "user": lambda w, me: [w.users[k]["name"] for k in dict.fromkeys(("ex", me)) if k]}


@dataclass
class Page:
    endpoint: str
    url: str
    shared: bool = False  # a value in its path (not the caller's own): asked by one outsider
    state: str | None = None  # the state of the entry whose page it is


def _route_values(rule: Any, world: World, me: str | None) -> list[dict[str, Any]] | str:
    """Values for the path arguments of ``rule``, or why there are none."""
    args = [(m.group(2), m.group(1) or "") for m in _ARG.finditer(rule.rule)]
    path = rule.rule.strip("/").split("/")
    section = path[1] if path[0] == "feeds" and len(path) > 1 else path[0]
    combos: list[dict[str, Any]] = [{}]
    for arg, converter in args:
        grown: list[dict[str, Any]] = []
        for combo in combos:
            entry = combo.get("_entry")
            if arg == "id":
                kind = ROUTE_ID_KIND.get(section)
                if kind is None and section == "govshare" and len(path) > 2:
                    kind = CASE_ROUTES.get(path[1])
                if kind is None:
                    return f"no values for <id> under /{section}"
                if ACTIVITY_ID_ROUTES.search(rule.endpoint):
                    grown += [{**combo, "id": a} for a in world.activities.get(kind, [])]
                elif kind == "entry":
                    grown += [{**combo, "id": e.pkg["name"], "_entry": e}
                              for e in world.entries.values()]
                else:
                    values = (PAGE_POOLS[kind](world, me) if kind in PAGE_POOLS
                              else _pool(world, kind, me))
                    mine = world.users[me]["name"] if me else None
                    grown += [{**combo, "id": v, "_mine": v == mine} for v in values]
            elif arg == "resource_id" and entry is not None:
                # the uploaded file: its page lists the entry's other resource too
                grown.append({**combo, "resource_id": entry.upload["id"]})
            elif arg == "filename" and entry is not None:
                grown.append({**combo, "filename": entry.upload["url"].rsplit("/", 1)[-1]})
            elif arg == "activity_id" and entry is not None:
                grown.append({**combo, "activity_id": entry.activities[0]})
            elif arg == "revision_id":
                grown += [{**combo, "revision_id": v} for v in _pool(world, "revision")]
            elif arg == "kind":
                grown.append({**combo, "kind": next(iter(filing.KINDS))})
            elif arg == "fmt":
                # the filing record's CSV; the department's catalogue as 1272 JSON (text: the
                # markers of its entries would show, where an XLSX zips them)
                grown.append({**combo, "fmt": "json" if rule.endpoint == "govshare.workbook_export"
                              else "csv"})
            elif arg == "chart":
                # a statistics chart's XLSX (a department's or the portal's): counts only
                grown.append({**combo, "chart": "entries_by_state"})
            elif arg == "_id":
                # ckanext-dcat's RDF of one dataset (/dataset/<_id>.<_format>, and of a series)
                grown += [{**combo, "_id": e.pkg["name"], "_entry": e}
                          for e in world.entries.values()]
            elif arg == "_format":
                # the harvest endpoint in each served format; one dataset's RDF in one (the
                # formats serialise the same graph)
                formats = ("ttl",) if "_id" in combo else ("ttl", "jsonld", "xml")
                grown += [{**combo, "_format": f} for f in formats]
            elif arg == "ver":
                low = re.search(r"min=(\d+)", converter)
                grown.append({**combo, "ver": low.group(1) if low else "3"})
            elif arg in NO_VALUES:
                continue
            else:
                return f"no values for <{arg}>"
        combos = grown
    return combos


def pages(app: Any, world: World, report: Report, me: str | None = None) -> list[Page]:
    """Every GET rule with the world's values in its path. A path two blueprints serve, and a
    view served under several API versions (``/api/util/…``, ``/api/1/util/…``), are asked once."""
    seen: set[Any] = set()
    out: list[Page] = []
    for rule in app.flask_app.url_map.iter_rules():
        same_view = (rule.endpoint, frozenset(a for a in rule.arguments if a != "ver"))
        if "GET" not in (rule.methods or ()) or rule.rule in seen or same_view in seen:
            continue
        seen.update((rule.rule, same_view))
        if rule.endpoint in SKIPPED_ROUTES:
            continue
        values = _route_values(rule, world, me)
        if isinstance(values, str):
            report.unfillable[rule.endpoint] = values
            continue
        for combo in values:
            url = _ARG.sub(lambda m, c=combo: str(c[m.group(2)]), rule.rule)
            shared = not combo.get("_mine") and any(
                not a.startswith("_") and a != "ver" for a in combo)
            entry = combo.get("_entry")
            # the autocompletes of /api/util answer ?incomplete= (markers share the prefix)
            out.append(Page(rule.endpoint, f"{url}?incomplete={world.prefix}", shared,
                            _row(entry) if entry else None))
    return out


def _share_of(app: Any, world: World, persona: str, pages_: list[Page]) -> list[Page]:
    """The pages ``persona`` asks for.

    * The logged-in personas of one audience (outsiders, authorized) share out the pages with a
      value in their path (an entry's, a department's, another user's …) in turn, each asked by
      one of them; the site's pages and their own are asked by each.
    * With the public catalogue on, the anonymous visitor skips the pages of entries that
      both anonymous audiences see alike (the anonymous run asks them).
    """
    audience = PERSONAS[persona][0]
    if audience == "anonymous_public":
        return [p for p in pages_ if p.state is None
                or WHO_SEES[p.state]["anonymous"] != WHO_SEES[p.state]["anonymous_public"]]
    sharing = [p for p, (a, _u, _pub) in PERSONAS.items() if a == audience]
    if audience not in ("outsider", "authorized") or len(sharing) < 2:
        return pages_
    everyone = [p.url for p in pages(app, world, Report(persona)) if p.shared]
    turn = {url: i % len(sharing) for i, url in enumerate(everyone)}
    mine = sharing.index(persona)
    return [p for p in pages_ if not p.shared or turn.get(p.url, mine) == mine]


# -- the sweep -------------------------------------------------------------------------------------


class _Raised:
    """A request whose view raised (the test app propagates exceptions): an HTTP 500."""

    status_code = 500

    def __init__(self, exc: Exception) -> None:
        self.headers = {"X-Raised": f"{type(exc).__name__}: {exc}"}

    def get_data(self) -> bytes:
        return b""


class Sweeper:
    """Calls as one persona and checks every answer against the markers it may not see."""

    def __init__(self, app: Any, world: World, persona: str, audience: str,
                 user: str | None) -> None:
        self.world, self.report, self.me = world, Report(persona), user
        self.client = app.test_client(use_cookies=False)
        self.headers = {"Authorization": world.tokens[user]} if user else {}
        forbidden = _forbidden(world, audience)
        self.forbidden = re.compile("|".join(map(re.escape, forbidden))) if forbidden else None
        self.every = re.compile("|".join(map(re.escape, world.marker_parts())))

    def _call(self, what: str, label: str, asked: str, method: str, url: str,
              **kwargs: Any) -> None:
        report = self.report
        try:
            response = getattr(self.client, method)(url, headers=self.headers, **kwargs)
        except Exception as exc:  # noqa: BLE001 - a view that raises is a 500
            response = _Raised(exc)
        report.calls += 1
        text = "\n".join(f"{k}: {v}" for k, v in response.headers.items()) + "\n" + \
            response.get_data().decode("utf-8", "replace")
        text, asked = text.lower(), asked.lower()
        if response.status_code >= 500:
            raised = response.headers.get("X-Raised") or " ".join(text.split())[-160:]
            report.errors.append(f"{label} -> {response.status_code} ({raised[:200]})")
        elif response.status_code < 400:
            report.answered.add(what)
            _ANSWERED.add(what)
            _ANSWERED_CALLS.add(label)
        elif response.status_code == 403:
            _REFUSED.add(what)
        _SWEPT.add(what)
        if self.forbidden is not None:
            leaked = {m for m in self.forbidden.findall(text) if m not in asked}
            if leaked:
                report.leaks[label].update(leaked)
        report.seen.update(m for m in self.every.findall(text) if m not in asked)

    def actions(self, skip: set[str] | frozenset[str] = frozenset()) -> None:
        for name in read_actions():
            self.report.swept.add(name)
            for params in action_calls(name, self.world, self.me):
                body = json.dumps(params, ensure_ascii=False)
                if f"{name} {body}" in skip:
                    continue
                self.headers["Content-Type"] = "application/json"
                self._call(name, f"{name} {body}", name + body, "post",
                           f"/api/3/action/{name}", data=body)
        self.headers.pop("Content-Type", None)

    def pages(self, app: Any, choose: Any = None) -> None:
        from ckan.lib import helpers as h

        todo = pages(app, self.world, self.report, self.me)
        todo = choose(todo) if choose else _share_of(app, self.world, self.report.persona, todo)
        # the header's count of new dashboard activities is an integer (no marker fits in
        # it) and costs half of a logged-in page; the dashboard and its actions are swept
        counted = h.helper_functions.get("new_activities")
        h.helper_functions["new_activities"] = lambda: 0
        try:
            for page in todo:
                self.report.swept.add(page.endpoint)
                self._call(page.endpoint, f"GET {page.url}", page.url, "get", page.url,
                           follow_redirects=False)
        finally:
            h.helper_functions["new_activities"] = counted


class _PublicCatalogue:
    """``ckanext.govshare.public_catalogue`` set for a while, the index following it."""

    KEY = "ckanext.govshare.public_catalogue"

    def __init__(self, world: World, on: bool) -> None:
        self.world, self.on = world, on
        self.before = False

    def _set(self, value: bool) -> None:
        from ckan.lib import search

        tk.config[self.KEY] = value
        search.rebuild(package_ids=[e.pkg["id"] for e in self.world.entries.values()],
                       quiet=True)

    def __enter__(self) -> None:
        self.before = bool(tk.config.get(self.KEY))
        if self.on != self.before:
            self._set(self.on)

    def __exit__(self, *exc: Any) -> None:
        if self.on != self.before:
            self._set(self.before)


def _run(app: Any, world: World, persona: str, *, actions: bool) -> Report:
    audience, user, public = PERSONAS[persona]
    sweeper = Sweeper(app, world, persona, audience, user)
    with _PublicCatalogue(world, public):
        if actions:
            sweeper.actions()
        else:
            sweeper.pages(app)
    _STATS[f"{persona} {'actions' if actions else 'pages'}"] += sweeper.report.calls
    _SEEN[audience] |= sweeper.report.seen
    return sweeper.report


# -- the tests -------------------------------------------------------------------------------------


def test_who_sees_what_covers_every_state(world):
    """WHO_SEES decides every catalogue state, deletion and pending revision; the world has each."""
    audiences = {a for a, _u, _p in PERSONAS.values()} | {CONTROL[0]}
    assert set(WHO_SEES) == set(tables.CATALOGUE_STATES) | {"deleted", "pending revision"} | {
        f"{tables.PUBLISHED} {share}" for share in SHARED.values()}
    assert all(set(row) == audiences for row in WHO_SEES.values())
    assert {_row(e) for e in world.entries.values()} == set(WHO_SEES) - {"pending revision"}
    assert any(e.revision for e in world.entries.values())


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_actions_leak_nothing(sweep_app, world, persona):
    """No registered read action shows the persona a marker it may not see, nor answers 5xx."""
    report = _run(sweep_app, world, persona, actions=True)
    if report.leaks or report.errors:
        pytest.fail(report.message(world), pytrace=False)


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_pages_leak_nothing(sweep_app, world, persona):
    """No GET page of the app shows the persona a marker it may not see, nor answers 5xx."""
    report = _run(sweep_app, world, persona, actions=False)
    assert not report.unfillable, (
        f"routes the sweep cannot fill: give values in _route_values or a reason in "
        f"SKIPPED_ROUTES / NO_VALUES: {report.unfillable}")
    if report.leaks or report.errors:
        pytest.fail(report.message(world), pytrace=False)


def test_every_audience_is_shown_what_it_may_see(world):
    """Every marker an audience may see reaches it through some call (not blind, not too strict)."""
    if not {f"{p} {k}" for p in PERSONAS for k in ("actions", "pages")} <= set(_STATS):
        pytest.skip("needs every persona's sweep of this module (run the whole module)")
    missing = []
    for audience in {a for a, _u, _p in PERSONAS.values()}:
        allowed = set(world.marker_parts()) - _forbidden(world, audience)
        where = world.marker_parts()
        missing += [f"{audience}: {where[m][0]}.{where[m][1]}"
                    for m in allowed - _SEEN[audience]]
    assert not missing, f"markers an audience may see and was never shown: {sorted(missing)}"


def test_control_oracle_can_fail(sweep_app, world):
    """Every marker reaches someone, and every swept action and page answers someone."""
    # the control (the department's administrator) asks each action call and page that
    # answered no outsider, and every file download: the oracle can fail
    audience, user, _public = CONTROL
    sweeper = Sweeper(sweep_app, world, "department", audience, user)
    sweeper.actions(skip=set(_ANSWERED_CALLS))
    asked: set[str] = set()

    def unanswered(todo: list[Page]) -> list[Page]:
        keep = []
        for page in todo:
            if "download" in page.endpoint or page.endpoint not in _ANSWERED | _REFUSED | asked:
                keep.append(page)
                asked.add(page.endpoint)
        return keep

    sweeper.pages(sweep_app, unanswered)
    report = sweeper.report
    _STATS["department (control)"] += report.calls
    if report.leaks or report.errors:
        pytest.fail(report.message(world), pytrace=False)
    where = world.marker_parts()
    seen = report.seen.union(*_SEEN.values())
    unseen = sorted(f"{where[m][0]}.{where[m][1]}" for m in where if m not in seen)
    assert not unseen, f"markers no call showed anyone: {unseen}"
    silent = sorted(_SWEPT - _ANSWERED - (_REFUSED - set(read_actions())) - set(CONTROL_REFUSED))
    assert not silent, (
        f"swept but never answered anyone: fix their generated parameters or give a reason in "
        f"CONTROL_REFUSED: {silent}")
