"""How bureaus print lists, as rules learnt from real documents of other bureaus (the held-out files): each rule on
a minimal example (the page it comes from in the comment)."""

from __future__ import annotations

from pathlib import Path

from qingdan.draft import draft
from qingdan.guide_findings import split_words

ROOT = Path(__file__).resolve().parents[1]


# --- a guide page: its name in its only title, one process per channel sub-heading, steps joined by arrows ---

# http://bsy.sz.bendibao.com/bsyDetail/616330.html (出生医学证明首次签发, re-published by a city portal)
BIRTH_GUIDE = (
    '<html><head><meta charset="utf-8"></head><body><h1>出生医学证明首次签发</h1>'
    "<h2>办理材料</h2><p>1、居民身份证</p><p>2、亲子关系声明</p>"
    "<h2>办理流程</h2><h3>网上办理流程</h3>"
    "<p>住院分娩期间孕妇身份认证:(辖区孕期系统/HIS系统)→省级出生证系统(也可认证)录入分娩信息:→"
    "分娩后远程办理:母亲身份校验→领证人签名,存根归档</p>"
    "<h3>现场办理</h3><p>分娩机构受理→资料齐全、身份核验无误→经办人办理打印</p>"
    "<h2>办理地点</h2><p>在分娩医院领取。</p><h2>办理时限及费用</h2><p>办理时限:即办</p><p>办理费用:不收费</p></body></html>"
)


def test_a_guide_page_titled_only_by_its_matter_is_named_by_it(mini, tmp_path):
    page = tmp_path / "guide.html"
    page.write_text(BIRTH_GUIDE, encoding="utf-8")
    (service,) = draft(page, "440311-gm", mini, name="某市卫生健康委员会", dry_run=True).records["services"]
    assert service.name == "出生医学证明首次签发"


def test_channel_sub_headings_of_a_process_each_head_their_own_steps_joined_by_arrows(mini, tmp_path):
    page = tmp_path / "guide.html"
    page.write_text(BIRTH_GUIDE, encoding="utf-8")
    (service,) = draft(page, "440311-gm", mini, name="某市卫生健康委员会", dry_run=True).records["services"]
    online, window = service.processes
    assert (online.name, online.channel, window.name, window.channel) == (
        "网上办理流程",
        "online",
        "现场办理",
        "window",
    )
    assert online.steps == [
        "住院分娩期间孕妇身份认证:(辖区孕期系统/HIS系统)",
        "省级出生证系统(也可认证)录入分娩信息:",  # as printed
        "分娩后远程办理:母亲身份校验",
        "领证人签名,存根归档",
    ]
    assert window.steps == ["分娩机构受理", "资料齐全、身份核验无误", "经办人办理打印"]


def test_a_heading_joining_two_labels_over_their_own_label_lines(mini, tmp_path):
    page = tmp_path / "guide.html"
    page.write_text(BIRTH_GUIDE, encoding="utf-8")
    (service,) = draft(page, "440311-gm", mini, name="某市卫生健康委员会", dry_run=True).records["services"]
    assert (service.time_limit, service.fees) == ("即办", "不收费")


# --- a one-record form of a township: its body in 责任主体, a code 待定, a CSV-quoted cell of articles ---

# http://www.tmtzq.gov.cn/zwgk/yfxz/qzqd/qbmzz/202006/t20200624_1342253.html (旗白庙子镇: the banner's town)
TOWN_FORM = (
    "旗本级权力和责任清单\n"
    "事项编码|待定\n"
    "权力名称|城乡低保金的给付\n"
    "权力类别|行政给付\n"
    "责任主体|旗白庙子镇\n"
    '设定依据|"1.【行政法规】《社会救助暂行办法》(2014年2月21日中华人民共和国国务院令第649号发布) 第九条 国家对共同生活'
    "的家庭成员给予最低生活保障。 第十一条 申请最低生活保障,按照下列程序办理:(一)由共同生活的家庭成员提出书面申请。"
    ' 第十二条 按月发给最低生活保障金。"\n'
)


