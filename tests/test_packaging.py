"""A non-editable install ships the whole extension (issue #9 §3).

The wheel is built the way ``pip install .`` builds it (setuptools through pip; without build
isolation, so nothing is downloaded) from a copy of the source tree, and its file list is
compared with the source: every file under ``ckanext/`` (bytecode aside) — so every package,
template, asset, ``config_declaration.yaml`` and migration — and every file of ``schemas/`` and
``i18n/`` (mapped to ``ckanext/govshare/schemas`` and ``ckanext/govshare/i18n``, where the plugin
and ``scheming.*_schemas`` load them) must be in it. A new package or data directory that
``setup.py`` would leave out fails here, not on a production server.
"""
from __future__ import annotations

import configparser
import fnmatch
import os
import pathlib
import shutil
import subprocess
import sys
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = "ckanext/govshare"
# top-level source directories mapped into the package by setup.py's package_dir
MAPPED = {"schemas": f"{PACKAGE}/schemas", "i18n": f"{PACKAGE}/i18n"}
# never part of a build: VCS, virtualenvs, build output, caches, bytecode
IGNORED = (".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", "*.pyo",
           ".pytest_cache", ".ruff_cache", ".hypothesis", "node_modules", "var", "run")


def _ignored(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in IGNORED)


def _source_files(top: str) -> set[str]:
    """Files under ``ROOT/top``, relative to ROOT, as they would be committed."""
    found = set()
    for dirpath, dirnames, filenames in os.walk(ROOT / top):
        dirnames[:] = [d for d in dirnames if not _ignored(d)]
        for name in filenames:
            if not _ignored(name):
                found.add((pathlib.Path(dirpath) / name).relative_to(ROOT).as_posix())
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    """The wheel of a copy of the source tree (setuptools writes build/ and *.egg-info into the
    tree it builds; the checkout stays untouched)."""
    tmp = tmp_path_factory.mktemp("packaging")
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=lambda _dir, names: [n for n in names if _ignored(n)])
    out = tmp / "wheels"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation",
         "--no-index", "--no-cache-dir", "-w", str(out), "-q"],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    assert done.returncode == 0, f"pip wheel failed:\n{done.stdout}\n{done.stderr}"
    wheels = list(out.glob("ckanext_govshare-*.whl"))
    assert len(wheels) == 1, wheels
    with zipfile.ZipFile(wheels[0]) as archive:
        yield archive


def _shipped(wheel: zipfile.ZipFile) -> set[str]:
    return {n for n in wheel.namelist() if not n.endswith("/")}


def test_every_source_file_ships(wheel):
    """Each file of ckanext/, schemas/ and i18n/ is in the wheel, at the path it is loaded from."""
    expected = _source_files("ckanext")
    for top, target in MAPPED.items():
        expected |= {target + f[len(top):] for f in _source_files(top)}
    missing = sorted(expected - _shipped(wheel))
    assert not missing, f"{len(missing)} source files are not in the wheel: {missing}"


def _packages() -> set[str]:
    """The package directories of the source, as the wheel holds them: every directory of
    ckanext/govshare with an ``__init__.py``, and the mapped ones."""
    found = set()
    for dirpath, dirnames, filenames in os.walk(ROOT / PACKAGE):
        dirnames[:] = [d for d in dirnames if not _ignored(d)]
        if "__init__.py" in filenames:
            found.add(pathlib.Path(dirpath).relative_to(ROOT).as_posix())
    return found | set(MAPPED.values())


def test_every_package_ships(wheel):
    """Every directory of ckanext/govshare with an ``__init__.py`` ships as a package (its
    ``__init__`` and every module), the feature packages among them."""
    packages = _packages()
    # a floor, so that a walk finding nothing cannot pass
    assert {f"{PACKAGE}/{p}" for p in ("catalogue", "lifecycle", "assessment", "department",
                                       "search", "logic/action", "logic/auth", "model",
                                       "views")} <= packages
    source_of = {target: top for top, target in MAPPED.items()}
    shipped = _shipped(wheel)
    for package in sorted(packages):
        modules = {f"{package}/{m.name}" for m in (ROOT / source_of.get(package, package))
                   .glob("*.py")}
        assert f"{package}/__init__.py" in modules
        assert modules <= shipped, f"{package}: {sorted(modules - shipped)} missing"


def test_data_files_ship(wheel):
    """What the running site loads from the package: the config declaration, the scheming
    schemas, the message catalogues (.pot, .po, compiled .mo), the templates and assets, and
    every migration with alembic's environment."""
    shipped = _shipped(wheel)
    for name in ("config_declaration.yaml", "schemas/dataset.yaml", "schemas/organization.yaml",
                 "i18n/ckanext-govshare.pot",
                 "i18n/zh_Hans_CN/LC_MESSAGES/ckanext-govshare.po",
                 "i18n/zh_Hans_CN/LC_MESSAGES/ckanext-govshare.mo",
                 "migration/govshare/env.py", "migration/govshare/alembic.ini",
                 "migration/govshare/script.py.mako"):
        assert f"{PACKAGE}/{name}" in shipped, name
    for kind, pattern in (("templates", "*.html"), ("assets", "*"),
                          ("migration/govshare/versions", "*.py")):
        source = {f.relative_to(ROOT).as_posix() for f in (ROOT / PACKAGE / kind).rglob(pattern)
                  if f.is_file() and not any(_ignored(p) for p in f.parts)}
        assert source, f"no {kind} in the source tree"
        assert source <= shipped, f"{kind}: {sorted(source - shipped)} missing"


def test_only_the_extension_ships(wheel):
    """Nothing but ``ckanext/`` and the distribution's metadata: no tests, no bytecode, and the
    ``ckan.plugins`` entry point names a module that is in the wheel."""
    names = wheel.namelist()
    tops = {n.split("/", 1)[0] for n in names}
    assert tops - {"ckanext"} == {n.split("/", 1)[0] for n in names if ".dist-info/" in n}
    assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".pyo"))]
    assert not [n for n in names if n.startswith(("tests/", "bench/", "ckanext/tests/"))]
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    parser = configparser.ConfigParser()
    parser.read_string(wheel.read(entry_points).decode())
    target = parser["ckan.plugins"]["govshare"]
    assert target == "ckanext.govshare.plugin:GovsharePlugin"
    assert target.split(":")[0].replace(".", "/") + ".py" in names
