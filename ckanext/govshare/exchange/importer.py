"""Importing a filled-in 1272 workbook into the catalogue: all or nothing, located errors.

:func:`run` reads the workbook (:mod:`.workbook`), finds its entries (:mod:`.template`), pairs
each with its department and with the stored entry of the same resource code (or, without a
code, of the same title in the department), and writes through the catalogue's own actions:

* a new entry → ``package_create`` (a draft; code allocated, every rule of the schema);
* a stored draft → ``package_update``;
* a published entry → ``package_update``, which the lifecycle turns into a pending revision
  (DB14 §7.3: a published entry changes only through review);
* a row that says what is stored already → nothing (re-importing a file changes nothing).

Every row is validated by those actions — the schema and the rules of ``catalogue/rules.py``,
nothing re-implemented here — inside one transaction per worker, with ``defer_commit`` and each
entry's search document written with it (``INDEX_IN_TRANSACTION``: the activity then reads the
entry from its document, as after core's own create); when any row has a problem, or on a dry run,
every worker rolls back, so nothing of the file is stored. With two workers (two cores) the
entries are split by code prefix (one per-prefix sequence lock per worker) and both workers
commit only when both have finished without a problem.

Problems are :class:`~.template.Problem` records located by sheet, row and column;
:func:`message` words them through gettext. The state of a background import (the upload page
polls it) is kept in Redis under the job's id (:func:`status`).
"""
from __future__ import annotations

import contextlib
import ctypes
import datetime
import gc
import json
import logging
import multiprocessing
import os
import pickle
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import ckan.lib.redis as ckan_redis
import ckan.model as model
import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
import flask
import sqlalchemy as sa

from ckanext.govshare import config as gs_config
from ckanext.govshare.catalogue import codes, fields
from ckanext.govshare.catalogue import vocab as v
from ckanext.govshare.department import roles
from ckanext.govshare.exchange import queries, workbook
from ckanext.govshare.exchange import template as t
from ckanext.govshare.lifecycle import diff, tables
from ckanext.govshare.model.revision import Revision
from ckanext.govshare.search.connection import INDEX_IN_TRANSACTION

__all__ = ["Outcome", "run", "message", "status", "set_status", "job", "STATUS_TTL"]

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

CREATED, UPDATED, REVISED, UNCHANGED = "created", "updated", "revised", "unchanged"
#: seconds the state of a background import stays readable
STATUS_TTL = 7 * 24 * 3600


@dataclass
class Outcome:
    """What an import did (or, on a dry run or with problems, would have done)."""

    entries: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        (CREATED, UPDATED, REVISED, UNCHANGED), 0))
    problems: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = False
    stored: bool = False
    layout: str = ""
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"entries": self.entries, "counts": dict(self.counts),
                "problems": self.problems, "dry_run": self.dry_run, "stored": self.stored,
                "layout": self.layout, "seconds": round(self.seconds, 3)}


# --- messages -----------------------------------------------------------------------------------


