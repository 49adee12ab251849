"""The Lucene subset parser (``ckanext.govshare.search.lucene``): text in, syntax tree out, no database."""
from __future__ import annotations

import datetime as dt

import pytest

from ckanext.govshare.search import sql
from ckanext.govshare.search.lucene import (
    MAX_DEPTH,
    And,
    MatchAll,
    Not,
    Or,
    QueryLimitError,
    QuerySyntaxError,
    Range,
    Term,
    parse,
)


@pytest.mark.parametrize("q", [None, "", "   ", '""', "''", "*:*", "*"])
def test_empty_and_match_all(q):
    """An empty query, ``""``, ``*:*`` and a bare ``*`` all mean "every dataset"."""
    assert parse(q) == MatchAll()


def test_bare_word_is_default_field():
    """A word without ``field:`` searches the default (free-text) field."""
    assert parse("营业执照") == Term(None, "营业执照")


def test_words_are_anded():
    """Juxtaposed words are combined with AND (CKAN sends ``q.op=AND``)."""
    assert parse("市场监管 企业") == And((Term(None, "市场监管"), Term(None, "企业")))


def test_ideographic_space_separates_words():
    """The full-width space U+3000 separates words like an ASCII space."""
    assert parse("市场监管\u3000企业") == And((Term(None, "市场监管"), Term(None, "企业")))


def test_field_value():
    """``field:value`` is a term on that field."""
    assert parse("tags:economy") == Term("tags", "economy")


def test_field_phrase_keeps_spaces_and_escapes():
    """``field:"a phrase"`` is one phrase term; ``\\"`` inside the quotes is a literal quote."""
    assert parse('title:"企业 营业执照"') == Term("title", "企业 营业执照", "phrase")
    assert parse(r'notes:"say \"hi\""') == Term("notes", 'say "hi"', "phrase")


def test_field_with_space_before_value():
    """``tags: "x"`` (a space after the colon, as CKAN builds some fq) binds to the field."""
    assert parse('tags: "x"') == Term("tags", "x", "phrase")


def test_field_group():
    """``field:(a OR b)`` applies the field to every term inside the parentheses."""
    assert parse("tags:(企业 OR 社保)") == Or((Term("tags", "企业"), Term("tags", "社保")))
    assert parse('+state:(active OR draft)') == Or((Term("state", "active"), Term("state", "draft")))


def test_empty_field_group_matches_nothing():
    """``field:()`` (CKAN's fq for an empty permission-label list) is an empty OR; bare ``()`` is an error."""
    assert parse("+permission_labels:()") == Or(())
    with pytest.raises(QuerySyntaxError):
        parse("()")


def test_plus_minus_not_bang():
    """``+`` is required (a no-op under AND); ``-``, ``!`` and ``NOT`` negate."""
    assert parse("+a -b") == And((Term(None, "a"), Not(Term(None, "b"))))
    assert parse("a NOT b") == And((Term(None, "a"), Not(Term(None, "b"))))
    assert parse("!a") == Not(Term(None, "a"))
    assert parse("-dataset_type:harvest") == Not(Term("dataset_type", "harvest"))


def test_and_or_precedence():
    """AND (explicit, ``&&`` or implicit) binds tighter than OR (``OR`` or ``||``)."""
    expected = Or((Term(None, "a"), And((Term(None, "b"), Term(None, "c")))))
    assert parse("a OR b AND c") == expected
    assert parse("a || b && c") == expected
    assert parse("a OR b c") == expected


def test_parentheses_group():
    """Parentheses override precedence."""
    assert parse("(a OR b) AND c") == And((Or((Term(None, "a"), Term(None, "b"))), Term(None, "c")))


def test_lowercase_operators_are_words():
    """Only upper-case AND/OR/NOT are operators, as in Lucene; ``and`` is a search word."""
    assert parse("a and b") == And((Term(None, "a"), Term(None, "and"), Term(None, "b")))


def test_prefix_wildcard():
    """``field:prefix*`` is a wildcard term whose pattern keeps the literal chunks."""
    assert parse("name:biz*") == Term("name", "biz*", "wildcard", ("biz", None))
    assert parse("name:b?z") == Term("name", "b?z", "wildcard", ("b", "?", "z"))


def test_field_exists():
    """``field:*`` means the field has any value."""
    assert parse("extras_theme:*") == Term("extras_theme", "*", "exists")


def test_escaped_wildcard_is_literal():
    """A backslash-escaped ``*`` or ``:`` is part of the value, not syntax."""
    assert parse(r"name:a\*b") == Term("name", "a*b")
    assert parse(r"url:http\://x") == Term("url", "http://x")


def test_code_with_slash_and_dash_is_one_term():
    """Resource codes like ``302001001/000123`` and ``A-01`` stay one term (``/`` and inner ``-`` are literal)."""
    assert parse("302001001/000123") == Term(None, "302001001/000123")
    assert parse("GB-2260") == Term(None, "GB-2260")


