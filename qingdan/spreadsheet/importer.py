"""Import: a filled workbook back into the YAML of its agency's folder, validated against the whole registry."""

from __future__ import annotations

import math
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook
from pydantic import ValidationError

from .. import children
from ..atomic import atomic_directory
from ..models import RECORD_KINDS, is_valid_id
from ..registry import Problem, Registry, load_registry, yaml_files
from ..terminal import printable
from ..validate import check
from .codec import OMIT, cell_text, decode
from .folders import FOLDER_RE, SHARED_FOLDERS, agencies_in, checked_root, folder_of, problem_path
from .guard import check_before_parsing, check_sheet_area, unsafe_cells
from .locate import column_index, locate, split_field
from .results import CellProblem, ImportResult, SpreadsheetError
from .rows import AGENCY_LABEL, FIRST_ROW, FOLDER_LABEL, INFO_SHEET, SYSTEM_SHEETS, Row
from .sheets import Column, Layout, Sheet, layout
from .yaml_dump import yaml_text


@dataclass
class _Workbook:
    agency: str | None = None
    folder: str | None = None
    agency_cell: str = "B3"
    folder_cell: str = "B5"
    rows: dict[Sheet, list[Row]] = field(default_factory=dict)
    letters: dict[str, dict[tuple, str]] = field(default_factory=dict)
    order: dict[str, int] = field(default_factory=dict)
    problems: list[tuple[CellProblem, tuple]] = field(default_factory=list)
    fatal: bool = False  # the agency or folder is unusable: the records cannot be placed

    def error(
        self, sheet: str, cell: str | None, column: str | None, message: str, sort: tuple = (), fatal: bool = False
    ) -> None:
        self.problems.append((CellProblem(message, sheet, cell, column), sort or (self.order.get(sheet, -1), 0, 0)))
        self.fatal = self.fatal or fatal


MAX_READ_SECONDS = 60.0  # openpyxl parsing an untrusted workbook, in a child process: wall clock
MAX_READ_MEMORY = 450 * 1024 * 1024  # ... and address space it may add


def _read_workbook(path: Path, lay: Layout) -> tuple[_Workbook, Layout]:
    """The workbook parsed in a child process whose time and memory are bounded whatever openpyxl does; with the
    layout it was read by (its sheets, which key the rows, come back from the child with it)."""
    check_before_parsing(path)  # sizes, cells, merged ranges, area, styles, shared strings: before parsing
    return children.run_bounded(
        lambda: (_parse_workbook(path, lay), lay),
        printable(str(path)),
        seconds=MAX_READ_SECONDS,
        memory=MAX_READ_MEMORY,
        error=SpreadsheetError,
    )