def test_a_one_record_form_names_its_body_by_the_township_in_its_implementer_label(mini, tmp_path):
    path = tmp_path / "form.txt"
    path.write_text(TOWN_FORM, encoding="utf-8")
    result = draft(path, "150121-bmz", mini, dry_run=True)
    (power,) = result.records["powers"]
    assert result.agency_name == "旗白庙子镇"  # the town's full name is printed nowhere
    assert power.implementer == "旗白庙子镇"
    # printed in full elsewhere in the file, the full name wins
    path.write_text(TOWN_FORM + "发布单位：土默特左旗白庙子镇人民政府\n", encoding="utf-8")
    assert draft(path, "150121-bmz", mini, dry_run=True).agency_name == "土默特左旗白庙子镇人民政府"


def test_a_code_printed_as_to_be_decided_is_no_code(mini, tmp_path):
    path = tmp_path / "form.txt"
    path.write_text(TOWN_FORM, encoding="utf-8")
    (power,) = draft(path, "150121-bmz", mini, dry_run=True).records["powers"]
    assert power.code is None


def test_a_quoted_serial_and_kind_tag_before_a_title_dated_number_and_articles_each_opening_a_sentence():
    from qingdan.draft.legal import split_legal_bases

    cell = TOWN_FORM.split("设定依据|")[1].strip()
    assert [(b.title, b.doc_number, b.article) for b in split_legal_bases(cell)] == [
        ("社会救助暂行办法", "中华人民共和国国务院令第649号", article) for article in ("第九条", "第十一条", "第十二条")
    ]


# --- a 流程图 under a generic title, named by its 项目名称 line, page numbers and boxes out of order ---

# https://www.360docs.net/doc/5415493424.html (前郭县市场监督管理局行政权力运行流程图, a document host's text)
CHART = (
    "1\n\n前郭县市场监督管理局行政权力运行流程图\n\n项目名称:行政执法程序流程图\n\n2\n\nY\n\nN\n\n"
    "送达,并由当事人 在《送达回执》上签字\n\n执行\n\n听证意见与听证 前拟作出的处罚 决定是否一致\n\n"
    "当事人 是否确 有经济 困难\n\n缴纳罚款\n\n案卷归档、结案\n\n当事人提出书面申请\n\n3\n"
)


def test_a_chart_named_by_its_project_line_under_a_generic_title_is_a_flow(mini, tmp_path):
    path = tmp_path / "chart.txt"
    path.write_text(CHART, encoding="utf-8")
    result = draft(path, "220721-qg", mini, dry_run=True)
    assert result.agency_name == "前郭县市场监督管理局"
    assert not result.records.get("powers")  # a 项目名称 that is a chart names no power
    (flow,) = result.records["flows"]
    assert flow.title == "行政执法程序流程图"
    labels = [node.label for node in flow.nodes]
    assert "听证意见与听证前拟作出的处罚决定是否一致" in labels
    assert not any(label.isdigit() for label in labels)  # page numbers are no boxes
    # the boxes as printed are kept for the reviewer (and the split words are reported from there)
    (printed,) = [flag.raw for flag in flow.review if flag.raw and "听证 前" in flag.raw]
    assert "当事人 是否确 有经济 困难" in printed
    assert list(split_words(printed))  # 确 有: a word broken where the box wrapped


# --- a flattened table whose cells ran together: header wrapped over three lines, category before the name ---

