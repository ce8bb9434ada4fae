"""How `qingdan draft` reads a bureau's file: column labels by meaning (real labels from published lists),
value rows never taken for headers, text as printed but searchable as read, --columns and --dry-run,
the questions asked in order, and a refusal that shows what to map."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from qingdan.cli import cli
from qingdan.draft import DraftError, draft
from qingdan.draft.columns import _looks_like_header, find_layout
from qingdan.draft.draft import list_kind
from qingdan.draft.model import Row, Table
from qingdan.draft.tables import USES
from qingdan.draft.vocabulary import classify, normalise_label, normalise_text, parse_columns, tidy_name

ROOT = Path(__file__).resolve().parents[1]

# Column labels as real lists print them, with the element a careful reader takes each for. Sources (pages corpus):
# 行政权力责任事项梳理表 (bdocx.com/doc/25418948), 不予处罚事项清单 (zengdu.gov.cn …/t20231106_1163002),
# 行政职权分解表 (fymate.net …/16928703_6), 兰州市《职责清单》填写说明 (lanzhou.gsjgbz.gov.cn), 政务服务改革工作用语规范
# (als.gov.cn …/art_5513_523908), 榆林 办事指南 (zwfw.yl.gov.cn), 宣城市权力清单和责任清单目录, 长治市行政执法事项清单
# 编制工作指南 (m.wenke99.com/p-907691), 邵阳市公共服务事项目录 (admin.shaoyang.gov.cn), the national element set
# GB/T 39046-2020, and the corpus' lists (huairou 职权类型/行使层级, lushan 違法行爲/不予處罰條件, guangzhou 檢查主體).
REAL_LABELS = {
    "序号": "seq",
    "序 号": "seq",
    "序號": "seq",
    "编码": "code",
    "职权编码": "code",
    "权力编码": "code",
    "地方权力编码": "code",
    "事项编码": "code",
    "基本编码": "code",
    "事项代码": "code",
    "业务编码": "code",
    "实施编码": "implementation_code",
    "业务办理项编码": "implementation_code",
    "职权名称": "name",
    "权力名称": "name",
    "事项名称": "name",
    "权力事项名称": "name",
    "项目名称": "name",
    "行政权力名称": "name",
    "行政權力名稱": "name",
    "⾏政权⼒名称": "name",
    "审核 事项": "name",
    "行政处罚事项": "name",
    "执法事项名称": "name",
    "子项名称": "name",
    "业务办理项名称": "name",
    "服务事项名称": "name",
    "公共服务事项名称": "name",
    "事项名称（子项）": "name",
    "違法行爲": "name",
    "抽查事項(內容)": "name",
    "主项名称": "main_item",
    "事项名称（主项）": "main_item",
    "职权类型": "category",
    "职权类别": "category",
    "权力类型": "category",
    "权利类型": "category",
    "權力類型": "category",
    "事项类型": "category",
    "事项类别": "category",
    "事項 類別": "category",
    "执法类别": "category",
    "审批类别": "category",
    "实施主体": "implementer",
    "实施机关": "implementer",
    "法定主体": "implementer",
    "执法主体": "implementer",
    "实施机构": "implementer",
    "部门名称": "implementer",
    "檢查主體": "implementer",
    "设定依据": "legal_basis",
    "实施依据": "legal_basis",
    "法律依据": "legal_basis",
    "法律依據": "legal_basis",
    "法定依据": "legal_basis",
    "执法依据": "legal_basis",
    "设立依据": "legal_basis",
    "设定和实施依据": "legal_basis",
    "检查依据(jù)": "legal_basis",
    "实施依据（法律、法规、规章名称及条款）": "legal_basis",
    "承办机构": "handling",
    "责任处室": "handling",
    "责任科室": "handling",
    "内设机构": "handling",
    "责任股室": "handling",
    "受理部门": "handling",
    "行使层级": "levels",
    "办理层级": "levels",
    "追责情形": "accountability",
    "责任事项": "accountability",
    "追责依据": "accountability",
    "备注": "remark",
    "备 注": "remark",
    "服务对象": "applicants",
    "申请对象": "applicants",
    "职责对象": "applicants",
    "受理条件": "conditions",
    "申请条件": "conditions",
    "不予处罚适用条件": "conditions",
    "不予處罰條件": "conditions",
    "申请材料": "materials",
    "申报材料": "materials",
    "办理流程": "process",
    "权力运行流程图": "process",
    "执法程序": "process",
    "法定办结时限": "time_limit",
    "承诺办结时限": "time_limit",
    "所需时限": "time_limit",
    "收费标准": "fees",
    "是否收费": "fees",
    "收费依据": "fees",
    "办理地点": "place",
    "办理时间": "hours",
    "咨询电话": "phone",
    "联系电话": "phone",
    "监督电话": "supervision_phone",
    "投诉电话": "supervision_phone",
    "监督投诉方式": "supervision_phone",
    "办理形式": "channel",
    "结果名称": "result",
    "主要职责": "duty",
    "具体工作事项": "work_item",
    "岗位名称": "post",
    # recognised as no element: kept on each record as a note
    "廉政风险点": None,
    "配套監管措施": None,
    "检查比例": None,
}


@pytest.mark.parametrize(("label", "key"), REAL_LABELS.items())
def test_real_column_labels_are_read_by_meaning(label, key):
    reading = classify(label)
    assert reading.key == key, reading.why
    assert reading.why  # every reading says why, for --dry-run


def test_enough_real_labels_are_checked():
    assert sum(1 for key in REAL_LABELS.values() if key) >= 60


@pytest.mark.parametrize(
    "cells",
    [
        ["1", "行政许可", "医疗机构执业登记", "县卫健局"],
        ["行政处罚", "对骗取医保基金的处罚", "医保局", "基金监管科"],
        ["行政检查", "行政检查", "医疗保障基金使用情况检查", "市级、县级"],
        ["公共服务", "参保登记", "即时办结", "否"],
        ["行政确认", "生育津贴申领", "窗口办理", "不收费"],
        ["1", "参保单位", "用人单位", "不收费"],
        ["参保单位", "用人单位", "不收费", "工作时间"],  # short values that end like labels: guesses only
        ["2", "事项名称", "服务对象", "办理地点"],  # a serial number: a record, whatever its cells say
    ],
)
def test_value_rows_are_not_headers(cells):
    assert not _looks_like_header(cells, None)


@pytest.mark.parametrize(
    "cells",
    [
        ["序号", "职权类型", "职权名称", "行使层级"],
        ["序號", "違法行爲", "不予處罰條件", "法律依據", "配套監管措施"],
        ["地方权力编码", "审核 事项", "权利类型", "实施主体"],
    ],
)
def test_real_headers_are_headers(cells):
    assert _looks_like_header(cells, None)


def test_a_header_found_below_title_rows_and_a_known_name_wins_a_field():
    table = Table(
        [
            Row(["某县医疗保障局权力清单", "", "", ""], "r1"),
            Row(["序号", "抽查类别", "事项类别", "事项名称"], "r2"),
            Row(["1", "监督管理", "行政检查", "对定点医疗机构的检查"], "r3"),
        ],
        "表1",
    )
    layout = find_layout(table)
    assert layout.header_at == "r2" and layout.table == "表1"
    assert layout.fields == ["seq", None, "category", "name"]  # 事项类别 (a known name) over 抽查类别 (a guess)
    assert "事项类别" in layout.readings[1].why


def test_text_as_read():
    assert normalise_text("对⽤⼈单位未按时足额缴纳") == "对用人单位未按时足额缴纳"  # Kangxi radicals
    assert normalise_text("第１２条ＡＢ") == "第12条AB"  # full-width letters and digits
    assert normalise_text("《条例》（试行）：第一条，") == "《条例》（试行）：第一条，"  # punctuation as printed
    assert normalise_text("醫療保障局") == "醫療保障局"  # traditional characters keep their wording
    assert normalise_text("監(jiān)督管理 依據(jù) 办法(试行)") == "監督管理 依據 办法(试行)"  # a mirror's pinyin


@pytest.mark.parametrize(
    ("printed", "name"),
    [
        ("1.对骗取医保基金的处罚", "对骗取医保基金的处罚"),
        ("职业培训\n机构审批", "职业培训机构审批"),
        ("（一）参保登记。", "参保登记"),
        ("一、参保登记", "参保登记"),
        ("①生育津贴申领", "生育津贴申领"),
        ("1.5吨以下锅炉审批", "1.5吨以下锅炉审批"),  # a number, not a serial
        ("12345热线", "12345热线"),
        ("二、三级医院评审", "二、三级医院评审"),  # grades two and three: wording, not a serial
        ("ABC\nDEF认证", "ABC DEF认证"),
    ],
)
def test_names_are_tidied(printed, name):
    assert tidy_name(printed) == name


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("巫溪县医疗保障局行政权力事项清单", "权力清单"),
        ("某市医疗保障局权责清单", "权责清单"),
        ("某县人民政府工作部门权力清单和责任清单", "权责清单"),
        ("第四师可克达拉市医疗保障局行政执法事项清单", "行政执法事项清单"),
        ("某县医疗保障局重大执法决定法制审核目录清单", "法制审核目录"),
        ("廬山市醫療保障局行政執法減免責清單", "不予处罚事项清单"),
        ("某市市场监管领域免于处罚清单", "不予处罚事项清单"),
        ("城乡居民参保登记办事指南", "办事指南"),
        ("异地就医备案服务指南", "办事指南"),
        ("黄骅市司法局行政执法权操作流程图", "行政职权运行流程图"),
        ("某县医疗保障局公共服务事项清单", "公共服务事项清单"),
        ("某县医疗保障局责任清单", "责任清单"),
        ("关于调整工作时间的通知", None),
    ],
)
def test_list_kind_by_meaning(title, kind):
    assert list_kind(title) == kind


def tree(folder: Path) -> list:
    return sorted(p.relative_to(folder) for p in folder.rglob("*"))


PAGE = """<html><body>
<div>您当前的位置：首页>部门信息公开>某县医疗保障局>权力清单</div>
<p>http://www.example.gov.cn/ybj/qlqd.html</p>
<h2>某县医疗保障局行政权力事项清单</h2>
<table>
<tr><td>序号</td><td>事权代号</td><td>审核 事项</td><td>权利类型</td><td>行使层级</td><td>追责情形</td></tr>
<tr><td>1</td><td>0100-A-001</td><td>1.对⽤⼈单位骗取医疗保障基金的处罚。</td><td>行政处罚</td><td>县级</td>
<td>因不履行或不正确履行职责的</td></tr>
<tr><td>2</td><td>0100-A-002</td><td>职业培训<br>机构审批</td><td>行政许可</td><td>市级、县级</td><td>同上</td></tr>
<tr><td>3</td><td>0100-A-003</td><td>医疗保障基金使用情况检查</td><td>行政检查</td><td>县级</td><td>同上</td></tr>
<tr><td>4</td><td>0100-A-004</td><td>定点医药机构年度考核</td><td>其他行政权力</td><td>县级</td><td>同上</td></tr>
</table></body></html>
"""


@pytest.fixture
def page(tmp_path) -> Path:
    path = tmp_path / "qlqd.html"
    path.write_text(PAGE, encoding="utf-8")
    return path


def test_dry_run_shows_layout_mapping_and_records_and_writes_nothing(mini, page):
    before = tree(mini)
    result = draft(page, "140423-dry", mini, columns="事权代号=code", dry_run=True)
    assert tree(mini) == before  # no folder, no sources, nothing validated into place
    assert result.dry_run and not result.source_files
    preview = result.preview()
    assert "带表头的表格（每行一条）: 4 powers" in preview
    assert "事权代号 → code (基本编码): 由 --columns 指定" in preview
    assert "权利类型 → category (事项类型): 按中心词“…类型、类别”" in preview
    assert "追责情形 → kept in a note" in preview and "nothing was written" in preview
    assert preview.count("- id: 140423-dry-power-") == 3  # the first three records, as YAML
    powers = result.records["powers"]
    assert [p.code for p in powers] == ["0100-A-001", "0100-A-002", "0100-A-003", "0100-A-004"]


def test_title_is_no_address_and_names_are_read(mini, page):
    result = draft(page, "140423-rd", mini, columns="事权代号=code")
    assert result.document.title == "某县医疗保障局行政权力事项清单" and result.document.kind == "权力清单"
    first, second = result.records["powers"][:2]
    assert first.name == "对用人单位骗取医疗保障基金的处罚" and first.category == "行政处罚"
    assert first.review[0].raw == "1.对⽤⼈单位骗取医疗保障基金的处罚。"  # the name as printed
    assert second.name == "职业培训机构审批" and second.review[0].raw == "职业培训\n机构审批"
    assert (mini / "140423-rd" / "powers.yaml").is_file()


def test_summary_never_lists_a_column_kept_in_a_note_as_mapped(mini, page):
    result = draft(page, "140423-sm", mini, columns="事权代号=code", dry_run=True)
    unused = [label for label in ("行使层级", "追责情形") if classify(label).key not in USES["powers"]]
    assert unused  # elements no powers builder reads
    for label in unused:
        assert label not in result.mapped and label in result.unmapped
        assert all(f"{label}：" in p.note for p in result.records["powers"])
    for label in result.mapped:
        assert not any(
            f"——{label}：" in (p.note or "") or f"；{label}：" in (p.note or "") for p in result.records["powers"]
        )


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ("事权代号", "write 栏目名=字段"),
        ("事权代号=nosuch", "is no field; one of"),
        ("没有这一栏=code", "is no column name"),
    ],
)
def test_bad_columns_are_refused_clearly(mini, page, columns, message):
    with pytest.raises(DraftError, match=message):
        draft(page, "140423-bc", mini, columns=columns)
    result = CliRunner().invoke(
        cli, ["draft", str(page), "--agency", "140423-bc", "--registry", str(mini), "--columns", columns]
    )
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_columns_by_chinese_name():
    assert parse_columns("地方权力编码=基本编码，审核 事项=name") == {"地方权力编码": "code", "审核事项": "name"}


def test_cli_dry_run(mini, page):
    before = tree(mini)
    result = CliRunner().invoke(
        cli,
        ["draft", str(page), "--agency", "140423-cl", "--registry", str(mini), "--columns", "事权代号=code"]
        + ["--dry-run"],
    )
    assert result.exit_code == 0, result.output
    assert "审核 事项 → name (事项名称)" in result.output and "first records:" in result.output
    assert tree(mini) == before


def test_name_is_asked_only_after_a_list_is_found(mini, tmp_path):
    listed = tmp_path / "list.txt"
    listed.write_text("权力清单\n序号|职权名称|职权类型\n1|对骗取医保基金的处罚|行政处罚\n", encoding="utf-8")
    with pytest.raises(DraftError, match=r"found 1 powers .* names no agency.*--name"):
        draft(listed, "140423-nn", mini)
    assert draft(listed, "140423-nn", mini, name="襄垣县医疗保障局").records["powers"]
    empty = tmp_path / "empty.txt"
    empty.write_text("通知\n1|参保单位|用人单位|不收费\n2|参保单位|个体户|不收费\n", encoding="utf-8")
    with pytest.raises(DraftError) as refused:
        draft(empty, "140423-nn2", mini)
    message = str(refused.value)
    assert "no record found. Layouts tried" in message and "--name" not in message
    assert "| 1 | 参保单位 | 用人单位 | 不收费 |" in message and '--columns "参保单位=name"' in message


def test_agency_named_in_a_label_value_table(mini, tmp_path):
    path = tmp_path / "table.txt"
    path.write_text(
        "行政权力责任事项梳理表\n序号|职权名称|职权类型|法定主体\n1|伪造资质证书的处罚|行政处罚|国土资源局\n"
        "|法定主体|国土资源局|\n",
        encoding="utf-8",
    )
    result = draft(path, "140423-gt", mini, dry_run=True)
    assert result.agency_name == "国土资源局" and result.agency_named == "文中"


def test_library_warnings_never_reach_the_terminal(mini, tmp_path, monkeypatch, capfd):
    from qingdan.draft import reading

    def noisy(path, data):
        logging.getLogger("pdfminer.pdffont").warning("Could not get FontBBox from font descriptor")
        warnings.warn("Data Validation extension is not supported", UserWarning, stacklevel=1)
        return reading.read_text(path, data)

    monkeypatch.setitem(reading.READERS, ".txt", noisy)
    path = tmp_path / "list.txt"
    path.write_text(
        "某县医疗保障局权力清单\n序号|职权名称|职权类型\n1|对骗取医保基金的处罚|行政处罚\n", encoding="utf-8"
    )
    draft(path, "140423-qt", mini, dry_run=True)
    captured = capfd.readouterr()
    assert "FontBBox" not in captured.err + captured.out and "Data Validation" not in captured.err
    assert logging.getLogger("pdfminer").level == logging.NOTSET  # put back after reading


def test_text_table_header_over_two_rows_and_a_cell_merged_down():
    """A mirror's `|` copy of a 抽查事项清单: 抽查項目 spans 抽查類別 | 抽查事項 on the row below, and the
    抽查類別 cell merged down leaves the second row a cell short."""
    table = Table(
        [
            Row(["序號", "抽查項目", "事項 類別", "檢查主體", "檢查依據(jù)", ""], "第1行"),
            Row(["抽查 類別", "抽查事項(內(nèi)容)", ""], "第2行"),
            Row(
                ["1", "定點醫療機構監(jiān)督管理", "內部管理制度的檢查", "一般檢查事項", "醫療保障局", "《條例》"],
                "第3行",
            ),
            Row(["2", "基金規範使用的檢查", "重點檢查事項", "醫療保障局", "《條例》", ""], "第4行"),
        ],
        "第1行起的表格",
    )
    from qingdan.draft.model import Extracted, normalise

    normalise(Extracted([table], ""))
    layout = find_layout(table)
    assert [normalise_label(h) for h in layout.header] == [
        "序号",
        "抽查类别",
        "抽查事项(内容)",
        "事项类别",
        "检查主体",
        "检查依据",
    ]
    assert layout.fields == ["seq", None, "name", "category", "implementer", "legal_basis"]
    first, second = layout.body
    assert first.cells[1] == "定點醫療機構監督管理"  # the pinyin gloss dropped, as read
    assert first.printed[1] == "定點醫療機構監(jiān)督管理"  # as printed
    assert second.cells[:3] == ["2", "定點醫療機構監督管理", "基金規範使用的檢查"]  # the merged cell filled


def test_dates_from_an_info_line_or_table_and_the_full_name_first(mini, tmp_path):
    page = tmp_path / "notice.html"
    page.write_text(
        """<html><head><meta charset="utf-8"></head><body>
