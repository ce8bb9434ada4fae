"""What import and export report: a workbook that cannot be used at all, or problems by cell."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..terminal import printable


class SpreadsheetError(ValueError):
    """The workbook cannot be made or read at all (not a problem of one cell)."""


@dataclass
class CellProblem:
    """A problem found on import, named by sheet and cell where it comes from the workbook."""

    message: str
    sheet: str | None = None
    cell: str | None = None  # "C14"
    column: str | None = None  # the column's label
    file: str | None = None  # problems outside the workbook: the registry file and line
    line: int | None = None
    severity: str = "error"
    code: str | None = None

    def format(self) -> str:
        tag = "" if self.severity == "error" else f"[{self.severity}] "
        if self.sheet:
            where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
            label = f"{self.column}: " if self.column else ""
            return printable(f"{where}: {label}{tag}{self.message}")
        return printable(f"{self.file}:{self.line}: {tag}{self.message}" if self.file else f"{tag}{self.message}")

    __str__ = format


@dataclass
class ImportResult:
    agency: str | None
    folder: Path | None  # the agency's folder in the registry
    errors: list[CellProblem] = field(default_factory=list)
    findings: list[CellProblem] = field(default_factory=list)  # defects of the data, as `validate` reports them
    files: list[Path] = field(default_factory=list)  # written (or, with write=False or errors, that would be)
    removed: list[Path] = field(default_factory=list)  # YAML files of the old folder that are gone
    counts: dict[str, int] = field(default_factory=dict)  # section → records
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return f"{len(self.errors)} errors; nothing written"
        counts = ", ".join(f"{n} {section}" for section, n in self.counts.items())
        verb = "wrote" if self.written else "would write"
        lines = [f"{verb} {path}" for path in self.files]
        lines += [f"{'removed' if self.written else 'would remove'} {path}" for path in self.removed]
        lines.append(f"{self.agency}: {counts or 'no records'}; {len(self.findings)} findings")
        return "\n".join(lines)
