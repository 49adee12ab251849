"""A parser for the subset of Lucene/Solr query syntax that CKAN and its extensions emit.

Pure: text in, syntax tree out, no database. The SQL side lives in ``sql.py``.

Supported: bare terms, ``"phrases"``, ``field:value``, ``field:"phrase"``, ``field:(a OR b)``,
``+``/``-``/``!``/``NOT``, ``AND``/``&&``, ``OR``/``||``, parentheses, ``field:pre*`` and other
``*``/``?`` wildcards, ``field:*``, ``*:*``, ranges ``[a TO b]`` / ``{a TO b}`` (``*`` and ``NOW``
date math included), ``field:()`` (an empty group: matches nothing) and ``^boost`` suffixes
(accepted, ignored: ranking is our own). Anything else (fuzzy ``~``, local params ``{!...}``,
unbalanced brackets or quotes, a dangling operator) raises :class:`QuerySyntaxError` with a
message saying where.

Size is bounded: groups and unary operators nest at most :data:`MAX_DEPTH` levels, and
:func:`parse` takes the caller's limits on the length of the text and on the number of
clauses; a query beyond them raises :class:`QueryLimitError`.
"""
from __future__ import annotations

import dataclasses
import re

__all__ = [
    "QuerySyntaxError", "QueryLimitError", "MatchAll", "Term", "Range", "And", "Or", "Not",
    "Node", "parse", "MAX_DEPTH",
]

FIELD_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")

# A recursion guard, not a policy: the parser descends four Python frames per parenthesis and
# one per unary operator (``NOT``, ``-``, ``!``, ``+``), the compiler one per level, and a web
# request reaches the backend some 50 of Python's 1 000 frames deep (248 parentheses or 991
# ``-`` exhausted it). 64 levels (at most ~260 frames) stay far below that and far above any
# query a person or CKAN writes (CKAN's own nest 2 deep; Lucene's parser takes one ``-`` per
# clause).
MAX_DEPTH = 64


class QuerySyntaxError(ValueError):
    """The query text is outside the supported Lucene subset."""


class QueryLimitError(QuerySyntaxError):
    """The query is within the subset but too large: too deep, too long or too many clauses.

    ``kind`` (``depth``, ``length`` or ``clauses``), ``limit``, ``size`` (the query's length)
    and ``pos`` (where the limit was passed) let a caller word the refusal in its own language.
    """

    def __init__(self, message: str, kind: str, limit: int, pos: int | None = None,
                 size: int | None = None) -> None:
        super().__init__(message)
        self.kind, self.limit, self.pos, self.size = kind, limit, pos, size


@dataclasses.dataclass(frozen=True)
class MatchAll:
    pass


@dataclasses.dataclass(frozen=True)
class Term:
    """``field`` is None for the default (free-text) field.

    ``kind`` is ``term`` (a bare word), ``phrase`` (quoted), ``wildcard`` (contains unescaped
    ``*``/``?``; ``value`` is then a list of literal chunks and wildcard marks) or ``exists``
    (``field:*``).
    """

    field: str | None
    value: str
    kind: str = "term"
    pattern: tuple = ()


@dataclasses.dataclass(frozen=True)
class Range:
    field: str
    low: str | None  # None = open (``*``)
    high: str | None
    include_low: bool = True
    include_high: bool = True


@dataclasses.dataclass(frozen=True)
class And:
    items: tuple


@dataclasses.dataclass(frozen=True)
class Or:
    items: tuple


@dataclasses.dataclass(frozen=True)
class Not:
    item: object


Node = MatchAll | Term | Range | And | Or | Not

_SPECIAL = set(' \t\r\n\u3000()[]{}":^~')
_OPS = {"AND": "AND", "&&": "AND", "OR": "OR", "||": "OR", "NOT": "NOT"}


@dataclasses.dataclass
class _Tok:
    kind: str  # WORD PHRASE FIELD LP RP RANGE TO AND OR NOT PLUS MINUS BOOST
    text: str
    pos: int
    # for WORD: list of (literal:str) / None (= '*') / '?' marks
    parts: tuple = ()


