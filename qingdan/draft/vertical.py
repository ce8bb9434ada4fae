"""Vertical forms: each record a block of labels, each label followed by its value.

Bureaus print a 责任事项梳理表 or a 权力事项表 one record at a time: a label line (职权名称) then its
value line(s), or a two-column table whose first column holds the labels (sometimes two label/value
pairs to a row). A label may be broken over two lines (事项 / 名称). The block starts again when its
first label (事项名称, 序号 …) repeats. Labels are read by meaning (`vocabulary.classify`); the records
are built as a grid of the same columns would build them (`tables.BUILDERS`), labels that map to no
field kept on the record as a note.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from pydantic import BaseModel

from ..models import SourceDefect
from .columns import Layout
from .context import Context
from .model import Extracted, Paragraph, Row, Table
from .tables import BUILDERS, USES, table_kind
from .vocabulary import _NAME_OF, TRAILING_NOTE, Reading, classify, normalise_label

Found = list[tuple[str, list[BaseModel]]]

MAX_LABEL_CHARS = 8  # a label line is short: 事项名称, 设定依据, 承办机构（科室）
LABEL_PUNCTUATION = re.compile(r"[，。；、,;！？!?《》“”\"/]")
INLINE = re.compile(r"^(?P<label>[^：:，。；]{2,10})[：:]\s*(?P<value>.*)$", re.S)
NAME_SERIAL = re.compile(r"^\s*(?:\d{1,3}[、.．]|[（(]\d{1,3}[)）])\s*(?=\S)")  # 1、伪造… : the serial is not the name
NAME_KEYS = {"name", "main_item", "duty", "matter", "post"}


@dataclass
class WholeRow(Row):
    """A row that is one whole record (a block of a form, a run of a flattened table): never joined to another."""

    whole: bool = True


def build_from_rows(header: list[str], rows: list[Row], heading: str, ctx: Context, check_end: bool = True) -> Found:
    """Records from recovered rows under `header`, by the kind of list they make, as a grid would give them."""
    readings = [classify(h, ctx.overrides) for h in header]
    fields = [None if r.kept_as_note else r.key for r in readings]
    sub = next((j for j, r in enumerate(readings) if fields[j] == "name" and "子项" in r.normalised), None)
    whole = next((j for j in range(sub or 0) if fields[j] == "name"), None) if sub else None
    if whole is not None and "main_item" not in fields:  # 事项名称 then 子项名称: the record is the 子项
        fields[whole] = "main_item"
        readings[whole] = Reading(
            readings[whole].label, readings[whole].normalised, "main_item", "子项名称之前的事项名称，即主项"
        )
    seen: set[str] = set()
    for j, f in enumerate(fields):  # one column per field, as columns.find_layout does
        if f in seen:
            fields[j] = None
            readings[j] = Reading(readings[j].label, readings[j].normalised, None, "与前一栏同义，原文保留在备注中")
        if f:
            seen.add(f)
    layout = Layout(header, readings, fields, [], rows)
    kind = table_kind(layout, heading)
    if kind is None:
        return []
    ctx.layouts.append(layout)
    ctx.mapped.update(layout.mapped(USES[kind]))
    ctx.unmapped.update(layout.unmapped(USES[kind]))
    records = BUILDERS[kind](layout, heading, ctx)
    if records and check_end:
        cut_off(header, rows, heading, ctx)
    return [(kind, records)] if records else []


ENDS = '。；;.!?！？）)》”"】]'


# an item's serial that opens the next item: （三） () 3. ③ at the very end of a cell, after an item
OPEN_SERIAL = re.compile(r"[;；。，,\s](?:[（(][一二三四五六七八九十\d]{0,3}[)）]|\d{1,2}[.、．]|[①-⑳])$")


def cut_off(header: list[str], rows: list[Row], heading: str, ctx: Context) -> bool:
    """The last record stopping mid-sentence: the file was cut off there (a document defect). Its last text is
    long and has no closing stop, and either the columns after it are empty where other records fill them, or
    the other records' same column ends with a stop (a 备注 that never does is no sign), or it is the only record."""
    rows = [r for r in rows if any(c.strip() for c in r.cells)]
    if not rows:
        return False
    last, others = rows[-1], rows[:-1]
    filled = [j for j, cell in enumerate(last.cells[: len(header)]) if cell.strip()]
    if not filled:
        return False
    j = filled[-1]
    text = last.cells[j].strip()
    sentence = re.search(r"[，,；;。：:\s]", text) or len(text) >= 20
    # a title opened and never closed (《中华人民共和国社), or an item's serial with no item after it (…;()):
    # the text stops inside what it started, however short
    broken = text.count("《") > text.count("》") or OPEN_SERIAL.search(text)
    if not broken and (len(text) < 10 or not sentence or text[-1] in ENDS + "条款项号"):  # 第八十七条 may end
        return False
    later = range(j + 1, len(header))
    stops_early = any(k < len(r.cells) and r.cells[k].strip() for r in others for k in later) or (
        not others and j < len(header) - 1
    )
    peers = [r.cells[j].strip() for r in others if j < len(r.cells) and r.cells[j].strip()]
    ended = sum(1 for p in peers if p[-1] in ENDS + "条款项号")
    if not (broken or stops_early or (peers and ended * 2 >= len(peers)) or not others):
        return False
    ctx.defects.append(
        SourceDefect(
            kind="truncated",
            locator=" ".join(p for p in (heading, last.locator, header[j]) if p),
            line=last.line or None,
            description=f"最后一条记录的“{header[j]}”在句中中断，文件疑似被截断：…{text[-20:]}",
        )
    )
    return True


