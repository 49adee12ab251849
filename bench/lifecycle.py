"""Bulk approval of submitted catalogue entries against plain ``package_patch``, in one run.

    .venv/bin/python bench/lifecycle.py --n 1000

Own database ``govshare_bench_lifecycle`` (recreated each run, ``ckan db init`` with an ini
written like ``bench/create.py``), in process through ckanapi's LocalCKAN. Creates department
``demo.DEPARTMENTS[0]`` with a compiler and a reviewer (``govshare_role_grant``), N entries from
the demo templates (regional variants), submits them all as the compiler (timed separately),
then approves all N as the reviewer, one ``govshare_catalogue_approve`` call each (there is no
bulk action: the review queue page's bulk approve calls the same action per entry). For
comparison it first times plain CKAN ``package_patch`` of the same N entries while they are
drafts (a ``notes`` change as the site user, applied in place; on a published entry it would
open a pending revision). Prints totals, per-entry p50/p95 and the ratio (target: approve N ≤ 60 s). Not a test:
numbers go to BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import logging
import os
import pathlib
import statistics
import subprocess
import sys
import time

import common
from common import ROOT, VENV, sh

DB = "govshare_bench_lifecycle"


def write_ini(path: pathlib.Path) -> None:
    common.write_ini(path, DB, 5078, 4, "ckanext.govshare.notify.enabled = false",
                     # the review alone, comparable with the earlier runs: the security
                     # officer's grade sign-off (a step of its own since issue 10) would refuse
                     # approving the G3 templates
                     "ckanext.govshare.sharing.signoff_grade = ")


def entries(n: int) -> list[dict]:
    """N distinct valid entries: every template × numbered regional variants."""
    from ckanext.govshare import demo

    dept = demo.DEPARTMENTS[0]
    templates = demo.TEMPLATES[dept["name"]]
    out = []
    for i in range(n):
        seq, t = divmod(i, len(templates))
        e = demo._entry(dept, templates[t], f"（基准{seq}）", seq % 900)
        e.pop("name", None)
        e["owner_org"] = dept["name"]
        out.append(e)
    return out


def stats(label: str, times: list[float]) -> float:
    total = sum(times)
    p95 = sorted(times)[max(0, int(len(times) * 0.95) - 1)]
    print(f"{label:22s} n={len(times):5d}  total {total:7.2f} s  "
          f"p50 {statistics.median(times) * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms")
    return total


def timed(call, items) -> list[float]:
    times = []
    for item in items:
        t0 = time.perf_counter()
        call(item)
        times.append(time.perf_counter() - t0)
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--profile", metavar="FILE", help="write a cProfile of the approve phase")
    args = ap.parse_args()

    work = ROOT / "var" / "bench-lifecycle"
    work.mkdir(parents=True, exist_ok=True)
    ini = work / "bench.ini"
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=True)
    sh("createdb", "-h", "127.0.0.1", "-U", "postgres", "-O", "govshare", DB)
    if ini.exists():
        ini.unlink()
    write_ini(ini)
    sh(str(VENV / "ckan"), "-c", str(ini), "db", "init")

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(str(ini)))
    logging.disable(logging.INFO)
    with app._wsgi_app.test_request_context():
        return run(args.n, args.profile)


def run(n: int, profile: str | None = None) -> int:
    from ckan.tests import factories
    from ckanapi import LocalCKAN

    from ckanext.govshare import demo

    site = LocalCKAN()
    dept = demo.DEPARTMENTS[0]
    site.action.organization_create(
        name=dept["name"], title=dept["title"], uscc=dept["uscc"],
        region_code=dept["region_code"], level=dept["level"],
        units=[{"code": c, "name": name} for c, name in dept["units"]])
    compiler = factories.User(name="bench-compiler")
    reviewer = factories.User(name="bench-reviewer")
    site.action.govshare_role_grant(organization_id=dept["name"], user_id=compiler["id"],
                                    role="compiler", units=[c for c, _ in dept["units"]])
    site.action.govshare_role_grant(organization_id=dept["name"], user_id=reviewer["id"],
                                    role="reviewer")
    as_compiler = LocalCKAN(username=compiler["name"])
    as_reviewer = LocalCKAN(username=reviewer["name"])

    t0 = time.perf_counter()
    ids = [as_compiler.action.package_create(**e)["id"] for e in entries(n)]
    print(f"created {n} entries in {time.perf_counter() - t0:.1f} s (not timed below)")
    # plain CKAN on the same rows while they are drafts (package_patch edits a draft in place;
    # on a published entry it would open a pending revision instead)
    patch = timed(lambda i: site.action.package_patch(id=i, notes="基准测试修改 bench edit"), ids)
    submit = timed(lambda i: as_compiler.action.govshare_catalogue_submit(id=i), ids)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    approve = timed(lambda i: as_reviewer.action.govshare_catalogue_approve(id=i), ids)
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)

    print()
    stats("submit (compiler)", submit)
    total = stats("approve (reviewer)", approve)
    plain = stats("package_patch (site)", patch)
    print(f"approve {n}: {total:.1f} s (target <= 60 s: {'met' if total <= 60 else 'MISSED'})")
    print(f"ratio approve/package_patch = {total / plain:.2f}x")
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