def message(problem: Mapping[str, Any]) -> str:
    """The problem in the user's language (gettext); a rule's message as the rules word it."""
    kind, p = problem.get("kind"), dict(problem.get("params") or {})
    texts: dict[str, str] = {
        "not_a_workbook": tk._("The file is not an Excel workbook (.xlsx) that can be read: "
                               "{error}"),
        "no_entry_sheet": tk._("No sheet of catalogue entries found: the template needs a "
                               "sheet with the column 信息资源名称 (sheet {sheet}) and one of "
                               "information items (sheet {items}), or one flattened sheet"),
        "extra_entry_sheet": tk._("A second sheet of entries; only sheet {sheet} is read"),
        "missing_columns": tk._("Required columns missing: {columns}"),
        "merged_cells": tk._("Merged cells {range}: unmerge them and fill in every cell"),
        "hidden_row": tk._("This row is hidden: unhide it, or delete it if it is not meant "
                           "to be imported"),
        "hidden_sheet": tk._("This sheet is hidden: unhide it, or delete it if it is not "
                             "meant to be imported"),
        "fullwidth": tk._("\"{value}\" contains full-width characters; codes are written in "
                          "half-width characters: {suggestion}"),
        "code_too_short": tk._("\"{value}\" is too short: this code has {width} characters. "
                               "Excel drops leading zeros from numbers: format the column as "
                               "text and type the code with its zeros"),
        "unit_in_number": tk._("\"{value}\" is not a number: write the number alone "
                               "({number}), without its unit"),
        "date_as_text": tk._("\"{value}\" is a date typed as text: enter it as a date or as "
                             "{suggestion}"),
        "not_a_date": tk._("\"{value}\" is not a date: enter a date, e.g. 2025-01-31"),
        "duplicate_code": tk._("The resource code {value} appears twice in the file (first in "
                               "row {first_row})"),
        "duplicate_title": tk._("The title \"{value}\" appears twice for the department in "
                                "the file (first in row {first_row})"),
        "unknown_entry": tk._("No entry of the entries sheet has the code or title "
                              "\"{value}\""),
        "no_entry": tk._("This row belongs to no entry: fill in the resource title"),
        "unknown_department": tk._("Unknown department \"{value}\": give the provider's name "
                                   "or unified social credit code as the portal knows it"),
        "no_department": tk._("No department: choose the department to import into, or give "
                              "the provider's name or code"),
        "other_department": tk._("This entry is provided by \"{value}\", not by the "
                                 "department imported into"),
        "not_authorized": tk._("You may not compile this entry: {error}"),
        "rule": "{message}",
    }
    text = texts.get(str(kind), "{kind}")
    try:
        return text.format(kind=kind, **p)
    except (KeyError, IndexError):
        return text


# --- reading and pairing ------------------------------------------------------------------------


@dataclass
class _Plan:
    entry: t.Entry
    action: str = CREATED  # created updated revised unchanged
    package_id: str | None = None
    state: str | None = None
    org_id: str | None = None
    prefix: str = ""


def _problem(at: t.Located, kind: str, field_: str = "", **params: Any) -> t.Problem:
    return t.Problem(at, kind, params, field_)


def _departments(department: str | None, parsed: t.Parsed,
                 problems: list[t.Problem]) -> dict[str, dict[str, Any]]:
    """Give each entry its department (``owner_org``); the departments by id."""
    rows = queries.departments()
    by_id = {r.id: {"id": r.id, "name": r.name, "title": r.title, "uscc": r.uscc} for r in rows}
    by_ref: dict[str, str] = {}
    for r in rows:
        for ref in (r.id, r.name, r.title, r.uscc):
            if ref:
                by_ref.setdefault(str(ref), r.id)
    fixed = by_ref.get(department) if department else None
    if department and fixed is None:
        raise tk.ObjectNotFound(tk._("Department not found: {ref}").format(ref=department))
    for entry in parsed.entries:
        named = entry.department or ""
        code = str(entry.values.get(t.DEPARTMENT_CODE) or "")
        found = by_ref.get(code) or by_ref.get(named)
        if fixed:
            if (named or code) and found != fixed and (named or code) not in (
                    by_id[fixed]["title"], by_id[fixed]["name"], by_id[fixed]["uscc"]):
                cell = t.DEPARTMENT if named else t.DEPARTMENT_CODE
                problems.append(_problem(entry.located(cell), "other_department", cell,
                                         value=named or code))
            entry.values[fields.OWNER_ORG] = fixed
        elif found:
            entry.values[fields.OWNER_ORG] = found
        elif named or code:
            cell = t.DEPARTMENT if named else t.DEPARTMENT_CODE
            problems.append(_problem(entry.located(cell), "unknown_department", cell,
                                     value=named or code))
        else:
            problems.append(_problem(entry.located(t.DEPARTMENT), "no_department",
                                     fields.OWNER_ORG))
        # the department's own code is taken from the department (prepare_entry)
        entry.values.pop(t.DEPARTMENT_CODE, None)
        entry.given.discard(t.DEPARTMENT_CODE)
    return by_id


def _units(parsed: t.Parsed) -> None:
    """A unit given by name, or as "code name", is stored by its code."""
    cache: dict[str, dict[str, str]] = {}
    for entry in parsed.entries:
        org_id = entry.values.get(fields.OWNER_ORG)
        unit = str(entry.values.get(fields.PROVIDER_UNIT) or "")
        if not org_id or not unit:
            continue
        if org_id not in cache:
            known: dict[str, str] = {}
            for u in roles.department_units(org_id):
                known[u["code"]] = known[u["name"]] = known[f"{u['code']} {u['name']}"] = \
                    u["code"]
                known[f"{u['code']}{u['name']}"] = u["code"]
            cache[org_id] = known
        entry.values[fields.PROVIDER_UNIT] = cache[org_id].get(unit, unit)