def test_ranges_inclusive_exclusive_open():
    """``[a TO b]`` includes its bounds, ``{a TO b}`` excludes them, ``*`` leaves a side open."""
    assert parse("num_tags:[1 TO 5]") == Range("num_tags", "1", "5", True, True)
    assert parse("name:{a TO b}") == Range("name", "a", "b", False, False)
    assert parse("name:[a TO b}") == Range("name", "a", "b", True, False)
    assert parse("metadata_created:[* TO NOW]") == Range("metadata_created", None, "NOW")


def test_dcat_modified_since_range():
    """The exact ckanext-dcat form parses to a date range ending at NOW."""
    assert parse("metadata_modified:[2026-01-01T00:00:00Z TO NOW]") == Range(
        "metadata_modified", "2026-01-01T00:00:00Z", "NOW")


def test_quoted_range_bounds():
    """Range bounds may be quoted (with spaces inside)."""
    assert parse('title_string:["a b" TO "c d"]') == Range("title_string", "a b", "c d")


def test_boost_is_accepted_and_ignored():
    """``^2`` boosts parse (extensions send them) but do not change the tree."""
    assert parse("title:企业^2 notes:企业") == And((Term("title", "企业"), Term("notes", "企业")))


@pytest.mark.parametrize("q, fragment", [
    ("a~2", "fuzzy"),
    ('"a b"~3', "fuzzy"),
    ("{!lucene}a", "local parameters"),
    ("(a OR b", "unbalanced '('"),
    ("a)", "unexpected ')'"),
    ("a]", "unbalanced"),
    ('"open', "unterminated quote"),
    ("name:[a TO", "malformed range"),
    ("[a TO b]", "needs a field"),
    ("a AND", "missing its operand"),
    ("NOT", "missing its operand"),
    ("OR a", "unexpected 'OR'"),
    (":x", "without a field"),
    ("9abc:x", "invalid field name"),
    ("tags:(name:x)", "nested field"),
    ("*:x", "must be followed by '*'"),
    ("a^", "followed by a number"),
    ("a\\", "dangling escape"),
    ("tags:", "has no value"),
])
def test_outside_the_subset_raises(q, fragment):
    """Syntax outside the subset raises ``QuerySyntaxError`` saying what is wrong."""
    with pytest.raises(QuerySyntaxError) as e:
        parse(q)
    assert fragment in str(e.value)


NOW = dt.datetime(2026, 11, 25, 10, 30, 15, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("value, expected", [
    ("NOW", NOW),
    ("NOW/DAY", dt.datetime(2026, 11, 25, tzinfo=dt.timezone.utc)),
    ("NOW-7DAYS", dt.datetime(2026, 11, 18, 10, 30, 15, tzinfo=dt.timezone.utc)),
    ("NOW-1YEAR/MONTH", dt.datetime(2025, 11, 1, tzinfo=dt.timezone.utc)),
    ("NOW+2HOURS", dt.datetime(2026, 11, 25, 12, 30, 15, tzinfo=dt.timezone.utc)),
    ("2026-01-01T00:00:00Z", dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)),
    ("2026-01-01", dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)),
    ("2026-01-01T08:00:00+08:00", dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)),
    ("2026-01-01T00:00:00.123Z", dt.datetime(2026, 1, 1, 0, 0, 0, 123000, tzinfo=dt.timezone.utc)),
    ("2026-01-01T00:00:00Z+1MONTH", dt.datetime(2026, 2, 1, tzinfo=dt.timezone.utc)),
    ("yesterday", None),
    ("2026-13-45", None),
])
def test_solr_date_math(value, expected):
    """Range bounds accept ISO dates (UTC by default, offsets converted) and Solr date math."""
    assert sql.parse_date(value, NOW) == expected


def test_unknown_date_math_unit():
    """An unknown date-math unit is refused, not silently ignored."""
    with pytest.raises(sql.QueryError, match="FORTNIGHT"):
        sql.parse_date("NOW-1FORTNIGHT", NOW)


# -- size limits: the parser refuses what would exhaust the stack or the database ---------------

