"""A record's page as its reader needs it (issue 23): what it shows follows its kind of matter, from one
table (qingdan/kinds.py); what the source did not give is named once; a machine draft says so at
the top and no editor's instruction reaches a public page; titles without serials; one code.

The registry used: the mini fixture, a real bureau's list drafted into it (`qingdan draft` of
tests/fixtures/draft/xiangyuan-powers.docx and xiangyuan-guide.txt), and a few records written here for
the kinds the fixtures lack (a 许可, a 处罚 and a 检查 with source columns kept verbatim by the importer).
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import typing
from pathlib import Path

import pytest

from qingdan import kinds
from qingdan.draft import draft
from qingdan.models import PowerCategory
from qingdan.site import guides
from qingdan.site.context import SiteContext
from qingdan.urls import page_url
from qingdan.validate import validate

from .browser_support import outside_requests, require_dot
from .conftest import FIXTURES, MINI

INSTRUCTION = "由 qingdan draft 从源文件自动提取，请对照原件核对后删去本标记"
DRAFT_LINE = "机器从原件初步整理，尚未经人工核对"

EXTRA = """
powers:
  - id: demo-power-licence
    agency: demo-ybj
    code: "000101001000"
    category: 行政许可
    category_raw: 行政许可类
    name: 1.定点医药机构服务协议资格审核
    applicants: 本县行政区域内的医疗机构、零售药店
    conditions: [取得医疗机构执业许可证]
    materials:
      - {name: 申请书}
    time_limit: 20个工作日
    fees: 不收费
    place: 县政务服务中心医保窗口
    channels:
      - {kind: window, detail: 县政务服务中心二楼医保窗口}
    legal_bases:
      - {title: 医疗机构医疗保障定点管理暂行办法, article: 第十条}
    handling:
      - {unit: demo-ybj-dy, raw: 待遇股}
    phones:
      - {number: "0355-7794581", kind: consulting}
    source: {document: doc-mini, locator: 行政许可 序号1, line: 5}
  - id: demo-power-penalty-cols
    agency: demo-ybj
    category: 行政处罚
    category_raw: 行政处罚类
    name: 2、对定点医药机构违规使用医保基金行为的处罚
    legal_bases:
      - {title: 医疗保障基金使用监督管理条例, article: 第三十八条}
    handling:
      - {unit: demo-ybj-jjjg, raw: 基金监管股}
    note: "源文件中未对应字段的栏目——裁量基准：情节轻微的，责令改正；\\
      救济途径：行政复议：县人民政府，60日内；行政诉讼：县人民法院，6个月内"
    source: {document: doc-mini, locator: 行政处罚 序号2, line: 6}
  - id: demo-power-check-cols
    agency: demo-ybj
    category: 行政检查
    category_raw: 行政检查类
    name: （一）对定点医药机构的日常检查
    handling:
      - {unit: demo-ybj-jjjg, raw: 基金监管股}
    note: 源文件中未对应字段的栏目——检查频次：每年不少于一次；追责情形：不履行或不正确履行行政职责的，依法追究责任
    source: {document: doc-mini, locator: 行政检查 序号1, line: 7}
services:
  - id: demo-service-noted
    agency: demo-ybj
    name: 医保关系转移接续
    category: 公共服务
    time_limit: 15个工作日
    place: 县政务服务中心
    note: 编辑据县局官网核实窗口地址
    source: {document: doc-mini, locator: 公共服务 序号3 事项编码 S-0003, line: 17}
