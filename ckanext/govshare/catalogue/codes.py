"""Identification codes: 统一社会信用代码, GB/T 2260 region codes and 信息资源代码.

Pure functions, no CKAN and no database. What belongs here is the arithmetic and shape of
codes: the GB 32100-2015 check digit, the region-code shape, and composing / parsing a
resource code from a configurable template. Allocating the sequence number of a resource
code (per prefix, safe under concurrent creates, never reused) needs the database and lives
with the govshare tables; it uses :func:`code_prefix` as the sequence key.

Problems are returned as messages in the page's language (gettext msgids) that callers prefix
with the field's label.
"""
from __future__ import annotations

import re
import string
from typing import Any

import ckan.plugins.toolkit as tk

__all__ = [
    "USCC_CHARSET",
    "USCC_WEIGHTS",
    "normalize_uscc",
    "uscc_check_char",
    "uscc_problem",
    "uscc_is_valid",
    "PROVINCE_CODES",
    "region_code_problem",
    "region_code_is_valid",
    "region_level",
    "DEFAULT_RESOURCE_CODE_TEMPLATE",
    "SEGMENT_PATTERNS",
    "template_problems",
    "format_resource_code",
    "code_prefix",
    "resource_code_regex",
    "parse_resource_code",
    "resource_code_problem",
    "slug_from_resource_code",
]

Problem = str

# --- 统一社会信用代码 (GB 32100-2015) -------------------------------------------------------

# 31 characters: the digits and the capitals without I, O, Z, S, V; a character's value is
# its index. The check character (18th) makes the weighted sum ≡ 0 (mod 31).
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# weight of position i (1-based) is 3^(i-1) mod 31
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_EXCLUDED = "IOZSV"
_USCC_LENGTH = 18


def normalize_uscc(code: Any) -> str:
    """Strip surrounding and inner blanks and upper-case (the form people type codes in)."""
    return re.sub(r"\s+", "", str(code or "")).upper()


