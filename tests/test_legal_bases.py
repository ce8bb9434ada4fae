"""Legal bases as bureaus print them: document numbers with their year in any bracket, one entry per
cited article, and the findings for an article cited without its law and an incomplete 文号."""

from __future__ import annotations

import pytest

from qingdan.draft.legal import split_legal_bases
from qingdan.models import LegalBasis
from qingdan.validate import article_without_law, incomplete_doc_number, validate

from .conftest import MINI, edit, line_of


def entries(text: str) -> list[tuple]:
    return [(b.title, b.doc_number, b.article) for b in split_legal_bases(text)]


# --- document numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    ["宁政发【2013】84号", "川医保发[2019]31号", "琼府办〔2016〕299号", "冀政字﹝2019﹞28号", "宁政发（2013）84号"],
)
def test_a_document_number_with_its_year_in_brackets_is_one_number(number):
    text = f"《宁夏回族自治区人民政府关于进一步加强医疗保障工作的通知》（{number}）第三条"
    (basis,) = split_legal_bases(text)
    assert basis.title == "宁夏回族自治区人民政府关于进一步加强医疗保障工作的通知"
    assert basis.doc_number == number and basis.article == "第三条"
    assert basis.raw == text


def test_a_cell_that_is_only_a_document_number():
    (basis,) = split_legal_bases("宁政发【2013】84号")
    assert basis.doc_number == "宁政发【2013】84号" and basis.title == "宁政发【2013】84号"


def test_a_year_in_brackets_is_not_a_tag_but_kind_tags_still_separate():
    text = (
        "【法律】《中华人民共和国社会保险法》第八十八条：以欺诈、伪造证明材料骗取社会保险待遇的……"
        "【规范性文件】《关于印发医疗保障工作要点的通知》（宁政发【2013】84号）"
        "【行政法规】《医疗保障基金使用监督管理条例》（国务院令第735号）第四十条"
    )
    assert entries(text) == [
        ("中华人民共和国社会保险法", None, "第八十八条"),
        ("关于印发医疗保障工作要点的通知", "宁政发【2013】84号", None),
        ("医疗保障基金使用监督管理条例", "国务院令第735号", "第四十条"),
    ]
    assert split_legal_bases(text)[1].raw == "【规范性文件】《关于印发医疗保障工作要点的通知》（宁政发【2013】84号）"


def test_a_title_in_square_brackets_is_not_a_tag():
    (basis,) = split_legal_bases("【工伤保险条例】第十条")
    assert basis.title == "【工伤保险条例】" and basis.article == "第十条"


def test_an_order_number_with_its_year():
    (basis,) = split_legal_bases("《河北省医疗保障基金监督办法》（河北省人民政府令〔2015〕第12号）")
    assert basis.doc_number == "河北省人民政府令〔2015〕第12号"


# --- one entry per article ----------------------------------------------------------------


@pytest.mark.parametrize("joined", ["第八十七条、第八十八条", "第八十七条和第八十八条", "第八十七条，第八十八条"])
def test_two_articles_of_one_law_are_two_entries_with_the_citation_as_written(joined):
    text = f"《中华人民共和国社会保险法》{joined}"
    bases = split_legal_bases(text)
    assert [(b.title, b.article) for b in bases] == [
        ("中华人民共和国社会保险法", "第八十七条"),
        ("中华人民共和国社会保险法", "第八十八条"),
    ]
    assert all(b.raw == text for b in bases)


def test_articles_listed_under_one_tie_are_each_an_entry():
    bases = split_legal_bases("《中华人民共和国社会保险法》第八十七、八十八条")
    assert [b.article for b in bases] == ["第八十七条", "第八十八条"]
    assert all(b.raw == "《中华人民共和国社会保险法》第八十七、八十八条" for b in bases)


def test_a_range_of_articles_is_one_citation():
    (basis,) = split_legal_bases("《中华人民共和国社会保险法》第八十七条至第八十九条")
    assert basis.article == "第八十七条至第八十九条"


def test_paragraphs_of_one_article_are_one_entry():
    (basis,) = split_legal_bases("《中华人民共和国社会保险法》第二十条第一款、第二款")
    assert basis.article == "第二十条第一款、第二款"
    (item,) = split_legal_bases("《医疗保障基金使用监督管理条例》第三十八条第一款第（三）项")
    assert item.article == "第三十八条第一款第（三）项"


def test_articles_in_the_quoted_text_are_not_citations():
    text = "【法律】《中华人民共和国社会保险法》第八十八条：以欺诈骗取社会保险待遇的，依照第八十七条处罚"
    assert [b.article for b in split_legal_bases(text)] == ["第八十八条"]


def test_two_laws_each_with_several_articles():
    text = (
        "1.《中华人民共和国社会保险法》第八十七条、第八十八条；2.《医疗保障基金使用监督管理条例》第三十八条至第四十条"
    )
    assert entries(text) == [
        ("中华人民共和国社会保险法", None, "第八十七条"),
        ("中华人民共和国社会保险法", None, "第八十八条"),
        ("医疗保障基金使用监督管理条例", None, "第三十八条至第四十条"),
    ]


