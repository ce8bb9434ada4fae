"""The public site built from the mini registry: pages, flowcharts, escaping, search, offline, atomicity.

Every test here builds a site or reads one (slow tier); what the build refuses before building is in
test_site_refusals.py.
"""

from __future__ import annotations

import gzip
import html
import json
import re
import shutil
from pathlib import Path

import pytest

from qingdan import kinds
from qingdan.atomic import wait_for_removals
from qingdan.site import SiteBuildError, build_site
from qingdan.site import build as site_build
from qingdan.site.check import broken_links, external_assets, unreachable_records
from qingdan.site.search_index import (
    GROUP_SIZE,
    SearchIndexError,
    SearchRecord,
    check_search_index,
    group_pages,
    indexed_text,
    query_words,
    search_words,
    write_group,
)
from qingdan.urls import page_url
from qingdan.validate import validate

from .conftest import MINI, indexed_pages, site_files

pytestmark = pytest.mark.slow

STAMP = {"version": "9.9.9-test", "date": "2026-01-02"}
# every guide has these; the others follow its kind of matter (qingdan/site/kinds.py)
GUIDE_SECTIONS = ("qd-basic", "qd-source", "qd-quality")
HOSTILE = "<script>alert(1)</script>*强调*_下划线_[链接](http://evil.example/)|管道`代码`"

# Records added to a copy of the mini registry: a flow with its own nodes and a labelled
# decision, a guide using it (with a damaged name and a proposed reading), a guide whose
# flowchart survives only as a title.
EXTRA = """
flows:
  - id: demo-flow-own
    agency: demo-ybj
    title: 医疗救助审核流程图
    availability: full
    nodes:
      - {id: s1, kind: start, label: 提交申请, unit: demo-ybj-dy}
      - {id: s2, kind: decision, label: 材料是否齐全, unit_raw: 待遇股（受理）}
      - {id: s3, kind: step, label: 补正材料}
      - {id: s4, kind: end, label: 办结}
    edges:
      - {from: s1, to: s2}
      - {from: s2, to: s3, label: 不齐全}
      - {from: s2, to: s4, label: 齐全}
      - {from: s3, to: s2, reconstructed: true}
    source: {document: doc-mini, locator: 流程图, line: 21}
services:
  - id: demo-service-2
    agency: demo-ybj
    name: 医疗救助申淸
    materials:
      - {name: 身份证, required: common}
      - {name: 诊断证明, required: common, group: 住院}
      - {name: 委托书, required: optional}
    time_limit: 15个工作日
    flow: demo-flow-own
    review:
      - {field: name, raw: 医疗救助申淸, problem: ocr_damage, explanation: 末字识别错误, proposed: 医疗救助申请}
    source: {document: doc-mini, locator: 公共服务 序号2, line: 17}
  - id: demo-service-3
    agency: demo-ybj
    name: 文电查询
    flow: demo-flow-01-1
    source: {document: doc-mini, locator: 公共服务 序号3, line: 17}
"""


def _copy(tmp: Path) -> Path:
    target = tmp / "mini"
    shutil.copytree(MINI, target)
    return target


def _replace(registry: Path, old: str, new: str, file: str = "registry.yaml") -> None:
    path = registry / "demo-bureau" / file
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _build(registry: Path, base: Path, **kwargs):
    report = validate(registry)
    assert report.ok, [e.format() for e in report.errors]
    site = build_site(report, base / "dist", **{"stamp": STAMP, **kwargs})
    return report, site


def _read(site: Path, url: str) -> str:
    return (site / url.split("#")[0] / "index.html").read_text(encoding="utf-8")


def _tags(page: str) -> list[tuple[str, list]]:
    """Every start tag with its attributes, as a browser's parser sees them."""
    from html.parser import HTMLParser

    found = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collect().feed(page)
    return found


