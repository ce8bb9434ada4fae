"""Spreadsheet round trip: template → fill → import, cell-precise errors, drop-downs, the seed registry."""

import shutil
import typing
from pathlib import Path

import openpyxl
import pytest

from qingdan.models import RECORD_KINDS
from qingdan.registry import load_registry
from qingdan.spreadsheet import (
    SCHEMA_LINE,
    SHARED_FOLDERS,
    SpreadsheetError,
    decode,
    encode,
    import_workbook,
    layout,
    write_template,
)
from qingdan.validate import validate

from .conftest import MINI, REGISTRY, edit

POWER_SHEET, UNIT_SHEET, AGENCY_SHEET = "职权", "科室", "机构"


# --- helpers -----------------------------------------------------------------------------------


def column_of(ws, label: str) -> int:
    for cell in ws[1]:
        if cell.value == label:
            return cell.column
    raise AssertionError(f"no column {label!r} in sheet {ws.title}: {[c.value for c in ws[1]]}")


def letter_of(ws, label: str) -> str:
    return openpyxl.utils.get_column_letter(column_of(ws, label))


def row_of(ws, label: str, value) -> int:
    col = column_of(ws, label)
    for row in range(3, ws.max_row + 1):
        if ws.cell(row, col).value == value:
            return row
    raise AssertionError(f"no row with {label} = {value!r} in sheet {ws.title}")


def set_cells(ws, row: int, values: dict) -> None:
    for label, value in values.items():
        ws.cell(row, column_of(ws, label), value)


def data_rows(ws) -> list[tuple]:
    return [r for r in ws.iter_rows(min_row=3, values_only=True) if any(v is not None for v in r)]


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def dumps(root: Path) -> dict[str, dict]:
    registry = load_registry(root)
    assert registry.errors == [], [p.format() for p in registry.errors]
    return {record_id: entry.record.model_dump() for record_id, entry in registry.entries.items()}


def agency_folders(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.is_dir() and p.name not in SHARED_FOLDERS)


@pytest.fixture
def seed(tmp_path) -> Path:
    target = tmp_path / "registry"
    shutil.copytree(REGISTRY, target)
    return target


@pytest.fixture(scope="session")
def mini_template(tmp_path_factory) -> Path:
    """The mini registry's template for demo-ybj, written once (it depends on the registry alone)."""
    return write_template(MINI, "demo-ybj", tmp_path_factory.mktemp("template") / "demo.xlsx")


@pytest.fixture
def mini_book(mini_template, tmp_path) -> Path:
    """A copy of that template for one test to fill in."""
    return Path(shutil.copy(mini_template, tmp_path / "demo.xlsx"))


# --- the template --------------------------------------------------------------------------------


def test_template_has_a_chinese_sheet_per_kind_notes_and_the_agency_records(mini, mini_book):
    book = openpyxl.load_workbook(mini_book)
    for name in (
        "说明",
        "机构",
        "科室",
        "人员",
        "岗位",
        "任职",
        "主要职责",
        "工作事项",
        "职责边界",
        "职权",
        "公共服务",
        "流程图",
        "监管制度",
        "工作任务",
        "自查事项",
        "源文件",
        "编码规则",
        "流程模板",
        "申请材料",
        "法律依据",
        "审核标记",
        "当事方",
        "流程节点",
        "流程连线",
    ):
        assert name in book.sheetnames, name
    info = {row[0]: row[1] for row in book["说明"].iter_rows(values_only=True, max_col=2) if row[0]}
    assert info["机构ID"] == "demo-ybj"
    assert info["目标文件夹"] == "demo-bureau"

    powers = book[POWER_SHEET]
    headers = [c.value for c in powers[1]]
    assert headers[:3] == ["ID", "所属机构", "职权编码"]
    assert {"职权类别", "职权名称", "来源文件", "来源位置", "来源行"} <= set(headers)
    notes = {powers.cell(1, i).value: powers.cell(2, i).value for i in range(1, len(headers) + 1)}
    assert all(notes.values()), notes
    assert "必填" in notes["职权名称"] and "选填" in notes["申请人"]
    assert "选填" in notes["职权编码"]  # a list may print no code (finding no_code)
    assert "行政处罚" in notes["职权类别"]
    assert "ID规则" in notes["ID"] and "demo-ybj-power-1" in notes["ID"]
    assert "每行一项" in notes["受理条件"]

    # pre-filled: every record of the folder, children keyed by the parent's ID and a position
    assert [r[0] for r in data_rows(powers)] == ["demo-power-b1", "demo-power-b1-second"]
    assert [r[0] for r in data_rows(book[AGENCY_SHEET])] == ["demo-ybj", "demo-mzj"]
    materials = data_rows(book["申请材料"])
    assert [(r[0], r[1], r[2], r[3]) for r in materials] == [
        ("demo-power-b1-second", 1, "身份证复印件", "common"),
        ("demo-power-b1-second", 2, "委托书", "optional"),
    ]
    assert book[POWER_SHEET].cell(3, column_of(powers, "来源行")).value == 10  # a number, not text
    assert data_rows(book["可引用ID"]) == []  # everything of the mini registry is in the agency's folder


