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
_OVERLAP = 16  # bytes kept between chunks so a tag cut in two is still seen


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
            tail = window[-_OVERLAP:]
    return cells


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
