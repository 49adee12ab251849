"""Resource access requests through the actions (DB14 §9.2–9.3, Fig. B.2): filing and its
checks, routing, who decides each step, refusal codes, return and resubmission with the clock
stopped, the security stage, automatic grants, show and list, concurrent decisions and
deadlines across National Day 2026."""
from __future__ import annotations

import datetime
import io
import threading

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan.tests import helpers
from werkzeug.datastructures import FileStorage

from ckanext.govshare.lifecycle import deadlines
from ckanext.govshare.model import base as model_base
from ckanext.govshare.model.sharing import Authorization, Case, CaseEvent
from ckanext.govshare.sharing import cases, flows

from .. import access as A
from .. import lifecycle as L


@pytest.fixture
def w(fresh):
    return fresh(A.world)


def _errors(call, *args, **kwargs) -> dict:
    with pytest.raises(tk.ValidationError) as err:
        call(*args, **kwargs)
    return err.value.error_dict


def _due(req) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(req["due_at"]) if req["due_at"] else None


def _beijing(y, m, d, h=23, mi=59, s=59):
    return datetime.datetime(y, m, d, h, mi, s, tzinfo=deadlines.SHANGHAI)


def _pin(monkeypatch, moment: datetime.datetime) -> None:
    monkeypatch.setattr(model_base, "now", lambda: moment)


# -- filing ----------------------------------------------------------------------------------------


