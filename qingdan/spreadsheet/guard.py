"""Checks on a workbook before and after openpyxl parses it: a bureau's file is untrusted input.

An .xlsx is a zip of XML. A 4 MB zip can inflate to 4 GB and a sheet can declare millions of
cells, so sizes and cells are counted from the zip's central directory and a streamed read of
the XML before any parsing; XML with a DTD or entity declarations (XXE, "billion laughs") is
refused, as no spreadsheet program writes one. After parsing, sheets whose used area is too
large, real formula cells and text with control characters are refused, each named by its cell.
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
from pathlib import Path

from ..yamlload import CONTROL, control_character_name
from .results import SpreadsheetError

MAX_WORKBOOK_BYTES = 20_000_000  # a bureau's full list is about 100 KB
MAX_UNCOMPRESSED_BYTES = 50_000_000  # ... and about 400 KB unzipped
MAX_MEMBERS = 1_000
MAX_CELLS = 200_000  # ... and about 3,000 cells
_CHUNK = 1 << 20
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_OVERLAP = 128  # bytes kept between chunks so a tag cut in two is still seen
_MERGE = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]{0,40}?ref=[\"']([A-Za-z]{1,3})(\d{1,7}):([A-Za-z]{1,3})(\d{1,7})"
)
_REF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\s[^>]{0,40}?r=[\"']([A-Za-z]{1,3})(\d{1,7})[\"']")
_STYLE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:xf|font|fill|border|numFmt|dxf)[\s/>]")
_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
MAX_STYLES = 65_000  # cell formats, fonts, fills, borders together (Excel keeps at most 64,000 formats)
MAX_SHARED_STRINGS = MAX_CELLS  # more distinct texts than cells is no workbook a bureau fills in


def check_before_parsing(path: Path) -> None:
    """Refuse a file that is not a regular zip within the size, member and cell limits, or has XML declarations."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise SpreadsheetError(f"{path} cannot be read: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise SpreadsheetError(f"{path} is not a regular file")
    if info.st_size > MAX_WORKBOOK_BYTES:
        raise SpreadsheetError(f"{path} is too large ({info.st_size:,} bytes; at most {MAX_WORKBOOK_BYTES:,})")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise SpreadsheetError(f"{path} holds {len(members):,} files; an .xlsx workbook has a few dozen")
            declared = sum(member.file_size for member in members)
            if declared > MAX_UNCOMPRESSED_BYTES:
                raise SpreadsheetError(
                    f"{path} unpacks to {declared:,} bytes (at most {MAX_UNCOMPRESSED_BYTES:,}): "
                    "it is not a workbook a bureau fills in, or it is a zip bomb"
                )
            cells = sum(_scan_member(archive, member, path) for member in members)
    except zipfile.BadZipFile as exc:
        raise SpreadsheetError(f"{path} is not an .xlsx workbook that can be read: {exc}") from None
    except (OSError, RuntimeError, NotImplementedError, EOFError) as exc:  # encrypted, odd compression, cut short
        raise SpreadsheetError(f"{path} is not an .xlsx workbook that can be read: {exc}") from None
    if cells > MAX_CELLS:
        raise SpreadsheetError(f"{path} has {cells:,} cells (at most {MAX_CELLS:,})")


