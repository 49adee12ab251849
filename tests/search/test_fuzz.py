"""Fuzzing package_search: whatever a caller sends is answered or refused by the rules, never a 500.

Every generated text ``x`` is searched as ``q=x`` and as ``fq=x`` by a member of one department,
who may not see the other department's private entries and drafts, and the answers are held to
a strict oracle:

1. a refusal is a ``ValidationError`` whose error dict names the fuzzed parameter, with a
   message that is not PostgreSQL's (CKAN's own guard against local parameters and magic
   fields, which runs before the backend, raises ``SearchError`` instead);
2. the search refuses exactly when a dry run of the parser and compiler refuses what the
   backend received: PostgreSQL never refuses what the parser accepted;
3. ``q=x`` and ``fq=x`` find the same entries (or are both refused);
4. every result, the count and every facet value come from the entries the user may see.

The strategies reach what random text does not: nesting and unary runs past the parser's depth
limit, date math with huge amounts and extreme ISO dates, numbers beyond ``numeric``, NUL
bytes, lone surrogates and unterminated syntax. Examples are bounded (the whole fuzz runs in a
few seconds).
"""
from __future__ import annotations

import json
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

from ckanext.govshare import permissions
from ckanext.govshare.search import connection, lucene, sql

# -- the world -------------------------------------------------------------------------------

#: what the fuzzing user (an editor of ``samr``) may see, and what not
VISIBLE = {"samr-public", "samr-private", "samr-draft", "police-public"}
HIDDEN = {"police-private", "police-draft"}
#: every entry carries its name as a tag: a facet value betrays an entry as much as a result
SHARED_TAG = "共享目录"


def _world():
    """Two departments, a public, a private and a draft entry in each; the user edits ``samr``."""
    user = factories.User()
    samr = factories.Organization(name="samr", title="省市场监督管理局",
                                  users=[{"name": user["name"], "capacity": "editor"}])
    police = factories.Organization(name="police", title="省公安厅")
    extras = {
        "samr": [{"key": "theme", "value": "市场 监管"}, {"key": "record_count", "value": "250"},
                 {"key": "issued", "value": "2026-01-01"}],
        "police": [{"key": "record_count", "value": "not a number"},
                   {"key": "issued", "value": "9999-12-31T23:59:59Z"}],
    }
    for org in (samr, police):
        for kind in ("public", "private", "draft"):
            name = f"{org['name']}-{kind}"
            factories.Dataset(
                name=name, owner_org=org["id"], title=f"{org['title']}企业营业执照信息 {kind}",
                notes="统一社会信用代码 302001001/000123 Road traffic",
                tags=[{"name": name}, {"name": SHARED_TAG}], extras=extras[org["name"]],
                private=kind == "private", state="draft" if kind == "draft" else "active",
                resources=[{"name": "执照明细表", "format": "CSV", "url": f"http://x/{name}"}])
    # the fixture's claim is the permission module's decision, and every entry is in the index
    viewer = model.User.get(user["name"])
    assert {p.name for p in model.Session.query(model.Package)
            if permissions.can_see_entry(viewer, p)} == VISIBLE
    everything = helpers.call_action("package_search", include_private=True, include_drafts=True,
                                     rows=100)
    assert {d["name"] for d in everything["results"]} == VISIBLE | HIDDEN
    return {"user": user["name"]}


@pytest.fixture
def world(fresh):
    return fresh(_world)


@pytest.fixture
def received(monkeypatch):
    """The ``q`` and ``fq`` filters each search hands to the backend (CKAN composes them)."""
    calls: list[list[str]] = []
    search = connection.PgConnection.search

    def spy(self, q=None, **params):
        fq = params.get("fq") or []
        calls.append([q, *(fq if isinstance(fq, list) else [fq])])
        return search(self, q, **params)

    monkeypatch.setattr(connection.PgConnection, "search", spy)
    return calls


# -- strategies ------------------------------------------------------------------------------

PIECES = [
    "营业执照", "企业", "市场监管", "户籍", "302001001/000123", "abc", "Road", "42", "2026-01-01",
    "title:", "tags:", "name:", "notes:", "extras_theme:", "metadata_modified:", "num_tags:",
    "record_count:", "text:", "*:", "res_format:", "owner_org:", "site_id:", "state:",
    "+state:draft", "state:*", "capacity:private", "permission_labels:*", "id:*",
    "AND", "OR", "NOT", "TO", "NOW", "NOW-1DAY", "NOW/DAY", "&&", "||", "*", "?",
    "(", ")", "[", "]", "{", "}", '"', ":", "^2", "~", "+", "-", "!", "\\", "/", "'", ";",
    " ", " ", "\u3000", "，", "%", "_", "\x00", "\ud800", "$$", "--", "DROP TABLE package",
]
LUCENE_CHARS = 'ab企业执照 :()[]{}"*?+-!^~\\/\'&|%_0129TONW'
WORDS = ["营业执照", "企业", "Road", "samr-draft", "police-private", "302001001/000123", "*",
         "tags:共享目录", "state:draft", "name:police-draft", "title:企业", "record_count:250"]
