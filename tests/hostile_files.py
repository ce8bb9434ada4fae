"""Hostile files of the second round (issue 25): small files that claim or expand to far more than they weigh.

Each maker writes one file into a folder and returns its path; the files are made by rewriting a valid document's
XML (or writing a PDF by hand), so each is what a crafted upload would be, and none needs more than a few MB of
memory to make.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path

import docx
import openpyxl


def rewrite_zip(path: Path, name: str, transform) -> None:
    """Replace one member of a zip (a .docx or .xlsx) by `transform(old bytes)`: bytes, or an iterable of chunks."""
    with zipfile.ZipFile(path) as archive:
        members = {m.filename: archive.read(m) for m in archive.infolist()}
    new = transform(members[name])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            if member != name:
                archive.writestr(member, data)
                continue
            if isinstance(new, bytes):
                archive.writestr(member, new)
                continue
            with archive.open(member, "w", force_zip64=True) as stream:
                for chunk in new:
                    stream.write(chunk)


def _docx(folder: Path, name: str) -> Path:
    document = docx.Document()
    document.add_paragraph("某某局权责清单")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "事项名称", "设定依据"
    table.cell(1, 0).text, table.cell(1, 1).text = "行政处罚", "《某某法》"
    path = folder / name
    document.save(path)
    return path


def docx_grid_span(folder: Path, span: int = 20_000_000) -> Path:
    path = _docx(folder, "gridspan.docx")
    rewrite_zip(
        path,
        "word/document.xml",
        lambda xml: xml.replace(b"<w:tc>", f'<w:tc><w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>'.encode(), 1),
    )
    return path


def docx_huge_xml(folder: Path, megabytes: int = 150) -> Path:
    """A document.xml of `megabytes` (one run of spaces inside a paragraph), a few hundred KB zipped."""
    path = _docx(folder, "huge-xml.docx")

    def chunks(xml: bytes):
        head, tail = xml.split(b"</w:body>", 1)
        yield head + b'<w:p><w:r><w:t xml:space="preserve">'
        for _ in range(megabytes):
            yield b" " * (1 << 20)
        yield b"</w:t></w:r></w:p></w:body>" + tail

    rewrite_zip(path, "word/document.xml", chunks)
    return path


def docx_paragraphs(folder: Path, count: int, text: str = "") -> Path:
    path = _docx(folder, f"paragraphs-{count}.docx")
    paragraph = (f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" if text else "<w:p/>").encode()
    rewrite_zip(path, "word/document.xml", lambda xml: xml.replace(b"<w:body>", b"<w:body>" + paragraph * count, 1))
    return path


def html_spans(folder: Path, cells: int = 1000, span: int = 200) -> Path:
    row = "".join(f'<td colspan="{span}" rowspan="{span}">x</td>' for _ in range(10))
    body = "".join(f"<tr>{row}</tr>" for _ in range(cells // 10))
    path = folder / "spans.html"
    path.write_text(f"<html><body><h1>某某局权责清单</h1><table>{body}</table></body></html>", encoding="utf-8")
    return path


def _xlsx(folder: Path, name: str) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["序号", "事项名称", "设定依据"])
    sheet.append([1, "行政处罚", "《某某法》"])
    path = folder / name
    workbook.save(path)
    return path


def add_merge(path: Path, ref: str, sheet: str = "xl/worksheets/sheet1.xml") -> Path:
    merge = f'<mergeCells count="1"><mergeCell ref="{ref}"/></mergeCells>'.encode()
    rewrite_zip(
        path, sheet, lambda xml: re.sub(rb"(</sheetData>|<sheetData\s*/>)", lambda m: m.group() + merge, xml, count=1)
    )
    return path


def xlsx_merged(folder: Path, ref: str = "A500:Z100000") -> Path:
    return add_merge(_xlsx(folder, "merged.xlsx"), ref)


def add_styles(path: Path, count: int = 700_000) -> Path:
    def more(xml: bytes) -> bytes:
        xfs = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' * count
        return re.sub(
            rb"<cellXfs count=\"\d+\">", lambda m: f'<cellXfs count="{count + 1}">'.encode() + xfs, xml, count=1
        )

    rewrite_zip(path, "xl/styles.xml", more)
    return path


def xlsx_styles(folder: Path, count: int = 700_000) -> Path:
    return add_styles(_xlsx(folder, "styles.xlsx"), count)


def add_shared_strings(path: Path, count: int = 2_600_000) -> Path:
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()

    def strings(_: bytes):
        yield b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        for start in range(0, count, 100_000):
            yield b"<si><t/></si>" * (min(count, start + 100_000) - start)
        yield b"</sst>"

    if "xl/sharedStrings.xml" in names:
        rewrite_zip(path, "xl/sharedStrings.xml", strings)
    else:  # openpyxl wrote inline strings: add the part (it is read by its name)
        with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
            with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as stream:
                for chunk in strings(b""):
                    stream.write(chunk)
    return path


def xlsx_shared_strings(folder: Path, count: int = 2_600_000) -> Path:
    return add_shared_strings(_xlsx(folder, "strings.xlsx"), count)


def _pdf(objects: list[bytes]) -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _stream(data: bytes) -> bytes:
    packed = zlib.compress(data, 9)
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"


def pdf_pages(folder: Path, pages: int = 100_000) -> Path:
    """`pages` pages, all one page object listed `pages` times: a few hundred KB."""
    kids = b" ".join([b"3 0 R"] * pages)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        PAGE,
        _stream(b"BT /F1 12 Tf 72 720 Td (List) Tj ET"),
        FONT,
    ]
    path = folder / "pages.pdf"
    path.write_bytes(_pdf(objects))
    return path


def pdf_characters(folder: Path, characters: int = 1_000_000) -> Path:
    """One page whose text is `characters` characters: a few KB compressed."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        PAGE,
        _stream(b"BT /F1 1 Tf 0 800 Td (" + b"A" * characters + b") Tj ET"),
        FONT,
    ]
    path = folder / "characters.pdf"
    path.write_bytes(_pdf(objects))
    return path