def uscc_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a code.

    Raises ``ValueError`` when ``first17`` is not 17 characters of the code's charset.
    """
    if len(first17) != _USCC_LENGTH - 1 or any(c not in USCC_CHARSET for c in first17):
        raise ValueError(f"not 17 characters of the GB 32100 charset: {first17!r}")
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc_problem(code: Any) -> Problem | None:
    """Why ``code`` is not a 统一社会信用代码 (translated); ``None`` when it is one.

    The code is checked exactly as given (see :func:`normalize_uscc` for user input):
    18 characters of the GB 32100 charset, positions 3–8 the registering authority's
    GB/T 2260 region code, and the check character.
    """
    if not isinstance(code, str) or not code:
        return tk._("must be an 18-character unified social credit code")
    if len(code) != _USCC_LENGTH:
        return tk._("must have 18 characters, not {count}").format(count=len(code))
    bad = sorted({c for c in code if c not in USCC_CHARSET})
    if bad:
        shown = "".join(bad)
        if all(c in _USCC_EXCLUDED for c in bad):
            return tk._("contains {shown}: the code never uses the letters I, O, Z, S, V").format(shown=shown)
        return tk._("contains invalid characters {shown} (digits and capitals only)").format(shown=shown)
    if not code[2:8].isdigit():
        return tk._("positions 3-8 must be the 6-digit region code of the registering authority")
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return tk._("check character mismatch: the 18th character should be {expected}, not {code}").format(expected=expected, code=code[17])
    return None


def uscc_is_valid(code: Any) -> bool:
    """Whether ``code`` (exactly as given) is a valid 统一社会信用代码."""
    return uscc_problem(code) is None


# --- GB/T 2260 行政区划代码 ---------------------------------------------------------------

# first two digits: provinces, autonomous regions, municipalities, Taiwan, Hong Kong, Macao
PROVINCE_CODES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
})


def region_code_problem(code: Any) -> Problem | None:
    """Why ``code`` is not a GB/T 2260 region code shape (translated); ``None`` if it is."""
    if not isinstance(code, str) or not re.fullmatch(r"\d{6}", code):
        return tk._("must be 6 digits")
    if code[:2] not in PROVINCE_CODES:
        return tk._("the first two digits {code} are not a province code").format(code=code[:2])
    return None


def region_code_is_valid(code: Any) -> bool:
    return region_code_problem(code) is None


def region_level(code: str) -> str:
    """``province`` (xx0000), ``city`` (xxyy00) or ``county`` for a valid region code."""
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


# --- 信息资源代码 (1272: 分类码 类/项/目/细目 + 顺序码; domain reference A.5) ----------------

DEFAULT_RESOURCE_CODE_TEMPLATE = "{class}{item}{subitem}{detail}/{seq:06}"

# the shape of each known template field (1272 §6.1 segment lengths; 细目 variable)
SEGMENT_PATTERNS: dict[str, str] = {
    "class": r"\d",
    "item": r"\d{2}",
    "subitem": r"\d{3}",
    "detail": r"[0-9A-Za-z]*",
    "seq": r"\d+",
}
_EXTRA_FIELD_PATTERN = r"[0-9A-Za-z]+"
_FORMATTER = string.Formatter()


def _parse_template(template: str) -> list[tuple[str, str | None, str, str | None]]:
    try:
        return list(_FORMATTER.parse(template))
    except ValueError as exc:
        raise ValueError(f"invalid resource code template {template!r}: {exc}") from exc


def template_problems(template: Any) -> list[str]:
    """What is wrong with a resource-code template (empty list when it is usable).

    A template is a ``str.format`` string with named fields: ``class``, ``item``,
    ``subitem``, ``detail``, ``seq`` and optionally other names supplied by the caller
    (e.g. ``region``). It needs exactly one ``{seq}``, as its last field, formatted as a
    zero-padded integer if a width is given (``{seq:06}``).
    """
    if not isinstance(template, str) or not template:
        return ["the template is empty"]
    try:
        parts = _parse_template(template)
    except ValueError as exc:
        return [str(exc)]
    fields = [(name, spec, conv) for _lit, name, spec, conv in parts if name is not None]
    problems = []
    for name, _spec, conv in fields:
        if not name.isidentifier() and name != "class":
            problems.append(f"field {{{name}}} must be a plain name")
        if conv:
            problems.append(f"field {{{name}}} must not use a !{conv} conversion")
    names = [name for name, _spec, _conv in fields]
    if names.count("seq") != 1:
        problems.append("the template needs exactly one {seq} field")
    elif names[-1] != "seq":
        problems.append("{seq} must be the last field of the template")
    else:
        spec = fields[-1][1]
        if spec and not re.fullmatch(r"0\d+", spec):
            problems.append("{seq} takes no format or a zero-padded width, e.g. {seq:06}")
    return problems


def _check_template(template: str) -> list[tuple[str, str | None, str, str | None]]:
    problems = template_problems(template)
    if problems:
        raise ValueError(f"invalid resource code template {template!r}: {'; '.join(problems)}")
    return _parse_template(template)


def _render(parts: list[tuple[str, str | None, str, str | None]], values: dict[str, Any],
            *, stop_at_seq: bool) -> str:
    out = []
    for literal, name, spec, _conv in parts:
        out.append(literal)
        if name is None:
            continue
        if name == "seq" and stop_at_seq:
            break
        if name not in values:
            raise ValueError(f"no value for field {{{name}}} of the resource code template")
        value = values[name]
        value = "" if value is None else value
        if spec and isinstance(value, str) and value.isdigit():
            value = int(value)
        out.append(format(value, spec))
    return "".join(out)


def _values(class_: Any, item: Any, subitem: Any, detail: Any,
            extra: dict[str, Any]) -> dict[str, Any]:
    return {"class": class_, "item": item, "subitem": subitem, "detail": detail or "", **extra}


def format_resource_code(template: str, class_: Any, item: Any, subitem: Any, detail: Any,
                         seq: int, **extra: Any) -> str:
    """Compose a resource code, e.g. ``("{class}{item}{subitem}{detail}/{seq:06}", "1", "01",
    "001", "", 7)`` → ``"101001/000007"``. ``extra`` supplies any further template fields.
    """
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise ValueError(f"the sequence number must be a positive integer, not {seq!r}")
    parts = _check_template(template)
    return _render(parts, {**_values(class_, item, subitem, detail, extra), "seq": seq},
                   stop_at_seq=False)


def code_prefix(template: str, class_: Any, item: Any, subitem: Any, detail: Any,
                **extra: Any) -> str:
    """The part of the code before the sequence number: the key of the per-prefix sequence.

    Includes the literal text just before ``{seq}`` (``"101001/"`` for the default template).
    """
    parts = _check_template(template)
    return _render(parts, _values(class_, item, subitem, detail, extra), stop_at_seq=True)


def resource_code_regex(template: str) -> re.Pattern[str]:
    """A regular expression matching every code the template can produce (named groups)."""
    parts = _check_template(template)
    pattern = []
    seen: set[str] = set()
    for literal, name, spec, _conv in parts:
        pattern.append(re.escape(literal))
        if name is None:
            continue
        group = "class_" if name == "class" else name
        if name in seen:
            pattern.append(f"(?P={group})")
            continue
        seen.add(name)
        if name == "seq" and spec:
            # zero-padded to the width, longer once the sequence outgrows it
            segment = rf"\d{{{int(spec)},}}"
        else:
            segment = SEGMENT_PATTERNS.get(name, _EXTRA_FIELD_PATTERN)
        pattern.append(f"(?P<{group}>{segment})")
    return re.compile("".join(pattern))


def parse_resource_code(template: str, code: Any) -> dict[str, Any] | None:
    """The fields of ``code`` under ``template`` (``class`` … ``seq``), ``None`` if no match."""
    if not isinstance(code, str):
        return None
    match = resource_code_regex(template).fullmatch(code)
    if not match:
        return None
    fields: dict[str, Any] = {
        ("class" if k == "class_" else k): v for k, v in match.groupdict().items()
    }
    fields["seq"] = int(fields["seq"])
    if fields["seq"] < 1:
        return None
    return fields


def resource_code_problem(template: str, code: Any) -> Problem | None:
    """Why ``code`` does not have the shape of ``template`` (translated); else ``None``."""
    if parse_resource_code(template, code) is None:
        example = format_resource_code(
            template, "1", "01", "001", "", 1,
            **{n: "X" for _l, n, _s, _c in _parse_template(template)
               if n and n not in SEGMENT_PATTERNS},
        )
        return tk._("must have the form {template} (e.g. {example})").format(template=template, example=example)
    return None


def slug_from_resource_code(code: str) -> str:
    """A CKAN dataset name from a resource code: ``101001/000007`` → ``101001-000007``."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", code.lower()).strip("-")
    return slug[:100]