class TestFiling:
    def test_cross_department_request_waits_for_endorsement(self, w):
        """A request of another department starts at the requesting department's reviewer
        (统一提出), its fields in ``data``, audited as filed."""
        req = A.request(w, w.g2, items=["企业名称", "统一社会信用代码"],
                        persons=[w.requester["name"], w.colleague["name"]])
        assert req["state"] == "endorsement" and req["number"].startswith("SQ-")
        assert (req["requester_org"], req["target_org"]) == (w.consumer["id"], w.provider["id"])
        assert (req["assignee_org"], req["assignee_role"]) == (w.consumer["id"], "reviewer")
        assert req["clock"] == "endorsement" and req["due_at"] and req["working_days_left"] > 0
        data = req["data"]
        assert data["items"] == ["企业名称", "统一社会信用代码"]
        assert data["persons"] == [w.requester["id"], w.colleague["id"]]
        assert data["validity_days"] == 90 and data["agreement_accepted"] is True
        assert data["share_type"] == "conditional" and data["data_grade"] == "G2"
        assert data["same_department"] is False and data["must_publish_first"] is False
        assert [r["action"] for r in req["timeline"]] == ["created"]
        assert req["persons"][1]["name"] == w.colleague["name"]

    def test_every_field_is_checked_and_named(self, w):
        """Bad fields: one error per field, by name, all at once."""
        errors = _errors(A.request, w, w.g2, purpose=" ", scenario="", basis="x" * 2001,
                         region="", usage_scope="", provision_method="fax",
                         validity_days=45, agreement_accepted=False,
                         items=["企业名称", "不存在的信息项"], basis_url="ftp://example",
                         persons=["nobody-at-all", w.outsider["name"]])
        assert set(errors) == {"purpose", "scenario", "basis", "region", "usage_scope",
                               "provision_method", "validity_days", "agreement_accepted",
                               "items", "basis_url", "persons"}
        assert "不存在的信息项" in errors["items"][0]
        assert any("nobody-at-all" in m for m in errors["persons"])
        assert any(w.outsider["name"] in m for m in errors["persons"])
        assert "query" in errors["provision_method"][0]

    def test_validity_dates(self, w, monkeypatch):
        """Explicit dates: not in the past, the end after the start, at most a year."""
        _pin(monkeypatch, _beijing(2026, 5, 6, 10, 0, 0))
        errors = _errors(A.request, w, w.g2, validity_days=None, valid_from="2026-05-01",
                         valid_until="2026-04-01")
        assert set(errors) == {"valid_from", "valid_until"}
        errors = _errors(A.request, w, w.g2, validity_days=None, valid_from="2026-05-06",
                         valid_until="2027-06-01")
        assert set(errors) == {"valid_until"}
        assert set(_errors(A.request, w, w.g2, validity_days=None, valid_from="x")) == {
            "valid_from", "valid_until"}
        req = A.request(w, w.g2, validity_days="dates", valid_from="2026-05-06",
                        valid_until="2026-11-05")
        assert (req["data"]["valid_from"], req["data"]["valid_until"],
                req["data"]["validity_days"]) == ("2026-05-06", "2026-11-05", None)

    def test_not_shared_entry_is_disputed_not_requested(self, w):
        """不予共享: refused, and the message points to a dispute."""
        errors = _errors(A.request, w, w.closed)
        assert list(errors) == ["entry_id"] and "dispute" in errors["entry_id"][0]

    def test_not_shared_items_are_refused(self, w):
        """A 信息项 that is itself not shared cannot be asked for."""
        closed = w.mixed["info_items"][0]
        assert closed["share_type"] == "not_shared"
        errors = _errors(A.request, w, w.mixed, items=[closed["name"]])
        assert list(errors) == ["items"] and closed["name"] in errors["items"][0]
        req = A.request(w, w.mixed, items=[w.mixed["info_items"][1]["name"]])
        assert req["state"] == "endorsement"

    def test_unpublished_and_invisible_entries(self, w):
        """Another department's draft does not exist for the requester; a missing entry_id is
        named."""
        assert _errors(A.request, w, w.draft)["entry_id"] == ["No such catalogue entry"]
        assert "entry_id" in _errors(L.act, "govshare_access_request_create", w.requester,
                                     **A.fields())

    def test_data_already_seen(self, w):
        """The own department's entry, or an unconditional entry open to all: nothing to ask."""
        for entry in (w.own, w.open):
            assert "already" in _errors(A.request, w, entry)["entry_id"][0]

    def test_one_undecided_request_per_entry(self, w):
        """While a request waits for a decision its requester files no second one for the
        entry; once decided they may."""
        first = A.request(w, w.g2)
        errors = _errors(A.request, w, w.g2)
        assert list(errors) == ["entry_id"] and first["number"] in errors["entry_id"][0]
        assert A.request(w, w.g2, who="colleague")["state"] == "endorsement"
        A.step(w, "refuse", first, "c_reviewer", refusal_code="other", reason="重复")
        assert A.request(w, w.g2)["state"] == "endorsement"

    def test_department_must_be_named_and_be_the_requesters(self, w):
        """Someone in two departments names one; nobody requests for a department they are
        not in."""
        assert "organization_id" in _errors(A.request, w, w.g2, who="two_depts")
        req = A.request(w, w.g2, who="two_depts", organization_id=w.third["name"])
        assert req["requester_org"] == w.third["id"]
        errors = _errors(A.request, w, w.g2, organization_id=w.third["name"])
        assert list(errors) == ["organization_id"]

    def test_auth_needs_a_department(self, w):
        """A user of no department, and anonymous, may not file."""
        from ckan.tests import factories

        loner = factories.User()
        assert L.refused("govshare_access_request_create", loner, entry_id=w.g2["id"])
        assert L.refused("govshare_access_request_create", None, entry_id=w.g2["id"])

    def test_basis_file_is_kept_privately(self, w):
        """An uploaded basis is stored by CKAN's uploader outside the public storage."""
        upload = FileStorage(io.BytesIO(b"%PDF-1.4 basis"), filename="依据.pdf",
                             content_type="application/pdf")
        req = A.request(w, w.g2, basis_upload=upload)
        file = req["data"]["basis_file"]
        assert file["name"].endswith(".pdf") and file["size"] == len(b"%PDF-1.4 basis")
        from ckanext.govshare.sharing import access

        path, _f = access.basis_file_path(cases.get_case(req["id"]))
        assert open(path, "rb").read() == b"%PDF-1.4 basis"
        assert "/storage/" not in path

    @pytest.mark.ckan_config("ckanext.govshare.unconditional_requires_request", "true")
    def test_unconditional_entry_is_granted_at_once(self, w):
        """With unconditional_requires_request: approved by the system at filing, purpose and
        scenario on record, an authorization created; the data is then the requester's."""
        assert L.act("package_show", w.requester, id=w.open["id"])["resources"] == []
        req = A.request(w, w.open)
        assert req["state"] == "approved" and req["data"]["auto_granted"] is True
        grant = req["timeline"][-1]
        assert grant["action"] == "grant" and grant["data"]["purpose"] == A.fields()["purpose"]
        assert grant["actor"] != w.requester["id"]
        auth = model.Session.get(Authorization, req["data"]["authorization_id"])
        assert auth.status == "active" and auth.request_id == req["id"]
        assert L.act("package_show", w.requester, id=w.open["id"])["resources"]
        assert req["clock"] == "delivery"