"""


@pytest.fixture(scope="module")
def registry(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("record-page") / "registry"
    shutil.copytree(MINI, root)
    (root / "demo-extra").mkdir()
    (root / "demo-extra" / "registry.yaml").write_text(EXTRA, encoding="utf-8")
    draft(FIXTURES / "draft" / "xiangyuan-powers.docx", "140423-xy", root)
    draft(FIXTURES / "draft" / "xiangyuan-guide.txt", "140423-guide", root, name="襄垣县医疗保障局")
    draft(FIXTURES / "draft" / "hengshui-list.pdf", "131100-hs", root)  # duties, boundaries, services
    return root


@pytest.fixture(scope="module")
def ctx(registry) -> SiteContext:
    report = validate(registry)
    assert report.ok, [e.format() for e in report.errors]
    return SiteContext(report)


@pytest.fixture(scope="module")
def built(registry, tmp_path_factory) -> Path:
    """`qingdan build` of the registry: database, downloads and site."""
    from qingdan.build import build

    require_dot()
    dist = tmp_path_factory.mktemp("record-page-dist") / "dist"
    assert build(registry, dist, version="test").report.ok
    return dist / "site"


def _page(ctx: SiteContext, record_id: str) -> str:
    kind = ctx.registry.entries[record_id].kind
    return guides.guide_page(ctx, ctx.registry.get(record_id), kind)


def _h2(page: str) -> list[str]:
    return re.findall(r"^## .*\{#([a-z-]+)\}$", page, re.MULTILINE)


def _section(page: str, anchor: str) -> str:
    """From the heading with this anchor to the next heading of the same or a higher level."""
    match = re.search(rf"^(#+) .*\{{#{anchor}\}}$", page, re.MULTILINE)
    assert match, anchor
    rest = page[match.end() :]
    end = re.search(rf"^#{{1,{len(match.group(1))}}} ", rest, re.MULTILINE)
    return rest[: end.start() if end else None]


def _missing(page: str) -> list[str]:
    found = re.findall(r'<p class="qd-missing">源文件未载明：(.*?)</p>', page)
    assert len(found) <= 1, "the missing elements are named in one line"
    return found[0].split("、") if found else []


def _first(page: str) -> str:
    found = re.search(r'<p class="qd-summary">(.*?)</p>', page)
    return found.group(1) if found else ""


def _json_ld(page: str) -> dict:
    return json.loads(re.search(r'ld\+json">(.*?)</script>', page).group(1))


# --- the table ----------------------------------------------------------------------------------


def test_kinds_of_matter_are_the_national_types_with_their_codes():
    assert kinds.MATTER_TYPES == {
        "行政许可": "01",
        "行政处罚": "02",
        "行政强制": "03",
        "行政征收": "04",
        "行政给付": "05",
        "行政检查": "06",
        "行政确认": "07",
        "行政奖励": "08",
        "行政裁决": "09",
        "其他行政权力": "10",
        "公共服务": "20",
    }
    assert set(kinds.MATTERS) == set(kinds.MATTER_TYPES)
    assert set(typing.get_args(PowerCategory)) <= set(kinds.MATTERS)
    assert {k: m.code for k, m in kinds.MATTERS.items()} == kinds.MATTER_TYPES


def test_every_element_of_the_table_is_drawn_and_every_page_opens_with_what_it_is():
    assert set(guides.RENDER) == set(kinds.ELEMENTS)
    for matter in kinds.MATTER_LIST:
        assert matter.parts[0].anchor == "qd-basic", matter.name
        assert len(set(matter.elements)) == len(matter.elements), matter.name
        anchors = [p.anchor for p in matter.parts] + [kinds.ELEMENTS[k].anchor for k in matter.elements]
        assert len(set(anchors)) == len(anchors), matter.name
        assert set(matter.first) <= set(matter.elements), matter.name
        assert set(matter.others).isdisjoint(matter.elements)


def test_kind_of_a_service_is_its_category_where_it_names_a_type():
    from qingdan.models import PublicService, Source

    def service(category):
        source = Source(document="d", locator="x")
        return PublicService(id="s", agency="a", name="n", category=category, source=source)

    assert kinds.matter_of(service("行政给付类")).code == "05"
    assert kinds.matter_of(service("行政确认")).code == "07"
    assert kinds.matter_of(service("公共服务")).code == "20"
    assert kinds.matter_of(service(None)).code == "20"
    assert kinds.matter_of(service("便民服务")).code == "20"


@pytest.mark.parametrize(
    ("printed", "title"),
    [
        ("1.对骗取医疗保险基金个人的处罚", "对骗取医疗保险基金个人的处罚"),
        ("12、医疗救助", "医疗救助"),
        ("（三）对定点医药机构的检查", "对定点医药机构的检查"),
        ("三、基本医疗保险参保登记", "基本医疗保险参保登记"),
        ("2) 生育津贴支付", "生育津贴支付"),
        ("第3项：异地就医备案", "异地就医备案"),
        ("事项名称：异地就医备案", "异地就医备案"),
        ("1.5倍以下罚款的处罚", "1.5倍以下罚款的处罚"),
        ("12345热线工单办理", "12345热线工单办理"),
        ("一次性告知", "一次性告知"),
        ("1.", "1."),
    ],
)
def test_titles_lose_serials_and_labels_only(printed, title):
    assert kinds.reader_title(printed) == title


def test_national_item_codes_are_recognised_and_checked():
    credit = "91110000600037341L"  # a unified social credit code whose check character is right
    basic = kinds.read_code("000101001000")
    assert (basic.kind, basic.type_code, basic.problem) == ("基本编码", "01", None)
    assert kinds.read_code("009901001000").problem == "第3–4位“99”不是事项类型代码"
    implementing = kinds.read_code(credit + "4" + "000201001000")
    assert (implementing.kind, implementing.level_code, implementing.type_code) == ("实施编码", "4", "02")
    assert implementing.problem is None
    assert kinds.read_code(credit + "4" + "000102001000" + "01").kind == "实施编码"  # 33: with a suffix
    wrong = kinds.read_code(credit[:-1] + "M" + "4" + "000102001000")
    assert "统一社会信用代码校验位不符" in wrong.problem
    assert "行使层级代码“9”" in kinds.read_code(credit + "9" + "000102001000").problem
    assert kinds.read_code("3400-B-00500-140423").kind == "职权编码"  # a province's own scheme, kept


def test_source_columns_kept_by_the_importer_are_read_back_as_printed(ctx):
    record = ctx.registry.get("demo-power-penalty-cols")
    assert kinds.source_columns(record) == [
        ("裁量基准", "情节轻微的，责令改正"),
        ("救济途径", "行政复议：县人民政府，60日内"),
        ("行政诉讼", "县人民法院，6个月内"),
    ]
    assert kinds.editor_note(record) is None
    penalty = kinds.MATTERS["行政处罚"]
    labels = ("处罚依据", "裁量依据", "追责依据", "行使层级")
    owners = {label: kinds.owner_of_column(label, penalty) for label in labels}
    assert owners == {"处罚依据": "legal_basis", "裁量依据": "discretion", "追责依据": None, "行使层级": "level"}
    assert kinds.editor_note(ctx.registry.get("demo-service-noted")) == "编辑据县局官网核实窗口地址"


# --- pages ----------------------------------------------------------------------------------------


def test_a_penalty_shows_its_article_enforcer_discretion_and_remedies_and_nothing_empty(ctx):
    page = _page(ctx, "demo-power-penalty-cols")
    assert _h2(page) == [
        "qd-basic",
        "qd-basis",
        "qd-enforcer",
        "qd-discretion",
        "qd-remedies",
        "qd-source",
    ]  # no 执法程序 and no 监督和投诉: the source gives neither
    assert _missing(page) == ["执法程序", "监督投诉渠道"]
    first = re.search(r'<p class="qd-summary">(.*?)</p>', page).group(1)
    assert "处罚依据：《医疗保障基金使用监督管理条例》第三十八条" in first and "执法机构：基金监管股" in first
    for anchor in ("qd-discretion", "qd-remedies"):
        assert "源文件原文" in _section(page, anchor)
    assert "情节轻微的，责令改正" in _section(page, "qd-discretion")
    remedies = _section(page, "qd-remedies")
    assert "《中华人民共和国行政处罚法》第七条" in remedies and "（法律规定，非源文件内容）" in remedies
    assert "县人民政府，60日内" in remedies and "县人民法院，6个月内" in remedies
    assert "编者注" not in page
    for anchor in ("qd-applicants", "qd-materials", "qd-fees", "qd-place", "qd-flowchart"):
        assert "{#" + anchor + "}" not in page, anchor
    assert '<h1 id="qd-title">对定点医药机构违规使用医保基金行为的处罚</h1>' in page
    assert '<p class="qd-kicker">行政处罚 · ' in page


def test_the_page_follows_the_table_not_template_branches(ctx, monkeypatch):
    """Reordering a kind's parts in the table reorders its pages; nothing else decides."""
    penalty = kinds.MATTERS["行政处罚"]
    reordered = kinds.Matter(
        penalty.name,
        penalty.facts,
        (penalty.parts[0], *reversed(penalty.parts[1:])),
        penalty.first,
        penalty.labels,
        penalty.optional,
        penalty.remedy,
    )
    monkeypatch.setitem(kinds.MATTERS, "行政处罚", reordered)
    page = _page(ctx, "demo-power-penalty-cols")
    assert _h2(page) == ["qd-basic", "qd-remedies", "qd-discretion", "qd-enforcer", "qd-basis", "qd-source"]


