"""Notifications of the sharing flows over SMTP to a real server (aiosmtpd on a free local
port): a case's step mails its new assignees and its requester (never the actor), an
authorization's change both sides, and ``ckan govshare remind`` — from cron or as one
background job run by CKAN's worker — covers the open cases after the catalogue's steps."""
from __future__ import annotations

import datetime
import email
import re
import signal
import socket
import uuid
from email.header import decode_header, make_header
from email.message import Message

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from aiosmtpd.controller import Controller
from ckan.cli.cli import ckan
from ckan.lib import jobs

from ckanext.govshare.model import base as model_base
from ckanext.govshare.model.sharing import Authorization, Case
from ckanext.govshare.sharing import notify

from .. import lifecycle as L
from .test_security import build, entry


class Inbox:
    """An aiosmtpd handler that keeps every message it is handed."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        return sorted(r for rcpts, _content in self.received for r in rcpts)

    def to(self, address: str) -> Message:
        [content] = [c for rcpts, c in self.received if address in rcpts]
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
def world(fresh):
    return fresh(build)


@pytest.fixture
def signoff_on(monkeypatch):
    monkeypatch.setitem(tk.config, "ckanext.govshare.sharing.signoff_grade", "G3")


def _subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _body(message: Message) -> str:
    return message.get_payload(decode=True).decode("utf-8")


def _report(w):
    return L.act("govshare_incident_create", w.reviewer, organization_id=w.org["id"],
                 title="接口异常批量调用", severity="major", occurred_at="2026-11-30",
                 description="非工作时间大量查询", responsible=w.member["id"])


def _signoff(w):
    high = entry(w.org, w.compiler)
    L.act("govshare_catalogue_submit", w.compiler, id=high["id"])
    return high, model.Session.query(Case).filter(Case.entry_id == high["id"]).one()


class TestCaseSteps:
    def test_a_report_asks_the_security_officer(self, world, smtp):
        """A reported incident mails the department's security officer (number, kind, state,
        no deadline), Chinese first; the reporter is not mailed."""
        w = world
        case = _report(w)
        assert smtp.recipients() == [w.security_officer["email"]]
        message = smtp.to(w.security_officer["email"])
        subject, body = _subject(message), _body(message)
        assert case["number"] in subject and "安全事件" in subject and "已报告" in subject
        assert "Security incident" in subject
        assert body.index("该事项等待您办理") < body.index("It awaits your action")
        assert "接口异常批量调用" in body and "办理期限：无" in body
        assert f"/govshare/incident/{case['number']}" in body

    def test_a_step_tells_the_requester(self, world, smtp):
        """A handling step tells the reporter, with the step's text; the security officer who
        recorded it gets nothing."""
        w = world
        case = _report(w)
        smtp.received.clear()
        L.act("govshare_incident_handle", w.security_officer, id=case["number"],
              text="已暂停该账号的接口权限")
        assert smtp.recipients() == [w.reviewer["email"]]
        body = _body(smtp.to(w.reviewer["email"]))
        assert "您提出的事项有新进展" in body and "处置中" in body
        assert "已暂停该账号的接口权限" in body and "There is news on your case" in body

    @pytest.mark.usefixtures("signoff_on")
    def test_a_signoff_asks_the_security_officer_by_a_date(self, world, smtp):
        """Submitting a G3 entry mails the security officer the sign-off with its deadline
        (besides the reviewers' review notice)."""
        w = world
        _high, case = _signoff(w)
        assert w.security_officer["email"] in smtp.recipients()
        body = _body(smtp.to(w.security_officer["email"]))
        assert case.number in body and "分级确认" in body and "待安全确认" in body
        assert "北京时间" in body and "Beijing time" in body and "办理期限：无" not in body
        assert f"/govshare/signoff/{case.number}" in body
        assert w.compiler["email"] not in smtp.recipients()

    @pytest.mark.usefixtures("signoff_on")
    def test_signing_tells_the_reviewers_and_the_compiler(self, world, smtp):
        """Once signed, the reviewers (who may now approve) and the submitting compiler are
        told."""
        w = world
        _high, case = _signoff(w)
        smtp.received.clear()
        L.act("govshare_signoff_sign", w.security_officer, id=case.number)
        assert smtp.recipients() == sorted(
            [w.reviewer["email"], w.reviewer2["email"], w.compiler["email"]])
        assert "已确认" in _subject(smtp.to(w.reviewer["email"]))
        assert "该事项等待您办理" in _body(smtp.to(w.reviewer2["email"]))
        assert "您提出的事项有新进展" in _body(smtp.to(w.compiler["email"]))

    def test_nothing_when_notices_are_off(self, world, smtp, monkeypatch):
        """ckanext.govshare.notify.enabled = false: no notice."""
        monkeypatch.setitem(tk.config, "ckanext.govshare.notify.enabled", False)
        _report(world)
        assert smtp.received == []


def _grant(w, persons=()):
    now = model_base.now()
    auth = Authorization(
        number=f"SQZ-TEST-{uuid.uuid4().hex[:8]}", entry_id=w.published["id"],
        provider_org=w.org["id"], consumer_org=w.other["id"], persons=list(persons),
        items=[], valid_from=now, valid_until=now + datetime.timedelta(days=90),
        status="suspended", status_reason="目录条目已下线")
    model.Session.add(auth)
    model.Session.commit()
    return auth


class TestAuthorizationChanged:
    def test_both_sides_are_told(self, world, smtp):
        """The provider's reviewers (not the actor) and the consumer department's reviewers."""
        w = world
        auth = _grant(w)
        sent = notify.authorization_changed(auth, "suspend", w.reviewer["id"])
        assert sorted(m.user_id for m in sent) == sorted(
            [w.reviewer2["id"], w.other_reviewer["id"]])
        assert smtp.recipients() == sorted([w.reviewer2["email"], w.other_reviewer["email"]])
        message = smtp.to(w.other_reviewer["email"])
        assert auth.number in _subject(message) and "已暂停" in _subject(message)
        body = _body(message)
        assert "目录条目已下线" in body and w.published["title"] in body and "suspend" in body
        assert f"/govshare/authorization/{auth.number}" in body

    def test_named_persons_instead_of_the_department(self, world, smtp):
        """A grant to named persons (知悉范围) tells them, not the consumer's reviewers."""
        w = world
        auth = _grant(w, persons=[w.outsider["id"]])
        notify.authorization_changed(auth, "suspend", None)
        assert smtp.recipients() == sorted(
            [w.reviewer["email"], w.reviewer2["email"], w.outsider["email"]])


def _due(case_id, delta):
    model.Session.query(Case).filter(Case.id == case_id).update(
        {Case.due_at: model_base.now() + delta}, synchronize_session=False)
    model.Session.commit()


@pytest.mark.usefixtures("signoff_on", "with_extended_cli")
class TestRemind:
    def test_the_command_reminds_open_cases_once_a_day(self, world, smtp, cli):
        """`ckan govshare remind`: after the catalogue's steps, one email per person with the
        overdue and due-soon cases waiting on them; once a day unless --force."""
        w = world
        _late_entry, late = _signoff(w)
        _later_entry, later = _signoff(w)
        _due(late.id, -datetime.timedelta(days=3))
        _due(later.id, datetime.timedelta(days=30))
        smtp.received.clear()

        dry = cli.invoke(ckan, ["govshare", "remind", "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "1 open case(s) found" in dry.output and late.number in dry.output
        assert later.number not in dry.output and smtp.received == []

        result = cli.invoke(ckan, ["govshare", "remind"])
        assert result.exit_code == 0, result.output
        assert "1 open case(s) reminded" in result.output
        message = smtp.to(w.security_officer["email"])
        assert "Sharing reminder: 1 overdue, 0 due soon" in _subject(message)
        body = _body(message)
        assert late.number in body and "已超期" in body and "OVERDUE" in body
        assert later.number not in body

        smtp.received.clear()
        assert "0 open case(s) reminded" in cli.invoke(ckan, ["govshare", "remind"]).output
        assert smtp.received == []
        forced = cli.invoke(ckan, ["govshare", "remind", "--force"])
        assert "1 open case(s) reminded" in forced.output
        assert [m[0] for m in smtp.received] == [[w.security_officer["email"]]]

    def test_a_closed_case_is_not_reminded(self, world, smtp):
        """A signed sign-off is no longer due, whatever its old date."""
        w = world
        _entry, case = _signoff(w)
        _due(case.id, -datetime.timedelta(days=3))
        L.act("govshare_signoff_sign", w.security_officer, id=case.number)
        assert notify.remind() == []

    def test_one_job_covers_both(self, world, smtp, cli, clean_queues):
        """`ckan govshare remind --enqueue` queues one job; CKAN's worker runs it, reminding
        the catalogue's overdue review and the overdue sign-off."""
        from ckanext.govshare.lifecycle import service

        w = world
        high, case = _signoff(w)
        _due(case.id, -datetime.timedelta(days=3))
        step = model.Session.get(service.EntryLifecycle, high["id"])
        step.due_at = model_base.now() - datetime.timedelta(days=2)
        model.Session.commit()
        smtp.received.clear()
        output = cli.invoke(ckan, ["govshare", "remind", "--enqueue"]).output
        job_id = re.search(r"enqueued job (\S+)", output).group(1)
        assert [j.id for j in jobs.get_queue().jobs] == [job_id] and smtp.received == []
        handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            assert jobs.Worker().work(burst=True)
        finally:
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
        job = jobs.job_from_id(job_id)
        assert job.get_status() == "finished", job.latest_result()
        officer = _body(smtp.to(w.security_officer["email"]))
        assert case.number in officer and "已超期" in officer
        reviewer = _body(smtp.to(w.reviewer["email"]))
        assert high["title"] in reviewer
        model.Session.remove()
        stored = model.Session.get(Case, case.id)
        assert stored.data["reminded_on"] == model_base.now().astimezone(
            datetime.timezone(datetime.timedelta(hours=8))).date().isoformat()