# -- deciding ----------------------------------------------------------------------------------------


class TestSteps:
    def test_endorse_then_approve_grants_the_data(self, w):
        """Endorsed by the requesting department, approved by the provider: an active
        authorization for the named persons; delivery then closes the request."""
        req = A.request(w, w.g2, persons=[w.requester["name"]])
        req = A.step(w, "endorse", req, "c_reviewer", reason="业务确需")
        assert req["state"] == "provider_review" and req["clock"] == "reply"
        assert (req["assignee_org"], req["assignee_role"]) == (w.provider["id"], "reviewer")
        assert L.act("package_show", w.requester, id=w.g2["id"])["resources"] == []
        req = A.step(w, "approve", req, "p_reviewer")
        assert req["state"] == "approved" and req["clock"] == "delivery" and req["due_at"]
        auth = model.Session.get(Authorization, req["data"]["authorization_id"])
        assert auth.status == "active" and auth.persons == [w.requester["id"]]
        assert L.act("package_show", w.requester, id=w.g2["id"])["resources"]
        assert L.act("package_show", w.colleague, id=w.g2["id"])["resources"] == []
        req = A.step(w, "deliver", req, "p_reviewer2", reason="已开通接口")
        assert req["state"] == "delivered" and req["closed_at"] and req["due_at"] is None
        assert [r["action"] for r in req["timeline"]] == [
            "created", "endorse", "approve", "deliver"]

    @pytest.mark.parametrize("who", ["requester", "p_reviewer", "p_security", "outsider",
                                     "sysadmin"])
    def test_only_the_requesting_reviewer_endorses(self, w, who):
        """Endorsement is the requesting department's reviewer's."""
        req = A.request(w, w.g2)
        assert L.refused("govshare_access_request_endorse", getattr(w, who), id=req["id"])

    def test_the_step_decides_who_decides(self, w):
        """At the provider's step the requesting reviewer may no longer refuse or return; at the
        security step the reviewer may not approve."""
        req = A.step(w, "endorse", A.request(w, w.g3), "c_reviewer")
        for event in ("refuse", "return"):
            assert L.refused(f"govshare_access_request_{event}", w.c_reviewer, id=req["id"],
                             reason="r", refusal_code="other")
        assert L.refused("govshare_access_request_approve", w.p_security, id=req["id"])
        req = A.step(w, "approve", req, "p_reviewer")
        assert req["state"] == "security_review"
        assert (req["assignee_org"], req["assignee_role"]) == (w.provider["id"],
                                                               "security_officer")
        assert L.refused("govshare_access_request_approve", w.p_reviewer2, id=req["id"])
        req = A.step(w, "approve", req, "p_security")
        assert req["state"] == "approved"
        auth = model.Session.get(Authorization, req["data"]["authorization_id"])
        assert auth.status == "pending_agreement"  # G3: the security agreement first

    def test_security_stage_needs_a_second_person(self, w):
        """Who is reviewer and security officer approves once, not twice."""
        req = A.step(w, "endorse", A.request(w, w.g3), "c_reviewer")
        req = A.step(w, "approve", req, "both")
        assert "approve" not in L.act("govshare_access_request_show", w.both,
                                      id=req["id"])["allowed_events"]
        assert L.refused("govshare_access_request_approve", w.both, id=req["id"])
        assert A.step(w, "approve", req, "p_security2")["state"] == "approved"

    @pytest.mark.ckan_config("ckanext.govshare.sharing.security_review_grade", "G4")
    def test_security_grade_is_configured(self, w):
        """Above G3 by configuration: a G3 request is granted by the reviewer."""
        req = A.step(w, "endorse", A.request(w, w.g3), "c_reviewer")
        assert A.step(w, "approve", req, "p_reviewer")["state"] == "approved"

    def test_refusal_needs_code_and_reason(self, w):
        """不予共享: a code of the controlled list and a text, both recorded."""
        req = A.step(w, "endorse", A.request(w, w.g2), "c_reviewer")
        assert "refusal_code" in _errors(A.step, w, "refuse", req, "p_reviewer", reason="法规")
        assert "refusal_code" in _errors(A.step, w, "refuse", req, "p_reviewer",
                                         reason="法规", refusal_code="nope")
        assert "reason" in _errors(A.step, w, "refuse", req, "p_reviewer", refusal_code="law")
        req = A.step(w, "refuse", req, "p_reviewer", refusal_code="law", reason="涉及国家秘密")
        assert req["state"] == "refused" and req["data"]["refusal_code"] == "law"
        assert req["refusal_label"] and req["closed_at"]
        assert req["timeline"][-1]["comment"] == "涉及国家秘密"
        assert req["timeline"][-1]["data"] == {"refusal_code": "law"}

    def test_refused_at_endorsement(self, w):
        """The requesting department may refuse to put the request forward."""
        req = A.step(w, "refuse", A.request(w, w.g2), "c_reviewer", refusal_code="other",
                     reason="不属于本部门职责")
        assert req["state"] == "refused"

    def test_four_eyes_on_endorsement(self, w):
        """A reviewer who files a request does not endorse it; a second reviewer does."""
        req = A.request(w, w.g2, who="c_reviewer")
        with pytest.raises(tk.NotAuthorized):
            A.step(w, "endorse", req, "c_reviewer")
        assert A.step(w, "endorse", req, "c_reviewer2")["state"] == "provider_review"

    def test_withdraw_by_the_requester_only(self, w):
        """Withdrawn by its requester; not by their reviewer; then closed."""
        req = A.request(w, w.g2)
        assert L.refused("govshare_access_request_withdraw", w.c_reviewer, id=req["id"])
        req = A.step(w, "withdraw", req, "requester")
        assert req["state"] == "withdrawn" and req["closed_at"]
        errors = _errors(A.step, w, "endorse", req, "c_reviewer")
        assert "state" in errors

    def test_resubmit_corrects_fields(self, w):
        """A returned request is corrected and resubmitted; bad corrections are refused."""
        req = A.step(w, "return", A.request(w, w.g2), "c_reviewer", reason="依据不充分")
        assert req["state"] == "returned" and req["assignee_user"] == w.requester["id"]
        assert "basis" in _errors(A.step, w, "resubmit", req, "requester", basis="")
        req = A.step(w, "resubmit", req, "requester", basis="《政务数据共享条例》第十二条",
                     persons=w.colleague["name"])
        assert req["state"] == "endorsement"
        assert req["data"]["basis"] == "《政务数据共享条例》第十二条"
        assert req["data"]["persons"] == [w.colleague["id"]]
        assert req["data"]["purpose"] == A.fields()["purpose"]

    def test_renewal_of_an_authorization(self, w):
        """An authorization's holder asks for its renewal: a new request although the data is
        theirs, its parent the authorization."""
        req = A.step(w, "approve", A.step(w, "endorse", A.request(w, w.g2), "c_reviewer"),
                     "p_reviewer")
        auth_id = req["data"]["authorization_id"]
        assert "already" in _errors(A.request, w, w.g2)["entry_id"][0]
        renewal = A.request(w, w.g2, parent_id=auth_id)
        assert renewal["parent_id"] == auth_id and renewal["state"] == "endorsement"
        assert "parent_id" in _errors(A.request, w, w.g3, parent_id=auth_id)

    def test_demand_lets_a_draft_be_requested(self, w):
        """Filed from the requester's demand for a draft entry: the provider's reply clock is
        the longer one (data to be published first)."""
        demand = cases.open_case(
            L.site(), flows.DEMAND, title="需求", requester_org=w.consumer["id"],
            target_org=w.provider["id"], data={}, assignee=None, state="accepted",
            entry_id=w.draft["id"], requester_user=w.requester["id"])
        model.repo.commit()
        assert "demand_id" in _errors(A.request, w, w.g2, must_publish_first=True)
        req = A.request(w, w.draft, demand_id=demand.id, must_publish_first=True)
        assert req["parent_id"] == demand.id and req["data"]["must_publish_first"] is True
        req = A.step(w, "endorse", req, "c_reviewer")
        assert req["clock"] == "reply_unpublished"
        other = cases.open_case(
            L.site(), flows.DEMAND, title="他人需求", requester_org=w.consumer["id"],
            target_org=w.provider["id"], data={}, assignee=None, state="accepted",
            entry_id=w.draft["id"], requester_user=w.colleague["id"])
        model.repo.commit()
        assert _errors(A.request, w, w.draft, demand_id=other.id)["entry_id"] == [
            "No such catalogue entry"]


