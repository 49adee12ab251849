"""The background paths on a real RQ worker over Redis (issue #9 §5).

``ckan govshare remind --enqueue``, ``ckan govshare assessment snapshot --enqueue`` and the
notices of ``ckanext.govshare.notify.background`` are enqueued through the real CLI or action;
then CKAN's own worker runs them: ``ckan.lib.jobs.Worker`` in burst mode, which forks a work
horse per job exactly as ``ckan jobs worker`` does, and once the ``ckan jobs worker --burst``
command itself in a separate process. Mail goes over SMTP to a real server (aiosmtpd) on a free
local port, never through CKAN's patched ``mail_server``.
"""
from __future__ import annotations

import datetime
import email
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
from email.header import decode_header, make_header
from email.message import Message

import ckan.model as model
import pytest
from aiosmtpd.controller import Controller
from ckan.cli.cli import ckan
from ckan.lib import jobs

from ckanext.govshare.lifecycle import notify, service
from ckanext.govshare.model import base as model_base

from .. import assessment as A
from .. import lifecycle as L

BIN = pathlib.Path(sys.executable).parent


class Inbox:
    """An aiosmtpd handler that keeps every message it is handed."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        return sorted(rcpt for _sender, rcpts, _content in self.received for rcpt in rcpts)

    def to(self, address: str) -> Message:
        [content] = [c for _s, rcpts, c in self.received if address in rcpts]
        return email.message_from_bytes(content)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(ckan_config, monkeypatch):
    """A real SMTP server on a free port of 127.0.0.1; ``smtp.server`` points at it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{controller.port}")
    yield inbox
    controller.stop()


@pytest.fixture
def world(fresh, clean_queues):
    """:func:`tests.lifecycle.world` and no job left in Redis by an earlier test."""
    return fresh(L.world)


def _subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _body(message: Message) -> str:
    return message.get_payload(decode=True).decode("utf-8")


def _job_id(output: str) -> str:
    match = re.search(r"enqueued job (\S+)", output)
    assert match, output
    return match.group(1)


def _work() -> None:
    """CKAN's worker in burst mode on the default queue: every queued job (also those a job
    enqueues), each in a forked work horse; returns when the queue is empty."""
    # RQ takes SIGINT/SIGTERM for its warm shutdown and keeps them: give them back to pytest
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        assert jobs.Worker().work(burst=True), "the worker found no job"
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def _finished(job_id: str) -> None:
    job = jobs.job_from_id(job_id)
    result = job.latest_result()
    assert job.get_status() == "finished", result.exc_string if result else job.get_status()


def _overdue(entry_id: str) -> None:
    step = model.Session.get(service.EntryLifecycle, entry_id)
    step.due_at = model_base.now() - datetime.timedelta(days=2)
    model.Session.commit()


def test_snapshot_enqueued_by_the_cli_is_stored_by_a_worker(clean_db, clean_queues, cli):
    """`ckan govshare assessment snapshot --enqueue` stores nothing itself; a worker running
    the job stores the department's month (1 + 3 unit rows)."""
    w = A.world()
    result = cli.invoke(ckan, ["govshare", "assessment", "snapshot", "--enqueue",
                               "--period", "2026-10", "--department", w.other["name"]])
    assert result.exit_code == 0, result.output
    job_id = _job_id(result.output)
    assert [j.id for j in jobs.get_queue().jobs] == [job_id]
    assert L.act("govshare_assessment_snapshot_list", w.sysadmin, include_units=True)[
        "count"] == 0
    _work()
    _finished(job_id)
    rows = L.act("govshare_assessment_snapshot_list", w.sysadmin, include_units=True)
    assert rows["count"] == 4
    assert {(r["organization_id"], r["period"]) for r in rows["results"]} == {
        (w.other["id"], "2026-10")}


def test_remind_enqueued_by_the_cli_is_mailed_by_a_worker(world, smtp, cli, with_extended_cli):
    """`ckan govshare remind --enqueue` sends nothing itself; a worker running the job emails
    each reviewer the overdue step over SMTP and records the reminder."""
    w = world
    entry = L.entry(w.org, w.compiler)
    L.act("govshare_catalogue_submit", w.compiler, id=entry["id"])
    _overdue(entry["id"])
    smtp.received.clear()  # the submit notices

    result = cli.invoke(ckan, ["govshare", "remind", "--enqueue"])
    assert result.exit_code == 0, result.output
    job_id = _job_id(result.output)
    assert smtp.received == []
    assert model.Session.get(service.EntryLifecycle, entry["id"]).reminded_at is None
    _work()
    _finished(job_id)
    assert smtp.recipients() == sorted([w.reviewer["email"], w.reviewer2["email"]])
    body = _body(smtp.to(w.reviewer["email"]))
    assert entry["title"] in body and "已超期" in body and "OVERDUE" in body
    model.Session.remove()
    assert model.Session.get(service.EntryLifecycle, entry["id"]).reminded_at is not None


@pytest.mark.ckan_config("ckanext.govshare.notify.background", "true")
def test_background_notices_are_mailed_by_a_worker(world, smtp):
    """With notify.background a lifecycle action only enqueues its notices (one job per
    reviewer); a worker mails them, bilingual, over SMTP."""
    w = world
    entry = L.entry(w.org, w.compiler)
    L.act("govshare_catalogue_submit", w.compiler, id=entry["id"])
    queued = jobs.get_queue().jobs
    assert [(j.func, j.meta.get("title")) for j in queued] == [
        (notify.send_job, "govshare notice")] * 2
    assert smtp.received == []
    _work()
    for job in queued:
        _finished(job.id)
    assert smtp.recipients() == sorted([w.reviewer["email"], w.reviewer2["email"]])
    message = smtp.to(w.reviewer2["email"])
    assert entry["title"] in _subject(message) and "submitted" in _subject(message)
    assert "办理期限" in _body(message) and "deadline" in _body(message)


def test_ckan_jobs_worker_command_runs_remind_and_its_notices(world, smtp, cli, ckan_config,
                                                              tmp_path):
    """`ckan jobs worker --burst`, a separate process on the same database and Redis, runs the
    reminder job and then, with notify.background, the notice jobs that job enqueues."""
    w = world
    entry = L.entry(w.org, w.compiler)
    L.act("govshare_catalogue_submit", w.compiler, id=entry["id"])
    _overdue(entry["id"])
    smtp.received.clear()
    ini = tmp_path / "worker.ini"
    ini.write_text("\n".join([
        "[app:main]",
        f"use = config:{os.path.abspath(ckan_config['__file__'])}",
        f"sqlalchemy.url = {ckan_config['sqlalchemy.url']}",
        f"ckan.redis.url = {ckan_config['ckan.redis.url']}",
        f"smtp.server = {ckan_config['smtp.server']}",
        "ckanext.govshare.notify.background = true",
        "",
    ]))
    job_id = _job_id(cli.invoke(ckan, ["govshare", "remind", "--enqueue"]).output)

    # the worker process reads only its ini: none of this process's CKAN_* overrides
    env = {k: v for k, v in os.environ.items() if not k.startswith("CKAN")}
    proc = subprocess.run([str(BIN / "ckan"), "-c", str(ini), "jobs", "worker", "--burst"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    _finished(job_id)
    assert smtp.recipients() == sorted([w.reviewer["email"], w.reviewer2["email"]])
    assert entry["title"] in _body(smtp.to(w.reviewer["email"]))
    model.Session.remove()
    assert model.Session.get(service.EntryLifecycle, entry["id"]).reminded_at is not None