def test_a_licence_shows_the_guide_elements_with_a_title_without_serial_and_its_code(ctx):
    record = ctx.registry.get("demo-power-licence")
    page = _page(ctx, record.id)
    assert _h2(page) == ["qd-basic", "qd-materials", "qd-steps", "qd-place", "qd-basis", "qd-source"]
    assert _missing(page) == ["监督投诉渠道"]
    assert '<h1 id="qd-title">定点医药机构服务协议资格审核</h1>' in page
    assert '清单所列名称：</strong><span class="qd-raw">1.定点医药机构服务协议资格审核</span>' in page
    assert record.name == "1.定点医药机构服务协议资格审核"  # kept raw in the registry
    first = re.search(r'<p class="qd-summary">(.*?)</p>', page).group(1)
    assert first == "办理方式：窗口办理 · 办理地点：县政务服务中心医保窗口 · 办理时限：20个工作日"
    facts = _section(page, "qd-basic")
    assert '<span class="qd-code">01</span> 行政许可' in facts
    assert "<code>000101001000</code>" in facts and "（基本编码）" in facts
    assert _json_ld(page)["identifier"] == "000101001000"
    assert _json_ld(page)["name"] == "定点医药机构服务协议资格审核"


def test_an_inspection_shows_what_how_often_and_by_whom_from_the_source_columns(ctx):
    page = _page(ctx, "demo-power-check-cols")
    assert _h2(page)[:2] == ["qd-basic", "qd-check"]
    check = _section(page, "qd-check")
    assert "每年不少于一次" in _section(page, "qd-frequency") and "源文件原文" in check
    assert "基金监管股" in _section(page, "qd-handling")
    assert "检查频次：每年不少于一次" in re.search(r'<p class="qd-summary">(.*?)</p>', page).group(1)
    others = _section(page, "qd-source-columns")  # the column no element calls for, as printed
    assert "不履行或不正确履行行政职责的，依法追究责任" in others and "源文件原文（“追责情形”栏）" in others
    assert _missing(page) == ["检查内容", "检查依据", "监督投诉渠道"]