# https://www.qtx.gov.cn/xxgk/zfxxgkml/xzqlyx/qlqd/202306/t20230617_4149423.html (青铜峡市人社局 权力清单及责任清单)
GLUED_TABLE = (
    '<html><head><meta charset="utf-8"><title>青铜峡市人力资源和社会保障局权力清单及责任清单</title></head><body>'
    "<h1>青铜峡市人力资源和社会保障局权力清单及责任清单</h1>"
    "<p>序号职权类型事项名称子项名称地方权力</p><p>编码</p><p>实施依据责任事项内容责任事项依据追责情形</p>"
    "<p>1行政许可职业培训</p><p>机构审批</p>"
    "<p>民办职业培训学校设立、分立、合并、变更及终止审批111004001【法律】《中华人民共和国民办教育促进法》"
    "(2016年修正)第十二条 举办实施以职业技能为主的民办学校,由人力资源社会保障行政部门审批。【规范性文件】"
    "《自治区人民政府关于第九批取消和调整行政审批项目等事项的决定》(宁政发【2013】84号)附件1目录第66项:开办职业"
    "培训机构审批部分下放。1.受理阶段责任:接收申报资料。2.审查阶段责任:进行初审。1、《行政许可法》第三十条:"
    "行政机关应当公示。</p></body></html>"
)


def test_a_run_together_record_under_a_wrapped_header(mini, tmp_path):
    page = tmp_path / "list.html"
    page.write_text(GLUED_TABLE, encoding="utf-8")
    (power,) = draft(page, "640381-rsj", mini, dry_run=True).records["powers"]
    # the category column printed before the name, glued to it; 事项名称 wrapped onto a second line; 子项 the record
    assert (power.category_raw, power.name) == ("行政许可", "民办职业培训学校设立、分立、合并、变更及终止审批")
    assert "主项：职业培训机构审批" in power.note  # a Power has no 主项 field: kept in its note, joined
    assert power.code == "111004001"  # a code glued between the name and the citation
    # 实施依据 holds both tagged citations; the numbered 责任事项 and their own basis are other columns
    assert [(b.title, b.doc_number, b.article) for b in power.legal_bases] == [
        ("中华人民共和国民办教育促进法", None, "第十二条"),
        ("自治区人民政府关于第九批取消和调整行政审批项目等事项的决定", "宁政发【2013】84号", "附件1目录第66项"),
    ]


# --- services at three levels (主项 / 子项 / 业务办理项); a section of an opinion cited by its heading ---

# http://wza.fusong.gov.cn/esd/fsxzsj/jzfq/202211/t20221110_749712.html (抚松县镇级政务服务清单目录)
LEVELS_TABLE = (
    "抚松县镇级政务服务清单目录\n"
    "序号|事项类型|行使层级|主项名称|子项名称|业务办理项名称|设定依据\n"
    "1|公共服务|乡镇|社会保险登记||城乡居民养老保险参保登记(困难群体参保登记)|"
    "《国务院关于建立统一的城乡居民基本养老保险制度的意见》(国发〔2014〕8号)三、参保范围:年满16周岁的城乡居民。\n"
    "2|公共服务|乡镇|养老保险服务||居民养老保险注销登记|《中华人民共和国社会保险法》第二十条\n"
)


def test_the_finest_name_printed_names_the_record_when_the_sub_item_is_empty(mini, tmp_path):
    path = tmp_path / "list.txt"
    path.write_text(LEVELS_TABLE, encoding="utf-8")
    first, second = draft(path, "220621-zsj", mini, name="抚松县政数局", dry_run=True).records["services"]
    assert (first.main_item, first.name) == ("社会保险登记", "城乡居民养老保险参保登记(困难群体参保登记)")
    assert (second.main_item, second.name) == ("养老保险服务", "居民养老保险注销登记")


def test_a_section_of_a_cited_document_by_its_numbered_heading():
    from qingdan.draft.legal import split_legal_bases

    (basis,) = split_legal_bases(
        "《国务院关于建立统一的城乡居民基本养老保险制度的意见》(国发〔2014〕8号)三、参保范围:年满16周岁的城乡居民。"
    )
    assert (basis.doc_number, basis.article) == ("国发〔2014〕8号", "三、参保范围")


# --- a guide's bases on one line: three acts after ; and a run of spaces, a chapter range among articles; 办理范围 ---


