"""Text analysis (``ckanext.govshare.search.text``): rjieba segmentation, CJK bigrams, codes.

Matching is checked in PostgreSQL itself (``tsvector @@ tsquery`` on the literals the module
builds), so these tests also prove the literals cast without PostgreSQL re-parsing them.
"""
from __future__ import annotations

import ckan.model as model
import pytest
import sqlalchemy as sa

from ckanext.govshare.search import text


def matches(document: str, query: str, prefix: bool = False) -> bool:
    tsq = text.term_tsquery(query, prefix=prefix)
    assert tsq is not None
    return model.Session.execute(
        sa.text("SELECT CAST(:v AS tsvector) @@ CAST(:q AS tsquery)"),
        {"v": text.tsvector_literal([("A", document)]), "q": tsq},
    ).scalar()


def test_search_mode_indexes_words_inside_words_and_bigrams():
    """A document is indexed under every dictionary word inside a longer word, plus its CJK bigrams."""
    tokens = text.index_tokens("企业营业执照信息")
    assert {"企业", "营业", "执照", "营业执照", "信息"} <= set(tokens)
    assert {"业营", "业执", "照信"} <= set(tokens)


def test_word_found_inside_longer_title():
    """``营业执照`` finds ``企业营业执照信息``."""
    assert matches("企业营业执照信息", "营业执照")


def test_separated_characters_do_not_match_a_word():
    """``营业执照`` does not match text where 营业 and 执照 are apart (营业场所执照)."""
    assert not matches("营业场所执照", "营业执照")


def test_word_cut_differently_in_document_is_found_by_bigrams():
    """``监督管理`` matches ``省市场监督管理局`` although the segmenter cuts the title differently."""
    assert "监督管理" not in text.index_tokens("省市场监督管理局")
    assert matches("省市场监督管理局", "监督管理")


def test_single_character_query_is_a_prefix():
    """A one-character CJK query matches words that start with it."""
    assert matches("企业登记", "企")
    assert not matches("登记", "企")


def test_code_matches_exactly():
    """A mixed code ``302001001/000123`` matches itself, not a code that differs in one digit."""
    assert matches("信息资源代码 302001001/000123。", "302001001/000123")
    assert not matches("信息资源代码 302001001/000124。", "302001001/000123")


def test_code_pieces_match():
    """Each alphanumeric piece of a code is indexed too: ``000123`` and ``302001001`` find it."""
    assert matches("代码302001001/000123", "000123")
    assert matches("代码302001001/000123", "302001001")


def test_mixed_chinese_latin_digits():
    """Chinese, Latin and digits in one word are split at script boundaries, case-insensitively."""
    assert matches("营业执照API接口2024版", "营业执照API")
    assert matches("营业执照 api 接口", "营业执照API")
    assert matches("营业执照API接口2024版", "2024")
    assert not matches("营业执照接口", "营业执照API")


def test_latin_words_whole_or_prefix():
    """Latin words match whole (punctuation stripped); a trailing ``*`` makes a prefix."""
    assert matches("Road-Traffic counts, 2024.", "traffic")
    assert matches("Road-Traffic counts, 2024.", "counts")
    assert matches("Road-Traffic counts, 2024.", "road-traffic")
    assert not matches("Road-Traffic counts", "traf")
    assert matches("Road-Traffic counts", "traf", prefix=True)


def test_quotes_and_backslashes_are_safe_lexemes():
    """Quotes and backslashes in text become quoted lexemes that PostgreSQL casts and matches."""
    assert matches("O'Reilly \\share\\ path", "o'reilly")
    assert matches("O'Reilly \\share\\ path", "\\share\\")


def test_punctuation_only_query_has_no_tsquery():
    """A query of CJK punctuation only has nothing to search for (``None``, i.e. no condition)."""
    assert text.term_tsquery("（）、。") is None
    assert text.index_tokens("") == []


def test_weights_and_positions_in_literal():
    """The tsvector literal carries positions in reading order and the field weight."""
    literal = text.tsvector_literal([("A", "road"), ("C", "traffic counts")])
    assert literal == "'road':1A 'traffic':2C 'counts':3C"


def test_long_text_positions_are_capped():
    """More than 16 383 tokens still make a valid tsvector (positions capped, not an SQL error)."""
    literal = text.tsvector_literal([("D", " ".join(f"w{i}" for i in range(20000)))])
    n = model.Session.execute(sa.text("SELECT length(CAST(:v AS tsvector))"), {"v": literal}).scalar()
    assert n == 20000


def test_phrase_text_normalises_case_and_space():
    """Phrase matching compares lower-cased text with runs of whitespace collapsed."""
    assert text.phrase_text("  Road \n Traffic\tCounts ") == "road traffic counts"


def test_user_dict_adds_domain_terms(tmp_path):
    """Terms from ``search.user_dict`` become segmenter words (a missing file adds nothing)."""
    term = "政数共享通道"
    assert term not in text.index_tokens(term)
    path = tmp_path / "terms.txt"
    path.write_text(f"# domain terms\n{term} 10 n\n", encoding="utf-8")
    assert text.load_user_dict(str(path)) == 1
    assert term in text.index_tokens(term)
    assert text.load_user_dict(str(tmp_path / "missing.txt")) == 0


@pytest.mark.parametrize("query", ["营业执照", "市场监管", "302001001/000123", "企"])
def test_query_literal_casts(query):
    """Every query literal the module builds is a valid tsquery."""
    tsq = text.term_tsquery(query)
    assert model.Session.execute(sa.text("SELECT numnode(CAST(:q AS tsquery))"), {"q": tsq}).scalar() > 0


@pytest.mark.parametrize("word", ["a" * 3000, "执" * 1000, "x" * 2046 + "执照", "'\\" * 1500])
def test_word_longer_than_a_lexeme_is_cut_on_both_sides(word):
    """A word beyond PostgreSQL's 2 047-byte lexeme is cut there (whole characters) when indexed
    and when searched, so it casts and is still found, instead of failing the dataset's write."""
    assert matches(f"标题 {word} 尾", word)
    assert not matches("标题 尾", word)


def test_long_distinct_cjk_query_casts():
    """A 20 000-character run of distinct characters (40 000 operands) casts without exhausting
    PostgreSQL's stack: long conjunctions are joined as a balanced tree."""
    run = "".join(chr(0x4E00 + i) for i in range(20000))
    tsq = text.term_tsquery(run)
    assert model.Session.execute(sa.text("SELECT numnode(CAST(:q AS tsquery))"), {"q": tsq}).scalar()
    assert matches(run, run)


def test_join_tsquery():
    """Repeats are dropped; short lists stay flat, long ones nest only logarithmically deep."""
    assert text.join_tsquery(["'a'", "'b'", "'a'"], "&") == "'a' & 'b'"
    joined = text.join_tsquery([f"'{i}'" for i in range(10000)], "|")
    depth = max(joined[:i].count("(") - joined[:i].count(")") for i in range(0, len(joined), 97))
    assert depth <= 10