def test_dropdowns_on_every_closed_choice_column(mini_book):
    book = openpyxl.load_workbook(mini_book)
    options = book["选项"] if "选项" in book.sheetnames else None
    checked = 0
    for sheet in layout().sheets:
        ws = book[sheet.name]
        validations = ws.data_validations.dataValidation
        for index, column in enumerate(sheet.columns, 1):
            letter = openpyxl.utils.get_column_letter(index)
            covering = [dv for dv in validations if f"{letter}3" in dv.sqref and f"{letter}900" in dv.sqref]
            if not column.dropdown:
                assert covering == [], f"{sheet.name}!{letter} ({column.label}) has a drop-down"
                continue
            assert len(covering) == 1, f"{sheet.name}!{letter} ({column.label}) has no drop-down"
            formula = covering[0].formula1
            if formula.startswith('"'):
                offered = formula.strip('"').split(",")
            else:  # a long list lives in the hidden options sheet
                offered = [row[0].value for row in options[formula.split("!")[1].replace("$", "")]]
            assert set(column.dropdown) <= set(offered), (sheet.name, column.label)
            checked += 1
    assert checked >= 16

    def offered(sheet, label):
        ws = book[sheet]
        letter = letter_of(ws, label)
        dv = next(dv for dv in ws.data_validations.dataValidation if f"{letter}3" in dv.sqref)
        return dv.formula1.strip('"').split(",")

    assert offered("机构", "层级") == ["national", "province", "city", "county", "township", "village", "other"]
    assert "government_department" in offered("机构", "机构类型")
    assert offered("机构", "原件写明名称") == ["是", "否"]
    assert "行政检查" in offered("职权", "职权类别")
    assert offered("任职", "角色")[:2] == ["lead", "assistant"]
    assert offered("申请材料", "材料类型") == ["common", "optional"]
    assert offered("电话", "电话类型") == ["service", "supervision", "consulting", "hotline"]
    assert offered("工作事项", "下放情况") == ["not_delegated", "assists_higher_level"]
    assert offered("流程图", "完整程度") == ["full", "title_only"]
    assert offered("流程节点", "节点类型") == ["start", "step", "decision", "end"]
    # ten levels are too many to offer every combination: each alone, and the drop-down stays open
    assert {"B", "township", "village"} <= set(offered("公共服务", "办理层级"))
    assert offered("数据问题", "严重程度") == ["high", "medium", "low", "info"]


def test_every_literal_field_of_every_model_gets_a_dropdown():
    """Derived generically: a Literal anywhere in the models is a closed-choice column."""
    dropdown_paths = {(s.model.__name__, c.path[-1]) for s in layout().sheets for c in s.columns if c.dropdown}
    seen = set()

    def walk(model):
        if model in seen:
            return
        seen.add(model)
        for name, info in model.model_fields.items():
            text = str(info.annotation)
            if "Literal" in text and "BaseModel" not in text:
                owner = model.__name__ if model.__name__ != "Source" else None
                if owner:
                    assert (owner, info.alias or name) in dropdown_paths, (owner, name)
            for arg in [info.annotation, *typing.get_args(info.annotation)]:
                for inner in [arg, *typing.get_args(arg)]:
                    if isinstance(inner, type) and hasattr(inner, "model_fields"):
                        walk(inner)

    for model in RECORD_KINDS.values():
        walk(model)
    assert ("PublicService", "levels") in dropdown_paths and ("Agency", "name_stated") in dropdown_paths


# --- fill and import ---------------------------------------------------------------------------