# http://ncnbxbjjdrnsq.izhulao.com/bmsc/490.html (南部 结婚登记办理指南)
def test_acts_separated_by_a_semicolon_and_spaces_and_a_chapter_range():
    from qingdan.draft.legal import split_legal_bases

    bases = split_legal_bases(
        "《婚姻登记条例》第四条、第五条;《中华人民共和国民法典》第一、二章;   "
        "《婚姻登记工作规范》第二十九条、第三十条。"
    )
    assert [(b.title, b.article) for b in bases] == [
        ("婚姻登记条例", "第四条"),
        ("婚姻登记条例", "第五条"),
        ("中华人民共和国民法典", "第一、二章"),
        ("婚姻登记工作规范", "第二十九条"),
        ("婚姻登记工作规范", "第三十条"),
    ]


def test_the_scope_of_a_guide_names_its_applicants():
    from qingdan.draft.vocabulary import classify

    assert classify("办理范围").key == "applicants"  # as 适用范围, 服务范围: who may apply


# --- a guide's label/value table: 办理单位 naming a whole body, 备注事项 ---


# https://xzjypet.com/html/252872529225296content_636005.html (国内婚姻登记)
def test_a_handling_unit_that_is_a_whole_body_is_the_implementer_and_a_remark_label_is_no_new_guide(mini, tmp_path):
    path = tmp_path / "guide.txt"
    rows = [
        ("事项名称", "国内婚姻登记"),
        ("办理单位", "民政局"),
        ("承诺时限", "及时"),
        ("收费标准", "不收费"),
        ("申请对象", "市民"),
        ("前置条件", "1、男女双方必须自愿结婚。"),
        ("备注事项", "无"),
    ]
    path.write_text("\n".join(f"{a}|{b}" for a, b in rows) + "\n", encoding="utf-8")
    (service,) = draft(path, "mzj-hydj", mini, name="某县民政局", dry_run=True).records["services"]
    assert (service.implementer, service.handling) == ("民政局", [])
    # an office inside a body stays the handling unit
    path.write_text(path.read_text(encoding="utf-8").replace("|民政局", "|民政局婚姻登记中心"), encoding="utf-8")
    (service,) = draft(path, "mzj-hydj", mini, name="某县民政局", dry_run=True).records["services"]
    assert service.implementer is None
    assert [h.raw for h in service.handling] == ["民政局婚姻登记中心"]


# --- a PDF table's cells wrapped over lines: joined to read, kept as printed for the reviewer ---


# https://ayjlrn.com/info/content/code/26177 (交通运输领域轻微违法行为依法免予处罚高频事项清单)
def test_a_pdf_cell_wrapped_over_lines_is_read_joined_and_kept_as_printed(tmp_path):
    from fontTools.ttLib import TTCollection
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    from qingdan.draft.reading import read_file

    font = tmp_path / "noto-sc.otf"
    TTCollection("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc").fonts[2].save(str(font))
    pdf = FPDF()
    pdf.add_font("noto", fname=str(font))
    pdf.set_font("noto", size=8)
    pdf.add_page()
    with pdf.table(col_widths=(8, 30, 60), headings_style=FontFace(emphasis=None)) as table:
        for values in (
            ["序号", "事项名称", "法律依据"],
            ["1", "对车辆装载物触地拖行、掉落、遗洒或者飘散的处罚", "《公路安全保护条例》第六十九条"],
        ):
            row = table.row()
            for value in values:
                row.cell(value)
    path = tmp_path / "list.pdf"
    pdf.output(str(path))
    found = read_file(path)
    extracted = found[0] if isinstance(found, tuple) else found
    (table,) = extracted.tables
    row = table.rows[1]
    assert row.cells[1] == "对车辆装载物触地拖行、掉落、遗洒或者飘散的处罚"
    assert "\n" in row.printed_cell(1)  # the wrapped lines, as printed
    assert row.printed_cell(1).replace("\n", "") == row.cells[1]
