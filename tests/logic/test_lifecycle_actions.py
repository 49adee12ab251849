"""The catalogue lifecycle actions: auth per role, transitions, four eyes, deadlines, offline,
concurrency, the protected ``catalogue_state``, the import path, and visibility."""
from __future__ import annotations

import datetime
import email
import threading
from email.header import decode_header, make_header

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import helpers

from ckanext.govshare.lifecycle import deadlines, service, tables
from ckanext.govshare.model import base as model_base

from .. import lifecycle as L

EVENTS = ("submit", "approve", "return", "request_offline", "approve_offline",
          "reject_offline", "reinstate")
ACTORS = ("compiler", "compiler2", "reviewer", "coordinator", "security_officer", "member",
          "other_reviewer", "other_compiler", "sysadmin", "outsider", "anonymous")
#: who may fire each event (DB14 §7.2: the unit compiles; §7.3, §7.5: the responsible body
#: reviews, publishes and decides offline requests)
ALLOWED = {
    "submit": {"compiler"},
    "request_offline": {"compiler"},
    "reinstate": {"compiler"},
    "approve": {"reviewer", "coordinator"},
    "return": {"reviewer", "coordinator"},
    "approve_offline": {"reviewer"},
    "reject_offline": {"reviewer"},
}


@pytest.fixture
def world(fresh):
    return fresh(L.world)


def _to(w, entry, state):
    """Bring ``entry`` to ``state`` through the actions (compiler and reviewer of ``w``)."""
    path = {
        "draft": [],
        "in_review": [("submit", "compiler")],
        "published": [("submit", "compiler"), ("approve", "reviewer")],
        "offline_review": [("submit", "compiler"), ("approve", "reviewer"),
                           ("request_offline", "compiler")],
        "offline": [("submit", "compiler"), ("approve", "reviewer"),
                    ("request_offline", "compiler"), ("approve_offline", "reviewer")],
    }[state]
    for event, who in path:
        L.act(f"govshare_catalogue_{event}", getattr(w, who), id=entry["id"], reason="理由")
    return entry


# -- auth: one test per role × transition ------------------------------------------------------

_MATRIX: dict[str, object] = {}


@pytest.fixture
def matrix(request, with_plugins):
    """One world and entry for the whole matrix (auth does not depend on the entry's state)."""
    built = _MATRIX.get("w")
    if built is None or model.Group.get(built.org["id"]) is None:
        request.getfixturevalue("clean_db")
        built = L.world()
        built.entry = L.entry(built.org, built.compiler)
        _MATRIX["w"] = built
    return _MATRIX["w"]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("event", EVENTS)
def test_auth(matrix, event, actor):
    """Only the role of the lifecycle table, in the entry's department and unit, may fire it."""
    user = None if actor == "anonymous" else getattr(matrix, actor)
    context = {"user": user["name"] if user else "", "ignore_auth": False}
    try:
        tk.check_access(f"govshare_catalogue_{event}", context, {"id": matrix.entry["id"]})
        allowed = True
    except tk.NotAuthorized:
        allowed = False
    assert allowed == (actor in ALLOWED[event])


# -- transitions ---------------------------------------------------------------------------------

# A pinned clock: Wednesday 2026-09-30 10:00 in Beijing, the eve of National Day 2026
# (10-1 … 10-7 off, Saturday 10-10 worked, State Council schedule)
SUBMITTED_AT = datetime.datetime(2026, 9, 30, 2, 0, tzinfo=datetime.timezone.utc)


