"""The "update required" step after a change event (DB14 §7.3 变更事由), imported open entries
on the clock, and reminders that respect four eyes (issue #4 §4)."""
from __future__ import annotations

import datetime
import email

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import helpers

from ckanext.govshare.lifecycle import deadlines, notify, queries, service
from ckanext.govshare.model import base as model_base

from .. import lifecycle as L

ACTION = "govshare_catalogue_change_event"
ACTORS = ("compiler", "compiler2", "reviewer", "coordinator", "security_officer", "member",
          "other_reviewer", "other_compiler", "sysadmin", "outsider", "anonymous")
ALLOWED = {"reviewer", "coordinator", "sysadmin"}


@pytest.fixture
def world(fresh):
    return fresh(L.published_world)


def _audit(w, action):
    return helpers.call_action("govshare_audit_list", L.site(), entry_id=w.entry["id"],
                               action=action)["results"]


def _required(w):
    return L.act("package_show", w.member, id=w.entry["id"])["govshare_lifecycle"][
        "update_required"]


def _step(entry_id):
    return model.Session.get(service.EntryLifecycle, entry_id, populate_existing=True)


def _moment(text):
    return datetime.datetime.fromisoformat(text)


def _body(message):
    return email.message_from_string(message[3]).get_payload(decode=True).decode("utf-8")


@pytest.mark.parametrize("actor", ACTORS)
def test_auth(world, actor):
    """The department's reviewer or coordinator records a change event, and sysadmins."""
    user = None if actor == "anonymous" else getattr(world, actor)
    context = {"user": user["name"] if user else "", "ignore_auth": False}
    try:
        tk.check_access(ACTION, context, {"id": world.entry["id"]})
        allowed = True
    except tk.NotAuthorized:
        allowed = False
    assert allowed == (actor in ALLOWED)


# A pinned clock: Wednesday 2026-09-30 10:00 in Beijing, the eve of National Day 2026
# (10-1 … 10-7 off, Saturday 10-10 worked, State Council schedule)
NOW = datetime.datetime(2026, 9, 30, 2, 0, tzinfo=datetime.timezone.utc)


