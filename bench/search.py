"""Benchmark the embedded PostgreSQL search backend against ``package_show`` in one run.

Loads N synthetic catalogue entries with realistic Chinese titles and descriptions into its own
database (``govshare_bench``, created if missing; the test database is never touched), then
times ``package_search`` for five query shapes and ``package_show`` as the baseline, and prints
p50/p95 per shape and the ratio to ``package_show``::

    .venv/bin/python bench/search.py --ini test.ini --n 10000
    .venv/bin/python bench/search.py --ini test.ini --n 10000 --clone-to 100000 --keep

Entries are created through the real ``package_create`` action (validation, activity, index
row written in the same transaction, one commit per dataset). ``--clone-to``
then copies index rows in SQL (new ids and names, same text) to measure the search side at a
larger scale without hours of ``package_create``; ``package_show`` still reads the N real
datasets, and the copies are deleted at the end. ``--explain`` prints ``EXPLAIN ANALYZE`` of the SQL behind each shape.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

import sqlalchemy as sa

REGIONS = ["省本级", "杭州市", "宁波市", "温州市", "嘉兴市", "湖州市", "绍兴市", "金华市", "衢州市",
           "舟山市", "台州市", "丽水市", "上城区", "拱墅区", "西湖区", "滨江区", "萧山区", "余杭区"]
ORGS = [
    ("samr", "省市场监督管理局", [
        "企业登记信息", "营业执照", "个体工商户登记", "食品经营许可", "特种设备检验", "行政处罚决定",
        "双随机抽查结果", "商标注册", "广告监测", "产品质量监督抽查", "企业年度报告", "药品零售许可"]),
    ("hrss", "省人力资源和社会保障厅", [
        "社会保险参保", "养老保险缴费", "失业保险金发放", "工伤认定", "就业登记", "劳动合同备案",
        "职业技能等级证书", "社会保障卡", "企业职工基本养老保险待遇", "人才引进"]),
    ("police", "省公安厅", [
        "户籍人口", "流动人口", "居民身份证办理", "机动车登记", "驾驶证", "出入境证件",
        "交通违法处理", "居住证", "户口迁移", "治安管理处罚"]),
]
SUFFIXES = ["信息", "数据", "统计", "明细", "汇总表", "目录", "名单", "情况"]
FIELDS = ["统一社会信用代码", "企业名称", "法定代表人", "登记机关", "成立日期", "经营范围", "注册资本",
          "姓名", "公民身份号码", "性别", "户籍地址", "参保单位", "缴费基数", "办理日期", "证件有效期"]
CYCLES = ["每日", "每周", "每月", "每季度", "每年", "实时"]
TAGS = ["企业", "市场监管", "社保", "人口", "公安", "登记", "许可", "民生", "经济", "就业", "交通",
        "医疗", "养老", "食品安全", "信用", "证照", "统计", "执法"]
FORMATS = ["CSV", "XLSX", "JSON", "API", "XML"]
SHARE = ["无条件共享", "有条件共享", "不予共享"]


def synthetic_entry(i: int, rng: random.Random, org_ids: dict[str, str]) -> dict[str, Any]:
    """One catalogue entry: a Chinese title, notes, tags, resources and extras (reproducible)."""
    org, dept, subjects = ORGS[i % len(ORGS)]
    region = rng.choice(REGIONS)
    subject = rng.choice(subjects)
    year = rng.randint(2018, 2026)
    title = f"{region}{subject}{rng.choice(SUFFIXES)}（{year}年）"
    fields = "、".join(rng.sample(FIELDS, 4))
    cycle = rng.choice(CYCLES)
    code = f"{rng.randint(300, 399)}{rng.randint(0, 999999):06d}/{i:06d}"
    notes = (f"本数据集由{dept}提供，包含{region}{subject}的{fields}等字段，{cycle}更新。"
             f"信息资源代码 {code}。数据来源于业务系统，经脱敏处理后按规定共享。")
    tags = rng.sample([t for t in TAGS], rng.randint(2, 5))
    resources = [
        {"name": f"{subject}{year - k}年{rng.choice(SUFFIXES)}", "format": rng.choice(FORMATS),
         "url": f"https://data.example.gov.cn/{org}/{i}/{k}", "description": f"{region}{subject}"}
        for k in range(rng.randint(1, 3))
    ]
    return {
        "name": f"bench-{org}-{i:06d}",
        "title": title,
        "notes": notes,
        "owner_org": org_ids[org],
        "license_id": rng.choice(["cc-by", "cc-zero", "other-closed"]),
        "tags": [{"name": t} for t in tags],
        "resources": resources,
        "extras": [
            {"key": "resource_code", "value": code},
            {"key": "update_cycle", "value": cycle},
            {"key": "share_type", "value": rng.choice(SHARE)},
        ],
    }


def ensure_database(url: str, fresh: bool) -> None:
    """Create the benchmark database if it is missing (``fresh``: drop it first)."""
    db = sa.engine.make_url(url).database
    admin = sa.create_engine(sa.engine.make_url(url).set(database="postgres"),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if fresh:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :d"),
                              {"d": db}).scalar()
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{db}"'))
    admin.dispose()


def write_ini(base_ini: str, url: str) -> str:
    """``base_ini`` with the benchmark database, its own Redis db and CKAN's core dataset schema.

    Like tests/search, the benchmark loads only ``govshare`` (which installs the backend) and
    ``activity``: entries are CKAN core datasets with extras, not catalogue-schema entries.
    """
    fd, path = tempfile.mkstemp(prefix="govshare-bench-", suffix=".ini")
    with os.fdopen(fd, "w") as f:
        f.write(f"[DEFAULT]\ndebug = false\n\n[app:main]\nuse = config:{os.path.abspath(base_ini)}\n"
                f"sqlalchemy.url = {url}\nckan.redis.url = redis://127.0.0.1:6379/3\n"
                "ckan.plugins = govshare activity\n")
    return path


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ini", default="test.ini")
    ap.add_argument("--n", type=int, default=10000, help="datasets created with package_create")
    ap.add_argument("--db", default="postgresql://govshare@127.0.0.1/govshare_bench")
    ap.add_argument("--repeat", type=int, default=100, help="timed calls per shape")
    ap.add_argument("--clone-to", type=int, default=0,
                    help="after loading, copy index rows in SQL until there are this many")
    ap.add_argument("--keep", action="store_true",
                    help="keep the loaded data (and load only what is missing up to N)")
    ap.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE per shape")
    args = ap.parse_args()
    if "govshare_test" in args.db:
        ap.error("refusing to use the test database")

    ensure_database(args.db, fresh=not args.keep)
    ini = write_ini(args.ini, args.db)
    ckan_bin = os.path.join(os.path.dirname(sys.executable), "ckan")
    subprocess.run([ckan_bin, "-c", ini, "db", "init"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    config = load_config(ini)
    app = make_app(config)
    import ckan.model as model
    import ckan.plugins.toolkit as tk

    with app._wsgi_app.test_request_context():  # type: ignore[attr-defined]
        return run(args, model, tk)


def run(args: argparse.Namespace, model: Any, tk: Any) -> int:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]

    def admin() -> dict:
        return {"user": site_user, "ignore_auth": True}

    session = model.Session
    real = session.execute(sa.text("SELECT count(*) FROM package WHERE name LIKE 'bench-%'")).scalar()
    if real > args.n:
        sys.exit(f"govshare_bench holds {real} datasets, more than {args.n}: run without --keep")
    if real < args.n:
        org_ids = dict(session.execute(sa.text(
            "SELECT name, id FROM \"group\" WHERE is_organization")).fetchall())
        for org, dept, _ in ORGS:
            if org not in org_ids:
                org_ids[org] = tk.get_action("organization_create")(
                    admin(), {"name": org, "title": dept})["id"]
        rng = random.Random(20261125)
        for i in range(real):  # resume (--keep): the same entries as an uninterrupted load
            synthetic_entry(i, rng, org_ids)
        started = time.perf_counter()
        create = tk.get_action("package_create")
        for i in range(real, args.n):
            create(admin(), synthetic_entry(i, rng, org_ids))
            if (i + 1) % 1000 == 0:
                el = time.perf_counter() - started
                print(f"  loaded {i + 1}/{args.n} in {el:.0f} s "
                      f"({el / (i + 1 - real) * 1000:.1f} ms each)", flush=True)
        load_s = time.perf_counter() - started
        print(f"loaded {args.n - real} datasets through package_create in {load_s:.0f} s "
              f"({load_s / max(1, args.n - real) * 1000:.1f} ms each)")
    else:
        print(f"reusing {real} datasets in govshare_bench")

    if args.clone_to:
        clone(session, args.clone_to)
    session.commit()
    compact(session)
    rows = session.execute(sa.text("SELECT count(*) FROM govshare_search_index")).scalar()
    org_ids = dict(session.execute(sa.text(
        "SELECT name, id FROM \"group\" WHERE is_organization AND name IN ('samr','hrss','police')"
    )).fetchall())
    orgs = list(org_ids.values())
    names = [r[0] for r in session.execute(sa.text(
        "SELECT name FROM package WHERE name LIKE 'bench-%' ORDER BY random() LIMIT 200"))]

    search = tk.get_action("package_search")
    show = tk.get_action("package_show")
    facets = '["organization","tags","res_format"]'
    texts = ["营业执照", "社会保险参保", "户籍人口", "企业登记信息", "杭州市 食品经营许可",
             "养老保险", "机动车登记", "流动人口 统计"]
    shapes = {
        "empty q + 3 facets": lambda k: {"q": "", "facet.field": facets, "rows": 20},
        "Chinese free text": lambda k: {"q": texts[k % len(texts)], "rows": 20},
        "fq owner_org + facet value": lambda k: {
            "fq": f'+owner_org:"{orgs[k % 3]}" +tags:"{TAGS[k % len(TAGS)]}"', "rows": 20},
        "sort title_string asc": lambda k: {"sort": "title_string asc", "rows": 20,
                                            "start": (k % 5) * 20},
        "deep page start=9000": lambda k: {"start": 9000 + (k % 5) * 20, "rows": 20},
    }

    def anon() -> dict:
        return {"user": "", "ignore_auth": False}

    def timed(fn) -> list[float]:
        for k in range(5):  # warm-up
            fn(k)
        out = []
        for k in range(args.repeat):
            t = time.perf_counter()
            fn(k)
            out.append((time.perf_counter() - t) * 1000)
        return out

    results: dict[str, list[float]] = {}
    results["package_show (baseline)"] = timed(
        lambda k: show(anon(), {"id": names[k % len(names)]}))
    counts = {}
    for label, make in shapes.items():
        counts[label] = search(anon(), make(0))["count"]
        results[label] = timed(lambda k, make=make: search(anon(), make(k)))

    base = statistics.median(results["package_show (baseline)"])
    print(f"\n{rows} index rows ({args.n} datasets created with package_create), load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs, "
          f"{args.repeat} timed calls per shape, anonymous user\n")
    print(f"| {'call':<28} | {'hits':>6} | {'p50 ms':>7} | {'p95 ms':>7} | {'p50 / show':>10} |")
    print(f"|{'-' * 30}|{'-' * 8}|{'-' * 9}|{'-' * 9}|{'-' * 12}|")
    missed = []
    for label, values in results.items():
        p50, p95 = pct(values, 0.5), pct(values, 0.95)
        hits = counts.get(label, "")
        print(f"| {label:<28} | {hits:>6} | {p50:7.1f} | {p95:7.1f} | {p50 / base:9.2f}x |")
        if label in shapes and (p50 > 30 or p95 > 80):
            missed.append(label)
    print("\ntargets: p50 <= 30 ms, p95 <= 80 ms per package_search shape: "
          + ("all met" if not missed else "MISSED for " + ", ".join(missed)))

    if args.explain:
        explain(session, shapes)
    if args.clone_to:
        drop_clones(session)
    return 0 if not missed else 1


def clone(session: Any, target: int) -> None:
    """Copy index rows (fresh ids and names, same text) until the index holds ``target`` rows."""
    have = session.execute(sa.text("SELECT count(*) FROM govshare_search_index")).scalar()
    started = time.perf_counter()
    copy = 0
    while have < target:
        copy += 1
        step = min(have, target - have)
        session.execute(sa.text("""
            INSERT INTO govshare_search_index (index_id, package_id, site_id, name, title_string,
                metadata_created, metadata_modified, fields, keys, state, capacity, dataset_type,
                permission_labels, tsv, body, doc, indexed_at)
            SELECT md5(index_id || :c), gen_random_uuid()::text, site_id, name || :suffix,
                   title_string, metadata_created - make_interval(days => :c),
                   metadata_modified - make_interval(days => :c),
                   jsonb_set(fields, '{name}', to_jsonb(ARRAY[name || :suffix])),
                   jsonb_set(keys, '{name}', to_jsonb(ARRAY[name || :suffix])),
                   state, capacity, dataset_type, permission_labels, tsv, body, doc, now()
            FROM govshare_search_index WHERE name NOT LIKE '%-clone%' LIMIT :n
        """), {"c": copy, "n": step, "suffix": f"-clone{copy}"})
        session.commit()
        have = session.execute(sa.text("SELECT count(*) FROM govshare_search_index")).scalar()
    print(f"cloned index rows up to {have} in {time.perf_counter() - started:.0f} s")


def drop_clones(session: Any) -> None:
    """Remove the rows ``clone`` added, leaving the N real datasets' rows."""
    session.execute(sa.text("DELETE FROM govshare_search_index WHERE name LIKE '%-clone%'"))
    session.commit()
    compact(session)


