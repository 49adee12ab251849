"""``ckan govshare assessment snapshot`` and ``ckan govshare assessment export``: the cron path
of the monthly snapshots and the XLSX workbook, read back with openpyxl."""
from __future__ import annotations

import openpyxl
import pytest
from ckan.cli.cli import ckan

from ckanext.govshare.assessment import export as x
from ckanext.govshare.assessment import service

from .. import assessment as A
from .. import lifecycle as L


@pytest.fixture
def world(fresh):
    return fresh(A.world)


def _header(key: str) -> str:
    zh, en = {**x.SCORE_HEADERS, **x.COUNT_HEADERS}[key]
    return f"{zh} / {en}"


def test_snapshot_command_stores_every_department(world, cli):
    """Without --department every department's month is stored (and printed); again replaces."""
    result = cli.invoke(ckan, ["govshare", "assessment", "snapshot", "--period", "2026-10"])
    assert result.exit_code == 0, result.output
    # two departments of three units each: 2 × (1 + 3) rows
    assert "8 snapshot row(s) of 2 department(s) stored" in result.output
    assert f"2026-10 {world.org['name']} - score" in result.output
    assert f"2026-10 {world.org['name']} DJZCC score" in result.output
    again = cli.invoke(ckan, ["govshare", "assessment", "snapshot", "--period", "2026-10",
                              "--department", world.org["name"]])
    assert again.exit_code == 0 and "4 snapshot row(s) of 1 department(s)" in again.output
    series = L.act("govshare_assessment_snapshot_list", world.sysadmin, include_units=True)
    assert series["count"] == 8


def test_snapshot_job(world):
    """The background job (``--enqueue``) stores the same rows as the command."""
    service.snapshot_job("2026-10", [world.other["name"]])
    rows = L.act("govshare_assessment_snapshot_list", world.sysadmin, include_units=True)
    assert {r["organization_id"] for r in rows["results"]} == {world.other["id"]}
    assert rows["count"] == 4


def test_snapshot_command_refuses_a_bad_month(world, cli):
    """A period that is not a month: a non-zero exit naming the field, nothing stored."""
    result = cli.invoke(ckan, ["govshare", "assessment", "snapshot", "--period", "2026-Q3"])
    assert result.exit_code != 0 and "period" in result.output
    assert L.act("govshare_assessment_snapshot_list", world.sysadmin)["count"] == 0


def test_export_workbook(world, cli, tmp_path):
    """The workbook has the summary, a sheet per department with its units and the trend,
    with bilingual headers and the values of govshare_assessment_show."""
    for period in ("2026-09", "2026-10"):
        assert cli.invoke(ckan, ["govshare", "assessment", "snapshot", "--period", period,
                                 "--department", world.org["name"]]).exit_code == 0
    target = tmp_path / "assessment.xlsx"
    result = cli.invoke(ckan, ["govshare", "assessment", "export", "--period", "2026-10",
                               "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert f"2 department(s), period 2026-10, written to {target}" in result.output

    shown = L.act("govshare_assessment_show", world.sysadmin, organization_id=world.org["id"],
                  period="2026-10")
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames[0] == "汇总 Summary" and wb.sheetnames[-1] == "趋势 Trend"
    assert len(wb.sheetnames) == 4

    summary = list(wb["汇总 Summary"].iter_rows(values_only=True))
    header = summary[0]
    assert header[:3] == ("部门 / Department", "部门标识 / Department name", "考核周期 / Period")
    assert "全面性 / Comprehensiveness" in header and "时效性 / Timeliness" in header
    row = next(r for r in summary[1:] if r[1] == world.org["name"])
    col = {h: i for i, h in enumerate(header)}
    assert row[2] == "2026-10"
    assert row[col[_header("comprehensiveness")]] == pytest.approx(
        shown["comprehensiveness"]["score"])
    assert row[col[_header("score")]] == pytest.approx(shown["score"])
    assert row[col[_header("entries")]] == 1
    assert row[col[_header("business_matters_declared")]] == 2
    assert row[col[_header("business_matters_covered")]] == 1
    assert wb["汇总 Summary"].cell(row=2, column=col[_header("score")] + 1).number_format == "0.00%"

    dept = wb[world.org["title"][:31]]
    rows = list(dept.iter_rows(values_only=True))
    assert rows[0][:2] == ("内设机构代码 / Unit code", "内设机构 / Unit")
    assert [r[0] for r in rows[1:]] == [None, "BGS", "DJZCC", "XXZX"]
    djzcc = rows[3]
    assert djzcc[1] == "登记注册处" and djzcc[2 + 1] == 1.0  # comprehensiveness of its unit

    trend = list(wb["趋势 Trend"].iter_rows(values_only=True))
    assert trend[0][:4] == ("部门 / Department", "内设机构代码 / Unit code", "内设机构 / Unit",
                            "月份 / Month")
    whole = [r for r in trend[1:] if r[1] is None]
    assert [r[3] for r in whole] == ["2026-09", "2026-10"]
    assert len(trend) == 1 + 2 * 4
    assert trend[0][-1] == "快照时间 / Snapshot taken at" and trend[1][-1] is not None


def test_export_one_department_default_name(world, cli, tmp_path, monkeypatch):
    """--department limits the workbook; without --output the file is named by the period."""
    monkeypatch.chdir(tmp_path)
    result = cli.invoke(ckan, ["govshare", "assessment", "export", "--period", "2026-Q4",
                               "--department", world.other["name"]])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(tmp_path / "govshare-assessment-2026-Q4.xlsx")
    summary = list(wb["汇总 Summary"].iter_rows(values_only=True))
    assert [r[1] for r in summary[1:]] == [world.other["name"]]
    assert list(wb["趋势 Trend"].iter_rows(values_only=True))[1:] == []


def test_export_refuses_a_bad_period(world, cli, tmp_path):
    """A period that is no year, quarter or month: a usage error, no file."""
    target = tmp_path / "x.xlsx"
    result = cli.invoke(ckan, ["govshare", "assessment", "export", "--period", "last month",
                               "-o", str(target)])
    assert result.exit_code == 2 and "--period" in result.output and not target.exists()
