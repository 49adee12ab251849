"""Disputes (争议) through the actions: raising about an entry or a request, negotiation,
escalation (by a side, or automatically past the window), the coordinator's binding decision
and its execution (a revision of the entry, a grant, the refusal kept), attachments, who may
do and see what, and the lists."""
from __future__ import annotations

import datetime
import io
import os
from types import SimpleNamespace

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories, helpers
from werkzeug.datastructures import FileStorage

from ckanext.govshare.model import base as model_base
from ckanext.govshare.model.revision import Revision
from ckanext.govshare.model.sharing import Authorization
from ckanext.govshare.sharing import cases
from ckanext.govshare.sharing import dispute as service

from .. import factories as F

#: 市场监管行政处罚信息: conditional, G2, unit SAMR02 (no security stage, no agreement)
CONDITIONAL_G2 = (F.SAMR, 8)


def act(action: str, user: dict | None, **data):
    return helpers.call_action(action, F.as_user(user), **data)


def refused(action: str, user: dict | None, **data) -> bool:
    try:
        act(action, user, **data)
    except tk.NotAuthorized:
        return True
    return False


def publish(compiler: dict, reviewer: dict, which: tuple[int, int]) -> dict:
    entry = F.create_entry(compiler, which)
    act("govshare_catalogue_submit", compiler, id=entry["id"])
    act("govshare_catalogue_approve", reviewer, id=entry["id"])
    return entry


def world() -> SimpleNamespace:
    """省市场监管局 (SAMR: provider of ``entry``) and 省公安厅 (GAT: provider of the
    ``not_shared`` entry ``closed``), each with a compiler and a reviewer; ``requester``, a
    member of GAT; a sysadmin (the coordinator: no coordinating department is configured);
    ``outsider``, in no department."""
    samr, gat = F.department(F.SAMR), F.department(F.GAT)
    w = SimpleNamespace(samr=samr, gat=gat)
    w.samr_compiler = F.user(samr, "compiler", units=["SAMR02"])
    w.samr_reviewer = F.user(samr, "reviewer")
    w.samr_member = F.user(samr, capacity="member")
    w.gat_compiler = F.user(gat, "compiler", units=["GAT03"])
    w.gat_reviewer = F.user(gat, "reviewer")
    w.requester = F.user(gat, capacity="member")
    w.sysadmin = factories.Sysadmin()
    w.outsider = factories.User()
    w.entry = publish(w.samr_compiler, w.samr_reviewer, CONDITIONAL_G2)
    w.closed = publish(w.gat_compiler, w.gat_reviewer, F.NOT_SHARED)
    w.draft = F.create_entry(w.samr_compiler, CONDITIONAL_G2, seq=7,
                             catalog_subitem="907", title="草稿条目")
    return w


@pytest.fixture
def w(fresh):
    return fresh(world)


def raise_about_entry(w, kind="ownership", user=None, entry=None, **extra) -> dict:
    return act("govshare_dispute_create", user or w.gat_reviewer, kind=kind,
               entry_id=(entry or w.entry)["id"], claim="该数据应由本部门提供", **extra)


def request(w) -> dict:
    """An access request of ``requester`` (GAT) for ``entry`` (SAMR), endorsed: now before
    SAMR's reviewer."""
    made = act("govshare_access_request_create", w.requester, entry_id=w.entry["id"],
               purpose="治安管理核查", scenario="案件办理", basis="《治安管理处罚法》",
               region="全省", usage_scope="本部门", provision_method="query",
               validity_days=90, agreement_accepted=True)
    act("govshare_access_request_endorse", w.gat_reviewer, id=made["id"])
    return made


def refused_request(w) -> dict:
    made = request(w)
    act("govshare_access_request_refuse", w.samr_reviewer, id=made["id"],
        refusal_code="not_ready", reason="数据尚在治理")
    return made


def escalated(w, dispute: dict) -> dict:
    return act("govshare_dispute_escalate", w.gat_reviewer, id=dispute["id"],
               reason="协商未果")


# -- raising -------------------------------------------------------------------------------------


