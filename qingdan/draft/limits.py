"""Bounds on what a bureau's file may cost us: its files are untrusted (zip bombs, endless pages)."""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

from .. import children
from .model import DraftError

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_MEMBERS = 5000
MAX_PAGES = 500
MAX_CELLS = 500_000
MAX_SECONDS = 180.0


class Deadline:
    """Stops a reader that runs too long (a crafted file can make parsing slow)."""

    def __init__(self, path: Path):
        self.path, self.seconds, self.start = path, MAX_SECONDS, time.monotonic()

    def check(self) -> None:
        if time.monotonic() - self.start > self.seconds:
            raise DraftError(
                f"{self.path}: reading took longer than {self.seconds:.0f} s; the file is too large or damaged"
            )


class CellBudget:
    """Counts cells read so a huge sheet or table is refused instead of filling memory."""

    def __init__(self, path: Path):
        self.path, self.limit, self.used = path, MAX_CELLS, 0

    def take(self, n: int) -> None:
        self.used += n
        if self.used > self.limit:
            raise DraftError(f"{self.path}: more than {self.limit} table cells; split the file or check it is a list")


def check_file_size(path: Path) -> None:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise DraftError(f"{path}: the file is {size // 1024 // 1024} MB; at most {MAX_FILE_BYTES // 1024 // 1024} MB")
    if size == 0:
        raise DraftError(f"{path}: the file is empty")


def check_zip(path: Path) -> None:
    """A .docx or .xlsx is a zip: refuse one that would unpack to far more than it weighs."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        raise DraftError(f"{path}: not a valid {path.suffix} file (it is not a zip archive); is it damaged?") from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise DraftError(f"{path}: the archive holds {len(members)} files; at most {MAX_ZIP_MEMBERS}")
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNZIPPED_BYTES:
        raise DraftError(
            f"{path}: unpacks to {unpacked // 1024 // 1024} MB; at most {MAX_UNZIPPED_BYTES // 1024 // 1024} MB"
        )


# --- Bounds that hold before parsing: what a reader would expand, counted from the file itself ---

MAX_MEMBER_XML_BYTES = 40 * 1024 * 1024  # one XML part of a .docx (a bureau's longest list is a few MB)
MAX_GRID_COLUMNS = 256  # columns of one table row after gridSpan (Word allows 63)
MAX_PARAGRAPHS = 60_000  # <w:p> anywhere in a .docx, table cells included
MAX_HTML_EXPANDED = MAX_CELLS  # the cells colspan × rowspan would fill, summed
MAX_PAGE_CONTENT_BYTES = 16 * 1024 * 1024  # one PDF page's decoded drawing instructions (vector drawings included)
MAX_PDF_CONTENT_BYTES = 200 * 1024 * 1024  # all pages together
MAX_PAGE_TEXT_BYTES = 200_000  # bytes of text strings one page shows (a dense A4 page holds about 10,000 characters)
MAX_CHILD_SECONDS = 60.0  # a reader in its child process: wall clock
MAX_CHILD_MEMORY = 384 * 1024 * 1024  # ... and address space it may add to what it was forked with

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _safe(path: Path) -> str:
    from ..terminal import printable

    return printable(str(path))


def check_docx(path: Path) -> None:
    """Count what python-docx would expand, streaming word/document.xml: paragraphs, rows × columns after
    gridSpan, and the cells vertical merges repeat; refuse before the document is parsed."""
    from lxml import etree

    check_zip(path)
    name = _safe(path)
    with zipfile.ZipFile(path) as archive:
        try:
            member = archive.getinfo("word/document.xml")
        except KeyError:
            raise DraftError(f"{name}: not a Word document (no word/document.xml)") from None
        if member.file_size > MAX_MEMBER_XML_BYTES:
            raise DraftError(
                f"{name}: its text (word/document.xml) unpacks to {member.file_size // 1024 // 1024} MB; "
                f"at most {MAX_MEMBER_XML_BYTES // 1024 // 1024} MB"
            )
        paragraphs = cells = 0
        with archive.open(member) as stream:
            parser = etree.iterparse(
                stream, events=("end",), tag=(f"{_W}p", f"{_W}tr"), resolve_entities=False, no_network=True
            )
            try:
                for _, element in parser:
                    if element.tag == f"{_W}p":
                        paragraphs += 1
                        if paragraphs > MAX_PARAGRAPHS:
                            raise DraftError(
                                f"{name}: more than {MAX_PARAGRAPHS:,} paragraphs; split the file or check it is a list"
                            )
                        continue
                    width = 0
                    for tc in element.iterchildren(f"{_W}tc"):
                        span = tc.find(f"{_W}tcPr/{_W}gridSpan")
                        value = span.get(f"{_W}val", "1") if span is not None else "1"
                        width += int(value) if value.isdigit() else 1
                    if width > MAX_GRID_COLUMNS:
                        raise DraftError(
                            f"{name}: a table row spans {width:,} columns (gridSpan); at most {MAX_GRID_COLUMNS}"
                        )
                    cells += width
                    if cells > MAX_CELLS:
                        raise DraftError(
                            f"{name}: its tables hold more than {MAX_CELLS:,} cells once merged cells are repeated; "
                            "split the file or check it is a list"
                        )
                    element.clear(keep_tail=False)
            except etree.XMLSyntaxError as exc:
                raise DraftError(f"{name}: not a readable Word document ({exc})"[:300]) from None


_SPAN_TAG = re.compile(rb"<t[dh]\b[^>]*>", re.IGNORECASE)
_SPAN_ATTR = re.compile(rb"\b(colspan|rowspan)\s*=\s*[\"']?\s*(\d{1,12})", re.IGNORECASE)


def check_html(path: Path, data: bytes, max_span: int) -> None:
    """The cells a page's colspan × rowspan would fill, summed over every cell tag, before the page is read."""
    expanded = 0
    for tag in _SPAN_TAG.finditer(data):
        spans = {name.lower(): min(max(int(value), 1), max_span) for name, value in _SPAN_ATTR.findall(tag.group())}
        expanded += spans.get(b"colspan", 1) * spans.get(b"rowspan", 1)
        if expanded > MAX_HTML_EXPANDED:
            raise DraftError(
                f"{_safe(path)}: its tables' colspan × rowspan would fill more than {MAX_HTML_EXPANDED:,} cells; "
                "split the page or check it is a list"
            )