class TestTransitions:
    def test_submit_opens_review_with_deadline(self, world, monkeypatch):
        """submit: in_review at the reviewer stage, due after 5 working days (Beijing 23:59:59)."""
        w = world
        entry = L.entry(w.org, w.compiler)
        monkeypatch.setattr(model_base, "now", lambda: SUBMITTED_AT)
        result = L.act("govshare_catalogue_submit", w.compiler, id=entry["id"])
        info = result["govshare_lifecycle"]
        assert result["catalogue_state"] == "in_review"
        assert info["stage"] == "reviewer" and info["submitted_by"] == w.compiler["id"]
        assert info["overdue"] is False
        # 10-8, 10-9, Saturday 10-10 (调休), 10-12, 10-13
        assert datetime.datetime.fromisoformat(info["due_at"]) == datetime.datetime(
            2026, 10, 13, 23, 59, 59, tzinfo=deadlines.SHANGHAI)

    @pytest.mark.ckan_config("ckanext.govshare.deadline.review_days", "2")
    def test_deadline_comes_from_config(self, world, monkeypatch):
        """The limit is read from ckanext.govshare.deadline.review_days."""
        w = world
        entry = L.entry(w.org, w.compiler)
        monkeypatch.setattr(model_base, "now", lambda: SUBMITTED_AT)
        info = L.act("govshare_catalogue_submit", w.compiler, id=entry["id"])["govshare_lifecycle"]
        assert datetime.datetime.fromisoformat(info["due_at"]) == datetime.datetime(
            2026, 10, 9, 23, 59, 59, tzinfo=deadlines.SHANGHAI)

    def test_approve_publishes_and_sets_version(self, world):
        """approve: published, version 1, issued date set, no open step."""
        w = world
        entry = _to(w, L.entry(w.org, w.compiler), "in_review")
        result = L.act("govshare_catalogue_approve", w.reviewer, id=entry["id"])
        assert result["catalogue_state"] == "published"
        assert result["issued"]
        info = result["govshare_lifecycle"]
        assert (info["version"], info["due_at"], info["stage"]) == (1, None, None)

    def test_return_needs_a_reason(self, world):
        """return without a reason: an error on ``reason``; with one: back to draft."""
        w = world
        entry = _to(w, L.entry(w.org, w.compiler), "in_review")
        with pytest.raises(tk.ValidationError) as err:
            L.act("govshare_catalogue_return", w.reviewer, id=entry["id"], reason="  ")
        message = err.value.error_dict["reason"][0]
        assert message == "a reason is required to return"
        result = L.act("govshare_catalogue_return", w.reviewer, id=entry["id"],
                       reason="信息项不完整")
        assert result["catalogue_state"] == "draft"
        assert result["govshare_lifecycle"]["reason"] == "信息项不完整"

    def test_missing_id_names_the_field(self, world):
        """No id: an error on ``id`` naming it."""
        with pytest.raises(tk.ValidationError) as err:
            L.act("govshare_catalogue_submit", world.compiler)
        assert err.value.error_dict["id"] == ["Entry (id) is required"]

    @pytest.mark.parametrize("state,event", [
        ("draft", "approve"), ("draft", "request_offline"), ("in_review", "submit"),
        ("published", "approve"), ("published", "reinstate"), ("offline", "approve_offline"),
    ])
    def test_illegal_transition(self, world, state, event):
        """An event the state does not allow: ValidationError naming the state and the allowed actions."""
        w = world
        entry = _to(w, L.entry(w.org, w.compiler), state)
        who = w.compiler if "compiler" in ALLOWED[event] else w.reviewer2
        with pytest.raises(tk.ValidationError) as err:
            L.act(f"govshare_catalogue_{event}", who, id=entry["id"], reason="理由")
        errors = err.value.error_dict
        # the state by its label in the caller's language (English here)
        assert tables.CATALOGUE_STATES[state].en in errors["catalogue_state"][0]
        allowed = [e for (s, e) in tables.CATALOGUE_TRANSITIONS if s == state]
        assert errors["allowed_actions"] == [f"govshare_catalogue_{e}" for e in allowed]
        assert L.state(entry["id"]) == state

    def test_other_units_compiler_cannot_submit(self, world):
        """业务谁主管，谁编制: a compiler of another unit is refused."""
        entry = L.entry(world.org, world.compiler)
        assert L.refused("govshare_catalogue_submit", world.compiler2, id=entry["id"])

    def test_only_the_units_compilers_edit_an_entry_under_review(self, world):
        """As roles.py says: the reviewer and the security officer (both CKAN editors) may not
        correct an entry under review; a compiler of its unit may edit it, but not while it is
        in review (issue #8: the entry is locked, DB14 §7.3)."""
        entry = _to(world, L.entry(world.org, world.compiler), "in_review")
        for who in (world.reviewer, world.security_officer, world.coordinator):
            assert L.refused("package_patch", who, id=entry["id"], notes="更正")
        with pytest.raises(tk.ValidationError) as err:
            L.act("package_patch", world.compiler, id=entry["id"], notes="更正")
        assert "catalogue_state" in err.value.error_dict

    def test_emails_in_chinese_and_english(self, world, mail_server):
        """submit emails the department's reviewers: entry, step and deadline in both languages."""
        w = world
        entry = L.entry(w.org, w.compiler)
        L.act("govshare_catalogue_submit", w.compiler, id=entry["id"])
        messages = mail_server.get_smtp_messages()
        recipients = sorted(m[2][0] for m in messages)
        assert recipients == sorted([w.reviewer["email"], w.reviewer2["email"]])
        msg = email.message_from_string(messages[0][3])
        subject = str(make_header(decode_header(msg["Subject"])))
        body = msg.get_payload(decode=True).decode("utf-8")
        assert entry["title"] in subject and "submitted" in subject
        assert "办理期限" in body and "deadline" in body and "北京时间" in body
        mail_server.clear_smtp_messages()
        L.act("govshare_catalogue_return", w.reviewer, id=entry["id"], reason="缺少信息项")
        [returned] = mail_server.get_smtp_messages()
        assert returned[2] == [w.compiler["email"]]
        body = email.message_from_string(returned[3]).get_payload(decode=True).decode("utf-8")
        assert "缺少信息项" in body and "returned" in body


