"""Serving the test site, and second sites, to real clients (harvesters, ckanapi over HTTP).

A test that needs a client in another process (ckanext-harvest, ``ckanapi -r``) serves a site
with gunicorn on a loopback socket it binds itself (``fd://``: no port race) and gives the
process an ini of its own chained on the test ini (no ``CKAN_*`` override of this worker's
database may point it back, ``tests/workers.py``). A second, empty site's database is a copy
of this worker's emptied database (``CREATE DATABASE … TEMPLATE``: CKAN's and govshare's
tables without ``ckan db init``, which would start CKAN once more); a template may have no
other connection, so this process closes its own first (:func:`disconnect`). A harvesting
site gets ckanext-harvest's tables by its migrations (:func:`harvest_tables`), its harvest
source and harvests by ckanext-harvest's CLI (:func:`ckan`), and :func:`harvest_report` reads
what a harvest job did.
"""
from __future__ import annotations

import gc
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import ckanext.harvest
import psycopg2.extensions
import pytest
import requests
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from ckan.common import config

START_TIMEOUT = 60.0  # seconds until gunicorn answers (a guard, not a budget)
HARVEST_TIMEOUT = 120.0  # seconds a CKAN command may take (a guard, not a budget)
BIN = pathlib.Path(sys.executable).parent


def env() -> dict[str, str]:
    """The environment of a process of another site: no ``CKAN_*`` override of this worker's
    database (``tests/workers.py``)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("CKAN")}


def _logging() -> str:
    return ("[loggers]\nkeys = root\n[handlers]\nkeys = console\n[formatters]\nkeys = generic\n"
            "[logger_root]\nlevel = WARNING\nhandlers = console\n[handler_console]\n"
            "class = StreamHandler\nargs = (sys.stderr,)\nlevel = NOTSET\nformatter = generic\n"
            "[formatter_generic]\nformat = %(levelname)s [%(name)s] %(message)s\n")


def ini(path: pathlib.Path, base: str, **options: str) -> pathlib.Path:
    """An ini chained on ``base`` with ``options`` over it (``%`` escaped)."""
    lines = ["[app:main]", f"use = config:{os.path.abspath(base)}"]
    lines += [f"{k} = {str(v).replace('%', '%%')}" for k, v in options.items()]
    path.write_text("\n".join(lines) + "\n\n" + _logging())
    return path


def disconnect(database: str) -> None:
    """Close this process's connections to ``database``, a template to be: every engine's
    pool (CKAN makes an engine each time it loads its environment, and the older ones keep
    their pools), connections still checked out, and any DBAPI connection left open."""
    model.Session.remove()
    objects = gc.get_objects()
    for obj in objects:
        if isinstance(obj, sa.engine.Engine) and obj.url.database == database:
            obj.dispose()
        elif isinstance(obj, sa.engine.Connection) and not obj.closed \
                and obj.engine.url.database == database:
            obj.invalidate()  # a connection still checked out (and never returned)
    for obj in objects:
        if isinstance(obj, psycopg2.extensions.connection) and not obj.closed \
                and obj.get_dsn_parameters().get("dbname") == database:
            obj.close()


def copy_database(source: sa.engine.URL, name: str) -> tuple[sa.engine.URL, sa.engine.Engine]:
    """A new database ``name``, a copy of ``source`` (dropped first if left over); returns its
    URL and an AUTOCOMMIT engine on ``postgres`` for :func:`drop_database`."""
    disconnect(source.database)
    admin = sa.create_engine(source.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{source.database}"'))
    return source.set(database=name), admin


def drop_database(admin: sa.engine.Engine, name: str) -> None:
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def listener() -> tuple[socket.socket, str]:
    """A bound, listening loopback socket and its URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock, f"http://127.0.0.1:{sock.getsockname()[1]}"