def label_of(text: str, overrides: dict[str, str] | None = None) -> str | None:
    """The label a short line is (its normalised form), or None when it reads as a value."""
    if not text or "\n" in text.strip():
        return None
    normalised = normalise_label(text)
    if not normalised or len(normalised) > MAX_LABEL_CHARS or LABEL_PUNCTUATION.search(normalised):
        return None
    if re.search(r"\d", normalised):
        return None
    reading = classify(text, overrides)
    if reading.key is None:
        return None
    exact = normalised in _NAME_OF or TRAILING_NOTE.sub("", normalised) in _NAME_OF or normalised in (overrides or {})
    if not exact and re.search(r"[:：]\s*$", text):
        return None  # 一般程序: / 1.立案责任: open items inside a value; a label read by its head noun has no colon
    return normalised


def _inline_label(match: re.Match, overrides: dict[str, str] | None) -> str | None:
    """The label of a `标签：值` line; with nothing after the colon, only a known name (一般程序: opens a value)."""
    return label_of(match["label"] + ("" if match["value"].strip() else "："), overrides)


def _joined_label(first: str, second: str) -> str | None:
    """A label broken over two lines (事项 / 名称): the two short parts make a known name together."""
    a, b = normalise_label(first), normalise_label(second)
    if not a or not b or len(a) > 4 or len(b) > 4 or LABEL_PUNCTUATION.search(a + b):
        return None
    return a + b if (a + b) in _NAME_OF else None


@dataclass
class Item:
    label: str | None  # normalised label, None for a value line
    text: str  # the label as printed, or the value line
    line: int
    locator: str


def _items(paragraphs: list[Paragraph], overrides: dict[str, str] | None) -> list[Item]:
    """Paragraph lines as labels and values (a `标签：值` line gives both)."""
    lines: list[tuple[str, int, str]] = []
    for p in paragraphs:
        for k, line in enumerate(p.text.split("\n")):
            if line.strip():
                lines.append((line.strip(), p.line + k if p.line else 0, p.locator))
    out: list[Item] = []
    i = 0
    while i < len(lines):
        text, line, where = lines[i]
        joined = _joined_label(text, lines[i + 1][0]) if i + 1 < len(lines) else None
        if joined and label_of(joined, overrides):
            out.append(Item(joined, text + lines[i + 1][0], line, where))
            i += 2
            continue
        label = label_of(text, overrides)
        inline = INLINE.match(text)
        if label:
            out.append(Item(label, text, line, where))
        elif inline and (inline_label := _inline_label(inline, overrides)):
            out.append(Item(inline_label, inline["label"], line, where))
            if inline["value"].strip():
                out.append(Item(None, inline["value"].strip(), line, where))
        else:
            out.append(Item(None, text, line, where))
        i += 1
    return _recurring_labels(out)


