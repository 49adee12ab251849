"""``govshare_assessment_show``: the four dimensions of DB14 §7.4 目录编制考核, weights,
periods and who may see a department's assessment."""
from __future__ import annotations

import datetime

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa

from ckanext.govshare import demo
from ckanext.govshare.assessment import service
from ckanext.govshare.lifecycle import deadlines
from ckanext.govshare.lifecycle import queries as lifecycle_queries
from ckanext.govshare.model import base as model_base

from .. import assessment as A
from .. import factories as f
from .. import lifecycle as L


@pytest.fixture
def world(fresh):
    return fresh(L.world)


def _show(w, **data):
    return L.act("govshare_assessment_show", w.reviewer, organization_id=w.org["id"], **data)


def _publish(w, entry):
    L.act("govshare_catalogue_submit", w.compiler, id=entry["id"])
    L.act("govshare_catalogue_approve", w.reviewer, id=entry["id"])


def test_empty_department(world):
    """No entries: no unit covered, no score for the entry-based dimensions."""
    result = _show(world)
    assert result["comprehensiveness"]["score"] == 0.0
    assert result["completeness"]["score"] is None and result["accuracy"]["score"] is None
    assert result["timeliness"]["score"] is None


def test_comprehensiveness_counts_units(world):
    """全面性: one of the department's three units has entries; business matters are not
    declared, so their coverage is null with a note and the units alone make the score."""
    L.entry(world.org, world.compiler)
    c = _show(world)["comprehensiveness"]
    assert (c["units"], c["units_with_entries"], c["score"]) == (3, 1, 0.3333)
    assert c["business_matters"] is None and "business matters" in c["business_matters_note"]


def test_business_matters_share(world):
    """全面性: the share of the declared business matters that some entry names (spacing and
    punctuation do not count), averaged with the units' share; a unit is scored on units."""
    A.declare(world.org, ["企业设立、变更、注销登记", "经营异常名录管理", "广告监测", "计量器具强制检定"])
    L.entry(world.org, world.compiler, business_matters=["企业设立 变更 注销登记"])
    L.entry(world.org, world.compiler, business_matters=["经营异常名录管理", "其他事项"])
    c = _show(world)["comprehensiveness"]
    assert c["business_matters"] == {"declared": 4, "covered": 2, "score": 0.5,
                                     "uncovered": ["广告监测", "计量器具强制检定"]}
    assert "business_matters_note" not in c
    assert c["units_score"] == 0.3333 and c["score"] == round((0.3333 + 0.5) / 2, 4)
    unit = _show(world, unit="DJZCC")["comprehensiveness"]
    assert unit["business_matters"] is None and unit["score"] == 1.0
    assert "unit" in unit["business_matters_note"]


def test_business_matters_of_other_departments_do_not_count(world):
    """Only the department's own entries cover its business matters."""
    A.declare(world.org, ["企业设立、变更、注销登记"])
    L.entry(world.other, world.other_compiler, business_matters=["企业设立、变更、注销登记"])
    assert _show(world)["comprehensiveness"]["business_matters"]["covered"] == 0


def test_demo_department_partially_covered(clean_db):
    """The demo's market-regulation department declares business matters its entries cover
    only in part."""
    org = f.department(f.SAMR)
    for n in range(len(demo.TEMPLATES[org["name"]])):
        f.create_entry(which=(f.SAMR, n))
    sysadmin = f.user()
    model.User.get(sysadmin["id"]).sysadmin = True
    model.Session.commit()
    m = L.act("govshare_assessment_show", sysadmin,
              organization_id=org["id"])["comprehensiveness"]["business_matters"]
    assert m["declared"] == len(demo.DEPARTMENTS[f.SAMR]["business_matters"])
    assert 0 < m["covered"] < m["declared"] and m["uncovered"] == ["计量器具强制检定", "广告监测"]


def test_unit_scope(world):
    """A unit's assessment covers only its own entries."""
    L.entry(world.org, world.compiler)
    assert _show(world, unit="DJZCC")["comprehensiveness"]["score"] == 1.0
    assert _show(world, unit="BGS")["completeness"]["entries"] == 0


def test_complete_and_accurate_entry(world):
    """完整性 and 准确性 are 1 for a complete entry that passes every rule."""
    L.entry(world.org, world.compiler)
    result = _show(world)
    assert result["completeness"]["score"] == 1.0
    assert result["accuracy"] == {"score": 1.0, "entries": 1, "passing": 1, "corrected": 0}