def _pair(plans: list[_Plan], problems: list[t.Problem]) -> None:
    """Pair each entry with the stored entry of its code (or its title in the department)."""
    entries = [p.entry for p in plans]
    rows = queries.entries_named(
        (e.code for e in entries if e.code),
        ((e.values.get(fields.OWNER_ORG) or "", e.title) for e in entries
         if not e.code and e.title))
    by_code = {r.code: r for r in rows if r.code}
    by_title = {(r.owner_org, r.title): r for r in rows}
    template = gs_config.resource_code_template()
    for plan in plans:
        e = plan.entry
        row = by_code.get(e.code) if e.code else by_title.get(
            (e.values.get(fields.OWNER_ORG), e.title))
        plan.org_id = e.values.get(fields.OWNER_ORG)
        if row is not None:
            plan.package_id, plan.state = row.id, row.state
            plan.action = REVISED if row.state == tables.PUBLISHED else UPDATED
            if row.owner_org != plan.org_id:
                problems.append(_problem(e.located(t.DEPARTMENT), "other_department",
                                         t.DEPARTMENT, value=e.department or ""))
        try:
            plan.prefix = codes.code_prefix(
                template, str(e.values.get(fields.CATALOG_CLASS) or ""),
                str(e.values.get(fields.CATALOG_ITEM) or ""),
                str(e.values.get(fields.CATALOG_SUBITEM) or ""),
                str(e.values.get(fields.CATALOG_DETAIL) or ""))
        except ValueError:
            plan.prefix = ""


# --- comparing with what is stored ---------------------------------------------------------------

_FLAG_FIELDS = {"is_sensitive", "agreement_required"}


def _norm_record(record: Mapping[str, Any]) -> dict[str, Any]:
    return {k: val for k, val in record.items()
            if val not in (None, "", []) and not (k in _FLAG_FIELDS and str(val) == "false")}


def _tags(stored: Mapping[str, Any]) -> str:
    return ",".join(sorted(tag["name"] for tag in stored.get("tags") or []))


def _same(name: str, new: Any, stored: Mapping[str, Any]) -> bool:
    if name == "tag_string":
        return ",".join(sorted(x for x in str(new or "").split(",") if x)) == _tags(stored)
    old = stored.get(name)
    if name in fields.ENTRY_RECORD_FIELDS:
        return diff.same([_norm_record(r) for r in new or []],
                         [_norm_record(r) for r in old or []])
    if name == fields.IS_CLASSIFIED:
        return str(new or "false") == str(old or "false")
    return diff.same(new, old)


def _changes(entry: t.Entry, stored: Mapping[str, Any]) -> dict[str, Any]:
    data = entry.data()
    return {k: val for k, val in data.items()
            if k in entry.given and k != fields.OWNER_ORG and not _same(k, val, stored)}


def _open_revision(entry_id: str) -> Revision | None:
    return model.Session.query(Revision).filter(
        Revision.entry_id == entry_id,
        Revision.state.in_(tables.REVISION_OPEN_STATES)).one_or_none()


# --- writing ------------------------------------------------------------------------------------


def _errors(err: Any, prefix: str = "") -> list[tuple[str, str]]:
    """``(dotted key, message)`` of a ValidationError's ``error_dict`` (nested records too)."""
    out: list[tuple[str, str]] = []
    if isinstance(err, Mapping):
        for key, val in err.items():
            out += _errors(val, f"{prefix}{key}.")
    elif isinstance(err, list):
        for i, val in enumerate(err):
            if isinstance(val, (Mapping, list)):
                out += _errors(val, f"{prefix}{i}.")
            elif val:
                out.append((prefix.rstrip("."), str(val)))
    elif err:
        out.append((prefix.rstrip("."), str(err)))
    return out


def _located_errors(entry: t.Entry, error_dict: Mapping[str, Any]) -> list[t.Problem]:
    out = []
    for key, text in _errors(error_dict):
        out.append(_problem(entry.located(key), "rule", key, message=text))
    return out