def test_one_code_is_shown_the_same_everywhere_on_the_page(ctx):
    page = _page(ctx, "demo-service-noted")  # no code field: the code its source's place names
    assert "<code>S-0003</code>" in _section(page, "qd-basic")
    assert _json_ld(page)["identifier"] == "S-0003"
    assert "未印编码" not in page and "事项编码" not in _missing(page)
    drafted = _page(ctx, "140423-xy-power-10")
    code = ctx.registry.get("140423-xy-power-10").code
    assert re.findall(r"<code>([^<]*)</code>", drafted) == [code]
    assert _json_ld(drafted)["identifier"] == code
    assert "未印编码" not in drafted


def test_the_line_under_the_title_falls_back_to_the_phone(ctx):
    from qingdan.models import Phone

    noted = ctx.registry.get("demo-service-noted")
    assert _first(_page(ctx, noted.id)) == "办理地点：县政务服务中心 · 办理时限：15个工作日"
    bare = noted.model_copy(update={"place": None, "time_limit": None, "phones": [Phone(number="0355-7794581")]})
    assert _first(guides.guide_page(ctx, bare, "service")) == "咨询电话：0355-7794581"
    with_place = bare.model_copy(update={"place": "县政务服务中心"})
    assert _first(guides.guide_page(ctx, with_place, "service")) == "办理地点：县政务服务中心"