class TestFourEyes:
    def test_nobody_approves_their_own_submission(self, world):
        """A compiler who is also a reviewer cannot approve or return what they submitted."""
        w = world
        L.grant(w.org, w.compiler, "reviewer")
        entry = _to(w, L.entry(w.org, w.compiler), "in_review")
        assert L.refused("govshare_catalogue_approve", w.compiler, id=entry["id"])
        assert L.refused("govshare_catalogue_return", w.compiler, id=entry["id"], reason="x")
        assert L.state(entry["id"]) == "in_review"
        L.act("govshare_catalogue_approve", w.reviewer, id=entry["id"])
        assert L.state(entry["id"]) == "published"

    def test_own_offline_request(self, world):
        """Nor decides on their own offline request."""
        w = world
        L.grant(w.org, w.compiler, "reviewer")
        entry = _to(w, L.entry(w.org, w.compiler), "offline_review")
        assert L.refused("govshare_catalogue_approve_offline", w.compiler, id=entry["id"])

    @pytest.mark.ckan_config("ckanext.govshare.lifecycle.second_stage", "data_grade=G2")
    def test_second_stage_needs_a_coordinator_and_another_person(self, world):
        """With a second stage the reviewer's approval passes to the coordinator, a different person."""
        w = world
        L.grant(w.org, w.reviewer, "coordinator")
        entry = _to(w, L.entry(w.org, w.compiler), "in_review")
        assert L.refused("govshare_catalogue_approve", w.coordinator, id=entry["id"])
        result = L.act("govshare_catalogue_approve", w.reviewer, id=entry["id"])
        assert result["catalogue_state"] == "in_review"
        assert result["govshare_lifecycle"]["stage"] == "coordinator"
        assert L.refused("govshare_catalogue_approve", w.reviewer, id=entry["id"])
        assert L.refused("govshare_catalogue_approve", w.reviewer2, id=entry["id"])
        result = L.act("govshare_catalogue_approve", w.coordinator, id=entry["id"])
        assert result["catalogue_state"] == "published"
        actions = helpers.call_action("govshare_audit_list", L.site(), entry_id=entry["id"])
        stage_row = actions["results"][1]
        assert stage_row["diff"] == {"stage": ["reviewer", "coordinator"]}