# -- the clock ---------------------------------------------------------------------------------------

# Wednesday 2026-09-30 10:00 in Beijing, the eve of National Day 2026 (10-1 … 10-7 off,
# Saturday 10-10 worked)
EVE = _beijing(2026, 9, 30, 10, 0, 0)


class TestClock:
    def test_deadlines_across_national_day(self, w, monkeypatch):
        """Endorsement (2 working days) and reply (5) skip the holiday and count the make-up
        Saturday; delivery (20) likewise."""
        _pin(monkeypatch, EVE)
        req = A.request(w, w.g2)
        assert _due(req) == _beijing(2026, 10, 9)  # 10-8, 10-9
        _pin(monkeypatch, _beijing(2026, 10, 9, 16, 0, 0))
        req = A.step(w, "endorse", req, "c_reviewer")
        assert _due(req) == _beijing(2026, 10, 15)  # 10-10 (Sat), 10-12, 10-13, 10-14, 10-15
        assert req["working_days_left"] == 5
        _pin(monkeypatch, _beijing(2026, 10, 19, 9, 0, 0))
        shown = L.act("govshare_access_request_show", w.requester, id=req["id"])
        assert shown["overdue"] is True and shown["working_days_left"] == -2

    @pytest.mark.ckan_config("ckanext.govshare.deadline.endorsement_days", "3")
    def test_limits_come_from_config(self, w, monkeypatch):
        """ckanext.govshare.deadline.endorsement_days = 3: one more working day (the Saturday)."""
        _pin(monkeypatch, EVE)
        assert _due(A.request(w, w.g2)) == _beijing(2026, 10, 10)

    def test_return_stops_the_clock_and_resubmission_resumes_it(self, w, monkeypatch):
        """Returned by the provider with 3 working days left; resubmitted it is endorsed again
        (fresh 2 days), then the provider's clock resumes with its 3 days."""
        _pin(monkeypatch, EVE)
        req = A.step(w, "endorse", A.request(w, w.g2), "c_reviewer")
        assert _due(req) == _beijing(2026, 10, 13)
        _pin(monkeypatch, _beijing(2026, 10, 9, 11, 0, 0))
        req = A.step(w, "return", req, "p_reviewer", reason="请补充依据文件")
        assert req["state"] == "returned" and req["due_at"] is None and req["paused_days"] == 3
        assert req["data"]["paused_steps"] == {"provider_review": 3}
        _pin(monkeypatch, _beijing(2026, 10, 20, 9, 0, 0))
        req = A.step(w, "resubmit", req, "requester", reason="已补充")
        assert req["state"] == "endorsement" and _due(req) == _beijing(2026, 10, 22)
        _pin(monkeypatch, _beijing(2026, 10, 21, 9, 0, 0))
        req = A.step(w, "endorse", req, "c_reviewer")
        assert req["state"] == "provider_review"
        assert _due(req) == _beijing(2026, 10, 26)  # 10-22, 10-23, 10-26
        assert req["data"]["paused_steps"] == {} and req["paused_days"] is None

    def test_security_stage_resumes_its_own_days(self, w, monkeypatch):
        """Returned by the security officer with one day left: after resubmission the earlier
        steps run their own clocks, and the security stage resumes with its one day."""
        _pin(monkeypatch, EVE)
        req = A.step(w, "endorse", A.request(w, w.g3), "c_reviewer")
        req = A.step(w, "approve", req, "p_reviewer")
        assert req["state"] == "security_review" and _due(req) == _beijing(2026, 10, 13)
        _pin(monkeypatch, _beijing(2026, 10, 12, 9, 0, 0))
        req = A.step(w, "return", req, "p_security", reason="说明数据安全措施")
        assert req["data"]["paused_steps"] == {"security_review": 1}
        _pin(monkeypatch, _beijing(2026, 10, 14, 9, 0, 0))
        req = A.step(w, "resubmit", req, "requester")
        req = A.step(w, "endorse", req, "c_reviewer")
        assert _due(req) == _beijing(2026, 10, 21)  # a fresh reply clock for the reviewer
        req = A.step(w, "approve", req, "p_reviewer2")
        assert req["state"] == "security_review" and _due(req) == _beijing(2026, 10, 15)

    def test_return_at_endorsement_resumes_there(self, w, monkeypatch):
        """Returned by the requesting reviewer on its last day: resubmitted, one day left."""
        _pin(monkeypatch, EVE)
        req = A.request(w, w.g2)
        _pin(monkeypatch, _beijing(2026, 10, 9, 9, 0, 0))
        req = A.step(w, "return", req, "c_reviewer", reason="补充用途")
        assert req["paused_days"] == 1
        _pin(monkeypatch, _beijing(2026, 10, 12, 9, 0, 0))
        req = A.step(w, "resubmit", req, "requester")
        assert _due(req) == _beijing(2026, 10, 13)