FIELDS = ["metadata_modified", "metadata_created", "record_count", "num_tags", "title_string",
          "extras_issued", "name", "issued"]
UNITS = ["YEAR", "YEARS", "MONTH", "DAYS", "HOURS", "MINUTE", "SECONDS", "DATE", "FORTNIGHT"]
ISO = ["NOW", "0001-01-01", "0000-01-01", "9999-12-31", "9999-12-31T23:59:59Z", "99999-01-01",
       "2026-01-01T00:00:00+14:00", "0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-01:00",
       "2026-02-30", "2026-01-01T24:00:00Z", "2026-01-01T00:00:00.999999999Z"]
#: amounts as text (hypothesis cannot print an int of more than 4 300 digits)
HUGE = st.one_of(st.integers(0, 10**4).map(str), st.integers(0, 10**40).map(str),
                 st.sampled_from(["9999", "10000", str(2**31), str(2**63), "9" * 4301,
                                  "1" + "0" * 5000]))

words = st.sampled_from(WORDS)
#: how deep: shallow, at the parser's limit, and deep enough to exhaust Python's stack even
#: under Hypothesis, which grants a test 2 000 frames more than a web worker has
DEPTHS = st.one_of(st.integers(0, 8), st.integers(lucene.MAX_DEPTH - 2, lucene.MAX_DEPTH + 2),
                   st.integers(248, 1500))
RUNS = st.one_of(st.integers(0, 8), st.integers(lucene.MAX_DEPTH - 2, lucene.MAX_DEPTH + 2),
                 st.integers(991, 5000))
#: ``((((x))))`` and ``tags:((x)`` around a word, balanced or not
nesting = st.builds(
    lambda n, extra, field, w: f"{field}{'(' * n}{w}{')' * max(0, n + extra)}",
    DEPTHS, st.sampled_from([0, 0, 0, -1, 1]), st.sampled_from(["", "", "tags:", "-"]), words)
#: ``-----x``, ``NOT NOT … x``, ``!+-!x``: long runs of unary operators
unary_runs = st.one_of(
    st.builds(lambda op, n, w: op * n + w, st.sampled_from(["-", "!", "+", "NOT ", "- ", "+-"]),
              RUNS, words),
    st.builds(lambda ops, w: "".join(ops) + w,
              st.lists(st.sampled_from(["-", "!", "+", "NOT ", "(", "tags:("]), max_size=150),
              words))
#: Solr date math with huge amounts, on extreme ISO dates
date_math = st.builds(
    lambda base, steps: base + "".join(steps), st.sampled_from(ISO),
    st.lists(st.one_of(st.builds(lambda s, n, u: f"{s}{n}{u}", st.sampled_from("+-"), HUGE,
                                 st.sampled_from(UNITS)),
                       st.sampled_from(["/DAY", "/YEAR", "/MONTH", "/HOUR"])), max_size=3))
numbers = st.one_of(
    HUGE, st.integers(-10**60, 10**60).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["1e131071", "1e131072", "-1e-16383", "1e-16384", "NaN", "-Infinity",
                     "inf", "1_000", "٣", "0x10", "1e", "-0"]))
bounds = st.one_of(st.just("*"), date_math, numbers, words)
ranges = st.builds(lambda f, lo, hi, a, b: f"{f}:{a}{lo} TO {hi}{b}", st.sampled_from(FIELDS),
                   bounds, bounds, st.sampled_from("[{"), st.sampled_from("]}"))
dates = st.builds(lambda f, d: f"{f}:{d}", st.sampled_from(["metadata_modified", "metadata_created"]),
                  date_math)
#: unterminated syntax, NUL bytes and lone surrogates
broken = st.one_of(
    st.sampled_from(["field:[", "record_count:[1 TO", 'title:"open', "tags:(", "(", "[", "{",
                     "name:[a TO b", "\\", "a^", "*:x", "tags:", "OR", "a AND", ":x"]),
    st.builds(lambda a, c, b: a + c + b, words, st.sampled_from(["\x00", "\ud800", "\udfff",
                                                                 "\ud83d", "\ufffe"]), words),
    st.text(alphabet=st.characters(min_codepoint=0xD7F0, max_codepoint=0xE010), max_size=6))

queries = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=8).map("".join),
    st.lists(st.sampled_from(PIECES), max_size=6).map(" ".join),
    st.text(alphabet=LUCENE_CHARS, max_size=24),
    st.text(max_size=12),
    nesting, unary_runs, ranges, dates, broken,
    st.lists(st.one_of(words, ranges, nesting), min_size=2, max_size=3).map(" OR ".join),
)

sorts = st.one_of(
    st.lists(st.sampled_from(["name", "title_string", "score", "num_tags", "extras_theme",
                              "asc", "desc", ",", " ", "metadata_modified", "x;y", "'", "(",
                              "\x00", "\ud800", "\u3000", "a-b", "a.b"]),
             max_size=6).map(" ".join),
    st.text(max_size=16))
integers = st.one_of(
    st.integers(-10**30, 10**30).map(str), HUGE,
    st.sampled_from(["1.5", "1e3", "\x00", "٣", "-0", "0x1", "1 2"]),
    # (CKAN's schema answers 500 to an empty or blank rows/start/facet.mincount before the
    # backend runs: see test_package_search.py::test_core_crashers_outside_the_backend)
    st.text(max_size=6).filter(str.strip))
