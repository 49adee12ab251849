"""The security officer's duties through the actions (DB14 §11.1–11.2): security incidents
(report, handling steps, closure, who sees them), the grade sign-off that holds a high grade's
approval until the security officer signs, and who can access a department's data now."""
from __future__ import annotations

import datetime
import itertools
import uuid

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories

from ckanext.govshare import demo
from ckanext.govshare.lifecycle import deadlines
from ckanext.govshare.model import base as model_base
from ckanext.govshare.model.sharing import AccessLog, Authorization, Case

from .. import lifecycle as L

_seq = itertools.count(500)
#: demo templates of sx-samr: 严重违法失信企业名单 (conditional, G3) and 企业年度报告公示信息
#: (conditional, G2), both of the unit at index 1 (the test departments' DJZCC)
HIGH, CONDITIONAL_G2 = 4, 5
UNITS = [("BGS", "办公室"), ("DJZCC", "登记注册处"), ("XXZX", "信息中心")]


def entry(org, user, template: int = HIGH, **fields):
    """A draft entry of ``org`` from a demo template, created by ``user``."""
    n = next(_seq)
    dept = {"name": org["name"], "title": org.get("title") or org["name"], "units": UNITS}
    shape = list(demo.TEMPLATES["sx-samr"][template])
    shape[4] = f"{n % 1000:03d}"
    data = demo._entry(dept, tuple(shape), "", 0)
    data.update(title=f"{shape[0]}{n}", name=f"sec-entry-{n}-{uuid.uuid4().hex[:6]}",
                owner_org=org["id"], tags=[{"name": "安全"}], **fields)
    return L.act("package_create", user, **data)


def build():
    """:func:`tests.lifecycle.world` with the department's ``admin``, a published G2 entry
    ``published`` and an entry of the other department."""
    w = L.world()
    w.admin = factories.User()
    L.act("organization_member_create", w.sysadmin, id=w.org["id"], username=w.admin["name"],
          role="admin")
    w.published = L.entry(w.org, w.compiler)
    L.act("govshare_catalogue_submit", w.compiler, id=w.published["id"])
    L.act("govshare_catalogue_approve", w.reviewer, id=w.published["id"])
    w.elsewhere = L.entry(w.other, w.other_compiler)
    return w


@pytest.fixture
def world(fresh):
    return fresh(build)


def _incident(w, who=None, **fields):
    data = {"organization_id": w.org["name"], "title": "接口异常批量调用", "severity": "serious",
            "occurred_at": "2026-11-30T09:00:00", "description": "非工作时间大量查询。",
            "entries": [w.published["name"]], "responsible": w.member["name"], **fields}
    return L.act("govshare_incident_create", who or w.reviewer, **data)


def _errors(action, user, **data):
    with pytest.raises(tk.ValidationError) as err:
        L.act(action, user, **data)
    return err.value.error_dict


# -- security incidents ---------------------------------------------------------------------------

REPORTERS = ("reviewer", "security_officer")
NOT_REPORTERS = ("compiler", "member", "coordinator", "other_reviewer", "sysadmin", "outsider")


class TestIncidentReport:
    @pytest.mark.parametrize("who", REPORTERS + NOT_REPORTERS)
    def test_who_reports(self, world, who):
        """A reviewer or the security officer of the department reports; nobody else — not
        a sysadmin, not another department's reviewer."""
        user = getattr(world, who)
        if who in REPORTERS:
            case = _incident(world, user)
            assert case["state"] == "reported" and case["number"].startswith("AQ-")
        else:
            assert L.refused("govshare_incident_create", user, organization_id=world.org["id"],
                             title="x", severity="general", occurred_at="2026-11-30",
                             description="x", responsible=world.member["name"])

    def test_fields_are_recorded(self, world):
        """Severity, time, description, the affected entries and the responsible person are
        kept; it waits on the department's security officer."""
        w = world
        case = _incident(w)
        assert case["data"]["severity"] == "serious"
        assert case["data"]["occurred_at"] == "2026-11-30T09:00:00+08:00"
        assert [e["id"] for e in case["entries"]] == [w.published["id"]]
        assert case["responsible"]["id"] == w.member["id"]
        assert (case["target_org"], case["assignee_role"]) == (w.org["id"], "security_officer")
        assert case["allowed_actions"] == [] and case["requester"]["id"] == w.reviewer["id"]
        assert [r["action"] for r in case["timeline"]] == ["created"]

    @pytest.mark.parametrize(("field", "value"), [
        ("severity", "catastrophic"),
        ("occurred_at", "2999-01-01"),
        ("occurred_at", "yesterday"),
        ("title", ""),
        ("description", " "),
        ("responsible", "outsider"),
        ("entries", "elsewhere"),
        ("organization_id", "no-such-department"),
    ])
    def test_invalid(self, world, field, value):
        """Each field is checked: a severity of the list, a time not in the future, a user and
        entries of the department."""
        w = world
        value = {"outsider": w.outsider["name"], "elsewhere": [w.elsewhere["name"]]}.get(
            value, value) if isinstance(value, str) else value
        if field == "organization_id":
            with pytest.raises((tk.ValidationError, tk.NotAuthorized)):
                _incident(w, **{field: value})
            return
        with pytest.raises(tk.ValidationError) as err:
            _incident(w, **{field: value})
        assert field in err.value.error_dict


