"""统一社会信用代码, GB/T 2260 region codes and resource-code templates, without a database."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ckanext.govshare.catalogue import codes

# Published codes (a widely reprinted example, then codes of well-known enterprises as they
# publish them); each passes the check written out independently below.
REAL_USCC = [
    "91350100M000100Y43",
    "914403001922038216",
    "91440300708461136T",
    "91330100716105852F",
    "91110000802100433B",
]
DEFAULT = codes.DEFAULT_RESOURCE_CODE_TEMPLATE
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _independent_check(code: str) -> bool:
    """GB 32100-2015 written out again: weights 3^i mod 31, sum + check ≡ 0 (mod 31)."""
    weights = [pow(3, i, 31) for i in range(17)]
    total = sum(CHARSET.index(c) * w for c, w in zip(code[:17], weights))
    return (total + CHARSET.index(code[17])) % 31 == 0


# --- USCC ----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", REAL_USCC)
def test_real_uscc_are_valid(code):
    """Real, published 统一社会信用代码 pass the GB 32100 check."""
    assert _independent_check(code)
    assert codes.uscc_is_valid(code)
    assert codes.uscc_problem(code) is None


def test_uscc_weights_are_powers_of_three():
    """The position weights are 3^(i-1) mod 31 and the charset has 31 characters without IOZSV."""
    assert list(codes.USCC_WEIGHTS) == [pow(3, i, 31) for i in range(17)]
    assert codes.USCC_CHARSET == CHARSET
    assert not set("IOZSV") & set(codes.USCC_CHARSET)


@pytest.mark.parametrize("code", REAL_USCC)
def test_uscc_bad_check_character_is_refused_with_the_expected_one(code):
    """A wrong 18th character is refused and the message names the correct one."""
    wrong = next(c for c in CHARSET if c != code[17])
    problem = codes.uscc_problem(code[:17] + wrong)
    assert problem is not None
    assert f"should be {code[17]}," in problem and "check character" in problem
    assert not codes.uscc_is_valid(code[:17] + wrong)


def test_uscc_check_char_computes_the_published_check():
    """uscc_check_char reproduces the 18th character of real codes."""
    for code in REAL_USCC:
        assert codes.uscc_check_char(code[:17]) == code[17]


@given(st.text(alphabet=CHARSET, min_size=17, max_size=17).filter(lambda s: s[2:8].isdigit()))
def test_uscc_any_body_with_its_check_char_is_valid(body):
    """Every 17-character body completed with its computed check character is valid."""
    code = body + codes.uscc_check_char(body)
    assert _independent_check(code)
    assert codes.uscc_is_valid(code)


@given(st.text(alphabet=CHARSET, min_size=17, max_size=17).filter(lambda s: s[2:8].isdigit()),
       st.sampled_from(CHARSET))
def test_uscc_any_other_check_char_is_invalid(body, last):
    """Exactly one check character makes a body valid."""
    code = body + last
    assert codes.uscc_is_valid(code) == (last == codes.uscc_check_char(body))


@pytest.mark.parametrize("code, zh, en", [
    ("", "18位", "18-character"),
    (None, "18位", "18-character"),
    ("91350100M000100Y4", "17位", "not 17"),
    ("91350100M000100Y433", "19位", "not 19"),
    ("91350100M000100YI3", "I、O、Z、S、V", "I, O, Z, S, V"),
    ("91350100M00010OY43", "I、O、Z、S、V", "I, O, Z, S, V"),
    ("91350100m000100y43", "非法字符", "invalid characters"),
    ("91350100M000100#43", "非法字符", "invalid characters"),
    ("913501A0M000100Y43", "行政区划码", "region code"),
])
def test_uscc_shape_problems_are_explained(code, zh, en):
    """Length, charset (no I O Z S V, capitals only) and region digits are explained (in the
    default locale outside a request: English; ``zh`` is the Chinese translation's wording)."""
    problem = codes.uscc_problem(code)
    assert problem is not None
    assert en in problem


def test_normalize_uscc_removes_blanks_and_upper_cases():
    """User input is normalised before checking: blanks removed, letters upper-cased."""
    assert codes.normalize_uscc(" 91350100m000100 y43 ") == "91350100M000100Y43"
    assert codes.normalize_uscc(None) == ""


def test_uscc_check_char_refuses_a_bad_body():
    """The check character is only defined for 17 characters of the charset."""
    with pytest.raises(ValueError):
        codes.uscc_check_char("1234")
    with pytest.raises(ValueError):
        codes.uscc_check_char("91350100M000100I4")


# --- GB/T 2260 -----------------------------------------------------------------------------


@pytest.mark.parametrize("code, level", [
    ("140000", "province"), ("140100", "city"), ("140105", "county"), ("110101", "county"),
    ("820000", "province"),
])
def test_region_codes_valid_with_their_level(code, level):
    """A GB/T 2260 code is 6 digits with a province prefix; its zeros give the level."""
    assert codes.region_code_is_valid(code)
    assert codes.region_level(code) == level


@pytest.mark.parametrize("code", ["14000", "1400000", "14000A", "", None, 140000, "990000",
                                  "000000", "190100"])
def test_region_codes_invalid(code):
    """Not 6 digits, or no province with that prefix, is refused with a reason."""
    problem = codes.region_code_problem(code)
    assert problem is not None and all(problem)


# --- resource code templates ------------------------------------------------------------------


def test_default_template_formats_and_prefixes():
    """The default template is 类+项+目+细目, '/', a 6-digit sequence; the prefix ends at '/'."""
    assert DEFAULT == "{class}{item}{subitem}{detail}/{seq:06}"
    assert codes.format_resource_code(DEFAULT, "1", "01", "001", "", 7) == "101001/000007"
    assert codes.format_resource_code(DEFAULT, "2", "12", "003", "A1", 123) == "212003A1/000123"
    assert codes.code_prefix(DEFAULT, "2", "12", "003", "A1") == "212003A1/"
    assert codes.code_prefix(DEFAULT, "1", "01", "001", None) == "101001/"


def test_sequence_outgrows_its_width():
    """The sequence is zero-padded to the width and keeps growing past it."""
    assert codes.format_resource_code(DEFAULT, "1", "01", "001", "", 1_234_567) == \
        "101001/1234567"


def test_keyword_arguments_as_used_by_the_allocator():
    """class_/item/subitem/detail/seq work as keywords (the database allocator's call)."""
    parts = {"class_": "3", "item": "07", "subitem": "001", "detail": ""}
    assert codes.code_prefix(DEFAULT, **parts) == "307001/"
    assert codes.format_resource_code(DEFAULT, seq=2, **parts) == "307001/000002"


def test_numeric_format_specs_accept_digit_strings():
    """A field with a numeric spec ({item:02}) accepts the digit strings entries carry."""
    template = "{class}{item:02}{subitem:03}{detail}/{seq:06}"
    assert codes.format_resource_code(template, "1", "1", "1", "", 5) == "101001/000005"
    assert codes.format_resource_code(template, "1", "01", "001", "", 5) == "101001/000005"


def test_extra_template_fields():
    """Templates may use further fields (e.g. a GB/T 2260 region) supplied by the caller."""
    template = "{region}{class}{item}{subitem}-{seq:04}"
    code = codes.format_resource_code(template, "1", "02", "001", "", 9, region="140000")
    assert code == "140000102001-0009"
    assert codes.parse_resource_code(template, code)["region"] == "140000"
    with pytest.raises(ValueError, match="region"):
        codes.format_resource_code(template, "1", "02", "001", "", 9)


@pytest.mark.parametrize("seq", [0, -1, 1.5, "7", True, None])
def test_sequence_must_be_a_positive_integer(seq):
    """Sequence numbers start at 1 and are integers."""
    with pytest.raises(ValueError):
        codes.format_resource_code(DEFAULT, "1", "01", "001", "", seq)


@pytest.mark.parametrize("template, problem", [
    ("", "empty"),
    ("{class}{item}{subitem}", "exactly one {seq}"),
    ("{seq}{seq}", "exactly one {seq}"),
    ("{seq:06}/{class}", "last field"),
    ("{class}/{seq:6}", "zero-padded"),
    ("{class}/{seq:x}", "zero-padded"),
    ("{class!r}/{seq}", "conversion"),
    ("{class}/{0}{seq}", "plain name"),
    ("{class/{seq}", "invalid"),
])
def test_template_problems(template, problem):
    """A template needs exactly one final {seq} (zero-padded if a width is given), named fields."""
    found = codes.template_problems(template)
    assert any(problem in p for p in found), found
    with pytest.raises(ValueError):
        codes.code_prefix(template, "1", "01", "001", "")


def test_good_templates_have_no_problems():
    """The default and documented alternatives are accepted."""
    for template in (DEFAULT, "{class}{item}{subitem}{detail}{seq}",
                     "14{class}{item}{subitem}{detail}/{seq:06}"):
        assert codes.template_problems(template) == []


@given(
    st.sampled_from("123"),
    st.from_regex(r"\d{2}", fullmatch=True),
    st.from_regex(r"\d{3}", fullmatch=True),
    st.from_regex(r"[0-9A-Za-z]{0,6}", fullmatch=True),
    st.integers(min_value=1, max_value=10**9),
)
def test_parse_inverts_format(class_, item, subitem, detail, seq):
    """Every code the template produces parses back into its parts, prefix first."""
    code = codes.format_resource_code(DEFAULT, class_, item, subitem, detail, seq)
    assert code.startswith(codes.code_prefix(DEFAULT, class_, item, subitem, detail))
    assert codes.parse_resource_code(DEFAULT, code) == {
        "class": class_, "item": item, "subitem": subitem, "detail": detail, "seq": seq}
    assert codes.resource_code_problem(DEFAULT, code) is None


@pytest.mark.parametrize("code", ["101001/7", "101001-000007", "1010/000007", "A01001/000001",
                                  "101001/000000", "", None, "101001/000001/"])
def test_codes_of_another_shape_are_refused(code):
    """A code that the template cannot produce is refused, with the template and an example."""
    assert codes.parse_resource_code(DEFAULT, code) is None
    problem = codes.resource_code_problem(DEFAULT, code)
    assert DEFAULT in problem and "101001/000001" in problem


def test_slug_from_resource_code():
    """A code becomes a valid CKAN dataset name."""
    assert codes.slug_from_resource_code("101001/000007") == "101001-000007"
    assert codes.slug_from_resource_code("212003A1/000123") == "212003a1-000123"
