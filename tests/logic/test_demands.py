"""Data demands (数据需求, DB14 §6.3, §9.2–9.3, Fig. B.1): filing, auth per role × step,
acceptance with a draft entry, transfer, refusal, withdrawal, fulfilment on publication, the
coordinator's routing, visibility, the lists by side and concurrent acceptance."""
from __future__ import annotations

import datetime
import threading
from types import SimpleNamespace

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories, helpers

from ckanext.govshare.lifecycle import deadlines
from ckanext.govshare.model import base as model_base
from ckanext.govshare.model.sharing import Case
from ckanext.govshare.sharing import cases, flows

from .. import lifecycle as L
from ..departments import department

# Wednesday 2026-09-30 10:00 in Beijing, the eve of National Day 2026 (10-1 … 10-7 off,
# Saturday 10-10 worked)
FILED_AT = datetime.datetime(2026, 9, 30, 2, 0, tzinfo=datetime.timezone.utc)


def build() -> SimpleNamespace:
    """:func:`L.world` (``org``: the requesting department; ``other``: the target, with
    ``other_reviewer`` and ``other_compiler`` of unit DJZCC), plus ``third`` with its
    ``third_reviewer`` and a ``requester``: a plain member of ``org``."""
    w = L.world()
    w.third = department()
    w.third_reviewer = factories.User()
    L.grant(w.third, w.third_reviewer, "reviewer")
    w.requester = w.member
    return w


@pytest.fixture
def world(fresh):
    return fresh(build)


def demand_data(w, **overrides):
    data = {
        "title": "企业用电信息", "description": "全省企业月度用电量",
        "target_org": w.other["id"], "scenario": "企业经营状况监测", "basis": "《优化营商环境条例》",
        "items": ["统一社会信用代码", "用电量"], "update_cycle": "monthly",
        "expected_date": "2099-12-31",
    }
    data.update(overrides)
    return data


def file_demand(w, who=None, **overrides):
    return L.act("govshare_demand_create", who or w.requester, **demand_data(w, **overrides))


def accept(w, demand, who=None, **overrides):
    data = {"id": demand["id"], "planned_date": "2099-06-30", "unit": "DJZCC"}
    data.update(overrides)
    return L.act("govshare_demand_accept", who or w.other_reviewer, **data)


def show(demand, who=None):
    return helpers.call_action("govshare_demand_show", L.site() if who is None else
                               {"user": who["name"], "ignore_auth": False}, id=demand["id"])


# -- filing --------------------------------------------------------------------------------------


class TestCreate:
    def test_filed_to_the_target_department(self, world, monkeypatch):
        """A member files: submitted, waiting on the target's reviewer, due after the demand
        reply limit (10 working days across National Day)."""
        w = world
        monkeypatch.setattr(model_base, "now", lambda: FILED_AT)
        demand = file_demand(w)
        assert demand["number"].startswith("XQ-2026-")
        assert demand["state"] == "submitted"
        assert demand["requester_org"] == w.org["id"]
        assert demand["target_org"] == w.other["id"]
        assert (demand["assignee_org"], demand["assignee_role"]) == (w.other["id"], "reviewer")
        assert demand["data"]["items"] == ["统一社会信用代码", "用电量"]
        assert demand["data"]["expected_date"] == "2099-12-31"
        # 10-8, 10-9, 10-10 (调休), 10-12 … 10-16, 10-19, 10-20
        assert datetime.datetime.fromisoformat(demand["due_at"]) == datetime.datetime(
            2026, 10, 20, 23, 59, 59, tzinfo=deadlines.SHANGHAI)
        assert demand["days_left"] == 10 and demand["overdue"] is False

    def test_items_as_text(self, world):
        """The 信息项 may come as one text, one per line or separated by 、 or commas."""
        demand = file_demand(world, items="统一社会信用代码\n用电量、缴费金额,用电量")
        assert demand["data"]["items"] == ["统一社会信用代码", "用电量", "缴费金额"]

    @pytest.mark.parametrize(("field", "value"), [
        ("scenario", ""), ("basis", " "), ("items", []), ("title", ""),
        ("update_cycle", "hourly"), ("expected_date", "2020-01-01"),
        ("expected_date", "next week"), ("target_org", "no-such-department"),
    ])
    def test_invalid(self, world, field, value):
        """The demand's elements are required and checked."""
        with pytest.raises(tk.ValidationError) as err:
            file_demand(world, **{field: value})
        assert field in err.value.error_dict

    def test_other_cycle_needs_its_text(self, world):
        with pytest.raises(tk.ValidationError) as err:
            file_demand(world, update_cycle="other")
        assert "update_cycle_other" in err.value.error_dict
        demand = file_demand(world, update_cycle="other", update_cycle_other="每旬")
        assert demand["data"]["update_cycle_other"] == "每旬"

    def test_unknown_target_goes_to_the_coordinator(self, world):
        """Without a target department the coordinator (here: the sysadmins) routes it."""
        demand = file_demand(world, target_org="unknown")
        assert demand["target_org"] is None
        assert demand["assignee_role"] == "coordinator" and demand["assignee_org"] is None
        assert demand["data"]["routed_by_coordinator"] is True

    def test_only_members_of_the_requesting_department_file(self, world):
        w = world
        assert L.refused("govshare_demand_create", w.outsider, **demand_data(w))
        assert L.refused("govshare_demand_create", w.other_reviewer,
                         **demand_data(w, requester_org=w.org["id"]))
        assert L.refused("govshare_demand_create", None, **demand_data(w))


