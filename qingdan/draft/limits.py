"""Bounds on what a bureau's file may cost us: its files are untrusted (zip bombs, endless pages)."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

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