class TestIncidentHandling:
    def test_steps_and_closure(self, world):
        """The security officer records steps (text, who, when) and closes it with a
        conclusion; afterwards nothing more can be recorded."""
        w = world
        case = _incident(w)
        one = L.act("govshare_incident_handle", w.security_officer, id=case["number"],
                    text="暂停该账号的接口权限")
        assert one["state"] == "handling"
        two = L.act("govshare_incident_handle", w.security_officer, id=case["id"],
                    text="通知使用部门核查")
        assert [s["text"] for s in two["steps"]] == ["暂停该账号的接口权限", "通知使用部门核查"]
        assert {s["actor"]["id"] for s in two["steps"]} == {w.security_officer["id"]}
        assert two["allowed_actions"] == ["govshare_incident_handle", "govshare_incident_close"]
        shown = L.act("govshare_incident_show", w.reviewer, id=case["number"])
        assert shown["allowed_actions"] == [] and len(shown["steps"]) == 2
        closed = L.act("govshare_incident_close", w.security_officer, id=case["number"],
                       conclusion="未造成数据扩散，已整改")
        assert closed["state"] == "closed" and closed["closed_at"]
        assert closed["data"]["conclusion"] == "未造成数据扩散，已整改"
        assert [r["action"] for r in closed["timeline"]] == [
            "created", "handle", "handle", "close"]
        errors = _errors("govshare_incident_handle", w.security_officer, id=case["number"],
                         text="再记一步")
        assert "state" in errors

    @pytest.mark.parametrize("who", ["reviewer", "compiler", "admin", "sysadmin",
                                     "other_reviewer"])
    def test_only_the_security_officer_handles(self, world, who):
        """Handling and closing are the security officer's (the reporting reviewer cannot)."""
        w = world
        case = _incident(w)
        user = getattr(w, who)
        assert L.refused("govshare_incident_handle", user, id=case["number"], text="x")
        assert L.refused("govshare_incident_close", user, id=case["number"], conclusion="x")

    def test_a_step_needs_its_text(self, world):
        """An empty step or conclusion is refused."""
        w = world
        case = _incident(w)
        assert "text" in _errors("govshare_incident_handle", w.security_officer,
                                 id=case["number"], text=" ")
        assert "conclusion" in _errors("govshare_incident_close", w.security_officer,
                                       id=case["number"])


class TestIncidentVisibility:
    @pytest.mark.parametrize(("who", "sees"), [
        ("reviewer", True), ("reviewer2", True), ("security_officer", True), ("admin", True),
        ("sysadmin", True), ("compiler", False), ("member", False), ("coordinator", False),
        ("other_reviewer", False), ("outsider", False)])
    def test_who_sees_an_incident(self, world, who, sees):
        """The department's security officers, reviewers and administrators (and sysadmins);
        not its compilers, members or the department's own coordinator, not other
        departments (DB14 §11.2)."""
        w = world
        case = _incident(w)
        user = getattr(w, who)
        assert L.refused("govshare_incident_show", user, id=case["number"]) is not sees
        listed = L.act("govshare_incident_list", user)
        assert ([c["number"] for c in listed["results"]] == [case["number"]]) is sees

    def test_the_coordinating_department_sees_it(self, world, monkeypatch):
        """With a coordinating department configured, its coordinators see every incident."""
        w = world
        case = _incident(w)
        L.grant(w.other, w.outsider, "coordinator")
        assert L.refused("govshare_incident_show", w.outsider, id=case["number"])
        monkeypatch.setitem(tk.config, "ckanext.govshare.coordinating_department",
                            w.other["name"])
        assert L.act("govshare_incident_show", w.outsider, id=case["number"])["id"] == case["id"]
        assert L.act("govshare_incident_list", w.outsider)["count"] == 1

    def test_list_filters(self, world):
        """By state, department and what waits on the user."""
        w = world
        first = _incident(w)
        second = _incident(w, w.security_officer, title="导出文件误发")
        L.act("govshare_incident_handle", w.security_officer, id=second["number"], text="处置")
        assert [c["number"] for c in L.act("govshare_incident_list", w.reviewer,
                                           state="reported")["results"]] == [first["number"]]
        assert L.act("govshare_incident_list", w.reviewer, organization_id=w.other["name"])[
            "count"] == 0
        assert L.act("govshare_incident_list", w.security_officer, waiting=True)["count"] == 2
        assert L.act("govshare_incident_list", w.reviewer, waiting=True)["count"] == 0
        assert L.act("govshare_incident_list", w.reviewer, limit=1)["count"] == 2
        assert len(L.act("govshare_incident_list", w.reviewer, limit=1)["results"]) == 1
        assert L.refused("govshare_incident_list", None)


