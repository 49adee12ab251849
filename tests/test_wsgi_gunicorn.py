"""The production recipe: ``ckanext.govshare.wsgi:application`` under gunicorn, several workers.

The README's command is run against the test site (the ini given to pytest, through
``CKAN_INI``) on a loopback socket this test binds; a short mixed load of searches, shows and
edits goes through it, and every edit made through one worker must be found at once by
searches answered by the others. Each worker keeps its own search cache
(``ckanext.govshare.search.cache``), keyed on the index generation in PostgreSQL: the access
log (with each worker's pid) shows which worker answered what, so the test proves that a
worker which had cached a search before another worker's edit does not answer it stale.
"""
from __future__ import annotations

import collections
import concurrent.futures
import itertools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from types import SimpleNamespace
from typing import Any

import pytest
import requests
from ckan.tests import factories

from ckanext.govshare import wsgi

from . import departments, lifecycle
from .factories import token

WORKERS = 3
START_TIMEOUT = 60.0  # seconds until every worker answers (a guard, not a budget)
REQUEST_TIMEOUT = 30.0
ROUNDS = 10  # edit-then-search rounds of the cross-worker check
# worker pid, the client's request id, status, milliseconds, request line
ACCESS_FORMAT = '%(p)s %({x-request-id}i)s %(s)s %(M)s "%(r)s"'
FACETS = json.dumps(["organization", "tags"])  # a faceted search is what the cache keeps


@pytest.fixture
def server(clean_db, request, tmp_path):
    """gunicorn with :data:`WORKERS` workers serving the test ini, started once the database
    is reset (its workers load the app while the test builds its data); stopped at teardown."""
    ini = _serving_ini(request.config.getoption("--ckan-ini"), tmp_path)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
    except OSError as e:
        listener.close()
        pytest.skip(f"cannot bind a loopback TCP port for gunicorn: {e}")
    port = listener.getsockname()[1]
    access_log, error_log = tmp_path / "access.log", tmp_path / "error.log"
    output = tmp_path / "output.log"  # the app's own log (the ini's console handler)
    # gunicorn listens on this test's socket (fd://): no window in which another process
    # could take a port we only picked
    cmd = [
        sys.executable, "-m", "gunicorn",
        "--workers", str(WORKERS), "--threads", "2", "--timeout", "60",
        "--bind", f"fd://{listener.fileno()}", "--no-control-socket",
        "--access-logfile", str(access_log), "--access-logformat", ACCESS_FORMAT,
        "--error-logfile", str(error_log), "--log-level", "info",
        "ckanext.govshare.wsgi:application",
    ]
    env = {**os.environ, "CKAN_INI": str(ini)}
    with open(output, "wb") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=tmp_path, pass_fds=(listener.fileno(),),
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    listener.close()
    try:
        yield SimpleNamespace(url=f"http://127.0.0.1:{port}", proc=proc, output=output,
                              access_log=access_log, error_log=error_log)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # quick shutdown of the master and its workers
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)  # our own session: master and workers
                proc.wait(timeout=5)


def _serving_ini(ini: str | None, tmp_path: Any) -> Any:
    """The ini pytest was given, chained (``use = config:``) under the database and Redis this
    test process really uses, should a runner have pointed it elsewhere."""
    from ckan.common import config

    assert ini and os.path.isfile(ini), f"--ckan-ini {ini!r} is not a file"
    lines = ["[app:main]", f"use = config:{os.path.abspath(ini)}"]
    for key in ("sqlalchemy.url", "ckan.redis.url"):
        lines.append(f"{key} = {str(config[key]).replace('%', '%%')}")
    path = tmp_path / "serve.ini"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def site(server):
    """A department, its compiler with an API token, a published entry and two drafts,
    committed before gunicorn serves its first request."""
    from ckan import model

    org = departments.department()
    compiler, reviewer = factories.User(), factories.User()
    lifecycle.grant(org, compiler, "compiler", units=["DJZCC"])
    lifecycle.grant(org, reviewer, "reviewer")
    published = lifecycle.entry(org, compiler)
    lifecycle.act("govshare_catalogue_submit", compiler, id=published["id"])
    lifecycle.act("govshare_catalogue_approve", reviewer, id=published["id"])
    site = SimpleNamespace(
        org=org, entry=published,
        draft=lifecycle.entry(org, compiler),  # edited by the mixed load
        probe=lifecycle.entry(org, compiler),  # edited by the cross-worker rounds
        token=token(compiler),
    )
    model.Session.commit()
    model.Session.remove()
    _wait_ready(server)
    return site


