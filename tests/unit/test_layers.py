"""The dependency rule (issue #9 §2), read from the source: no import cycle between govshare
modules, no import that points up a layer, no function-level import without a reason.

Every module of ``ckanext/govshare/`` is parsed with :mod:`ast` (nothing is imported): module-
and function-level imports, absolute and relative, ``import a.b`` and ``from a import b`` (a
submodule ``b`` is an edge to it, a name ``b`` an edge to ``a``). The layers are data
(:data:`LAYERS`, :data:`FEATURE_DEPS`, :data:`ONLY`): a new module or package fails
:func:`test_every_module_is_placed` until it is placed there.

``python tests/unit/test_layers.py`` prints the graph's violations and the late imports.
"""
from __future__ import annotations

import ast
import dataclasses
import pathlib
import re
import textwrap

import pytest

PACKAGE = "ckanext.govshare"
ROOT = pathlib.Path(__file__).resolve().parents[2] / "ckanext" / "govshare"

#: where each module sits, by its name relative to ``ckanext.govshare`` (the longest matching
#: prefix decides): a module may import modules of a lower rank, of its own group (the prefix
#: that placed it) and, at the same rank, of the groups :data:`FEATURE_DEPS` allows (any group
#: at an :data:`OPEN_RANKS` rank); never up.
LAYERS: dict[str, int] = {
    # 0 — names and texts every layer uses; they import nothing of govshare but each other
    "": 0,  # ckanext/govshare/__init__.py (a docstring)
    "config": 0,
    "messages": 0,
    "core_messages": 0,
    "xlsx": 0,
    "lifecycle.tables": 0,
    "catalogue.fields": 0,
    # 1 — the tables
    "model": 1,
    # 2 — feature packages (their order among themselves: FEATURE_DEPS)
    "department": 2,
    "permissions": 2,
    "signals": 2,
    "catalogue": 2,
    "lifecycle": 2,
    "assessment": 2,
    "activity": 2,
    "sharing": 2,
    "search": 2,
    "exchange": 2,
    "statistics": 2,
    "portal": 2,
    # 3 — CKAN's logic layer: actions, auth functions, schemas, validators
    "logic": 3,
    # 4 — pages
    "views": 4,
    # 5 — the top: wiring and entry points
    "plugin": 5,
    "cli": 5,
    "helpers": 5,
    "wsgi": 5,
    "demo": 5,
    "migration": 5,
}

#: the features' order (direct dependencies; the test allows their transitive closure):
#: department ← permissions ← catalogue ← lifecycle ← assessment, activity above lifecycle.
#: The next issues' packages (sharing, exchange, portal) go above lifecycle.
FEATURE_DEPS: dict[str, set[str]] = {
    "signals": set(),
    "department": {"signals"},
    "permissions": {"department", "signals"},
    "catalogue": {"permissions"},
    "lifecycle": {"catalogue"},
    "sharing": {"lifecycle"},
    "assessment": {"lifecycle", "sharing"},
    "activity": {"lifecycle"},
    "search": set(),
    "exchange": {"sharing", "search"},
    "statistics": {"assessment"},
    "portal": {"sharing"},
}

#: ranks whose groups may import each other (cycles are refused all the same): the names and
#: texts at the bottom, the entry points at the top
OPEN_RANKS = frozenset({0, 5})

#: groups that may import only these groups of govshare (besides their own modules)
ONLY: dict[str, set[str]] = {
    "search": {"config", "messages"},
    "migration": {"model"},
}

#: mapped into the package by setup.py: data, not modules (``ITranslation`` imports ``i18n``)
DATA_PACKAGES = ("i18n", "schemas")

#: the reason a function-level import of a govshare module must give, on its line or above
LATE = re.compile(r"#\s*late:\s*\S")


@dataclasses.dataclass(frozen=True)
class Import:
    importer: str
    target: str
    line: int
    late: bool  # inside a function
    reason: bool  # carries a ``# late: <reason>`` comment