def test_raise_opens_the_negotiation(w):
    """A dispute about an entry opens in negotiation, due after the negotiation window,
    waiting on the entry's department's reviewer."""
    made = raise_about_entry(w, basis="三定方案", remedy="调整数源部门")
    assert made["state"] == "negotiating" and made["number"].startswith("ZY-")
    assert (made["requester_org"], made["target_org"]) == (w.gat["id"], w.samr["id"])
    assert (made["assignee_org"], made["assignee_role"]) == (w.samr["id"], "reviewer")
    assert made["clock"] == "negotiation" and made["days_left"] == 10
    assert made["data"]["dispute_kind"] == "ownership" and made["data"]["remedy"] == "调整数源部门"
    assert [r["action"] for r in made["timeline"]] == ["created"]
    assert made["timeline"][0]["comment"] == "该数据应由本部门提供"


@pytest.mark.ckan_config("ckanext.govshare.deadline.negotiation_days", "3")
def test_the_window_is_configured(w):
    """The window is ckanext.govshare.deadline.negotiation_days."""
    assert raise_about_entry(w)["days_left"] == 3


def test_raising_is_refused(w):
    """Not against one's own department, not about an entry one cannot see, not twice, not
    without a department; a sharing kind names a request."""
    with pytest.raises(tk.ValidationError) as err:
        raise_about_entry(w, user=w.samr_reviewer)
    assert "organization_id" in err.value.error_dict
    with pytest.raises(tk.ObjectNotFound):
        raise_about_entry(w, entry=w.draft)
    with pytest.raises(tk.NotAuthorized):
        raise_about_entry(w, user=w.outsider)
    raise_about_entry(w)
    with pytest.raises(tk.ValidationError) as err:
        raise_about_entry(w, user=w.requester)
    assert "kind" in err.value.error_dict
    raise_about_entry(w, kind="content")  # another kind is another dispute
    with pytest.raises(tk.ValidationError) as err:
        raise_about_entry(w, kind="refusal")
    assert "request_id" in err.value.error_dict
    with pytest.raises(tk.ValidationError):
        raise_about_entry(w, kind="no_such_kind")


def test_a_not_shared_entry_is_disputed_through_its_share_attribute(w):
    """A not_shared entry cannot be requested; its share attribute can be disputed."""
    with pytest.raises(tk.ValidationError):
        act("govshare_access_request_create", w.samr_member, entry_id=w.closed["id"],
            purpose="p", scenario="s", basis="b", region="r", usage_scope="u",
            provision_method="query", validity_days=30, agreement_accepted=True)
    made = raise_about_entry(w, kind="share_attribute", user=w.samr_reviewer, entry=w.closed)
    assert made["target_org"] == w.gat["id"] and made["data"]["share_type"] == "not_shared"


def test_a_refusal_is_disputed_by_the_requesting_side(w):
    """A refused request is disputed by its requester (or its department's reviewer), against
    the provider; not by the provider, not before it is refused."""
    made = request(w)
    with pytest.raises(tk.ValidationError) as err:
        act("govshare_dispute_create", w.requester, kind="refusal", request_id=made["id"],
            claim="理由不成立")
    assert "kind" in err.value.error_dict
    act("govshare_access_request_refuse", w.samr_reviewer, id=made["id"],
        refusal_code="not_ready", reason="数据尚在治理")
    with pytest.raises(tk.NotAuthorized):
        act("govshare_dispute_create", w.samr_reviewer, kind="refusal",
            request_id=made["id"], claim="x")
    disputed = act("govshare_dispute_create", w.requester, kind="refusal",
                   request_id=made["number"], claim="理由不成立")
    assert disputed["parent_id"] == made["id"] and disputed["entry_id"] == w.entry["id"]
    assert (disputed["requester_org"], disputed["target_org"]) == (w.gat["id"], w.samr["id"])
    assert disputed["data"]["request_number"] == made["number"]