class TestOffline:
    def test_offline_is_a_tombstone(self, world):
        """Offline: metadata and state stay visible, the reason and resources only to the
        department, code kept."""
        w = world
        data = L.entry_dict(w.org)
        code = f"{data['catalog_class']}{data['catalog_item']}{data['catalog_subitem']}/000777"
        entry = helpers.call_action("package_create", {"user": w.compiler["name"]},
                                    **{**data, "resource_code": code})
        received = []

        def receiver(sender, **kwargs):
            received.append((sender, kwargs))

        signal = service.offline_signal()
        signal.connect(receiver)
        try:
            _to(w, entry, "offline_review")
            result = L.act("govshare_catalogue_approve_offline", w.reviewer, id=entry["id"])
        finally:
            signal.disconnect(receiver)
        assert result["catalogue_state"] == "offline"
        assert result["resource_code"] == code
        assert received == [(entry["id"], {
            "entry_name": entry["name"], "organization_id": w.org["id"],
            "actor": w.reviewer["id"], "reason": "理由"})]
        outsider_view = L.act("package_show", w.other_reviewer, id=entry["id"])
        assert outsider_view["resources"] == [] and outsider_view["govshare_redacted"]
        assert outsider_view["govshare_lifecycle"]["state"] == "offline"
        assert "reason" not in outsider_view["govshare_lifecycle"]  # the department's
        member_view = L.act("package_show", w.member, id=entry["id"])
        assert member_view["govshare_lifecycle"]["reason"] == "理由"
        resource_id = member_view["resources"][0]["id"]
        assert L.refused("resource_show", w.other_reviewer, id=resource_id)
        assert L.act("resource_show", w.member, id=resource_id)["id"] == resource_id

    def test_request_needs_reason_and_refusal_keeps_published(self, world):
        """request_offline and reject_offline state their reasons; a refusal keeps it published."""
        w = world
        entry = _to(w, L.entry(w.org, w.compiler), "published")
        with pytest.raises(tk.ValidationError) as err:
            L.act("govshare_catalogue_request_offline", w.compiler, id=entry["id"])
        assert "reason" in err.value.error_dict
        L.act("govshare_catalogue_request_offline", w.compiler, id=entry["id"], reason="停止采集")
        assert L.refused("govshare_catalogue_reject_offline", w.coordinator, id=entry["id"],
                         reason="x")
        result = L.act("govshare_catalogue_reject_offline", w.reviewer, id=entry["id"],
                       reason="仍有部门在用")
        assert result["catalogue_state"] == "published"

    def test_reinstate_goes_back_to_review(self, world):
        """reinstate: offline → in_review; approval publishes again with the next version."""
        w = world
        entry = _to(w, L.entry(w.org, w.compiler), "offline")
        assert L.act("govshare_catalogue_reinstate", w.compiler,
                     id=entry["id"])["catalogue_state"] == "in_review"
        result = L.act("govshare_catalogue_approve", w.reviewer, id=entry["id"])
        assert result["catalogue_state"] == "published"
        assert result["govshare_lifecycle"]["version"] == 2


