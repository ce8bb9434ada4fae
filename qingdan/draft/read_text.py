"""Plain text: tables as `|`- or tab-separated lines, everything else as paragraphs, one per line."""

from __future__ import annotations

import re
from pathlib import Path

from .limits import CellBudget
from .model import DraftError, Extracted, Paragraph, Row, Table, clean

RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")  # a Markdown table's |---|---| line
# a table drawn with box characters (law sites print lists so): ┌──┬──┐ lines are rules, │ separates cells
BOX_RULE = re.compile(r"^[\s┌┐└┘├┤┬┴┼─━┏┓┗┛┣┫┳┻╋┠┨┯┷┿╂═╔╗╚╝╠╣╦╩╬]+$")
SEPARATOR = re.compile(r"[｜│┃]")  # full-width and box-drawing bars read as |


def decode(data: bytes, path: Path) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DraftError(f"{path}: the text is neither UTF-8 nor GB18030; save it as UTF-8")


def split_cells(line: str) -> list[str] | None:
    """The cells of a table line, or None when the line is not one."""
    if "|" in line:
        stripped = line.strip()
        if stripped.startswith("|"):
            stripped = stripped[1:]
        if stripped.endswith("|"):
            stripped = stripped[:-1]
        cells = stripped.split("|")
    elif "\t" in line.strip("\t ") or line.startswith("\t"):
        cells = line.rstrip("\n").split("\t")
    else:
        return None
    return [clean(c) for c in cells] if len(cells) >= 2 else None


def read_text(path: Path, data: bytes) -> Extracted:
    text = decode(data, path).replace("\r\n", "\n").replace("\r", "\n")
    budget = CellBudget(path)
    blocks: list[Paragraph | Table] = []
    table: Table | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        if (RULE.match(line.strip()) and table is not None) or (line.strip() and BOX_RULE.match(line)):
            continue
        cells = split_cells(SEPARATOR.sub("|", line))
        if cells is not None:
            budget.take(len(cells))
            if table is None:
                table = Table([], f"第{number}行起的表格")
                blocks.append(table)
            table.rows.append(Row(cells, f"第{number}行", number))
            continue
        table = None
        if line.strip():
            blocks.append(Paragraph(clean(line), f"第{number}行", number))
    return Extracted(blocks, text if text.endswith("\n") else text + "\n")