@pytest.mark.slow
def test_fill_the_template_and_import_it(mini, mini_book):
    before = dumps(mini)
    book = openpyxl.load_workbook(mini_book)
    powers = book[POWER_SHEET]
    new_row = powers.max_row + 1
    set_cells(
        powers,
        new_row,
        {
            "ID": "demo-power-j1",
            "所属机构": "demo-ybj",
            "职权编码": "3400-J-00100-140423",
            "编码规则": "sx-demo",
            "职权类别": "行政检查",
            "类别原文": "行政检查类",
            "职权名称": "对定点医药机构的监督检查",
            "受理条件": "条件一\n条件二",
            "来源文件": "doc-mini",
            "来源位置": "职权编码 3400-J-00100-140423",
            "来源行": 11,
        },
    )
    materials = book["申请材料"]
    set_cells(materials, materials.max_row + 1, {"所属ID": "demo-power-j1", "顺序": 1, "材料名称": "检查通知书"})
    agencies = book[AGENCY_SHEET]
    agencies.cell(row_of(agencies, "ID", "demo-ybj"), column_of(agencies, "机构全称"), "襄垣县医疗保障局（新名）")
    book.save(mini_book)

    result = import_workbook(mini, mini_book)
    assert result.ok, [e.format() for e in result.errors]
    assert result.written
    folder = mini / "demo-bureau"
    assert result.folder == folder
    assert sorted(p.name for p in result.files) == sorted(f"{s}.yaml" for s in RECORD_KINDS)
    assert [p.name for p in result.removed] == ["registry.yaml"]
    assert result.counts["powers"] == 3
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{s}.yaml" for s in RECORD_KINDS)
    for path in folder.iterdir():
        assert path.read_text(encoding="utf-8").startswith(SCHEMA_LINE)
    assert (mini / "sources" / "mini.txt").exists()

    powers_yaml = (folder / "powers.yaml").read_text(encoding="utf-8")
    assert "  - id: demo-power-j1\n" in powers_yaml
    assert "      - 条件一\n      - 条件二\n" in powers_yaml

    after = dumps(mini)
    assert set(after) == set(before) | {"demo-power-j1"}
    power = load_registry(mini).get("demo-power-j1")
    assert power.category == "行政检查" and power.conditions == ["条件一", "条件二"]
    assert [m.name for m in power.materials] == ["检查通知书"] and power.source.line == 11
    assert after["demo-ybj"]["name"] == "襄垣县医疗保障局（新名）"
    unchanged = {k for k in before if k != "demo-ybj"}
    assert {k: after[k] for k in unchanged} == {k: before[k] for k in unchanged}
    assert validate(mini).errors == []


@pytest.mark.slow
def test_a_wrong_code_a_missing_cell_and_an_unknown_agency_are_three_cell_errors_and_nothing_is_written(
    mini, mini_book
):
    book = openpyxl.load_workbook(mini_book)
    powers, units = book[POWER_SHEET], book[UNIT_SHEET]
    code_row = row_of(powers, "ID", "demo-power-b1")
    name_row = row_of(powers, "ID", "demo-power-b1-second")
    unit_row = row_of(units, "ID", "demo-ybj-dy")
    powers.cell(code_row, column_of(powers, "职权编码"), "3400-B-001")
    powers.cell(name_row, column_of(powers, "职权名称")).value = None
    units.cell(unit_row, column_of(units, "所属机构"), "nope-ybj")
    book.save(mini_book)
    before = snapshot(mini)

    result = import_workbook(mini, mini_book)

    assert [e.format() for e in result.errors] == [
        (
            f"科室!{letter_of(units, '所属机构')}{unit_row}: 所属机构: "
            "refers to agency 'nope-ybj', which is not in the registry"
        ),
        (
            f"职权!{letter_of(powers, '职权编码')}{code_row}: 职权编码: '3400-B-001' does not follow code scheme "
            r"sx-demo (山西省权责清单编码（示例）): expected (?P<agency>\d{4})-(?P<category>[A-Z])-(?P<item>\d{3})"
            r"(?P<subitem>\d{2})-(?P<region>\d{6})"
        ),
        f"职权!{letter_of(powers, '职权名称')}{name_row}: 职权名称: this required field is missing",
    ]
    assert (letter_of(units, "所属机构"), letter_of(powers, "职权编码"), letter_of(powers, "职权名称")) == (
        "B",
        "C",
        "G",
    )
    assert not result.ok and not result.written
    assert snapshot(mini) == before
    assert not list(mini.parent.glob(".*staging*")) and not list(mini.glob(".*"))


