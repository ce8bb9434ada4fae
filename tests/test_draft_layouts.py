"""`qingdan draft` layouts beyond one grid: vertical forms, flattened web tables, flowchart documents and
notices around a list. Each text below is a real published document (its address in a comment), cut to a
few records; the records are checked field by field, and each file is read by one layout only."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest

from qingdan.draft import draft
from qingdan.draft.context import Context
from qingdan.draft.flattened import read_flattened, split_record
from qingdan.draft.flowdoc import out_of_order, read_flowcharts
from qingdan.draft.layouts import LAYOUTS, grid_tables
from qingdan.draft.model import Extracted, Paragraph, Row, Table, render
from qingdan.draft.notice import document_facts
from qingdan.draft.read_docx import read_docx
from qingdan.draft.read_text import read_text
from qingdan.draft.vertical import is_label_table, paragraph_forms, table_forms

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini"


def text_file(tmp_path: Path, text: str, name: str = "list.txt") -> Extracted:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_text(path, path.read_bytes())


def context(agency: str = "500238-wx", name: str = "巫溪县医疗保障局") -> Context:
    return Context(agency, name, f"doc-{agency}", [])


def readers_that_read(extracted: Extracted, title: str) -> list[str]:
    """The layouts that find records in a file (each on a fresh context)."""
    return [reader.name for reader in LAYOUTS if any(items for _, items in reader.read(extracted, title, context()))]


# --- (b) a web table flattened into text -------------------------------------------------------------

# http://cqwx.gov.cn/bm/xybj/zwgk_68174/zfxxgkml/qzqd/xzqlsxjqd/qlqd/202504/t20250402_14476711.html
# (the stored copy of the page stops inside the 8th 追责情形 item)
WUXI = "\n".join(
    [
        "巫溪县医疗保障局行政权力事项清单",
        "日期:2025-04-02",
        "序号 实施部门 事项名称 事项类型 设定依据 行使层级 指导部门 追责情形 追责依据",
        (
            "1177 县人力社保局/县医保局 对具有《重庆市骗取社会保险基金处理办法》第十五条所列行为的处罚 行"
            "政处罚 《重庆市骗取社会保险基金处理办法》(渝府令第231号)第十五条 有下列行为之一的,由人力资源"
            "和社会保障行政部门责令限期改正;对有第(一)项、第(二)项、第(三)项规定情形的,个人处500元以上"
            "1000元以下的罚款、单位处2000元以上20000元以下的罚款:(一)无理抗拒、阻挠人力资源和社会"
            "保障行政部门或者社会保险经办机构查处骗取社会保险基金行为的;(二)不按照人力资源和社会保障行政部门或"
            "者社会保险经办机构的要求提供相关材料,隐瞒事实真相,隐匿、篡改、伪造有关资料或者毁灭有关证据的;(三"
            ")其他阻碍人力资源和社会保障行政部门或者社会保险经办机构依法查处骗取社会保险基金行为的。(四)打击报"
            "复举报人的。 市级、区县级 市人力社保局/市医保局 因不履行或者不正确履行行政职责,有下列情形的,行"
            "政机关及相关工作人员应承担相应责任:"
        ),
        "1. 不依法处理举报、投诉,造成严重后果的;",
        "2. 不按规定程序调查处理劳动保障监察案件,造成严重后果的;",
        "7. 违反法定的行政处罚程序的;",
        "8. 行政机关",
        "",
    ]
)


def test_flattened_table_cells_recovered_from_the_header_and_value_shapes(tmp_path):
    ctx = context()
    ((kind, powers),) = read_flattened(text_file(tmp_path, WUXI), "巫溪县医疗保障局行政权力事项清单", ctx)
    assert kind == "powers" and len(powers) == 1
    power = powers[0]
    assert power.name == "对具有《重庆市骗取社会保险基金处理办法》第十五条所列行为的处罚"
    assert (power.category, power.category_raw) == ("行政处罚", "行政处罚")
    assert power.implementer == "县人力社保局/县医保局"
    (basis,) = power.legal_bases
    assert (basis.title, basis.doc_number) == ("重庆市骗取社会保险基金处理办法", "渝府令第231号")
    assert basis.article == "第十五条"
    assert basis.raw.endswith("(四)打击报复举报人的")
    assert power.levels_raw == "市级、区县级"
    assert power.note.startswith("源文件中未对应字段的栏目——指导部门：市人力社保局/市医保局；")
    assert "追责情形：因不履行或者不正确履行行政职责" in power.note and power.note.endswith("8. 行政机关")
    assert power.source.line == 4 and power.source.locator == "巫溪县医疗保障局行政权力事项清单 序号1177"
    assert [f.problem for f in power.review] == ["draft"]  # every boundary was certain
    (defect,) = ctx.defects  # the copy stops inside 追责情形
    assert defect.kind == "truncated" and "追责情形" in defect.description and defect.line == 4
    assert "指导部门" in ctx.unmapped and {"事项类型", "行使层级"} <= ctx.mapped
    assert readers_that_read(text_file(tmp_path, WUXI), "") == ["网页表格转成的文字（表头一行，各条以空格分隔）"]


# http://www.cocodala.gov.cn/html/2746/2025-05-13/content-88196.html (its table as a browser's text copy)
COCODALA = "\n".join(
    [
        "第四师可克达拉市医疗保障局行政执法事项清单",
        "序号 执法主体 事项名称 类型 法律依据 专业类别 备注",
        (
            "1 医保局 对用人单位未按时足额缴纳社会保险费限期缴纳、加收滞纳金 行政强制 《实施〈中华人民共和国"
            "社会保险法〉若干规定》(中华人民共和国人力资源和社会保障部令 第13号) 第二十条 职工应当缴纳的社"
            "会保险费由用人单位代扣代缴。 医疗保障 与人社局共同承担,我局只负责医疗保障部分"
        ),
        (
            "2 医保局 对逾期仍未缴纳或者补足社会保险费的用人单位划拨社会保险费 行政强制 《中华人民共和国社会"
            "保险法》(主席令第35号) 第六十三条 用人单位未按时足额缴纳社会保险费的,由社会保险费征收机构责令"
            "其限期缴纳或者补足。 医疗保障 与人社局共同承担,我局只负责医疗保障部分"
        ),
        "",
    ]
)


def test_flattened_uncertain_split_is_flagged_with_the_field_and_the_run(tmp_path):
    ctx = context("654004-kkdl", "第四师可克达拉市医疗保障局")
    ((kind, powers),) = read_flattened(text_file(tmp_path, COCODALA), "", ctx)
    assert kind == "powers" and [p.name for p in powers] == [
        "对用人单位未按时足额缴纳社会保险费限期缴纳、加收滞纳金",
        "对逾期仍未缴纳或者补足社会保险费的用人单位划拨社会保险费",
    ]
    assert [p.category for p in powers] == ["行政强制", "行政强制"]
    assert [p.implementer for p in powers] == ["医保局", "医保局"]
    assert powers[0].legal_bases[0].title == "实施〈中华人民共和国社会保险法〉若干规定"
    assert powers[1].legal_bases[0].title == "中华人民共和国社会保险法"
    assert powers[1].legal_bases[0].doc_number == "主席令第35号"
    assert [p.remark for p in powers] == ["与人社局共同承担,我局只负责医疗保障部分"] * 2
    assert [p.note for p in powers] == ["源文件中未对应字段的栏目——专业类别：医疗保障"] * 2
    # the quoted article and 专业类别 are both free text: the article could end a word later or earlier
    (flag,) = [f for f in powers[0].review if f.problem == "ambiguous"]
    assert flag.field == "legal_bases" and flag.raw == COCODALA.split("\n")[2]
    assert "“法律依据”与“专业类别”" in flag.explanation
    assert ctx.defects == []  # a 备注 without a full stop in every record is no sign of a cut


def test_split_record_prefers_the_shapes_and_reports_ties():
    cells, uncertain = split_record(
        "12 县医保局 对定点医药机构的检查 行政检查 《医疗保障基金使用监督管理条例》第二十七条 区县级",
        ["seq", "agency", "free", "category", "legal", "levels"],
        [False, False, True, False, False, False],
    )
    assert cells == [
        "12",
        "县医保局",
        "对定点医药机构的检查",
        "行政检查",
        "《医疗保障基金使用监督管理条例》第二十七条",
        "区县级",
    ]
    assert uncertain == []
    _, uncertain = split_record("1 对A的检查 说明一 说明二", ["seq", "free", "free"], [False, True, False])
    assert uncertain == [2]


def test_flattened_header_needs_column_names():
    lines = ["这是 一段 普通 的 文字", "序号 名称"]
    extracted = render([Paragraph(text, f"第{i}行") for i, text in enumerate(lines, start=1)])
    assert read_flattened(extracted, "", context()) == []


# https://www.zhongcaigou.com/searchDetail/1755518512696-47756.html (济源市医疗保障局行政检查事项 as republished:
# the cells run together with no space at all, 序号 masked as *, years as (****); the copy stops in the 4th record)
JIYUAN = "\n".join(
    [
        "济源市医疗保障局行政检查事项",
        "序号事项名称责任科室是否涉企执法类型实施依据",
        (
            "*对定点医疗机构的协议履行情况、医疗保障基金使用情况、医疗服务行为、购买涉及医疗保障基金使用的第三方"
            "服务等进行监督基金监管科行政检查《医疗机构医疗保障定点管理暂行办法(****)》第四十七条第二款  "
            "  医疗保障行政部门依法依规通过实地检查、抽查、智能监控、大数据分析等方式对定点医疗机构的协议履行情"
            "况、医疗保障基金使用情况、医疗服务行为、购买涉及医疗保障基金使用的第三方服务等进行监督。"
        ),
        (
            "*对定点零售药店的医保协议履行情况、医疗保障基金使用情况、药品服务等进行监督基金监管科行政检查《零售"
            "药店医疗保障定点管理暂行办法(****)》第四十三条第二款    医疗保障行政部门依法依规通过实地检"
            "查、抽查、智能监控、大数据分析等方式对定点零售药店的医保协议履行情况、医疗保障基金使用情况、药品服务"
            "等进行监督。"
        ),
        (
            "*对生育保险费的征缴和生育保险基金的管理使用情况进行监督检查基金监管科行政检查《河南省职工生育保险办"
            "法(****)》第十条第一款     劳动保障行政部门依法对生育保险费的征缴和生育保险基金的管理使用"
            "情况进行监督检查。"
        ),
        (
            "*县级以上人民政府医疗保障主管部门应当提高医疗保障监管能力和水平,对纳入基本医疗保险基金支付范围的医"
            "疗服务行为和医疗费用加强监督管理,确保基本医疗保险基金合理使用、安全可控。基金监管科行政检查《中华人"
            "民共和国基本医疗卫生与健康促进法(****)》第八十七条    县级以上人民政府医疗保障主"
        ),
        "",
    ]
)


def test_flattened_run_together_header_and_records(tmp_path):
    ctx = context("419001-jy", "济源市医疗保障局")
    ((kind, powers),) = read_flattened(text_file(tmp_path, JIYUAN), "", ctx)
    assert kind == "powers" and len(powers) == 4
    assert powers[0].name == (
        "对定点医疗机构的协议履行情况、医疗保障基金使用情况、医疗服务行为、购买涉及医疗保障基金使用的第三方服务等进行监督"
    )
    assert powers[3].name.endswith("确保基本医疗保险基金合理使用、安全可控")  # its full stop is not part of it
    assert [[h.raw for h in p.handling] for p in powers] == [["基金监管科"]] * 4  # the ending all records share
    assert [(p.category, p.category_raw) for p in powers] == [("行政检查", "行政检查")] * 4
    bases = [(p.legal_bases[0].title, p.legal_bases[0].article) for p in powers]
    assert bases == [
        ("医疗机构医疗保障定点管理暂行办法(****)", "第四十七条第二款"),
        ("零售药店医疗保障定点管理暂行办法(****)", "第四十三条第二款"),
        ("河南省职工生育保险办法(****)", "第十条第一款"),
        ("中华人民共和国基本医疗卫生与健康促进法(****)", "第八十七条"),
    ]
    assert all(f.problem == "draft" for p in powers for f in p.review)  # four records agree on the unit
    assert ctx.unmapped == {"是否涉企"} and {"序号", "事项名称", "责任科室", "执法类型", "实施依据"} <= ctx.mapped
    (defect,) = ctx.defects
    assert defect.kind == "truncated" and defect.description.endswith("县级以上人民政府医疗保障主")


def test_flattened_run_together_unit_from_two_records_is_flagged(tmp_path):
    text = "\n".join(JIYUAN.split("\n")[:4]) + "\n"
    ((_, powers),) = read_flattened(text_file(tmp_path, text), "", context("419001-jy", "济源市医疗保障局"))
    # both records end 服务等进行监督基金监管科: the unit is taken as far as they agree, and flagged for review
    assert [[h.raw for h in p.handling] for p in powers] == [["服务等进行监督基金监管科"]] * 2
    assert all(any(f.problem == "ambiguous" and f.field == "handling" for f in p.review) for p in powers)


# http://www.cqnc.gov.cn/qzfbm_197/ybj/zwgk_54033/fdzdgknr_54035/zkly_54042/202601/t20260115_15322771.html
# (the stored copy stops inside the second article of 设定依据; the columns after it never come)
NANCHUAN_ROW = [
    "1",
    "医疗保障",
    "违法违规使用医保基金的处罚",
    "《医疗保障基金使用监督管理条例》第三十九条定点医药机构有下列情形之一的,由医疗保障行政部门责令改正,"
    "并可以约谈有关负责人;拒不改正的,处1万元以上5万元以下的罚款;违反其他法律、行政法规的,由有关主管",
]


def test_grid_last_row_stopping_mid_sentence_is_a_defect():
    header = ["序号", "监管领域", "违法事项", "设定依据", "适用情形", "不予行政处罚依据", "配套监管措施"]
    table = Table([Row(header, "表1 第1行", 10), Row(NANCHUAN_ROW, "表1 第2行", 11)], "表1")
    ctx = context("500119-nc", "重庆市南川区医疗保障局")
    heading = Paragraph("一、应当不予行政处罚事项清单", "段落")
    ((kind, records),) = grid_tables(Extracted([heading, table], ""), "", ctx)
    assert kind == "powers" and records[0].name == "违法违规使用医保基金的处罚"
    (defect,) = ctx.defects
    assert defect.kind == "truncated" and defect.line == 11
    assert defect.locator == "一、应当不予行政处罚事项清单 表1 第2行 设定依据"
    complete = [*NANCHUAN_ROW[:3], "《医疗保障基金使用监督管理条例》第三十九条", "无", "无", "无"]
    ctx = context("500119-nc", "重庆市南川区医疗保障局")
    table = Table([Row(header, "表1 第1行", 10), Row(complete, "表1 第2行", 11)], "表1")
    grid_tables(Extracted([heading, table], ""), "", ctx)
    assert ctx.defects == []


# --- (a) vertical forms ------------------------------------------------------------------------------

# https://bdocx.com/doc/25418948.html (行政权力责任事项梳理表: label lines and value lines; 审核 / 转报 is one
# label broken over two lines that the vocabulary does not know)
GUOTU = """行政权力责任事项梳理表
职权名称
1、伪造、变造、转让地质勘查资质证书的处罚
职权类型
行政处罚
审核
转报
否
职权编码
法定主体
国土资源局
责任事项
一般程序:
1.立案责任:
通过举报、巡查,发现涉嫌伪造、变造、转让地质勘查资质证书的违法行为,予以审查。
职权名称
2、不按规定办理地质勘查资质证书变更手续的处罚
职权类型
行政处罚
审核
转报
否
职权编码
法定主体
国土资源局
责任事项
一般程序:
1.立案责任:
通过举报、巡查,发现不按规定办理地质勘查资质证书变更手续的违法行为,予以审查。
"""


GUOTU_NAMES = ["伪造、变造、转让地质勘查资质证书的处罚", "不按规定办理地质勘查资质证书变更手续的处罚"]


def test_vertical_label_lines_one_record_per_block(tmp_path):
    ctx = context("gt-zrsx", "国土资源局")
    extracted = text_file(tmp_path, GUOTU)
    ((kind, powers),) = paragraph_forms(extracted, "行政权力责任事项梳理表", ctx)
    assert kind == "powers"
    assert [p.name for p in powers] == GUOTU_NAMES
    assert [(p.category, p.category_raw, p.implementer, p.code) for p in powers] == [
        ("行政处罚", "行政处罚", "国土资源局", None)
    ] * 2
    assert powers[0].note == (
        "源文件中未对应字段的栏目——审核转报：否；责任事项：一般程序:\n1.立案责任:\n"
        "通过举报、巡查,发现涉嫌伪造、变造、转让地质勘查资质证书的违法行为,予以审查。"
    )
    assert [p.source.line for p in powers] == [2, 16]
    assert powers[1].source.locator == "行政权力责任事项梳理表 第2项"
    assert ctx.mapped == {"职权名称", "职权类型", "职权编码", "法定主体"}
    assert ctx.unmapped == {"审核转报", "责任事项"}
    assert readers_that_read(extracted, "行政权力责任事项梳理表") == ["竖排表单（栏目名一行、内容一行，逐条重复）"]


def test_vertical_label_broken_over_two_lines(tmp_path):
    # the same form (https://bdocx.com/doc/25418948.html) as a narrow page prints it: 职权 / 名称 on two lines
    text = GUOTU.replace("职权名称\n", "职权\n名称\n").replace("法定主体\n", "法定\n主体\n")
    ((_, powers),) = paragraph_forms(text_file(tmp_path, text), "行政权力责任事项梳理表", context())
    assert [p.name for p in powers] == GUOTU_NAMES
    assert [p.implementer for p in powers] == ["国土资源局", "国土资源局"]


def guotu_docx(path: Path) -> Path:
    """The same form as the bureau's Word table: label | value | label | value, merged cells across."""
    document = docx.Document()
    document.add_paragraph("行政权力责任事项梳理表")
    table = document.add_table(rows=4, cols=4)
    rows = [
        ("职权名称", "1、伪造、变造、转让地质勘查资质证书的处罚", None, None),
        ("职权类型", "行政处罚", "审核\n转报", "否"),
        ("职权编码", "", "法定主体", "国土资源局"),
        ("责任事项", "一般程序:\n1.立案责任:\n" + GUOTU.split("\n")[14], None, None),
    ]
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            if text is not None:
                table.cell(r, c).text = text
        if cells[2] is None:
            table.cell(r, 1).merge(table.cell(r, 3))
            table.cell(r, 1).text = cells[1]
    document.save(path)
    return path