def test_an_overdue_reply_is_disputed_once_past_due(w, monkeypatch):
    """An overdue dispute needs the provider's step to be past its deadline."""
    made = request(w)
    with pytest.raises(tk.ValidationError):
        act("govshare_dispute_create", w.requester, kind="overdue", request_id=made["id"],
            claim="超期未答复")
    due = datetime.datetime.fromisoformat(
        act("govshare_access_request_show", w.requester, id=made["id"])["due_at"])
    later = due + datetime.timedelta(hours=1)
    monkeypatch.setattr(model_base, "now", lambda: later)
    disputed = act("govshare_dispute_create", w.requester, kind="overdue",
                   request_id=made["id"], claim="超期未答复")
    assert disputed["state"] == "negotiating"


# -- negotiation ---------------------------------------------------------------------------------


@pytest.mark.parametrize("side", ["gat_reviewer", "samr_reviewer"])
def test_either_side_settles(w, side):
    """Settled by either side, with what was agreed: closed, the party on record."""
    made = raise_about_entry(w)
    with pytest.raises(tk.ValidationError):
        act("govshare_dispute_settle", getattr(w, side), id=made["id"], reason=" ")
    done = act("govshare_dispute_settle", getattr(w, side), id=made["number"],
               reason="双方确认数源为市场监管局")
    assert done["state"] == "closed" and done["closed_at"] and done["due_at"] is None
    step = done["timeline"][-1]
    assert step["action"] == "settle" and step["comment"] == "双方确认数源为市场监管局"
    party = "party_raiser" if side == "gat_reviewer" else "party_respondent"
    assert step["data"]["party"] == party


def test_who_may_do_what_in_the_negotiation(w):
    """The two sides negotiate; the raiser withdraws; only the coordinator decides; others
    may do nothing."""
    made = raise_about_entry(w)
    ref = {"id": made["id"]}
    for user in (w.outsider, w.samr_member, w.samr_compiler):
        assert refused("govshare_dispute_settle", user, reason="x", **ref)
        assert refused("govshare_dispute_escalate", user, reason="x", **ref)
    assert refused("govshare_dispute_withdraw", w.samr_reviewer, **ref)
    for user in (w.gat_reviewer, w.samr_reviewer):
        assert refused("govshare_dispute_decide", user, outcome="dismiss", reason="x", **ref)
    # the coordinator may decide, but not before the escalation
    with pytest.raises(tk.ValidationError) as err:
        act("govshare_dispute_decide", w.sysadmin, outcome="dismiss", reason="x", **ref)
    assert "state" in err.value.error_dict
    assert act("govshare_dispute_withdraw", w.gat_reviewer, **ref)["state"] == "withdrawn"


def test_who_sees_a_dispute(w):
    """The two departments and the coordinator see it; nobody else."""
    made = raise_about_entry(w)
    for user in (w.gat_reviewer, w.requester, w.samr_reviewer, w.samr_member, w.sysadmin):
        assert act("govshare_dispute_show", user, id=made["id"])["id"] == made["id"]
    assert refused("govshare_dispute_show", w.outsider, id=made["id"])
    assert act("govshare_dispute_list", w.outsider)["count"] == 0


def test_the_page_offers_what_the_user_may_fire(w):
    """allowed_events follows the table and the user's side."""
    made = raise_about_entry(w)
    assert act("govshare_dispute_show", w.gat_reviewer, id=made["id"])["allowed_events"] == [
        "settle", "escalate", "withdraw"]
    assert act("govshare_dispute_show", w.samr_reviewer, id=made["id"])["allowed_events"] == [
        "settle", "escalate"]
    assert act("govshare_dispute_show", w.samr_member, id=made["id"])["allowed_events"] == []


# -- escalation ----------------------------------------------------------------------------------