@pytest.mark.slow
def test_rows_that_would_be_lost_are_cell_errors(mini, mini_book):
    book = openpyxl.load_workbook(mini_book)
    materials = book["申请材料"]
    orphan = materials.max_row + 1
    set_cells(materials, orphan, {"所属ID": "demo-power-gone", "材料名称": "某材料"})
    no_parent = orphan + 1
    set_cells(materials, no_parent, {"顺序": "第一", "材料名称": "另一材料"})
    powers = book[POWER_SHEET]
    powers.cell(1, powers.max_column + 2, "备注栏")
    stray = powers.cell(3, powers.max_column + 1, "随手写的字")
    book.save(mini_book)
    before = snapshot(mini)

    result = import_workbook(mini, mini_book)
    messages = [e.format() for e in result.errors]
    assert messages == [
        f"职权!{openpyxl.utils.get_column_letter(stray.column - 1)}1: 备注栏: unknown column; "
        "the columns of this sheet are: " + "、".join(c.label for c in layout().top("powers").columns),
        f"职权!{stray.coordinate}: a value in a column without a known header; "
        "it would be lost: move it to the right column",
        (
            f"申请材料!A{orphan}: 所属ID: there is no row with the ID 'demo-power-gone' in the sheet 职权、公共服务; "
            "the row would be lost"
        ),
        f"申请材料!A{no_parent}: 所属ID: this required cell is empty: the row belongs to no record and would be lost",
    ]
    assert snapshot(mini) == before


@pytest.mark.slow
def test_the_agency_and_folder_must_fit_the_registry(mini, mini_book):
    book = openpyxl.load_workbook(mini_book)
    info = book["说明"]
    folder_row = next(r for r in range(1, 20) if info.cell(r, 1).value == "目标文件夹")
    info.cell(folder_row, 2, "elsewhere")
    book.save(mini_book)
    result = import_workbook(mini, mini_book)
    assert [e.format() for e in result.errors] == [
        f"说明!B{folder_row}: 目标文件夹: the agency demo-ybj is kept in the folder demo-bureau/, not elsewhere/"
    ]
    assert not (mini / "elsewhere").exists()

    info.cell(folder_row, 2, "../escape")
    book.save(mini_book)
    result = import_workbook(mini, mini_book)
    assert len(result.errors) == 1 and result.errors[0].cell == f"B{folder_row}"
    assert "cannot be an agency folder" in result.errors[0].message


def test_write_false_checks_without_writing(mini, mini_book):
    before = snapshot(mini)
    result = import_workbook(mini, mini_book, write=False)
    assert result.ok and not result.written
    assert mini / "demo-bureau" / "powers.yaml" in result.files
    assert snapshot(mini) == before
    assert any(f.sheet == "职权" and f.severity == "high" for f in result.findings)


def test_a_new_agency_gets_an_empty_workbook_and_its_own_folder(mini, tmp_path):
    path = write_template(mini, "140424-ybj", tmp_path / "new.xlsx")
    book = openpyxl.load_workbook(path)
    info = {row[0]: row[1] for row in book["说明"].iter_rows(values_only=True, max_col=2) if row[0]}
    assert info["机构ID"] == "140424-ybj" and info["目标文件夹"] == "140424-ybj"
    for sheet in layout().sheets:
        assert data_rows(book[sheet.name]) == [], sheet.name
    assert "demo-ybj" in [r[0] for r in data_rows(book["可引用ID"])]

    agencies = book[AGENCY_SHEET]
    set_cells(
        agencies,
        3,
        {
            "ID": "140424-ybj",
            "机构全称": "武乡县医疗保障局",
            "层级": "county",
            "行政区划代码": 140429,
            "机构类型": "government_department",
            "来源文件": "doc-mini",
            "来源位置": "标题",
            "来源行": 1,
        },
    )
    units = book[UNIT_SHEET]
    set_cells(
        units,
        3,
        {
            "ID": "140424-ybj-bgs",
            "所属机构": "140424-ybj",
            "科室名称": "办公室",
            "科室类型": "office",
            "来源文件": "doc-mini",
            "来源位置": "标题",
        },
    )
    book.save(path)
    result = import_workbook(mini, path)
    assert result.ok, [e.format() for e in result.errors]
    assert sorted(p.name for p in (mini / "140424-ybj").iterdir()) == ["agencies.yaml", "units.yaml"]
    registry = load_registry(mini)
    assert registry.get("140424-ybj").region == "140429"  # a number typed into a text column stays text
    assert registry.get("140424-ybj-bgs").agency == "140424-ybj"
    assert validate(mini).errors == []