def _parse_workbook(path: Path, lay: Layout) -> _Workbook:
    try:
        workbook = load_workbook(path, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on a malformed file: all mean "unreadable"
        raise SpreadsheetError(f"{path} is not an .xlsx workbook that can be read: {exc}") from None
    book = _Workbook(order={name: i for i, name in enumerate([INFO_SHEET] + [s.name for s in lay.sheets])})
    for ws in workbook.worksheets:
        check_sheet_area(ws, path)
        for cell, reason in unsafe_cells(ws):
            book.error(ws.title, cell.coordinate, None, reason, fatal=True)  # fatal: no follow-on errors
    if INFO_SHEET not in workbook.sheetnames:
        book.error(
            INFO_SHEET,
            None,
            None,
            "the sheet is missing: it names the agency and its folder; start from a workbook made by qingdan template",
            fatal=True,
        )
    else:
        ws = workbook[INFO_SHEET]
        for row in ws.iter_rows(min_row=1, max_col=2):
            label = row[0].value.strip() if isinstance(row[0].value, str) else row[0].value
            if label == AGENCY_LABEL:
                book.agency = cell_text(row[1].value).strip() if row[1].value is not None else None
                book.agency_cell = row[1].coordinate
            elif label == FOLDER_LABEL:
                book.folder = cell_text(row[1].value).strip() if row[1].value is not None else None
                book.folder_cell = row[1].coordinate
        for label, value, cell in (
            (AGENCY_LABEL, book.agency, book.agency_cell),
            (FOLDER_LABEL, book.folder, book.folder_cell),
        ):
            if not value:
                book.error(INFO_SHEET, cell, label, "this required cell is empty", fatal=True)
    known = {s.name for s in lay.sheets} | set(SYSTEM_SHEETS)
    for name in workbook.sheetnames:
        if name not in known:
            book.error(name, None, None, "unknown sheet: rename it back to one of the template's sheets, or delete it")
    for sheet in lay.sheets:
        book.rows[sheet] = []
        if sheet.name not in workbook.sheetnames:
            book.error(
                sheet.name,
                None,
                None,
                "the sheet is missing; keep every sheet of the template (an empty sheet means no records of this kind)",
            )
            continue
        _read_sheet(workbook[sheet.name], sheet, book)
    return book


def _read_sheet(ws, sheet: Sheet, book: _Workbook) -> None:
    by_label = {c.label: c for c in sheet.columns} | {".".join(c.path): c for c in sheet.columns}
    columns: dict[int, Column] = {}
    letters: dict[tuple, str] = {}
    header = next(ws.iter_rows(min_row=1, max_row=1), ())
    for cell in header:
        if cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()):
            continue
        label = cell_text(cell.value).strip()
        column = by_label.get(label)
        if column is None:
            book.error(
                sheet.name,
                cell.coordinate,
                label,
                "unknown column; the columns of this sheet are: " + "、".join(c.label for c in sheet.columns),
            )
        elif column.path in letters:
            book.error(
                sheet.name, cell.coordinate, label, f"the column appears twice (also in column {letters[column.path]})"
            )
        else:
            columns[cell.column] = column
            letters[column.path] = cell.column_letter
    book.letters[sheet.name] = letters
    stray_reported: set[int] = set()
    for cells in ws.iter_rows(min_row=FIRST_ROW):
        filled = [c for c in cells if c.value is not None and not (isinstance(c.value, str) and not c.value.strip())]
        if not filled:
            continue
        row = Row(sheet, cells[0].row)
        for cell in filled:
            column = columns.get(cell.column)
            if column is None:
                if cell.column not in stray_reported:
                    stray_reported.add(cell.column)
                    book.error(
                        sheet.name,
                        cell.coordinate,
                        None,
                        "a value in a column without a known header; it would be lost: move it to the right column",
                    )
                continue
        for index, column in columns.items():
            row.values[column] = decode(column, ws.cell(row.number, index).value)
        book.rows[sheet].append(row)


def _topological(lay: Layout) -> list[Sheet]:
    order: list[Sheet] = []
    pending = list(lay.top_sheets)
    while pending:
        sheet = pending.pop(0)
        if sheet in order:
            continue
        if all(parent in order or parent is sheet for parent in sheet.parents):
            order.append(sheet)
            pending.extend(child for _, _, child in sheet.children)
        else:
            pending.append(sheet)
    return order


def _attach(book: _Workbook, lay: Layout) -> None:
    """Give child rows to their parents, in order; report rows whose parent is not there."""
    lookup: dict[Sheet, dict[str, Row]] = {}
    for sheet in _topological(lay):
        rows = book.rows.get(sheet, [])
        if sheet.is_child:
            parent_column = sheet.columns[0]
            position_column = sheet.columns[1]
            groups: dict[int, tuple[Row, list[Row]]] = {}
            for row in rows:
                key = row.values.get(parent_column, OMIT)
                letter = book.letters[sheet.name].get(parent_column.path, "A")
                if key is OMIT:
                    book.error(
                        sheet.name,
                        f"{letter}{row.number}",
                        parent_column.label,
                        "this required cell is empty: the row belongs to no record and would be lost",
                        (book.order.get(sheet.name, 0), row.number, column_index(letter)),
                    )
                    continue
                parent = next((lookup[p][key] for p in sheet.parents if key in lookup.get(p, {})), None)
                if parent is None:
                    names = "、".join(p.name for p in sheet.parents)
                    book.error(
                        sheet.name,
                        f"{letter}{row.number}",
                        parent_column.label,
                        f"there is no row with the ID {key!r} in the sheet {names}; the row would be lost",
                        (book.order.get(sheet.name, 0), row.number, column_index(letter)),
                    )
                    continue
                position = row.values.get(position_column, OMIT)
                if position is not OMIT and not (isinstance(position, int) and not isinstance(position, bool)):
                    letter = book.letters[sheet.name].get(position_column.path, "B")
                    book.error(
                        sheet.name,
                        f"{letter}{row.number}",
                        position_column.label,
                        f"expected a whole number (1, 2, 3 …), got {position!r}",
                        (book.order.get(sheet.name, 0), row.number, column_index(letter)),
                    )
                    position = OMIT
                row.position = None if position is OMIT else position
                groups.setdefault(id(parent), (parent, []))[1].append(row)
            for parent, kids in groups.values():
                kids.sort(key=lambda r: (math.inf if r.position is None else r.position, r.number))
                parent.children[sheet.list_key] = kids
                for index, kid in enumerate(kids, 1):
                    kid.parent_key = parent.key
                    kid.key = _id_of(kid) if sheet.has_id else f"{parent.key}/{sheet.name}/{index}"
        else:
            for row in rows:
                row.key = _id_of(row)
        lookup[sheet] = {}
        for row in rows:
            if isinstance(row.key, str):
                lookup[sheet].setdefault(row.key, row)