def test_vertical_label_table_is_a_form_not_a_grid(tmp_path):
    path = guotu_docx(tmp_path / "form.docx")
    extracted = read_docx(path, path.read_bytes())
    (table,) = extracted.tables
    assert is_label_table(table)
    assert grid_tables(extracted, "行政权力责任事项梳理表", context()) == []  # the 职权编码 row is no header
    ((kind, powers),) = table_forms(extracted, "行政权力责任事项梳理表", context("gt-zrsx", "国土资源局"))
    (power,) = powers
    assert kind == "powers" and power.name == "伪造、变造、转让地质勘查资质证书的处罚"
    assert (power.category, power.implementer, power.code) == ("行政处罚", "国土资源局", None)
    assert power.note.startswith("源文件中未对应字段的栏目——审核转报：否；责任事项：一般程序:")
    assert power.source.locator == "行政权力责任事项梳理表 表1 第1项" and power.source.line == table.rows[0].line
    assert readers_that_read(extracted, "行政权力责任事项梳理表") == ["标签—内容表格（首列为栏目名）"]


def test_a_grid_is_not_a_label_table():
    rows = [
        ["序号", "事项名称", "事项类型", "设定依据"],
        ["1", "对A的处罚", "行政处罚", "《某法》第一条"],
        ["2", "对B的检查", "行政检查", "《某法》第二条"],
    ]
    assert not is_label_table(Table([Row(r, f"第{i}行") for i, r in enumerate(rows)], "表1"))