#: the other parameters a caller sends, each with what may come in it
others = st.one_of(
    st.tuples(st.just("sort"), sorts),
    st.tuples(st.sampled_from(["rows", "start", "facet.limit", "facet.mincount"]), integers),
    st.tuples(st.just("fq_list"), st.lists(queries, min_size=1, max_size=2)),
    st.tuples(st.just("facet.field"), st.lists(st.one_of(st.sampled_from(FIELDS), st.text(max_size=4)),
                                              max_size=3)),
)

# examples are bounded: every one is two searches as a department member (some 30 ms each)
FUZZ = settings(max_examples=50, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


# -- the oracle ------------------------------------------------------------------------------

def ckan_guard(*values: str) -> bool:
    """True when CKAN's own pre-backend guard (local params, magic fields) rejects a value."""
    return any(re.search(MAGIC_FIELD_RE, v.strip()) or QUERY_PARSER_RE.findall(v.strip())
               for v in values)


def dry_run_refuses(texts: list[str | None]) -> bool:
    """Whether the parser or the compiler refuses one of the texts the backend received."""
    try:
        for t in texts:
            for part in connection.ckan_filter_parts(t or ""):
                sql.Compiler().compile(connection.parse(part))
    except (lucene.QuerySyntaxError, sql.QueryError):
        return True
    return False


QUERY_PARAMS = ("q", "fq", "fq_list")


def search(user: str, received: list, param: str, value, names: tuple[str, ...] = (),
           **params) -> tuple[str, set[str] | None]:
    """``("ok", names)``, ``("refused", None)`` or ``("guard", None)``, after checking oracles
    1, 2 and 4 (``names``: the keys a refusal may name besides ``param``)."""
    received.clear()
    params = {"include_private": True, "include_drafts": True, "rows": 100,
              "facet.field": ["tags"], "fl": "name", **params, param: value}
    try:
        result = helpers.call_action("package_search", {"user": user, "ignore_auth": False},
                                     **params)
    except tk.ValidationError as e:
        # 1. the error names the parameter and says why, in words of ours
        assert e.error_dict and set(e.error_dict) <= {param, *names}, (param, value, e.error_dict)
        for messages in e.error_dict.values():
            assert all(isinstance(m, str) and m for m in messages), (param, value, e.error_dict)
            assert not any("govshare_" in m or "psycopg2" in m for m in messages), messages
        outcome: tuple[str, set[str] | None] = ("refused", None)
    except SearchError:
        values = value if isinstance(value, list) else [value]
        assert ckan_guard(*map(str, values)), (param, value)
        return ("guard", None)
    else:
        # 4. nothing, not even a count or a facet value, from an entry the user may not see
        found = {d["name"] for d in result["results"]}
        assert found <= VISIBLE, (param, value, found - VISIBLE)
        assert result["count"] <= len(VISIBLE), (param, value, result["count"])
        if param not in ("rows", "start"):  # (the whole result fits one page)
            assert result["count"] == len(found), (param, value, result["count"])
        tags = set(result["facets"].get("tags", {})) - {SHARED_TAG}
        assert tags <= VISIBLE, (param, value, tags - VISIBLE)
        outcome = ("ok", found)
    # 2. refused by the backend exactly when the parser or compiler refuses what it received
    if param in QUERY_PARAMS:
        assert received, (param, value)
        assert (outcome[0] == "refused") == dry_run_refuses(received[-1]), (param, value, outcome)
    # the session is still usable: no aborted transaction was left behind
    model.Session.execute(sa.text("SELECT 1"))
    return outcome


@FUZZ
@given(x=queries)
def test_fuzz_q_and_fq(world, received, x):
    """Any q and fq is answered from the visible entries or refused naming itself; both agree."""
    by_q = search(world["user"], received, "q", x)
    by_fq = search(world["user"], received, "fq", x)
    if "+state" not in x:  # (CKAN drops its own state filter when fq mentions one)
        # 3. a filter finds what the same query finds
        assert by_q == by_fq, (x, by_q, by_fq)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(param_value=others)
def test_fuzz_other_parameters(world, received, param_value):
    """Any sort, rows, start, facet limit, facet field or fq_list answers from the visible
    entries or is refused naming itself (an fq_list item is refused as ``fq``)."""
    param, value = param_value
    search(world["user"], received, param, value,
           names=("fq",) if param == "fq_list" else ())


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(param=st.sampled_from(["q", "fq"]), x=queries)
def test_fuzz_api_never_500(app, param, x):
    """Through the action API no q/fq (JSON: NUL and lone surrogates too) produces a 500."""
    r = app.post("/api/3/action/package_search", data=json.dumps({param: x}),
                 content_type="application/json")
    assert r.status_code in (200, 409), (param, x, r.status_code)
    body = r.json
    assert body["success"] is (r.status_code == 200)
    if r.status_code == 409 and not ckan_guard(x):
        assert param in body["error"], (param, x, body["error"])