class TestChangeEvent:
    @pytest.mark.ckan_config("ckanext.govshare.deadline.update_after_change_days", "3")
    def test_due_on_the_working_day_clock(self, world):
        """Due 3 working days after the event: over National Day 2026 to the make-up Saturday."""
        w = world
        result = L.act(ACTION, w.reviewer, id=w.entry["id"], reason="《条例》修订，数据项调整",
                       occurred_at="2026-09-30")
        required = result["govshare_lifecycle"]["update_required"]
        due = datetime.datetime.fromisoformat(required["due_at"])
        assert due == datetime.datetime(2026, 10, 10, 23, 59, 59, tzinfo=deadlines.SHANGHAI)
        assert required["overdue"] is True  # the event is long past
        assert required["reason"] == "《条例》修订，数据项调整"
        assert required["reported_by"] == w.reviewer["id"]
        assert result["catalogue_state"] == "published"
        [row] = _audit(w, "change_event")
        assert (row["actor"], row["from_state"], row["to_state"], row["comment"]) == (
            w.reviewer["id"], "published", "published", "《条例》修订，数据项调整")
        assert _moment(row["diff"]["due_at"]) == due

    def test_default_limit_from_now(self, world, monkeypatch):
        """Without ``occurred_at`` the event happened now; the limit is the configured 15 days."""
        w = world
        monkeypatch.setattr(model_base, "now", lambda: NOW)
        required = L.act(ACTION, w.coordinator, id=w.entry["id"],
                         reason="部门职能调整")["govshare_lifecycle"]["update_required"]
        # 15 working days from 2026-09-30 over National Day (Saturday 10-10 worked): 10-27
        assert datetime.datetime.fromisoformat(required["due_at"]) == datetime.datetime(
            2026, 10, 27, 23, 59, 59, tzinfo=deadlines.SHANGHAI)
        assert required["overdue"] is False

    def test_sysadmin_records_one_too(self, world):
        w = world
        result = L.act(ACTION, w.sysadmin, id=w.entry["name"], reason="数据来源变化")
        assert result["govshare_lifecycle"]["update_required"]["reported_by"] == w.sysadmin["id"]
        with pytest.raises(tk.NotAuthorized):
            L.act(ACTION, w.compiler, id=w.entry["id"], reason="数据来源变化")

    def test_the_earlier_deadline_stands(self, world):
        w = world
        L.act(ACTION, w.reviewer, id=w.entry["id"], reason="第一次", occurred_at="2026-09-01")
        first = _required(w)
        L.act(ACTION, w.reviewer, id=w.entry["id"], reason="第二次")
        assert _moment(_required(w)["due_at"]) == _moment(first["due_at"])
        assert _required(w)["reason"] == "第一次"
        assert len(_audit(w, "change_event")) == 2

    def test_refusals_name_the_field(self, world):
        w = world
        with pytest.raises(tk.ValidationError) as err:
            L.act(ACTION, w.reviewer, id=w.entry["id"])
        assert "reason" in err.value.error_dict
        with pytest.raises(tk.ValidationError) as err:
            L.act(ACTION, w.reviewer, id=w.entry["id"], reason="x", occurred_at="2099-01-01")
        assert "occurred_at" in err.value.error_dict
        with pytest.raises(tk.ValidationError) as err:
            L.act(ACTION, w.reviewer, id=w.entry["id"], reason="x", occurred_at="yesterday")
        assert "occurred_at" in err.value.error_dict
        draft = L.entry(w.org, w.compiler)
        with pytest.raises(tk.ValidationError) as err:
            L.act(ACTION, w.reviewer, id=draft["id"], reason="x")
        assert "catalogue_state" in err.value.error_dict
        assert _audit(w, "change_event") == [] and _required(w) is None

    def test_closes_when_a_revision_is_approved(self, world):
        w = world
        L.act(ACTION, w.reviewer, id=w.entry["id"], reason="数据变化")
        rev = L.act("govshare_revision_create", w.compiler, id=w.entry["id"], notes="按变更更新")
        L.act("govshare_revision_submit", w.compiler, id=rev["id"])
        assert _required(w) is not None  # a submitted revision is not yet the update
        L.act("govshare_revision_approve", w.reviewer2, id=rev["id"])
        assert _required(w) is None
        assert _step(w.entry["id"]).change_due_at is None
        [row] = _audit(w, "change_updated")
        assert row["revision_id"] == rev["id"] and row["actor"] == w.reviewer2["id"]
        assert row["diff"]["outcome"] == "revision_approved" and row["diff"]["overdue"] is False
        assert row["comment"] == "数据变化"

    def test_closes_when_the_entry_goes_offline(self, world):
        w = world
        L.act(ACTION, w.reviewer, id=w.entry["id"], reason="职能划出")
        L.act("govshare_catalogue_request_offline", w.compiler, id=w.entry["id"], reason="职能划出")
        assert _required(w) is not None
        L.act("govshare_catalogue_approve_offline", w.reviewer, id=w.entry["id"])
        assert _required(w) is None
        [row] = _audit(w, "change_updated")
        assert row["diff"]["outcome"] == "offline"

    @pytest.mark.ckan_config("ckanext.govshare.revision.no_review_fields", "notes")
    def test_closes_on_an_edit_without_review(self, world):
        w = world
        L.act(ACTION, w.reviewer, id=w.entry["id"], reason="数据变化")
        L.act("package_patch", w.compiler, id=w.entry["id"], notes="免审更新摘要")
        assert _required(w) is None
        [row] = _audit(w, "change_updated")
        assert row["diff"]["outcome"] == "updated_without_review"

    def test_compilers_of_the_unit_are_told(self, world, mail_server):
        w = world
        mail_server.clear_smtp_messages()
        L.act(ACTION, w.reviewer, id=w.entry["id"], reason="法规修订")
        [message] = mail_server.get_smtp_messages()
        assert message[2] == [w.compiler["email"]]
        body = _body(message)
        assert "法规修订" in body and "change event" in body and w.entry["title"] in body