def test_an_editors_note_is_a_note_and_source_columns_are_source_text(ctx):
    page = _page(ctx, "demo-service-noted")
    assert "编者注（非源文件内容）：</strong>编辑据县局官网核实窗口地址" in page
    assert "源文件原文" not in page
    assert "编者注" not in _page(ctx, "demo-power-check-cols")


def test_a_drafted_record_opens_with_the_draft_line_and_no_instruction(ctx):
    for record_id in ("140423-xy-power-10", "140423-xy-power-18", "140423-guide-service-1"):
        page = _page(ctx, record_id)
        top = page[: page.index("\n## ")]
        assert DRAFT_LINE in top, record_id
        assert 'href="../../sources/doc-' in re.search(r'<p class="qd-draft".*?</p>', top).group(0)
        assert INSTRUCTION not in page and "删去本标记" not in page
        assert "qingdan draft" not in page  # the draft finding is in the quality report, not on the guide
    assert DRAFT_LINE not in _page(ctx, "demo-power-licence")


def test_a_drafted_penalty_names_what_is_missing_in_one_line(ctx):
    record = ctx.registry.get("140423-xy-power-10")
    page = _page(ctx, record.id)
    assert _missing(page) == kinds.missing(record) == ["处罚依据", "执法程序", "监督投诉渠道"]
    article = page[: page.index("{#qd-source}")]
    assert article.count("源文件未载明") == 1
    assert "《中华人民共和国行政处罚法》第七条" in _section(page, "qd-remedies")


def test_elements_the_models_gain_are_shown_where_given(ctx):
    """Evidence.copies and .mandatory, GuideRecord.result and .hours (being added to the models) show where
    a record has them; until then nothing asks for them."""
    from qingdan import models

    class Evidence(models.Evidence):
        copies: str | None = None
        mandatory: bool | None = None

    class Power(models.Power):
        field_order = tuple(dict.fromkeys((*models.Power.field_order, "result", "hours")))
        materials: list[Evidence] = []
        result: str | None = None
        hours: str | None = None

    licence = ctx.registry.get("demo-power-licence")
    data = {**licence.model_dump(), "result": "医疗保障定点服务协议", "hours": "工作日 9:00-17:00"}
    data["materials"] = [{"name": "申请书", "copies": "原件1份", "mandatory": True}]
    page = guides.guide_page(ctx, Power(**data), "power")
    assert "医疗保障定点服务协议" in _section(page, "qd-result")
    assert "工作日 9:00-17:00" in _section(page, "qd-hours")
    assert '申请书<span class="qd-muted">（份数：原件1份；必备）</span>' in _section(page, "qd-materials")
    assert "办理结果" not in _missing(page) and "办理时间" not in _missing(page)


# --- the built site --------------------------------------------------------------------------------