# -- auth: role × step ---------------------------------------------------------------------------

STEPS = ("accept", "transfer", "refuse", "withdraw")
ACTORS = ("requester", "reviewer", "other_reviewer", "other_compiler", "third_reviewer",
          "outsider", "sysadmin")
#: who may take each step of a demand addressed to ``other`` (DB14 §9.3: the target
#: department answers; the requester withdraws; DB14 §5: the coordinator — the sysadmins when
#: no coordinating department is configured — routes demands)
ALLOWED = {
    "accept": {"other_reviewer"},
    "transfer": {"other_reviewer", "sysadmin"},
    "refuse": {"other_reviewer"},
    "withdraw": {"requester"},
}


def _with_demand():
    w = build()
    w.demand = file_demand(w)
    return w


@pytest.fixture
def matrix(fresh):
    return fresh(_with_demand)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("step", STEPS)
def test_auth(matrix, step, actor):
    """Only the role of the demand's table, relative to the demand, may take the step."""
    user = getattr(matrix, actor)
    try:
        tk.check_access(f"govshare_demand_{step}", {"user": user["name"]},
                        {"id": matrix.demand["id"]})
        allowed = True
    except tk.NotAuthorized:
        allowed = False
    assert allowed == (actor in ALLOWED[step])


# -- accepting -----------------------------------------------------------------------------------


