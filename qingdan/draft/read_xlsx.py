"""Excel .xlsx: every sheet is a table; merged cells give their value to every cell they cover."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from ..spreadsheet.guard import check_before_parsing
from ..spreadsheet.results import SpreadsheetError
from .limits import CellBudget, Deadline, check_zip
from .model import DraftError, Extracted, Row, Table, clean, render


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    return clean(str(value))


def read_xlsx(path: Path, data: bytes) -> Extracted:
    check_zip(path)
    try:
        check_before_parsing(path)  # the import's checks: streamed cell count, no DTD or XML entities
    except SpreadsheetError as exc:
        raise DraftError(str(exc)) from None
    deadline, budget = Deadline(path), CellBudget(path)
    workbook = openpyxl.load_workbook(path, data_only=True)
    blocks = []
    for sheet in workbook.worksheets:
        budget.take(sheet.max_row * sheet.max_column)
        grid = [[cell_text(c.value) for c in row] for row in sheet.iter_rows()]
        for merged in sheet.merged_cells.ranges:
            value = grid[merged.min_row - 1][merged.min_col - 1]
            for r in range(merged.min_row - 1, merged.max_row):
                for c in range(merged.min_col - 1, merged.max_col):
                    grid[r][c] = value
        deadline.check()
        rows = [Row(cells, f"工作表“{sheet.title}”第{i}行") for i, cells in enumerate(grid, start=1) if any(cells)]
        if rows:
            blocks.append(Table(rows, f"工作表“{sheet.title}”"))
    workbook.close()
    return render(blocks)