# --- (c) 行政职权运行流程图 ----------------------------------------------------------------------------

# registry/sources/004_c1cf65d724724f9f.txt lines 497-558: 襄垣县医疗保障局 行政职权运行流程图 (the project's
# seed document, transcribed by hand in registry/140423-xiangyuan-ybj/), one 行政处罚 chart
XIANGYUAN = (ROOT / "registry" / "sources" / "004_c1cf65d724724f9f.txt").read_text(encoding="utf-8")


def xiangyuan(first: int, last: int) -> str:
    return "\n".join(XIANGYUAN.split("\n")[first - 1 : last]) + "\n"


def test_flowchart_power_with_its_steps_units_and_phones(tmp_path):
    ctx = context("140423-xy", "襄垣县医疗保障局")
    found = dict(read_flowcharts(text_file(tmp_path, xiangyuan(497, 558)), "行政职权运行流程图", ctx))
    (power,) = found["powers"]
    assert power.code == "3400-B-00100-140423"
    assert (power.category, power.category_raw) == ("行政处罚", "行政处罚类")
    assert power.name == "隐匿、转移、侵占、挪用社会保险基金或违法进行违规投资运营等行为的处罚"
    assert power.source.locator == "行政职权运行流程图 职权编码 3400-B-00100-140423"
    (process,) = power.processes
    assert process.name == "行政职权运行流程图" and process.channel == "other"
    assert process.steps[:4] == ["立案", "调查取证", "（2人以上）", "审查"]
    assert "申辩" in process.steps and "送达" in process.steps  # 申 辩, 送 达: the spaces inside a box closed up
    assert [(h.raw, h.steps) for h in power.handling] == [
        ("基金监管股（立案）", ["立案"]),
        ("基金监管股（调查取证）", ["调查取证"]),
        ("基金监管股（审查）", ["审查"]),
        ("基金监管科处罚前告知）", []),
        ("医疗保障局负责人（决定）", ["决定"]),
        ("基金监管股送达）", []),
        ("医疗保障局（申请执行）", ["申请执行"]),
    ]
    assert [(p.number, p.kind) for p in power.phones] == [("0355-7222186", "service"), ("0355-7222186", "supervision")]
    flags = {(f.field, f.problem) for f in power.review}
    assert ("processes", "ambiguous") in flags  # 登记保全（7日内决定） read before 告知 and 决定: order not certain
    assert [f.raw for f in power.review if f.field == "handling"] == ["基金监管科处罚前告知）", "基金监管股送达）"]
    (flow,) = found["flows"]  # its boxes as nodes, in reading order; the arrows are lost, so no edges
    assert power.flow == flow.id and flow.nodes[0].label and flow.edges == []
    # its 职权编码/职权名称/承办机构 lines are no vertical form, its boxes no guide
    assert readers_that_read(text_file(tmp_path, xiangyuan(497, 558)), "") == [
        "行政职权运行流程图（职权名称、流程、承办机构、电话）"
    ]


