"""Compile a parsed Lucene query (``lucene.py``) into a SQL condition over ``govshare_search_index``.

Every value from the user travels as a bound parameter; field names are matched against
``lucene.FIELD_RE`` by the parser and are also passed as parameters (``g.fields -> :f``), so
no user text is ever spliced into SQL.

Field semantics follow CKAN's Solr schema:

* the default field (bare words, ``text:``) is full text: segmented, ranked (``tsv``);
* CKAN's other *text* fields (``title``, ``notes``, ``res_name``, ``res_description``,
  ``author``, ``maintainer``, ``extras_*``) match case-insensitive substrings of their values;
* every other field is a *string* field: exact, case-sensitive value match (multi-valued
  fields match when any value matches). String fields are read from ``keys``, a small copy of
  ``fields`` without the long text (GIN ``jsonb_path_ops``-indexed, never decompressed); the
  single-valued fields CKAN filters on in every query (``id``, ``name``, ``site_id``,
  ``state``, ``capacity``, ``dataset_type``, ``permission_labels``) have their own columns;
* ``metadata_created`` / ``metadata_modified`` are dates; ranges accept ISO dates, ``*`` and
  Solr date math (``NOW``, ``NOW-7DAYS``, ``NOW/DAY``) within the years 1 to 9999 (Python's
  dates; PostgreSQL's reach further), anything beyond is refused;
* range bounds that are all numbers compare as ``numeric``, within the range PostgreSQL's
  ``numeric`` holds (a number beyond it is refused; ``NaN`` and ``Infinity`` are not numbers).
"""
from __future__ import annotations

import datetime as dt
import decimal
import itertools
import json
import re

from dateutil.relativedelta import relativedelta

from ckanext.govshare.search import lucene, text

__all__ = ["Compiler", "QueryError", "parse_date", "DATE_COLUMNS", "NUMERIC_FIELDS", "COLUMNS",
           "in_keys", "is_text_field", "json_column"]

TEXT_FIELDS = frozenset({"title", "notes", "res_name", "res_description", "author",
                         "maintainer", "urls"})
FULLTEXT_FIELDS = frozenset({"text"})
DATE_COLUMNS = frozenset({"metadata_created", "metadata_modified"})
# CKAN's Solr schema types these as ``int``: they sort as numbers, not as strings
NUMERIC_FIELDS = frozenset({"num_resources", "num_tags"})
# single-valued string fields with a column of their own (``field:value`` is a column compare)
COLUMNS = {"id": "package_id", "index_id": "index_id", "name": "name", "site_id": "site_id",
           "state": "state", "capacity": "capacity", "dataset_type": "dataset_type"}
# long values: only in ``fields``, never copied to ``keys``
_NOT_KEYS = frozenset({"id", "index_id", "text", "url", "res_url", "title_string", "indexed_ts"})

_DATE_RE = re.compile(
    r"^(?P<base>NOW|\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?)"
    r"(?P<math>(?:[+-]\d+[A-Z]+|/[A-Z]+)*)$"
)
_MATH_RE = re.compile(r"([+-]\d+|/)([A-Z]+)")
_UNITS = {
    "YEAR": "years", "YEARS": "years", "MONTH": "months", "MONTHS": "months",
    "DAY": "days", "DAYS": "days", "DATE": "days", "HOUR": "hours", "HOURS": "hours",
    "MINUTE": "minutes", "MINUTES": "minutes", "SECOND": "seconds", "SECONDS": "seconds",
}


class QueryError(ValueError):
    """The query is syntactically fine but cannot be answered (bad date, bad number...)."""


def is_text_field(field: str) -> bool:
    return field in TEXT_FIELDS or field.startswith("extras_")


def in_keys(field: str) -> bool:
    """Whether ``field`` is also stored in the small ``keys`` column (string fields)."""
    return not (is_text_field(field) or field in _NOT_KEYS or field in DATE_COLUMNS
                or field.startswith("res_extras_"))


def json_column(alias: str, field: str) -> str:
    """The jsonb column to read ``field`` from: ``keys`` when it is there, else ``fields``."""
    return f"{alias}.keys" if in_keys(field) else f"{alias}.fields"


def _round_down(d: dt.datetime, unit: str) -> dt.datetime:
    if unit in ("YEAR", "YEARS"):
        return d.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if unit in ("MONTH", "MONTHS"):
        return d.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if unit in ("DAY", "DAYS", "DATE"):
        return d.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit in ("HOUR", "HOURS"):
        return d.replace(minute=0, second=0, microsecond=0)
    if unit in ("MINUTE", "MINUTES"):
        return d.replace(second=0, microsecond=0)
    return d.replace(microsecond=0)