def _recurring_labels(items: list[Item]) -> list[Item]:
    """Short lines the vocabulary does not know but every block prints where a label goes (审核 / 转报 / 否).

    A run of such lines, each recurring once per block, between a value and the next label: the last line is
    the value, the lines before it the label (broken over lines). A value may recur too (行政处罚 after
    职权类型 in every block), so a line right after a label is a value."""
    labels = [it for it in items if it.label]
    if not labels:
        return items
    blocks = sum(1 for it in labels if it.label == labels[0].label)
    if blocks < 2:
        return items
    counts = Counter(normalise_label(it.text) for it in items if it.label is None)

    def recurring(it: Item) -> bool:
        short = normalise_label(it.text)
        return (
            it.label is None
            and counts[short] == blocks
            and 0 < len(short) <= MAX_LABEL_CHARS
            and not LABEL_PUNCTUATION.search(short)
            and not re.search(r"\d", short)
        )

    out: list[Item] = []
    k = 0
    while k < len(items):
        it = items[k]
        if not (recurring(it) and k and items[k - 1].label is None):
            out.append(it)
            k += 1
            continue
        run = k
        while run < len(items) and recurring(items[run]):
            run += 1
        group = items[k:run]
        ends_block = run >= len(items) or items[run].label is not None
        if len(group) >= 2 and ends_block:
            label_text = "".join(g.text for g in group[:-1])
            out.append(Item(normalise_label(label_text), label_text, group[0].line, group[0].locator))
            out.append(group[-1])
        else:
            out.extend(group)
        k = run
    return out


FIRST_KEYS = {"seq", "name", "main_item", "code", "duty", "matter", "post"}


def _opens_record(label: str | None) -> bool:
    """A label a record starts with (序号, 事项名称, 职权编码 …), printed as a known name (not 注意事项, read as
    a 事项 only by its head noun)."""
    if not label:
        return False
    exact = label in _NAME_OF or TRAILING_NOTE.sub("", label) in _NAME_OF
    return exact and classify(label).key in FIRST_KEYS


def _blocks(items: list[Item]) -> list[list[Item]]:
    """Items from the first label that opens a record on, one block per repetition of that label."""
    start = next((k for k, it in enumerate(items) if _opens_record(it.label)), None)
    if start is None:
        return []
    first = items[start].label
    blocks: list[list[Item]] = []
    for it in items[start:]:
        if it.label == first or not blocks:
            blocks.append([])
        blocks[-1].append(it)
    return blocks


def _rows(blocks: list[list[Item]], where: str) -> tuple[list[str], list[Row]]:
    """One row per block over the labels of all blocks, in the order they first appear."""
    header: list[str] = []
    printed: dict[str, str] = {}
    for block in blocks:
        for it in block:
            if it.label and it.label not in header:
                header.append(it.label)
                printed[it.label] = it.text
    rows = []
    for n, block in enumerate(blocks, start=1):
        values: dict[str, list[str]] = {}
        current = None
        for it in block:
            if it.label:
                current = it.label
                values.setdefault(current, [])
            elif current is not None:
                values[current].append(it.text)
        cells = ["\n".join(values.get(h, [])) for h in header]
        names = [classify(h).key in ("name", "main_item") for h in header]
        cells = [NAME_SERIAL.sub("", c) if is_name else c for is_name, c in zip(names, cells, strict=True)]
        rows.append(WholeRow(cells, f"{where}第{n}项", block[0].line))
    return [printed[h] for h in header], rows


