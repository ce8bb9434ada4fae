"""Pick the reader for a file by its content and extension, after the size checks."""

from __future__ import annotations

import logging
import warnings
from contextlib import contextmanager
from pathlib import Path

from .limits import check_file_size, run_bounded
from .model import DraftError, Extracted, normalise
from .read_docx import read_docx
from .read_html import read_html
from .read_pdf import read_pdf
from .read_text import read_text
from .read_xlsx import read_xlsx

NOISY_LOGGERS = ("pdfminer", "pdfplumber", "openpyxl", "docx", "PIL")


@contextmanager
def quiet_libraries():
    """Library warnings (pdfminer's "Could not get FontBBox …", openpyxl's extension notes) never reach the
    terminal: they say nothing the user can act on; what matters is reported as a DraftError or a finding."""
    loggers = [logging.getLogger(name) for name in NOISY_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
READERS = {
    ".docx": read_docx,
    ".xlsx": read_xlsx,
    ".html": read_html,
    ".htm": read_html,
    ".pdf": read_pdf,
    ".txt": read_text,
    ".text": read_text,
    ".md": read_text,
}


def _read(reader, path: Path, data: bytes) -> Extracted:
    with quiet_libraries():
        return normalise(reader(path, data))


def read_file(path: Path) -> tuple[Extracted, bytes]:
    """The file as blocks and extracted text, and its bytes; a clear DraftError for what cannot be read."""
    if not path.is_file():
        raise DraftError(f"{path}: no such file")
    check_file_size(path)
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_MARK in data:
            raise DraftError(
                f"{path}: the document is password-protected; open it, remove the password and save it again"
            )
        raise DraftError(f"{path}: an old binary Office file (.doc/.xls); save it as .docx or .xlsx first")
    if data.startswith(b"%PDF") and suffix != ".pdf":
        suffix = ".pdf"
    reader = READERS.get(suffix)
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise DraftError(f"{path}: unknown format {suffix or '(no extension)'}; qingdan draft reads {known}")
    try:
        return run_bounded(lambda: _read(reader, path, data), path), data  # a child with time and memory limits
    except DraftError:
        raise
    except Exception as exc:  # a damaged file can make any parser fail; say so without a traceback
        raise DraftError(f"{path}: cannot read this {suffix} file ({type(exc).__name__}: {exc})"[:300]) from None