def parse_date(value: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """An ISO date/time or Solr date-math expression as an aware UTC datetime, else None.

    A date that the arithmetic or the time zone carries outside the years 1 to 9999
    (``NOW-10000YEARS``, ``9999-12-31T23:59:59Z+1DAY``, ``0001-01-01T00:00:00+08:00``) raises
    :class:`QueryError`, as does an unknown date-math unit.
    """
    m = _DATE_RE.match(value.strip().upper())
    if not m:
        return None
    base = m.group("base")
    if base == "NOW":
        d = now or dt.datetime.now(dt.timezone.utc)
    else:
        try:
            d = dt.datetime.fromisoformat(base.replace("Z", "+00:00"))
        except ValueError:
            return None
        if d.tzinfo is None:
            d = d.replace(tzinfo=dt.timezone.utc)
    steps = _MATH_RE.findall(m.group("math"))
    for _, unit in steps:
        if unit not in _UNITS:
            raise QueryError(f"unknown date-math unit {unit!r} in {value!r}")
    try:
        for op, unit in steps:
            if op == "/":
                d = _round_down(d, unit)
            else:
                d = d + relativedelta(**{_UNITS[unit]: int(op)})
        return d.astimezone(dt.timezone.utc)
    except (OverflowError, ValueError):
        # the year left 1..9999, or the amount does not fit a C integer (or Python's 4 300-digit
        # limit on int())
        raise QueryError(f"{value!r} is outside the dates that can be searched "
                         f"(years 1 to 9999)") from None


# what PostgreSQL's ``numeric`` holds: 131 072 digits before the point, 16 383 after
_NUMERIC_MAX_EXP = 131071
_NUMERIC_MIN_EXP = -16383


def _number(value: str | None) -> decimal.Decimal | None:
    """A range bound as a number (compared as ``numeric``), None when it is not a number."""
    if value is None:
        return None
    try:
        n = decimal.Decimal(value.strip())
    except (decimal.InvalidOperation, ValueError):
        return None
    # NaN, Infinity: not numbers a catalogue holds; such a bound is compared as text
    return n if n.is_finite() else None


def _check_numeric(value: str, n: decimal.Decimal) -> decimal.Decimal:
    if n and not _NUMERIC_MIN_EXP <= n.adjusted() <= _NUMERIC_MAX_EXP:
        raise QueryError(f"{value!r} is outside the numbers that can be searched")
    return n


def _like_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class Compiler:
    """Turns one or more query trees into a SQL condition plus its parameters.

    ``rank_queries`` collects the tsquery literals of positive free-text terms, which the
    connection ORs together to compute ``ts_rank`` for ``sort=score``.
    """

    def __init__(self, alias: str = "g", prefix: str = "p") -> None:
        self.alias = alias
        self.params: dict[str, object] = {}
        self.rank_queries: list[str] = []
        self._names = (f"{prefix}{i}" for i in itertools.count())
        self._now = dt.datetime.now(dt.timezone.utc)

    def param(self, value: object) -> str:
        name = next(self._names)
        self.params[name] = value
        return ":" + name

    # -- entry points -------------------------------------------------------------------
    def compile_text(self, query: str | None) -> str:
        return self.compile(lucene.parse(query))

    def compile(self, node: lucene.Node, negated: bool = False) -> str:
        g = self.alias
        if isinstance(node, lucene.MatchAll):
            return "TRUE"
        if isinstance(node, lucene.And):
            return "(" + " AND ".join(self.compile(i, negated) for i in node.items) + ")"
        if isinstance(node, lucene.Or):
            if not node.items:
                return "FALSE"
            return "(" + " OR ".join(self.compile(i, negated) for i in node.items) + ")"
        if isinstance(node, lucene.Not):
            return f"(NOT {self.compile(node.item, not negated)})"
        if isinstance(node, lucene.Range):
            return self._range(node)
        assert isinstance(node, lucene.Term)
        field = node.field
        if field is None or field in FULLTEXT_FIELDS:
            return self._fulltext(node, negated)
        col = json_column(g, field)
        if node.kind == "exists":
            return f"jsonb_exists({col}, {self.param(field)})"
        if is_text_field(field):
            return self._substring(field, node)
        if node.kind == "wildcard":
            pattern = "".join(
                "%" if p is None else "_" if p == "?" else _like_escape(p) for p in node.pattern
            )
            return (f"EXISTS (SELECT 1 FROM jsonb_array_elements_text({col} -> "
                    f"{self.param(field)}) v WHERE v LIKE {self.param(pattern)})")
        if field in DATE_COLUMNS:
            d = parse_date(node.value, self._now)
            if d is None:
                raise QueryError(f"{field}: {node.value!r} is not a date")
            return f"{g}.{field} = {self.param(d)}"
        if field in COLUMNS:
            cond = f"{g}.{COLUMNS[field]} = {self.param(node.value)}"
            # a missing value (NULL) must not match, negated or not
            return f"({cond}) IS TRUE" if negated else cond
        if field == "permission_labels":
            return f"{self.param(node.value)} = ANY({g}.permission_labels)"
        return f"{col} @> CAST({self.param(json.dumps({field: [node.value]}))} AS jsonb)"

    # -- pieces ---------------------------------------------------------------------------
    def _fulltext(self, node: lucene.Term, negated: bool) -> str:
        g = self.alias
        if node.kind == "exists":
            return "TRUE"
        if node.kind == "wildcard":
            chunks = [p for p in node.pattern if isinstance(p, str) and p != "?"]
            trailing_only = node.pattern and node.pattern[-1] is None and len(chunks) == 1 \
                and all(isinstance(p, str) for p in node.pattern[:-1])
            if trailing_only:
                tsq = text.term_tsquery(chunks[0], prefix=True)
            else:
                tsq = text.term_tsquery(" ".join(chunks))
        else:
            tsq = text.term_tsquery(node.value)
        if tsq is None:
            return "TRUE"
        if not negated:
            self.rank_queries.append(tsq)
        cond = f"{g}.tsv @@ CAST({self.param(tsq)} AS tsquery)"
        if node.kind == "phrase" and len(node.value.split()) > 1 or (
            node.kind == "phrase" and text.HAS_CJK.search(node.value)
        ):
            phrase = _like_escape(text.phrase_text(node.value))
            cond = f"({cond} AND {g}.body LIKE {self.param('%' + phrase + '%')})"
        return cond

    def _substring(self, field: str, node: lucene.Term) -> str:
        g = self.alias
        if node.kind == "wildcard":
            pieces = ["%".join(_like_escape(p.lower()) for p in node.pattern
                               if isinstance(p, str) and p != "?")]
        elif node.kind == "phrase":
            pieces = [_like_escape(text.phrase_text(node.value))]
        else:
            pieces = [_like_escape(w) for w in node.value.lower().split()]
        conds = " AND ".join(f"lower(v) LIKE {self.param('%' + p + '%')}" for p in pieces)
        return (f"EXISTS (SELECT 1 FROM jsonb_array_elements_text({g}.fields -> "
                f"{self.param(field)}) v WHERE {conds or 'TRUE'})")

    def _range(self, node: lucene.Range) -> str:
        g = self.alias
        lo, hi = node.low, node.high
        ge = ">=" if node.include_low else ">"
        le = "<=" if node.include_high else "<"
        if node.field in DATE_COLUMNS:
            conds = []
            for bound, op in ((lo, ge), (hi, le)):
                if bound is None:
                    continue
                d = parse_date(bound, self._now)
                if d is None:
                    raise QueryError(f"{node.field}: {bound!r} is not a date")
                conds.append(f"{g}.{node.field} {op} {self.param(d)}")
            return "(" + " AND ".join(conds) + ")" if conds else f"{g}.{node.field} IS NOT NULL"

        nums = [_number(b) for b in (lo, hi)]
        dates = [parse_date(b, self._now) if b is not None else None for b in (lo, hi)]
        if all(n is not None or b is None for n, b in zip(nums, (lo, hi))):
            cast = "govshare_try_numeric(v)"
            values = [None if n is None else _check_numeric(b, n) for n, b in zip(nums, (lo, hi))]
        elif all(d is not None or b is None for d, b in zip(dates, (lo, hi))):
            cast, values = "govshare_try_timestamptz(v)", dates
        else:
            cast, values = 'v COLLATE "C"', [lo, hi]
        conds = []
        for value, op in ((values[0], ge), (values[1], le)):
            if value is not None:
                conds.append(f"{cast} {op} {self.param(value)}")
        col = json_column(g, node.field)
        if not conds:
            return f"jsonb_exists({col}, {self.param(node.field)})"
        return (f"EXISTS (SELECT 1 FROM jsonb_array_elements_text({col} -> "
                f"{self.param(node.field)}) v WHERE {' AND '.join(conds)})")
