"""The CSV downloads: one file per table of the database, safe to open in a spreadsheet program.

Registry text is untrusted. A cell such as `=HYPERLINK("http://…")` or `+1+cmd|' /C calc'!A0`
would run as a formula in Excel or LibreOffice, so text starting with a formula character is
published with a leading `'` (OWASP's advice); the database and the YAML keep the raw value.
"""

from __future__ import annotations

import csv
from pathlib import Path

import sqlite_utils

# What spreadsheet programs read as the start of a formula (OWASP, CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Tables of the full-text index: internal to SQLite, not data.
INTERNAL_SUFFIXES = ("_fts", "_data", "_idx", "_docsize", "_config")


def inert(value):
    """The value as a spreadsheet program should show it: text never starts a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def export_csv(db_path: Path, target: Path) -> None:
    """One CSV per table (UTF-8 with BOM, so spreadsheet programs read the Chinese)."""
    db = sqlite_utils.Database(db_path)
    try:
        for table in db.tables:
            if table.name.startswith("search_index") or table.name.endswith(INTERNAL_SUFFIXES):
                continue
            with open(Path(target) / f"{table.name}.csv", "w", newline="", encoding="utf-8-sig") as handle:
                writer = csv.writer(handle)
                writer.writerow([c.name for c in table.columns])
                writer.writerows([inert(value) for value in row.values()] for row in table.rows)
    finally:
        db.close()