class TestReminders:
    def test_due_change_step_reminds_the_units_compilers(self, world, mail_server, cli):
        """`ckan govshare remind` emails the entry's unit compilers (not other units', not
        reviewers) about an update due after a change event, once a day."""
        from ckan.cli.cli import ckan

        w = world
        L.act(ACTION, w.reviewer, id=w.entry["id"], reason="法规修订", occurred_at="2026-01-05")
        mail_server.clear_smtp_messages()
        result = cli.invoke(ckan, ["govshare", "remind"])
        assert result.exit_code == 0, result.output
        assert "update after a change event" in result.output
        [message] = mail_server.get_smtp_messages()
        assert message[2] == [w.compiler["email"]]
        body = _body(message)
        assert w.entry["title"] in body and "已超期" in body and "变更事由发生后更新目录" in body
        assert _step(w.entry["id"]).change_reminded_at is not None
        mail_server.clear_smtp_messages()
        assert notify.remind() == [] and mail_server.get_smtp_messages() == []

    def test_not_reminded_before_due_soon_nor_after_closing(self, world):
        w = world
        L.act(ACTION, w.reviewer, id=w.entry["id"], reason="法规修订")
        assert notify.remind(dry_run=True) == []
        step = _step(w.entry["id"])
        step.change_due_at = model_base.now() - datetime.timedelta(hours=1)
        model.Session.commit()
        [found] = notify.remind(dry_run=True)
        assert found.step == "update_after_change" and found.recipients == [w.compiler["id"]]
        L.act("govshare_catalogue_request_offline", w.compiler, id=w.entry["id"], reason="下线")
        L.act("govshare_catalogue_approve_offline", w.reviewer, id=w.entry["id"])
        assert notify.remind(dry_run=True) == []

    def test_submitter_is_not_reminded(self, world, mail_server):
        """A reviewer who also compiles is not reminded of their own submission (four eyes)."""
        w = world
        L.grant(w.org, w.reviewer, "compiler", units=["DJZCC"])
        entry = L.entry(w.org, w.reviewer)
        L.act("govshare_catalogue_submit", w.reviewer, id=entry["id"])
        step = _step(entry["id"])
        step.due_at = model_base.now() - datetime.timedelta(hours=1)
        model.Session.commit()
        mail_server.clear_smtp_messages()
        [found] = notify.remind()
        assert found.recipients == [w.reviewer2["id"]]
        assert [m[2] for m in mail_server.get_smtp_messages()] == [[w.reviewer2["email"]]]

    @pytest.mark.ckan_config("ckanext.govshare.lifecycle.second_stage", "data_grade=G2")
    def test_stage_one_approver_is_not_reminded_at_the_coordinator_stage(self, world):
        w = world
        L.grant(w.org, w.reviewer, "coordinator")
        entry = L.entry(w.org, w.compiler, data_grade="G2")
        L.act("govshare_catalogue_submit", w.compiler, id=entry["id"])
        L.act("govshare_catalogue_approve", w.reviewer, id=entry["id"])
        step = _step(entry["id"])
        assert step.stage == "coordinator"
        step.due_at = model_base.now() - datetime.timedelta(hours=1)
        model.Session.commit()
        [found] = notify.remind(dry_run=True)
        assert found.recipients == [w.coordinator["id"]]

    def test_revision_submitter_is_not_reminded(self, world):
        w = world
        L.grant(w.org, w.reviewer, "compiler", units=["DJZCC"])
        rev = L.act("govshare_revision_create", w.reviewer, id=w.entry["id"], notes="自己提交")
        L.act("govshare_revision_submit", w.reviewer, id=rev["id"])
        model.Session.query(service.Revision).filter_by(id=rev["id"]).update(
            {"due_at": model_base.now() - datetime.timedelta(hours=1)})
        model.Session.commit()
        [found] = notify.remind(dry_run=True)
        assert found.revision_id == rev["id"] and found.recipients == [w.reviewer2["id"]]