def test_completeness_of_missing_parts():
    """An entry without 信息项 and resources loses those parts; not_shared needs no resources."""
    full = {f: "x" for f in service.RECOMMENDED_FIELDS + ("title",)}
    assert service.completeness_of(dict(full, info_items=[{"name": "a"}])) < 1.0
    bare = service.completeness_of({"share_type": "not_shared"})
    with_items = service.completeness_of({"share_type": "not_shared", "info_items": [{}]})
    assert with_items - bare == pytest.approx(0.5)


def test_accuracy_counts_rule_failures(world, monkeypatch):
    """准确性: an entry that no longer passes the rules (the grade policy was tightened after it
    was stored) counts as failing."""
    L.entry(world.org, world.compiler, title="合格条目", data_grade="G1",
            info_items=[dict(i, grade="G1") for i in L.entry_dict(world.org)["info_items"]])
    L.entry(world.org, world.compiler, title="不合格条目")  # unconditional, G2
    # from now on G2 may not be shared unconditionally: the second entry breaks the rule
    monkeypatch.setitem(tk.config, "ckanext.govshare.grade.restricted_from", "G2")
    accuracy = _show(world)["accuracy"]
    assert (accuracy["passing"], accuracy["entries"], accuracy["score"]) == (1, 2, 0.5)


def test_timeliness_review_in_time_and_fresh(world):
    """时效性: a review decided at once is in time; the just-published entry is fresh."""
    entry = L.entry(world.org, world.compiler)
    _publish(world, entry)
    t = _show(world)["timeliness"]
    assert t["reviews"] == {"decided": 1, "in_time": 1, "open_overdue": 0, "score": 1.0}
    assert t["updates"]["published"] == 1 and t["updates"]["within_cycle"] == 1
    assert t["score"] == 1.0


def _published_long_ago(w, monkeypatch, days=400):
    """An entry compiled and published ``days`` ago: the lifecycle's clock is moved back while
    it is published (the audit trail is append-only), the dataset's own dates afterwards."""
    then = model_base.now() - datetime.timedelta(days=days)
    with monkeypatch.context() as m:
        m.setattr(model_base, "now", lambda: then)
        entry = L.entry(w.org, w.compiler)
        _publish(w, entry)
    back = {"back": datetime.timedelta(days=days), "id": entry["id"]}
    model.Session.execute(sa.text(
        "UPDATE package SET metadata_created = metadata_created - :back,"
        " metadata_modified = metadata_modified - :back WHERE id = :id"), back)
    model.Session.execute(sa.text(
        "UPDATE resource SET created = created - :back, metadata_modified = metadata_modified"
        " - :back, last_modified = last_modified - :back WHERE package_id = :id"), back)
    model.Session.commit()
    return entry


def test_lifecycle_decision_is_not_a_data_update(world, monkeypatch):
    """An approval (an offline request refused) bumps metadata_modified, not the last data
    update: a daily entry last updated a year ago stays out of its cycle."""
    entry = _published_long_ago(world, monkeypatch)
    assert lifecycle_queries.last_data_updates([entry["id"]])[entry["id"]] < (
        model_base.now() - datetime.timedelta(days=399))
    L.act("govshare_catalogue_request_offline", world.compiler, id=entry["id"], reason="停用")
    L.act("govshare_catalogue_reject_offline", world.reviewer, id=entry["id"], reason="仍需共享")
    assert L.state(entry["id"]) == "published"
    updates = _show(world)["timeliness"]["updates"]
    assert updates["published"] == 1 and updates["within_cycle"] == 0
    assert updates["freshness"] == {"delinquent": 1}


def test_approved_revision_is_a_data_update(world, monkeypatch):
    """An approved revision of the metadata is a data update: the entry is fresh again."""
    entry = _published_long_ago(world, monkeypatch)
    rev = L.act("govshare_revision_create", world.compiler, id=entry["id"], notes="新的摘要")
    L.act("govshare_revision_submit", world.compiler, id=rev["id"])
    L.act("govshare_revision_approve", world.reviewer, id=rev["id"])
    assert _show(world)["timeliness"]["updates"]["within_cycle"] == 1


def test_timeliness_open_overdue_review(world):
    """A review still open past its due time counts against timeliness."""
    entry = L.entry(world.org, world.compiler)
    L.act("govshare_catalogue_submit", world.compiler, id=entry["id"])
    past = model_base.now() - datetime.timedelta(days=1)
    model.Session.execute(sa.text("UPDATE govshare_lifecycle SET due_at = :at WHERE entry_id = :id"),
                          {"at": past, "id": entry["id"]})
    model.Session.commit()
    t = _show(world)["timeliness"]
    assert t["reviews"]["open_overdue"] == 1 and t["score"] == 0.0


