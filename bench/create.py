"""Create rate of full govshare entries against plain CKAN datasets, over HTTP, in one run.

    .venv/bin/python bench/create.py --n 200

Starts one CKAN server (own database ``govshare_bench_create``, recreated each run) with the
govshare plugins, and a second dataset type ``plain`` (CKAN's core fields only, via
``bench/plain_dataset.yaml``) on the same server. Then, through ckanapi's RemoteCKAN as a
sysadmin, creates N govshare entries (20 信息项, 2 resources each) and N plain datasets
(3 resources each), interleaved in rounds so both see the same server state, and prints both
rates and the ratio (target ≥ 0.8×). Not a test: numbers go to BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import time

import common
from common import ROOT, VENV, sh

DB = "govshare_bench_create"


def write_ini(path: pathlib.Path, port: int) -> None:
    common.write_ini(path, DB, port, 3, "ckan.auth.create_unowned_dataset = true",
                   dataset_schemas=common.WITH_PLAIN)


def entry(i: int) -> dict:
    from ckanext.govshare import demo

    dept = demo.DEPARTMENTS[0]
    template = demo.TEMPLATES[dept["name"]][0]
    e = demo._entry(dept, template, f"（基准 {i}）", 0)
    e.pop("name", None)
    base = e["info_items"]
    e["info_items"] = [dict(base[k % len(base)], name=f"{base[k % len(base)]['name']}{k}",
                            name_en=f"{base[k % len(base)]['name_en']}_{k}") for k in range(20)]
    e["resources"] = [dict(e["resources"][0], name=f"资源{j}", url=f"{e['resources'][0]['url']}/{j}")
                      for j in range(2)]
    e["owner_org"] = "bench-dept"
    return e


def plain(i: int) -> dict:
    return {
        "type": "plain", "name": f"plain-{i}", "title": f"Plain dataset {i} 普通数据集",
        "notes": "A plain CKAN dataset for the benchmark. 普通数据集。", "owner_org": "bench-dept",
        "tags": [{"name": "bench"}, {"name": f"t{i % 7}"}],
        "resources": [{"name": f"r{j}", "url": f"https://example.org/{i}/{j}.csv", "format": "CSV"}
                      for j in range(3)],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--port", type=int, default=5077)
    args = ap.parse_args()

    work = ROOT / "var" / "bench-create"
    work.mkdir(parents=True, exist_ok=True)
    ini = work / "bench.ini"
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=True)
    sh("createdb", "-h", "127.0.0.1", "-U", "postgres", "-O", "govshare", DB)
    if ini.exists():
        ini.unlink()
    write_ini(ini, args.port)
    ckan = [str(VENV / "ckan"), "-c", str(ini)]
    sh(*ckan, "db", "init")
    sh(*ckan, "user", "add", "benchadmin", "email=bench@example.org", "password=Bench-Pass-2026")
    sh(*ckan, "sysadmin", "add", "benchadmin")
    token = sh(*ckan, "user", "token", "add", "benchadmin", "bench").strip().splitlines()[-1].strip()

    server = subprocess.Popen([*ckan, "run", "--host", "127.0.0.1", "--port", str(args.port),
                               "--disable-reloader"], stdout=subprocess.DEVNULL,
                              stderr=open(work / "server.log", "w"))
    try:
        url = f"http://127.0.0.1:{args.port}"
        common.wait_ready(url, tries=120)
        from ckanapi import RemoteCKAN

        api = RemoteCKAN(url, apikey=token)
        from ckanext.govshare import demo

        dept = demo.DEPARTMENTS[0]
        api.action.organization_create(
            name="bench-dept", title="基准测试部门", uscc=dept["uscc"],
            region_code=dept["region_code"], level="province",
            units=[{"code": c, "name": n} for c, n in dept["units"]])
        # warm-up: one of each, not timed
        api.action.package_create(**entry(-1))
        api.action.package_create(**plain(-1))
        times = {"govshare": [], "plain": []}
        rounds = 10
        per = max(1, args.n // rounds)
        for r in range(rounds):
            for kind, make in (("govshare", entry), ("plain", plain)) if r % 2 == 0 else \
                    (("plain", plain), ("govshare", entry)):
                for k in range(per):
                    payload = make(r * per + k)
                    t0 = time.perf_counter()
                    api.action.package_create(**payload)
                    times[kind].append(time.perf_counter() - t0)
        rate = {k: len(v) / sum(v) for k, v in times.items()}
        for k, v in times.items():
            print(f"{k:9s} n={len(v):5d}  {rate[k]:7.1f} datasets/s  "
                  f"p50 {statistics.median(v) * 1000:6.1f} ms  "
                  f"p95 {sorted(v)[int(len(v) * 0.95) - 1] * 1000:6.1f} ms")
        ratio = rate["govshare"] / rate["plain"]
        print(f"ratio govshare/plain = {ratio:.2f}x  (target >= 0.80x)")
        return 0
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