def module_name(path: pathlib.Path, root: pathlib.Path = ROOT, package: str = PACKAGE) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([package, *parts])


def discover(root: pathlib.Path = ROOT, package: str = PACKAGE) -> dict[str, pathlib.Path]:
    """Every module of the package, by dotted name."""
    return {module_name(p, root, package): p for p in sorted(root.rglob("*.py"))}


def _resolve(name: str, modules: set[str]) -> str | None:
    """The module ``name`` (``a.b.c``, maybe an attribute of a module) lives in, or ``None``."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _base(importer: str, is_package: bool, level: int) -> str:
    """The package a relative import of ``level`` dots starts from."""
    parts = importer.split(".")
    if not is_package:
        parts.pop()
    return ".".join(parts[:len(parts) - (level - 1)])


def _has_reason(lines: list[str], node: ast.stmt) -> bool:
    """A ``# late:`` comment on the statement's lines or above it, through the import
    statements and comments right before it."""
    for i in range(node.lineno - 1, (node.end_lineno or node.lineno)):
        if LATE.search(lines[i]):
            return True
    i = node.lineno - 2
    while i >= 0:
        text = lines[i].strip()
        if LATE.search(text):
            return True
        if not (text.startswith("#") or text.startswith(("import ", "from "))):
            return False
        i -= 1
    return False


def imports_of(importer: str, source: str, modules: set[str], is_package: bool = False,
               package: str = PACKAGE) -> list[Import]:
    """The govshare modules ``source`` (module ``importer``) imports, with where and how."""
    tree = ast.parse(source)
    lines = source.splitlines()
    data = tuple(f"{package}.{d}" for d in DATA_PACKAGES)
    found: list[Import] = []
    seen: set[tuple[int, str]] = set()

    def add(node: ast.stmt, name: str, late: bool) -> None:
        if name != package and not name.startswith(package + "."):
            return
        if any(name == d or name.startswith(d + ".") for d in data):
            return
        target = _resolve(name, modules)
        if target is None or target == importer or (node.lineno, target) in seen:
            return
        seen.add((node.lineno, target))
        found.append(Import(importer, target, node.lineno, late,
                            late and _has_reason(lines, node)))

    def visit(node: ast.AST, late: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = late or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if isinstance(child, ast.Import):
                for alias in child.names:
                    add(child, alias.name, late)
            elif isinstance(child, ast.ImportFrom):
                base = (_base(importer, is_package, child.level) if child.level else "")
                mod = ".".join(p for p in (base, child.module or "") if p)
                for alias in child.names:
                    # a submodule is an edge to it, a name (or ``*``) one to ``mod``
                    add(child, mod if alias.name == "*" else f"{mod}.{alias.name}", late)
            visit(child, inner)

    visit(tree, False)
    return found


@dataclasses.dataclass
class Graph:
    modules: dict[str, pathlib.Path]
    imports: list[Import]

    @property
    def edges(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {m: set() for m in self.modules}
        for imp in self.imports:
            out[imp.importer].add(imp.target)
        return out


def build(root: pathlib.Path = ROOT, package: str = PACKAGE) -> Graph:
    modules = discover(root, package)
    names = set(modules)
    found: list[Import] = []
    for name, path in modules.items():
        found += imports_of(name, path.read_text(encoding="utf-8"), names,
                            path.name == "__init__.py", package)
    return Graph(modules, found)


# -- the rules -------------------------------------------------------------------------------------


def relative(module: str, package: str = PACKAGE) -> str:
    return "" if module == package else module[len(package) + 1:]


def group_of(module: str, layers: dict[str, int] = LAYERS, package: str = PACKAGE) -> str | None:
    """The :data:`LAYERS` key that places ``module`` (the longest prefix), ``None``: unplaced."""
    rel = relative(module, package)
    keys = [k for k in layers if rel == k or (k and rel.startswith(k + "."))]
    return max(keys, key=len) if keys else None


def _top(group: str) -> str:
    """The feature package of a group (``lifecycle.tables`` → ``lifecycle``)."""
    return group.split(".")[0]


def closure(deps: dict[str, set[str]]) -> dict[str, set[str]]:
    out = {k: set(v) for k, v in deps.items()}
    changed = True
    while changed:
        changed = False
        for v in out.values():
            more = set().union(*(out.get(d, set()) for d in v)) - v
            if more:
                v |= more
                changed = True
    return out


def violation(imp: Import, layers: dict[str, int] = LAYERS,
              feature_deps: dict[str, set[str]] = FEATURE_DEPS,
              only: dict[str, set[str]] = ONLY, package: str = PACKAGE) -> str | None:
    """Why ``imp`` breaks the rule, ``None`` when it keeps it."""
    src, dst = group_of(imp.importer, layers, package), group_of(imp.target, layers, package)
    if src is None or dst is None or src == dst:
        return None  # unplaced modules fail test_every_module_is_placed
    if src in only:
        return None if dst in only[src] else (
            f"{src}/ may import only {', '.join(sorted(only[src]))} of govshare")
    if _top(src) == _top(dst) and layers[dst] <= layers[src]:
        return None  # within one package, down to its constants
    up, down = layers[src], layers[dst]
    if down < up:
        return None
    if down > up:
        return f"upward: {src} (rank {up}) → {dst} (rank {down})"
    if up in OPEN_RANKS:
        return None
    allowed = closure(feature_deps).get(src, set())
    if dst in allowed:
        return None
    return (f"sideways: {src} → {dst} is not an allowed feature edge "
            f"({src} may use: {', '.join(sorted(allowed)) or 'none'})")


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module, each as one closed path
    through it (Tarjan, then a shortest cycle from its first module)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    comps: list[list[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            strong(v)
    out = []
    for comp in sorted(comps):
        members, start = set(comp), comp[0]
        paths = {start: [start]}
        queue = [start]
        cycle = None
        while queue and cycle is None:
            v = queue.pop(0)
            for w in sorted(edges.get(v, ())):
                if w == start:
                    cycle = paths[v] + [start]
                    break
                if w in members and w not in paths:
                    paths[w] = paths[v] + [w]
                    queue.append(w)
        out.append(cycle or comp)
    return out


def _where(graph: Graph, imp: Import) -> str:
    path = graph.modules[imp.importer].relative_to(ROOT.parents[1])
    return f"{path}:{imp.line}"


def _order(graph: Graph, imports: list[Import]) -> list[Import]:
    return sorted(imports, key=lambda i: (str(graph.modules[i.importer]), i.line, i.target))


def report(graph: Graph) -> dict[str, list[str]]:
    """Every breach of the rule, by kind, each line naming the file and line to fix."""
    unplaced = sorted(m for m in graph.modules if group_of(m) is None)
    upward = []
    for imp in _order(graph, graph.imports):
        why = violation(imp)
        if why:
            upward.append(f"{_where(graph, imp)}: {relative(imp.importer)} → "
                          f"{relative(imp.target)} ({why}{', function-level' if imp.late else ''})")
    found_cycles = []
    for cycle in cycles(graph.edges):
        steps = []
        for a, b in zip(cycle, cycle[1:]):
            imp = next(i for i in graph.imports if i.importer == a and i.target == b)
            steps.append(f"{relative(a)} → {relative(b)} ({_where(graph, imp)}"
                         f"{', function-level' if imp.late else ''})")
        found_cycles.append("cycle: " + "; ".join(steps))
    unexplained = [f"{_where(graph, i)}: {relative(i.importer)} → {relative(i.target)}"
                   for i in _order(graph, graph.imports) if i.late and not i.reason]
    return {"unplaced": unplaced, "cycles": found_cycles, "upward": upward,
            "unexplained": unexplained}


def late_imports(graph: Graph) -> list[str]:
    return [f"{_where(graph, i)}: {relative(i.importer)} → {relative(i.target)}"
            f"{'' if i.reason else '  (no reason)'}"
            for i in _order(graph, graph.imports) if i.late]


@pytest.fixture(scope="module")
def graph() -> Graph:
    return build()


def _fail(title: str, lines: list[str]) -> None:
    if lines:
        pytest.fail(f"{title} ({len(lines)}):\n  " + "\n  ".join(lines), pytrace=False)


# -- the source: placed, acyclic, layered, late imports explained --------------------------------


def test_every_module_is_placed(graph):
    """Every module sits in a layer of LAYERS; a new package must be placed there first."""
    _fail("modules not placed in LAYERS", report(graph)["unplaced"])


def test_no_import_cycle(graph):
    """No two govshare modules import each other, directly or through others, at any level."""
    _fail("import cycles", report(graph)["cycles"])


def test_no_upward_import(graph):
    """Imports point down the layers, and among features along FEATURE_DEPS only."""
    _fail("imports against the layers", report(graph)["upward"])


def test_function_level_imports_give_a_reason(graph):
    """An import of a govshare module inside a function carries ``# late: <reason>``."""
    late = sum(i.late for i in graph.imports)
    _fail(f"function-level imports without '# late: <reason>' (of {late} function-level "
          "imports of govshare modules)", report(graph)["unexplained"])


