"""Spreadsheet round trip: a bureau's list as an .xlsx workbook, and the filled workbook back as YAML.

`write_template` writes a workbook for one agency: a sheet per record kind, Chinese headers,
a notes row, drop-down lists for closed choices, pre-filled with the records of the registry
folder that holds the agency. `import_workbook` turns the filled workbook back into that
folder's YAML, validated against the whole registry; every problem names its sheet and cell,
and nothing is written while there are errors.

The layout of the workbook comes from the models (`spreadsheet_schema`); cell values are
encoded so that export followed by import gives back the same records:

- a blank cell is "no value" (the field's default); text that is really empty is written `""`
  (a cell holding only quote characters loses one pair on import);
- text is always stored as text, so `=...` never becomes a formula;
- lists of values hold one value per line, or a JSON array when a value has a line break;
- true/false is 是/否, closed choices are their registry values (explained in the notes row).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import os
import re
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from zipfile import BadZipFile

import yaml
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError, InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from pydantic import ValidationError

from .atomic import atomic_directory, atomic_write_bytes
from .models import ID_RE, RECORD_KINDS
from .registry import SEVERITIES, Problem, Registry, load_registry, yaml_files
from .spreadsheet_labels import KIND_ZH, VALUES_ZH
from .spreadsheet_schema import LIST_SEPARATOR, Column, Layout, Sheet, layout
from .validate import check

SHARED_FOLDERS = ("directory", "templates", "schemes", "schema", "sources")
SCHEMA_LINE = "# yaml-language-server: $schema=../schema/registry-file.schema.json\n"
FIRST_ROW = 3  # row 1: headers, row 2: notes
SPARE_ROWS = 1000  # drop-downs reach this far below the last pre-filled row
FORMAT_VERSION = 1

INFO_SHEET = "说明"
REFERENCE_SHEET = "可引用ID"
FINDINGS_SHEET = "数据问题"
OPTIONS_SHEET = "选项"
SYSTEM_SHEETS = (INFO_SHEET, REFERENCE_SHEET, FINDINGS_SHEET, OPTIONS_SHEET)
AGENCY_LABEL = "机构ID"
FOLDER_LABEL = "目标文件夹"
FOLDER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
REFERENCE_KINDS = ("agency", "unit", "code_scheme", "flow_template", "document")

QUOTES_RE = re.compile(r'"{2,}')  # a cell of quote characters only: one pair is the escape
CHOICE_SPLIT_RE = re.compile(r"[、,，;；\s]+")
TRUE_WORDS = {"是", "true", "yes", "y", "1", "对", "√"}
FALSE_WORDS = {"否", "false", "no", "n", "0", "×"}

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
NOTE_FONT = Font(size=9, color="555555")
WRAP = Alignment(wrap_text=True, vertical="top")


class SpreadsheetError(ValueError):
    """The workbook cannot be made or read at all (not a problem of one cell)."""


# --- results --------------------------------------------------------------------------------


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
            return f"{where}: {label}{tag}{self.message}"
        return f"{self.file}:{self.line}: {tag}{self.message}" if self.file else f"{tag}{self.message}"

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


# --- rows: shared by export and import ----------------------------------------------------------


@dataclass(eq=False)
class _Row:
    sheet: Sheet
    number: int  # row number in the sheet
    values: dict = field(default_factory=dict)  # Column → value (decoded)
    key: str | None = None
    parent_key: str | None = None
    position: int | None = None
    children: dict[str, list[_Row]] = field(default_factory=dict)


class _Omit:
    def __repr__(self):
        return "OMIT"


OMIT = _Omit()


def _get(data: dict, path: tuple[str, ...]):
    value = data
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _collect(
    sheet: Sheet, data: dict, rows: dict[Sheet, list[_Row]], parent_key: str | None = None, position: int | None = None
) -> _Row:
    """Rows of a record and its nested lists, as they go into the workbook."""
    row = _Row(sheet, FIRST_ROW + len(rows[sheet]), parent_key=parent_key, position=position)
    rows[sheet].append(row)
    row.key = data.get("id") if sheet.has_id else f"{parent_key}/{sheet.name}/{position}"
    for column in sheet.columns:
        if column.kind == "parent":
            row.values[column] = parent_key
        elif column.kind == "position":
            row.values[column] = position
        else:
            row.values[column] = _get(data, column.path)
    for key, _, child in sheet.children:
        row.children[key] = [_collect(child, item, rows, row.key, i) for i, item in enumerate(data.get(key) or [], 1)]
    return row


# --- cell values ---------------------------------------------------------------------------------


def encode(column: Column, value):
    """The cell value for a field value (text, a number or None)."""
    if value is None:
        return None
    kind = column.kind
    if kind in ("str", "parent"):
        value = str(value)
        if value == "" and column.blank_is_empty:
            return None
        if value == "" or QUOTES_RE.fullmatch(value):
            return f'"{value}"'
        return value
    if kind == "bool":
        return "是" if value else "否"
    if kind in ("int", "float", "position"):
        return value
    if kind == "choice":
        return str(value)
    if kind == "list":
        return _encode_list(column, value)
    if kind == "dict":
        return _encode_dict(value)
    return json.dumps(value, ensure_ascii=False)


def _encode_list(column: Column, items: list):
    if not items:
        return None
    texts = [item if isinstance(item, str) else str(item) for item in items]
    if column.item_kind == "choice":
        if all(t and not CHOICE_SPLIT_RE.search(t) for t in texts):
            return LIST_SEPARATOR.join(texts)
    elif all(t and "\n" not in t and "\r" not in t and t == t.strip() for t in texts) and not texts[0].startswith("["):
        return "\n".join(texts)
    return json.dumps(items, ensure_ascii=False)


def _encode_dict(mapping: dict):
    if not mapping:
        return None
    pairs = [(str(k), str(v)) for k, v in mapping.items()]
    plain = all(
        k and k == k.strip() and "=" not in k and "\n" not in k and "\n" not in v and v == v.strip() for k, v in pairs
    ) and not pairs[0][0].startswith("{")
    if plain:
        return "\n".join(f"{k}={v}" for k, v in pairs)
    return json.dumps(mapping, ensure_ascii=False)


def _text(raw) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat()
    if isinstance(raw, (dt.date, dt.time)):
        return raw.isoformat()
    return str(raw)


def _number(raw, kind: str):
    if isinstance(raw, bool):
        return raw  # the model reports it
    if isinstance(raw, (int, float)):
        if kind in ("int", "position") and isinstance(raw, float) and raw.is_integer():
            return int(raw)
        return raw
    text = _text(raw).strip()
    try:
        return int(text) if kind in ("int", "position") else float(text)
    except ValueError:
        return text


def decode(column: Column, raw):
    """The field value for a cell (OMIT: no value, the field's default applies)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if column.blank_is_empty:
            return ""
        return [] if column.kind == "list" and column.required else OMIT
    kind = column.kind
    if kind == "parent":
        return _text(raw).strip()
    if kind == "str":
        text = _text(raw)
        stripped = text.strip()
        return stripped[1:-1] if QUOTES_RE.fullmatch(stripped) else text
    if kind == "choice":
        text = _text(raw).strip()
        return next((c for c in column.choices if str(c) == text), text)
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        word = _text(raw).strip().lower()
        return True if word in TRUE_WORDS else False if word in FALSE_WORDS else _text(raw)
    if kind in ("int", "float", "position"):
        return _number(raw, kind)
    if kind == "list":
        return _decode_list(column, raw)
    if kind == "dict":
        return _decode_dict(raw)
    text = _text(raw)
    try:
        return json.loads(text)
    except ValueError:
        return text


def _decode_list(column: Column, raw) -> list:
    if not isinstance(raw, str):
        raw = _text(raw)
    stripped = raw.strip()
    if stripped.startswith("["):
        try:
            items = json.loads(stripped)
        except ValueError:
            items = None
        if isinstance(items, list):
            return items
    if column.item_kind == "choice":
        items = CHOICE_SPLIT_RE.split(stripped)
    else:
        items = [line.strip() for line in stripped.splitlines()]
    items = [item for item in items if item]
    if column.item_kind == "choice":
        return [next((c for c in column.choices if str(c) == item), item) for item in items]
    if column.item_kind in ("int", "float"):
        return [_number(item, column.item_kind) for item in items]
    return items


def _decode_dict(raw):
    text = _text(raw).strip()
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if isinstance(value, dict):
            return value
    mapping = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        if "=" not in line:
            return text  # the model reports "expected a mapping"
        key, value = line.split("=", 1)
        mapping[key.strip()] = value.strip()
    return mapping


# --- where an agency's records live -------------------------------------------------------------


def _folder_of(root: Path, path: Path) -> str | None:
    """The top-level folder of the registry that holds `path` (None for files at the root)."""
    try:
        parts = Path(path).resolve().relative_to(Path(root).resolve()).parts
    except ValueError:
        return None
    return parts[0] if len(parts) > 1 else None


def _problem_path(problem: Problem) -> Path:
    path = Path(problem.file)
    return (path if path.is_absolute() else Path.cwd() / path).resolve()


def _agencies_in(registry: Registry, root: Path, folder: str) -> list[str]:
    return [e.id for e in registry.entries.values() if e.kind == "agency" and _folder_of(root, e.file) == folder]


def agency_folder(registry_root: Path, agency_id: str, registry: Registry | None = None) -> tuple[str, bool]:
    """(folder name, whether the agency is already in the registry) for an agency's records."""
    root = Path(registry_root)
    registry = registry or load_registry(root)
    if len(agency_id) > 120 or not ID_RE.match(agency_id):
        raise SpreadsheetError(
            f"{agency_id!r} is not a valid agency ID: use lowercase ASCII letters, digits "
            "and single '-', '_' or '.' between them, e.g. 370406-ybj"
        )
    entry = registry.entries.get(agency_id)
    if entry is None:
        folder = agency_id
        others = _agencies_in(registry, root, folder)
        if others or ((root / folder).is_dir() and yaml_files(root / folder)):
            raise SpreadsheetError(
                f"the folder {folder}/ already holds other records ({', '.join(others) or 'YAML files'});"
                " a new agency needs a folder of its own"
            )
        return folder, False
    if entry.kind != "agency":
        raise SpreadsheetError(f"{agency_id} is the ID of a {entry.kind}, not of an agency")
    folder = _folder_of(root, entry.file)
    if folder is None:
        raise SpreadsheetError(f"{agency_id} is in {entry.file}, not in an agency folder of {root}")
    if folder in SHARED_FOLDERS:
        raise SpreadsheetError(
            f"{agency_id} is kept in the shared folder {folder}/: it is named by others but does "
            "not publish its own list here; give it an agency folder first"
        )
    return folder, True


def _registry_root(path) -> Path:
    root = Path(path)
    if not root.is_dir():
        raise SpreadsheetError(f"{root} is not a registry folder")
    return root


def _folder_records(registry: Registry, root: Path, folder: str) -> dict[str, list[dict]]:
    records: dict[str, list[dict]] = defaultdict(list)
    for entry in registry.entries.values():
        if entry.kind == "work_item" or _folder_of(root, entry.file) != folder:
            continue
        records[entry.path[0]].append(entry.record.model_dump(mode="json", by_alias=True))
    return records


# --- export ---------------------------------------------------------------------------------------


def write_template(registry_root: Path, agency_id: str, output: Path) -> Path:
    """Write the agency's workbook to `output`: its folder's records, or empty sheets for a new agency."""
    root = _registry_root(registry_root)
    registry = load_registry(root)
    folder, exists = agency_folder(root, agency_id, registry)
    broken = [p for p in registry.errors if _folder_of(root, _problem_path(p)) == folder]
    if broken:
        details = "; ".join(p.format() for p in broken[:5])
        raise SpreadsheetError(
            f"the folder {folder}/ has {len(broken)} errors, so some records would be missing "
            f"from the workbook; fix them first (qingdan validate): {details}"
        )
    records = _folder_records(registry, root, folder) if exists else {}
    agency = registry.get(agency_id) if exists else None

    lay = layout()
    rows: dict[Sheet, list[_Row]] = {sheet: [] for sheet in lay.sheets}
    for sheet in lay.top_sheets:
        for data in records.get(sheet.section, []):
            _collect(sheet, data, rows)

    workbook = Workbook()
    info = workbook.active
    info.title = INFO_SHEET
    _write_info(info, agency_id, folder, agency.name if agency else None, exists)
    options = _Options(workbook)
    for sheet in lay.sheets:
        _write_sheet(workbook.create_sheet(sheet.name), sheet, rows[sheet], agency_id, options)
    _write_references(workbook.create_sheet(REFERENCE_SHEET), registry, root, folder)
    if exists and not registry.errors:
        _write_findings(workbook.create_sheet(FINDINGS_SHEET), registry, root, folder, rows, options)
    options.finish()

    buffer = io.BytesIO()
    workbook.save(buffer)
    output = Path(output)
    atomic_write_bytes(output, buffer.getvalue())
    return output


INSTRUCTIONS = [
    "每个工作表是一类记录（机构、科室、岗位、职权……），第1行是列名，第2行是填写说明，从第3行起每行一条记录。不要改动第1、2行和工作表名称。",
    "文字照原件录入，不要改写、不要补全；原件受损或存疑的文字原样照录，在“审核标记”表中说明。",
    "ID：小写英文字母和数字，中间可用单个 - _ . 连接；全库唯一；"
    "已发布的ID不要修改（网页地址和更新比对都靠它）。新记录的ID以所属机构ID开头，如 {agency}-power-12。",
    "带下拉箭头的列只能填列表中的值；“是/否”列填“是”或“否”。",
    "“每行一项”的列：在单元格内换行（Alt+Enter），每行一项。",
    "子表（如 工作事项、申请材料、法律依据、审核标记）的每行用“所属ID”指向上级记录，用“顺序”排列。",
    '删除一行即删除该记录；空白行会被跳过。单元格只填 "" 表示空文本（与空白不同）。',
    "上级机构、流程模板、编码规则等放在共享文件夹（directory/、templates/、schemes/）中，本工作簿只引用它们的ID，见“可引用ID”表。",
    "“数据问题”表列出登记库对现有数据的提示，仅供参考，导入时忽略。",
    "导入：qingdan import 本文件.xlsx。必填列留空、引用不存在的ID、编码不符合编码规则等问题，"
    "会逐格报告（如 职权!C14），全部改正前不会写入任何内容。",
]


def _write_info(ws, agency_id: str, folder: str, name: str | None, exists: bool) -> None:
    ws["A1"] = "权责清单填报工作簿"
    ws["A1"].font = Font(bold=True, size=14)
    facts = [
        (AGENCY_LABEL, agency_id),
        ("机构名称", name or "（新机构：请在“机构”表第3行填写本机构，ID 与上面一致）"),
        (FOLDER_LABEL, folder),
        ("登记库位置", f"registry/{folder}/（导入时整个文件夹按本工作簿重写）"),
        ("格式版本", FORMAT_VERSION),
    ]
    for offset, (label, value) in enumerate(facts):
        ws.cell(3 + offset, 1, label).font = HEADER_FONT
        cell = ws.cell(3 + offset, 2)
        _set_cell(cell, value)
    row = 3 + len(facts) + 1
    ws.cell(row, 1, "填写说明").font = HEADER_FONT
    for number, text in enumerate(INSTRUCTIONS, 1):
        ws.cell(row + number, 1, number)
        cell = ws.cell(row + number, 2)
        _set_cell(cell, text.replace("{agency}", agency_id))
        cell.alignment = WRAP
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 110


def _set_cell(cell, value) -> None:
    """Put a value in a cell; text stays text even when it starts with '='."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if "\n" in value or len(value) > 40:
            cell.alignment = WRAP


class _Options:
    """Long drop-down lists live in a hidden sheet (a list in the formula is limited to 255 characters)."""

    def __init__(self, workbook: Workbook):
        self.workbook = workbook
        self.sheet = None
        self.ranges: dict[tuple[str, ...], str] = {}

    def formula(self, values: tuple[str, ...]) -> str:
        inline = '"' + ",".join(values) + '"'
        if len(inline) <= 255 and not any("," in v or '"' in v for v in values):
            return inline
        if values not in self.ranges:
            if self.sheet is None:
                self.sheet = self.workbook.create_sheet(OPTIONS_SHEET)
            column = len(self.ranges) + 1
            for i, value in enumerate(values, 1):
                _set_cell(self.sheet.cell(i, column), value)
            letter = get_column_letter(column)
            self.ranges[values] = f"'{OPTIONS_SHEET}'!${letter}$1:${letter}${len(values)}"
        return self.ranges[values]

    def finish(self) -> None:
        if self.sheet is not None:
            self.sheet.sheet_state = "hidden"


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _write_sheet(ws, sheet: Sheet, rows: list[_Row], agency_id: str, options: _Options) -> None:
    for index, column in enumerate(sheet.columns, 1):
        header = ws.cell(1, index, column.label)
        header.font = HEADER_FONT
        header.fill = REQUIRED_FILL if column.required else HEADER_FILL
        note = ws.cell(2, index, column.note.replace("{agency}", agency_id))
        note.font = NOTE_FONT
        note.alignment = WRAP
    ws.row_dimensions[2].height = 96
    ws.freeze_panes = ws.cell(FIRST_ROW, 2)
    widths = [max(10, _width(c.label) + 4) for c in sheet.columns]
    for row in rows:
        for index, column in enumerate(sheet.columns, 1):
            value = encode(column, row.values.get(column))
            if value is None:
                continue
            try:
                _set_cell(ws.cell(row.number, index), value)
            except IllegalCharacterError:
                raise SpreadsheetError(
                    f"{sheet.name}!{get_column_letter(index)}{row.number} ({row.key}): "
                    f"{column.label} holds a control character that a workbook cannot store"
                ) from None
            if isinstance(value, str):
                widths[index - 1] = max(widths[index - 1], min(48, _width(value.split("\n")[0]) + 2))
    last = FIRST_ROW + len(rows) + SPARE_ROWS
    for index, column in enumerate(sheet.columns, 1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = widths[index - 1]
        if column.kind in ("str", "list", "dict", "json", "parent"):
            ws.column_dimensions[letter].number_format = "@"  # typed codes like 0355 stay text
        values = column.dropdown
        if values:
            _add_dropdown(ws, letter, values, last, options, column)


def _add_dropdown(ws, letter: str, values: tuple[str, ...], last: int, options: _Options, column: Column) -> None:
    validation = DataValidation(type="list", formula1=options.formula(values), allow_blank=True)
    closed = not (column.kind == "list" and len(values) == len(column.choices) and len(values) > 1)
    validation.showErrorMessage = closed
    validation.errorTitle = "无效的值"
    validation.error = f"{column.label}：请从下拉列表中选择。"
    validation.add(f"{letter}{FIRST_ROW}:{letter}{last}")
    ws.add_data_validation(validation)


def _write_references(ws, registry: Registry, root: Path, folder: str) -> None:
    headers = ("ID", "类型", "名称", "文件夹")
    for index, label in enumerate(headers, 1):
        cell = ws.cell(1, index, label)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    ws.cell(2, 1, "本工作簿之外、可以引用的记录（仅供查找，导入时忽略）。").font = NOTE_FONT
    number = FIRST_ROW
    for entry in registry.entries.values():
        where = _folder_of(root, entry.file)
        if entry.kind not in REFERENCE_KINDS or where == folder:
            continue
        record = entry.record
        name = getattr(record, "name", None) or getattr(record, "title", None) or ""
        for index, value in enumerate((entry.id, KIND_ZH.get(entry.kind, entry.kind), name, where or ""), 1):
            _set_cell(ws.cell(number, index), value)
        number += 1
    for letter, width in zip("ABCD", (34, 10, 40, 28), strict=False):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A3"


def _write_findings(
    ws, registry: Registry, root: Path, folder: str, rows: dict[Sheet, list[_Row]], options: _Options
) -> None:
    headers = ("严重程度", "位置", "记录ID", "问题", "说明")
    for index, label in enumerate(headers, 1):
        cell = ws.cell(1, index, label)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    ws.cell(
        2,
        1,
        "登记库对现有数据的提示（原件本身的缺陷等），仅供参考，导入时忽略。严重程度："
        + "；".join(f"{s}（{VALUES_ZH.get(s, s)}）" for s in SEVERITIES[1:]),
    ).font = NOTE_FONT
    by_key = _rows_by_record(rows)
    letters = {sheet.name: {c.path: get_column_letter(i) for i, c in enumerate(sheet.columns, 1)} for sheet in rows}
    number = FIRST_ROW
    for problem in check(registry).findings:
        if _folder_of(root, _problem_path(problem)) != folder or problem.record not in registry.entries:
            continue
        entry = registry.entries[problem.record]
        row = by_key.get(problem.record)
        where = ""
        if row is not None:
            sub = _split_field(problem.field)[len(entry.path) :]
            located = _locate(row, sub, letters)
            where = f"{located.sheet}!{located.cell}"
        values = (problem.severity, where, problem.record, problem.code, problem.message_zh or problem.message)
        for index, value in enumerate(values, 1):
            _set_cell(ws.cell(number, index), value)
        number += 1
    _add_dropdown(
        ws,
        "A",
        SEVERITIES[1:],
        max(number, FIRST_ROW + 1),
        options,
        Column(("severity",), "严重程度", "", "choice", choices=SEVERITIES[1:]),
    )
    for letter, width in zip("ABCDE", (10, 16, 34, 22, 90), strict=False):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A3"


def _rows_by_record(rows: dict[Sheet, list[_Row]]) -> dict[str, _Row]:
    """Rows of records that have an ID of their own, by ID (first wins)."""
    found: dict[str, _Row] = {}
    for sheet, sheet_rows in rows.items():
        if sheet.has_id:
            for row in sheet_rows:
                if isinstance(row.key, str):
                    found.setdefault(row.key, row)
    return found


# --- mapping a registry path to a cell ------------------------------------------------------------


def _split_field(field_path: str) -> list:
    parts: list = []
    for piece in field_path.replace("]", "").replace("[", ".").split("."):
        if piece:
            parts.append(int(piece) if piece.isdigit() else piece)
    return parts


@dataclass
class _Located:
    sheet: str
    cell: str
    column: str
    sort: tuple


def _key_column(sheet: Sheet) -> Column:
    return sheet.column(("id",)) or sheet.columns[0]


def _locate(
    row: _Row, parts: list, letters: dict[str, dict[tuple, str]], order: dict[str, int] | None = None
) -> _Located:
    """The cell that holds the value at `parts` (a path below the record of `row`)."""
    detail = ""
    while True:
        sheet = row.sheet
        column = None
        if parts:
            head = parts[0]
            child = next((c for key, _, c in sheet.children if key == head), None)
            if child is not None:
                kids = row.children.get(head, [])
                if len(parts) > 1 and isinstance(parts[1], int) and parts[1] < len(kids):
                    row, parts = kids[parts[1]], parts[2:]
                    continue
                column = _key_column(sheet)
                detail = child.name  # the list as a whole: its rows are in that sheet
            else:
                matches = [c for c in sheet.columns if tuple(parts[: len(c.path)]) == c.path]
                if matches:
                    column = max(matches, key=lambda c: len(c.path))
                    rest = parts[len(column.path) :]
                    if rest:
                        detail = (
                            f"{column.label} 第{rest[0] + 1}项"
                            if isinstance(rest[0], int)
                            else f"{column.label} {rest[0]}"
                        )
                else:
                    column = next((c for c in sheet.columns if c.path[0] == head), None)
        column = column or _key_column(sheet)
        present = letters.get(sheet.name, {})
        letter = present.get(column.path)
        label = detail or column.label
        if letter is None:  # the column is not in the workbook: point at the row
            letter = present.get(_key_column(sheet).path) or next(iter(present.values()), "A")
            label = f"{label}（此列缺失）"
        column_index = _column_index(letter)
        return _Located(
            sheet.name, f"{letter}{row.number}", label, ((order or {}).get(sheet.name, 0), row.number, column_index)
        )


def _column_index(letter: str) -> int:
    index = 0
    for ch in letter:
        index = index * 26 + ord(ch) - 64
    return index


# --- import --------------------------------------------------------------------------------------


@dataclass
class _Workbook:
    agency: str | None = None
    folder: str | None = None
    agency_cell: str = "B3"
    folder_cell: str = "B5"
    rows: dict[Sheet, list[_Row]] = field(default_factory=dict)
    letters: dict[str, dict[tuple, str]] = field(default_factory=dict)
    order: dict[str, int] = field(default_factory=dict)
    problems: list[tuple[CellProblem, tuple]] = field(default_factory=list)
    fatal: bool = False  # the agency or folder is unusable: the records cannot be placed

    def error(
        self, sheet: str, cell: str | None, column: str | None, message: str, sort: tuple = (), fatal: bool = False
    ) -> None:
        self.problems.append((CellProblem(message, sheet, cell, column), sort or (self.order.get(sheet, -1), 0, 0)))
        self.fatal = self.fatal or fatal


def _read_workbook(path: Path, lay: Layout) -> _Workbook:
    try:
        workbook = load_workbook(path, data_only=False)
    except (InvalidFileException, BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SpreadsheetError(f"{path} is not an .xlsx workbook that can be read: {exc}") from None
    book = _Workbook(order={name: i for i, name in enumerate([INFO_SHEET] + [s.name for s in lay.sheets])})
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
                book.agency = _text(row[1].value).strip() if row[1].value is not None else None
                book.agency_cell = row[1].coordinate
            elif label == FOLDER_LABEL:
                book.folder = _text(row[1].value).strip() if row[1].value is not None else None
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
        label = _text(cell.value).strip()
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
        row = _Row(sheet, cells[0].row)
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
    lookup: dict[Sheet, dict[str, _Row]] = {}
    for sheet in _topological(lay):
        rows = book.rows.get(sheet, [])
        if sheet.is_child:
            parent_column = sheet.columns[0]
            position_column = sheet.columns[1]
            groups: dict[int, tuple[_Row, list[_Row]]] = {}
            for row in rows:
                key = row.values.get(parent_column, OMIT)
                letter = book.letters[sheet.name].get(parent_column.path, "A")
                if key is OMIT:
                    book.error(
                        sheet.name,
                        f"{letter}{row.number}",
                        parent_column.label,
                        "this required cell is empty: the row belongs to no record and would be lost",
                        (book.order.get(sheet.name, 0), row.number, _column_index(letter)),
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
                        (book.order.get(sheet.name, 0), row.number, _column_index(letter)),
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
                        (book.order.get(sheet.name, 0), row.number, _column_index(letter)),
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


def _id_of(row: _Row) -> str | None:
    column = row.sheet.column(("id",))
    value = row.values.get(column) if column else None
    return value.strip() if isinstance(value, str) else None


def _build(row: _Row) -> dict:
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


# --- YAML ------------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Block style, lists indented under their key, multi-line text as literal blocks."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def yaml_text(section: str, records: list[dict]) -> str:
    """One registry file: the schema line, then the section's records."""
    body = yaml.dump(
        {section: records}, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=10_000
    )  # long text stays on one line
    return SCHEMA_LINE + body


# --- import_workbook ---------------------------------------------------------------------------------


def import_workbook(registry_root: Path, workbook: Path, *, write: bool = True) -> ImportResult:
    """Turn a filled workbook into the YAML of its agency's folder, validated against the whole registry.

    On errors nothing is written and `result.errors` names the sheet and cell of each. With
    `write=False` the workbook is only checked."""
    root = _registry_root(registry_root)
    lay = layout()
    book = _read_workbook(Path(workbook), lay)
    registry = load_registry(root)
    result = ImportResult(agency=book.agency, folder=root / book.folder if book.folder else None)
    _check_target(book, registry, root)
    if book.fatal or not book.agency or not book.folder:
        result.errors = _sorted(book.problems)
        return result
    _attach(book, lay)

    sections: dict[str, list[dict]] = {}
    section_rows: dict[str, list[_Row]] = {}
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
        report = check(load_registry(tmp_root))
        errors = [_map_problem(p, candidate, tmp_root, root, section_rows, book) for p in report.errors]
        findings = [
            _map_problem(p, candidate, tmp_root, root, section_rows, book)
            for p in report.findings
            if _is_under(_problem_path(p), candidate)
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

    if book.agency and (len(book.agency) > 120 or not ID_RE.match(book.agency)):
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
    entry = registry.entries.get(book.agency or "")
    if entry is not None:
        where = _folder_of(root, entry.file)
        if entry.kind != "agency":
            fail(book.agency_cell, AGENCY_LABEL, f"{book.agency} is the ID of a {entry.kind}, not of an agency")
        elif where != book.folder:
            fail(
                book.folder_cell,
                FOLDER_LABEL,
                f"the agency {book.agency} is kept in the folder {where}/, not {book.folder}/",
            )
    else:
        others = _agencies_in(registry, root, book.folder)
        if others:
            fail(
                book.folder_cell,
                FOLDER_LABEL,
                f"the folder {book.folder}/ holds the records of {', '.join(others)}; "
                "a new agency needs a folder of its own",
            )


def _candidate_registry(root: Path, tmp_root: Path, folder: str) -> None:
    """The registry as it is, without the agency's folder: its YAML copied, its sources linked."""
    tmp_root.mkdir(parents=True)
    sources = Registry(root=root).source_path("x").parent
    if sources.is_dir():
        try:
            os.symlink(sources.resolve(), tmp_root / sources.name, target_is_directory=True)
        except OSError:  # no symlinks here: copy
            shutil.copytree(sources, tmp_root / sources.name)
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
    problem: Problem, candidate: Path, tmp_root: Path, root: Path, section_rows: dict[str, list[_Row]], book: _Workbook
) -> tuple[CellProblem, tuple]:
    message = problem.message.replace(str(tmp_root.resolve()), str(root)).replace(str(tmp_root), str(root))
    path = _problem_path(problem)
    parts = _split_field(problem.field)
    if (
        _is_under(path, candidate)
        and len(parts) >= 2
        and isinstance(parts[1], int)
        and parts[1] < len(section_rows.get(parts[0], []))
    ):
        located = _locate(section_rows[parts[0]][parts[1]], parts[2:], book.letters, book.order)
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
