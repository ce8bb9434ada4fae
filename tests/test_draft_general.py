"""`qingdan draft` on any bureau's file: the general classes of what real lists of other bureaus (人社, 市场监管, 税务,
卫健, 民政, 交通, townships) print, each on small real examples (their pages in the comments)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qingdan.draft import DraftError, draft
from qingdan.draft.draft import _township, is_generic
from qingdan.draft.legal import split_legal_bases
from qingdan.draft.tables import category_from_list
from qingdan.draft.vocabulary import tidy_name

ROOT = Path(__file__).resolve().parents[1]


# --- 1. the agency: a township in the title, an implementer column, a generic name not enough alone ---

# http://www.wuxiang.gov.cn/zwgk/zfxxgk/zfxxgkml/sqxzjcgszl/xzjcsxyj/xq/202504/t20250427_3040576.html
WUXIANG = (
    "发文机关武乡县上司乡人民政府\n"
    "武乡县上司乡行政执法检查事项清单\n"
    "序号|事项名称|事项类型|事项依据|实施主体\n"
    "1|对个别农户之间承包的耕地和草地适当调整的审批|行政许可|【法律】《中华人民共和国农村土地承包法》第二十八条|乡镇人民政府\n"
    "2|对农民集体所有的土地由本集体经济组织以外的单位或者个人承包经营的审批|行政许可|"
    "【法律】《中华人民共和国农村土地承包法》第五十二条|乡镇人民政府\n"
)


def test_a_township_named_in_the_title_is_the_agency_in_full(mini, tmp_path):
    path = tmp_path / "wuxiang.txt"
    path.write_text(WUXIANG, encoding="utf-8")
    result = draft(path, "140429-ssx", mini, dry_run=True)
    assert result.agency_name == "武乡县上司乡人民政府" and result.agency_named == "标题"
    # without the full name printed anywhere, the title's words are the name; 乡镇 and 城乡 name no township
    assert _township("武乡县上司乡行政执法检查事项清单", "") == "武乡县上司乡"
    assert _township("石羊哨乡人民政府权责清单", "") == "石羊哨乡人民政府"
    assert _township("石門鎮權責清單", "") == "石門鎮"
    assert _township("某某旗某某苏木权责清单", "") == "某某旗某某苏木"
    assert _township("乡镇权责清单", "") is None and _township("某县乡村振兴局权责清单", "") is None


# https://mywgg.com/sgxrmzf/sjccsxjjh/202312/80b73b7de85647f8af98afaa006ccb5f.shtml (上高县 2023年双随机抽查工作计划)
SHANGGAO = (
    "2023年“双随机、一公开”抽查工作计划\n"
    "序号|检查主体|年度计划名称|检查内容|计划开展时间|股室\n"
    "1|上高县市场监督管理局|对特种设备作业人员的行政检查|对特种设备作业人员的行政检查|1月—12月|特种设备股\n"
    "2|上高县市场监督管理局|对经营者价格活动的行政检查|对经营者价格活动的行政检查|1月—12月|价监股\n"
    "3|上高县市场监督管理局|对特种设备使用登记的行政检查|对特种设备使用登记的行政检查|1月—12月|特种设备股\n"
)


def test_the_body_every_row_names_in_an_implementer_column_is_the_agency(mini, tmp_path):
    path = tmp_path / "shanggao.txt"
    path.write_text(SHANGGAO, encoding="utf-8")
    result = draft(path, "360923-scjg", mini, dry_run=True, columns="年度计划名称=name")
    assert result.agency_name == "上高县市场监督管理局" and result.agency_named == "文中"


def test_a_generic_name_without_its_place_is_not_enough(mini, tmp_path):
    path = tmp_path / "generic.txt"
    path.write_text(SHANGGAO.replace("上高县市场监督管理局", "市场监督管理局"), encoding="utf-8")
    with pytest.raises(DraftError, match="--name"):
        draft(path, "360923-scjg", mini, columns="年度计划名称=name")
    titled = tmp_path / "titled.txt"
    titled.write_text("民政局权责清单\n序号|职权名称|职权类型\n1|对社会团体的行政检查|行政检查\n", encoding="utf-8")
    with pytest.raises(DraftError, match="names 民政局 but not where"):
        draft(titled, "360923-mzj", mini)
    assert is_generic("民政局") and is_generic("乡镇人民政府") and is_generic("市场监督管理局")
    assert not is_generic("某旗民政局") and not is_generic("石羊哨乡人民政府") and not is_generic("某街道办事处")
    # a banner's body (http://www.tuxmind.org/zwyw/tztg/202204/t20220427_3200208.html, 伊金霍洛旗本級權責清單 公布說明)
    assert not is_generic("伊金霍洛旗政务服务局")


# --- 2. citations: acts run together, stray quotes, articles between quoted or unquoted wording, other locators ---


def cited(text: str) -> list[tuple[str, str | None, str | None]]:
    return [(b.title, b.doc_number, b.article) for b in split_legal_bases(text)]


def test_articles_each_on_its_own_line_after_their_wording():
    # https://www.ahqy.gov.cn/OpennessContent/show/1504150.html (青阳县民政局权责清单总表, 设定依据 cell)
    cell = (
        "1.《社会团体登记管理条例》第三条:成立社会团体，应当经其业务主管单位审查同意，并依照本条例的规定进行登记。\n\n"
        "第六条:国务院民政部门和县级以上地方各级人民政府民政部门是本级人民政府的社会团体登记管理机关。\n\n"
        "第七条:全国性的社会团体，由国务院的登记管理机关负责登记管理；地方性的社会团体，由所在地人民政府的登记管理"
        "机关负责登记管理。"
    )
    assert [article for _, _, article in cited(cell)] == ["第三条", "第六条", "第七条"]
    # an article the wording mentions inside a line (…依照本法第四十八条规定…) is no citation
    # https://ayjlrn.com/info/content/code/26177 (交通运输领域轻微违法行为依法免予处罚高频事项清单)
    road = (
        "《中华人民共和国公路法》 第七十六条第(四)项 有下列 违法行为之一的，由交通主管 部门责令停止违法行为，"
        "可以处三万元以下的罚款:(四)违反 本法第四十八条规定，铁轮车、 履带车和其他可能损害路面的机具"
        "擅自在公路上行驶的。"
    )
    assert [article for _, _, article in cited(road)] == ["第七十六条第(四)项"]


def test_articles_separated_by_their_quoted_wording():
    # 设定依据 as 权责清单 print it, each article with its wording in quotes (社会保险法 arts. 87, 88)
    cell = (
        "《中华人民共和国社会保险法》第八十七条：“社会保险经办机构以及医疗机构、药品经营单位等社会保险服务机构以欺诈、"
        "伪造证明材料或者其他手段骗取社会保险基金支出的，由社会保险行政部门责令退回骗取的社会保险金，处骗取金额二倍以上"
        "五倍以下的罚款。”第八十八条：“以欺诈、伪造证明材料或者其他手段骗取社会保险待遇的，由社会保险行政部门责令退回骗取"
        "的社会保险金，处骗取金额二倍以上五倍以下的罚款。”"
    )
    assert cited(cell) == [
        ("中华人民共和国社会保险法", None, "第八十七条"),
        ("中华人民共和国社会保险法", None, "第八十八条"),
    ]


def test_a_second_act_run_on_without_a_separator_and_stray_quotes():
    # http://mzj.gzlps.gov.cn/bmxxgk/zfxxgk_5712730/fdzdgknr/qzqd_5712737/202007/t20200729_61897279.html
    # (六盘水市民政局责任清单: its 设定依据 cell; copied without the ； between the two acts, as mirrors do)
    joined = (
        "《国务院对确需保留的行政审批项目设定行政许可的决定》（中华人民共和国国务院令第412号）第67条"
        "《假肢和矫形器（辅助器具）生产装配企业资格认定办法》（中华人民共和国民政部29号令）"
    )
    assert [(title, article) for title, _, article in cited(joined)] == [
        ("国务院对确需保留的行政审批项目设定行政许可的决定", "第67条"),
        ("假肢和矫形器（辅助器具）生产装配企业资格认定办法", None),
    ]
    # a cell wrapped in quotes, serials inside (“1.…；2.…”), or a title in ASCII quotes: the quotes cite nothing
    quoted = "“1.《社会团体登记管理条例》第三条；2.《中华人民共和国慈善法》第十条”"
    assert cited(quoted) == [("社会团体登记管理条例", None, "第三条"), ("中华人民共和国慈善法", None, "第十条")]
    assert cited('"《社会团体登记管理条例》第三条"') == [("社会团体登记管理条例", None, "第三条")]
    # a title quoted inside an article's wording starts no citation
    inside = "《中华人民共和国慈善法》第十条：“依照《社会团体登记管理条例》登记的社会团体……”"
    assert [title for title, _, _ in cited(inside)] == ["中华人民共和国慈善法"]


def test_a_locator_into_the_cited_document_that_is_no_article():
    # 设定依据 of a 行政许可 kept by 国务院令第412号: the item of its annex (the decision has no articles for them)
    # http://202.99.63.178/c/www/gkgwyqxhtzxzspsx/45826.jhtml (the decision: 附件 目录, 500 items)
    (basis,) = split_legal_bases("《国务院对确需保留的行政审批项目设定行政许可的决定》（国务院令第412号）附件第236项")
    assert (basis.doc_number, basis.article) == ("国务院令第412号", "附件第236项")
    (item,) = split_legal_bases("《国务院对确需保留的行政审批项目设定行政许可的决定》第236项")
    assert item.article == "第236项"
    # a 第…项 after words (not right after the title) points elsewhere: no article
    (loose,) = split_legal_bases("《国务院对确需保留的行政审批项目设定行政许可的决定》所列第236项")
    assert loose.article is None


# --- 3 and 5. text wrapped in a name; the category from the list's context ---

# https://ayjlrn.com/info/content/code/26177 (交通运输领域轻微违法行为依法免予处罚高频事项清单, copied from a PDF: the
# names keep the spaces of their line breaks; no category column, the title says what its items are)
MIANFA = (
    "某县交通运输局\n"
    "交通运输领域轻微违法行为依法免予处罚高频事项清单\n"
    "序号|事项名称|法律依据|适用条件(需同时满足)\n"
    "1|对车辆装载物触 地拖行、掉落、遗洒或者飘散，造成公路路面损 坏、污染的处罚。|《公路安全保护条例》 第六十九条"
    "|1、首次实施违法行为。\n"
    "2|对铁轮车、履带 车和其他可能损 害路面的机具擅 自在公路上行驶 的处罚。|《中华人民共和国公路法》 第七十六条第(四)项"
    "|1、首次实施违法行为。\n"
    "3|对未经批准在公 路用地范围内擅 自设置公路标志 以外的其他标志 的处罚。|《公路安全保护条例》 第六十五条"
    "|1、首次实施违法行为。\n"
)


def test_wrapping_spaces_in_a_name_are_joined_and_a_waiver_list_holds_penalties(mini, tmp_path):
    path = tmp_path / "mianfa.txt"
    path.write_text(MIANFA, encoding="utf-8")
    result = draft(path, "500238-jtj", mini, name="某县交通运输局", dry_run=True)
    powers = result.records["powers"]
    assert [p.name for p in powers] == [
        "对车辆装载物触地拖行、掉落、遗洒或者飘散，造成公路路面损坏、污染的处罚",
        "对铁轮车、履带车和其他可能损害路面的机具擅自在公路上行驶的处罚",
        "对未经批准在公路用地范围内擅自设置公路标志以外的其他标志的处罚",
    ]
    assert {p.category for p in powers} == {"行政处罚"}
    assert powers[1].review[0].raw.startswith("对铁轮车、履带 车")  # the name as printed stays in the review flag
    # spaces between Latin words stay
    assert tidy_name("对 ABC 公司 的处罚") == "对 ABC 公司的处罚"


def test_a_waiver_list_title_names_the_category_when_no_column_does():
    assert category_from_list("轻微违法行为免罚清单") == "行政处罚"
    assert category_from_list("從輕減輕行政處罰事項清單") == "行政处罚"
    assert category_from_list("首违不罚清单") == "行政处罚"
    assert category_from_list("行政许可事项清单") is None


def test_a_type_column_saying_public_service_makes_services(mini, tmp_path):
    # names from 大冶市医疗保障局's 基层政务公开 list (http://hbdaye.gov.cn/zfxxgk/fdgknr/jczwgkbzml/bmjczwgk/202412/
    # t20241218_1175834.html), with the 事项类型 column 政务服务事项 lists print (GB/T 39046: 20 公共服务)
    path = tmp_path / "services.txt"
    path.write_text(
        "大冶市医疗保障局依申请事项目录\n序号|事项名称|事项类型|实施主体\n"
        "1|基本医疗保险单位参保登记|公共服务|大冶市医疗保障局\n"
        "2|基本医疗保险职工参保登记|公共服务|大冶市医疗保障局\n"
        "3|城乡居民基本医疗保险参保登记|公共服务|大冶市医疗保障局\n",
        encoding="utf-8",
    )
    result = draft(path, "420281-ybj", mini, dry_run=True)
    assert "powers" not in result.records
    assert [s.category for s in result.records["services"]] == ["公共服务"] * 3


def test_a_drafted_name_joined_still_reports_its_split_words(mini, tmp_path):
    path = tmp_path / "mianfa.txt"
    path.write_text(MIANFA, encoding="utf-8")
    result = draft(path, "500238-jtj", mini, name="某县交通运输局")
    split = [f for f in result.findings if f.code == "split_word"]
    assert split and all(f.field.endswith(".name") for f in split)  # 损 害, 擅 自: the name as printed
    assert any("损害" in f.message for f in split)


def test_a_last_citation_cut_off_is_a_truncated_source(mini, tmp_path):
    # the same list as a PDF cut off in its last cell: the citation ends inside the act's title
    path = tmp_path / "cut.txt"
    path.write_text(MIANFA.rsplit("《公路安全保护条例》", 1)[0] + "《公路安全保护", encoding="utf-8")
    result = draft(path, "500238-jtj", mini, name="某县交通运输局")
    assert [d.kind for d in result.document.defects] == ["truncated"]
    assert "source_truncated" in {f.code for f in result.findings}


# --- 3. a flattened web table whose name cell ran into its category cell ---


def test_a_name_glued_to_its_category_in_a_flattened_table(mini, tmp_path):
    # names from 人社部's 告知承诺 notice (民办职业培训学校设立、分立、合并、变更及终止审批,
    # http://www.3hj0i2a3.cn/index.php/Shop/Index/newsDetail/art_id/274.html) and 浙江人社厅's 特殊工时制度审批
    # (https://hangzhou.baogaosu.com/xinwen/…/36004502); a 权力清单 page whose space after 权力类型 was lost
    path = tmp_path / "flat.txt"
    path.write_text(
        "某县人力资源和社会保障局权力清单\n"
        "序号 权力类型 权力名称 设定依据 实施主体\n"
        "1 行政许可民办职业培训学校设立、分立、合并、变更及终止审批 《中华人民共和国民办教育促进法》第十二条 "
        "某县人力资源和社会保障局\n"
        "2 行政许可 特殊工时制度审批 《中华人民共和国劳动法》第三十九条 某县人力资源和社会保障局\n"
        "3 行政处罚对用人单位违反劳动保障法律的处罚 《劳动保障监察条例》第二十五条 某县人力资源和社会保障局\n",
        encoding="utf-8",
    )
    powers = draft(path, "140429-rsj", mini, dry_run=True).records["powers"]
    assert [(p.name, p.category) for p in powers] == [
        ("民办职业培训学校设立、分立、合并、变更及终止审批", "行政许可"),
        ("特殊工时制度审批", "行政许可"),
        ("对用人单位违反劳动保障法律的处罚", "行政处罚"),
    ]
    assert [[b.article for b in p.legal_bases] for p in powers] == [["第十二条"], ["第三十九条"], ["第二十五条"]]


# --- 4. a guide's 办理流程 with nested headings, arrows; a block row of 无 ---

# https://rzrksm.com/szgm/132104/132215/306617/content/post_8497630.html (深圳市光明区 办事指南, its 办理流程:
# each step a
# numbered heading over its own lines or 1) 2) items)
GUANGMING = """某某事项办事指南
一、事项名称：某某事项
二、实施主体：深圳市光明区某局
三、办理流程：
1.申请
申请人向行政服务大厅递交或邮寄材料，行政服务大厅接收申请人提交申请后，如果不能当场进行审核与作出受理决定的，应进行登记并向申请人出具收件凭证。
2.受理(当场办理)
1)受理审核:实施机关当场对收到的申请材料，依据申请材料形式标准和申请材料目录，对申请人所提交的申请材料的准确性和完整性进行审查。
2)受理决定:申请材料符合受理条件的，实施机关应当场予以受理。
3.审核(当场办理)
主要采用书面审核方式，受理后当场由审核人进行审核。
4.审批(当场办理)
审批决定人员在完成全部审核环节后当场做出批准或不予批准的决定。
5.办结(当场办理)
行政审批决定作出后，制证工作人员应当场制作行政审批证件，盖好公章。
6.送达
申请人可以通过邮寄、自行领取、委托他人领取等方式领取结果。
四、咨询电话：0755-88211706
"""


def test_sub_headings_of_a_process_are_its_steps_not_their_details(mini, tmp_path):
    path = tmp_path / "guide.txt"
    path.write_text(GUANGMING, encoding="utf-8")
    (service,) = draft(path, "440311-gm", mini, dry_run=True).records["services"]
    (process,) = service.processes
    assert process.steps == ["申请", "受理(当场办理)", "审核(当场办理)", "审批(当场办理)", "办结(当场办理)", "送达"]
    assert "受理审核:实施机关当场" in service.note  # the details are kept, in the note


def test_steps_between_arrows(mini, tmp_path):
    # http://m.hunanyuer.com/baike/techan/892932.html (优待证 申领程序: boxes with ↓ between them)
    path = tmp_path / "arrows.txt"
    path.write_text(
        "退役军人和其他优抚对象优待证申领服务指南\n一、事项名称：退役军人和其他优抚对象优待证申领\n"
        "二、实施主体：某县退役军人事务局\n三、办理流程：\n镇(街)退役军人服务站受理\n↓\n"
        "县(市、区)、市、省三级退役军人事务部门逐级审核备案\n↓\n退役军人事务部、合作银行制卡\n↓\n"
        "县(市、区)退役军人服务中心签收证件\n↓\n镇(街)退役军人服务站负责发放\n",
        encoding="utf-8",
    )
    (service,) = draft(path, "140429-tyjr", mini, dry_run=True).records["services"]
    assert service.processes[0].steps == [
        "镇(街)退役军人服务站受理",
        "县(市、区)、市、省三级退役军人事务部门逐级审核备案",
        "退役军人事务部、合作银行制卡",
        "县(市、区)退役军人服务中心签收证件",
        "镇(街)退役军人服务站负责发放",
    ]
    # a chain on one line, with the arrows bureaus type (➝, —>)
    from qingdan.draft.guide import Node, _steps

    assert _steps([Node("申请➝受理➝审核➝办结", 1, None)])[0] == ["申请", "受理", "审核", "办结"]
    assert _steps([Node("申请—>受理—>决定", 1, None)])[0] == ["申请", "受理", "决定"]


def test_a_block_row_of_only_none_is_an_empty_value():
    from qingdan.draft.guide import _label_value_rows
    from qingdan.draft.model import Row, Table

    table = Table(
        [
            Row(["事项名称", "城乡居民参保登记"], "第1行", 1),
            Row(["收费标准", "收费标准"], "第2行", 2),
            Row(["无", "无"], "第3行", 3),
            Row(["办理时限", "即时办结"], "第4行", 4),
        ],
        "表1",
    )
    pairs = _label_value_rows(table)
    assert [label for label, _ in pairs] == ["事项名称", "收费标准", "办理时限"]


# --- 6. a chart's boxes alone under its title: a flow, its order flagged ---

# https://bbs.pinggu.org/thread-15090211-1-1.html (《市场监督管理行政处罚程序规定》流程图(普通程序), its text layer:
# the boxes in reading order, an arrow label 否 among them)
CHART = """《市场监督管理行政处罚程序规定》流程图(普通程序)
否
不予立案
立案
询问调查
抽样
先行登记保存
强制措施
案件调查终结
撰写调查终结报告
法制审核
行政处罚(听证)告知
陈述申辩
申请听证
负责人集体讨论
处理决定审批
行政处罚决定
送达
执行
审查决定
"""


def test_a_bare_chart_under_its_title_is_a_flow_with_its_order_flagged(mini, tmp_path):
    path = tmp_path / "chart.txt"
    path.write_text(CHART, encoding="utf-8")
    result = draft(path, "220721-scjg", mini, name="某县市场监督管理局", dry_run=True)
    assert list(result.records) == ["flows"] and result.document.kind == "行政职权运行流程图"
    (flow,) = result.records["flows"]
    assert [n.label for n in flow.nodes][:3] == ["不予立案", "立案", "询问调查"]  # as read; 否 is an arrow's label
    assert [n.label for n in flow.nodes][-1] == "审查决定"
    assert "ambiguous" in {f.problem for f in flow.review}  # 审查决定 after 执行: the order is uncertain
    # with the agency in its title, no --name is needed
    titled = tmp_path / "titled.txt"
    titled.write_text("某县市场监督管理局行政处罚程序流程图\n" + CHART.split("\n", 1)[1], encoding="utf-8")
    assert draft(titled, "220721-scjg", mini, dry_run=True).agency_name == "某县市场监督管理局"


def test_a_guide_or_a_list_is_no_bare_chart():
    from qingdan.draft.flowdoc import is_bare_chart

    # a generic title heads a file of charts, each named: read by `is_flowdoc`'s other rule
    assert not is_bare_chart(["某县医疗保障局行政职权运行流程图", "申请", "受理", "审查", "决定"])
    assert not is_bare_chart(["城乡居民参保登记办事指南", "办理流程图", "事项名称：x", "办理时限：y", "办理地点：z"])
    assert is_bare_chart(["某某审批流程图", "申请", "受理", "审查", "决定", "送达"])


def test_a_heading_naming_two_elements_shares_out_its_value():
    from qingdan.draft.guide import Line, Section, split_combined

    # 办理地点/时间: the label of 榆林's 办事指南 pages (http://zwfw.yl.gov.cn/yl-web-zwdt/epointzwmhwz/pages/legal/
    # personaleventdetail_new?taskguid=1190ecf3-cf6a-4b9c-a653-7bdb5f00a30a…); 办理时限及地点 as guides print it
    both = Section("办理地点/时间", None, [Line("榆林市政务服务中心二楼；周一至周五 上午9:00-12:00", 5)], [], 5)
    assert [(s.label, s.key, [x.text for x in s.lines]) for s in split_combined(both)] == [
        ("办理地点", "place", ["榆林市政务服务中心二楼"]),
        ("办理时间", "hours", ["周一至周五 上午9:00-12:00"]),
    ]
    limit = Section("办理时限及地点", None, [Line("即时办结。某县政务服务中心一楼5号窗口", 7)], [], 7)
    assert [(s.key, [x.text for x in s.lines]) for s in split_combined(limit)] == [
        ("time_limit", ["即时办结"]),
        ("place", ["某县政务服务中心一楼5号窗口"]),
    ]
    # one part only, or one element: the section as printed
    alone = Section("办理时限及地点", None, [Line("某县政务服务中心", 7)], [], 7)
    assert split_combined(alone) == [alone]


def test_a_guide_named_only_by_its_page_title(mini, tmp_path):
    # the 优待证 guide of http://m.hunanyuer.com/baike/techan/892932.html, as a 政务服务网 page prints a guide: its name
    # only in the page's <title> (事项名称_办事指南_site), the body a list of labels
    page = tmp_path / "guide.html"
    page.write_text(
        '<html><head><meta charset="utf-8"><title>退役军人和其他优抚对象优待证申领_办事指南_某县人民政府</title>'
        "</head><body><div>您当前的位置：首页>办事服务</div>"
        "<p>申领对象：</p><p>符合《退役军人、其他优抚对象优待证管理办法(试行)》有关规定的退役军人和烈士遗属、"
        "因公牺牲军人遗属、病故军人遗属等其他优抚对象。</p>"
        "<p>办理地点：</p><p>户籍地镇(街)退役军人服务站</p>"
        "<p>办理流程：</p><p>镇(街)退役军人服务站受理</p><p>↓</p><p>退役军人事务部、合作银行制卡</p>"
        "<p>实施主体：某县退役军人事务局</p></body></html>",
        encoding="utf-8",
    )
    result = draft(page, "140429-tyjr", mini, dry_run=True)
    (service,) = result.records["services"]
    assert service.name == "退役军人和其他优抚对象优待证申领"
    assert result.document.title == "退役军人和其他优抚对象优待证申领办事指南"
    assert service.processes[0].steps == ["镇(街)退役军人服务站受理", "退役军人事务部、合作银行制卡"]


def test_a_value_never_takes_in_the_next_label_on_its_line(mini, tmp_path):
    # the 深圳市光明区 guide's place and phone (https://rzrksm.com/szgm/132104/132215/306617/content/post_8497630.html),
    # two labels on one line as a copied page leaves them
    path = tmp_path / "guide.txt"
    path.write_text(
        "某某事项办事指南\n事项名称：某某事项\n实施主体：深圳市光明区某局\n"
        "办理时限：即时办结 办理地点：深圳市光明区牛山路与德雅路交汇处公共服务平台一楼区行政服务大厅\n"
        "咨询电话：0755-88211706\n",
        encoding="utf-8",
    )
    (service,) = draft(path, "440311-gm", mini, dry_run=True).records["services"]
    assert service.time_limit == "即时办结"
    assert service.place == "深圳市光明区牛山路与德雅路交汇处公共服务平台一楼区行政服务大厅"


def test_rows_whose_type_says_public_service_are_services_in_a_list_of_powers(mini, tmp_path):
    # a 权责清单 of 人社 with its 公共服务 rows: the permit of 人社部's notice (see above) and the services of 三门县's
    # 社会保险 list (http://www.sanmen.gov.cn/col/col1229468256/index.html)
    path = tmp_path / "mixed.txt"
    path.write_text(
        "某县人力资源和社会保障局权责清单\n序号|事项名称|事项类型|实施主体\n"
        "1|民办职业培训学校设立、分立、合并、变更及终止审批|行政许可|某县人力资源和社会保障局\n"
        "2|机关事业养老保险单位参保登记|公共服务|某县人力资源和社会保障局\n"
        "3|建筑项目工伤保险参保登记|公共服务|某县人力资源和社会保障局\n"
        "4|特殊工时制度审批|行政许可|某县人力资源和社会保障局\n",
        encoding="utf-8",
    )
    result = draft(path, "331022-rsj", mini, dry_run=True)
    assert [p.name for p in result.records["powers"]] == [
        "民办职业培训学校设立、分立、合并、变更及终止审批",
        "特殊工时制度审批",
    ]
    assert [(s.name, s.category) for s in result.records["services"]] == [
        ("机关事业养老保险单位参保登记", "公共服务"),
        ("建筑项目工伤保险参保登记", "公共服务"),
    ]