# -- the rule's data ------------------------------------------------------------------------------


def test_feature_order_is_acyclic():
    """FEATURE_DEPS is an order: no feature depends on itself through others."""
    bad = sorted(k for k, v in closure(FEATURE_DEPS).items() if k in v)
    assert not bad, f"FEATURE_DEPS loops through {bad}"


def test_every_feature_is_ordered():
    """Each group at the features' rank has an entry in FEATURE_DEPS, and only those."""
    rank = LAYERS["catalogue"]
    features = {k for k, r in LAYERS.items() if r == rank}
    assert features == set(FEATURE_DEPS)
    assert set().union(*FEATURE_DEPS.values()) <= features


# -- the reader itself, on sources written here ------------------------------------------------


MODULES = {f"{PACKAGE}.{m}" for m in (
    "", "config", "logic", "logic.action", "logic.action.lifecycle", "lifecycle",
    "lifecycle.machine", "lifecycle.tables", "catalogue", "catalogue.vocab", "views")} | {PACKAGE}


def _targets(source: str, importer: str = f"{PACKAGE}.logic.action.lifecycle",
             is_package: bool = False) -> list[tuple[str, bool, bool]]:
    return [(relative(i.target), i.late, i.reason)
            for i in imports_of(importer, textwrap.dedent(source), MODULES, is_package)]