def _wait_ready(srv: SimpleNamespace) -> None:
    """Wait until gunicorn answers, then (best effort, a few seconds) until every worker has
    answered once: the workers load the app in parallel, and the first may answer alone."""
    deadline = time.monotonic() + START_TIMEOUT
    seen: set[str] = set()
    n = 0
    while time.monotonic() < deadline:
        if srv.proc.poll() is not None:
            pytest.fail(f"gunicorn exited with {srv.proc.returncode}:\n{_tail(srv.error_log)}")
        n += 1
        try:
            ok = requests.get(srv.url + "/api/3/action/status_show", timeout=5,
                              headers={"Connection": "close", "X-Request-Id": f"w{n}"}).ok
        except requests.RequestException:
            ok = False
        if ok:
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"gunicorn did not answer within {START_TIMEOUT} s:\n{_tail(srv.error_log)}")

    def ping(rid: str) -> None:
        try:
            requests.get(srv.url + "/api/3/action/status_show", timeout=REQUEST_TIMEOUT,
                         headers={"Connection": "close", "X-Request-Id": rid})
        except requests.RequestException:
            pass  # best effort: the load's own requests assert their answers

    warm = min(deadline, time.monotonic() + 10)
    with concurrent.futures.ThreadPoolExecutor(max_workers=WORKERS) as pool:
        while len(seen) < WORKERS and time.monotonic() < warm:
            list(pool.map(ping, [f"w{n + i}" for i in range(1, WORKERS + 1)]))
            n += WORKERS
            time.sleep(0.1)
            seen = set(re.findall(r"^<(\d+)> w\d+ ", srv.access_log.read_text(), re.M))