def _public_texts(site: Path):
    """Every published text of the site (pages, feeds, scripts, search fragments), but the data
    downloads (downloads/: the registry's own tables, with the review flags as editors wrote them)."""
    for path in sorted(site.rglob("*")):
        if not path.is_file() or path.relative_to(site).parts[0] == "downloads":
            continue
        data = path.read_bytes()
        if path.suffix == ".pf_fragment":
            data = gzip.decompress(data)
        yield path, data.decode("utf-8", errors="replace")


@pytest.mark.slow
def test_no_editor_instruction_anywhere_in_the_built_site(built, registry):
    assert INSTRUCTION in (registry / "140423-xy" / "powers.yaml").read_text(encoding="utf-8")  # kept there
    texts = dict(_public_texts(built))
    assert len(texts) > 50
    assert any(p.suffix == ".pf_fragment" for p in texts), "the search index was checked too"
    leaked = [str(p.relative_to(built)) for p, t in texts.items() if INSTRUCTION in t or "删去本标记" in t]
    assert leaked == []
    boundary = (built / "boundaries" / "131100-hs-boundary-1" / "index.html").read_text(encoding="utf-8")
    top = boundary[boundary.index("<article") : boundary.index('id="qd-parties"')]
    assert DRAFT_LINE in top and 'href="../../sources/doc-131100-hs/#L' in top
    assert "自动起草" not in boundary  # the draft finding: on the agency page and in the quality report
    agency = (built / "agencies" / "140423-xy" / "index.html").read_text(encoding="utf-8")
    assert "本机构的清单由机器从原件初步整理，尚未经人工核对" in agency
    # the editors' side stays with the data's quality: the draft finding on the agency's list of findings
    assert "条记录由 qingdan draft 从源文件 doc-140423-xy 自动起草，尚未经人工核对" in agency


@pytest.mark.slow
def test_lists_name_records_as_readers_read_them(built):
    for listing in ("guides/index.html", "agencies/demo-ybj/index.html"):
        html = (built / listing).read_text(encoding="utf-8")
        # linked by the reader's title (findings still quote the name as printed, as their message says)
        assert ">定点医药机构服务协议资格审核</a>" in html and ">1.定点医药机构" not in html, listing
        assert ">对定点医药机构的日常检查</a>" in html and ">（一）对定点" not in html, listing


# --- completeness, for auditors ------------------------------------------------------------------------


def _count_from_pages(site: Path, registry) -> dict[tuple[str, str], list[int]]:
    """(agency, kind) → [records, expected, given], counted from the published guide pages: the kind in
    the line under the title, the elements not given in the 源文件未载明 line."""
    counts: dict[tuple[str, str], list[int]] = {}
    for kind in ("power", "service"):
        for record in registry.of(kind):
            html = (site / page_url(kind, record.id) / "index.html").read_text(encoding="utf-8")
            matter = re.search(r'<p class="qd-kicker">([^ <]+) · ', html).group(1)
            line = re.search(r'<p class="qd-missing">源文件未载明：(.*?)</p>', html)
            absent = len(line.group(1).split("、")) if line else 0
            expected = len(kinds.MATTERS[matter].expected)
            row = counts.setdefault((record.agency, kinds.MATTER_TYPES[matter]), [0, 0, 0])
            row[0] += 1
            row[1] += expected
            row[2] += expected - absent
    return counts