# --- article_without_law -------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["第十五条", "依据第三十条", "本法第十条、第十一条", "第二十条第一款"])
def test_a_cell_citing_only_an_article(cell):
    assert all(article_without_law(b) for b in split_legal_bases(cell))


@pytest.mark.parametrize(
    "cell",
    ["《中华人民共和国社会保险法》第八十八条", "中华人民共和国社会保险法第八十八条", "依据", "琼府办〔2016〕299号"],
)
def test_a_citation_naming_its_law(cell):
    assert not any(article_without_law(b) for b in split_legal_bases(cell))


def test_article_without_law_is_reported_once_per_citation(mini):
    path = edit(
        mini,
        "      - {title: 中华人民共和国社会保险法, article: 第八十八条}",
        "      - {title: 第八十七条, article: 第八十七条, raw: 第八十七条、第八十八条}\n"
        "      - {title: 第八十八条, article: 第八十八条, raw: 第八十七条、第八十八条}",
    )
    (problem,) = [p for p in validate(mini).findings if p.code == "article_without_law"]
    assert problem.record == "demo-power-b1" and problem.field == "powers[0].legal_bases[0]"
    assert problem.severity == "medium" and problem.line == line_of(path, "{title: 第八十七条")
    assert problem.message_zh == (
        "“对骗取医疗保障基金行为的处罚”的依据“第八十七条、第八十八条”只写了条款，未写明是哪部法律法规或文件的条款"
    )


# --- incomplete_doc_number ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("咸医保办发〔2023〕14", "咸医保办发〔2023〕14"),
        ("《咸阳市医疗保障局关于做好门诊慢特病工作的通知》（咸医保办发〔2023〕14）", "咸医保办发〔2023〕14"),
        ("《重庆市医疗保障定点管理办法》（渝府令第231）第三条", "渝府令第231"),
        ("咸医保办发〔2023〕号", "咸医保办发〔2023〕号"),
        ("《河北省医疗保障基金监督办法》（河北省人民政府令〔2015〕第12）", "河北省人民政府令〔2015〕第12"),
    ],
)
def test_incomplete_document_numbers(text, number):
    assert incomplete_doc_number(text) == number


@pytest.mark.parametrize(
    "text",
    [
        "琼府办〔2016〕299号",
        "咸医保办发〔2023〕14 号",
        "《医疗保障基金使用监督管理条例》（国务院令第735号）第四十条",
        "河北省人民政府令〔2015〕第12号",
        "渝府令第231号第三条",
        "编码各部分依次为：4位部门代码（3400）、类别字母",  # a year-like code after a name, not a number
    ],
)
def test_complete_document_numbers_and_other_brackets(text):
    assert incomplete_doc_number(text) is None


def test_a_number_field_without_its_serial():
    assert incomplete_doc_number("咸医保办发〔2023〕", number_field=True) == "咸医保办发〔2023〕"
    assert incomplete_doc_number(LegalBasis(title="x", doc_number="琼府办〔2016〕299号").doc_number) is None


def test_incomplete_doc_number_finding(mini):
    path = edit(mini, "doc_number: 琼府办〔2016〕299号}", "doc_number: 咸医保办发〔2023〕14}")
    (problem,) = [p for p in validate(mini).findings if p.code == "incomplete_doc_number"]
    assert problem.record == "demo-boundary-1" and problem.field == "boundaries[0].legal_bases[0].doc_number"
    assert problem.severity == "low" and problem.line == line_of(path, "咸医保办发〔2023〕14")
    assert "文号“咸医保办发〔2023〕14”不完整" in problem.message_zh


def test_an_incomplete_number_of_a_document_and_of_one_it_implements(mini):
    edit(
        mini,
        "    kind: 权责清单\n",
        "    kind: 权责清单\n    doc_number: 襄医保发〔2020〕\n    related:\n"
        "      - {relation: implements, title: 山西省医疗保障局关于印发权责清单的通知（晋医保发〔2019〕18）}\n",
    )
    problems = [p for p in validate(mini).findings if p.code == "incomplete_doc_number"]
    assert [(p.record, p.field) for p in problems] == [
        ("doc-mini", "documents[0].doc_number"),
        ("doc-mini", "documents[0].related[0].title"),
    ]
    assert "“襄医保发〔2020〕”" in problems[0].message_zh and "“晋医保发〔2019〕18”" in problems[1].message_zh


def test_the_clean_mini_registry_has_neither_finding():
    report = validate(MINI)
    assert report.ok
    assert not {"article_without_law", "incomplete_doc_number"} & {p.code for p in report.findings}


# --- a power's category from its name (tables.category_from_name) ----------------------------