def _id_of(row: Row) -> str | None:
    column = row.sheet.column(("id",))
    value = row.values.get(column) if column else None
    return value.strip() if isinstance(value, str) else None


def _build(row: Row) -> dict:
    """The record (or nested item) a row stands for, keys in model order."""
    data: dict = {}
    for column in row.sheet.columns:
        if column.kind in ("parent", "position"):
            continue
        value = row.values.get(column, OMIT)
        if value is OMIT:
            continue
        target = data
        for key in column.path[:-1]:
            target = target.setdefault(key, {})
        target[column.path[-1]] = value
    for key, required, _ in row.sheet.children:
        kids = row.children.get(key)
        if kids:
            data[key] = [_build(kid) for kid in kids]
        elif required:
            data[key] = []
    model_keys = [info.alias or name for name, info in row.sheet.model.model_fields.items()]
    return {key: data[key] for key in model_keys if key in data} | {
        k: v for k, v in data.items() if k not in model_keys
    }


def _normalise(section: str, data: dict) -> dict:
    """A valid record as the registry writes it (defaults left out); an invalid one as it is, for the validator."""
    try:
        record = RECORD_KINDS[section].model_validate(data)
    except ValidationError:
        return data
    return record.model_dump(mode="json", by_alias=True, exclude_defaults=True)


def import_workbook(registry_root: Path, workbook: Path, *, write: bool = True) -> ImportResult:
    """Turn a filled workbook into the YAML of its agency's folder, validated against the whole registry.

    On errors nothing is written and `result.errors` names the sheet and cell of each. With
    `write=False` the workbook is only checked."""
    root = checked_root(registry_root)
    lay = layout()
    book, lay = _read_workbook(Path(workbook), lay)
    registry = load_registry(root)
    result = ImportResult(agency=book.agency, folder=root / book.folder if book.folder else None)
    _check_target(book, registry, root)
    if book.fatal or not book.agency or not book.folder:
        result.errors = _sorted(book.problems)
        return result
    _attach(book, lay)

    sections: dict[str, list[dict]] = {}
    section_rows: dict[str, list[Row]] = {}
    for sheet in lay.top_sheets:
        rows = book.rows.get(sheet, [])
        if rows:
            section_rows[sheet.section] = rows
            sections[sheet.section] = [_normalise(sheet.section, _build(row)) for row in rows]
    if not any(r.key == book.agency for r in book.rows.get(lay.top("agencies"), [])):
        book.error(
            INFO_SHEET,
            book.agency_cell,
            AGENCY_LABEL,
            f"the sheet {lay.top('agencies').name} has no row with the ID {book.agency!r}",
        )

    texts = {f"{section}.yaml": yaml_text(section, records) for section, records in sections.items()}
    result.counts = {section: len(records) for section, records in sections.items()}
    target = root / book.folder
    result.files = [target / name for name in texts]
    old = [p for p in yaml_files(target)] if target.is_dir() else []
    result.removed = [p for p in old if p.relative_to(target).as_posix() not in texts]

    with tempfile.TemporaryDirectory(prefix="qingdan-import-") as tmp:
        tmp_root = Path(tmp) / "registry"
        candidate = tmp_root / book.folder
        _candidate_registry(root, tmp_root, book.folder)
        candidate.mkdir(parents=True, exist_ok=True)
        for name, text in texts.items():
            (candidate / name).write_text(text, encoding="utf-8")
        report = check(load_registry(tmp_root, sources=Registry(root=root).sources_dir()))
        errors = [_map_problem(p, candidate, tmp_root, root, section_rows, book) for p in report.errors]
        findings = [
            _map_problem(p, candidate, tmp_root, root, section_rows, book)
            for p in report.findings
            if _is_under(problem_path(p), candidate)
        ]
        book.problems.extend(errors)
        result.errors = _sorted(book.problems)
        result.findings = [problem for problem, _ in findings]
        if result.errors or not write:
            return result
        with atomic_directory(target) as staging:
            if target.is_dir():
                _copy_other_files(target, staging, set(old))
            for name in texts:
                shutil.copyfile(candidate / name, staging / name)
    result.written = True
    return result