def _scan_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, path: Path) -> int:
    """Stream one XML part (never more than its declared size): refuse declarations; count cells of sheets."""
    if not member.filename.endswith((".xml", ".rels", ".vml")):
        return 0
    counting = member.filename.startswith("xl/worksheets/")
    expansion = _Expansion(member.filename, path)
    cells, tail, first = 0, b"", True
    with archive.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            if first and (chunk.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\0" in chunk[:4]):
                raise SpreadsheetError(f"{path}: {member.filename} is not UTF-8 XML, as spreadsheet programs write it")
            first = False
            window = tail + chunk
            if _DECLARATION.search(window):
                raise SpreadsheetError(
                    f"{path}: {member.filename} declares a DTD or XML entities, which no spreadsheet "
                    "program writes (an XML attack such as XXE or an entity bomb); save the workbook again"
                )
            if counting:
                # count matches that end in this chunk (a match inside `tail` was counted before)
                cells += sum(1 for m in _CELL.finditer(window) if m.end() > len(tail))
                if cells > MAX_CELLS:
                    raise SpreadsheetError(f"{path} has more than {MAX_CELLS:,} cells (at most {MAX_CELLS:,})")
            expansion.feed(window, len(tail))
            tail = window[-_OVERLAP:]
    return cells


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


class _Expansion:
    """What openpyxl would make from little XML, counted in the same streamed read as the cells, before it parses:
    cells covered by merged ranges, the area from A1 to the farthest cell or range a sheet names, style entries
    and shared strings."""

    def __init__(self, name: str, path: Path):
        self.name, self.path = name, path
        self.merged = self.rows = self.columns = self.styles = self.strings = 0
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            self.patterns = {"merge": _MERGE, "ref": _REF}
        elif name == "xl/styles.xml":
            self.patterns = {"style": _STYLE}
        elif name == "xl/sharedStrings.xml":
            self.patterns = {"string": _STRING}
        else:
            self.patterns = {}

    def feed(self, window: bytes, seen: int) -> None:
        """Count the matches of `window` that end after its first `seen` bytes (counted with the chunk before)."""
        for kind, pattern in self.patterns.items():
            for m in pattern.finditer(window):
                if m.end() <= seen:
                    continue
                if kind == "merge":
                    c1, r1, c2, r2 = _column(m[1]), int(m[2]), _column(m[3]), int(m[4])
                    self.merged += (abs(r2 - r1) + 1) * (abs(c2 - c1) + 1)
                    self.rows, self.columns = max(self.rows, r1, r2), max(self.columns, c1, c2)
                elif kind == "ref":
                    self.rows, self.columns = max(self.rows, int(m[2])), max(self.columns, _column(m[1]))
                elif kind == "style":
                    self.styles += 1
                else:
                    self.strings += 1
        self.check()

    def check(self) -> None:
        path, name = self.path, self.name
        if self.merged > MAX_CELLS:
            raise SpreadsheetError(
                f"{path}: {name} merges ranges covering more than {MAX_CELLS:,} cells (at most {MAX_CELLS:,}); "
                "unmerge them or delete the far cells"
            )
        if self.rows * self.columns > MAX_CELLS:
            raise SpreadsheetError(
                f"{path}: {name} reaches row {self.rows:,} and column {self.columns:,}, an area of "
                f"{self.rows * self.columns:,} cells (at most {MAX_CELLS:,}); delete the far cells"
            )
        if self.styles > MAX_STYLES:
            raise SpreadsheetError(f"{path}: more than {MAX_STYLES:,} style entries (at most {MAX_STYLES:,})")
        if self.strings > MAX_SHARED_STRINGS:
            raise SpreadsheetError(
                f"{path}: more than {MAX_SHARED_STRINGS:,} shared strings (at most {MAX_SHARED_STRINGS:,})"
            )


def check_sheet_area(ws, path: Path) -> None:
    """openpyxl makes a cell for every place in a sheet's used area, so one far cell (XFD1048576) is a bomb."""
    area = ws.max_row * ws.max_column
    if area > MAX_CELLS:
        raise SpreadsheetError(
            f"{path}: the sheet {ws.title} spans {ws.max_row:,} rows × {ws.max_column:,} columns "
            f"(at most {MAX_CELLS:,} cells); delete the far cells"
        )


def unsafe_cells(ws):
    """(cell, reason) for real formula cells (not text that starts with '=': a formula's value would be
    computed, not copied) and for text with control characters (XML allows C1 codes such as U+009B)."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                yield (
                    cell,
                    (
                        f"a formula ({str(cell.value)[:40]}): formulas are not imported; type the value itself "
                        "(text that starts with = is fine when the cell is formatted as text)"
                    ),
                )
            elif isinstance(cell.value, str) and (bad := CONTROL.search(cell.value)):
                yield cell, f"control character {control_character_name(bad.group())}: registry text must be printable"