# -- grade sign-off ------------------------------------------------------------------------------

@pytest.fixture
def signoff_on(monkeypatch):
    """The grade sign-off from G3 up (the suite's test.ini turns it off)."""
    monkeypatch.setitem(tk.config, "ckanext.govshare.sharing.signoff_grade", "G3")


def _signoffs(w, entry_id, who=None):
    return L.act("govshare_signoff_list", who or w.security_officer, entry_id=entry_id)["results"]


@pytest.mark.usefixtures("signoff_on")
class TestSignoff:
    def test_approval_waits_for_the_security_officer(self, world, monkeypatch):
        """Submitting a G3 entry asks the security officer (due in 2 working days); the
        reviewer's approval is refused, naming data_grade, until the grade is signed."""
        w = world
        high = entry(w.org, w.compiler)
        submitted_at = datetime.datetime(2026, 9, 30, 2, 0, tzinfo=datetime.timezone.utc)
        real_now = model_base.now
        monkeypatch.setattr(model_base, "now", lambda: submitted_at)
        L.act("govshare_catalogue_submit", w.compiler, id=high["id"])
        monkeypatch.setattr(model_base, "now", real_now)
        [signoff] = L.act("govshare_signoff_list", w.security_officer, waiting=True)["results"]
        assert (signoff["entry_id"], signoff["state"], signoff["data"]["grade"]) == (
            high["id"], "submitted", "G3")
        assert signoff["number"].startswith("FJ-") and signoff["requester_user"] == \
            w.compiler["id"]
        # National Day 2026: 10-8 and 10-9 are the next two working days
        assert datetime.datetime.fromisoformat(signoff["due_at"]) == datetime.datetime(
            2026, 10, 9, 23, 59, 59, tzinfo=deadlines.SHANGHAI)
        errors = _errors("govshare_catalogue_approve", w.reviewer, id=high["id"])
        assert list(errors) == ["data_grade"] and signoff["number"] in errors["data_grade"][0]
        assert L.state(high["id"]) == "in_review"
        signed = L.act("govshare_signoff_sign", w.security_officer, id=signoff["number"],
                       comment="分级准确")
        assert signed["state"] == "signed" and signed["closed_at"]
        assert signed["assignee_role"] == "reviewer"
        L.act("govshare_catalogue_approve", w.reviewer, id=high["id"])
        assert L.state(high["id"]) == "published"
        assert L.act("govshare_signoff_list", w.security_officer, waiting=True)["count"] == 0

    def test_objection_then_resubmission(self, world):
        """An objection keeps the approval refused (with its reason); the reviewer returns the
        entry and its next submission asks for a new sign-off, which lets it through."""
        w = world
        high = entry(w.org, w.compiler)
        L.act("govshare_catalogue_submit", w.compiler, id=high["id"])
        [first] = _signoffs(w, high["id"])
        assert "reason" in _errors("govshare_signoff_object", w.security_officer,
                                   id=first["number"])
        objected = L.act("govshare_signoff_object", w.security_officer, id=first["number"],
                         reason="含公民身份号码，应定为第四级")
        assert objected["state"] == "objected"
        message = _errors("govshare_catalogue_approve", w.reviewer, id=high["id"])["data_grade"][0]
        assert "应定为第四级" in message
        assert "state" in _errors("govshare_signoff_sign", w.security_officer,
                                  id=first["number"])
        L.act("govshare_catalogue_return", w.reviewer, id=high["id"], reason="按安全意见调整")
        L.act("govshare_catalogue_submit", w.compiler, id=high["id"])
        second, again = _signoffs(w, high["id"])
        assert again["number"] == first["number"] and second["state"] == "submitted"
        L.act("govshare_signoff_sign", w.security_officer, id=second["number"])
        L.act("govshare_catalogue_approve", w.reviewer, id=high["id"])
        assert L.state(high["id"]) == "published"

    def test_resubmission_keeps_the_open_signoff(self, world):
        """Returned and submitted again before the security officer answered: still one
        sign-off."""
        w = world
        high = entry(w.org, w.compiler)
        L.act("govshare_catalogue_submit", w.compiler, id=high["id"])
        L.act("govshare_catalogue_return", w.reviewer, id=high["id"], reason="补充说明")
        L.act("govshare_catalogue_submit", w.compiler, id=high["id"])
        assert len(_signoffs(w, high["id"])) == 1

    def test_a_lower_grade_needs_none(self, world):
        """A G2 entry is submitted and approved without a sign-off."""
        w = world
        low = L.entry(w.org, w.compiler)
        L.act("govshare_catalogue_submit", w.compiler, id=low["id"])
        assert _signoffs(w, low["id"]) == []
        L.act("govshare_catalogue_approve", w.reviewer, id=low["id"])
        assert L.state(low["id"]) == "published"

    @pytest.mark.parametrize("level", ["G4", ""])
    def test_the_level_is_configured(self, world, monkeypatch, level):
        """ckanext.govshare.sharing.signoff_grade: above the entry's grade, or empty, no
        sign-off is asked for."""
        w = world
        monkeypatch.setitem(tk.config, "ckanext.govshare.sharing.signoff_grade", level)
        high = entry(w.org, w.compiler)
        L.act("govshare_catalogue_submit", w.compiler, id=high["id"])
        assert _signoffs(w, high["id"]) == []
        L.act("govshare_catalogue_approve", w.reviewer, id=high["id"])
        assert L.state(high["id"]) == "published"

    def test_a_revision_raising_the_grade(self, world):
        """A revision raising a published entry from G2 to G3 asks for the sign-off; its
        approval waits for it; then the live entry is G3."""
        w = world
        g2 = entry(w.org, w.compiler, template=CONDITIONAL_G2)
        L.act("govshare_catalogue_submit", w.compiler, id=g2["id"])
        L.act("govshare_catalogue_approve", w.reviewer, id=g2["id"])
        scope = [dict(s, agreement_required="true") for s in L.live(g2["id"])["share_scope"]]
        rev = L.act("govshare_revision_create", w.compiler, id=g2["id"], data_grade="G3",
                    share_scope=scope)
        L.act("govshare_revision_submit", w.compiler, id=rev["id"])
        [signoff] = _signoffs(w, g2["id"])
        assert signoff["data"]["revision_id"] == rev["id"]
        assert (signoff["data"]["grade"], signoff["data"]["previous_grade"]) == ("G3", "G2")
        assert "data_grade" in _errors("govshare_revision_approve", w.reviewer, id=rev["id"])
        L.act("govshare_signoff_sign", w.security_officer, id=signoff["id"])
        L.act("govshare_revision_approve", w.reviewer, id=rev["id"])
        assert L.live(g2["id"])["data_grade"] == "G3"

    @pytest.mark.parametrize("who", ["reviewer", "compiler", "admin", "sysadmin",
                                     "other_reviewer"])
    def test_only_the_security_officer_signs(self, world, who):
        """Signing and objecting are the security officer's."""
        w = world
        high = entry(w.org, w.compiler)
        L.act("govshare_catalogue_submit", w.compiler, id=high["id"])
        [signoff] = _signoffs(w, high["id"])
        user = getattr(w, who)
        assert L.refused("govshare_signoff_sign", user, id=signoff["number"])
        assert L.refused("govshare_signoff_object", user, id=signoff["number"], reason="x")

    def test_who_sees_a_signoff(self, world):
        """The department's members see it (the entry is theirs, in review); another
        department's reviewer neither sees it nor lists it."""
        w = world
        high = entry(w.org, w.compiler)
        L.act("govshare_catalogue_submit", w.compiler, id=high["id"])
        [signoff] = _signoffs(w, high["id"])
        shown = L.act("govshare_signoff_show", w.compiler, id=signoff["number"])
        assert shown["entry"]["id"] == high["id"] and shown["entry"]["catalogue_state"] == \
            "in_review"
        assert shown["allowed_actions"] == []
        assert L.act("govshare_signoff_show", w.security_officer, id=signoff["number"])[
            "allowed_actions"] == ["govshare_signoff_sign", "govshare_signoff_object"]
        assert L.refused("govshare_signoff_show", w.other_reviewer, id=signoff["number"])
        assert L.act("govshare_signoff_list", w.other_reviewer)["count"] == 0
        assert L.act("govshare_signoff_list", w.reviewer)["count"] == 1


