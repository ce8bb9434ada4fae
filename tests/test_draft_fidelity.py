"""Rules of `qingdan draft` about how bureaus print their lists, each on a minimal example (made up in the
bureaus' own wording, or cut from a real page): traditional citations, a list table that is not a guide,
headings in traditional characters, a category shared by a table, a 查询方式 that names no address, a
channel's printed words, a title repeated in full, a list cut off inside a title or at an empty serial."""

from __future__ import annotations

import shutil
from pathlib import Path

from qingdan.draft import draft
from qingdan.draft.context import Context
from qingdan.draft.draft import _title
from qingdan.draft.guide import Line, channels, contacts_of
from qingdan.draft.layouts import heading_before
from qingdan.draft.legal import split_legal_bases
from qingdan.draft.model import Extracted, Paragraph, Row, Table
from qingdan.draft.vertical import cut_off
from qingdan.validate import SHARED

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini"


def registry(tmp_path: Path) -> Path:
    target = tmp_path / "registry"
    shutil.copytree(MINI, target)
    return target


def bases(text: str) -> list[tuple]:
    return [(b.title, b.doc_number, b.article) for b in split_legal_bases(text)]


# --- citations ------------------------------------------------------------------------------------------


def test_traditional_articles_and_numbers_are_read_as_simplified_ones_are():
    assert bases("《醫療保障基金使用監督管理條例》第十四條、第三十九條。") == [
        ("醫療保障基金使用監督管理條例", None, "第十四條"),
        ("醫療保障基金使用監督管理條例", None, "第三十九條"),
    ]
    assert bases("《國家醫保局財政部關於做好異地就醫直接結算工作的通知》（醫保發〔2022〕22號）") == [
        ("國家醫保局財政部關於做好異地就醫直接結算工作的通知", "醫保發〔2022〕22號", None)
    ]
    got = bases("《社會保險法》第八十七、八十八條")
    assert got == [("社會保險法", None, "第八十七條"), ("社會保險法", None, "第八十八條")]


def test_a_number_printed_after_the_title_without_brackets():
    assert bases("《中华人民共和国社会保险法》主席令第三十五号 职工应当参加职工基本医疗保险") == [
        ("中华人民共和国社会保险法", "主席令第三十五号", None)
    ]
    # words after the title that are not a number stay out of it
    assert bases("《中华人民共和国社会保险法》第八十七条") == [("中华人民共和国社会保险法", None, "第八十七条")]


def test_a_title_cut_off_before_its_closing_bracket():
    (basis,) = split_legal_bases("《中华人民共和国社")
    assert (basis.title, basis.raw) == ("中华人民共和国社", "《中华人民共和国社")


# --- a list table is not a guide ------------------------------------------------------------------------

# the shape of a 抽查事项清单 as a mirror copies it: its columns (检查对象, 检查方式, 检查依据 …) are also
# elements of a guide, so its rows once read as a guide's label/value pairs as well
REGULATION = "《醫療保障基金使用監督管理條例》"
BUREAU = "某市醫療保障局"
INSPECTIONS = "\n".join(
    [
        "序號 | 抽查事項 | 檢查對象 | 事項類別 | 檢查方式 | 檢查主體 | 檢查依據 |",
        f"1 | 定點醫療機構的檢查 | 定點醫療機構 | 一般檢查事項 | 現場檢查 | {BUREAU} | {REGULATION}第十四條 |",
        f"2 | 定點零售藥店的檢查 | 定點零售藥店 | 重點檢查事項 | 網絡檢查 | {BUREAU} | {REGULATION}第十五條 |",
        "3 | 用人單位遵守醫療保障法律情況 | 用人單位 | | 書面檢查 | 某市醫療保障局 | 《社會保險法》第七十九條 |",
    ]
)


def test_a_list_table_is_read_once_as_a_list_and_a_cut_category_takes_the_tables(tmp_path):
    source = tmp_path / "ccsx.txt"
    source.write_text(INSPECTIONS + "\n", encoding="utf-8")
    result = draft(source, "440100-x", registry(tmp_path), name="某市醫療保障局", dry_run=True)
    assert not result.records.get("services")  # no guide read out of the list's rows
    powers = result.records["powers"]
    assert [p.category for p in powers] == ["行政检查"] * 3
    # the third row's category cell is empty: the table's other rows say 行政检查, flagged for review
    assert any(f.field == "category" and f.problem == "ambiguous" for f in powers[2].review)
    assert powers[0].legal_bases[0].article == "第十四條"


def test_a_row_with_no_category_in_a_table_of_several_kinds_stays_unknown(tmp_path):
    mixed = INSPECTIONS.replace("一般檢查事項", "行政處罰")
    source = tmp_path / "mixed.txt"
    source.write_text(mixed + "\n", encoding="utf-8")
    powers = draft(source, "440100-x", registry(tmp_path), name="某市醫療保障局", dry_run=True).records["powers"]
    assert powers[2].category == "其他行政权力"