def _check_target(book: _Workbook, registry: Registry, root: Path) -> None:
    """The agency and folder named in 说明 must fit the registry as it is; if not, nothing can be placed."""

    def fail(cell: str, label: str, message: str) -> None:
        book.error(INFO_SHEET, cell, label, message, fatal=True)

    if book.agency and not is_valid_id(book.agency):
        fail(
            book.agency_cell,
            AGENCY_LABEL,
            f"{book.agency!r} is not a valid ID: use lowercase ASCII letters, digits and single '-', '_' or '.'",
        )
    if not book.folder:
        return
    if not FOLDER_RE.match(book.folder) or book.folder in SHARED_FOLDERS:
        fail(
            book.folder_cell,
            FOLDER_LABEL,
            f"{book.folder!r} cannot be an agency folder: use one folder name of ASCII letters, digits, "
            f"'-', '_' or '.', not one of the shared folders ({', '.join(SHARED_FOLDERS)})",
        )
        return
    target = root / book.folder
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        fail(
            book.folder_cell,
            FOLDER_LABEL,
            f"{book.folder} in the registry is a file or a link, not an agency folder; nothing is written there",
        )
        return
    entry = registry.entries.get(book.agency or "")
    if entry is not None:
        where = folder_of(root, entry.file)
        if entry.kind != "agency":
            fail(book.agency_cell, AGENCY_LABEL, f"{book.agency} is the ID of a {entry.kind}, not of an agency")
        elif where != book.folder:
            fail(
                book.folder_cell,
                FOLDER_LABEL,
                f"the agency {book.agency} is kept in the folder {where}/, not {book.folder}/",
            )
    else:
        others = agencies_in(registry, root, book.folder)
        if others or (target.is_dir() and yaml_files(target)):
            fail(
                book.folder_cell,
                FOLDER_LABEL,
                f"the folder {book.folder}/ holds the records of {', '.join(others) or 'other YAML files'}; "
                "a new agency needs a folder of its own",
            )


def _candidate_registry(root: Path, tmp_root: Path, folder: str) -> None:
    """The registry as it is, without the agency's folder: its YAML copied (sources/ is read in place)."""
    tmp_root.mkdir(parents=True)
    sources = Registry(root=root).sources_dir()
    if not root.is_dir():
        return
    for path in yaml_files(root):
        rel = path.relative_to(root)
        if rel.parts[0] == folder or rel.parts[0] == sources.name and sources.parent.resolve() == root.resolve():
            continue
        (tmp_root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, tmp_root / rel)


def _copy_other_files(target: Path, staging: Path, records: set[Path]) -> None:
    """Keep what the folder holds besides its record files (notes, hidden folders)."""
    for path in target.rglob("*"):
        if path.is_file() and path not in records:
            destination = staging / path.relative_to(target)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)


def _is_under(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def _map_problem(
    problem: Problem, candidate: Path, tmp_root: Path, root: Path, section_rows: dict[str, list[Row]], book: _Workbook
) -> tuple[CellProblem, tuple]:
    message = problem.message.replace(str(tmp_root.resolve()), str(root)).replace(str(tmp_root), str(root))
    path = problem_path(problem)
    parts = split_field(problem.field)
    if (
        _is_under(path, candidate)
        and len(parts) >= 2
        and isinstance(parts[1], int)
        and parts[1] < len(section_rows.get(parts[0], []))
    ):
        located = locate(section_rows[parts[0]][parts[1]], parts[2:], book.letters, book.order)
        return (
            CellProblem(
                message, located.sheet, located.cell, located.column, severity=problem.severity, code=problem.code
            ),
            located.sort,
        )
    try:
        rel = path.relative_to(tmp_root.resolve())
        file = str(root / rel)
    except ValueError:
        file = problem.file
    return (
        CellProblem(
            f"{problem.field}: {message}", file=file, line=problem.line, severity=problem.severity, code=problem.code
        ),
        (math.inf, 0, 0),
    )


def _sorted(problems: list[tuple[CellProblem, tuple]]) -> list[CellProblem]:
    seen: set[str] = set()
    out = []
    for problem, _ in sorted(problems, key=lambda item: item[1]):
        text = problem.format()
        if text not in seen:
            seen.add(text)
            out.append(problem)
    return out
