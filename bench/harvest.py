"""Full and incremental harvest of ``/catalog.jsonld``: the govshare feed against stock ckanext-dcat.

    .venv/bin/python bench/harvest.py --n 10000

One database (``govshare_bench_harvest``, recreated each run) holds N published govshare
entries (20 信息项, 2 resources each, as ``bench/create.py`` makes them) and N plain datasets
(type ``plain``, ``bench/plain_dataset.yaml``, 3 resources each). Two CKAN servers run on it
at once:

* **govshare** — plugins ``govshare … govshare_dcat dcat``: ``/catalog.jsonld`` is the feed of
  entries (fragments kept at publish time, keyset pages);
* **stock** — plugins ``govshare … dcat`` (no ``govshare_dcat``): ckanext-dcat's own
  ``/catalog.jsonld``, restricted to the plain datasets (``fq=dataset_type:plain``), profile
  ``euro_dcat_ap_3``.

Both are harvested page by page (100 datasets a page, ``ckanext.dcat.datasets_per_page``) by
the same non-sysadmin account over HTTP, alternately, following ``hydra:next`` (govshare) or
the page numbers (stock); the script prints per-page times, totals, the ratio (target ≥ 10×),
the time of an incremental page of 100 entries changed after a given time (target ≤ 0.3 s)
and the RSS of each server after each page (flat). Not a test: numbers go to BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import datetime
import json
import logging
import os
import pathlib
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import common
import psutil
from common import ROOT, VENV, sh
from create import entry, plain  # the same entries and plain datasets as bench/create.py

DB = "govshare_bench_harvest"
HYDRA_NEXT = "http://www.w3.org/ns/hydra/core#next"
PLUGINS = {
    "govshare": "govshare activity scheming_datasets scheming_organizations govshare_dcat dcat",
    "stock": "govshare activity scheming_datasets scheming_organizations dcat",
}


def write_ini(path: pathlib.Path, port: int, plugins: str, profiles: str) -> None:
    common.write_ini(path, DB, port, 3, f"ckanext.dcat.rdf.profiles = {profiles}",
                     "ckanext.govshare.harvest_user = platform",
                     "ckan.auth.create_unowned_dataset = true",
                     "ckanext.govshare.notify.enabled = false",
                     plugins=plugins, dataset_schemas=common.WITH_PLAIN)
    common.quiet_logs(path, "logger_root")


def _site_app(ini: pathlib.Path):
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    logging.disable(logging.WARNING)
    return make_app(load_config(str(ini)))


def setup(ini: pathlib.Path) -> None:
    """The entries' department and the harvest account's department."""
    app = _site_app(ini)
    with app._wsgi_app.test_request_context():
        import ckan.plugins.toolkit as tk

        from ckanext.govshare import demo

        ctx = {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"],
               "ignore_auth": True}
        dept = demo.DEPARTMENTS[0]
        tk.get_action("organization_create")(dict(ctx), {
            "name": "bench-dept", "title": "基准测试部门", "uscc": dept["uscc"],
            "region_code": dept["region_code"], "level": "province",
            "units": [{"code": c, "name": nm} for c, nm in dept["units"]]})
        tk.get_action("organization_create")(dict(ctx), {
            "name": "platform-dept", "title": "省级平台", "uscc": demo.DEPARTMENTS[1]["uscc"],
            "region_code": dept["region_code"], "level": "province", "units": []})
        tk.get_action("organization_member_create")(dict(ctx), {
            "id": "platform-dept", "username": "platform", "role": "member"})


def build_part(ini: pathlib.Path, start: int, stop: int) -> None:
    """Entries ``start`` … ``stop - 1`` (created, then published through the import path)
    and as many plain datasets."""
    app = _site_app(ini)
    with app._wsgi_app.test_request_context():
        import ckan.plugins.toolkit as tk

        site = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        t0 = time.perf_counter()
        for i in range(start, stop):
            ctx = {"user": site, "ignore_auth": True}
            pkg = tk.get_action("package_create")(dict(ctx), entry(i))
            tk.get_action("govshare_catalogue_import")(
                dict(ctx), {"id": pkg["id"], "catalogue_state": "published"})
            tk.get_action("package_create")(dict(ctx), plain(i))
            if (i + 1 - start) % 500 == 0:
                print(f"  [{start}-{stop}) built {i + 1 - start} of each "
                      f"({time.perf_counter() - t0:.0f} s)", flush=True)


def build(ini: pathlib.Path, n: int, jobs: int) -> None:
    """N entries and N plain datasets, by ``jobs`` processes (the servers are not up yet)."""
    setup(ini)
    step = -(-n // jobs)
    parts = [subprocess.Popen([str(VENV / "python"), __file__, "--build-part", str(ini),
                               str(k), str(min(k + step, n))])
             for k in range(0, n, step)]
    if any(p.wait() for p in parts):
        raise SystemExit("a build process failed")


def get(url: str, token: str) -> tuple[bytes, float]:
    req = urllib.request.Request(url, headers={"Authorization": token})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=600) as resp:
        body = resp.read()
    return body, time.perf_counter() - t0


def _nodes(body: bytes) -> list[dict]:
    doc = json.loads(body)
    return doc.get("@graph", []) if isinstance(doc, dict) else doc


def _values(node: dict, *keys: str) -> list:
    for key in keys:
        if key in node:
            value = node[key]
            return value if isinstance(value, list) else [value]
    return []


def next_link(body: bytes) -> str | None:
    for node in _nodes(body):
        for value in _values(node, HYDRA_NEXT, "hydra:next"):
            return value["@value"] if isinstance(value, dict) else value
    return None


def datasets_in(body: bytes) -> int:
    """Datasets of a page, expanded (stock) or with compact IRIs (govshare)."""
    return sum(1 for node in _nodes(body)
               if {"http://www.w3.org/ns/dcat#Dataset", "dcat:Dataset"} & set(
                   _values(node, "@type")))


def rss(proc: psutil.Process) -> float:
    return proc.memory_info().rss / 2 ** 20


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--port", type=int, default=5081)
    ap.add_argument("--keep", action="store_true", help="reuse the database of the last run")
    ap.add_argument("--jobs", type=int, default=2, help="processes building the data")
    ap.add_argument("--build-part", nargs=3, metavar=("INI", "START", "STOP"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.build_part:
        ini, start, stop = args.build_part
        build_part(pathlib.Path(ini), int(start), int(stop))
        return 0

    work = ROOT / "var" / "bench-harvest"
    work.mkdir(parents=True, exist_ok=True)
    ports = {"govshare": args.port, "stock": args.port + 1}
    inis = {kind: work / f"{kind}.ini" for kind in ports}
    for kind, ini in inis.items():
        if ini.exists():
            ini.unlink()
        write_ini(ini, ports[kind], PLUGINS[kind],
                  "euro_dcat_ap_3 govshare" if kind == "govshare" else "euro_dcat_ap_3")
    ckan = {kind: [str(VENV / "ckan"), "-c", str(ini)] for kind, ini in inis.items()}
    if not args.keep:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB],
                       check=True)
        sh("createdb", "-h", "127.0.0.1", "-U", "postgres", "-O", "govshare", DB)
        sh(*ckan["govshare"], "db", "init")
        sh(*ckan["govshare"], "user", "add", "platform", "email=platform@example.org",
           "password=Bench-Pass-2026")
        t0 = time.perf_counter()
        build(inis["govshare"], args.n, args.jobs)
        print(f"built {args.n} entries + {args.n} plain datasets in "
              f"{time.perf_counter() - t0:.0f} s")
        sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", DB, "-c", "VACUUM ANALYZE")
    token = sh(*ckan["govshare"], "user", "token", "add", "platform", "bench").strip() \
        .splitlines()[-1].strip()

    servers = {kind: subprocess.Popen(
        [*ckan[kind], "run", "--host", "127.0.0.1", "--port", str(port), "--disable-reloader"],
        stdout=subprocess.DEVNULL, stderr=open(work / f"{kind}.log", "w"))
        for kind, port in ports.items()}
    try:
        base = {kind: f"http://127.0.0.1:{port}" for kind, port in ports.items()}
        for kind in ports:
            common.wait_ready(base[kind])
        procs = {kind: psutil.Process(s.pid) for kind, s in servers.items()}
        # warm-up: one page of each, not timed
        get(base["govshare"] + "/catalog.jsonld", token)
        get(base["stock"] + "/catalog.jsonld?fq=dataset_type:plain", token)

        times: dict[str, list[float]] = {"govshare": [], "stock": []}
        mem: dict[str, list[float]] = {"govshare": [], "stock": []}
        count = {"govshare": 0, "stock": 0}
        url = {"govshare": base["govshare"] + "/catalog.jsonld"}
        page = 1
        done = {"govshare": False, "stock": False}
        while not all(done.values()):
            for kind in ("govshare", "stock") if page % 2 else ("stock", "govshare"):
                if done[kind]:
                    continue
                if kind == "govshare":
                    body, took = get(url["govshare"], token)
                    url["govshare"] = next_link(body)
                    done["govshare"] = url["govshare"] is None
                else:
                    body, took = get(f"{base['stock']}/catalog.jsonld?fq=dataset_type:plain"
                                     f"&page={page}", token)
                    done["stock"] = datasets_in(body) == 0
                    if done["stock"]:
                        continue
                times[kind].append(took)
                count[kind] += datasets_in(body)
                mem[kind].append(rss(procs[kind]))
            page += 1

        for kind in ("govshare", "stock"):
            v = times[kind]
            print(f"{kind:8s} {count[kind]:6d} datasets in {len(v):4d} pages: "
                  f"total {sum(v):7.2f} s  p50 {statistics.median(v) * 1000:7.1f} ms/page  "
                  f"p95 {sorted(v)[max(0, int(len(v) * 0.95) - 1)] * 1000:7.1f} ms  "
                  f"RSS first/last/max {mem[kind][0]:.0f}/{mem[kind][-1]:.0f}/"
                  f"{max(mem[kind]):.0f} MiB")
            print("  per page (ms): " + " ".join(f"{t * 1000:.0f}" for t in v))
        ratio = sum(times["stock"]) / count["stock"] / (sum(times["govshare"]) / count["govshare"])
        print(f"full harvest: govshare is {ratio:.1f}x stock per dataset (target >= 10x)")

        # incremental: 100 entries change after `since`, then one page asks for them
        since = datetime.datetime.now(datetime.timezone.utc).isoformat()
        time.sleep(0.05)
        sh(str(VENV / "python"), "-c", INCREMENTAL, str(inis["govshare"]))
        inc = []
        for _ in range(5):
            body, took = get(base["govshare"] + "/catalog.jsonld?" + urllib.parse.urlencode(
                {"modified_since": since}), token)
            inc.append(took)
        print(f"incremental page: {datasets_in(body)} changed entries, p50 "
              f"{statistics.median(inc) * 1000:.0f} ms over 5 requests (target <= 300 ms)")
        return 0
    finally:
        for server in servers.values():
            server.terminate()
            server.wait(timeout=20)


#: takes 100 published entries offline (a change of state writes their fragments again)
INCREMENTAL = """
import sys
from ckan.cli import load_config
from ckan.config.middleware import make_app
app = make_app(load_config(sys.argv[1]))
with app._wsgi_app.test_request_context():
    import ckan.plugins.toolkit as tk
    site = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    ids = tk.get_action("package_search")({"user": site, "ignore_auth": True}, {
        "fq": "catalogue_state:published", "rows": 100, "sort": "metadata_created asc"})
    for pkg in ids["results"]:
        tk.get_action("govshare_catalogue_import")({"user": site, "ignore_auth": True}, {
            "id": pkg["id"], "catalogue_state": "offline"})
"""


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