@pytest.mark.slow
def test_completeness_table_query_and_chart_agree_with_a_count_of_the_pages(built, ctx):
    import sqlite3

    from qingdan.datasette_setup import metadata

    counted = _count_from_pages(built, ctx.registry)
    db = sqlite3.connect(built.parent / "qingdan.db")
    table = {
        (agency, kind): [records, expected, given]
        for agency, kind, records, expected, given in db.execute(
            "select agency, matter_type, records, expected, given from completeness"
        )
    }
    assert table == counted
    assert ("demo-ybj", "01") in table and ("140423-xy", "02") in table  # agencies side by side by kind
    query = metadata()["databases"]["qingdan"]["queries"]["completeness_by_kind"]["sql"]
    penalties = db.execute(query, {"kind": "行政处罚"}).fetchall()
    assert {(r[2], r[3], r[4], r[5]) for r in penalties} == {
        (ctx.registry.get(agency).name, *counted[agency, "02"]) for agency, kind in counted if kind == "02"
    }
    assert len(db.execute(query, {"kind": ""}).fetchall()) == len(counted)

    quality = (built / "quality" / "index.html").read_text(encoding="utf-8")
    svg = re.search(r'<svg class="qd-chart".*?</svg>', quality, re.DOTALL).group(0)
    assert "<script" not in svg and 'role="img"' in svg and "<title" in svg and "<desc" in svg
    bars = re.findall(r'class="qd-chart-bar" x="[\d.]+" y="[\d.]+" width="([\d.]+)"', svg)
    track = float(re.search(r'class="qd-chart-track" x="[\d.]+" y="[\d.]+" width="([\d.]+)"', svg).group(1))
    expected_bars = sorted(given / expected for _, expected, given in counted.values())
    assert sorted(float(w) / track for w in bars) == pytest.approx(expected_bars, abs=0.001)
    numbers = re.search(r'<table class="qd-completeness-table">.*?</table>', quality, re.DOTALL).group(0)
    cells = re.findall(r"<tr><td>(\d\d) [^<]*</td><td>.*?</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>", numbers)
    assert sorted((k, int(r), int(e), int(g)) for k, r, e, g in cells) == sorted(
        (kind, *values) for (_, kind), values in counted.items()
    )


@pytest.mark.slow
def test_the_quality_report_sums_up_and_each_agency_lists_its_own(built, ctx):
    findings = ctx.report.findings
    agencies = {a.id for a in ctx.registry.of("agency")}
    quality = (built / "quality" / "index.html").read_text(encoding="utf-8")
    article = quality[quality.index("<article") : quality.index("</article>")]
    # its first part: totals, the chart, by agency, by kind; no list of all findings
    order = [article.index(x) for x in ("共 ", 'class="qd-chart"', 'id="qd-summary"', 'id="qd-codes"')]
    assert order == sorted(order)
    homeless = [f for f in findings if f.agency not in agencies]
    rows = re.findall(r'<table class="qd-findings">.*?</table>', article, re.DOTALL)
    assert sum(r.count("<tr>") - 1 for r in rows) == len(homeless)
    assert "/qingdan/quality_findings?code=draft" in article  # each kind of finding, in Datasette
    for agency in {f.agency for f in findings if f.agency in agencies}:
        assert f'href="../agencies/{agency}/#q-{agency}"' in article
        page = (built / "agencies" / agency / "index.html").read_text(encoding="utf-8")
        own = [f for f in findings if f.agency == agency]
        listed = re.findall(r'<table class="qd-findings">.*?</table>', page, re.DOTALL)
        assert sum(r.count("<tr>") - 1 for r in listed) == len(own), agency
        assert f'id="q-{agency}"' in page and f"quality_findings?agency={agency}" in page


# --- in a browser, on a phone -----------------------------------------------------------------------

FIRST_SCREEN = """() => {
  const box = el => {
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom};
  };
  const article = document.querySelector('article');
  const sections = [...article.querySelectorAll('h2')].map(h => {
    let text = '', el = h.nextElementSibling;
    while (el && el.tagName !== 'H2') { text += el.textContent; el = el.nextElementSibling; }
    return {id: h.id, text: text.trim()};
  });
  return {
    innerWidth, innerHeight, docWidth: document.documentElement.scrollWidth,
    title: box(article.querySelector('h1')), titleText: article.querySelector('h1').textContent.trim(),
    kicker: box(article.querySelector('.qd-kicker')), kickerText: article.querySelector('.qd-kicker').textContent,
    draft: box(article.querySelector('.qd-draft')),
    first: box(article.querySelector('.qd-summary')),
    firstText: (article.querySelector('.qd-summary') || {}).textContent || '',
    sections,
  };
}"""

