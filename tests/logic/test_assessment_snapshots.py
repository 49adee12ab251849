"""Monthly assessment snapshots (DB14 §7.4 目录编制考核): storing, replacing, listing, the trend
of ``govshare_assessment_show`` and who may store or read them."""
from __future__ import annotations

import datetime

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan.tests import factories

from ckanext.govshare.assessment import service
from ckanext.govshare.lifecycle import deadlines
from ckanext.govshare.model import base as model_base

from .. import lifecycle as L


def _world():
    w = L.world()
    w.admin = factories.User()
    tk.get_action("organization_member_create")(L.site(), {
        "id": w.org["id"], "username": w.admin["name"], "role": "admin"})
    return w


@pytest.fixture
def world(fresh):
    return fresh(_world)


def _snap(w, user=None, **data):
    return L.act("govshare_assessment_snapshot_create", user or w.reviewer,
                 organization_id=w.org["id"], **data)


def _rows() -> int:
    return model.Session.execute(sa.text("SELECT count(*) FROM govshare_assessment_snapshot")).scalar()


def test_snapshot_stores_department_and_units(world):
    """One row for the department and one per unit, with scores, counts, weights and an
    aware taken_at."""
    L.entry(world.org, world.compiler)
    result = _snap(world, period="2026-10")
    assert result["period"] == "2026-10" and result["count"] == 4
    dept, *units = result["results"]
    assert dept["unit"] is None and [u["unit"] for u in units] == ["BGS", "DJZCC", "XXZX"]
    assert dept["counts"]["entries"] == 1 and dept["counts"]["units_with_entries"] == 1
    assert dept["comprehensiveness"] == 0.3333 and dept["weights"]["accuracy"] == 0.25
    djzcc = units[1]
    assert djzcc["comprehensiveness"] == 1.0 and djzcc["counts"]["entries"] == 1
    taken = datetime.datetime.fromisoformat(dept["taken_at"])
    assert taken.tzinfo is not None and dept["taken_by"] == world.reviewer["id"]


def test_snapshot_again_replaces_the_month(world):
    """Taking the same month again replaces its rows (one per department, unit and month)."""
    first = _snap(world, period="2026-10")["results"][0]
    L.entry(world.org, world.compiler)
    again = _snap(world, period="2026-10")["results"][0]
    assert _rows() == 4
    assert first["counts"]["entries"] == 0 and again["counts"]["entries"] == 1
    assert again["taken_at"] >= first["taken_at"]


def test_snapshot_drops_units_the_department_no_longer_has(world):
    """A unit removed from the department loses its row when the month is taken again."""
    _snap(world, period="2026-10")
    tk.get_action("organization_patch")(L.site(), {"id": world.org["id"], "units": [
        {"code": "DJZCC", "name": "登记注册处"}, {"code": "BGS", "name": "办公室"}]})
    result = _snap(world, period="2026-10")
    assert [r["unit"] for r in result["results"]] == [None, "BGS", "DJZCC"] and _rows() == 3


def test_default_period_is_previous_month_in_beijing(world, monkeypatch):
    """Without a period: the month before the current one in Beijing time (here 1 March in
    Beijing, still February in UTC)."""
    at = datetime.datetime(2026, 3, 1, 0, 30, tzinfo=deadlines.SHANGHAI)
    monkeypatch.setattr(model_base, "now", lambda: at.astimezone(datetime.timezone.utc))
    assert _snap(world)["period"] == "2026-02"


@pytest.mark.parametrize("period", ["2026", "2026-Q3", "2026-13", "last month", "2099-01"])
def test_snapshot_period_must_be_a_past_or_current_month(world, period):
    """Snapshots are monthly, of a month that has begun: an error on ``period``."""
    with pytest.raises(tk.ValidationError) as err:
        _snap(world, period=period)
    message = err.value.error_dict["period"][0]
    assert "(period)" in message and " / " not in message
    assert _rows() == 0