def test_flowchart_name_glued_to_its_conditions_and_materials(tmp_path):
    ctx = context("140423-xy", "襄垣县医疗保障局")
    found = dict(read_flowcharts(text_file(tmp_path, xiangyuan(1, 101)), "行政职权运行流程图", ctx))
    first, second = found["powers"]
    assert first.name == "基本医疗保险待遇的支付" and first.code == "3400-G-00100-140423"
    glued = next(f for f in first.review if f.problem == "ambiguous" and f.field == "name")
    assert glued.raw.startswith("基本医疗保险待遇的支付条件：一、统筹区内参保人员")
    assert first.processes[0].steps == ["申请", "受理", "说明理由", "给付", "办结", "不予给付"]
    assert "不符合条件" in first.note  # an arrow's label, not a box
    assert [h.raw for h in first.handling] == ["医药服务管理股"]
    assert second.name == "生育保险津贴、生育医疗费和产前检查费支付"
    assert [m.name for m in second.materials][:2] == ["社保卡复印件（或有效身份证件和银行卡）", "医院结算单据"]
    assert [(p.number, p.kind) for p in second.phones] == [("0355-7794580", "service"), ("0355-7794580", "supervision")]


def test_procedure_order():
    assert not out_of_order(["申请", "受理", "审查", "决定", "送达", "办结"])
    assert out_of_order(["立案", "送达", "调查取证", "决定"])
    assert not out_of_order(["案件来源", "说明理由", "立案"])  # boxes of no known stage do not count


