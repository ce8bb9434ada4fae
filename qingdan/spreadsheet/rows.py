"""The workbook's fixed parts and its rows, shared by export and import."""

from __future__ import annotations

from dataclasses import dataclass, field

from .sheets import Sheet

FIRST_ROW = 3  # row 1: headers, row 2: notes

INFO_SHEET = "说明"
REFERENCE_SHEET = "可引用ID"
FINDINGS_SHEET = "数据问题"
OPTIONS_SHEET = "选项"
SYSTEM_SHEETS = (INFO_SHEET, REFERENCE_SHEET, FINDINGS_SHEET, OPTIONS_SHEET)
AGENCY_LABEL = "机构ID"
FOLDER_LABEL = "目标文件夹"


@dataclass(eq=False)
class Row:
    sheet: Sheet
    number: int  # row number in the sheet
    values: dict = field(default_factory=dict)  # Column → value (decoded)
    key: str | None = None
    parent_key: str | None = None
    position: int | None = None
    children: dict[str, list[Row]] = field(default_factory=dict)


def _get(data: dict, path: tuple[str, ...]):
    value = data
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def collect(
    sheet: Sheet, data: dict, rows: dict[Sheet, list[Row]], parent_key: str | None = None, position: int | None = None
) -> Row:
    """Rows of a record and its nested lists, as they go into the workbook."""
    row = Row(sheet, FIRST_ROW + len(rows[sheet]), parent_key=parent_key, position=position)
    rows[sheet].append(row)
    row.key = data.get("id") if sheet.has_id else f"{parent_key}/{sheet.name}/{position}"
    for column in sheet.columns:
        if column.kind == "parent":
            row.values[column] = parent_key
        elif column.kind == "position":
            row.values[column] = position
        else:
            row.values[column] = _get(data, column.path)
    for key, _, child in sheet.children:
        row.children[key] = [collect(child, item, rows, row.key, i) for i, item in enumerate(data.get(key) or [], 1)]
    return row