def check_pdf(path: Path) -> None:
    """The page count from the document's catalogue, then each page's decoded content (text, and forms it
    draws, counted each time it draws them), before pdfplumber opens a page."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1, stream_value

    name = _safe(path)
    with open(path, "rb") as handle:
        claimed = _claimed_pages(handle.read())
        if claimed > MAX_PAGES:  # before any object is parsed: a page tree's Kids can list 100,000 pages in 600 KB
            raise DraftError(f"{name}: {claimed:,} pages; at most {MAX_PAGES}")
        handle.seek(0)
        try:
            document = PDFDocument(PDFParser(handle))
            count = resolve1(resolve1(document.catalog.get("Pages")).get("Count"))
        except Exception:  # a damaged or locked file: the reader says so in its own words
            return
        if isinstance(count, int) and count > MAX_PAGES:
            raise DraftError(f"{name}: {count:,} pages; at most {MAX_PAGES}")
        total = 0
        for number, page in enumerate(PDFPage.create_pages(document), start=1):
            if number > MAX_PAGES:
                raise DraftError(f"{name}: more than {MAX_PAGES} pages")
            size, text = _page_content_bytes(page, stream_value, resolve1)
            if text > MAX_PAGE_TEXT_BYTES:
                raise DraftError(
                    f"{name}: page {number} shows {text:,} bytes of text; at most {MAX_PAGE_TEXT_BYTES:,} a page"
                )
            if size > MAX_PAGE_CONTENT_BYTES:
                raise DraftError(
                    f"{name}: page {number} holds {size // 1024 // 1024} MB of text and drawing; "
                    f"at most {MAX_PAGE_CONTENT_BYTES // 1024 // 1024} MB a page"
                )
            total += size
            if total > MAX_PDF_CONTENT_BYTES:
                raise DraftError(
                    f"{name}: its pages hold more than {MAX_PDF_CONTENT_BYTES // 1024 // 1024} MB of text and drawing"
                )


_DO = re.compile(rb"/([^\s/<>\[\]()]+)\s+Do\b")
_TEXT = re.compile(rb"\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>", re.DOTALL)  # literal and hex strings
_PAGES_COUNT = re.compile(rb"/Count\s+(\d{1,12})")
_PAGES_TYPE = re.compile(rb"/Type\s*/Pages\b")


def _claimed_pages(data: bytes) -> int:
    """The largest /Count of a page tree node written in the clear (objects in compressed streams are counted as
    the pages are listed)."""
    claimed = 0
    for match in _PAGES_COUNT.finditer(data):
        start = data.rfind(b"<<", 0, match.start())
        end = data.find(b">>", match.end())
        if start >= 0 and _PAGES_TYPE.search(data, start, end if end >= 0 else len(data)):
            claimed = max(claimed, int(match.group(1)))
    return claimed


def _page_content_bytes(page, stream_value, resolve1) -> tuple[int, int]:
    """A page's decoded content in bytes, and the bytes of text strings it shows (forms counted per use)."""
    size = text = 0
    draws: dict[bytes, int] = {}
    for stream in page.contents or []:
        data = stream_value(stream).get_data()
        size += len(data)
        text += sum(len(m) for m in _TEXT.findall(data))
        for match in _DO.finditer(data):
            draws[match.group(1)] = draws.get(match.group(1), 0) + 1
        if size > MAX_PAGE_CONTENT_BYTES or text > MAX_PAGE_TEXT_BYTES:
            return size, text
    objects = resolve1((page.resources or {}).get("XObject")) or {}
    for key, times in draws.items():
        form = resolve1(objects.get(key.decode("latin-1")))
        if form is None or not hasattr(form, "get_data") or form.get("Subtype") is None:
            continue
        if getattr(form.get("Subtype"), "name", "") != "Form":
            continue
        data = form.get_data()
        size += len(data) * times
        text += sum(len(m) for m in _TEXT.findall(data)) * times
        if size > MAX_PAGE_CONTENT_BYTES or text > MAX_PAGE_TEXT_BYTES:
            return size, text
    return size, text


def run_bounded(call, path: Path, *, seconds: float | None = None, memory: int | None = None):
    """A reader in a child process with a wall clock and a memory limit that hold whatever the parser does."""
    seconds = MAX_CHILD_SECONDS if seconds is None else seconds
    memory = MAX_CHILD_MEMORY if memory is None else memory
    return children.run_bounded(call, _safe(path), seconds=seconds, memory=memory, error=DraftError)