def test_concurrent_double_approval(world):
    """Two reviewers approve at once: exactly one succeeds and one audit row is written."""
    w = world
    entry = _to(w, L.entry(w.org, w.compiler), "in_review")
    model.Session.remove()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(user):
        try:
            barrier.wait()
            L.act("govshare_catalogue_approve", user, id=entry["id"])
            outcomes.append("ok")
        except tk.ValidationError as err:
            outcomes.append("refused" if "catalogue_state" in err.error_dict else repr(err))
        except Exception as err:  # noqa: BLE001 - reported in the assertion
            outcomes.append(repr(err))
        finally:
            model.Session.remove()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (w.reviewer, w.reviewer2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["ok", "refused"]
    rows = helpers.call_action("govshare_audit_list", L.site(), entry_id=entry["id"],
                               action="approve")
    assert rows["count"] == 1
    assert L.state(entry["id"]) == "published"


class TestProtectedState:
    def test_editors_cannot_set_catalogue_state(self, world):
        """package_patch / package_update by editors (and sysadmins) keep the stored state."""
        w = world
        entry = L.entry(w.org, w.compiler)
        L.act("package_patch", w.compiler, id=entry["id"], catalogue_state="published")
        assert L.state(entry["id"]) == "draft"
        full = L.act("package_show", w.sysadmin, id=entry["id"])
        L.act("package_update", w.sysadmin, **{**full, "catalogue_state": "offline"})
        assert L.state(entry["id"]) == "draft"

    def test_new_entries_start_as_draft(self, world):
        """package_create ignores a given state."""
        entry = L.entry(world.org, world.compiler, catalogue_state="published")
        assert entry["catalogue_state"] == "draft"

    def test_sysadmin_import_is_audited(self, world):
        """govshare_catalogue_import: sysadmins only, recorded as ``imported``."""
        w = world
        entry = L.entry(w.org, w.compiler)
        assert L.refused("govshare_catalogue_import", w.reviewer, id=entry["id"],
                         catalogue_state="published")
        result = L.act("govshare_catalogue_import", w.sysadmin, id=entry["id"],
                       catalogue_state="published", comment="迁移自旧目录系统", version=3)
        assert result["catalogue_state"] == "published"
        assert result["govshare_lifecycle"]["version"] == 3
        [row] = helpers.call_action("govshare_audit_list", L.site(),
                                    entry_id=entry["id"])["results"]
        assert (row["action"], row["from_state"], row["to_state"], row["actor"]) == (
            "imported", "draft", "published", w.sysadmin["id"])
        with pytest.raises(tk.ValidationError):
            L.act("govshare_catalogue_import", w.sysadmin, id=entry["id"],
                  catalogue_state="archived")


class TestQueue:
    def test_reviewer_queue(self, world):
        """Open steps of the department, soonest first, with the actions the user may take."""
        w = world
        first = _to(w, L.entry(w.org, w.compiler), "in_review")
        second = _to(w, L.entry(w.org, w.compiler), "offline_review")
        _to(w, L.entry(w.other, w.other_compiler), "draft")
        queue = L.act("govshare_catalogue_queue", w.reviewer)
        assert [i["id"] for i in queue["results"]] == [first["id"], second["id"]]
        item = queue["results"][0]
        assert item["allowed_actions"] == ["govshare_catalogue_approve",
                                           "govshare_catalogue_return"]
        assert item["due_at"] and item["overdue"] is False and item["unit"] == "DJZCC"
        assert L.act("govshare_catalogue_queue", w.compiler)["results"][0]["allowed_actions"] == []
        assert L.act("govshare_catalogue_queue", w.other_reviewer)["count"] == 0
        assert L.act("govshare_catalogue_queue", w.reviewer, state="offline_review")["count"] == 1
        assert L.act("govshare_catalogue_queue", w.reviewer, unit="BGS")["count"] == 0
        assert L.act("govshare_catalogue_queue", w.reviewer, overdue=True)["count"] == 0
        assert L.refused("govshare_catalogue_queue", w.other_reviewer,
                         organization_id=w.org["id"])

    @pytest.mark.ckan_config("ckanext.govshare.lifecycle.second_stage", "data_grade=G2")
    def test_stage_one_approver_is_offered_no_coordinator_decision(self, world):
        """At the coordinator stage the queue offers nothing to whoever approved stage 1,
        even holding the coordinator role, as the transition would refuse them (four eyes)."""
        w = world
        L.grant(w.org, w.reviewer, "coordinator")
        entry = _to(w, L.entry(w.org, w.compiler), "in_review")
        L.act("govshare_catalogue_approve", w.reviewer, id=entry["id"])
        item, = L.act("govshare_catalogue_queue", w.reviewer)["results"]
        assert item["stage"] == "coordinator" and item["allowed_actions"] == []
        assert L.refused("govshare_catalogue_approve", w.reviewer, id=entry["id"])
        item, = L.act("govshare_catalogue_queue", w.coordinator)["results"]
        assert item["allowed_actions"] == ["govshare_catalogue_approve",
                                           "govshare_catalogue_return"]

    def test_queue_pages(self, world):
        """``limit``/``offset`` page the queue; ``count`` is the whole queue's."""
        w = world
        entries = [_to(w, L.entry(w.org, w.compiler), "in_review") for _ in range(3)]
        first = L.act("govshare_catalogue_queue", w.reviewer, limit=2)
        second = L.act("govshare_catalogue_queue", w.reviewer, limit=2, offset=2)
        assert first["count"] == second["count"] == 3
        assert [i["id"] for i in first["results"] + second["results"]] == [
            e["id"] for e in entries]
        with pytest.raises(tk.ValidationError) as err:
            L.act("govshare_catalogue_queue", w.reviewer, limit=1001)
        assert "limit" in err.value.error_dict

    def test_overdue_steps(self, world):
        """A step past its due_at is overdue in the queue and in package_show."""
        w = world
        entry = _to(w, L.entry(w.org, w.compiler), "in_review")
        step = model.Session.get(service.EntryLifecycle, entry["id"])
        step.due_at = model_base.now() - datetime.timedelta(days=1)
        model.Session.commit()
        assert L.act("govshare_catalogue_queue", w.reviewer, overdue=True)["count"] == 1
        shown = L.act("package_show", w.reviewer, id=entry["id"])
        assert shown["govshare_lifecycle"]["overdue"] is True
        found = L.act("package_search", w.reviewer, q="*:*")["results"]
        assert [r["govshare_lifecycle"]["overdue"] for r in found] == [True]


# -- visibility ----------------------------------------------------------------------------------


def _search_ids(user, **params):
    return {r["id"] for r in L.act("package_search", user, include_private=True,
                                   **params)["results"]}


class TestVisibility:
    def test_draft_is_seen_by_its_department_only(self, world):
        """A draft: invisible to another department in package_search, package_show and resource_show."""
        w = world
        entry = L.entry(w.org, w.compiler)
        resource_id = entry["resources"][0]["id"]
        assert entry["id"] in _search_ids(w.member)
        assert entry["id"] not in _search_ids(w.other_reviewer)
        assert entry["id"] not in _search_ids(w.outsider)
        assert L.act("package_show", w.member, id=entry["id"])["id"] == entry["id"]
        assert L.hidden("package_show", w.other_reviewer, id=entry["id"])
        assert L.hidden("resource_show", w.other_reviewer, id=resource_id)
        assert L.hidden("package_show", None, id=entry["id"])

    def test_published_is_seen_by_logged_in_users(self, world):
        """Published: every logged-in user sees it and its data; anonymous users do not."""
        w = world
        entry = _to(w, L.entry(w.org, w.compiler), "published")
        assert entry["id"] in _search_ids(w.outsider)
        shown = L.act("package_show", w.outsider, id=entry["id"])
        assert len(shown["resources"]) == 1
        assert L.act("resource_show", w.outsider, id=shown["resources"][0]["id"])
        assert entry["id"] not in _search_ids(None)
        assert L.refused("package_show", None, id=entry["id"])

    @pytest.mark.ckan_config("ckanext.govshare.public_catalogue", "true")
    def test_public_catalogue_shows_metadata_to_anonymous(self, world):
        """With public_catalogue on, anonymous visitors see published metadata, not the data."""
        w = world
        entry = _to(w, L.entry(w.org, w.compiler), "published")
        draft = L.entry(w.org, w.compiler)
        assert _search_ids(None) == {entry["id"]}
        shown = L.act("package_show", None, id=entry["id"])
        assert shown["resources"] == [] and shown["govshare_redacted"]
        assert L.hidden("package_show", None, id=draft["id"])

    def test_offline_resources_hidden_in_search(self, world):
        """Offline: the tombstone is found, without resources, by other departments."""
        w = world
        entry = _to(w, L.entry(w.org, w.compiler), "offline")
        [found] = L.act("package_search", w.other_reviewer, q="*:*")["results"]
        assert found["id"] == entry["id"] and found["resources"] == []
        [own] = L.act("package_search", w.member, q="*:*")["results"]
        assert len(own["resources"]) == 1


# -- reminders -------------------------------------------------------------------------------------


class TestRemind:
    def _due(self, entry_id, delta):
        step = model.Session.get(service.EntryLifecycle, entry_id)
        step.due_at = model_base.now() + delta
        model.Session.commit()

    def test_overdue_and_due_soon_are_reminded_once_a_day(self, world, mail_server, cli):
        """`ckan govshare remind`: one bilingual email per reviewer with overdue and due-soon steps."""
        from ckan.cli.cli import ckan

        w = world
        late = _to(w, L.entry(w.org, w.compiler), "in_review")
        soon = _to(w, L.entry(w.org, w.compiler), "offline_review")
        later = _to(w, L.entry(w.org, w.compiler), "in_review")
        self._due(late["id"], -datetime.timedelta(days=2))
        self._due(soon["id"], datetime.timedelta(hours=1))
        self._due(later["id"], datetime.timedelta(days=30))
        mail_server.clear_smtp_messages()

        dry = cli.invoke(ckan, ["govshare", "remind", "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "2 open step(s) found" in dry.output and "OVERDUE" in dry.output
        assert mail_server.get_smtp_messages() == []

        result = cli.invoke(ckan, ["govshare", "remind"])
        assert result.exit_code == 0, result.output
        messages = mail_server.get_smtp_messages()
        assert sorted(m[2][0] for m in messages) == sorted(
            [w.reviewer["email"], w.reviewer2["email"]])
        body = email.message_from_string(messages[0][3]).get_payload(decode=True).decode()
        assert late["title"] in body and soon["title"] in body and later["title"] not in body
        assert "已超期" in body and "OVERDUE" in body and "下线审核" in body
        assert "offline review" in body

        mail_server.clear_smtp_messages()
        assert "0 open step(s)" in cli.invoke(ckan, ["govshare", "remind"]).output
        assert mail_server.get_smtp_messages() == []
        cli.invoke(ckan, ["govshare", "remind", "--force"])
        assert len(mail_server.get_smtp_messages()) == 2

    def test_coordinator_stage_reminds_coordinators(self, world, mail_server):
        """At the coordinator stage the department's coordinators are reminded."""
        from ckanext.govshare.lifecycle import notify

        w = world
        entry = _to(w, L.entry(w.org, w.compiler), "in_review")
        step = model.Session.get(service.EntryLifecycle, entry["id"])
        step.stage = "coordinator"
        step.due_at = model_base.now() - datetime.timedelta(hours=1)
        model.Session.commit()
        [found] = notify.remind()
        assert found.recipients == [w.coordinator["id"]]
