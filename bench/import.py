"""Import rate of a 1272 workbook against one ``ckanapi load datasets`` process over HTTP, in one run.

    .venv/bin/python bench/import.py --n 2000 [--api-n 1000]

Own database ``govshare_bench_import`` (dropped and created, ``ckan db init``), a sysadmin and
two departments with the same units. N catalogue entries are generated from the demo templates
(about 5 信息项 each, the 目 code changing every 10 entries so that both workers get code
prefixes, titles numbered): the same entries go

1. as JSON lines through ``ckanapi load datasets`` (one process, the stock client) into the
   first department of a site served by gunicorn (2 workers, both cores), ``--api-n`` of them
   (default: all N);
2. as the 1272 workbook through ``ckan govshare import --department`` (the CLI, two writing
   processes by default) into the second department, with the peak RSS of the importer's
   process tree sampled every 0.1 s and the time at which each thousand rows was written.

Prints both rates, the ratio (target ≥ 2.5×), the import's wall time (target ≤ 180 s for
10 000), peak RSS (target ≤ 600 MB) and the per-row time of each thousand. Not a test: the
numbers go to BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import socket
import subprocess
import sys
import tempfile
import time

import common
from common import ROOT, VENV, sh

DB = "govshare_bench_import"


def write_ini(path: pathlib.Path, port: int, workers: int) -> None:
    common.write_ini(path, DB, port, 3, "ckanext.govshare.notify.enabled = false",
                     f"ckanext.govshare.import.workers = {workers}")
    # as in production: no DEBUG logging (CKAN logs every validated entry at DEBUG), both sides
    common.quiet_logs(path, "logger_root", "logger_ckan", "logger_ckanext")


def entries(n: int) -> list[dict]:
    """N valid entries (no department yet): demo templates, numbered titles, varied 目."""
    from ckanext.govshare import demo

    dept = demo.DEPARTMENTS[0]
    templates = demo.TEMPLATES[dept["name"]]
    out = []
    for i in range(n):
        template = list(templates[i % len(templates)])
        template[4] = f"{(i // len(templates)) % 900 + 100:03d}"
        e = demo._entry(dept, tuple(template), "", 0)
        e["title"] = f"{e['title']}（基准 {i}）"
        e.pop("owner_org")
        e.pop("tags", None)
        e["resources"] = []
        out.append(e)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_memory(pid: int) -> tuple[int, int]:
    """``(RSS, PSS)`` summed over the process and its children. The writing processes are
    forked from the importer and share its pages until they write them: RSS counts a shared
    page once per process, PSS divides it among them (what the tree really holds)."""
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0, 0
    rss = pss = 0
    for p in procs:
        try:
            info = p.memory_full_info()
            rss += info.rss
            pss += info.pss
        except psutil.NoSuchProcess:
            pass
    return rss, pss


IMPORTER = """
import json, sys, time
from ckan.cli import load_config
from ckan.config.middleware import make_app
app = make_app(load_config(sys.argv[1]))
with app._wsgi_app.test_request_context():
    from ckanext.govshare.exchange import importer
    from ckanext.govshare import config
    import ckan.plugins.toolkit as tk
    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    content = open(sys.argv[2], "rb").read()
    marks = []
    t0 = time.perf_counter()
    def progress(done, total):
        marks.append((done, time.perf_counter() - t0))
    out = importer.run(content, user=user, department=sys.argv[3],
                       workers=config.import_workers(), progress=progress)
    total = time.perf_counter() - t0
    print(json.dumps({"outcome": out.as_dict() | {"problems": out.problems[:5]},
                      "marks": marks, "seconds": total}))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--api-n", type=int, default=None, help="rows loaded by ckanapi (default N)")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    api_n = args.api_n or args.n

    work = ROOT / "var" / "bench-import"
    work.mkdir(parents=True, exist_ok=True)
    ini = work / "bench.ini"
    port = free_port()
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", DB],
                   check=True)
    sh("createdb", "-h", "127.0.0.1", "-U", "postgres", "-O", "govshare", DB)
    if ini.exists():
        ini.unlink()
    write_ini(ini, port, args.workers)
    ckan = [str(VENV / "ckan"), "-c", str(ini)]
    sh(*ckan, "db", "init")
    sh(*ckan, "user", "add", "benchadmin", "email=bench@example.org", "password=Bench-Pass-2026")
    sh(*ckan, "sysadmin", "add", "benchadmin")
    token = sh(*ckan, "user", "token", "add", "benchadmin", "bench").strip().splitlines()[-1].strip()

    from ckanext.govshare import demo
    from ckanext.govshare.catalogue import vocab
    from ckanext.govshare.exchange import workbook

    rows = entries(args.n)
    t0 = time.perf_counter()
    xlsx = work / "bench.xlsx"
    xlsx.write_bytes(workbook.write(rows, grade_scale=vocab.DEFAULT_GRADE_SCALE))
    write_s = time.perf_counter() - t0
    items = sum(len(e["info_items"]) for e in rows)
    print(f"workbook: {args.n} entries, {items} 信息项, {xlsx.stat().st_size / 1e6:.1f} MB, "
          f"written in {write_s:.1f} s")

    env = dict(os.environ, CKAN_INI=str(ini))
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "1", "--timeout", "120",
         "--bind", f"127.0.0.1:{port}", "ckanext.govshare.wsgi:application"],
        env=env, cwd=work, stdout=subprocess.DEVNULL, stderr=open(work / "server.log", "w"))
    try:
        url = f"http://127.0.0.1:{port}"
        common.wait_ready(url)
        from ckanapi import RemoteCKAN

        api = RemoteCKAN(url, apikey=token)
        dept = demo.DEPARTMENTS[0]
        units = [{"code": c, "name": n} for c, n in dept["units"]]
        for name, title in (("bench-api", "基准部门（ckanapi）"), ("bench-xlsx", "基准部门（工作簿）")):
            api.action.organization_create(name=name, title=title, uscc=dept["uscc"],
                                           region_code=dept["region_code"], level="province",
                                           units=units)
        jsonl = work / "bench.jsonl"
        with open(jsonl, "w") as f:
            for i, e in enumerate(rows[:api_n]):
                f.write(json.dumps(dict(e, name=f"api-bench-{i}", owner_org="bench-api"),
                                   ensure_ascii=False) + "\n")
        t0 = time.perf_counter()
        load = subprocess.run([str(VENV / "ckanapi"), "load", "datasets", "-I", str(jsonl),
                               "-r", url, "-a", token, "-p", "1", "-q"],
                              capture_output=True, text=True,
                              # its worker process is started as "ckanapi" from the PATH
                              env=dict(os.environ, PATH=f"{VENV}:{os.environ['PATH']}"))
        api_s = time.perf_counter() - t0
        if load.returncode:
            print(load.stdout[-2000:], load.stderr[-2000:])
            return 1
        api_rate = api_n / api_s
        print(f"ckanapi load datasets (1 process, HTTP, gunicorn 2 workers): {api_n} in "
              f"{api_s:.1f} s = {api_rate:.1f} entries/s (load average "
              f"{os.getloadavg()[0]:.1f})")
    finally:
        server.terminate()
        server.wait(timeout=30)

    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as script:
        script.write(IMPORTER)
    proc = subprocess.Popen([sys.executable, script.name, str(ini), str(xlsx), "bench-xlsx"],
                            stdout=subprocess.PIPE, stderr=open(work / "import.log", "w"),
                            text=True)
    peak = peak_pss = 0
    t0 = time.perf_counter()
    while proc.poll() is None:
        rss, pss = tree_memory(proc.pid)
        peak, peak_pss = max(peak, rss), max(peak_pss, pss)
        time.sleep(0.1)
    wall = time.perf_counter() - t0
    result = json.loads(proc.stdout.read().strip().splitlines()[-1])
    os.unlink(script.name)
    outcome = result["outcome"]
    if outcome["problems"]:
        print("import problems:", outcome["problems"])
        return 1
    rate = args.n / result["seconds"]
    print(f"govshare import ({args.workers} workers): {args.n} in {result['seconds']:.1f} s "
          f"(process wall {wall:.1f} s incl. start-up) = {rate:.1f} entries/s; "
          f"counts {outcome['counts']}; peak memory of the process tree: PSS "
          f"{peak_pss / 2**20:.0f} MB (RSS summed {peak / 2**20:.0f} MB)")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print(f"ratio import / ckanapi = {rate / api_rate:.2f}x  (target >= 2.5x)")
    marks = result["marks"]
    print("per-row time by thousands (ms, wall, both workers together):")
    prev_n, prev_t = 0, 0.0
    for k in range(1000, args.n + 1, 1000):
        hit = next((m for m in marks if m[0] >= k), None)
        if hit is None:
            break
        print(f"  rows {prev_n + 1:>6}-{hit[0]:>6}: {(hit[1] - prev_t) / (hit[0] - prev_n) * 1000:6.1f}")
        prev_n, prev_t = hit
    last = marks[-1] if marks else (0, 0)
    print(f"  after the last row (search documents, commit): {result['seconds'] - last[1]:.1f} s")
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