class TestAccept:
    def test_creates_a_draft_of_the_unit(self, world):
        """The reviewer (no compiler) accepts: a draft of unit DJZCC is created as its
        compiler and linked; the demand waits on the unit until the planned date."""
        w = world
        demand = accept(w, file_demand(w))
        assert demand["state"] == "accepted"
        assert demand["data"]["planned_date"] == "2099-06-30"
        assert demand["data"]["unit"] == "DJZCC"
        assert (demand["assignee_org"], demand["assignee_role"]) == (w.other["id"], "compiler")
        assert datetime.datetime.fromisoformat(demand["due_at"]) == datetime.datetime(
            2099, 6, 30, 23, 59, 59, tzinfo=deadlines.SHANGHAI)
        entry = L.live(demand["entry_id"])
        assert entry["catalogue_state"] == "draft"
        assert entry["owner_org"] == w.other["id"] and entry["provider_unit"] == "DJZCC"
        assert entry["title"] == "企业用电信息"
        assert [i["name"] for i in entry["info_items"]] == ["统一社会信用代码", "用电量"]
        assert entry["update_cycle"] == "monthly"
        assert model.Package.get(entry["id"]).creator_user_id == w.other_compiler["id"]
        # the unit's compiler now finds it waiting on them
        assert [c.id for c in cases.open_cases_for(model.User.get(w.other_compiler["id"]),
                                                   [flows.DEMAND])] == [demand["id"]]

    def test_a_reviewer_who_compiles_creates_it_as_themself(self, world):
        w = world
        L.grant(w.other, w.third_reviewer, "reviewer")
        L.grant(w.other, w.third_reviewer, "compiler", units=["DJZCC"])
        demand = accept(w, file_demand(w), who=w.third_reviewer)
        assert model.Package.get(demand["entry_id"]).creator_user_id == w.third_reviewer["id"]

    def test_the_draft_passes_review_and_publication_fulfils(self, world):
        """The compiler completes nothing and submits; publication fulfils the demand."""
        w = world
        demand = accept(w, file_demand(w))
        L.act("govshare_catalogue_submit", w.other_compiler, id=demand["entry_id"])
        assert show(demand)["state"] == "accepted"
        L.act("govshare_catalogue_approve", w.other_reviewer, id=demand["entry_id"])
        done = show(demand)
        assert done["state"] == "fulfilled" and done["closed_at"] and done["due_at"] is None
        last = done["timeline"][-1]
        assert (last["action"], last["actor"], last["to_state"]) == ("fulfil", None, "fulfilled")
        assert done["entry"]["catalogue_state"] == "published"

    def test_linking_a_published_entry_fulfils_at_once(self, world):
        w = world
        entry = L.entry(w.other, w.other_compiler)
        L.act("govshare_catalogue_submit", w.other_compiler, id=entry["id"])
        L.act("govshare_catalogue_approve", w.other_reviewer, id=entry["id"])
        demand = accept(w, file_demand(w), entry_id=entry["name"])
        assert demand["entry_id"] == entry["id"]
        assert show(demand)["state"] == "fulfilled"

    def test_an_entry_of_another_department_is_not_linked(self, world):
        w = world
        entry = L.entry(w.org, w.compiler)
        with pytest.raises(tk.ValidationError) as err:
            accept(w, file_demand(w), entry_id=entry["id"])
        assert "entry_id" in err.value.error_dict

    def test_unit_without_compiler(self, world):
        """A unit nobody compiles for gets no draft: the reviewer grants the role first."""
        w = world
        demand = file_demand(w)
        with pytest.raises(tk.ValidationError) as err:
            accept(w, demand, unit="XXZX")
        assert "unit" in err.value.error_dict
        with pytest.raises(tk.ValidationError) as err:
            accept(w, demand, unit="NOPE")
        assert "unit" in err.value.error_dict
        with pytest.raises(tk.ValidationError) as err:
            accept(w, demand, compiler=w.outsider["name"])
        assert "compiler" in err.value.error_dict
        assert show(demand)["state"] == "submitted"

    def test_a_refused_draft_leaves_the_demand_as_it_was(self, world):
        """The department already has an entry of that title: package_create's error, and
        neither the acceptance nor an entry is kept."""
        w = world
        taken = L.entry(w.other, w.other_compiler)
        demand = file_demand(w)
        before = model.Session.query(model.Package).count()
        with pytest.raises(tk.ValidationError) as err:
            accept(w, demand, entry_title=taken["title"])
        assert "title" in err.value.error_dict
        model.Session.remove()
        assert show(demand)["state"] == "submitted"
        assert [e["action"] for e in show(demand)["timeline"]] == ["created"]
        assert model.Session.query(model.Package).count() == before
        assert accept(w, demand)["state"] == "accepted"

    def test_planned_date_required_and_not_past(self, world):
        w = world
        demand = file_demand(w)
        for value in ("", "2001-01-01"):
            with pytest.raises(tk.ValidationError) as err:
                accept(w, demand, planned_date=value)
            assert "planned_date" in err.value.error_dict

    def test_only_once(self, world):
        w = world
        demand = accept(w, file_demand(w))
        with pytest.raises(tk.ValidationError) as err:
            accept(w, demand)
        assert "state" in err.value.error_dict