def _write_one(plan: _Plan, user: str, user_obj: model.User | None = None,
               index: bool = True) -> tuple[str, list[t.Problem]]:
    """Write one entry in the open transaction (with its search document unless ``index`` is
    false: a dry run rolls back anyway): ``(action, problems)``."""
    entry = plan.entry
    context: dict[str, Any] = {"user": user, "defer_commit": True, "return_id_only": True,
                               # a revision leaves the entry (and its document) as it is
                               INDEX_IN_TRANSACTION: index and plan.action != REVISED}
    if user_obj is not None:
        # the user looked up once per import, not by every auth check of every row
        context["auth_user_obj"] = user_obj
    try:
        if plan.package_id is None:
            tk.get_action("package_create")(context, {**entry.data(), "type": "dataset"})
            return CREATED, []
        stored = tk.get_action("package_show")({"user": user, "ignore_auth": True},
                                               {"id": plan.package_id})
        changes = _changes(entry, stored)
        if plan.action == REVISED and changes:
            rev = _open_revision(plan.package_id)
            if rev is not None and all(_same(k, val, rev.proposed or {})
                                       for k, val in changes.items()):
                changes = {}
        if not changes:
            return UNCHANGED, []
        data = {**stored, **changes}
        tk.get_action("package_update")(context, data)
        return plan.action, []
    except tk.ValidationError as e:
        return plan.action, _located_errors(entry, e.error_dict)
    except tk.NotAuthorized as e:
        return plan.action, [_problem(entry.located(fields.PROVIDER_UNIT), "not_authorized",
                                      fields.PROVIDER_UNIT, error=str(e) or "-")]


#: rows after which the session lets go of the objects it has written (memory stays flat)
RELEASE_EVERY = 100


def _release() -> None:
    """Send what is pending to the database and let the session forget its objects: the
    transaction stays open, and nothing written is lost (a long import would otherwise keep
    every entry, its extras and its activity in memory until the commit)."""
    model.Session.flush()
    model.Session.expunge_all()
    # core also keeps every object a flush wrote, for the IDomainObjectModification observers
    # it notifies at the commit (ckan.model.meta's ``_object_cache``): with no observer
    # installed that holds every entry, extra and activity (its whole package dict) for nothing
    if not any(True for _ in plugins.PluginImplementations(plugins.IDomainObjectModification)):
        for written in (getattr(model.Session(), "_object_cache", None) or {}).values():
            written.clear()


_LOCK_TIMEOUT = sa.text("SET LOCAL lock_timeout = '60s'")


@dataclass
class _Result:
    counts: dict[str, int]
    problems: list[dict[str, Any]]


@contextlib.contextmanager
def _acting_as(user: str) -> Iterator[Callable[[], model.User | None]]:
    """The importing user as the request's user (the CLI and the background job have no
    login), so that core's ``authz`` takes them from ``current_user`` instead of querying them
    by name for every check of every row (four a row). Yields a function that looks the user
    up again (after the session let go of its objects) and returns them."""
    in_request = flask.has_request_context()
    had = in_request and "_login_user" in flask.g
    before = flask.g.get("_login_user") if had else None

    def refresh() -> model.User | None:
        obj = model.User.get(user) if user else None
        if in_request and obj is not None:
            flask.g._login_user = obj
        return obj

    try:
        yield refresh
    finally:
        if had:
            flask.g._login_user = before
        elif in_request:
            flask.g.pop("_login_user", None)