def test_escalation_goes_to_the_coordinator(w):
    """Escalated with reasons and a link: waiting on the coordinator (the sysadmins here) on
    the coordination clock."""
    made = raise_about_entry(w)
    up = act("govshare_dispute_escalate", w.samr_reviewer, id=made["id"], reason="协商未果",
             attachment_url="https://example.gov.cn/minutes.pdf")
    assert up["state"] == "escalated" and up["clock"] == "coordination"
    assert (up["assignee_org"], up["assignee_role"]) == (None, "coordinator")
    assert up["data"]["escalated"] is True
    step = up["timeline"][-1]
    assert step["data"]["party"] == "party_respondent"
    assert step["data"]["attachments"][0]["url"] == "https://example.gov.cn/minutes.pdf"
    assert [c.number for c in cases.open_cases_for(model.User.get(w.sysadmin["id"]),
                                                    ["dispute"])] == [made["number"]]
    assert act("govshare_dispute_list", w.sysadmin, side="coordinating")["count"] == 1
    with pytest.raises(tk.ValidationError):
        act("govshare_dispute_escalate", w.gat_reviewer, id=made["id"],
            attachment_url="ftp://example.gov.cn/x", reason="x")


def test_past_the_window_the_dispute_escalates_itself(w):
    """escalate_overdue: only negotiations past their window, by the system, once."""
    late = raise_about_entry(w)
    raise_about_entry(w, kind="content")
    case = cases.get_case(late["id"])
    at = case.due_at + datetime.timedelta(seconds=1)
    case.due_at = case.due_at - datetime.timedelta(days=30)
    model.Session.commit()
    assert service.escalate_overdue(at=case.due_at + datetime.timedelta(days=1)) == 1
    shown = act("govshare_dispute_show", w.gat_reviewer, id=late["id"])
    assert shown["state"] == "escalated" and shown["data"]["escalated_automatically"]
    step = shown["timeline"][-1]
    assert step["actor"] is None and step["data"]["party"] == "system"
    assert service.escalate_overdue(at=at) == 1  # the other one, now past its window too
    assert service.escalate_overdue(at=at) == 0


# -- decisions and their execution ---------------------------------------------------------------


def test_decision_and_revision_of_the_entry(w):
    """revise_entry: executing opens a draft revision of the entry with the decision as its
    reason; the entry's compiler edits and submits it; the coordinator closes the dispute."""
    made = escalated(w, raise_about_entry(w, kind="content"))
    assert refused("govshare_dispute_execute", w.gat_reviewer, id=made["id"])
    with pytest.raises(tk.ValidationError) as err:
        act("govshare_dispute_decide", w.sysadmin, id=made["id"], outcome="grant", reason="x")
    assert "outcome" in err.value.error_dict  # not for a content dispute
    decided = act("govshare_dispute_decide", w.sysadmin, id=made["id"],
                  outcome="revise_entry", reason="信息项描述有误，应予更正")
    assert decided["state"] == "decided" and decided["data"]["decision"]["outcome"] \
        == "revise_entry"
    assert decided["timeline"][-1]["data"]["party"] == "coordinator"
    done = act("govshare_dispute_execute", w.sysadmin, id=made["id"])
    assert done["state"] == "executed"
    rev = act("govshare_revision_show", w.samr_compiler,
              id=done["data"]["execution"]["revision_id"])
    assert rev["state"] == "draft" and rev["entry_id"] == w.entry["id"]
    assert made["number"] in rev["reason"] and "应予更正" in rev["reason"]
    act("govshare_revision_update", w.samr_compiler, id=rev["id"], notes="更正后的说明")
    assert act("govshare_revision_submit", w.samr_compiler, id=rev["id"])["state"] == \
        "in_review"
    assert refused("govshare_dispute_close", w.samr_reviewer, id=made["id"])
    closed = act("govshare_dispute_close", w.sysadmin, id=made["id"], reason="已更正")
    assert closed["state"] == "closed" and closed["assignee_role"] is None


def test_an_execution_that_fails_leaves_nothing(w):
    """A revision already in review cannot be reopened: the execution is refused as a whole
    and the dispute stays decided."""
    made = escalated(w, raise_about_entry(w, kind="content"))
    act("govshare_dispute_decide", w.sysadmin, id=made["id"], outcome="revise_entry",
        reason="应更正")
    rev = act("govshare_revision_create", w.samr_compiler, id=w.entry["id"], notes="另一修改")
    act("govshare_revision_submit", w.samr_compiler, id=rev["id"])
    with pytest.raises(tk.ValidationError):
        act("govshare_dispute_execute", w.sysadmin, id=made["id"])
    shown = act("govshare_dispute_show", w.sysadmin, id=made["id"])
    assert shown["state"] == "decided" and "execution" not in shown["data"]
    assert [r["action"] for r in shown["timeline"]] == ["created", "escalate", "decide"]