# --- headings and titles --------------------------------------------------------------------------------


class _Layout:
    titles: list = []


def test_a_heading_in_traditional_characters_is_a_heading():
    table = Table([Row(["序號", "違法行爲"], "r1")], "t1")
    blocks = [Paragraph("不予處罰清單", "p1"), Paragraph("單位:某市醫療保障局", "p2"), table]
    assert heading_before(blocks, 2, _Layout()) == "不予處罰清單"
    assert heading_before([Paragraph("發佈日期: 2025-06-04", "p1"), table], 1, _Layout()) == ""


def test_a_title_repeated_in_full_with_its_place():
    lines = ["医疗保障局行政检查事项", "2025-07-07", "河南/济源 招标采购", "济源市医疗保障局行政检查事项", "序号"]
    extracted = Extracted([Paragraph(t, f"p{i}") for i, t in enumerate(lines)], "\n".join(lines))
    assert _title(extracted) == "济源市医疗保障局行政检查事项"
    # a longer line that adds more than a place is not the same title
    lines = ["医疗保障局行政检查事项", "关于公布医疗保障局行政检查事项"]
    extracted = Extracted([Paragraph(t, f"p{i}") for i, t in enumerate(lines)], "\n".join(lines))
    assert _title(extracted) == "医疗保障局行政检查事项"


# --- a guide's channels and contacts --------------------------------------------------------------------


def test_channels_keep_their_printed_words_unless_a_place_shares_the_verb():
    got = [(c.kind, c.detail) for c in channels([Line("窗口、网上办理", 1)])]
    assert got == [("window", "窗口"), ("online", "网上办理")]
    got = [(c.kind, c.detail) for c in channels([Line("峄城区市民服务中心或山东政务服务网办理", 1)])]
    assert got == [("window", "峄城区市民服务中心"), ("online", "山东政务服务网")]


def test_a_query_column_naming_no_address_is_kept_in_the_note(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["某市医疗保障经办政务服务事项清单"])
    sheet.append(["主项", "子项序号", "子项", "服务对象", "办理渠道", "办理时限", "查询方式", "评价渠道"])
    main = "基本医疗保险参保和变更登记"
    sheet.append([main, "1", "单位参保登记", "参保单位", "窗口办理", "5个工作日", "经办窗口", "评价器"])
    sheet.append([main, "2", "职工参保登记", "参保单位", "窗口", "即时办结", "0311-1234567", "评价器"])
    source = tmp_path / "list.xlsx"
    book.save(source)
    result = draft(source, "130000-x", registry(tmp_path), name="某市医疗保障局", dry_run=True)
    first, second = result.records["services"]
    assert [(c.kind, c.value) for c in first.contacts] == [("rating", "评价器")]
    assert "经办窗口" in (first.note or "")
    assert [p.number for p in second.phones] == ["0311-1234567"]
    assert "查询方式" not in result.mapped  # kept as a note in one row, so never listed as mapped
    _, found = contacts_of([Line("经办窗口", 1)], "service")
    assert [c.kind for c in found] == ["other"]


# --- a list cut off -------------------------------------------------------------------------------------


def _cut(cells: list[str], others: list[list[str]] | None = None) -> bool:
    ctx = Context("x", "某局", "doc-x", [])
    header = ["序号", "事项名称", "法律依据", "备注"]
    rows = [Row(c, f"序号{i}") for i, c in enumerate([*(others or []), cells], 1)]
    return cut_off(header, rows, "", ctx)


def test_a_last_record_stopping_inside_a_title_or_at_an_empty_serial_is_cut_off():
    done = ["1", "对…的处罚", "《中华人民共和国社会保险法》第八十七条", "与人社局共同承担"]
    assert _cut(["2", "对…的封存", "《中华人民共和国社"], [done])
    assert _cut(["1", "违规报销医保基金", "()已满十四周岁的未成年人实施违法行为的;()主动消除危害后果的;()"])
    assert not _cut(["2", "对…的封存", "《中华人民共和国社会保险法》"], [done])
    assert not _cut(["2", "对…的封存", "（一）"], [done])  # a cell that is only a serial: nothing to say it stopped


def test_a_remark_saying_a_joint_check_is_a_shared_responsibility():
    assert SHARED.search("与其它部门联合开展抽查")
    assert SHARED.search("与人社局共同承担,我局只负责医疗保障部分")
    assert not SHARED.search("开展抽查")


def test_traditional_kind_tags_separate_citations_and_names_say_their_category():
    from qingdan.draft.tables import power_category

    got = bases("【法律】《中華人民共和國社會保險法》第八十七條【行政法規】《醫療保障基金使用監督管理條例》第四十條")
    assert got == [
        ("中華人民共和國社會保險法", None, "第八十七條"),
        ("醫療保障基金使用監督管理條例", None, "第四十條"),
    ]
    assert power_category("", None, "對騙取醫療保障基金的處罰") == "行政处罚"