def _section(page: str, anchor: str) -> str:
    """The HTML from a heading to the next h2."""
    start = page.index(f'id="{anchor}"')
    end = page.find("<h2", start)
    return page[start : end if end > 0 else None]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The mini registry as it is, built once."""
    base = tmp_path_factory.mktemp("site")
    report, built = _build(MINI, base)
    return report, built, base


@pytest.fixture(scope="module")
def extended(tmp_path_factory):
    base = tmp_path_factory.mktemp("extended")
    registry = _copy(base)
    (registry / "demo-bureau" / "extra.yaml").write_text(EXTRA, encoding="utf-8")
    report, built = _build(registry, base, site_url="https://qingdan.example.org/")
    return report, built, base, registry


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    registry = _copy(base)
    _replace(registry, "name: 对骗取医疗保障基金行为的处罚", f"name: '{HOSTILE}'")
    _replace(registry, "name: 襄垣县民政局", "name: '民政<b>局</b>'")
    _replace(registry, "matter: 医疗救助", "matter: '医疗救助<img src=x onerror=alert(2)>'")
    _replace(
        registry, "{id: n2, kind: step, label: 调查}", "{id: n2, kind: step, label: '调查<script>alert(3)</script>'}"
    )
    _replace(registry, "title: 对定点医药机构的监督检查", "title: '</script><script>alert(4)</script>'")
    report, built = _build(registry, base)
    return report, built


# --- the build -------------------------------------------------------------------------


def test_common_tasks_kept_per_agency_are_those_one_ranking_of_all_guides_gives(tmp_path):
    """The home page's common tasks come from each agency's likeliest few, kept by its key: the same
    list as ranking every candidate at once (most complete first, in registry order between equals)
    and taking turns between agencies; and the same again from the kept parts."""
    from collections import defaultdict

    from qingdan.site.context import SiteContext
    from qingdan.site.generated import Parts
    from qingdan.site.pages import COMMON_CATEGORIES, common_tasks
    from qingdan.site.records import owner_keys

    from .conftest import REGISTRY

    ctx = SiteContext(validate(REGISTRY), cache_dir=tmp_path / "flowcharts", datasette_url="http://127.0.0.1:8001")
    reg = ctx.registry
    candidates = reg.of("service") + [p for p in reg.of("power") if p.category in COMMON_CATEGORIES]
    fields = ("materials", "conditions", "time_limit", "applicants", "fees", "place", "process", "flow", "phones")
    queues = defaultdict(list)
    for guide in sorted(
        candidates, key=lambda g: sum(bool(getattr(g, f, None)) for f in (*fields, "legal_bases")), reverse=True
    ):
        queues[guide.agency].append(guide.id)
    expected = []
    while len(expected) < 5 and any(queues.values()):
        for agency in list(queues):
            if queues[agency] and len(expected) < 5:
                expected.append(queues[agency].pop(0))
    assert len({reg.get(rid).agency for rid in expected}) > 1, "the registry shows the turns between agencies"

    keys = owner_keys(ctx, [], "test")
    for _ in range(2):  # made, then from the kept parts
        parts = Parts(tmp_path / "home.pickle", keys)
        assert [g.id for g in common_tasks(ctx, 5, parts)] == expected
        parts.save()
    assert set(parts.used) == {g.agency for g in candidates}


def test_build_writes_the_site_and_keeps_markdown_in_the_build_folder(site):
    report, built, base = site
    assert built == base / "dist" / "site"
    assert (built / "index.html").is_file()
    assert (built / "pagefind" / "pagefind-entry.json").is_file()
    assert not (built / "search").exists(), "Material's search index is not built any more"
    docs = base / "build" / "site-src" / "docs"
    # MkDocs' pages as Markdown; the record pages are filled into its shells from memory
    assert {p.stem for p in (docs / "guides").glob("*.md")} == {"index", "_qd_shell", "_qd_shell_notoc"}
    guides = {p.parent.name for p in (built / "guides").glob("*/index.html")}
    assert guides == {r.id for r in report.registry.of("power") + report.registry.of("service")}
    assert not any(built.rglob("*.md")), "Markdown must not be published"


def test_every_power_and_service_has_a_guide_with_its_name_and_flowchart(site, extended):
    for report, built in (site[:2], extended[:2]):
        reg = report.registry
        for kind in ("power", "service"):
            for record in reg.of(kind):
                page = _read(built, page_url(kind, record.id))
                assert f'<h1 id="qd-title">{html.escape(record.name)}</h1>' in page
                for anchor in GUIDE_SECTIONS:
                    assert f'id="{anchor}"' in page, (record.id, anchor)
                line = re.search(r'<p class="qd-missing">源文件未载明：(.*?)</p>', page)
                assert (line.group(1).split("、") if line else []) == kinds.missing(record), record.id
                flow = reg.get(record.flow) if record.flow else None
                if flow is not None and flow.availability == "full":
                    chart = _section(page, "qd-flowchart")
                    assert re.search(r'<figure class="qd-flow" data-search-exclude>.*?<svg ', chart, re.DOTALL)
                elif flow is not None:
                    chart = _section(page, "qd-flowchart")
                    assert "流程图未在源文件中保留" in chart and "<svg" not in chart
                    assert html.escape(flow.title) in chart and flow.code in chart
                else:
                    assert 'id="qd-flowchart"' not in page and "<svg" not in _section(page, "qd-basic")


def test_fields_absent_from_the_source_are_named_once_not_as_empty_sections(site):
    report, built, _ = site
    service = report.registry.get("demo-service-1")
    page = _read(built, page_url("service", service.id))
    line = re.search(r'<p class="qd-missing">源文件未载明：(.*?)</p>', page).group(1)
    for label in ("设定依据", "服务对象", "受理条件", "申请材料", "办理时限", "收费标准", "办理地点"):
        assert label in line.split("、"), label
    for anchor in ("qd-basis", "qd-applicants", "qd-conditions", "qd-materials", "qd-time", "qd-fees"):
        assert f'id="{anchor}"' not in page, anchor
    assert "办理流程" not in line and "待遇股窗口" in _section(page, "qd-steps")  # a channel is a way to apply
    article = page[page.index("<article") : page.index("</article>")]
    assert article.count("源文件未载明") == 1
    assert "0355-7794581" in _section(page, "qd-place")


def test_guide_shows_materials_checklist_units_and_provenance(extended):
    _report, built, *_ = extended
    page = _read(built, page_url("service", "demo-service-2"))
    materials = _section(page, "qd-materials")
    assert materials.count('type="checkbox"') == 3
    assert (
        materials.index("共同材料")
        < materials.index("身份证")
        < materials.index("选择材料")
        < materials.index("委托书")
    )
    assert "住院" in materials
    assert "15个工作日" in _section(page, "qd-time")
    source = _section(page, "qd-source")
    assert "示例县医疗保障局权责清单" in source and "公共服务 序号2" in source
    assert 'href="../../sources/doc-mini/#L17"' in source and 'href="../../sources/mini.txt"' in source
    assert (built / "sources" / "mini.txt").read_bytes() == (MINI / "sources" / "mini.txt").read_bytes()
    assert 'id="L17"' in _read(built, "sources/doc-mini/")


def test_review_flags_show_raw_text_and_proposal_as_proposal(extended):
    _report, built, *_ = extended
    page = _read(built, page_url("service", "demo-service-2"))
    assert '<h1 id="qd-title">医疗救助申淸</h1>' in page  # the raw text stays the name
    assert "建议读法（仅为建议，未替换原文）：<mark>医疗救助申请</mark>" in page


def test_other_agencies_come_from_boundaries_sharing_a_word(extended):
    _report, built, *_ = extended
    page = _read(built, page_url("service", "demo-service-2"))
    others = _section(page, "qd-others")
    assert 'href="../../boundaries/demo-boundary-1/"' in others
    assert "共同词语：救助" in others and "襄垣县民政局" in others and "认定" in others
    assert "按名称中的共同词语" in others or "共同词语（不计" in others


def test_findings_are_shown_on_the_guide_and_in_the_quality_report(site):
    report, built, _ = site
    page = _read(built, page_url("power", "demo-power-b1"))
    assert "同一职权编码用于多个事项" in _section(page, "qd-quality")
    # the report sums them up; each finding is listed in full on its agency's page (or the report, for none)
    quality = _read(built, "quality/")
    agencies = {a.id for a in report.registry.of("agency")}
    listed = 0
    for finding in report.findings:
        where = _read(built, page_url("agency", finding.agency)) if finding.agency in agencies else quality
        assert html.escape(finding.message_zh) in where
    for page_html in [quality] + [_read(built, page_url("agency", a)) for a in agencies]:
        rows = re.findall(r'<table class="qd-findings">.*?</table>', page_html, re.DOTALL)
        listed += sum(r.count("<tr>") - 1 for r in rows)
    assert listed == len(report.findings)
    totals = re.search(r"<p>共 (\d+) 条：", quality)
    assert int(totals.group(1)) == len(report.findings)


def test_json_ld_describes_a_government_service(site, extended):
    for report, built in (site[:2], extended[:2]):
        for kind in ("power", "service"):
            for record in report.registry.of(kind):
                page = _read(built, page_url(kind, record.id))
                scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
                assert len(scripts) == 1
                assert "<" not in scripts[0]
                data = json.loads(scripts[0])
                assert data["@type"] == "GovernmentService" and data["name"] == record.name
    data = json.loads(
        re.search(r'ld\+json">(.*?)</script>', _read(extended[1], page_url("service", "demo-service-2"))).group(1)
    )
    assert data["url"] == "https://qingdan.example.org/guides/demo-service-2/"


def test_every_page_carries_the_stamp(site):
    _, built, _ = site
    for page in built.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "版本 9.9.9-test" in text and "数据日期 2026-01-02" in text, page


# --- flowcharts -----------------------------------------------------------------------


def test_template_flow_applies_assignments_and_marks_reconstructed_edges(site):
    report, built, _ = site
    page = _read(built, page_url("power", "demo-power-b1"))
    chart = _section(page, "qd-flowchart")
    svg = chart[chart.index("<svg") : chart.index("</svg>")]
    template = report.registry.get("demo-tpl-penalty")
    for node in template.nodes:
        assert f">{node.label}</text>" in svg
    assert ">基金监管股（立案）</text>" in svg  # the flow's assignment, applied to the template's node
    assert svg.count("stroke-dasharray") == sum(e.reconstructed for e in template.edges)
    assert svg.count("qd&#45;reconstructed") == sum(e.reconstructed for e in template.edges)
    assert "据方框文字重建的连线" in chart  # legend
    steps = _section(page, "qd-steps")
    assert steps.count('<li class="qd-step') == len(template.nodes)
    assert "承办：基金监管股（立案）" in steps and "连线系重建" in steps
    root = svg.split(">", 1)[0]
    assert not re.search(r'\swidth="', root) and "viewBox" in root  # scales to the screen


def test_own_flow_labels_decision_branches_and_units(extended):
    _report, built, *_ = extended
    page = _read(built, page_url("service", "demo-service-2"))
    chart = _section(page, "qd-flowchart")
    for text in ("材料是否齐全", "不齐全", "齐全", "待遇股", "待遇股（受理）"):
        assert f">{text}</text>" in chart, text
    assert "<polygon" in chart and "qd&#45;decision" in chart
    steps = _section(page, "qd-steps")
    assert "不齐全：转第 3 步“补正材料”" in steps and "齐全：转第 4 步“办结”" in steps
    assert "（判断）" in steps and '转第 2 步“材料是否齐全”<span class="qd-recon-mark">' in steps


def _search_fragments(built: Path) -> list[dict]:
    """Pagefind's stored pages (gzip, a signature, then JSON): what search results are made from."""
    fragments = []
    for path in sorted((built / "pagefind" / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        fragments.append(json.loads(data[len(b"pagefind_dcd") :]))
    assert fragments, "the search index holds nothing"
    return fragments


def test_flowcharts_are_not_in_the_search_index(site):
    _, built, _ = site
    index = json.dumps(_search_fragments(built), ensure_ascii=False)
    assert "<svg" not in index and "viewBox" not in index
    assert "<figure" not in index


def test_flowcharts_are_cached_by_content_hash(extended, monkeypatch, tmp_path):
    _report, _built, base, registry = extended
    shutil.copytree(base / "build" / "cache", tmp_path / "build" / "cache")
    cache = tmp_path / "build" / "cache" / "flowcharts"
    before = {p.name: p.read_text(encoding="utf-8") for p in cache.glob("*.svg")}
    assert len(before) == 2  # two full flows in use: the template-based one and the own one

    def no_drawing(*args, **kwargs):
        raise AssertionError("dot was called for a chart already in the cache")

    monkeypatch.setattr("qingdan.graphviz_svg.render", no_drawing)
    build_site(validate(registry), tmp_path / "dist", build_dir=tmp_path / "build")
    assert {p.name: p.read_text(encoding="utf-8") for p in cache.glob("*.svg")} == before

    _replace(registry, "label: 补正材料", "label: 补正全部材料", "extra.yaml")
    with pytest.raises(AssertionError, match="already in the cache"):
        build_site(validate(registry), tmp_path / "dist2", build_dir=tmp_path / "build")
    _replace(registry, "label: 补正全部材料", "label: 补正材料", "extra.yaml")


# --- escaping --------------------------------------------------------------------------


def test_hostile_registry_text_is_escaped_everywhere(hostile):
    _report, built = hostile
    pages = {p: p.read_text(encoding="utf-8") for p in built.rglob("*.html")}
    for path, text in pages.items():
        for needle in ("<script>alert", "<img src=x", "<b>局</b>", 'href="http://evil.example/'):
            assert needle not in text, (path, needle)
        assert not any(name.startswith("on") for _, attrs in _tags(text) for name, _ in attrs), path
        assert not any(tag == "img" and ("src", "x") in attrs for tag, attrs in _tags(text)), path
    # the search index holds words, and the names as plain text (search.js shows them as text, never as HTML)
    titles = {a["text"] for f in _search_fragments(built) for a in f["anchors"]}
    assert HOSTILE in titles

    guide = _read(built, page_url("power", "demo-power-b1"))
    assert f'<h1 id="qd-title">{html.escape(HOSTILE)}</h1>' in guide
    assert "<em>强调</em>" not in guide and "<em>下划线</em>" not in guide and "<code>代码</code>" not in guide
    assert f"<title>{html.escape(HOSTILE)}" in guide
    assert "调查&lt;script&gt;alert(3)&lt;/script&gt;" in guide  # inside the flowchart SVG
    data = json.loads(re.search(r'ld\+json">(.*?)</script>', guide, re.DOTALL).group(1))
    assert data["name"] == HOSTILE
    agency = _read(built, page_url("agency", "demo-ybj"))
    assert "&lt;/script&gt;&lt;script&gt;alert(4)&lt;/script&gt;" in agency
    assert "民政&lt;b&gt;局&lt;/b&gt;" in _read(built, page_url("boundary", "demo-boundary-1"))


# --- navigation, links, offline --------------------------------------------------------


def test_every_record_is_within_three_clicks_of_home(site, extended):
    for report, built in (site[:2], extended[:2]):
        assert unreachable_records(built, report.registry) == []


def test_internal_links_resolve(site, extended):
    for _, built in (site[:2], extended[:2]):
        assert broken_links(built, ignore=("downloads/",)) == []


def test_navigation_does_not_list_every_guide(site):
    _report, built, _ = site
    page = _read(built, page_url("service", "demo-service-1"))
    nav = page[page.index("md-nav--primary") : page.index("</nav>", page.index("md-nav--primary"))]
    assert "guides/demo-" not in nav and "agencies/demo-" not in nav
    assert 'href="../"' in nav or "../index.html" in nav or 'href="../../guides/"' in nav


def test_nothing_is_fetched_from_outside_the_site(site, extended):
    for _, built in (site[:2], extended[:2]):
        assert external_assets(built) == []
        for page in built.rglob("*.html"):
            text = page.read_text(encoding="utf-8")
            assert "fonts.googleapis" not in text and "fonts.gstatic" not in text
            assert not re.search(r'<(?:script|img|iframe)[^>]+src="https?://', text), page
        config = (extended[2] / "build" / "site-src" / "mkdocs.yml").read_text(encoding="utf-8")
        assert "font: false" in config and "language: zh" in config


def test_search_indexes_every_record_at_its_own_address_in_character_pairs(site):
    report, built, _ = site
    anchors = {a["id"]: a["text"] for f in _search_fragments(built) for a in f["anchors"]}
    guide = report.registry.get("demo-power-b1")
    assert anchors[page_url("power", guide.id)] == guide.name  # the result shows the name as published
    boundary = report.registry.get("demo-boundary-1")
    assert anchors[page_url("boundary", boundary.id)] == boundary.matter
    assert anchors["about/"] == "关于本站"  # hand-written pages are found too
    # 医疗保险 is indexed as its character pairs, so 保险 (a pair) is found inside it; the short
    # form 医保 is added wherever a full term is in the text
    assert search_words("基本医疗保险（２）A-b") == ["基本", "本医", "医疗", "疗保", "保险", "2", "a", "b"]
    assert indexed_text("医疗保险") == "医疗 疗保 保险 医保"
    assert indexed_text("参保") == "参保"
    # a query is cut into pairs side by side: a record holding 参保 and 登记 apart is found, as the database finds it
    assert query_words("参保登记 医保局 保") == ["参保", "登记", "医保", "保局", "保"]


def _write_groups(records: list, folder: Path) -> int:
    """Each group's pages written (as a build does, group by group); returns how many."""
    groups: dict[str, list] = {}
    for record in records:
        groups.setdefault(record.group, []).append(record)
    for group, of_group in groups.items():
        write_group(folder, group, group_pages(iter(of_group)))
    return sum(1 for _ in folder.rglob("index.html"))


def test_search_records_are_grouped_into_indexed_pages_of_at_most_group_size(tmp_path):
    """Written record by record, each group's records in their order, a heading each (its id the
    record's address), up to GROUP_SIZE to a page."""
    records = [SearchRecord(f"guides/g{i}/", f"事项<{i}>", "医疗保险", "a1") for i in range(GROUP_SIZE + 2)]
    records.insert(3, SearchRecord("about/", "关于本站", "", "_site"))
    assert _write_groups(records, tmp_path) == 3
    pages = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("index.html"))
    assert pages == ["search/_site/0/index.html", "search/a1/0/index.html", "search/a1/1/index.html"]
    first = (tmp_path / "search/a1/0/index.html").read_text(encoding="utf-8")
    assert first.startswith('<html lang="und"><body><p>') and first.endswith("</section></body></html>")
    assert re.findall(r'<h2 id="([^"]+)"', first) == [f"guides/g{i}/" for i in range(GROUP_SIZE)]
    assert "事项&lt;0&gt;" in first and "医疗 疗保 保险 医保" in first
    second = (tmp_path / "search/a1/1/index.html").read_text(encoding="utf-8")
    assert re.findall(r'<h2 id="([^"]+)"', second) == [f"guides/g{i}/" for i in range(GROUP_SIZE, GROUP_SIZE + 2)]
    assert second.endswith("</body></html>") and second.count("<body>") == 1


def test_search_pages_are_kept_and_only_changed_ones_written_again(tmp_path):
    """The folder is kept between builds: a page whose records did not change is not written again,
    a changed one is, one no longer made is removed with its folders."""
    import os

    n = GROUP_SIZE + 6
    records = [SearchRecord(f"guides/{g}{i}/", f"事项{i}", "医疗保险", g) for g in ("a1", "a2") for i in range(n)]
    assert _write_groups(records, tmp_path) == 4
    for page_file in tmp_path.rglob("index.html"):
        os.utime(page_file, ns=(1, 1))
    records[n + 10] = SearchRecord("guides/a210/", "改名后的事项", "医疗保险", "a2")  # a2's first page
    assert _write_groups(records[:-6], tmp_path) == 3  # a2's second page is no longer made
    times = {p.relative_to(tmp_path).as_posix(): p.stat().st_mtime_ns for p in tmp_path.rglob("index.html")}
    assert set(times) == {"search/a1/0/index.html", "search/a1/1/index.html", "search/a2/0/index.html"}
    assert [page for page, ns in times.items() if ns != 1] == ["search/a2/0/index.html"]
    assert "改名后的事项" in (tmp_path / "search/a2/0/index.html").read_text(encoding="utf-8")
    assert not (tmp_path / "search/a2/1").exists()


def test_words_every_record_of_an_indexed_page_holds_are_indexed_once_for_the_page(tmp_path):
    """A frequent word's every location is downloaded by each query holding it: words all records of
    a page hold are written once before the first heading (search.js counts them for each record),
    each record's own words once after its heading, and each record still holds exactly its words."""
    agency = "合成市医疗保障局"
    records = [
        SearchRecord(f"guides/g{i}/", f"{'城乡居民基本医疗保险' if i % 2 else '生育津贴'}申领（{i}）", agency, "a")
        for i in range(GROUP_SIZE + 6)
    ] + [SearchRecord("about/", "关于本站", "本站说明", "_site")]
    assert _write_groups(records, tmp_path) == 3
    pages = [(p, p.read_text(encoding="utf-8")) for p in sorted(tmp_path.rglob("index.html"))]
    assert len(pages) == 3  # two pages of group "a" (GROUP_SIZE and 6 records), one of the site's pages
    found = {}
    for _path, page in pages:
        head, *sections = re.split(r"<section>", page)
        shared = re.search(r"<p>(.*?)</p>", head).group(1).split()
        for section in sections:
            path, title, own = re.search(r'<h2 id="(.*?)">(.*?)</h2><p>(.*?)</p>', section).groups()
            assert not set(own.split()) & set(shared), "a shared word is indexed once a page"
            found[path] = (html.unescape(title), sorted(shared + own.split()))
    for r in records:
        assert found[r.path] == (r.title, sorted(indexed_text(f"{r.title}\n{r.body}").split()))
    indexed = " ".join(re.findall(r"<p>(.*?)</p>", (tmp_path / "search/a/0/index.html").read_text("utf-8"))).split()
    assert indexed.count("医疗") == 1 and indexed.count("保障") == 1  # the agency's name, once for the page
    # records holding the same frequent words are put on a page together: 保险 is shared on one page
    assert any("保险" in re.search(r"<body><p>(.*?)</p>", page).group(1).split() for _, page in pages)


# --- atomicity -------------------------------------------------------------------------


def test_a_failed_build_leaves_the_previous_site(tmp_path, monkeypatch):
    report, built = _build(MINI, tmp_path)
    before = {p.relative_to(built): p.read_bytes() for p in built.rglob("*") if p.is_file()}

    def broken_config(src, docs, **kwargs):
        path = src / "mkdocs.yml"
        path.write_text(f"site_name: x\ndocs_dir: {docs}\ntheme: {{name: no-such-theme}}\n", encoding="utf-8")
        return path

    monkeypatch.setattr(site_build, "_write_config", broken_config)
    with pytest.raises(SiteBuildError, match="MkDocs configuration is not valid"):
        build_site(report, tmp_path / "dist", stamp=STAMP)
    monkeypatch.undo()

    def half_written(config, site_dir):
        (site_dir / "index.html").write_text("half", encoding="utf-8")
        raise SiteBuildError("disk full")

    monkeypatch.setattr(site_build, "run_mkdocs", half_written)
    with pytest.raises(SiteBuildError, match="disk full"):  # an empty cache: MkDocs runs
        build_site(report, tmp_path / "dist", stamp=STAMP, build_dir=tmp_path / "empty-build")

    after = {p.relative_to(built): p.read_bytes() for p in built.rglob("*") if p.is_file()}
    assert after == before
    wait_for_removals()
    assert [p.name for p in (tmp_path / "dist").iterdir()] == ["site"]  # no staging folders left


def test_a_search_index_pagefind_left_broken_fails_the_build_and_keeps_the_previous_site(site, tmp_path, monkeypatch):
    """Pagefind once wrote a zero-byte pagefind-entry.json and reported success: the build checks its output."""
    from qingdan.site import search_index

    report, _built, _ = site
    built = build_site(report, tmp_path / "dist", stamp=STAMP)
    before = {p.relative_to(built): p.read_bytes() for p in built.rglob("*") if p.is_file()}
    real_run = search_index.run_pagefind

    def run_then_truncate(pages, target, *, cwd):
        real_run(pages, target, cwd=cwd)
        (target / "pagefind-entry.json").write_bytes(b"")

    monkeypatch.setattr(search_index, "run_pagefind", run_then_truncate)
    with pytest.raises(
        SiteBuildError, match="search index could not be written.*pagefind-entry.json is missing or empty"
    ):  # an empty cache: Pagefind runs
        build_site(report, tmp_path / "dist", stamp=STAMP, build_dir=tmp_path / "empty-build")
    after = {p.relative_to(built): p.read_bytes() for p in built.rglob("*") if p.is_file()}
    assert after == before


def test_pagefind_failing_fails_the_build_with_its_message_and_a_stray_config_is_ignored(site, tmp_path, monkeypatch):
    import pagefind_bin_extended

    report, _built, _ = site
    # a configuration Pagefind would read from its working folder or the environment changes nothing
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pagefind.yml").write_text("force_language: zh\nroot_selector: nav\n", encoding="utf-8")
    monkeypatch.setenv("PAGEFIND_ROOT_SELECTOR", "nav")
    built = build_site(report, tmp_path / "dist", stamp=STAMP)
    entry = json.loads((built / "pagefind" / "pagefind-entry.json").read_text())
    assert list(entry["languages"]) == ["und"] and entry["languages"]["und"]["page_count"] > 1
    before = {p.relative_to(built): p.read_bytes() for p in built.rglob("*") if p.is_file()}

    failing = tmp_path / "pagefind-fails"
    failing.write_text("#!/bin/sh\necho 'Error: disk full' >&2\nexit 3\n", encoding="utf-8")
    failing.chmod(0o755)
    monkeypatch.setattr(pagefind_bin_extended, "get_executable", lambda: failing)
    with pytest.raises(SiteBuildError, match="Pagefind exited with status 3: Error: disk full"):
        build_site(report, tmp_path / "dist", stamp=STAMP, build_dir=tmp_path / "empty-build")
    assert {p.relative_to(built): p.read_bytes() for p in built.rglob("*") if p.is_file()} == before


def test_the_search_index_check_names_what_is_broken(site, tmp_path):
    _report, built, _ = site
    pages = json.loads((built / "pagefind" / "pagefind-entry.json").read_text())["languages"]["und"]["page_count"]
    check_search_index(built / "pagefind", pages)  # a whole index passes

    def broken(change) -> str:
        index = tmp_path / f"index-{len(list(tmp_path.iterdir()))}"
        shutil.copytree(built / "pagefind", index)
        change(index)
        with pytest.raises(SearchIndexError) as caught:
            check_search_index(index, pages)
        return str(caught.value)

    assert "not Pagefind's entry file" in broken(lambda i: (i / "pagefind-entry.json").write_text("{"))
    assert "names no index" in broken(lambda i: (i / "pagefind-entry.json").write_text('{"languages": {}}'))
    assert "metadata" in broken(lambda i: next(i.glob("*.pf_meta")).write_bytes(b""))
    assert "index files" in broken(lambda i: [p.unlink() for p in (i / "index").iterdir()])
    assert "fragment files" in broken(lambda i: next((i / "fragment").iterdir()).write_bytes(b""))
    with pytest.raises(SearchIndexError, match=f"holds {pages} pages, not {pages + 1}"):
        check_search_index(built / "pagefind", pages + 1)


def test_downloads_in_dist_are_published_and_listed(tmp_path):
    dist = tmp_path / "dist"
    (dist / "graph").mkdir(parents=True)
    (dist / "qingdan.db").write_bytes(b"SQLite format 3\0")
    (dist / "graph" / "graph.graphml").write_text("<graphml/>", encoding="utf-8")
    _report, built = _build(MINI, tmp_path)
    assert (built / "downloads" / "qingdan.db").read_bytes() == b"SQLite format 3\0"
    data = _read(built, "data/")
    assert 'href="../downloads/qingdan.db"' in data and 'href="../downloads/graph/graph.graphml"' in data
    assert "http://127.0.0.1:8001/qingdan" in data
    assert (
        broken_links(built, ignore=("downloads/csv", "downloads/graph/graph.gexf", "downloads/graph/graph.json")) == []
    )


def test_graph_pages_when_a_graph_is_given(mini_site):
    built = mini_site.path
    assert "<svg" in _read(built, "graph/")
    assert 'id="qd-graph"' in _read(built, page_url("agency", "demo-ybj"))
    assert external_assets(built) == [] and broken_links(built, ignore=("downloads/",)) == []


def test_without_a_graph_the_site_still_builds(site):
    _, built, _ = site
    assert "本次构建没有生成关系图" in _read(built, "graph/")


# --- the real registry -----------------------------------------------------------------


def test_the_real_registry_builds_with_every_record_within_three_clicks(seed_site):
    report, built = seed_site.report, seed_site.path
    assert unreachable_records(built, report.registry) == []
    assert broken_links(built, ignore=("downloads/",)) == []
    assert external_assets(built) == []
    for kind in ("power", "service"):
        for record in report.registry.of(kind):
            assert html.escape(record.name) in _read(built, page_url(kind, record.id))


def test_data_page_links_to_every_ready_made_query(site):
    _report, built, _ = site
    data = _read(built, "data/")
    for name in ("who_handles", "power_by_code", "reused_codes", "shared_matters", "findings", "not_delegated"):
        assert f'/qingdan/{name}"' in data, name


def test_agency_page_lists_who_else_is_involved(mini_site):
    page = mini_site.page(page_url("agency", "demo-ybj"))
    involved = page[page.index('id="qd-involved"') :]
    assert "襄垣县民政局" in involved and "医疗救助" in involved and "认定" in involved
    assert 'href="../../boundaries/demo-boundary-1/"' in involved


def test_who_page_asks_the_database_who_handles(site):
    _report, built, _ = site
    who = _read(built, "who/")
    assert re.search(r'<form[^>]+action="http://127\.0\.0\.1:8001/qingdan/who_handles"', who)
    assert 'name="q"' in who and 'name="region"' in who


# --- incremental builds: MkDocs' cache and each agency's pages ------------------------------


@pytest.mark.slow
def test_after_one_agency_changes_only_its_pages_are_generated_again(mini, tmp_path, monkeypatch):
    """Only the pages showing what changed are made again (an agency's page and change page by the
    agency's key, each guide by its own), and after each kind of change the site is byte for byte
    the site a build from scratch writes."""
    from qingdan.site import records

    build_dir = tmp_path / "build"
    _build(mini, tmp_path, build_dir=build_dir, workers=2)
    made, mkdocs_runs = [], []
    real_agency, real_guide, real_run = records.agency_page, records.guide_page, site_build.run_mkdocs

    def counting_agency(ctx, agency):
        made.append(agency.id)
        return real_agency(ctx, agency)

    def counting_guide(ctx, record, kind):
        made.append(record.id)
        return real_guide(ctx, record, kind)

    def counting_runs(config, site_dir):
        mkdocs_runs.append(config)
        real_run(config, site_dir)

    monkeypatch.setattr(records, "agency_page", counting_agency)
    monkeypatch.setattr(records, "guide_page", counting_guide)
    monkeypatch.setattr(site_build, "run_mkdocs", counting_runs)

    def rebuild(**kwargs) -> tuple[list, int, Path]:
        made.clear(), mkdocs_runs.clear()
        report, site = _build(mini, tmp_path, build_dir=build_dir, workers=1, **kwargs)
        counts = sorted(made), len(mkdocs_runs)
        fresh = build_site(report, tmp_path / "fresh" / "dist", build_dir=tmp_path / "fresh" / "build", **kwargs)
        assert site_files(site) == site_files(fresh), "an incremental build writes what a build from scratch writes"
        assert indexed_pages(site) == indexed_pages(fresh), "and its search index holds the same pages"
        assert unreachable_records(site, report.registry) == [] and not broken_links(site, ignore=("downloads/",))
        return *counts, site

    assert rebuild(stamp=STAMP)[:2] == ([], 0), "nothing changed, nothing is built again"

    _replace(mini, "name: 对骗取医疗保障基金行为的处罚", "name: 对骗取医疗保障基金行为的行政处罚")
    pages, runs, site = rebuild(stamp=STAMP)
    # its agency's page lists it; the other power shares its code: the finding naming both shows on both
    assert (pages, runs) == (["demo-power-b1", "demo-power-b1-second", "demo-ybj"], 0)  # MkDocs renders none
    assert "对骗取医疗保障基金行为的行政处罚" in _read(site, page_url("power", "demo-power-b1"))
    for shared in ("guides/index.html", "who/index.html"):  # filled into their shells again
        assert "对骗取医疗保障基金行为的行政处罚" in (site / shared).read_text(encoding="utf-8")

    # a guide's phone: that guide and its agency's page (which lists its guides)
    _replace(mini, 'number: "0355-7794581"', 'number: "0355-7794589"')
    assert rebuild(stamp=STAMP)[0] == ["demo-service-1", "demo-ybj"]

    # a flow: the guide drawing it, and the agency's page listing it
    _replace(mini, "title: 对骗取医疗保障基金行为的处罚流程图", "title: 对骗取医疗保障基金行为的处罚流程")
    assert rebuild(stamp=STAMP)[0] == ["demo-power-b1", "demo-ybj"]

    # a boundary registered by one agency shows on the page of the other agency it names, and on
    # the guides of its agency whose names share a word with its matter (keyed: all its guides)
    _replace(mini, "division: 认定}", "division: 认定和审批}")
    assert rebuild(stamp=STAMP)[0] == [
        "demo-mzj",
        "demo-power-b1",
        "demo-power-b1-second",
        "demo-service-1",
        "demo-ybj",
    ]

    # a guide added, then the one it follows removed
    _replace(
        mini,
        "flow_templates:",
        "  - {id: demo-service-2, agency: demo-ybj, name: 新增服务, category: 公共服务, "
        "source: {document: doc-mini, locator: 公共服务 序号2, line: 18}}\n\nflow_templates:",
    )
    assert "demo-service-2" in rebuild(stamp=STAMP)[0]
    _replace(mini, "  - id: demo-service-1\n", "  - id: demo-service-1-renamed\n")
    assert "demo-service-1-renamed" in rebuild(stamp=STAMP)[0]

    # a unit may show on any page: everything is generated again
    _replace(mini, "name: 基金监管股", "name: 基金监管科")
    assert rebuild(stamp=STAMP)[0] == [
        "demo-mzj",
        "demo-power-b1",
        "demo-power-b1-second",
        "demo-service-1-renamed",
        "demo-service-2",
        "demo-ybj",
    ]

    # a new version stamp: the shells change, the pages are joined into them again, not generated
    pages, runs, site = rebuild(stamp={"version": "10.0.0-test", "date": "2026-02-03"})
    assert (pages, runs) == ([], 1)
    for page in (_read(site, page_url("power", "demo-power-b1")), _read(site, page_url("agency", "demo-mzj"))):
        assert "版本 10.0.0-test · 数据日期 2026-02-03" in page


@pytest.mark.slow
def test_the_shared_pages_are_made_again_only_where_what_they_show_changed(mini, tmp_path, monkeypatch):
    """The pages listing every agency are made of one part per agency: a renamed guide makes its
    agency's parts again, no other agency's; with nothing changed no page is generated at all. The
    site is byte for byte a build from scratch, and MkDocs does not run."""
    from qingdan.site import generated as site_generated

    build_dir = tmp_path / "build"
    _build(mini, tmp_path, build_dir=build_dir, workers=1)
    parts, pages, mkdocs_runs = [], [], []
    real_of, real_home = site_generated.Parts.of, site_build.home_page

    def counting_of(self, agency_id, make):
        def made():
            parts.append((self.path.stem, agency_id))
            return make()

        return real_of(self, agency_id, made)

    def counting_home(ctx, parts=None):
        pages.append("index.md")
        return real_home(ctx, parts)

    monkeypatch.setattr(site_generated.Parts, "of", counting_of)
    monkeypatch.setattr(site_build, "home_page", counting_home)
    monkeypatch.setattr(site_build, "run_mkdocs", lambda config, out: mkdocs_runs.append(config))

    _build(mini, tmp_path, build_dir=build_dir, workers=1)
    assert (parts, pages, mkdocs_runs) == ([], [], []), "nothing changed, no shared page is made again"

    _replace(mini, "name: 对骗取医疗保障基金行为的处罚", "name: 对骗取医疗保障基金行为的行政处罚")
    report, site = _build(mini, tmp_path, build_dir=build_dir, workers=1)
    # (the quality page has no part per registered agency: each agency's findings are listed on its own page)
    assert {page for page, _agency in parts} == {"home", "guides", "who"}
    assert {agency for _page, agency in parts} == {"demo-ybj"}
    assert pages == ["index.md"] and mkdocs_runs == []
    for shared in ("guides/index.html", "who/index.html"):
        assert "对骗取医疗保障基金行为的行政处罚" in (site / shared).read_text(encoding="utf-8")
    monkeypatch.undo()
    fresh = build_site(report, tmp_path / "fresh" / "dist", build_dir=tmp_path / "fresh" / "build", stamp=STAMP)
    assert site_files(site) == site_files(fresh), "an incremental build writes what a build from scratch writes"


@pytest.mark.slow
def test_pages_made_again_are_new_files_and_a_stopped_build_makes_the_agency_s_pages_again(mini, tmp_path, monkeypatch):
    """A guide made again in its agency's cache folder is a new file: the published site links the
    old one, which stays as it was. A build stopped while it replaced an agency's pages leaves that
    agency without a key, so the next build makes all its pages again (as a build from scratch)."""
    from qingdan.site import records

    build_dir = tmp_path / "build"
    _report, site = _build(mini, tmp_path, build_dir=build_dir, workers=1)
    kept = tmp_path / "published.html"
    kept.hardlink_to(site / page_url("power", "demo-power-b1") / "index.html")
    published = kept.read_bytes()
    _replace(mini, "name: 对骗取医疗保障基金行为的处罚", "name: 对骗取医疗保障基金行为的行政处罚")

    real_write = records.atomic_write_bytes

    def disk_full_at_a_page(path: Path, data: bytes) -> None:
        if path.name == "index.html":
            raise OSError("disk full")
        real_write(path, data)

    monkeypatch.setattr(records, "atomic_write_bytes", disk_full_at_a_page)
    with pytest.raises(OSError, match="disk full"):
        _build(mini, tmp_path, build_dir=build_dir, workers=1)
    assert not (build_dir / "cache" / "site-records" / "demo-ybj" / ".key").exists()
    assert kept.read_bytes() == published
    monkeypatch.undo()

    made = []
    real_guide = records.guide_page
    monkeypatch.setattr(
        records, "guide_page", lambda c, record, kind: made.append(record.id) or real_guide(c, record, kind)
    )
    report, site = _build(mini, tmp_path, build_dir=build_dir, workers=1)
    assert sorted(made) == ["demo-power-b1", "demo-power-b1-second", "demo-service-1"]
    assert kept.read_bytes() == published
    assert "对骗取医疗保障基金行为的行政处罚" in _read(site, page_url("power", "demo-power-b1"))
    fresh = build_site(report, tmp_path / "fresh" / "dist", build_dir=tmp_path / "fresh" / "build", stamp=STAMP)
    assert site_files(site) == site_files(fresh)


@pytest.mark.slow
def test_the_word_cutter_is_loaded_only_for_guides_made_beside_boundaries(mini, tmp_path, monkeypatch):
    """The segmenter's dictionary (about a second) is loaded before the workers fork only when a
    guide page compared with its agency's boundaries is made: not for a build that makes none."""
    from qingdan.site import records

    loads = []
    monkeypatch.setattr(records, "CHUNK", 1)  # an agency a task: the two agencies go to two workers
    monkeypatch.setattr(records, "load_word_cutter", lambda: loads.append(1))
    build_dir = tmp_path / "build"
    _build(mini, tmp_path, build_dir=build_dir, workers=2)
    assert loads == [1]
    _build(mini, tmp_path, build_dir=build_dir, workers=2)
    assert loads == [1], "nothing made, nothing loaded"
    _replace(mini, "name: 对骗取医疗保障基金行为的处罚", "name: 对骗取医疗保障基金行为的行政处罚")
    _build(mini, tmp_path, build_dir=build_dir, workers=2)
    assert loads == [1, 1]


@pytest.mark.slow
def test_what_a_rebuild_replaces_is_removed_in_the_background_after_the_switch(mini, tmp_path):
    """The agencies' cached pages made again, and what a killed removal left (`.site.old-*`,
    `.trash-*`) are all deleted once the new site is in place (the previous site's tree is kept:
    the build after next brings it up to date, `test_site_trees.py`)."""
    build_dir, dist = tmp_path / "build", tmp_path / "dist"
    _report, site = _build(mini, tmp_path, build_dir=build_dir, workers=1)
    records_cache = build_dir / "cache" / "site-records"
    (records_cache / "demo-ybj" / "previous-pages.txt").write_text("replaced", encoding="utf-8")
    for left in (dist / ".site.old-killed" / "guides" / "x", records_cache / ".trash-killed" / "demo-ybj"):
        left.mkdir(parents=True)
        (left / "index.html").write_text("left by a killed removal", encoding="utf-8")

    # a new stamp: new shells, every agency's pages joined into them in a new folder
    _report, site = _build(mini, tmp_path, build_dir=build_dir, workers=1, stamp={"version": "10.0.0-test"})
    assert "版本 10.0.0-test" in _read(site, page_url("power", "demo-power-b1"))
    wait_for_removals()
    assert sorted(p.name for p in dist.iterdir()) == ["site"]
    assert sorted(p.name for p in records_cache.iterdir()) == ["demo-mzj", "demo-ybj"]
    assert not (records_cache / "demo-ybj" / "previous-pages.txt").exists()  # joined again, the old folder gone
    assert not [p for p in tmp_path.rglob("previous-*.txt")]


@pytest.mark.slow
def test_with_the_graph_an_incremental_build_is_a_build_from_scratch(mini, tmp_path):
    """Agency pages draw their neighbourhood in the graph: a change shows in every page that draws it."""
    from qingdan.graph import build_graph

    def build(build_dir: Path) -> Path:
        report = validate(mini)
        return build_site(
            report,
            tmp_path / build_dir.name / "dist",
            graph=build_graph(report.registry),
            stamp=STAMP,
            build_dir=build_dir,
            workers=1,
        )

    build(tmp_path / "kept")
    _replace(mini, "name: 襄垣县民政局", "name: 襄垣县民政和社会事务局")
    _replace(mini, "name: 对骗取医疗保障基金行为的处罚", "name: 对骗取医疗保障基金行为的行政处罚")
    incremental, fresh = build(tmp_path / "kept"), build(tmp_path / "fresh")
    assert site_files(incremental) == site_files(fresh)
    assert indexed_pages(incremental) == indexed_pages(fresh)
    assert "襄垣县民政和社会事务局" in _read(incremental, page_url("agency", "demo-ybj"))


EXTRA_SERVICE = """
services:
  - id: demo-service-extra
    agency: demo-ybj
    name: 临时救助申请
    source: {document: doc-mini, locator: 公共服务 序号9, line: 17}
"""


def _every_file(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_a_rebuild_links_only_the_files_that_changed_into_the_site_tree(mini, tmp_path, monkeypatch):
    """The tree not published is brought up to date: what changed is linked, a removed record's
    page is removed, nothing else is touched; the site is the site a build from scratch writes."""
    from qingdan import atomic

    build_dir, extra = tmp_path / "build", mini / "demo-bureau" / "extra.yaml"
    extra.write_text(EXTRA_SERVICE, encoding="utf-8")
    for _ in range(2):  # both trees hold this site
        _report, site = _build(mini, tmp_path, build_dir=build_dir, workers=1)
    before = _every_file(site)
    assert "guides/demo-service-extra/index.html" in before
    touched, real_place = [], atomic._place

    def recording(source, target, root=None):
        if root is not None:  # into a site tree (not link_or_copy's other links)
            touched.append(Path(target).relative_to(root).as_posix())
        return real_place(source, target, root)

    monkeypatch.setattr(atomic, "_place", recording)
    _replace(mini, "name: 对骗取医疗保障基金行为的处罚", "name: 对骗取医疗保障基金行为的行政处罚")
    extra.unlink()
    report, site = _build(mini, tmp_path, build_dir=build_dir, workers=1)
    after = _every_file(site)
    changed = {rel for rel, data in after.items() if before.get(rel) != data}
    assert "guides/demo-power-b1/index.html" in changed and len(changed) < len(after) / 2
    # the renamed guide's agency has its pages made again (owner_keys): new files, linked again
    remade = (build_dir / "cache" / "site-records" / "demo-ybj" / ".urls").read_text(encoding="utf-8").split()
    assert changed <= set(touched) and set(touched) - changed <= {f"{url}index.html" for url in remade}
    assert len(touched) == len(set(touched)) and not any(rel.startswith("assets/") for rel in touched)
    assert not (site / "guides" / "demo-service-extra").exists()
    monkeypatch.undo()
    fresh = build_site(report, tmp_path / "fresh" / "dist", build_dir=tmp_path / "fresh" / "build", stamp=STAMP)
    assert site_files(site) == site_files(fresh) and indexed_pages(site) == indexed_pages(fresh)


@pytest.mark.slow
def test_a_build_failing_while_it_changes_a_tree_keeps_the_site_and_the_next_repairs_the_tree(
    mini, tmp_path, monkeypatch
):
    from qingdan.site import search_index

    build_dir = tmp_path / "build"
    for _ in range(2):
        _report, site = _build(mini, tmp_path, build_dir=build_dir, workers=2)
    before, published = _every_file(site), site.resolve()

    def failing(pages, target, *, cwd):
        raise search_index.SearchIndexError("killed")

    monkeypatch.setattr(search_index, "run_pagefind", failing)
    _replace(mini, "name: 对骗取医疗保障基金行为的处罚", "name: 对骗取医疗保障基金行为的行政处罚")
    with pytest.raises(SiteBuildError, match="killed"):  # after the workers put the record pages in the tree
        _build(mini, tmp_path, build_dir=build_dir, workers=2)
    assert site.resolve() == published and _every_file(site) == before
    dirty = next(tree for tree in (build_dir / "site-trees").iterdir() if tree.name in "ab" and tree != published)
    assert "行政处罚" in _read(dirty, page_url("power", "demo-power-b1"))  # half changed
    assert not dirty.with_name(f"{dirty.name}.manifest").exists()
    (dirty / "guides" / "stray").mkdir()
    (dirty / "guides" / "stray" / "index.html").write_text("left by a killed build", encoding="utf-8")

    monkeypatch.undo()
    report, site = _build(mini, tmp_path, build_dir=build_dir, workers=2)
    assert site.resolve() == dirty
    fresh = build_site(report, tmp_path / "fresh" / "dist", build_dir=tmp_path / "fresh" / "build", stamp=STAMP)
    assert site_files(site) == site_files(fresh) and indexed_pages(site) == indexed_pages(fresh)


def test_an_agencys_key_changes_when_its_records_change_order(mini):
    """Its pages list its records in the order of the registry's files: records moved within a file
    make its pages again, even when no finding and no record's content changed."""
    from qingdan.site.context import SiteContext
    from qingdan.site.records import owner_keys

    report = validate(mini)
    before = owner_keys(SiteContext(report), [], "v")
    registry = report.registry
    registry.by_kind["power"].reverse()  # its two powers, swapped
    order = list(registry.entries)
    first, second = order.index("demo-power-b1"), order.index("demo-power-b1-second")
    order[first], order[second] = order[second], order[first]
    registry.entries = {record_id: registry.entries[record_id] for record_id in order}
    after = owner_keys(SiteContext(report), [], "v")
    assert after["demo-ybj"] != before["demo-ybj"]
    assert after["demo-mzj"] == before["demo-mzj"]  # owns no power: its pages are kept