def _work(plans: Iterable[_Plan], total: int, user: str, tick: Callable[[int], None],
          index: bool = True) -> _Result:
    """Write the ``total`` ``plans`` in the open transaction, each entry with its search
    document unless ``index`` is false (a dry run rolls back anyway) or a row has failed (then
    all do)."""
    counts = dict.fromkeys((CREATED, UPDATED, REVISED, UNCHANGED), 0)
    problems: list[t.Problem] = []
    step = max(1, min(100, total // 50 or 1))
    with _acting_as(user) as refresh:
        user_obj = refresh()
        for n, plan in enumerate(plans, 1):
            if n % RELEASE_EVERY == 0:
                _release()
                user_obj = refresh()
            action, found = _write_one(plan, user, user_obj, index and not problems)
            if found:
                problems += found
            else:
                counts[action] += 1
            if n % step == 0 or n == total:
                tick(n)
    return _Result(counts, [p.as_dict() for p in problems])


def _child(share: _Share, user: str, index: bool, conn: Any) -> None:
    """A worker process: write its share, report, then commit or roll back as told."""
    model.meta.engine.dispose(close=False)
    status_code = 0
    try:
        # a worker never waits for the other's locks for ever: both then roll back
        model.Session.execute(_LOCK_TIMEOUT)
        plans = (plan for chunk in share.chunks for plan in pickle.loads(chunk))
        result = _work(plans, share.rows, user, lambda n: conn.send(("progress", n)), index)
        conn.send(("done", result.counts, result.problems))
        decision = conn.recv()
        if decision == "commit":
            model.repo.commit()
        else:
            model.Session.rollback()
        conn.send(("finished", decision))
    except Exception as e:  # reported to the parent, which rolls the other worker back
        log.exception("import worker failed")
        model.Session.rollback()
        try:
            conn.send(("error", repr(e)))
        except (BrokenPipeError, OSError):
            pass
        status_code = 1
    finally:
        conn.close()
        os._exit(status_code)


def _split(plans: list[_Plan], workers: int) -> list[list[_Plan]]:
    """Shares of equal size by code prefix: one prefix (its sequence row) in one worker."""
    by_prefix: dict[str, list[_Plan]] = {}
    for plan in plans:
        by_prefix.setdefault(plan.prefix, []).append(plan)
    shares: list[list[_Plan]] = [[] for _ in range(workers)]
    for group in sorted(by_prefix.values(), key=len, reverse=True):
        min(shares, key=len).extend(group)
    return [s for s in shares if s]


@dataclass
class _Share:
    """A worker's rows, pickled by :data:`RELEASE_EVERY` (see :func:`_pack`)."""

    rows: int
    chunks: list[bytes]


def _pack(plans: list[_Plan], workers: int) -> list[_Share]:
    """Each worker's share, pickled in chunks. The workers are forked once the workbook's
    cells and parsed entries are gone (:func:`_let_go`), so that none of them holds a
    copy-on-write copy of the whole file, and each unpickles one chunk of its own share at a
    time: the memory of the parsed rows is the file's once (about 3 KB a row), not twice."""
    return [_Share(len(share), [pickle.dumps(share[i:i + RELEASE_EVERY],
                                             protocol=pickle.HIGHEST_PROTOCOL)
                                for i in range(0, len(share), RELEASE_EVERY)])
            for share in _split(plans, workers)]


def _let_go() -> None:
    """Give the memory of what was freed back to the system before forking (glibc keeps freed
    pages otherwise, and every forked worker would count them)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to give back this way
        pass


def _parallel(shares: list[_Share], user: str, dry_run: bool,
              progress: Progress | None) -> _Result:
    total = sum(share.rows for share in shares)
    model.Session.remove()
    ctx = multiprocessing.get_context("fork")
    pipes, procs = [], []
    for share in shares:
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_child, args=(share, user, not dry_run, child), daemon=True)
        proc.start()
        child.close()
        pipes.append(parent)
        procs.append(proc)
    done_n = [0] * len(shares)
    results: list[_Result | None] = [None] * len(shares)
    failed: list[str] = []
    pending = set(range(len(shares)))
    while pending:
        for i in list(pending):
            conn = pipes[i]
            while conn.poll(0.05):
                try:
                    msg = conn.recv()
                except EOFError:
                    failed.append("worker exited")
                    pending.discard(i)
                    break
                if msg[0] == "progress":
                    done_n[i] = msg[1]
                    if progress:
                        progress(sum(done_n), total)
                elif msg[0] == "done":
                    results[i] = _Result(msg[1], msg[2])
                    pending.discard(i)
                    break
                elif msg[0] == "error":
                    failed.append(msg[1])
                    pending.discard(i)
                    break
    ok = not failed and all(r is not None and not r.problems for r in results)
    decision = "commit" if ok and not dry_run else "rollback"
    for i, conn in enumerate(pipes):
        if results[i] is not None:
            conn.send(decision)
    finished = []
    for i, conn in enumerate(pipes):
        if results[i] is not None:
            try:
                finished.append(conn.recv())
            except EOFError:
                failed.append("worker exited before committing")
        procs[i].join(timeout=60)
    if failed:
        raise RuntimeError("; ".join(failed))
    counts = dict.fromkeys((CREATED, UPDATED, REVISED, UNCHANGED), 0)
    problems: list[dict[str, Any]] = []
    for r in results:
        for k, n in r.counts.items():
            counts[k] += n
        problems += r.problems
    return _Result(counts, problems)


def _sort_key(problem: Mapping[str, Any]) -> tuple:
    column = str(problem.get("column") or "")
    return (str(problem.get("sheet") or ""), int(problem.get("row") or 0),
            len(column), column)


def run(content: bytes, *, user: str, department: str | None = None, dry_run: bool = False,
        workers: int = 1, progress: Progress | None = None) -> Outcome:
    """Import a filled-in template as ``user`` (each row checked as their own
    ``package_create``/``package_update``); nothing is stored unless every row passes.

    :param content: the ``.xlsx`` file
    :param department: import every entry into this department (id, name, title or USCC);
        otherwise each row names its provider (名称 or 代码)
    :param dry_run: validate and report, store nothing
    :param workers: processes writing at once (entries split by code prefix)
    :param progress: called with ``(rows done, rows)`` as the rows are written
    :raises tk.ObjectNotFound: ``department`` does not exist
    """
    started = time.perf_counter()
    outcome = Outcome(dry_run=dry_run)
    try:
        sheets = workbook.read(content)
    except workbook.WorkbookError as e:
        outcome.problems = [_problem(t.Located("", 0), "not_a_workbook", error=str(e)).as_dict()]
        return outcome
    parsed = t.parse(sheets, grade_scale=v.grade_scale(),
                     code_template=gs_config.resource_code_template())
    problems = list(parsed.problems)
    outcome.layout = parsed.layout
    outcome.entries = len(parsed.entries)
    _departments(department, parsed, problems)
    _units(parsed)
    plans = [_Plan(e) for e in parsed.entries]
    _pair(plans, problems)
    if problems:
        # the rows are still checked by the rules, so that every error is reported at once
        dry_run_rules = True
    else:
        dry_run_rules = dry_run
    try:
        if workers > 1 and len(plans) >= 2 * workers:
            shares = _pack(plans, workers)
            del sheets, parsed, plans
            _let_go()
            result = _parallel(shares, user, dry_run_rules, progress)
        else:
            result = _work(plans, len(plans), user,
                           lambda n: progress and progress(n, len(plans)), not dry_run_rules)
            if result.problems or dry_run_rules:
                model.Session.rollback()
            else:
                model.repo.commit()
    except Exception:
        model.Session.rollback()
        raise
    outcome.counts = result.counts
    outcome.problems = sorted([p.as_dict() for p in problems] + result.problems, key=_sort_key)
    outcome.stored = not outcome.problems and not dry_run
    outcome.seconds = time.perf_counter() - started
    return outcome


# --- background imports and their state -----------------------------------------------------------


def _key(job_id: str) -> str:
    return f"govshare:import:{job_id}"


def set_status(job_id: str, **state: Any) -> None:
    """Record the state of import ``job_id`` (merged into what is recorded)."""
    redis = ckan_redis.connect_to_redis()
    current = status(job_id) or {}
    current.update(state, updated=datetime.datetime.now(datetime.timezone.utc).isoformat())
    redis.set(_key(job_id), json.dumps(current, ensure_ascii=False), ex=STATUS_TTL)


def status(job_id: str) -> dict[str, Any] | None:
    """The recorded state of import ``job_id``: ``state`` (queued, running, finished,
    failed), ``done``/``total`` rows, the ``user``, ``organization_id`` and, when finished,
    the ``outcome``; ``None`` when unknown or expired."""
    raw = ckan_redis.connect_to_redis().get(_key(job_id))
    return json.loads(raw) if raw else None


def job(job_id: str, path: str, user: str, department: str | None, dry_run: bool) -> None:
    """The background job of an upload: import the stored file, recording progress."""
    set_status(job_id, state="running", done=0)
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.5 or done == total:
            last[0] = now
            set_status(job_id, done=done, total=total)

    try:
        with open(path, "rb") as f:
            content = f.read()
        outcome = run(content, user=user, department=department, dry_run=dry_run,
                      workers=gs_config.import_workers(), progress=progress)
        set_status(job_id, state="finished", outcome=outcome.as_dict())
    except Exception as e:
        log.exception("import job %s failed", job_id)
        set_status(job_id, state="failed", error=str(e))
        raise
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
