"""Word .docx: paragraphs and tables in body order (merged cells repeat their text in each column)."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.table import Table as DocxTable

from .limits import CellBudget, Deadline, check_docx
from .model import Extracted, Paragraph, Row, Table, clean, render


def read_docx(path: Path, data: bytes) -> Extracted:
    check_docx(path)  # paragraphs, gridSpan × rows counted from the XML before python-docx expands them
    deadline, budget = Deadline(path), CellBudget(path)
    document = docx.Document(str(path))
    blocks: list[Paragraph | Table] = []
    tables = 0
    for item in document.iter_inner_content():
        deadline.check()
        if isinstance(item, DocxTable):
            tables += 1
            rows = []
            for i, row in enumerate(item.rows, start=1):
                cells = [clean(cell.text) for cell in row.cells]
                budget.take(len(cells))
                rows.append(Row(cells, f"表{tables} 第{i}行"))
            blocks.append(Table(rows, f"表{tables}"))
        elif clean(item.text):
            blocks.append(Paragraph(clean(item.text), f"段落“{clean(item.text)[:20]}”"))
    return render(blocks)
