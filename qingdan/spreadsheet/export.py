"""Export: a bureau's current list as a workbook to fill in."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet.datavalidation import DataValidation

from ..atomic import atomic_write_bytes
from ..labels import zh_label
from ..models import KIND, record_title
from ..registry import SEVERITIES, Registry, load_registry
from ..validate import check
from .codec import encode
from .folders import agency_folder, checked_root, folder_of, folder_records, problem_path
from .locate import locate, rows_by_record, split_field
from .results import SpreadsheetError
from .rows import (
    AGENCY_LABEL,
    FINDINGS_SHEET,
    FIRST_ROW,
    FOLDER_LABEL,
    INFO_SHEET,
    OPTIONS_SHEET,
    REFERENCE_SHEET,
    Row,
    collect,
)
from .sheets import Column, Sheet, layout

SPARE_ROWS = 1000  # drop-downs reach this far below the last pre-filled row
FORMAT_VERSION = 1
REFERENCE_KINDS = ("agency", "unit", "code_scheme", "flow_template", "document")

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
NOTE_FONT = Font(size=9, color="555555")
WRAP = Alignment(wrap_text=True, vertical="top")


def write_template(registry_root: Path, agency_id: str, output: Path) -> Path:
    """Write the agency's workbook to `output`: its folder's records, or empty sheets for a new agency."""
    root = checked_root(registry_root)
    registry = load_registry(root)
    folder, exists = agency_folder(root, agency_id, registry)
    broken = [p for p in registry.errors if folder_of(root, problem_path(p)) == folder]
    if broken:
        details = "; ".join(p.format() for p in broken[:5])
        raise SpreadsheetError(
            f"the folder {folder}/ has {len(broken)} errors, so some records would be missing "
            f"from the workbook; fix them first (qingdan validate): {details}"
        )
    records = folder_records(registry, root, folder) if exists else {}
    agency = registry.get(agency_id) if exists else None

    lay = layout()
    rows: dict[Sheet, list[Row]] = {sheet: [] for sheet in lay.sheets}
    for sheet in lay.top_sheets:
        for data in records.get(sheet.section, []):
            collect(sheet, data, rows)

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


def _write_sheet(ws, sheet: Sheet, rows: list[Row], agency_id: str, options: _Options) -> None:
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
        where = folder_of(root, entry.file)
        if entry.kind not in REFERENCE_KINDS or where == folder:
            continue
        record = entry.record
        name = record_title(record)
        for index, value in enumerate(
            (entry.id, KIND[entry.kind].zh if entry.kind in KIND else entry.kind, name, where or ""), 1
        ):
            _set_cell(ws.cell(number, index), value)
        number += 1
    for letter, width in zip("ABCD", (34, 10, 40, 28), strict=False):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A3"


def _write_findings(
    ws, registry: Registry, root: Path, folder: str, rows: dict[Sheet, list[Row]], options: _Options
) -> None:
    headers = ("严重程度", "位置", "记录ID", "问题", "说明")
    for index, label in enumerate(headers, 1):
        cell = ws.cell(1, index, label)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    ws.cell(
        2,
        1,
        "登记库对现有数据的提示（原件本身的缺陷等），仅供参考，导入时忽略。严重程度："
        + "；".join(f"{s}（{zh_label('severity', s)}）" for s in SEVERITIES[1:]),
    ).font = NOTE_FONT
    by_key = rows_by_record(rows)
    letters = {sheet.name: {c.path: get_column_letter(i) for i, c in enumerate(sheet.columns, 1)} for sheet in rows}
    number = FIRST_ROW
    for problem in check(registry).findings:
        if folder_of(root, problem_path(problem)) != folder or problem.record not in registry.entries:
            continue
        entry = registry.entries[problem.record]
        row = by_key.get(problem.record)
        where = ""
        if row is not None:
            sub = split_field(problem.field)[len(entry.path) :]
            located = locate(row, sub, letters)
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