def compact(session: Any) -> None:
    """Compact the index table as a fresh load leaves it, and set its visibility map.

    A resumed load, a migration's backfill or ``drop_clones`` leave dead row versions that
    autovacuum would only mark reusable; plain VACUUM then sets the visibility map (as
    autovacuum does) that index-only scans need.
    """
    with session.connection().engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(sa.text("VACUUM FULL govshare_search_index"))
        conn.execute(sa.text("VACUUM ANALYZE govshare_search_index"))


def explain(session: Any, shapes: dict) -> None:
    """EXPLAIN ANALYZE the statements the backend runs for each shape (first variant)."""
    from ckanext.govshare.search import connection

    captured: list[tuple[str, dict]] = []
    original = sa.orm.Session.execute

    def spy(self, statement, params=None, *a, **kw):
        if "govshare_search_index" in str(statement) and str(statement).lstrip().startswith(
                ("SELECT", "WITH")):
            captured.append((str(statement), dict(params or {})))
        return original(self, statement, params, *a, **kw)

    import ckan.plugins.toolkit as tk

    sa.orm.Session.execute = spy
    try:
        for label, make in shapes.items():
            captured.clear()
            tk.get_action("package_search")({"user": "", "ignore_auth": False}, make(0))
            for statement, params in captured:
                plan = session.execute(sa.text("EXPLAIN (ANALYZE, BUFFERS) " + statement), params)
                print(f"\n--- {label}\n{statement.strip()[:400]}\n"
                      + "\n".join(r[0] for r in plan))
    finally:
        sa.orm.Session.execute = original
    del connection


if __name__ == "__main__":
    sys.exit(main())