def _tail(path: Any, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class Client:
    """API calls with a request id the access log records next to the worker's pid."""

    def __init__(self, srv: SimpleNamespace, api_token: str) -> None:
        self.srv = srv
        self.token = api_token
        self._ids = itertools.count(1)

    def call(self, action: str, **data: Any) -> tuple[str, dict]:
        rid = f"r{next(self._ids)}"
        # a new connection per request (no keep-alive), so any worker may take it
        resp = requests.post(
            f"{self.srv.url}/api/3/action/{action}", json=data, timeout=REQUEST_TIMEOUT,
            headers={"Authorization": self.token, "X-Request-Id": rid, "Connection": "close"},
        )
        assert 200 <= resp.status_code < 300, \
            f"{action} {data} -> {resp.status_code}: {resp.text[:500]}\n{_tail(self.srv.error_log)}"
        body = resp.json()
        assert body["success"] is True, body
        return rid, body["result"]

    def search(self, q: str) -> tuple[str, dict]:
        return self.call("package_search", q=q, include_private=True, rows=10,
                         **{"facet.field": FACETS})

    def answered(self) -> dict[str, tuple[int, str, int]]:
        """Request id → (worker pid, action, milliseconds), from the access log."""
        out = {}
        for line in self.srv.access_log.read_text().splitlines():
            m = re.match(r'<(\d+)> (r\d+) \d{3} (\d+) "POST /api/3/action/(\w+) ', line)
            if m:
                out[m.group(2)] = (int(m.group(1)), m.group(4), int(m.group(3)))
        return out


def _found(result: dict, pkg_id: str) -> bool:
    return result["count"] == 1 and [r["id"] for r in result["results"]] == [pkg_id]


def test_gunicorn_serves_mixed_load_and_edits_are_found_by_every_worker(server, site):
    """Under gunicorn, each worker's search finds an edit made through another at once."""
    client = Client(server, site.token)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=4)
    started = time.monotonic()
    try:
        # 1. a mixed load: 60 requests over 4 threads
        everything = {site.entry["id"], site.draft["id"], site.probe["id"]}

        def search(n: int) -> None:
            q, expected = [("", everything), ("企业登记信息", everything),
                           (f'title:"{site.entry["title"]}"', {site.entry["id"]}),
                           ("tags:企业登记", everything)][n % 4]
            result = client.search(q)[1]
            assert {r["id"] for r in result["results"]} == expected, (q, result)
            assert result["count"] == len(expected)
            assert result["search_facets"]["organization"]["items"][0]["count"] == len(expected)

        def show(n: int) -> None:
            target = (site.entry, site.draft)[n % 2]
            assert client.call("package_show", id=target["id"])[1]["id"] == target["id"]

        def edit(n: int) -> None:
            notes = f"mixed load edit {n}"
            assert client.call("package_patch", id=site.draft["id"], notes=notes)[1]["notes"] \
                == notes

        jobs = [(search, show, edit)[n % 3] for n in range(60)]
        for done in [pool.submit(job, n) for n, job in enumerate(jobs)]:
            done.result()
        mixed = time.monotonic() - started

        # 2. edit through one worker, search through the others: before each edit every
        # worker is likely to have cached "0 found" for the new word under the old generation
        rounds = []
        for i in range(ROUNDS):
            word = f"wsgiprobe{uuid.uuid4().hex[:10]}"
            before = list(pool.map(client.search, [word] * WORKERS))
            assert all(r["count"] == 0 for _, r in before), before
            edit_rid, patched = client.call("package_patch", id=site.probe["id"],
                                            notes=f"round {i}: {word}")
            assert word in patched["notes"]
            after = list(pool.map(client.search, [word] * WORKERS))
            for rid, result in after:
                assert _found(result, site.probe["id"]), (i, rid, result)
                assert result["search_facets"]["organization"]["items"][0]["count"] == 1
            rounds.append((edit_rid, [rid for rid, _ in before], [rid for rid, _ in after]))
    finally:
        pool.shutdown(wait=True)
    elapsed = time.monotonic() - started

    # no error logged by the app or by gunicorn (a worker that died and was replaced, a
    # traceback behind a 2xx)
    problems = [line for log in (server.output, server.error_log)
                for line in log.read_text(errors="replace").splitlines()
                if re.search(r"Traceback|\bERROR\b|\[CRITICAL\]|Worker .* (died|timeout)", line)]
    assert not problems, "\n".join(problems[:40])

    # the access log says which worker answered each request
    requests_made = 60 + ROUNDS * (2 * WORKERS + 1)
    deadline = time.monotonic() + 5  # gunicorn writes the access line after the response
    while len(log := client.answered()) < requests_made and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(log) == requests_made, (len(log), _tail(server.access_log))
    pid_of = {rid: pid for rid, (pid, _, _) in log.items()}
    per_worker = collections.Counter(pid_of.values())
    assert len(per_worker) == WORKERS, per_worker
    # searches answered by a worker other than the editing one, which had itself answered
    # (and cached) the same search before the edit
    other, stale_chance = 0, 0
    for edit_rid, before, after in rounds:
        cached_by = {pid_of[r] for r in before}
        for rid in after:
            if pid_of[rid] != pid_of[edit_rid]:
                other += 1
                stale_chance += pid_of[rid] in cached_by
    assert other >= ROUNDS, (other, rounds)
    assert stale_chance >= ROUNDS // 2, (stale_chance, rounds)
    ms = collections.defaultdict(list)
    for _, action, took in log.values():
        ms[action].append(took)
    print(f"\n{requests_made} requests in {elapsed:.1f} s (mixed load {mixed:.1f} s); "
          f"per worker {sorted(per_worker.values())}; median ms "
          f"{ {a: sorted(t)[len(t) // 2] for a, t in sorted(ms.items())} }; searches after an "
          f"edit answered by another worker: {other}/{ROUNDS * WORKERS}, of which by a worker "
          f"that had answered it before the edit: {stale_chance}")


def test_wsgi_entry_names_a_missing_ini(monkeypatch, tmp_path):
    """The WSGI entry refuses to build the app without an existing ini, and says which."""
    monkeypatch.delenv("CKAN_INI", raising=False)
    with pytest.raises(RuntimeError, match="CKAN_INI is not set"):
        wsgi.config_path()
    monkeypatch.setenv("CKAN_INI", str(tmp_path / "missing.ini"))
    with pytest.raises(RuntimeError, match=r"missing\.ini \(from \$CKAN_INI\)"):
        wsgi.config_path()
    (tmp_path / "portal.ini").write_text("[app:main]\n")
    assert wsgi.config_path(str(tmp_path / "portal.ini")) == str(tmp_path / "portal.ini")