def test_a_refusal_overturned_grants_from_the_request(w):
    """grant on a refusal dispute: the authorization comes from the disputed request."""
    req = refused_request(w)
    made = act("govshare_dispute_create", w.requester, kind="refusal", request_id=req["id"],
               claim="数据已具备共享条件")
    escalated(w, made)
    act("govshare_dispute_decide", w.sysadmin, id=made["id"], outcome="grant",
        reason="具备共享条件，应予共享")
    done = act("govshare_dispute_execute", w.sysadmin, id=made["id"])
    execution = done["data"]["execution"]
    assert execution["request_id"] == req["id"]
    grant = model.Session.get(Authorization, execution["authorization_id"])
    assert (grant.request_id, grant.consumer_org, grant.provider_org) == (
        req["id"], w.gat["id"], w.samr["id"])
    assert grant.provision_method == "query"
    assert cases.get_case(req["id"]).state == "refused"  # the refusal stays on record


def test_a_refusal_confirmed_changes_nothing(w):
    """confirm_refusal: executed without creating anything."""
    req = refused_request(w)
    made = act("govshare_dispute_create", w.gat_reviewer, kind="refusal",
               request_id=req["id"], claim="理由不成立")
    escalated(w, made)
    act("govshare_dispute_decide", w.sysadmin, id=made["id"], outcome="confirm_refusal",
        reason="提供部门理由成立")
    done = act("govshare_dispute_execute", w.sysadmin, id=made["id"])
    assert done["data"]["execution"]["outcome"] == "confirm_refusal"
    assert "authorization_id" not in done["data"]["execution"]
    assert model.Session.query(Authorization).count() == 0


def test_a_share_attribute_grant_without_a_request(w):
    """grant on a catalogue dispute: the terms are required, then an access request is
    created already approved, and the authorization from it."""
    made = escalated(w, raise_about_entry(w, kind="share_attribute", user=w.gat_reviewer))
    with pytest.raises(tk.ValidationError) as err:
        act("govshare_dispute_decide", w.sysadmin, id=made["id"], outcome="grant",
            reason="应予共享")
    assert {"provision_method", "validity_days"} <= set(err.value.error_dict)
    with pytest.raises(tk.ValidationError) as err:
        act("govshare_dispute_decide", w.sysadmin, id=made["id"], outcome="grant",
            reason="应予共享", provision_method="query", validity_days=90, items=["没有"])
    assert "items" in err.value.error_dict
    items = [i["name"] for i in w.entry["info_items"][:2]]
    act("govshare_dispute_decide", w.sysadmin, id=made["id"], outcome="grant",
        reason="应予共享", provision_method="bulk", validity_days=180, items=items,
        persons=[w.requester["name"]])
    done = act("govshare_dispute_execute", w.sysadmin, id=made["id"])
    execution = done["data"]["execution"]
    approved = cases.get_case(execution["request_id"])
    assert (approved.kind, approved.state, approved.parent_id) == (
        "access_request", "approved", made["id"])
    assert approved.requester_org == w.gat["id"] and approved.target_org == w.samr["id"]
    grant = model.Session.get(Authorization, execution["authorization_id"])
    assert sorted(grant.items) == sorted(items) and grant.persons == [w.requester["id"]]
    assert grant.provision_method == "bulk"
    assert (grant.valid_until - grant.valid_from).days == 180


# -- attachments and lists -----------------------------------------------------------------------