# record, its kind, what the line under its title starts with
PHONE_PAGES = [
    ("demo-power-licence", "行政许可", "办理方式："),
    ("demo-power-penalty-cols", "行政处罚", "处罚依据："),
    ("demo-service-1", "公共服务", "办理方式："),
    ("140423-xy-power-10", "行政处罚", "执法机构："),
    ("140423-guide-service-1", "行政给付", "办理时限："),
]


@pytest.fixture(scope="module")
def served(built, serve) -> str:
    return serve(built)


@pytest.mark.browser
@pytest.mark.slow
def test_quality_report_first_screen_at_desktop_width(served, new_page):
    from axe_playwright_python.sync_playwright import Axe

    page = new_page("desktop")
    page.goto(served + "quality/")
    state = page.evaluate("""() => ({
      height: document.documentElement.scrollHeight, innerHeight,
      chart: document.querySelector('svg.qd-chart').getBoundingClientRect().top,
      byAgency: document.querySelector('#qd-summary').getBoundingClientRect().top,
    })""")
    assert state["chart"] < state["innerHeight"], "the chart starts on the first screen"
    assert state["height"] < 6 * state["innerHeight"], state  # the full lists live with each agency
    blocking = [v for v in Axe().run(page).response["violations"] if v["impact"] in {"serious", "critical"}]
    assert blocking == [], [(v["id"], v["help"]) for v in blocking]


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize(("record_id", "kind", "first"), PHONE_PAGES, ids=[p[0] for p in PHONE_PAGES])
def test_first_screen_on_a_phone(ctx, served, new_page, screenshots, record_id, kind, first):
    from axe_playwright_python.sync_playwright import Axe

    record = ctx.registry.get(record_id)
    page = new_page("phone")
    page.goto(served + page_url(ctx.registry.entries[record_id].kind, record_id))
    state = page.evaluate(FIRST_SCREEN)
    assert state["innerWidth"] == 390
    assert state["docWidth"] <= state["innerWidth"] + 1, "the page scrolls sideways"
    assert state["titleText"] == kinds.reader_title(record.name)
    assert state["kickerText"].startswith(f"{kind} · ") and state["kickerText"].endswith("襄垣县医疗保障局")
    assert state["firstText"].startswith(first), state["firstText"]
    for part in ("title", "kicker", "first"):
        assert state[part]["bottom"] <= state["innerHeight"], part
    drafted = record_id.startswith("140423-")
    if drafted:
        assert state["draft"]["bottom"] <= state["innerHeight"]
        assert state["draft"]["top"] < state["first"]["top"], "the draft line comes before the content"
    else:
        assert state["draft"] is None
    empty = [s["id"] for s in state["sections"] if not s["text"]]
    assert empty == [], f"empty sections: {empty}"
    assert outside_requests(page, served) == []
    page.screenshot(path=screenshots / f"{record_id}-phone.png")
    blocking = [v for v in Axe().run(page).response["violations"] if v["impact"] in {"serious", "critical"}]
    assert blocking == [], [(v["id"], v["help"]) for v in blocking]


def test_finding_places_are_relative_to_the_registry_never_the_build_machine(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from qingdan.site.components import registry_place

    root = tmp_path / "srv" / "registry"
    (root / "agency-a").mkdir(parents=True)
    ctx = SimpleNamespace(registry=SimpleNamespace(root=root))
    monkeypatch.chdir(tmp_path)  # the build runs elsewhere: findings name files relative to the working folder
    assert registry_place(ctx, "srv/registry/agency-a/powers.yaml") == "agency-a/powers.yaml"
    assert registry_place(ctx, str(root / "agency-a" / "powers.yaml")) == "agency-a/powers.yaml"
    assert registry_place(ctx, "/etc/elsewhere/other.yaml") == "other.yaml"
