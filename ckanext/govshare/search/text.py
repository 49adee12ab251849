"""Text analysis for the PostgreSQL search backend: what goes into ``tsvector`` and ``tsquery``.

Chinese has no spaces, so words come from a real segmenter (rjieba, the jieba-rs binding):
documents are indexed with search-mode segmentation (every dictionary word inside a longer
word too) plus CJK character bigrams; queries are cut in accurate mode and a query word
matches when its segmenter words *or* its bigrams are all present. Latin words, numbers and
mixed codes (``302001001/000123``) are indexed whole (lower-cased) and in their alphanumeric
pieces, so a code matches exactly and a piece of it matches too.

Both sides build ``tsvector``/``tsquery`` *literals* (quoted lexemes) that PostgreSQL casts
without re-parsing, so the database's own parser never splits or merges our tokens. A lexeme
holds at most :data:`MAX_LEXEME_BYTES` (PostgreSQL refuses a longer one where ``to_tsvector``
would skip it): longer words are cut to that length on both sides, so they are still found
(and two of them alike in their first 2 047 bytes find each other).
"""
from __future__ import annotations

import functools
import logging
import os
import re
from collections.abc import Iterable

log = logging.getLogger(__name__)

__all__ = ["index_tokens", "tsvector_literal", "term_tsquery", "join_tsquery", "phrase_text",
           "load_user_dict"]

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
CJK_RUN = re.compile(f"[{_CJK}]+")
HAS_CJK = re.compile(f"[{_CJK}]")
# separators between "words" of non-CJK text: whitespace and CJK / full-width punctuation
_WORD_SPLIT = re.compile(f"[\\s\u3000-\u303f\uff00-\uff0f\uff1a-\uff20{_CJK}]+")
_STRIP = ".,;:!?()[]{}<>\"'`|、，。；：！？（）【】《》“”‘’"
_ALNUM = re.compile(r"[^\W_]+", re.UNICODE)
MAX_POSITION = 16383
MAX_LEXEME_POSITIONS = 256
# PostgreSQL's limit on one lexeme (``MAXSTRLEN``, 2^11 - 1 bytes of UTF-8)
MAX_LEXEME_BYTES = 2047
WEIGHTS = ("A", "B", "C", "D")


@functools.lru_cache(maxsize=1)
def _jieba():
    import rjieba

    return rjieba


def load_user_dict(path: str) -> int:
    """Add the domain terms of ``path`` (one per line) to the segmenter; returns the count."""
    if not path or not os.path.exists(path):
        return 0
    jb = _jieba()
    count = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            word = line.strip().split(" ")[0]
            if word and not word.startswith("#"):
                jb.add_word(word, None, None)
                count += 1
    _index_tokens.cache_clear()
    return count


def _words(text: str) -> list[str]:
    """Non-CJK words of ``text``, lower-cased, outer punctuation stripped."""
    out = []
    for w in _WORD_SPLIT.split(text.lower()):
        w = w.strip(_STRIP)
        if w:
            out.append(w)
    return out


def _bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i:i + 2] for i in range(len(run) - 1)]


def index_tokens(text: str) -> list[str]:
    """Lexemes under which ``text`` is found (order kept, duplicates allowed)."""
    return list(_index_tokens(text)) if text else []


# a catalogue repeats its strings (信息项 names, codes, departments) from entry to entry
@functools.lru_cache(maxsize=16384)
def _index_tokens(text: str) -> tuple[str, ...]:
    lower = text.lower()
    tokens: list[str] = []
    if HAS_CJK.search(lower):
        for run in CJK_RUN.findall(lower):
            tokens.extend(_jieba().cut_for_search(run))
            tokens.extend(_bigrams(run))
    for word in _words(lower):
        tokens.append(word)
        pieces = _ALNUM.findall(word)
        if len(pieces) > 1 or (pieces and pieces[0] != word):
            tokens.extend(pieces)
    return tuple(t for t in tokens if t.strip())


@functools.lru_cache(maxsize=65536)
def _quote(lexeme: str) -> str:
    if len(lexeme) * 4 > MAX_LEXEME_BYTES:  # (cheap test first: at most 4 bytes a character)
        lexeme = lexeme.encode("utf-8", "ignore")[:MAX_LEXEME_BYTES].decode("utf-8", "ignore")
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(weighted_texts: Iterable[tuple[str, str]]) -> str:
    """A ``tsvector`` literal from ``(weight, text)`` pairs, positions in reading order."""
    positions: dict[str, list[str]] = {}
    pos = 0
    for weight, text in weighted_texts:
        if not text:
            continue
        for tok in _index_tokens(text):
            pos = min(pos + 1, MAX_POSITION)
            positions.setdefault(tok, []).append(f"{pos}{weight}")
    # one entry per lexeme ('x':1A,7D); PostgreSQL keeps at most MAX_LEXEME_POSITIONS of them
    return " ".join(f"{_quote(tok)}:{','.join(p[:MAX_LEXEME_POSITIONS])}"
                    for tok, p in positions.items())


def term_tsquery(term: str, prefix: bool = False) -> str | None:
    """The ``tsquery`` literal of one query word (``None`` if it has no searchable token).

    A CJK run matches when all its accurate-mode words are present, or else all its bigrams
    (so a word the segmenter cuts differently in the document is still found). Latin words
    and codes must match a whole indexed word (``prefix`` turns the last one into ``:*``).
    """
    lower = term.lower()
    clauses: list[str] = []
    for run in CJK_RUN.findall(lower):
        words = [w for w in _jieba().cut(run) if w.strip()]
        grams = _bigrams(run)
        if len(run) == 1 or (prefix and run == lower):
            clauses.append(_quote(run) + ":*")
            continue
        by_words = join_tsquery([_quote(w) for w in words], "&")
        by_grams = join_tsquery([_quote(g) for g in grams], "&")
        clauses.append(f"(({by_words}) | ({by_grams}))" if by_words != by_grams else f"({by_words})")
    words = _words(lower)
    for i, word in enumerate(words):
        q = _quote(word)
        if prefix and i == len(words) - 1:
            q += ":*"
        clauses.append(q)
    if not clauses:
        return None
    return join_tsquery(clauses, "&")


# PostgreSQL evaluates ``a & b & c …`` as a chain one level deeper per operand and runs out
# of stack at a few ten thousand; longer lists are joined as a balanced tree
_FLAT = 64


def join_tsquery(items: list[str], op: str) -> str:
    """``items`` (tsquery literals) joined by ``op`` (``&`` or ``|``), repeats dropped."""
    items = list(dict.fromkeys(items))
    if len(items) <= _FLAT:
        return f" {op} ".join(items)
    mid = len(items) // 2
    return f"({join_tsquery(items[:mid], op)}) {op} ({join_tsquery(items[mid:], op)})"


def phrase_text(text: str) -> str:
    """Normalised text for substring (phrase) matching against the stored body."""
    return " ".join(text.lower().split())