@pytest.mark.parametrize("make", [
    lambda n: "(" * n + "a" + ")" * n,
    lambda n: "-" * n + "a",
    lambda n: "!" * n + "a",
    lambda n: "+" * n + "a",
    lambda n: "NOT " * n + "a",
    lambda n: "tags:" + "(" * n + "a" + ")" * n,
    lambda n: "-(" * (n // 2) + "a" + ")" * (n // 2),
])
def test_nesting_depth_limit(make):
    """Groups and unary operators nest up to ``MAX_DEPTH`` levels; one more is refused."""
    parse(make(MAX_DEPTH))
    with pytest.raises(QueryLimitError, match=f"nested deeper than {MAX_DEPTH} levels"):
        parse(make(MAX_DEPTH + 2))


@pytest.mark.parametrize("q", ["(" * 248 + "a" + ")" * 248, "-" * 991 + "a", "NOT " * 5000 + "a"])
def test_reported_deep_queries_are_refused(q):
    """The nestings that exhausted Python's stack (issue 8) are a clean refusal, not a RecursionError."""
    with pytest.raises(QueryLimitError):
        parse(q)


def test_depth_counts_nesting_not_length():
    """Many groups side by side are not deep: only nesting counts towards the limit."""
    node = parse(" ".join(["(a OR -b)"] * 200))
    assert isinstance(node, And) and len(node.items) == 200


def test_length_limit():
    """``max_length`` refuses a longer text (surrounding blanks not counted); None is unlimited."""
    assert parse("  " + "a" * 10 + "  ", max_length=10) == Term(None, "a" * 10)
    with pytest.raises(QueryLimitError, match="longer than 10 characters"):
        parse("a" * 11, max_length=10)
    assert parse("a" * 5000) == Term(None, "a" * 5000)


def test_clause_limit():
    """``max_clauses`` counts terms and ranges over the whole query, nested ones included."""
    assert parse("a b (c OR d:[1 TO 2])", max_clauses=4)
    with pytest.raises(QueryLimitError, match="more than 4 terms and ranges"):
        parse("a b (c OR d:[1 TO 2]) e", max_clauses=4)
    with pytest.raises(QueryLimitError):
        parse("tags:(a OR b OR c)", max_clauses=2)
    assert parse("*:* +permission_labels:()", max_clauses=0) == And((MatchAll(), Or(())))


def test_limit_errors_are_syntax_errors():
    """A limit refusal is a ``QuerySyntaxError`` too, so every caller that handles one handles both."""
    assert issubclass(QueryLimitError, QuerySyntaxError)


def test_many_boosts_parse():
    """Boosts are matched where they stand (no copy of the rest of the text per boost)."""
    node = parse(" ".join(["a^2"] * 2000))
    assert isinstance(node, And) and len(node.items) == 2000


# -- dates and numbers beyond what can be compared ----------------------------------------------

@pytest.mark.parametrize("value", [
    "NOW-10000YEARS", "NOW+8000YEARS", "9999-12-31T23:59:59Z+1DAY", "0001-01-01T00:00:00Z-1SECOND",
    "0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-01:00", "NOW/YEAR+9999YEARS",
    "NOW+99999999999999999999DAYS", "NOW-1000000000000000000000000000000SECONDS",
    "NOW+" + "9" * 5000 + "DAYS",
])
def test_dates_out_of_range_are_refused(value):
    """Date math or a time zone that leaves the years 1–9999 is a ``QueryError``, not an overflow."""
    with pytest.raises(sql.QueryError, match="outside the dates"):
        sql.parse_date(value, NOW)


@pytest.mark.parametrize("value, expected", [
    ("0001-01-01T00:00:00Z", dt.datetime(1, 1, 1, tzinfo=dt.timezone.utc)),
    ("9999-12-31T23:59:59Z", dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc)),
    ("NOW-2000YEARS", dt.datetime(26, 11, 25, 10, 30, 15, tzinfo=dt.timezone.utc)),
    ("0000-01-01", None),
    ("99999-01-01", None),
])
def test_extreme_dates_within_range(value, expected):
    """The first and last representable instants are dates; year 0 and five-digit years are not."""
    assert sql.parse_date(value, NOW) == expected


def test_unknown_unit_refused_before_arithmetic():
    """An unknown unit is named even when an earlier step would overflow."""
    with pytest.raises(sql.QueryError, match="FORTNIGHT"):
        sql.parse_date("NOW+99999999999999999999DAYS-1FORTNIGHT", NOW)


def _compile(q: str) -> tuple[str, dict]:
    comp = sql.Compiler()
    return comp.compile(parse(q)), comp.params


@pytest.mark.parametrize("q", ["metadata_modified:[NOW-10000YEARS TO NOW]",
                               "record_count:[* TO 9999-12-31T23:59:59Z+1DAY]",
                               "metadata_created:NOW-9999YEARS"])
def test_reported_date_queries_are_refused_by_the_compiler(q):
    """The date queries of issue 8 are refused when compiled, on date and on other fields."""
    with pytest.raises(sql.QueryError):
        _compile(q)


def test_numeric_bounds_are_decimals():
    """Numeric range bounds travel as exact decimals (no float overflow), huge ones included."""
    cond, params = _compile("record_count:[1e999 TO 99999999999999999999999999999]")
    assert "govshare_try_numeric(v)" in cond
    assert [str(v) for v in params.values() if v != "record_count"] == [
        "1E+999", "99999999999999999999999999999"]


@pytest.mark.parametrize("q", ["record_count:[1e131072 TO *]", "record_count:[* TO -1e-16384]"])
def test_numbers_beyond_numeric_are_refused(q):
    """A bound beyond what PostgreSQL's ``numeric`` holds is refused."""
    with pytest.raises(sql.QueryError, match="outside the numbers"):
        _compile(q)


@pytest.mark.parametrize("q", ["record_count:[NaN TO *]", "record_count:[-Infinity TO inf]",
                               "name:[1e131072 TO zebra]"])
def test_non_numbers_compare_as_text(q):
    """NaN and Infinity are not numbers: such a range compares text (as does one with a word)."""
    cond, _ = _compile(q)
    assert 'COLLATE "C"' in cond
