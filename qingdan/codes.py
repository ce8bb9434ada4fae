"""Official power codes, parsed by the scheme of the province that issued them."""

from __future__ import annotations

import re
import re._constants as sre
import re._parser as sre_parse
from dataclasses import dataclass
from functools import lru_cache

from .models import CodeScheme

CODE_PARTS = ("agency", "category", "item", "subitem", "region")
MAX_CODE_CHARS = 64  # official codes are about 20 characters
MAX_VARIABLE_REPEATS = 4  # with 64 characters, matching stays within milliseconds


@dataclass(frozen=True)
class ParsedCode:
    raw: str
    scheme: str
    agency: str | None
    category: str | None
    item: str | None
    subitem: str | None
    region: str | None


class CodeError(ValueError):
    pass


class SchemeError(CodeError):
    """The scheme's pattern itself is wrong: invalid, or slow enough to hang the validator."""


def parse_code(raw: str | None, scheme: CodeScheme | None) -> ParsedCode:
    """Split `raw` into its parts; a code the scheme does not match (or no code or scheme) is an error."""
    if raw is None or scheme is None:
        raise CodeError("no code or no code scheme to parse it with")
    pattern = scheme_pattern(scheme.pattern)
    if len(raw.strip()) > MAX_CODE_CHARS:
        raise CodeError(f"the code is longer than {MAX_CODE_CHARS} characters; official codes are much shorter")
    match = pattern.fullmatch(raw.strip())
    if not match:
        raise CodeError(f"{raw!r} does not follow code scheme {scheme.id} ({scheme.name}): expected {scheme.pattern}")
    groups = match.groupdict()
    return ParsedCode(raw, scheme.id, *(groups.get(part) for part in CODE_PARTS))


def category_for_letter(parsed: ParsedCode, scheme: CodeScheme) -> str | None:
    """The category the code's letter stands for in its scheme, if the scheme says."""
    return scheme.categories.get(parsed.category or "")


@lru_cache(maxsize=256)
def scheme_pattern(pattern: str) -> re.Pattern:
    """The compiled pattern, refused if backtracking could take exponential or long polynomial time.

    Patterns are data from the registry, matched against every code: nested repetition
    (`(a+)+`), repetition of alternatives and back-references can take years on a 64-character
    code, so they are refused; simple patterns (`\\d{4}-[A-Z]-\\d{3}`) are what schemes need.
    """
    try:
        compiled = re.compile(pattern)
        tree = sre_parse.parse(pattern)
    except re.error as exc:
        raise SchemeError(f"the scheme's pattern is not a valid regular expression: {exc}") from None
    variable = _check_tree(tree, inside_repeat=False)
    if variable > MAX_VARIABLE_REPEATS:
        raise SchemeError(
            f"the scheme's pattern has {variable} repetitions of variable length (+, *, {{m,n}}); "
            f"at most {MAX_VARIABLE_REPEATS} keep matching fast"
        )
    return compiled


_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


def _check_tree(items, inside_repeat: bool) -> int:
    """Raise SchemeError on a slow construct; return the number of variable-length repetitions."""
    count = 0
    for op, value in items:
        if op in (sre.GROUPREF, sre.GROUPREF_EXISTS):
            raise SchemeError("the scheme's pattern uses a back-reference, which can make matching very slow")
        if op in _REPEATS:
            low, high, body = value
            if inside_repeat and low != high:
                raise SchemeError(
                    "the scheme's pattern nests a repetition inside a repetition (like (a+)+), "
                    "which can make matching take exponential time"
                )
            count += low != high
            count += _check_tree(body, inside_repeat or high > 1)
        elif op is sre.BRANCH:
            if inside_repeat:
                raise SchemeError(
                    "the scheme's pattern repeats a choice of alternatives (like (a|ab)+), "
                    "which can make matching take exponential time"
                )
            count += sum(_check_tree(branch, inside_repeat) for branch in value[1])
        elif op is sre.SUBPATTERN:
            count += _check_tree(value[-1], inside_repeat)
        elif op in (sre.ASSERT, sre.ASSERT_NOT, sre.ATOMIC_GROUP):
            count += _check_tree(value[-1] if op is not sre.ATOMIC_GROUP else value, inside_repeat)
    return count