# -- reading -----------------------------------------------------------------------------------------


class TestShowAndList:
    def test_who_sees_a_request(self, w):
        """The requester, both departments and sysadmins; not a third department."""
        req = A.request(w, w.g2)
        for who in ("requester", "colleague", "c_reviewer", "p_reviewer", "p_compiler",
                    "sysadmin"):
            assert L.act("govshare_access_request_show", getattr(w, who), id=req["number"])
        assert L.refused("govshare_access_request_show", w.outsider, id=req["id"])
        with pytest.raises(tk.ObjectNotFound):
            L.act("govshare_access_request_show", w.requester, id="SQ-1999-000000")

    def test_show_offers_the_callers_events(self, w):
        """allowed_events: what the caller may do now, and nothing for the others."""
        req = A.request(w, w.g2)
        show = lambda who: L.act("govshare_access_request_show", getattr(w, who),  # noqa: E731
                                 id=req["id"])
        assert show("c_reviewer")["allowed_events"] == ["endorse", "return", "refuse"]
        assert show("requester")["allowed_events"] == ["withdraw"]
        assert show("p_reviewer")["allowed_events"] == []
        assert show("c_reviewer")["allowed_actions"][0] == "govshare_access_request_endorse"

    def test_sides(self, w):
        """mine / to_decide / department, each with its state label and deadline."""
        first = A.request(w, w.g2)
        second = A.step(w, "endorse", A.request(w, w.g3), "c_reviewer")
        listing = lambda who, **kw: L.act(  # noqa: E731
            "govshare_access_request_list", getattr(w, who), **kw)
        mine = listing("requester")
        assert mine["count"] == 2 and {r["id"] for r in mine["results"]} == {
            first["id"], second["id"]}
        row = next(r for r in mine["results"] if r["id"] == first["id"])
        assert row["state_label"] and row["due_at"] and row["working_days_left"] > 0
        assert row["overdue"] is False and row["target_org_title"]
        assert [r["id"] for r in listing("c_reviewer", side="to_decide")["results"]] == [
            first["id"]]
        assert [r["id"] for r in listing("p_reviewer", side="to_decide")["results"]] == [
            second["id"]]
        assert listing("p_security", side="to_decide")["count"] == 0
        assert listing("requester", side="to_decide")["count"] == 0
        assert listing("p_compiler", side="department")["count"] == 2
        assert listing("outsider", side="department")["count"] == 0
        assert listing("requester", state="provider_review")["count"] == 1
        assert listing("requester", state="open")["count"] == 2
        assert listing("requester", state="closed")["count"] == 0
        assert listing("requester", entry_id=w.g3["name"])["count"] == 1
        page = listing("requester", limit=1, offset=1)
        assert page["count"] == 2 and len(page["results"]) == 1
        assert L.refused("govshare_access_request_list", w.outsider, side="department",
                         organization_id=w.provider["id"])
        with pytest.raises(tk.ValidationError):
            listing("requester", side="everything")

    def test_overdue_in_the_list(self, w, monkeypatch):
        """Past its due date a request is overdue in the list, by working days (due 10-9;
        10-10 the make-up Saturday, 10-12, 10-13)."""
        _pin(monkeypatch, EVE)
        A.request(w, w.g2)
        _pin(monkeypatch, _beijing(2026, 10, 13, 9, 0, 0))
        [row] = L.act("govshare_access_request_list", w.c_reviewer, side="to_decide",
                      overdue=True)["results"]
        assert row["overdue"] is True and row["working_days_left"] == -3

    def test_list_is_one_query(self, w):
        """The page costs the same number of statements for one request as for three."""
        def statements(who):
            seen = []

            def count(conn, cursor, statement, *args):
                seen.append(statement)
            engine = model.Session.get_bind()
            sa.event.listen(engine, "before_cursor_execute", count)
            try:
                L.act("govshare_access_request_list", who)
            finally:
                sa.event.remove(engine, "before_cursor_execute", count)
            return len(seen)

        A.request(w, w.g2)
        one = statements(w.requester)
        A.step(w, "endorse", A.request(w, w.g3), "c_reviewer")
        A.request(w, w.mixed)
        assert L.act("govshare_access_request_list", w.requester)["count"] == 3
        assert statements(w.requester) == one


