"""The header row of a table found, and each column read by meaning (`vocabulary.classify`).

A header may sit below title rows, be split over two rows (事项 / 类型, or 项目名称 over 主项 and
子项) or have spaces inside a cell (事项 类型). Columns that map to no field are kept on the
record as a note, never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Row, Table
from .vocabulary import Reading, classify, normalise_label

HEADER_SCAN_ROWS = 8


def _known(names: list[str], overrides: dict[str, str] | None = None) -> int:
    return sum(1 for n in set(names) if n and classify(n, overrides).key is not None)


def _looks_like_header(cells: list[str], overrides: dict[str, str] | None) -> bool:
    """Cells that read as column names, most of the row's distinct cells; no serial number among them.

    A known name counts 1, a guess by head noun or a one-character slip ½, and one known name at least
    (a data row of short values, 参保单位 | 用人单位 | 不收费 | 工作时间, is read by head nouns only);
    a row holding a bare number is a record.
    """
    distinct = {c for c in cells if c}
    if any(re.fullmatch(r"\d{1,6}", c) for c in distinct):
        return False
    readings = [classify(c, overrides) for c in distinct]
    weight = sum(r.weight for r in readings)
    return weight >= 2 and any(r.exact for r in readings) and _known(cells, overrides) * 2 >= len(distinct)


@dataclass
class Layout:
    """Where the header of a table is and what each column means."""

    header: list[str]  # column names as printed (two-row headers joined)
    readings: list[Reading]  # how each column name was read, and why
    fields: list[str | None]  # the field of each column, None where kept as a note
    titles: list[Row]  # rows above the header (the list's title, its unit, its date)
    body: list[Row]  # rows below the header
    table: str = ""  # the table's locator (表1, 第3页 表1 …)
    header_at: str = ""  # the locator of the header's (first) row
    used: frozenset[str] | None = None  # the fields the record builder reads, once a builder took the table

    def column(self, field: str) -> int | None:
        return self.fields.index(field) if field in self.fields else None

    def mapped(self, used: frozenset[str]) -> list[str]:
        """Column names whose values went into a field (of those a record builder `used`)."""
        self.used = used
        return [r.normalised for r, f in zip(self.readings, self.fields, strict=True) if f in used and r.normalised]

    def unmapped(self, used: frozenset[str]) -> list[str]:
        """Column names kept on each record as a note."""
        return [r.normalised for r, f in zip(self.readings, self.fields, strict=True) if f not in used and r.normalised]


def _cells(row: list[str]) -> list[str]:
    """The row without the empty cells a text table's closing `|` leaves at its end."""
    end = len(row)
    while end and not row[end - 1]:
        end -= 1
    return row[:end]


def _spliced(upper: list[str], lower: list[str]) -> list[str] | None:
    """A text table's header over two rows, the lower with fewer cells: they split the one upper cell they
    share a head with (抽查項目 over 抽查類別 | 抽查事項), which spanned them; None when none does."""
    heads = [normalise_label(c)[:2] for c in lower]
    best, shared = None, 0
    for j, cell in enumerate(upper):
        text = normalise_label(cell)
        n = sum(1 for h in heads if h and text.startswith(h))
        if n > shared:
            best, shared = j, n
    if best is None:
        return None
    return upper[:best] + lower + upper[best + 1 :]


def _joined(upper: list[str], lower: list[str]) -> list[str]:
    """A header split over two rows: each column's two parts, once each (merged cells repeat)."""
    lower_cells = _cells(lower)
    if 1 < len(lower_cells) < len(_cells(upper)) and len(lower) != len(upper):
        spliced = _spliced(_cells(upper), lower_cells)
        if spliced is not None:
            return spliced
    out = []
    for a, b in zip(upper, lower + [""] * (len(upper) - len(lower)), strict=False):
        out.append(a if a == b or not b else (b if not a else a + b))
    return out


def _alike(a: str, b: str) -> float:
    if a == b:
        return 1.0
    return 0.5 if a and b and (a[:2] == b[:2] or a[-2:] == b[-2:]) else 0.0


def _filled(body: list[Row], width: int) -> list[Row]:
    """Rows of a text table with a cell merged down (a cell fewer than the row above): the merged cell's
    value taken from the row above, at the place where the row's other cells line up best with it."""
    from ..validate import truncation

    out: list[Row] = []
    for k, row in enumerate(body):
        cells = _cells(row.cells)
        previous = out[-1].cells if out else None
        missing = width - len(cells)
        cut_short = k == len(body) - 1 and bool(cells) and truncation(cells[-1]) is not None  # the file ends here
        if previous is None or len(_cells(previous)) != width or not 0 < missing <= 2 or len(cells) < 3 or cut_short:
            out.append(row)
            continue
        best, score = 1, -1.0
        for at in range(1, len(cells) + 1):  # after the serial: a merged group is never the row's first cell
            candidate = cells[:at] + previous[at : at + missing] + cells[at:]
            value = sum(_alike(candidate[i], previous[i]) for i in range(width) if not at <= i < at + missing)
            if value > score:
                best, score = at, value
        # at the end: the row's last cells were left out (empty), not merged down from the row above
        merged = previous[best : best + missing] if best < len(cells) else [""] * missing
        printed = _cells(row.printed) if row.printed else None
        out.append(
            Row(
                cells[:best] + merged + cells[best:],
                row.locator,
                row.line,
                printed[:best] + merged + printed[best:] if printed else None,
            )
        )
    return out


def find_layout(table: Table, overrides: dict[str, str] | None = None) -> Layout | None:
    """The header among the first rows: the first whose cells read as elements (see `_looks_like_header`)."""
    for i, row in enumerate(table.rows[:HEADER_SCAN_ROWS]):
        if not _looks_like_header(row.cells, overrides):
            continue
        header, start = row.cells, i + 1
        if start < len(table.rows):
            candidate = _joined(header, table.rows[start].cells)
            lower = table.rows[start].cells
            lower_is_header = not any(c.isdigit() for c in lower) and any(  # a known name below, not a guess
                classify(c, overrides).exact for c in lower if c and c not in header
            )
            if _known(candidate, overrides) > _known(header, overrides) or lower_is_header:
                header, start = candidate, start + 1
        readings = [classify(h, overrides) for h in header]
        fields = [None if r.kept_as_note else r.key for r in readings]
        keep: dict[str, int] = {}  # one column per field: a known name before a guess, else the first
        for j, f in enumerate(fields):
            if f is not None and (f not in keep or (readings[j].exact and not readings[keep[f]].exact)):
                keep[f] = j
        for j, f in enumerate(fields):
            if f is not None and keep[f] != j:
                other = readings[keep[f]].normalised
                fields[j] = None
                readings[j] = Reading(
                    readings[j].label, readings[j].normalised, None, f"与“{other}”同义，原文保留在备注中"
                )
        body = (
            _filled(table.rows[start:], len(header))
            if len({len(r.cells) for r in table.rows}) > 1
            else table.rows[start:]
        )
        return Layout(header, readings, fields, table.rows[:i], body, table.locator, row.locator)
    return None