def test_reads_every_form_of_import():
    """``import a.b``, ``from a import module``, ``from a.module import name``, relative
    imports (from a module and from a package) and aliases all resolve to the module."""
    assert _targets("""
        import ckanext.govshare.catalogue.vocab
        import ckanext.govshare.config as gs_config
        from ckanext.govshare import config
        from ckanext.govshare.lifecycle import machine, tables
        from ckanext.govshare.lifecycle.machine import Label, bilingual
        from ckanext.govshare.catalogue import GradeScale
        from . import lifecycle
        from .. import validators
        from ...lifecycle import machine as m
        import json, ckan.plugins.toolkit as tk
        from ckanext.activity.logic import validators
        from ckanext.govshare import i18n
        """) == [
        ("catalogue.vocab", False, False), ("config", False, False), ("config", False, False),
        ("lifecycle.machine", False, False), ("lifecycle.tables", False, False),
        ("lifecycle.machine", False, False),  # one edge for the two names
        ("catalogue", False, False),  # a name, not a module: the package
        ("logic", False, False),  # logic.validators is no module here: the package
        ("lifecycle.machine", False, False)]
    # `from . import lifecycle` inside logic.action: the sibling module logic.action.lifecycle
    # is the importer itself here, so that edge is dropped; from the package it is kept
    assert _targets("from . import lifecycle\n", f"{PACKAGE}.logic.action", True) == [
        ("logic.action.lifecycle", False, False)]