# -- auth: one test per role × step --------------------------------------------------------------------

EVENTS = ("endorse", "approve", "refuse", "return", "resubmit", "withdraw", "deliver")
ACTORS = ("requester", "colleague", "c_reviewer", "p_reviewer", "p_security", "outsider",
          "sysadmin", "anonymous")
#: who may ever fire each step on a request (flows.REQUEST_ROLES; the step's decider is the
#: action's check)
ALLOWED = {
    "endorse": {"c_reviewer"},
    "approve": {"p_reviewer", "p_security"},
    "refuse": {"c_reviewer", "p_reviewer", "p_security"},
    "return": {"c_reviewer", "p_reviewer", "p_security"},
    "resubmit": {"requester"},
    "withdraw": {"requester"},
    "deliver": {"p_reviewer"},
}


def _filed_world():
    """:func:`A.world` with ``req``: a request filed by the requester (auth does not depend on
    its state)."""
    w = A.world()
    w.req = A.request(w, w.g2)
    return w


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("event", EVENTS)
def test_auth(fresh, event, actor):
    """The relative roles of the request's table; sysadmins decide nothing."""
    w = fresh(_filed_world)
    req = w.req
    user = None if actor == "anonymous" else getattr(w, actor)
    context = {"user": user["name"] if user else "", "ignore_auth": False}
    try:
        tk.check_access(f"govshare_access_request_{event}", context, {"id": req["id"]})
        allowed = True
    except tk.NotAuthorized:
        allowed = False
    assert allowed == (actor in ALLOWED[event])


