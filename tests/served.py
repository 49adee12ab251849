"""Serving the test site, and second sites, to real clients (harvesters, ckanapi over HTTP).

A test that needs a client in another process (ckanext-harvest, ``ckanapi -r``) serves a site
with gunicorn on a loopback socket it binds itself (``fd://``: no port race) and gives the
process an ini of its own chained on the test ini (no ``CKAN_*`` override of this worker's
database may point it back, ``tests/workers.py``). A second, empty site's database is a copy
of this worker's emptied database (``CREATE DATABASE … TEMPLATE``: CKAN's and govshare's
tables without ``ckan db init``, which would start CKAN once more); a template may have no
other connection, so this process closes its own first (:func:`disconnect`).
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
from types import SimpleNamespace

import ckan.model as model
import psycopg2.extensions
import pytest
import requests
import sqlalchemy as sa

START_TIMEOUT = 60.0  # seconds until gunicorn answers (a guard, not a budget)


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