def test_an_uploaded_attachment_is_kept_and_served_to_the_sides(w):
    """A file uploaded with the dispute is stored under the case and listed, without its
    bytes in the answer."""
    upload = FileStorage(stream=io.BytesIO(b"%PDF-1.4 minutes"), filename="会议纪要.pdf")
    made = raise_about_entry(w, attachment_upload=upload)
    record = made["attachments"][0]
    assert record["type"] == "file" and record["name"] == "会议纪要.pdf"
    assert "_content" not in record and record["size"] == 16
    path, name, mimetype = service.attachment_file(cases.get_case(made["id"]), record["id"])
    assert open(path, "rb").read() == b"%PDF-1.4 minutes" and mimetype == "application/pdf"
    assert os.path.dirname(path).endswith(made["id"])
    with pytest.raises(tk.ObjectNotFound):
        service.attachment_file(cases.get_case(made["id"]), "../../etc/passwd")


@pytest.mark.ckan_config("ckan.max_resource_size", "1")
def test_a_too_large_attachment_is_refused():
    """Uploads are limited to ckan.max_resource_size MB."""
    upload = FileStorage(stream=io.BytesIO(b"x" * (1024 * 1024 + 1)), filename="big.bin")
    with pytest.raises(tk.ValidationError) as err:
        service.parse_attachments({"attachment_upload": upload}, step="created", actor=None)
    assert "attachment" in err.value.error_dict
    fits = FileStorage(stream=io.BytesIO(b"x" * 1024), filename="small.bin")
    assert service.parse_attachments({"attachment_upload": fits}, step="created",
                                     actor=None)[0]["size"] == 1024


def test_lists_by_side_and_state(w):
    """Each side's list holds its disputes with due dates; filters by state."""
    first = raise_about_entry(w)
    second = escalated(w, raise_about_entry(w, kind="content"))
    raised = act("govshare_dispute_list", w.requester, side="raised")
    assert {r["id"] for r in raised["results"]} == {first["id"], second["id"]}
    received = act("govshare_dispute_list", w.samr_reviewer, side="received",
                   state="negotiating")
    assert [r["id"] for r in received["results"]] == [first["id"]]
    row = received["results"][0]
    assert row["due_at"] and row["days_left"] == 10 and row["overdue"] is False
    assert row["target_org_title"] == w.samr["title"]
    waiting = act("govshare_dispute_list", w.samr_reviewer, side="waiting")
    assert [r["id"] for r in waiting["results"]] == [first["id"]]
    assert act("govshare_dispute_list", w.gat_reviewer, side="coordinating")["count"] == 0
    paged = act("govshare_dispute_list", w.sysadmin, limit=1)
    assert paged["count"] == 2 and len(paged["results"]) == 1
    assert act("govshare_dispute_list", w.gat_reviewer, entry_id=w.entry["name"])["count"] == 2
    with pytest.raises(tk.ValidationError):
        act("govshare_dispute_list", w.gat_reviewer, side="mine")


# -- a configured coordinating department ---------------------------------------------------------


def coordinated_world() -> SimpleNamespace:
    """:func:`world` with the department ``gs-coordination`` and its coordinator."""
    w = world()
    w.coordination = F.department(2, name="gs-coordination", title="统筹协调组")
    w.coordinator = F.user(w.coordination, "coordinator")
    return w


@pytest.mark.ckan_config("ckanext.govshare.coordinating_department", "gs-coordination")
def test_a_coordinating_department_decides(fresh):
    """With a coordinating department, its coordinators decide; sysadmins do not."""
    w = fresh(coordinated_world)
    made = escalated(w, raise_about_entry(w))
    assert made["assignee_org"] == w.coordination["id"]
    assert act("govshare_dispute_show", w.coordinator, id=made["id"])["allowed_events"] == [
        "decide"]
    assert refused("govshare_dispute_decide", w.sysadmin, id=made["id"], outcome="dismiss",
                   reason="x")
    done = act("govshare_dispute_decide", w.coordinator, id=made["id"], outcome="dismiss",
               reason="数源认定无误")
    assert done["state"] == "decided"
    assert act("govshare_dispute_list", w.coordinator, side="coordinating")["count"] == 1


def test_revision_rows_are_untouched_without_execution(w):
    """Deciding alone changes nothing in the catalogue."""
    made = escalated(w, raise_about_entry(w, kind="content"))
    act("govshare_dispute_decide", w.sysadmin, id=made["id"], outcome="revise_entry",
        reason="应更正")
    assert model.Session.query(Revision).count() == 0