def test_list_is_a_series_oldest_first(world):
    """The list returns the department's series in month order, whatever order they were
    taken in; filters by unit and month range."""
    for period in ("2026-09", "2026-07", "2026-08"):
        _snap(world, period=period)
    series = L.act("govshare_assessment_snapshot_list", world.member,
                   organization_id=world.org["id"])
    assert [r["period"] for r in series["results"]] == ["2026-07", "2026-08", "2026-09"]
    assert {r["unit"] for r in series["results"]} == {None}
    unit = L.act("govshare_assessment_snapshot_list", world.member, organization_id=world.org["id"],
                 unit="DJZCC", period_from="2026-08")
    assert [(r["unit"], r["period"]) for r in unit["results"]] == [("DJZCC", "2026-08"),
                                                                  ("DJZCC", "2026-09")]
    everything = L.act("govshare_assessment_snapshot_list", world.member,
                       organization_id=world.org["id"], include_units=True, period_to="2026-07")
    assert everything["count"] == 4


@pytest.mark.ckan_config("ckanext.govshare.assessment.trend_months", 2)
def test_show_trend_last_months_in_order(world):
    """``govshare_assessment_show`` carries the stored snapshots of the configured number of
    months ending with the period assessed, oldest first; a unit gets its own series."""
    for period in ("2026-09", "2026-07", "2026-08", "2026-10"):
        _snap(world, period=period)
    trend = L.act("govshare_assessment_show", world.member, organization_id=world.org["id"],
                  period="2026-09")["trend"]
    assert [t["period"] for t in trend] == ["2026-08", "2026-09"]
    assert set(trend[0]) == {"period", *service.SCORES, "taken_at"}
    unit = L.act("govshare_assessment_show", world.member, organization_id=world.org["id"],
                 period="2026-10", unit="BGS")["trend"]
    assert [t["period"] for t in unit] == ["2026-09", "2026-10"]
    # a quarter's trend ends with its last month (2026-12): no snapshot in Nov–Dec yet
    assert L.act("govshare_assessment_show", world.member, organization_id=world.org["id"],
                 period="2026-Q4")["trend"] == []


def test_show_without_snapshots_has_an_empty_trend(world):
    """No snapshot stored yet: an empty trend, not an error."""
    assert L.act("govshare_assessment_show", world.member,
                 organization_id=world.org["id"])["trend"] == []


@pytest.mark.parametrize("who,allowed", [
    ("sysadmin", True), ("admin", True), ("reviewer", True), ("coordinator", True),
    ("compiler", False), ("member", False), ("other_reviewer", False), ("outsider", False),
    ("anonymous", False)])
def test_auth_create(world, who, allowed):
    """Sysadmins, the department's administrators, reviewers and coordinators store it."""
    user = None if who == "anonymous" else getattr(world, who)
    assert L.refused("govshare_assessment_snapshot_create", user,
                     organization_id=world.org["id"], period="2026-10") is not allowed


@pytest.mark.parametrize("who,allowed", [
    ("sysadmin", True), ("reviewer", True), ("compiler", True), ("member", True),
    ("other_reviewer", False), ("outsider", False), ("anonymous", False)])
def test_auth_list(world, who, allowed):
    """Members of the department read its snapshots."""
    user = None if who == "anonymous" else getattr(world, who)
    assert L.refused("govshare_assessment_snapshot_list", user,
                     organization_id=world.org["id"]) is not allowed


@pytest.mark.parametrize("who,allowed", [("sysadmin", True), ("reviewer", False),
                                         ("outsider", False)])
def test_auth_list_all_departments(world, who, allowed):
    """Every department's snapshots at once: sysadmins only."""
    assert L.refused("govshare_assessment_snapshot_list", getattr(world, who)) is not allowed


@pytest.mark.usefixtures("clean_db")
def test_table_keeps_one_row_per_month():
    """The table itself refuses a second row of a department, unit and month, and a period
    that is not a month."""
    insert = ("INSERT INTO govshare_assessment_snapshot (id, org_id, unit, period) "
              "VALUES (:id, 'o', '', :period)")
    with model.meta.engine.connect() as conn:
        tx = conn.begin()
        try:
            conn.execute(sa.text(insert), {"id": "a", "period": "2026-01"})
            with pytest.raises(sa.exc.IntegrityError):
                with conn.begin_nested():
                    conn.execute(sa.text(insert), {"id": "b", "period": "2026-01"})
            with pytest.raises(sa.exc.IntegrityError):
                with conn.begin_nested():
                    conn.execute(sa.text(insert), {"id": "c", "period": "2026-13"})
        finally:
            tx.rollback()