<div class="location">您当前的位置：首页 &gt; 部门 &gt; 医保局</div>
<h1>某县医疗保障局行政权力事项清单</h1><div class="info">日期:2025-04-02</div>
<table><tr><td>序号</td><td>事项名称</td><td>事项类型</td></tr>
<tr><td>1</td><td>对骗取医保基金的处罚</td><td>行政处罚</td></tr></table></body></html>""",
        encoding="utf-8",
    )
    result = draft(page, "140423-dt", mini, dry_run=True)
    assert result.document.date == "2025-04-02" and result.document.title == "某县医疗保障局行政权力事项清单"
    sheet = tmp_path / "list.txt"
    sheet.write_text(
        "|发布时间：2020/8/25 15:40:05|\n\n序号|事项名称|服务对象\n1|单位参保登记|参保单位\n\n"
        "|部门名称|社保局|\n|受理部门|通过柳州市社会保险事业管理局|\n",
        encoding="utf-8",
    )
    result = draft(sheet, "140423-dt2", mini, dry_run=True)
    assert result.document.date == "2020-08-25"
    assert result.agency_name == "柳州市社会保险事业管理局"  # the full name, not 社保局; no 通过 before it


def test_a_name_in_running_text_has_no_word_before_it(mini, tmp_path):
    guide = tmp_path / "guide.txt"
    guide.write_text(
        "序号|事项名称|事项类型\n1|異地就醫備案|公共服務\n\n可通過煙臺市醫療保障局官網辦理。\n"
        "也可到煙臺市醫療保障局窗口辦理。\n",
        encoding="utf-8",
    )
    assert draft(guide, "370600-yt", mini, dry_run=True).agency_name == "煙臺市醫療保障局"


def test_a_refusal_shows_what_to_map_and_columns_then_read_it(mini, tmp_path):
    path = tmp_path / "list.txt"
    path.write_text(
        "某县医疗保障局权力清单\n代号|名目|种别\nA-1|对骗取医保基金的处罚|行政处罚\nA-2|医疗保障基金使用情况检查|行政检查\n",
        encoding="utf-8",
    )
    with pytest.raises(DraftError) as refused:
        draft(path, "140423-cm", mini)
    assert "| 代号 | 名目 | 种别 |" in str(refused.value) and "--columns" in str(refused.value)
    result = draft(path, "140423-cm", mini, columns="代号=code,名目=事项名称,种别=category")
    powers = result.records["powers"]
    assert [(p.code, p.name, p.category) for p in powers] == [
        ("A-1", "对骗取医保基金的处罚", "行政处罚"),
        ("A-2", "医疗保障基金使用情况检查", "行政检查"),
    ]
    assert result.mapped == ["代号", "名目", "种别"] and result.unmapped == []


def test_a_row_without_its_last_cells_is_not_filled_from_the_row_above():
    table = Table(
        [
            Row(["序号", "事项名称", "事项类型", "备注"], "第1行"),
            Row(["1", "对骗取医保基金的处罚", "行政处罚", "与人社局共同承担"], "第2行"),
            Row(["2", "医疗保障基金使用情况检查", "行政检查"], "第3行"),
        ],
        "第1行起的表格",
    )
    second = find_layout(table).body[1]
    assert second.cells == ["2", "医疗保障基金使用情况检查", "行政检查", ""]


def test_a_traditional_text_table_keeps_its_wording(mini, tmp_path):
    path = tmp_path / "list.txt"
    path.write_text(
        "某縣醫療保障局權力清單\n| 序號 | 行政權力名稱 | 權力類型 | 實施主體 |\n|---|---|---|---|\n"
        "| 1 | 對騙取醫保基金的處罰 | 行政處罰 | 某縣醫療保障局 |\n"
        "| 2 | 醫療保障基金使用情況檢查 | 行政檢查 | 某縣醫療保障局 |\n",
        encoding="utf-8",
    )
    result = draft(path, "140423-tw", mini, dry_run=True)
    first, second = result.records["powers"]
    assert (first.name, first.category, first.category_raw) == ("對騙取醫保基金的處罰", "行政处罚", "行政處罰")
    assert second.category == "行政检查" and result.agency_name == "某縣醫療保障局"
    assert result.document.kind == "权力清单"


def test_a_box_drawn_text_table_is_read(mini, tmp_path):
    """Law sites print old lists as box-drawn text: ┌──┬──┐ rules, │ between cells, long cells wrapped."""
    path = tmp_path / "list.txt"
    path.write_text(
        "某县人民政府决定保留的行政许可项目目录\n"
        "┌───────┬───┬────────────────┐\n"
        "│ 实施主体 │ 序号 │ 项 目 名 称 │\n"
        "├───────┼───┼────────────────┤\n"
        "│ 县政府 │ 1 │ 开垦未利用土地许可 │\n"
        "├───────┼───┼────────────────┤\n"
        "│ 县政府 │ 2 │使用国有建设用地审批（包括划拨，出│\n"
        "│ │ │让） │\n"
        "└───────┴───┴────────────────┘\n",
        encoding="utf-8",
    )
    result = draft(path, "140423-bx", mini, name="某县人民政府", dry_run=True)
    assert [p.name for p in result.records["powers"]] == [
        "开垦未利用土地许可",
        "使用国有建设用地审批（包括划拨，出让）",
    ]


def test_a_flag_given_as_read_is_put_back_as_printed(mini, page):
    from qingdan.draft.draft import _as_read, _printed

    line = "1\t0100-A-001\t1.对⽤⼈单位骗取医疗保障基金的处罚。\t行政处罚"
    assert _printed("对用人单位骗取", line) == "对⽤⼈单位骗取"
    assert _printed("不在此行", line) == "不在此行"
    result = draft(page, "140423-pr", mini, columns="事权代号=code", dry_run=True)
    power = result.records["powers"][0]
    as_read = power.model_copy(update={"review": [power.review[0].model_copy(update={"raw": "对用人单位骗取"})]})
    lines = [""] * (power.source.line - 1) + [line]
    assert _as_read(as_read, lines).review[0].raw == "对⽤⼈单位骗取"


def test_a_body_named_in_a_column_is_not_taken_for_the_agency(mini, tmp_path):
    listed = tmp_path / "list.txt"
    listed.write_text(
        "权力清单\n序号|职权名称|实施主体|职权类型\n1|对骗取医保基金的处罚|某市人力资源和社会保障局|行政处罚\n",
        encoding="utf-8",
    )
    with pytest.raises(DraftError, match="names no agency"):
        draft(listed, "140423-nc", mini)


def test_a_service_list_row_reads_its_guide_columns(mini, tmp_path):
    path = tmp_path / "list.html"
    path.write_text(
        """<html><head><meta charset="utf-8"></head><body><h1>某县医疗保障局公共服务事项清单</h1><table>
<tr><td>序号</td><td>子项</td><td>服务对象</td><td>受理条件</td><td>办理流程</td><td>办理时限</td><td>办理地点</td></tr>
<tr><td>1</td><td>单位参保登记</td><td>参保单位</td><td>1.已办理营业执照<br>2.已在本县注册</td>
<td>申请—受理—审核—办结</td><td>不超过5个工作日</td><td>县政务服务中心</td></tr></table></body></html>""",
        encoding="utf-8",
    )
    result = draft(path, "140423-sv", mini, dry_run=True)
    (service,) = result.records["services"]
    assert (service.name, service.applicants, service.time_limit, service.place) == (
        "单位参保登记",
        "参保单位",
        "不超过5个工作日",
        "县政务服务中心",
    )
    assert service.conditions == ["已办理营业执照", "已在本县注册"]
    assert service.process == ["申请", "受理", "审核", "办结"]
    assert {"服务对象", "受理条件", "办理流程", "办理时限", "办理地点"} <= set(result.mapped) and not service.note