def test_late_decision_counted_late():
    """A decision after the working-day limit is late (pure audit-row walk)."""
    from types import SimpleNamespace as Row

    tz = datetime.timezone.utc
    opened = datetime.datetime(2026, 9, 30, 2, tzinfo=tz)  # before National Day
    rows = [Row(entry_id="e", to_state="in_review", at=opened),
            Row(entry_id="e", to_state="published", at=datetime.datetime(2026, 10, 9, 2, tzinfo=tz)),
            Row(entry_id="f", to_state="in_review", at=opened),
            Row(entry_id="f", to_state="published", at=datetime.datetime(2026, 10, 20, 2, tzinfo=tz))]
    start, end = datetime.datetime(2026, 10, 1, tzinfo=tz), datetime.datetime(2026, 11, 1, tzinfo=tz)
    def due(clock, at):
        assert (clock, at) == ("review", opened)
        # 5 working days over National Day 2026: 10-8, 10-9, Saturday 10-10 (调休), 10-12, 10-13
        return datetime.datetime(2026, 10, 13, 23, 59, 59, tzinfo=deadlines.SHANGHAI)

    assert service._review_timeliness(rows, start, end, due) == (1, 2)


@pytest.mark.parametrize("last_official_year, in_time", [("", 1), ("2025", 0)])
def test_review_timeliness_on_the_configured_calendar(world, monkeypatch, ckan_config,
                                                      last_official_year, in_time):
    """Review timeliness counts on the configured calendar, like the steps' due_at: with 2025
    as the last official year, 2026's National Day week counts Monday–Friday and a decision
    on the 7th working day after 30 September is late."""
    monkeypatch.setitem(ckan_config, "ckanext.govshare.calendar.last_official_year",
                        last_official_year)
    entry = L.entry(world.org, world.compiler)
    tz = datetime.timezone.utc
    with monkeypatch.context() as m:
        m.setattr(model_base, "now", lambda: datetime.datetime(2026, 9, 30, 2, tzinfo=tz))
        L.act("govshare_catalogue_submit", world.compiler, id=entry["id"])
        m.setattr(model_base, "now", lambda: datetime.datetime(2026, 10, 9, 2, tzinfo=tz))
        L.act("govshare_catalogue_approve", world.reviewer, id=entry["id"])
    reviews = _show(world, period="2026-10")["timeliness"]["reviews"]
    assert (reviews["decided"], reviews["in_time"]) == (1, in_time)


@pytest.mark.ckan_config("ckanext.govshare.assessment.weights", "accuracy:1")
def test_weights(world):
    """The overall score follows the configured weights (here accuracy alone)."""
    L.entry(world.org, world.compiler)
    result = _show(world)
    assert result["weights"]["accuracy"] == 1.0 and result["score"] == result["accuracy"]["score"]


def test_overall_score_skips_missing_dimensions():
    """A dimension without data drops out and the weights are renormalized."""
    dims = {"a": {"score": 1.0}, "b": {"score": None}, "c": {"score": 0.5}}
    assert service.score(dims, {"a": 0.25, "b": 0.5, "c": 0.25}) == 0.75


@pytest.mark.parametrize("period,start", [("2026", "2026-01-01"), ("2026-11", "2026-11-01"),
                                          ("2026-Q4", "2026-10-01")])
def test_periods(world, period, start):
    """Periods are years, months or quarters in Beijing time."""
    result = _show(world, period=period)
    assert result["period"] == period and result["period_start"].startswith(start)


@pytest.mark.parametrize("data,field", [({"period": "2026-13"}, "period"),
                                        ({"period": "last month"}, "period"),
                                        ({"unit": "NOPE"}, "unit")])
def test_invalid_input(world, data, field):
    """A bad period or a unit of another department: a validation error in one language (the
    default locale's, English here) naming the field."""
    with pytest.raises(tk.ValidationError) as err:
        _show(world, **data)
    message = err.value.error_dict[field][0]
    assert f"({field})" in message and " / " not in message


@pytest.mark.parametrize("who,allowed", [("reviewer", True), ("compiler", True), ("member", True),
                                         ("sysadmin", True), ("other_reviewer", False),
                                         ("outsider", False), ("anonymous", False)])
def test_auth(world, who, allowed):
    """Members of the department (and sysadmins) only."""
    user = None if who == "anonymous" else getattr(world, who)
    assert L.refused("govshare_assessment_show", user,
                     organization_id=world.org["id"]) is not allowed