@pytest.mark.slow
def test_template_refuses_what_it_cannot_export(seed, tmp_path):
    with pytest.raises(SpreadsheetError, match="shared folder directory/"):
        write_template(seed, "460200-sw", tmp_path / "x.xlsx")
    with pytest.raises(SpreadsheetError, match="not of an agency"):
        write_template(seed, "140423-ybj-tpl-payment", tmp_path / "x.xlsx")
    with pytest.raises(SpreadsheetError, match="not a valid agency ID"):
        write_template(seed, "Bad ID", tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()

    # shared records are referenced, not exported
    book = openpyxl.load_workbook(write_template(seed, "140423-ybj", tmp_path / "xy.xlsx"))
    references = {r[0]: r[3] for r in data_rows(book["可引用ID"])}
    assert references["shanxi-qlqd"] == "schemes" and references["140423-ybj-tpl-payment"] == "templates"
    assert "140423-ybj" not in references
    assert data_rows(book["编码规则"]) == [] and data_rows(book["流程模板"]) == []
    assert len(data_rows(book[POWER_SHEET])) == 27


# --- values that must survive the trip -----------------------------------------------------------


@pytest.mark.slow
def test_awkward_values_survive_the_round_trip(mini, tmp_path):
    edit(
        mini,
        "    name: 对骗取医疗保障基金行为的处罚\n",
        (
            "    name: 对骗取医疗保障基金行为的处罚\n"
            "    applicants: '=SUM(A1:A3)'\n"
            '    conditions: ["第一条\\n  续行", "[不是JSON", "yes", "=1+1"]\n'
            "    time_limit: '\"\"'\n"
            "    fees: ''\n"
            "    place: 'null'\n"
            '    note: "a\\n  b\\n\\nc"\n'
        ),
    )
    edit(
        mini,
        "    title: 对定点医药机构的监督检查\n",
        "    title: 对定点医药机构的监督检查\n    scope: '2019-12-31'\n    seq: '007'\n",
    )
    edit(mini, "categories: {B: 行政处罚, J: 行政检查}", "categories: {B: 行政处罚, J: 'a=b'}")
    edit(mini, "what: 初审材料}", "what: '# 初审: 材料', reconstructed: false}")
    edit(mini, "name_stated: false", "name_stated: false\n    description: '  '")
    before = dumps(mini)
    power = before["demo-power-b1"]
    assert power["time_limit"] == '""' and power["fees"] == "" and power["place"] == "null"

    path = write_template(mini, "demo-ybj", tmp_path / "awkward.xlsx")
    ws = openpyxl.load_workbook(path)[POWER_SHEET]
    row = row_of(ws, "ID", "demo-power-b1")
    cell = ws.cell(row, column_of(ws, "申请人"))
    assert (cell.value, cell.data_type) == ("=SUM(A1:A3)", "s")  # text, not a formula
    assert ws.cell(row, column_of(ws, "收费")).value == '""'  # empty text is not a blank cell
    assert ws.cell(row, column_of(ws, "办理时限")).value == '""""'

    result = import_workbook(mini, path)
    assert result.ok, [e.format() for e in result.errors]
    assert dumps(mini) == before
    text = (mini / "demo-bureau" / "supervision_rules.yaml").read_text(encoding="utf-8")
    assert "seq: '007'" in text and "scope: '2019-12-31'" in text


@pytest.mark.parametrize(
    "column_kind, value",
    [
        ("str", ""),
        ("str", '""'),
        ("str", "=1"),
        ("str", " a "),
        ("bool", False),
        ("int", 7),
        ("list", ["a\nb", "c"]),
        ("list", ["[x]"]),
        ("list", ["x", "y"]),
        ("dict", {"B": "x=y", "C": "z"}),
    ],
)
def test_cell_codec_round_trips(column_kind, value):
    sample = {
        "str": ("agencies", ("note",)),
        "bool": ("agencies", ("name_stated",)),
        "int": ("agencies", ("source", "line")),
        "list": ("powers", ("conditions",)),
        "dict": ("code_schemes", ("categories",)),
    }[column_kind]
    column = layout().top(sample[0]).column(sample[1])
    assert column.kind == column_kind
    assert decode(column, encode(column, value)) == value


@pytest.mark.slow
def test_the_whole_seed_registry_round_trips(seed, tmp_path):
    before = dumps(seed)
    original = load_registry(seed)
    folders = agency_folders(seed)
    assert len(folders) == 5
    for folder in folders:
        agency = next(e.id for e in original.entries.values() if e.kind == "agency" and e.file.parent.name == folder)
        path = write_template(seed, agency, tmp_path / f"{folder}.xlsx")
        result = import_workbook(seed, path)
        assert result.ok, (folder, [e.format() for e in result.errors[:5]])
        assert result.written
    after = dumps(seed)
    assert set(after) == set(before)
    assert [k for k in before if after[k] != before[k]] == []
    assert validate(seed).errors == []
    for shared in ("directory", "templates", "schemes", "sources"):
        assert snapshot(seed / shared) == snapshot(REGISTRY / shared)
    # both agencies of the Shanting folder came back from one workbook
    assert {"370406-ybj", "370406-ybzx"} <= set(after)

    # a second trip changes no byte: the output is stable
    written = {folder: snapshot(seed / folder) for folder in folders}
    for folder in folders:
        agency = next(e.id for e in original.entries.values() if e.kind == "agency" and e.file.parent.name == folder)
        assert import_workbook(seed, write_template(seed, agency, tmp_path / f"again-{folder}.xlsx")).ok
    assert {folder: snapshot(seed / folder) for folder in folders} == written


@pytest.mark.slow
def test_problems_outside_the_workbook_name_their_file(seed, tmp_path):
    """Deleting a document that records in a shared folder cite breaks those records too."""
    path = write_template(seed, "131100-ybj", tmp_path / "hengshui.xlsx")
    book = openpyxl.load_workbook(path)
    documents = book["源文件"]
    documents.delete_rows(row_of(documents, "ID", "doc-003"))
    book.save(path)
    before = snapshot(seed)

    result = import_workbook(seed, path)

    outside = [e for e in result.errors if e.sheet is None]
    assert len(outside) == 10  # the bodies of directory/131100.yaml that cite doc-003
    assert {e.file for e in outside} == {str(seed / "directory" / "131100.yaml")}
    assert all(
        "source.document: refers to document 'doc-003', which is not in the registry" in e.message for e in outside
    )
    assert all(e.format().startswith(f"{e.file}:{e.line}: ") for e in outside)
    inside = [e for e in result.errors if e.sheet]
    assert inside and all(e.column == "来源文件" and "doc-003" in e.message for e in inside)
    assert snapshot(seed) == before


def test_a_new_model_field_appears_without_editing_the_spreadsheet_code(monkeypatch):
    from typing import Literal

    from pydantic import BaseModel, Field

    from qingdan.models import Record

    class Step(BaseModel):
        what: str = Field(description="what is done")

    class Extra(Record):
        agency: str
        colour: Literal["red", "green"] = Field(description="colour of the card")
        tags: list[str] = Field(default_factory=list, description="free tags")
        steps: list[Step] = Field(default_factory=list, description="steps taken")

    layout.cache_clear()
    monkeypatch.setitem(RECORD_KINDS, "extras", Extra)
    try:
        lay = layout()
        sheet = lay.top("extras")
        labels = [c.label for c in sheet.columns]
        assert labels[:5] == ["ID", "所属机构", "colour of the card", "free tags", "来源文件"]
        assert sheet.column(("colour",)).dropdown == ("red", "green")
        assert sheet.column(("tags",)).kind == "list"
        child = lay.by_name("steps taken")
        assert child is not None and [c.label for c in child.columns] == ["所属ID", "顺序", "what is done"]
        assert child.parents == [sheet]
    finally:
        monkeypatch.undo()
        layout.cache_clear()
    assert layout().by_name("steps taken") is None


def test_a_file_that_is_not_a_workbook_is_refused(mini, tmp_path):
    path = tmp_path / "list.xlsx"
    path.write_text("序号,职权名称\n1,处罚\n", encoding="utf-8")
    with pytest.raises(SpreadsheetError, match="not an .xlsx workbook"):
        import_workbook(mini, path)
    with pytest.raises(SpreadsheetError, match="not a registry folder"):
        import_workbook(tmp_path / "nowhere", path)