def _tokenize(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n\u3000":
            i += 1
            continue
        if c == "(":
            toks.append(_Tok("LP", c, i))
            i += 1
            continue
        if c == ")":
            toks.append(_Tok("RP", c, i))
            i += 1
            continue
        if c == "[" or c == "{":
            if c == "{" and text.startswith("{!", i):
                raise QuerySyntaxError(f"local parameters '{{!' are not supported (at {i})")
            m = _RANGE_RE.match(text, i)
            if not m:
                raise QuerySyntaxError(f"malformed range starting at {i} (expected [a TO b])")
            low = _range_bound(m.group("lq"), m.group("l"))
            high = _range_bound(m.group("hq"), m.group("h"))
            toks.append(_Tok("RANGE", m.group(0), i, (low, high, c == "[", m.group("close") == "]")))
            i = m.end()
            continue
        if c == "]" or c == "}":
            raise QuerySyntaxError(f"unbalanced {c!r} (at {i})")
        if c == "~":
            raise QuerySyntaxError(f"fuzzy/proximity '~' is not supported (at {i})")
        if c == "^":
            m = _BOOST_RE.match(text, i)
            if not m:
                raise QuerySyntaxError(f"'^' must be followed by a number (at {i})")
            toks.append(_Tok("BOOST", m.group(0), i))
            i = m.end()
            continue
        if c == ":":
            raise QuerySyntaxError(f"':' without a field name (at {i})")
        if c == '"':
            j = i + 1
            buf = []
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n:
                    buf.append(text[j + 1])
                    j += 2
                    continue
                buf.append(text[j])
                j += 1
            if j >= n:
                raise QuerySyntaxError(f"unterminated quote starting at {i}")
            toks.append(_Tok("PHRASE", "".join(buf), i))
            i = j + 1
            continue
        if c in "+-!" and (i + 1 < n and text[i + 1] not in " \t\r\n"):
            if c == "!" or c == "-":
                toks.append(_Tok("MINUS", c, i))
            else:
                toks.append(_Tok("PLUS", c, i))
            i += 1
            continue
        if text.startswith("&&", i) or text.startswith("||", i):
            toks.append(_Tok(_OPS[text[i:i + 2]], text[i:i + 2], i))
            i += 2
            continue
        # a word (maybe a field name when followed by an unescaped ':')
        j = i
        raw: list[str] = []
        parts: list = []
        lit: list[str] = []
        while j < n and text[j] not in _SPECIAL:
            ch = text[j]
            if ch == "\\":
                if j + 1 >= n:
                    raise QuerySyntaxError(f"dangling escape at {j}")
                lit.append(text[j + 1])
                raw.append(text[j + 1])
                j += 2
                continue
            if ch in "*?":
                if lit:
                    parts.append("".join(lit))
                    lit = []
                parts.append(None if ch == "*" else "?")
                raw.append(ch)
                j += 1
                continue
            if ch in "+-!" and j == i:
                lit.append(ch)
                raw.append(ch)
                j += 1
                continue
            lit.append(ch)
            raw.append(ch)
            j += 1
        if lit:
            parts.append("".join(lit))
        word = "".join(raw)
        if j < n and text[j] == ":":
            if not FIELD_RE.match(word) and word != "*":
                raise QuerySyntaxError(f"invalid field name {word!r} (at {i})")
            toks.append(_Tok("FIELD", word, i))
            i = j + 1
            continue
        if not word:
            raise QuerySyntaxError(f"unexpected character {c!r} (at {i})")
        if word in _OPS and all(isinstance(p, str) for p in parts):
            toks.append(_Tok(_OPS[word], word, i))
        elif word == "TO":
            toks.append(_Tok("TO", word, i))
        else:
            toks.append(_Tok("WORD", word, i, tuple(parts)))
        i = j
    return toks


_BOOST_RE = re.compile(r"\^\d+(\.\d+)?")
_RANGE_RE = re.compile(
    r'[\[{]\s*(?:"(?P<lq>(?:[^"\\]|\\.)*)"|(?P<l>[^\s\]}"]+))\s+TO\s+'
    r'(?:"(?P<hq>(?:[^"\\]|\\.)*)"|(?P<h>[^\s\]}"]+))\s*(?P<close>[\]}])'
)


def _range_bound(quoted: str | None, bare: str | None) -> str | None:
    if quoted is not None:
        return re.sub(r"\\(.)", r"\1", quoted)
    if bare == "*":
        return None
    return re.sub(r"\\(.)", r"\1", bare or "")


class _Parser:
    def __init__(self, text: str, max_clauses: int | None = None):
        self.text = text
        self.toks = _tokenize(text)
        self.i = 0
        self.depth = 0
        self.clauses = 0
        self.max_clauses = max_clauses

    def enter(self, tok: _Tok) -> None:
        """One level deeper (a group or a unary operator); refused beyond :data:`MAX_DEPTH`."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryLimitError(
                f"nested deeper than {MAX_DEPTH} levels of parentheses and NOT/-/!/+ operators "
                f"(at {tok.pos})", "depth", MAX_DEPTH, tok.pos,
            )

    def clause(self, node: Node, tok: _Tok) -> Node:
        """Count one term or range; refused beyond the caller's ``max_clauses``."""
        self.clauses += 1
        if self.max_clauses is not None and self.clauses > self.max_clauses:
            raise QueryLimitError(f"more than {self.max_clauses} terms and ranges (at {tok.pos})",
                                  "clauses", self.max_clauses, tok.pos)
        return node

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def next(self) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise QuerySyntaxError("unexpected end of query")
        self.i += 1
        return tok

    def parse(self) -> Node:
        if not self.toks:
            return MatchAll()
        node = self.parse_or(None)
        if self.peek() is not None:
            tok = self.peek()
            raise QuerySyntaxError(f"unexpected {tok.text!r} (at {tok.pos})")
        return node

    def parse_or(self, field: str | None) -> Node:
        items = [self.parse_and(field)]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.next()
            items.append(self.parse_and(field))
        return items[0] if len(items) == 1 else Or(tuple(items))

    def parse_and(self, field: str | None) -> Node:
        items = [self.parse_unary(field)]
        while (tok := self.peek()) is not None and tok.kind not in ("OR", "RP"):
            if tok.kind == "AND":
                self.next()
            items.append(self.parse_unary(field))
        return items[0] if len(items) == 1 else And(tuple(items))

    def parse_unary(self, field: str | None) -> Node:
        tok = self.peek()
        if tok is None:
            raise QuerySyntaxError("an operator is missing its operand at the end of the query")
        if tok.kind in ("NOT", "MINUS", "PLUS"):
            self.next()
            self.enter(tok)
            node = self.parse_unary(field)
            self.depth -= 1
            return node if tok.kind == "PLUS" else Not(node)
        node = self.parse_primary(field)
        if (b := self.peek()) is not None and b.kind == "BOOST":
            self.next()
        return node

    def parse_primary(self, field: str | None) -> Node:
        tok = self.next()
        if tok.kind == "LP":
            self.enter(tok)
            node = self.parse_or(field)
            close = self.peek()
            if close is None or close.kind != "RP":
                raise QuerySyntaxError(f"unbalanced '(' at {tok.pos}")
            self.next()
            self.depth -= 1
            return node
        if tok.kind == "FIELD":
            if field is not None:
                raise QuerySyntaxError(f"nested field {tok.text!r} inside {field!r} (at {tok.pos})")
            nxt = self.peek()
            if nxt is None:
                raise QuerySyntaxError(f"field {tok.text!r} has no value")
            if tok.text == "*":
                if nxt.kind == "WORD" and nxt.text == "*":
                    self.next()
                    return MatchAll()
                raise QuerySyntaxError(f"'*:' must be followed by '*' (at {tok.pos})")
            if nxt.kind == "RANGE":
                self.next()
                low, high, inc_lo, inc_hi = nxt.parts
                return self.clause(Range(tok.text, low, high, inc_lo, inc_hi), nxt)
            if nxt.kind == "LP" and self.i + 1 < len(self.toks) \
                    and self.toks[self.i + 1].kind == "RP":
                # ``field:()``: CKAN sends ``+permission_labels:()`` for a user with no labels
                self.i += 2
                return Or(())
            return self.parse_primary(tok.text)
        if tok.kind == "PHRASE":
            return self.clause(Term(field, tok.text, "phrase"), tok)
        if tok.kind == "WORD":
            parts = tok.parts
            if tok.text == "*":
                return MatchAll() if field is None else self.clause(Term(field, "*", "exists"), tok)
            if any(not isinstance(p, str) for p in parts) or any(p == "?" for p in parts):
                return self.clause(Term(field, tok.text, "wildcard", tuple(parts)), tok)
            return self.clause(Term(field, "".join(parts), "term"), tok)
        if tok.kind == "RANGE":
            raise QuerySyntaxError(f"a range needs a field (at {tok.pos})")
        raise QuerySyntaxError(f"unexpected {tok.text!r} (at {tok.pos})")


def parse(text: str | None, max_length: int | None = None,
          max_clauses: int | None = None) -> Node:
    """Parse ``text``; an empty query means "everything".

    ``max_length`` (characters) and ``max_clauses`` (terms and ranges) are the caller's limits
    (None: unlimited); beyond them, and beyond :data:`MAX_DEPTH` levels of nesting, the query
    raises :class:`QueryLimitError`.
    """
    if text is None:
        return MatchAll()
    text = text.strip()
    if max_length is not None and len(text) > max_length:
        raise QueryLimitError(f"longer than {max_length} characters ({len(text)})", "length",
                              max_length, size=len(text))
    if not text or text in ('""', "''"):
        return MatchAll()
    return _Parser(text, max_clauses).parse()
