"""Fuzzing q, fq and sort: package_search answers or refuses cleanly, never an SQL error or a 500."""
from __future__ import annotations

import re

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan.lib.search.common import SearchError
from ckan.lib.search.query import MAGIC_FIELD_RE, QUERY_PARSER_RE
from ckan.tests import factories, helpers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PIECES = [
    "营业执照", "企业", "市场监管", "户籍", "302001001/000123", "abc", "Road", "42", "2026-01-01",
    "title:", "tags:", "name:", "notes:", "extras_theme:", "metadata_modified:", "num_tags:",
    "record_count:", "text:", "*:", "res_format:", "owner_org:", "site_id:", "state:",
    "AND", "OR", "NOT", "TO", "NOW", "NOW-1DAY", "NOW/DAY", "&&", "||", "*", "?",
    "(", ")", "[", "]", "{", "}", '"', ":", "^2", "~", "+", "-", "!", "\\", "/", "'", ";",
    " ", " ", "\u3000", "，", "%", "_", "\x00", "$$", "--", "DROP TABLE package",
]
LUCENE_CHARS = 'ab企业执照 :()[]{}"*?+-!^~\\/\'&|%_0129TONW'

queries = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=8).map("".join),
    st.lists(st.sampled_from(PIECES), max_size=6).map(" ".join),
    st.text(alphabet=LUCENE_CHARS, max_size=24),
    st.text(max_size=12),
)

FUZZ = settings(max_examples=200, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def ckan_guard(*values: str) -> bool:
    """True when CKAN's own pre-backend guard (local params, magic fields) rejects a value."""
    return any(re.search(MAGIC_FIELD_RE, v.strip()) or QUERY_PARSER_RE.findall(v.strip())
               for v in values)


@pytest.fixture
def catalogue(clean_db):
    """A few datasets whose values exercise every kind of condition (text, numbers, dates)."""
    org = factories.Organization(name="samr", title="省市场监督管理局")
    factories.Dataset(owner_org=org["id"], title="企业营业执照信息", tags=[{"name": "企业"}],
                      notes="代码 302001001/000123",
                      extras=[{"key": "theme", "value": "市场 监管"},
                              {"key": "record_count", "value": "250"},
                              {"key": "issued", "value": "2026-01-01"}],
                      resources=[{"name": "执照明细表", "format": "CSV", "url": "http://x"}])
    factories.Dataset(title="Road traffic", private=False, tags=[{"name": "traffic"}],
                      extras=[{"key": "record_count", "value": "not a number"}])


def check(**params):
    try:
        helpers.call_action("package_search", **params)
    except tk.ValidationError:
        pass
    except SearchError:
        assert ckan_guard(*[str(v) for v in params.values()]), params
    # the session is still usable: no aborted transaction was left behind
    model.Session.execute(sa.text("SELECT 1"))


@pytest.mark.usefixtures("catalogue")
@FUZZ
@given(q=queries)
def test_fuzz_q(q):
    """Any q either returns results or raises ValidationError (or CKAN's own guard), nothing else."""
    check(q=q)


@pytest.mark.usefixtures("catalogue")
@FUZZ
@given(fq=queries, fq_item=queries)
def test_fuzz_fq(fq, fq_item):
    """Any fq / fq_list either returns results or raises ValidationError, nothing else."""
    check(fq=fq, fq_list=[fq_item])


@pytest.mark.usefixtures("catalogue")
@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sort=st.one_of(
    st.lists(st.sampled_from(["name", "title_string", "score", "num_tags", "extras_theme",
                              "asc", "desc", ",", " ", "metadata_modified", "x;y", "'", "("]),
             max_size=6).map(" ".join),
    st.text(max_size=16)))
def test_fuzz_sort(sort):
    """Any sort either orders the results or raises ValidationError on ``sort``."""
    check(sort=sort)


@pytest.mark.usefixtures("catalogue")
@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=queries, fq=queries)
def test_fuzz_api_never_500(app, q, fq):
    """Through the action API no q/fq produces a 500."""
    r = app.get("/api/3/action/package_search", query_string={"q": q, "fq": fq})
    assert r.status_code in (200, 400, 409), (q, fq, r.status_code)
    assert r.json["success"] is (r.status_code == 200)