# https://m.zixin.com.cn/docdown/3377286.html (黄骅市司法局行政执法权操作流程图: the boxes, then each step with its
# units (科室); the wording as the copy has it: 惩罚 for 处罚, 旳 for 的)
HUANGHUA = """黄骅市司法局行政执法权操作流程图
案件来源
立案
执法人员填写立案审批表,并按程序报批
调查取证
2名及以上执法人员进行检查,出示执法证件,依法搜集整顿证据材料
确定惩罚意见
惩罚告知
依法制作并送达行政惩罚告知书
送达
执行
结案归档
立案(科室:业务科、法律援助中心、基层科)
调查取证(科室:业务科、法律援助中心、基层科、政治处)
听证(科室:业务科、法律援助中心、基层科、政治处)
决定(科室:业务科、法律援助中心、基层科、政治处)
执行(科室:业务科、法律援助中心、基层科)
"""


def test_flowchart_without_a_power_name_is_a_flow_of_steps_and_units(tmp_path):
    ctx = context("130983-hh", "黄骅市司法局")
    found = dict(read_flowcharts(text_file(tmp_path, HUANGHUA), "", ctx))
    assert "powers" not in found  # the chart names no power
    (flow,) = found["flows"]
    assert flow.title == "黄骅市司法局行政执法权操作流程图" and flow.availability == "full" and flow.edges == []
    assert [(n.label, n.unit_raw) for n in flow.nodes] == [
        ("立案", "业务科、法律援助中心、基层科"),
        ("调查取证", "业务科、法律援助中心、基层科、政治处"),
        ("听证", "业务科、法律援助中心、基层科、政治处"),
        ("决定", "业务科、法律援助中心、基层科、政治处"),
        ("执行", "业务科、法律援助中心、基层科"),
    ]
    assert flow.source.line == 1