class TestImportedOpenSteps:
    def test_imported_in_review_is_due_from_submitted_at(self, world):
        """An entry imported in review is on the review clock from ``submitted_at``: it shows
        in the queue, the waiting badge and the reminders."""
        w = world
        entry = L.entry(w.org, w.compiler)
        result = L.act("govshare_catalogue_import", w.sysadmin, id=entry["id"],
                       catalogue_state="in_review", submitted_at="2026-09-30")
        info = result["govshare_lifecycle"]
        # 5 working days over National Day 2026: 10-8, 10-9, Saturday 10-10 (调休), 10-12, 10-13
        assert datetime.datetime.fromisoformat(info["due_at"]) == datetime.datetime(
            2026, 10, 13, 23, 59, 59, tzinfo=deadlines.SHANGHAI)
        assert info["overdue"] is True and info["stage"] == "reviewer"
        assert info["submitted_by"] is None
        queued = L.act("govshare_catalogue_queue", w.reviewer)["results"]
        assert [q["id"] for q in queued] == [entry["id"]]
        assert queries.waiting_count(w.reviewer["id"]) == 1
        [found] = notify.remind(dry_run=True)
        assert found.entry_id == entry["id"]
        assert found.recipients == sorted([w.reviewer["id"], w.reviewer2["id"]])

    @pytest.mark.ckan_config("ckanext.govshare.deadline.offline_review_days", "2")
    def test_imported_offline_review_is_due_from_now(self, world, monkeypatch):
        """An entry imported in offline review is due 2 (configured) working days from now."""
        w = world
        monkeypatch.setattr(model_base, "now", lambda: NOW)
        result = L.act("govshare_catalogue_import", w.sysadmin, id=w.entry["id"],
                       catalogue_state="offline_review")
        info = result["govshare_lifecycle"]
        assert datetime.datetime.fromisoformat(info["due_at"]) == datetime.datetime(
            2026, 10, 9, 23, 59, 59, tzinfo=deadlines.SHANGHAI)
        assert info["overdue"] is False

    def test_imported_closed_states_have_no_deadline(self, world):
        w = world
        L.act(ACTION, w.reviewer, id=w.entry["id"], reason="法规修订")
        for state in ("published", "offline"):
            info = L.act("govshare_catalogue_import", w.sysadmin, id=w.entry["id"],
                         catalogue_state=state)["govshare_lifecycle"]
            assert info["due_at"] is None
        assert info["update_required"] is None
        [row] = _audit(w, "change_updated")
        assert row["diff"]["outcome"] == "offline"


def test_entry_page_shows_the_update_required(app, world):
    """The entry's lifecycle page shows the open step, its deadline and reason, and the
    timeline the recorded change event."""
    w = world
    L.act(ACTION, w.reviewer, id=w.entry["id"], reason="《条例》修订", occurred_at="2026-01-05")
    app.set_session_user(w.compiler["id"])
    body = app.get(f"/dataset/{w.entry['name']}/lifecycle", status=200).body
    assert "govshare-update-required" in body and "alert-danger" in body
    assert "《条例》修订" in body and "change event recorded" in body
    L.act("govshare_catalogue_request_offline", w.compiler, id=w.entry["id"], reason="下线")
    L.act("govshare_catalogue_approve_offline", w.reviewer, id=w.entry["id"])
    body = app.get(f"/dataset/{w.entry['name']}/lifecycle", status=200).body
    assert "govshare-update-required" not in body and "updated after the change event" in body