# -- who can access what now ----------------------------------------------------------------------

def _grant(w, entry_id, *, status="active", persons=(), days=(-10, 80), provider=None,
           items=("企业名称",)):
    now = model_base.now()
    row = Authorization(
        number=f"SQZ-TEST-{uuid.uuid4().hex[:8]}", entry_id=entry_id,
        provider_org=provider or w.org["id"], consumer_org=w.other["id"], persons=list(persons),
        items=list(items), purpose="监管核验", provision_method="query",
        valid_from=now + datetime.timedelta(days=days[0]),
        valid_until=now + datetime.timedelta(days=days[1]), status=status)
    model.Session.add(row)
    model.Session.commit()
    return row


def _access(w, user, entry_id, *, hours_ago, authorization=None):
    model.Session.add(AccessLog(
        entry_id=entry_id, provider_org=w.org["id"], user_id=user["id"],
        user_orgs=[w.other["id"]], channel="package_show",
        authorization_id=authorization.id if authorization else None,
        at=model_base.now() - datetime.timedelta(hours=hours_ago)))
    model.Session.commit()


class TestAccessOverview:
    def test_authorizations_in_force_and_last_accesses(self, world):
        """Only the grants in force (active, within validity) on the department's entries;
        per user and entry the last access and how many."""
        w = world
        entry_id = w.published["id"]
        in_force = _grant(w, entry_id, persons=[w.other_reviewer["id"]])
        _grant(w, entry_id, status="revoked")
        _grant(w, entry_id, days=(-100, -1))  # lapsed: active but past its validity
        _grant(w, entry_id, days=(5, 50))  # not yet valid
        _grant(w, w.elsewhere["id"], provider=w.other["id"])  # another provider's
        _access(w, w.other_reviewer, entry_id, hours_ago=5, authorization=in_force)
        _access(w, w.other_reviewer, entry_id, hours_ago=1, authorization=in_force)
        _access(w, w.outsider, entry_id, hours_ago=3)
        result = L.act("govshare_access_overview", w.security_officer,
                       organization_id=w.org["name"])
        assert result["organization"]["id"] == w.org["id"]
        [grant] = result["authorizations"]
        assert grant["number"] == in_force.number and grant["items"] == ["企业名称"]
        assert [p["id"] for p in grant["persons"]] == [w.other_reviewer["id"]]
        assert grant["consumer_org"] == w.other["id"] and grant["entry_title"] == \
            w.published["title"]
        assert grant["last_access"] is not None and grant["days_left"] > 0
        accesses = {a["user"]["id"]: a for a in result["accesses"]}
        assert set(accesses) == {w.other_reviewer["id"], w.outsider["id"]}
        mine = accesses[w.other_reviewer["id"]]
        assert mine["count"] == 2 and mine["authorization_number"] == in_force.number
        assert datetime.datetime.fromisoformat(mine["last_at"]) > \
            model_base.now() - datetime.timedelta(hours=2)
        assert accesses[w.outsider["id"]]["count"] == 1
        [published] = result["entries"]
        assert (published["id"], published["share_type"], published["audience"],
                published["authorizations"]) == (entry_id, "unconditional", "everyone", 1)
        since = (model_base.now() - datetime.timedelta(hours=2)).isoformat()
        recent = L.act("govshare_access_overview", w.reviewer, organization_id=w.org["id"],
                       since=since)
        assert [(a["user"]["id"], a["count"]) for a in recent["accesses"]] == [
            (w.other_reviewer["id"], 1)]

    @pytest.mark.parametrize(("who", "allowed"), [
        ("security_officer", True), ("reviewer", True), ("admin", True), ("sysadmin", True),
        ("compiler", False), ("member", False), ("coordinator", False),
        ("other_reviewer", False), ("outsider", False)])
    def test_who_sees_the_overview(self, world, who, allowed):
        """The department's administrators, reviewers and security officers, and sysadmins."""
        user = getattr(world, who)
        assert L.refused("govshare_access_overview", user,
                         organization_id=world.org["id"]) is not allowed


def test_open_cases_are_case_rows(world, signoff_on):
    """Incidents and sign-offs are rows of the one case table, numbered AQ / FJ."""
    w = world
    _incident(w)
    high = entry(w.org, w.compiler)
    L.act("govshare_catalogue_submit", w.compiler, id=high["id"])
    kinds = sorted((c.kind, c.number[:2]) for c in model.Session.query(Case))
    assert kinds == [("grade_signoff", "FJ"), ("incident", "AQ")]