def serve(ini_path: pathlib.Path, sock: socket.socket, work: pathlib.Path,
          name: str = "source") -> SimpleNamespace:
    """gunicorn (one worker) serving ``ini_path`` on ``sock`` (``fd://``: no port race)."""
    log = work / f"{name}.log"
    access = work / f"{name}-access.log"
    cmd = [sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "4",
           "--timeout", "60", "--bind", f"fd://{sock.fileno()}", "--no-control-socket",
           "--error-logfile", str(log), "--access-logfile", str(access),
           "--access-logformat", '%(s)s "%(r)s"', "ckanext.govshare.wsgi:application"]
    with open(work / f"{name}.out", "wb") as out:
        proc = subprocess.Popen(cmd, env={**env(), "CKAN_INI": str(ini_path)}, cwd=work,
                                pass_fds=(sock.fileno(),), stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    sock.close()
    return SimpleNamespace(proc=proc, log=log, out=work / f"{name}.out", access_log=access)


def wait_ready(server: SimpleNamespace, url: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            pytest.fail(f"gunicorn exited ({server.proc.returncode}):\n"
                        f"{server.log.read_text()[-3000:]}")
        try:
            if requests.get(url + "/api/3/action/status_show", timeout=5).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer within {START_TIMEOUT} s")


def stop(server: SimpleNamespace | None) -> None:
    if server is None or server.proc.poll() is not None:
        return
    server.proc.send_signal(signal.SIGINT)
    try:
        server.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.proc.pid, signal.SIGKILL)  # its own session: master and worker
        server.proc.wait(timeout=5)


# -- a harvesting site ---------------------------------------------------------------------------


def ckan(ini: pathlib.Path, *args: str, ok: Any = None) -> str:
    """Run ``ckan -c ini ARGS`` in the environment of another site; returns its output.
    ``ok(output)`` accepts a known failure."""
    proc = subprocess.run([str(BIN / "ckan"), "-c", str(ini), *args], capture_output=True,
                          text=True, env=env(), timeout=HARVEST_TIMEOUT)
    output = proc.stdout + proc.stderr
    if proc.returncode and not (ok and ok(output)):
        raise AssertionError(f"ckan {' '.join(args)} exited {proc.returncode}:\n{output[-4000:]}")
    return output


def printing_bug(output: str) -> bool:
    """ckanext-harvest 1.6.3's ``source create`` on CKAN 2.12 creates the source, then fails
    printing it: ``package_create``'s answer has no ``status`` (no ``after_dataset_show``)."""
    return "_print_harvest_source" in output and "'NoneType' object has no attribute 'get'" \
        in output


def harvest_tables(url: sa.engine.URL) -> None:
    """ckanext-harvest's migrations on the database at ``url``: what ``ckan db upgrade -p
    harvest`` runs, without starting CKAN once more for it."""
    scripts = pathlib.Path(ckanext.harvest.__file__).parent / "migration" / "harvest"
    alembic = Config(str(scripts / "alembic.ini"))
    alembic.set_main_option("script_location", str(scripts))
    alembic.set_main_option("sqlalchemy.url",
                            url.render_as_string(hide_password=False).replace("%", "%%"))
    command.upgrade(alembic, "head")


def harvesting_site(work: pathlib.Path, base_ini: str, suffix: str,
                    plugins: Iterable[str]) -> SimpleNamespace:
    """A second, empty govshare site that harvests: its database ``<this worker's>_<suffix>`` a
    copy of this worker's emptied database (commits not waited for, as the test databases') with
    ckanext-harvest's tables, its ini chained on ``base_ini`` with ``plugins`` after the
    configured ones. ``ini``, ``url`` and ``engine`` of the site; :func:`drop_site` removes it."""
    source = sa.engine.make_url(str(config["sqlalchemy.url"]))
    url, admin = copy_database(source, f"{source.database}_{suffix}")
    with admin.connect() as conn:
        conn.execute(sa.text(f'ALTER DATABASE "{url.database}" SET synchronous_commit = off'))
    site_ini = ini(work / f"{suffix}.ini", base_ini, **{
        "sqlalchemy.url": url.render_as_string(hide_password=False),
        # harvest consumers (none here) would need socket_timeout with redis-py 8
        "ckan.redis.url": str(config["ckan.redis.url"]), "ckan.site_url": "http://127.0.0.1:1",
        "ckan.storage_path": str(work / f"{suffix}-storage"),
        "ckan.plugins": " ".join([*tk.aslist(config["ckan.plugins"]), *plugins]),
    })
    harvest_tables(url)
    return SimpleNamespace(ini=site_ini, url=url, admin=admin, engine=sa.create_engine(url))


def drop_site(site: SimpleNamespace | None) -> None:
    if site is not None:
        site.engine.dispose()
        drop_database(site.admin, site.url.database)


def harvest_report(engine: sa.engine.Engine, source: str) -> dict[str, Any]:
    """The latest job of harvest source ``source`` on the site of ``engine``: its ``status``,
    its ``objects`` (guid, state, report status) and every gather and import ``errors``."""
    with engine.connect() as conn:
        job = conn.execute(sa.text(
            "SELECT id, status FROM harvest_job WHERE source_id = (SELECT id FROM package"
            " WHERE name = :name) ORDER BY created DESC LIMIT 1"), {"name": source}).first()
        objects = conn.execute(sa.text(
            "SELECT guid, state, report_status FROM harvest_object WHERE harvest_job_id = :j"),
            {"j": job.id}).all()
        errors = [r[0] for r in conn.execute(sa.text(
            "SELECT message FROM harvest_gather_error WHERE harvest_job_id = :j UNION ALL "
            "SELECT e.message FROM harvest_object_error e JOIN harvest_object o "
            "ON o.id = e.harvest_object_id WHERE o.harvest_job_id = :j"), {"j": job.id})]
    return {"status": job.status, "objects": objects, "errors": errors}