def _good_blocks(header: list[str], overrides: dict[str, str] | None) -> bool:
    keys = {classify(h, overrides).key for h in header} - {None}
    return len(keys) >= 3 and bool(keys & NAME_KEYS)


GUIDE_KEYS = frozenset(
    {"conditions", "materials", "process", "time_limit", "fees", "place", "hours", "channel", "applicants", "result"}
    | {"rating"}
)


def form_keys(extracted: Extracted, overrides: dict[str, str] | None = None) -> set[str]:
    """The elements the file's forms (label lines, label/value tables) print; empty when it holds no form."""
    keys: set[str] = set()
    blocks = _blocks(_items(extracted.paragraphs, overrides))
    if blocks and any(it.label is None for block in blocks for it in block):
        header, _ = _rows(blocks, "")
        if _good_blocks(header, overrides):
            keys |= {classify(h, overrides).key for h in header} - {None}
    for table in extracted.tables:
        if is_label_table(table, overrides):
            keys |= {classify(label, overrides).key for row in table.rows for label, _ in _pairs(row, overrides) or []}
    return keys - {None}


def paragraph_forms(extracted: Extracted, title: str, ctx: Context) -> Found:
    """Label lines and value lines among the paragraphs, one record per block."""
    items = _items(extracted.paragraphs, ctx.overrides)
    blocks = _blocks(items)
    if not blocks:
        return []
    if not any(it.label is None for block in blocks for it in block):
        return []  # labels only: a list of column names, not a form
    header, rows = _rows(blocks, "")
    if not _good_blocks(header, ctx.overrides):
        return []
    return build_from_rows(header, rows, title, ctx)


# --- tables whose first column (or every other column) holds the labels --------------------------


def _pairs(row: Row, overrides: dict[str, str] | None) -> list[tuple[str, str]] | None:
    """A row's label/value pairs (label | value | label | value); None when the row is not of that shape."""
    cells: list[str] = []
    for cell in row.cells:  # merged cells repeat their text: keep one
        if not cells or cell != cells[-1] or not cell:
            cells.append(cell)
    cells = [c for c in cells]
    while cells and not cells[-1]:
        cells.pop()
    if len(cells) < 2:
        return None
    pairs = []
    for k in range(0, len(cells), 2):
        label = cells[k]
        value = cells[k + 1] if k + 1 < len(cells) else ""
        label = label.replace("\n", "")
        known = label_of(label, overrides)
        if value and label_of(value, overrides):
            return None if k == 0 else pairs
        if not known and (k == 0 or not _unknown_label(label)):
            return None if k == 0 else pairs
        pairs.append((label, value))
    return pairs


def _unknown_label(text: str) -> bool:
    """A short cell in a label's place (审核 / 转报) that the vocabulary does not know: kept as a note's label."""
    short = normalise_label(text)
    return 0 < len(short) <= MAX_LABEL_CHARS and not LABEL_PUNCTUATION.search(short) and not re.search(r"\d", short)


def is_label_table(table: Table, overrides: dict[str, str] | None = None) -> bool:
    """A table whose first column holds labels and the next their values (most rows), not a grid with a header."""
    rows = [r for r in table.rows if any(r.cells)]
    if len(rows) < 3:
        return False
    paired = sum(1 for r in rows if _pairs(r, overrides))
    return paired >= 3 and paired * 3 >= len(rows) * 2


def table_forms(extracted: Extracted, title: str, ctx: Context) -> Found:
    """Two-column (or label/value/label/value) tables: one record per repetition of the first label."""
    found: Found = []
    for table in extracted.tables:
        if not is_label_table(table, ctx.overrides):
            continue
        items: list[Item] = []
        for row in table.rows:
            for label, value in _pairs(row, ctx.overrides) or []:
                items.append(Item(normalise_label(label) or label, label, row.line, row.locator))
                if value:
                    items.append(Item(None, value, row.line, row.locator))
        blocks = _blocks(items)
        header, rows = _rows(blocks, f"{table.locator} ")
        if blocks and _good_blocks(header, ctx.overrides):
            found += build_from_rows(header, rows, title, ctx)
    return found