def test_reads_function_level_imports_and_their_reasons():
    """Imports in functions and methods are late; a ``# late:`` comment on the line, or above
    it through a run of imports, is their reason."""
    assert _targets("""
        import ckanext.govshare.config

        class Plugin:
            from ckanext.govshare import views

            def method(self):
                from ckanext.govshare import catalogue  # late: CKAN loads plugins first

        def f():
            import json
            # late: the blueprint imports this module
            from ckanext.govshare import views
            from ckanext.govshare.lifecycle import machine

            def inner():
                from ckanext.govshare.lifecycle import tables
        """) == [
        ("config", False, False), ("views", False, False), ("catalogue", True, True),
        ("views", True, True), ("lifecycle.machine", True, True),
        ("lifecycle.tables", True, False)]


def test_finds_cycles_and_reports_a_path():
    """A cycle through three modules is found and reported as a closed path."""
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}}
    assert cycles(edges) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize(("importer", "target", "verdict"), [
    ("views", "logic.action.lifecycle", None),
    ("logic.action.lifecycle", "lifecycle.machine", None),
    ("lifecycle.service", "logic.validators", "upward"),
    ("model.assessment", "assessment.service", "upward"),
    ("config", "catalogue.vocab", "upward"),
    ("assessment.service", "lifecycle.service", None),
    ("assessment.service", "catalogue.rules", None),  # through lifecycle
    ("lifecycle.service", "assessment.service", "sideways"),
    ("catalogue.facets", "lifecycle.machine", "sideways"),
    ("catalogue.facets", "lifecycle.tables", None),  # constants: every layer
    ("lifecycle.service", "lifecycle.tables", None),
    ("lifecycle.tables", "lifecycle.machine", "upward"),
    ("search.connection", "config", None),
    ("search.connection", "permissions", "may import only"),
    ("migration.govshare.env", "model", None),
    ("migration.govshare.env", "config", "may import only"),
    ("views.assessment", "views", None),
    ("department.roles", "lifecycle.machine", "sideways"),
    ("plugin", "views", None),
    ("lifecycle.tables", "catalogue.fields", None),  # constants use constants and messages
    ("lifecycle.tables", "messages", None),
    ("cli", "demo", None),
    ("config", "lifecycle.tables", None),
])
def test_verdicts(importer, target, verdict):
    """The rule's verdict on sample edges (the issue's examples among them)."""
    why = violation(Import(f"{PACKAGE}.{importer}", f"{PACKAGE}.{target}", 1, False, False))
    assert why is None if verdict is None else why is not None and verdict in why, why


def test_a_new_package_must_be_placed():
    """A module is placed by the longest dotted prefix in LAYERS; a new package is not."""
    assert group_of(f"{PACKAGE}.newfeature.service") is None
    assert group_of(f"{PACKAGE}.lifecycle.tables") == "lifecycle.tables"
    assert group_of(f"{PACKAGE}.lifecycle.tables_extra") == "lifecycle"
    assert group_of(f"{PACKAGE}.configuration") is None
    assert group_of(PACKAGE) == ""


def test_reader_sees_the_package(graph):
    """The graph is the real one: the plugin, the features and their imports are all read."""
    assert {f"{PACKAGE}.plugin", f"{PACKAGE}.lifecycle.machine", f"{PACKAGE}.model"} <= set(
        graph.modules)
    assert len(graph.modules) > 60 and len(graph.imports) > 100
    assert f"{PACKAGE}.messages" in graph.edges[f"{PACKAGE}.lifecycle.machine"]


if __name__ == "__main__":
    g = build()
    for kind, lines in report(g).items():
        print(f"{kind} ({len(lines)}):")
        for line in lines:
            print(f"  {line}")
    late = late_imports(g)
    print(f"function-level imports of govshare modules ({len(late)}):")
    for line in late:
        print(f"  {line}")
