"""The common shape every reader produces: paragraphs and tables in reading order, with their lines.

Whatever the format, a bureau's file becomes a list of blocks; the lines are those of the
extracted text that is stored in `registry/sources/` beside the original, so each record can
say where it starts.
"""

from __future__ import annotations

from dataclasses import dataclass

from .vocabulary import normalise_text


class DraftError(Exception):
    """Bad input: a clear message for the user, and nothing written."""


@dataclass
class Paragraph:
    text: str  # as read (compatibility characters normalised, see `normalise`)
    locator: str
    line: int = 0
    printed: str | None = None  # as printed, where it differs from `text`


@dataclass
class Row:
    cells: list[str]  # as read
    locator: str
    line: int = 0
    printed: list[str] | None = None  # as printed, where any cell differs from `cells`

    def printed_cell(self, index: int) -> str:
        cells = self.printed or self.cells
        return cells[index] if index < len(cells) else ""


@dataclass
class Table:
    rows: list[Row]
    locator: str


@dataclass
class Extracted:
    """A file as blocks, and the text those blocks' lines point into."""

    blocks: list[Paragraph | Table]
    text: str

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


def clean(text: str | None) -> str:
    """Cell text with its line breaks kept, other whitespace runs tidied, no stray spaces at the ends."""
    if text is None:
        return ""
    lines = [" ".join(line.replace("\u3000", " ").split()) for line in str(text).replace("\r\n", "\n").split("\n")]
    return "\n".join(line for line in lines if line).strip()


def render(blocks: list[Paragraph | Table]) -> Extracted:
    """Write the blocks as text (a row: its cells separated by tabs) and number each block's first line."""
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            block.line = len(out) + 1
            out.extend(block.text.split("\n"))
            continue
        out.append("")
        for row in block.rows:
            row.line = len(out) + 1
            out.extend("\t".join(row.cells).split("\n"))
        out.append("")
    return Extracted(blocks, "\n".join(out) + "\n")


def normalise(extracted: Extracted) -> Extracted:
    """Blocks as read (Kangxi radicals ⾏ → 行, full-width Ａ１ → A1), the printed text kept beside them.

    `extracted.text`, stored in sources/ and pointed into by every record's line, stays as printed;
    no line break is added or removed, so every record's line still points at what it was read from.
    """
    for block in extracted.blocks:
        if isinstance(block, Paragraph):
            read = normalise_text(block.text)
            if read != block.text:
                block.printed, block.text = block.text, read
            continue
        for row in block.rows:
            read = [normalise_text(c) for c in row.cells]
            if read != row.cells:
                row.printed, row.cells = row.printed or row.cells, read
    return extracted