@pytest.mark.parametrize(
    ("name", "category"),
    [  # names as printed in the seeds' lists
        ("对以欺诈、伪造证明材料或者其他手段骗取医疗保险、生育保险待遇的处罚", "行政处罚"),
        (
            "对缴费单位未按照规定办理社会保险登记、变更登记或者注销登记，或者未按照规定申报应缴纳的城镇职工医疗保险费数额的处罚",
            "行政处罚",
        ),
        ("对采取虚报、隐瞒、伪造等手段，骗取医疗救助资金的处罚", "行政处罚"),
        ("对定点医疗机构、定点药店的监督检查", "行政检查"),
        ("医疗保险稽核", "行政检查"),
        ("基本医疗保险待遇的支付", "行政给付"),
        ("生育保险津贴、生育医疗费和产前检查费支付", "行政给付"),
        ("参保单位参加社会保险登记", "行政确认"),
        ("对医疗保险基金违法违规行为提供主要事实和证据的举报人的奖励", "行政奖励"),
        ("对可能被转移、隐匿或者灭失的医疗保险基金相关资料进行封存", "行政强制"),
        ("对企业未足额缴纳职工医疗保险费、生育保险费加收滞纳金", "行政强制"),
        ("定点医药机构的许可", "行政许可"),
        ("社会保险费的征收", "行政征收"),
        ("医疗保障行政争议的裁决", "行政裁决"),
        ("对纳入基本医疗保险基金支付范围的医疗服务行为和医疗费用加强监督管理", None),  # 支付范围: not the head
        ("对纳入医疗保障范围的价格违法违规行为的查处", None),
        ("异地就医备案", None),
    ],
)
def test_category_from_name(name, category):
    from qingdan.draft.tables import category_from_name

    assert category_from_name(name) == category


def test_power_category_takes_the_name_when_the_column_is_empty():
    from qingdan.draft.tables import power_category

    name = "对定点医疗机构、定点药店的监督检查"
    assert power_category("襄垣县医疗保障局权责清单", None, name) == "行政检查"  # the title says nothing
    assert power_category("权责清单（行政许可、行政处罚、行政检查）", None, name) == "行政检查"  # several
    assert power_category("行政处罚事项清单", None, name) == "行政处罚"  # the list's own heading
    assert power_category("行政确认类", "行政给付", name) == "行政给付"  # the code letter first
    assert power_category("襄垣县医疗保障局权责清单", None, "异地就医备案") is None
    assert power_category("其他行政权力", None, "异地就医备案") == "其他行政权力"


def test_a_drafted_list_without_a_category_column(mini, tmp_path):
    """End to end: a list printing no category gets it from each name; its citations are split per
    article and the defects of its citations are findings of the drafted records."""
    from qingdan.draft import draft

    source = tmp_path / "list.txt"
    source.write_text(
        "咸阳市医疗保障局权责清单\n"
        "| 序号 | 职权名称 | 实施主体 | 设定依据 |\n"
        "| 1 | 对以欺诈手段骗取医疗保障基金支出的处罚 | 咸阳市医疗保障局 | "
        "《中华人民共和国社会保险法》第八十七条、第八十八条 |\n"
        "| 2 | 对定点医药机构的监督检查 | 咸阳市医疗保障局 | 第十五条 |\n"
        "| 3 | 医疗救助费用的支付 | 咸阳市医疗保障局 | 《关于做好医疗救助工作的通知》（咸医保办发〔2023〕14） |\n",
        encoding="utf-8",
    )
    result = draft(source, "610400-xy", mini, name="咸阳市医疗保障局")
    powers = result.records["powers"]
    assert [p.category for p in powers] == ["行政处罚", "行政检查", "行政给付"]
    assert [b.article for b in powers[0].legal_bases] == ["第八十七条", "第八十八条"]
    found = {(f.code, f.record) for f in result.findings}
    assert ("article_without_law", powers[1].id) in found
    assert ("incomplete_doc_number", powers[2].id) in found
    assert not {("article_without_law", powers[0].id), ("incomplete_doc_number", powers[0].id)} & found


# --- national item codes (kinds.read_code): malformed ones are findings ------------------------

CREDIT = "91110000600037341L"  # a 统一社会信用代码 whose check character is right (python-stdnum cn.uscc)


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("000201001000", None),  # 基本编码: 02 行政处罚
        ("009901001000", "第3–4位“99”不是事项类型代码"),
        (CREDIT + "4" + "000201001000", None),  # 实施编码 of 31
        (CREDIT[:-1] + "X" + "4" + "000201001000", "统一社会信用代码校验位不符"),
        (CREDIT + "9" + "000201001000", "行使层级代码“9”不在 1–7 之内"),
    ],
)
def test_malformed_item_code_finding(mini, code, problem):
    edit(mini, "code: 3400-B-00100-140423\n    code_scheme: sx-demo\n", f"code: '{code}'\n")
    found = [p for p in validate(mini).findings if p.code == "malformed_item_code"]
    if problem is None:
        assert found == []
    else:
        (finding,) = found
        assert finding.record == "demo-power-b1" and problem in finding.message_zh
