"""PDF with a text layer: tables found by pdfplumber, the lines outside them as paragraphs.

A table that runs over a page break is joined to its first part (a header repeated on the new
page is dropped). A PDF whose pages carry no text is a scan: it needs OCR first.
"""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber

from ..progress import current
from . import limits
from .limits import CellBudget, Deadline
from .model import DraftError, Extracted, Paragraph, Row, Table, clean, render

LIST_ITEM = re.compile(r"^(?:\d{1,2}[.、．)]|[（(]\d{1,2}[)）]|【|[一二三四五六七八九十]+、)")


def unwrap(text: str) -> str:
    """Join the lines a PDF cell was wrapped into; keep a break only before a list item (1. / （2） / 【法规】)."""
    lines = text.split("\n")
    out = lines[0] if lines else ""
    for line in lines[1:]:
        if LIST_ITEM.match(line):
            out += "\n" + line
        elif out and out[-1].isascii() and out[-1].isalpha() and line[:1].isascii() and line[:1].isalpha():
            out += " " + line
        else:
            out += line
    return out


def _open(path: Path):
    try:
        return pdfplumber.open(str(path))
    except Exception as exc:  # pdfminer raises many kinds for a damaged or locked file
        causes = [exc, *exc.args, exc.__cause__, exc.__context__]
        if any(word in type(c).__name__.lower() for c in causes for word in ("password", "encrypt")):
            raise DraftError(
                f"{path}: the PDF is password-protected; ask the publisher for an open copy or remove the password"
            ) from None
        raise DraftError(f"{path}: not a readable PDF ({type(exc).__name__})") from None


def _page_blocks(page, page_no: int, budget: CellBudget) -> list[tuple[float, Paragraph | Table]]:
    found = page.find_tables()
    placed: list[tuple[float, Paragraph | Table]] = []
    for t, table in enumerate(found, start=1):
        rows = []
        for r, cells in enumerate(table.extract(), start=1):
            budget.take(len(cells))
            printed = [clean(c) for c in cells]
            cells = [unwrap(c) for c in printed]
            if any(cells):  # the cells as printed, their wrapped lines kept, where unwrapping joined them
                rows.append(Row(cells, f"第{page_no}页 表{t} 第{r}行", printed=printed if printed != cells else None))
        placed.append((table.bbox[1], Table(rows, f"第{page_no}页 表{t}")))
    boxes = [t.bbox for t in found]

    def outside(obj) -> bool:
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

    for line in page.filter(outside).extract_text_lines():
        text = clean(line["text"])
        if text:
            placed.append((line["top"], Paragraph(text, f"第{page_no}页“{text[:20]}”")))
    placed.sort(key=lambda item: item[0])
    return placed


def _continues(previous: Table, table: Table) -> bool:
    width = len(previous.rows[0].cells) if previous.rows else 0
    return bool(table.rows) and len(table.rows[0].cells) == width


def read_pdf(path: Path, data: bytes) -> Extracted:
    limits.check_pdf(path)  # page count from the catalogue, each page's content size, before any page is read
    deadline, budget = Deadline(path), CellBudget(path)
    with _open(path) as pdf:
        if len(pdf.pages) > limits.MAX_PAGES:
            raise DraftError(f"{path}: {len(pdf.pages)} pages; at most {limits.MAX_PAGES}")
        blocks: list[Paragraph | Table] = []
        chars = images = 0
        progress = current()  # the command's (qingdan.progress): shown on a terminal only
        progress.start("pages read", len(pdf.pages), unit="pages")
        for page_no, page in enumerate(pdf.pages, start=1):
            deadline.check()
            progress.advance()
            chars += len(page.chars)
            images += len(page.images)
            placed = _page_blocks(page, page_no, budget)
            first_table = next((i for i, (_, b) in enumerate(placed) if isinstance(b, Table)), None)
            last_table = next((b for b in reversed(blocks) if isinstance(b, Table)), None)
            for i, (_, block) in enumerate(placed):
                if i == first_table and last_table is not None and _continues(last_table, block):
                    header = [r.cells for r in last_table.rows[:3]]
                    last_table.rows.extend(r for r in block.rows if r.cells not in header)
                    continue
                blocks.append(block)
        progress.done()
    if not chars:
        if images:
            raise DraftError(
                f"{path}: the PDF has no text layer: it is a scan (images of pages). "
                "Run OCR on it first (e.g. ocrmypdf -l chi_sim), then draft the OCR'd PDF"
            )
        raise DraftError(f"{path}: the PDF has no text")
    return render(blocks)
