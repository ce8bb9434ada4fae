"""GB/T 2260 region codes, checked offline against the list python-stdnum ships."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    province: str
    valid_from: int | None
    valid_to: int | None

    @property
    def current(self) -> bool:
        return self.valid_to is None


_ENTRY = re.compile(r'^\s+(\d{4}) county="(?:\[(\d{4})?-(\d{4})?\])?(.*)"$')


@cache
def regions() -> dict[str, Region]:
    """All codes in stdnum's loc.dat; a code reused over time keeps its latest entry."""
    text = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    table: dict[str, Region] = {}
    province_code, province = "", ""
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if not line[0].isspace():
            province_code, _, rest = line.partition(" ")
            province = rest.split('"')[1] if '"' in rest else rest
            continue
        match = _ENTRY.match(line)
        if not match:
            continue
        suffix, start, end, name = match.groups()
        code = province_code + suffix
        entry = Region(code, name, province, int(start) if start else None, int(end) if end else None)
        previous = table.get(code)
        if previous is None or previous.valid_to is not None:
            table[code] = entry
    return table


def lookup(code: str) -> Region | None:
    return regions().get(code)


def within(code: str, ancestor: str) -> bool:
    """True if region `code` lies inside `ancestor` (same code, or its prefix)."""
    prefix = ancestor.rstrip("0")
    if len(prefix) % 2:
        prefix += "0"
    return code.startswith(prefix)
