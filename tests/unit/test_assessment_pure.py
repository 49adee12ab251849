"""Assessment scoring without a database: business-matter coverage (DB14 §7.4 全面性), the
months of snapshots and trends, the flat counts of a result."""
from __future__ import annotations

import datetime

import pytest

from ckanext.govshare.assessment import service as a


@pytest.mark.parametrize("x,y", [
    ("企业设立、变更、注销登记", "企业设立 变更 注销登记"),
    (" 户口登记\u3000", "户口登记"),
    ("Business  Licence", "business licence"),
    ("居住证办理（流动人口）", "居住证办理(流动人口)"),
])
def test_matters_normalize_equal(x, y):
    """Spacing, punctuation, full-width forms and case do not make another matter."""
    assert a.normalize_matter(x) == a.normalize_matter(y)


def test_matters_differ():
    """Different wording is a different matter."""
    assert a.normalize_matter("机动车登记") != a.normalize_matter("机动车注册登记")


def test_coverage_counts_each_declared_matter_once():
    """Declared matters equal after normalization count once; blanks not at all; the
    uncovered ones come back as declared."""
    cov = a.matters_coverage(["户口登记", " 户口 登记", "", "保安服务许可", "居住证办理"],
                             ["户口登记", "居住证办理", "不相关事项"])
    assert cov == {"declared": 3, "covered": 2, "score": 0.6667, "uncovered": ["保安服务许可"]}


def test_coverage_without_declared_matters():
    """Nothing declared: no share at all (not 0)."""
    assert a.matters_coverage(["", "  "], ["户口登记"]) is None
    assert a.matters_coverage([], []) is None


def test_coverage_none_named():
    """Declared but never named: 0."""
    assert a.matters_coverage(["户口登记"], [])["score"] == 0.0


UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 11, 26, 1, tzinfo=UTC)


def test_previous_month_in_beijing_time():
    """The month before, across a year boundary; 16:30 UTC on 28 Feb is 1 March in Beijing."""
    assert a.previous_month(datetime.datetime(2026, 1, 10, tzinfo=UTC)) == "2025-12"
    assert a.previous_month(datetime.datetime(2026, 2, 28, 16, 30, tzinfo=UTC)) == "2026-02"


@pytest.mark.parametrize("period,last", [(None, "2026-11"), ("2026-03", "2026-03"),
                                         ("2026-Q1", "2026-03"), ("2025", "2025-12")])
def test_last_month_of_a_period(period, last):
    """A trend ends with the last month of the period assessed (default this month)."""
    assert a.last_month(period, NOW) == last


@pytest.mark.parametrize("last,n,first", [("2026-03", 12, "2025-04"), ("2026-03", 3, "2026-01"),
                                          ("2026-01", 2, "2025-12"), ("2026-05", 0, "2026-05")])
def test_months_back(last, n, first):
    """The n months ending with ``last`` (at least that month)."""
    assert a.months_back(last, n) == (first, last)


@pytest.mark.parametrize("text,ok", [("2026-01", True), ("2026-12", True), ("2026-13", False),
                                     ("2026-1", False), ("2026", False), ("2026-Q1", False),
                                     (None, False)])
def test_is_month(text, ok):
    """Snapshots are of one month ``YYYY-MM``."""
    assert a.is_month(text) is ok


def _result(matters=None):
    return {
        "score": 0.5,
        "comprehensiveness": {"score": 0.25, "units": 4, "units_with_entries": 1,
                              "business_matters": matters},
        "completeness": {"score": 0.9, "entries": 3, "with_info_items": 3, "with_resources": 2},
        "accuracy": {"score": 0.6667, "entries": 3, "passing": 2},
        "timeliness": {"score": None,
                       "reviews": {"decided": 0, "in_time": 0, "open_overdue": 0, "score": None},
                       "updates": {"published": 0, "within_cycle": 0, "score": None}},
    }


def test_scores_and_counts_of_a_result():
    """A result flattens to the five scores and the counts of :data:`COUNTS`."""
    assert a.scores_of(_result()) == {"score": 0.5, "comprehensiveness": 0.25,
                                      "completeness": 0.9, "accuracy": 0.6667,
                                      "timeliness": None}
    counts = a.counts_of(_result({"declared": 5, "covered": 2}))
    assert tuple(counts) == a.COUNTS
    assert (counts["passing"], counts["with_resources"], counts["business_matters_covered"]) \
        == (2, 2, 2)
    assert a.counts_of(_result())["business_matters_declared"] is None
