"""Web pages: leaf tables (layout tables around them are not lists) and headings/paragraphs between.

Navigation, breadcrumbs, scripts and footers are dropped before reading; a cell's colspan and
rowspan repeat its text over the cells it covers, as in the other readers.
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
from lxml import etree

from .limits import CellBudget, Deadline, check_html
from .model import DraftError, Extracted, Paragraph, Row, Table, clean, render

CHROME = re.compile(r"breadcrumb|crumb|footer|nav|position|location|share|copyright", re.I)
DROP_TAGS = ("script", "style", "nav", "header", "footer", "noscript", "iframe", "form", "head")
TEXT_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "caption")
# a page's text outside paragraphs: an info line (<div class="info">日期:2025-04-02</div>), read where it holds
# no block of its own
TEXT_BOXES = ("div", "section", "article", "span", "font", "dd", "dt")
BLOCK_TAGS = ("p", "div", "table", "li", "ul", "ol", "section", "article", "dl", "h1", "h2", "h3", "h4", "h5", "h6")
BLOCKS = ".//*[" + " or ".join(f"self::{tag}" for tag in BLOCK_TAGS) + "]"
MAX_SPAN = 200


def _is_leaf(table) -> bool:
    return not table.xpath(".//table")


def _span(cell, attribute: str) -> int:
    value = (cell.get(attribute) or "1").strip()
    return min(int(value), MAX_SPAN) if value.isdigit() and int(value) > 0 else 1


def _table_rows(table, number: int, budget: CellBudget) -> list[Row]:
    grid: list[list[str]] = []
    pending: dict[tuple[int, int], str] = {}
    for r, tr in enumerate(table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")):
        row: list[str] = []
        col = 0
        for cell in tr.xpath("./td|./th"):
            while (r, col) in pending:
                row.append(pending.pop((r, col)))
                col += 1
            text = clean(cell.text_content())
            colspan, rowspan = _span(cell, "colspan"), _span(cell, "rowspan")
            for c in range(col, col + colspan):
                row.append(text)
                for below in range(r + 1, r + rowspan):
                    pending[(below, c)] = text
            col += colspan
        while (r, col) in pending:
            row.append(pending.pop((r, col)))
            col += 1
        budget.take(len(row))
        grid.append(row)
    return [Row(cells, f"表{number} 第{i}行") for i, cells in enumerate(grid, start=1) if any(cells)]


def _decoded(data: bytes) -> str | bytes:
    """UTF-8 text where the bytes are UTF-8 (a page saved without its charset is not Latin-1); else the bytes,
    for lxml to decode by the page's own <meta charset> (GB2312, GBK …)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data
    return data if text.lstrip().startswith("<?xml") else text


def read_html(path: Path, data: bytes) -> Extracted:
    check_html(path, data, MAX_SPAN)  # colspan × rowspan summed before any table is expanded
    deadline, budget = Deadline(path), CellBudget(path)
    try:
        root = lxml.html.document_fromstring(_decoded(data))
    except (etree.ParserError, ValueError) as exc:
        raise DraftError(f"{path}: not a readable web page ({exc})") from None
    page_title = _guide_page_title(root)
    for element in list(root.iter(*DROP_TAGS)):
        element.drop_tree()
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element.getparent() is None:
            continue
        marks = f"{element.get('class', '')} {element.get('id', '')}"
        if CHROME.search(marks):
            element.drop_tree()
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    blocks: list[Paragraph | Table] = []
    number = 0
    taken: set = set()
    for element in root.iter("table", *TEXT_TAGS, *TEXT_BOXES):
        deadline.check()
        if any(a.tag == "table" and _is_leaf(a) for a in element.iterancestors()):
            continue  # inside a list table: read with it
        if element.tag in TEXT_BOXES:
            if any(a.tag in TEXT_TAGS or a in taken for a in element.iterancestors()) or element.xpath(BLOCKS):
                continue  # read with the paragraph around it, or a box of boxes: its parts are read
            taken.add(element)
        if element.tag == "table":
            if not _is_leaf(element):
                continue  # a layout table: its inner tables and paragraphs are read on their own
            number += 1
            rows = _table_rows(element, number, budget)
            if rows:
                blocks.append(Table(rows, f"表{number}"))
        else:
            text = clean(element.text_content())
            if text:
                blocks.append(Paragraph(text, f"<{element.tag}>“{text[:20]}”"))
    if page_title and not any("指南" in b.text for b in blocks[:5] if isinstance(b, Paragraph)):
        blocks.insert(0, Paragraph(page_title, "<title>"))  # the guide's name only the page's title gives
    return render(blocks)


def _guide_page_title(root) -> str | None:
    """The page's <title> when it names a guide (城乡居民养老保险参保登记_办事指南_某县人民政府): its parts up to
    the one saying 指南, without the site's name after them (城乡居民养老保险参保登记办事指南)."""
    found = root.find(".//title")
    text = clean(found.text_content()) if found is not None else ""
    parts = [part.strip() for part in re.split(r"\s*[_|｜]\s*|\s+[-–—]\s+", text) if part.strip()]
    at = next((k for k, part in enumerate(parts) if "指南" in part), None)
    return "".join(parts[: at + 1]) if at is not None else None