def test_concurrent_acceptance(world):
    """Two reviewers accept at once: exactly one wins, one draft exists, one audit row."""
    w = world
    L.grant(w.other, w.third_reviewer, "reviewer")
    demand = file_demand(w)
    drafts_before = model.Session.query(model.Package).count()
    model.Session.remove()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run(user):
        try:
            barrier.wait()
            accept(w, demand, who=user)
            outcomes.append("ok")
        except tk.ValidationError as err:
            outcomes.append("refused" if "state" in err.error_dict else repr(err))
        except Exception as err:  # noqa: BLE001 - reported in the assertion
            outcomes.append(repr(err))
        finally:
            model.Session.remove()

    threads = [threading.Thread(target=run, args=(u,))
               for u in (w.other_reviewer, w.third_reviewer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["ok", "refused"]
    assert model.Session.query(model.Package).count() == drafts_before + 1
    assert [e["action"] for e in show(demand)["timeline"]] == ["created", "accept"]


# -- transfer, refuse, withdraw ------------------------------------------------------------------


class TestTransfer:
    def test_to_another_department(self, world, monkeypatch):
        """The target's reviewer transfers with a reason; the new department's clock starts
        and the old reviewer has no say any more."""
        w = world
        demand = file_demand(w)
        later = model_base.now() + datetime.timedelta(days=3)
        monkeypatch.setattr(model_base, "now", lambda: later)
        moved = L.act("govshare_demand_transfer", w.other_reviewer, id=demand["id"],
                      target_org=w.third["name"], reason="数据由第三部门掌握")
        assert moved["state"] == "submitted" and moved["target_org"] == w.third["id"]
        assert (moved["assignee_org"], moved["assignee_role"]) == (w.third["id"], "reviewer")
        assert moved["due_at"] > demand["due_at"]
        row = show(moved)["timeline"][-1]
        assert row["action"] == "transfer" and row["comment"] == "数据由第三部门掌握"
        assert row["data"] == {"from_org": w.other["id"], "to_org": w.third["id"]}
        assert L.refused("govshare_demand_accept", w.other_reviewer, id=demand["id"],
                         planned_date="2099-01-01", unit="DJZCC")
        assert show(moved, w.third_reviewer)["allowed_events"] == ["accept", "transfer",
                                                                   "refuse"]

    def test_needs_a_reason_and_another_department(self, world):
        w = world
        demand = file_demand(w)
        with pytest.raises(tk.ValidationError) as err:
            L.act("govshare_demand_transfer", w.other_reviewer, id=demand["id"],
                  target_org=w.third["id"], reason="")
        assert "reason" in err.value.error_dict
        with pytest.raises(tk.ValidationError) as err:
            L.act("govshare_demand_transfer", w.other_reviewer, id=demand["id"],
                  target_org=w.other["id"], reason="x")
        assert "target_org" in err.value.error_dict

    def test_sysadmins_route_an_unaddressed_demand(self, world):
        """No coordinating department configured: the sysadmins are the coordinator."""
        w = world
        demand = file_demand(w, target_org="")
        assert not L.refused("govshare_demand_transfer", w.sysadmin, id=demand["id"],
                             target_org=w.other["id"], reason="数源部门")
        assert show(demand)["assignee_org"] == w.other["id"]
        assert L.refused("govshare_demand_accept", w.sysadmin, id=demand["id"],
                         planned_date="2099-01-01", unit="DJZCC")

    @pytest.mark.ckan_config("ckanext.govshare.coordinating_department", "")
    def test_nobody_but_the_coordinator_routes(self, world):
        w = world
        demand = file_demand(w, target_org="unknown")
        for who in (w.reviewer, w.other_reviewer, w.requester):
            assert L.refused("govshare_demand_transfer", who, id=demand["id"],
                             target_org=w.other["id"], reason="x")


@pytest.fixture
def coordinated(fresh):
    def build_coordinated():
        w = build()
        w.coord_dept = department(name="coordinating-office")
        w.coord = factories.User()
        L.grant(w.coord_dept, w.coord, "coordinator")
        return w
    return fresh(build_coordinated)


@pytest.mark.ckan_config("ckanext.govshare.coordinating_department", "coordinating-office")
def test_the_coordinating_department_routes(coordinated):
    """With a coordinating department, its coordinators route unaddressed demands (and the
    demand waits on them), the sysadmins do not."""
    w = coordinated
    demand = file_demand(w, target_org="unknown")
    assert (demand["assignee_org"], demand["assignee_role"]) == (
        w.coord_dept["id"], "coordinator")
    assert [c.id for c in cases.open_cases_for(model.User.get(w.coord["id"]))] == [
        demand["id"]]
    assert L.refused("govshare_demand_transfer", w.sysadmin, id=demand["id"],
                     target_org=w.other["id"], reason="x")
    moved = L.act("govshare_demand_transfer", w.coord, id=demand["id"],
                  target_org=w.other["id"], reason="数源部门为其他部门")
    assert moved["target_org"] == w.other["id"]
    # the coordinators see every demand
    assert show(file_demand(w), w.coord)["state"] == "submitted"


class TestRefuseAndWithdraw:
    def test_refuse_with_a_reason_code(self, world):
        w = world
        demand = file_demand(w)
        with pytest.raises(tk.ValidationError) as err:
            L.act("govshare_demand_refuse", w.other_reviewer, id=demand["id"], code="because",
                  reason="x")
        assert "code" in err.value.error_dict
        with pytest.raises(tk.ValidationError) as err:
            L.act("govshare_demand_refuse", w.other_reviewer, id=demand["id"], code="not_ours")
        assert "reason" in err.value.error_dict
        done = L.act("govshare_demand_refuse", w.other_reviewer, id=demand["id"],
                     code="not_ours", reason="本部门不掌握用电数据")
        assert done["state"] == "refused" and done["data"]["refusal_code"] == "not_ours"
        assert done["closed_at"] and done["due_at"] is None and done["assignee_role"] is None

    def test_withdraw(self, world):
        w = world
        demand = accept(w, file_demand(w))
        done = L.act("govshare_demand_withdraw", w.requester, id=demand["id"], reason="不再需要")
        assert done["state"] == "withdrawn" and done["closed_at"]
        # the draft stays with its department
        assert L.live(demand["entry_id"])["catalogue_state"] == "draft"

    def test_nothing_after_refusal(self, world):
        w = world
        demand = file_demand(w)
        L.act("govshare_demand_refuse", w.other_reviewer, id=demand["id"], code="law",
              reason="法律不允许")
        with pytest.raises(tk.ValidationError):
            L.act("govshare_demand_withdraw", w.requester, id=demand["id"])


# -- visibility and lists ------------------------------------------------------------------------


def test_who_sees_a_demand(world):
    """The requester, both departments' members and sysadmins; nobody else."""
    w = world
    demand = file_demand(w)
    for who in (w.requester, w.reviewer, w.compiler, w.other_reviewer, w.other_compiler,
                w.sysadmin):
        assert show(demand, who)["id"] == demand["id"]
    for who in (w.outsider, w.third_reviewer):
        with pytest.raises(tk.NotAuthorized):
            show(demand, who)
    assert show(demand, w.other_reviewer)["allowed_events"] == ["accept", "transfer", "refuse"]
    assert show(demand, w.requester)["allowed_events"] == ["withdraw"]
    assert show(demand, w.compiler)["allowed_events"] == []


def test_the_requester_sees_no_draft_of_another_department(world):
    w = world
    demand = accept(w, file_demand(w))
    assert show(demand, w.requester)["entry"] == {"id": demand["entry_id"]}
    assert show(demand, w.other_reviewer)["entry"]["catalogue_state"] == "draft"


def _numbers(result):
    return [r["number"] for r in result["results"]]


def test_lists_by_side(world, monkeypatch):
    """mine / handle / department, state and overdue filters, due dates and days left."""
    w = world
    monkeypatch.setattr(model_base, "now", lambda: FILED_AT)
    first = file_demand(w, title="需求一")
    second = file_demand(w, title="需求二", target_org=w.third["id"])
    third = file_demand(w, who=w.other_compiler, title="需求三", target_org=w.org["id"])

    def listed(who, **params):
        return L.act("govshare_demand_list", who, **params)

    assert set(_numbers(listed(w.requester, side="mine"))) == {first["number"],
                                                                second["number"]}
    assert _numbers(listed(w.other_reviewer, side="handle")) == [first["number"]]
    assert _numbers(listed(w.reviewer, side="handle")) == [third["number"]]
    everything = listed(w.compiler, side="department")
    assert everything["count"] == 3
    assert _numbers(listed(w.third_reviewer)) == [second["number"]]
    assert listed(w.outsider)["count"] == 0
    assert listed(w.sysadmin)["count"] == 3
    assert _numbers(listed(w.compiler, organization_id=w.third["name"])) == [second["number"]]
    row = listed(w.requester, side="mine")["results"][0]
    assert row["days_left"] == 10 and row["overdue"] is False
    assert row["requester_org_title"] == w.org["title"]
    L.act("govshare_demand_refuse", w.other_reviewer, id=first["id"], code="other", reason="x")
    assert _numbers(listed(w.requester, state="refused")) == [first["number"]]
    assert set(_numbers(listed(w.requester, state="open"))) == {second["number"],
                                                                 third["number"]}
    assert listed(w.other_reviewer, side="handle")["count"] == 0
    # two months later the open ones are overdue
    later = FILED_AT + datetime.timedelta(days=60)
    monkeypatch.setattr(model_base, "now", lambda: later)
    overdue = listed(w.compiler, overdue=True)
    assert set(_numbers(overdue)) == {second["number"], third["number"]}
    assert all(r["overdue"] and r["days_left"] < 0 for r in overdue["results"])
    # the open ones first, soonest due first; a page past the end still counts them
    page = listed(w.compiler, limit=1, offset=5)
    assert page["count"] == 3 and page["results"] == []


def test_list_is_one_query(world):
    w = world
    for n in range(3):
        file_demand(w, title=f"需求{n}")
    model.Session.remove()
    statements: list[str] = []
    engine = model.Session.get_bind()

    def count(conn, cursor, statement, *args):
        if "govshare_case" in statement:
            statements.append(statement)

    import sqlalchemy as sa

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        result = L.act("govshare_demand_list", w.compiler)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert result["count"] == 3
    assert len(statements) == 1


def test_cases_hold_the_audit(world):
    """Every step appends to the sharing audit (append-only), with its actor."""
    w = world
    demand = accept(w, file_demand(w))
    rows = show(demand)["timeline"]
    assert [(r["action"], r["actor"]) for r in rows] == [
        ("created", w.requester["id"]), ("accept", w.other_reviewer["id"])]
    assert model.Session.get(Case, demand["id"]).kind == "demand"
