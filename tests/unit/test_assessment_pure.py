"""Assessment scoring without a database: business-matter coverage (DB14 §7.4 全面性)."""
from __future__ import annotations

import pytest

from ckanext.govshare import assessment as a


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