def test_flowchart_power_links_its_flow(tmp_path):
    ctx = context("140423-xy", "襄垣县医疗保障局")
    found = dict(read_flowcharts(text_file(tmp_path, xiangyuan(1, 52)), "行政职权运行流程图", ctx))
    (power,), (flow,) = found["powers"], found["flows"]
    assert power.flow == flow.id and [n.label for n in flow.nodes] == power.processes[0].steps
    assert flow.title == "行政职权运行流程图：基本医疗保险待遇的支付"  # as registry/140423-xiangyuan-ybj/flows.yaml
    assert any(f.field == "nodes" and f.problem == "ambiguous" for f in flow.review)


@pytest.mark.slow
def test_flowchart_drafted_end_to_end(tmp_path):
    registry = tmp_path / "registry"
    shutil.copytree(MINI, registry)
    source = tmp_path / "huanghua.txt"
    source.write_text(HUANGHUA, encoding="utf-8")
    result = draft(source, "130983-hh", registry, name="黄骅市司法局")
    assert list(result.records) == ["flows"] and result.document.kind == "行政职权运行流程图"
    assert (registry / "130983-hh" / "flows.yaml").is_file()


# --- (d) a notice around the list --------------------------------------------------------------------

# http://law637.infoeach.com/view-NjM3fDk4OTI3.html (威海市人民政府关于印发《威海市实施行政许可若干规定》的通知)
WEIHAI = """威海市人民政府关于印发《威海市实施行政许可若干规定》的通知
威政发〔2006〕11号
各市、区人民政府,高技术产业开发区、经济技术开发区管委会,市政府各部门、单位:
《威海市实施行政许可若干规定》已经市政府同意,现印发给你们,望认真贯彻执行。
威海市人民政府
二○○六年一月二十三日
威海市实施行政许可若干规定
"""