# -- concurrency ---------------------------------------------------------------------------------------


def test_concurrent_decisions_one_wins(w):
    """Two provider reviewers decide at once (approve, refuse): exactly one wins, the other
    meets the decided state; one decision in the audit."""
    req = A.step(w, "endorse", A.request(w, w.g2), "c_reviewer")
    model.Session.remove()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(user, event, data):
        try:
            barrier.wait()
            L.act(f"govshare_access_request_{event}", user, id=req["id"], **data)
            outcomes.append(event)
        except tk.ValidationError as err:
            outcomes.append("refused" if "state" in err.error_dict else repr(err))
        except Exception as err:  # noqa: BLE001 - reported in the assertion
            outcomes.append(repr(err))
        finally:
            model.Session.remove()

    threads = [
        threading.Thread(target=decide, args=(w.p_reviewer, "approve", {})),
        threading.Thread(target=decide, args=(w.p_reviewer2, "refuse",
                                              {"refusal_code": "other", "reason": "重复申请"})),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(outcomes) == 2 and "refused" in outcomes, outcomes
    winner = next(o for o in outcomes if o != "refused")
    case = model.Session.get(Case, req["id"])
    assert case.state == {"approve": "approved", "refuse": "refused"}[winner]
    decisions = model.Session.query(CaseEvent).filter(
        CaseEvent.case_id == req["id"], CaseEvent.action.in_(("approve", "refuse"))).count()
    assert decisions == 1
    grants = model.Session.query(Authorization).filter(
        Authorization.request_id == req["id"]).count()
    assert grants == (1 if winner == "approve" else 0)


# -- the demo ------------------------------------------------------------------------------------------


def _demo_world():
    """The demo's departments and users (as ``demo.load`` names them) with only the entries
    the demo requests name, published: the full demo catalogue takes half a minute."""
    from ckan.tests import factories

    from ckanext.govshare import demo
    from ckanext.govshare.sharing import demo_access

    from .. import factories as F

    for index, dept in enumerate(demo.DEPARTMENTS):
        org = F.department(index)
        short = dept["name"].split("-")[1]
        for role in ("compiler", "reviewer", "security_officer"):
            user = factories.User(name=f"{short}-{role.replace('_', '-')}")
            L.grant(org, user, role, **({"units": [c for c, _n in dept["units"]]}
                                        if role == "compiler" else {}))
        wanted = {title for _r, provider, title, _s, _f in demo_access.REQUESTS
                  if provider == dept["name"]}
        for template in demo.TEMPLATES[dept["name"]]:
            if template[0] in wanted:
                pkg = helpers.call_action("package_create", L.site(),
                                          **demo._entry(dept, template, "", 0))
                helpers.call_action("govshare_catalogue_import", L.site(), id=pkg["id"],
                                    catalogue_state="published")


@pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")
def test_demo_requests(fresh, app):
    """The demo's requests land in their states between the demo departments; loading again
    files nothing, and says so in the portal's default locale in a request (as the CLI
    loads)."""
    from ckanext.govshare.sharing import demo_access

    fresh(_demo_world)
    printed: list[str] = []
    demo_access.load(echo=printed.append)
    assert printed == [f"Access requests: {len(demo_access.REQUESTS)} new"]
    states = sorted(c.state for c in model.Session.query(Case).filter(
        Case.kind == flows.ACCESS_REQUEST))
    assert states == sorted(["endorsement", "provider_review", "returned", "approved",
                             "refused", "security_review"])
    assert model.Session.query(Authorization).count() == 1
    again: list[str] = []
    with app.flask_app.test_request_context():
        demo_access.load(echo=again.append)
    assert again == ["数据资源申请：新增 0 个"]
    assert model.Session.query(Case).filter(Case.kind == flows.ACCESS_REQUEST).count() == 6
