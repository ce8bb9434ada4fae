"""Official power codes, parsed by the scheme of the province that issued them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .models import CodeScheme

CODE_PARTS = ("agency", "category", "item", "subitem", "region")


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


def parse_code(raw: str, scheme: CodeScheme) -> ParsedCode:
    """Split `raw` into its parts; a code the scheme does not match is an error."""
    match = re.fullmatch(scheme.pattern, raw.strip())
    if not match:
        raise CodeError(f"{raw!r} does not follow code scheme {scheme.id} ({scheme.name}): expected {scheme.pattern}")
    groups = match.groupdict()
    return ParsedCode(raw, scheme.id, *(groups.get(part) for part in CODE_PARTS))


def category_for_letter(parsed: ParsedCode, scheme: CodeScheme) -> str | None:
    """The category the code's letter stands for in its scheme, if the scheme says."""
    return scheme.categories.get(parsed.category or "")