# http://sdzhian.com/art/2022/3/23/art_48773_3895342.html (the title over three lines, traditional characters)
JIANGXI = """江西省醫療保障局辦公室
關于印發《江西省醫療保障局行政
規范性文件合法性審核及備案管理辦法》的通知
贛醫保辦字〔2022〕8號
局機關各處室、局屬各單位:
《江西省醫療保障局行政規范性文件合法性審核及備案管理辦法》經第1次局長辦公會審議通過,現印發給你們,請遵照執行。
江西省醫療保障局辦公室
2022年3月23日
(此件主動公開)
"""


def test_notice_facts_from_the_number_signature_and_date(tmp_path):
    assert document_facts(text_file(tmp_path, WEIHAI)) == {
        "doc_number": "威政发〔2006〕11号",
        "date": "2006-01-23",
        "issuer": "威海市人民政府",
    }
    assert document_facts(text_file(tmp_path, JIANGXI, "jx.txt")) == {
        "doc_number": "贛醫保辦字〔2022〕8號",  # as printed, traditional characters kept
        "date": "2022-03-23",
        "issuer": "江西省醫療保障局辦公室",
    }


# http://www.cqnc.gov.cn/qzfbm_197/ybj/zwgk_54033/fdzdgknr_54035/zkly_54042/202601/t20260115_15322771.html
def test_notice_facts_from_a_page_info_table():
    info = Table(
        [
            Row(["[ 索引号 ]", "11500384MB193805X5/2026-00003", "[ 发文字号 ]", ""], "表1 第1行"),
            Row(["[ 主题分类 ]", "社会保障", "[ 体裁分类 ]", "公告公示"], "表1 第2行"),
            Row(["[ 发布机构 ]", "南川区医保局", "", ""], "表1 第3行"),
            Row(["[ 成文日期 ]", "2026-01-15", "[ 发布日期 ]", "2026-01-16"], "表1 第4行"),
        ],
        "表1",
    )
    title = Paragraph("重庆市南川区医疗保障局关于行政执法领域“四张清单”的公示", "标题")
    grid = Table([Row(["序号", "监管领域", "违法事项", "设定依据"], "表2 第1行")], "表2")
    assert document_facts(render([info, title, grid])) == {"issuer": "南川区医保局", "date": "2026-01-15"}


