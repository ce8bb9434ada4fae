"""Mapping a registry path (`powers[3].materials[1].name`) to the workbook cell that holds it."""

from __future__ import annotations

from dataclasses import dataclass

from .rows import Row
from .sheets import Column, Sheet


def rows_by_record(rows: dict[Sheet, list[Row]]) -> dict[str, Row]:
    """Rows of records that have an ID of their own, by ID (first wins)."""
    found: dict[str, Row] = {}
    for sheet, sheet_rows in rows.items():
        if sheet.has_id:
            for row in sheet_rows:
                if isinstance(row.key, str):
                    found.setdefault(row.key, row)
    return found


def split_field(field_path: str) -> list:
    parts: list = []
    for piece in field_path.replace("]", "").replace("[", ".").split("."):
        if piece:
            parts.append(int(piece) if piece.isdigit() else piece)
    return parts


@dataclass
class Located:
    sheet: str
    cell: str
    column: str
    sort: tuple


def _key_column(sheet: Sheet) -> Column:
    return sheet.column(("id",)) or sheet.columns[0]


def locate(row: Row, parts: list, letters: dict[str, dict[tuple, str]], order: dict[str, int] | None = None) -> Located:
    """The cell that holds the value at `parts` (a path below the record of `row`)."""
    detail = ""
    while True:
        sheet = row.sheet
        column = None
        if parts:
            head = parts[0]
            child = next((c for key, _, c in sheet.children if key == head), None)
            if child is not None:
                kids = row.children.get(head, [])
                if len(parts) > 1 and isinstance(parts[1], int) and parts[1] < len(kids):
                    row, parts = kids[parts[1]], parts[2:]
                    continue
                column = _key_column(sheet)
                detail = child.name  # the list as a whole: its rows are in that sheet
            else:
                matches = [c for c in sheet.columns if tuple(parts[: len(c.path)]) == c.path]
                if matches:
                    column = max(matches, key=lambda c: len(c.path))
                    rest = parts[len(column.path) :]
                    if rest:
                        detail = (
                            f"{column.label} 第{rest[0] + 1}项"
                            if isinstance(rest[0], int)
                            else f"{column.label} {rest[0]}"
                        )
                else:
                    column = next((c for c in sheet.columns if c.path[0] == head), None)
        column = column or _key_column(sheet)
        present = letters.get(sheet.name, {})
        letter = present.get(column.path)
        label = detail or column.label
        if letter is None:  # the column is not in the workbook: point at the row
            letter = present.get(_key_column(sheet).path) or next(iter(present.values()), "A")
            label = f"{label}（此列缺失）"
        index = column_index(letter)
        return Located(
            sheet.name, f"{letter}{row.number}", label, ((order or {}).get(sheet.name, 0), row.number, index)
        )


def column_index(letter: str) -> int:
    index = 0
    for ch in letter:
        index = index * 26 + ord(ch) - 64
    return index