def test_notice_facts_date_from_a_page_time_stamp():
    # https://www.zhongcaigou.com/searchDetail/1755518512696-47756.html (the republished page's heading lines)
    lines = ["医疗保障局行政检查事项", "河南/济源-2025-07-07 00:00:00", "济源市医疗保障局行政检查事项"]
    assert document_facts(render([Paragraph(t, t) for t in lines])) == {"date": "2025-07-07"}
    assert document_facts(render([Paragraph("第2025-07-07号文件", "1")])) == {}


def test_notice_facts_issuer_from_the_title_when_unsigned():
    # http://www.shunqing.gov.cn/zwgk/zc/qtwj/202209/t20220902_1720178.html (title, number; no date line read)
    blocks = [
        Paragraph("南充市顺庆区医疗保障局关于印发《南充市顺庆区医疗保障局行政执法“七项制度”》的通知", "1"),
        Paragraph("南顺医保发〔2022〕99号", "2"),
        Paragraph("各股室:", "3"),
    ]
    facts = document_facts(render(blocks))
    assert facts == {"doc_number": "南顺医保发〔2022〕99号", "issuer": "南充市顺庆区医疗保障局"}


@pytest.mark.slow
def test_flowchart_document_agrees_with_the_hand_transcription(tmp_path):
    """The whole 行政职权运行流程图 of registry/sources/004_…: its 27 powers as registry/140423-xiangyuan-ybj/."""
    from qingdan.registry import load_registry

    folder = (ROOT / "registry" / "140423-xiangyuan-ybj").resolve()
    loaded = load_registry(ROOT / "registry")
    hand = [e.record for e in loaded.entries.values() if e.kind == "power" and folder in Path(e.file).resolve().parents]
    ctx = context("140423-xy", "襄垣县医疗保障局")
    found = dict(read_flowcharts(text_file(tmp_path, XIANGYUAN), "行政职权运行流程图", ctx))

    def facts(powers):
        return [
            (
                p.code,
                p.name,
                p.category,
                p.category_raw,
                [h.raw for h in p.handling],
                [(x.number, x.kind) for x in p.phones],
            )
            for p in powers
        ]

    assert len(hand) == 27 and facts(found["powers"]) == facts(hand)
    assert [p.source.line for p in found["powers"]] == [p.source.line for p in hand]
