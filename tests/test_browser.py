"""The built site in a real browser: the system Chromium, driven by Playwright, at a phone's viewport.

The fixtures (`browser`, `new_page`, `mini_site`, `screenshots`) are in conftest.py and
browser_support.py. Chromium missing fails these tests with the install command.
"""

from __future__ import annotations

import pytest

from qingdan.site.search_index import query_words
from qingdan.urls import page_url

from .browser_support import outside_requests

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RESULT_LINKS = ".md-search-result__item a"


def result_hrefs(page) -> list[str]:
    """The links of the search results, once there are any."""
    page.locator(RESULT_LINKS).first.wait_for()
    return page.eval_on_selector_all(RESULT_LINKS, "links => links.map(a => a.href)")


def test_guide_on_a_phone_shows_flowchart_and_steps(mini_site, new_page, screenshots):
    report, url = mini_site.report, mini_site.url
    power = report.registry.get("demo-power-b1")
    page = new_page("phone")
    page.goto(url + page_url("power", power.id))
    page.evaluate("document.fonts ? document.fonts.ready.then(() => true) : true")
    state = page.evaluate("""() => {
      const vis = el => { if (!el) return null; const r = el.getBoundingClientRect();
        const s = getComputedStyle(el);
        return {w: r.width, h: r.height, left: r.left, right: r.right,
                shown: s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0}; };
      const svg = document.querySelector('figure.qd-flow svg');
      const steps = [...document.querySelectorAll('ol.qd-steps > li')];
      return {
        title: document.querySelector('h1').textContent.trim(),
        svg: vis(svg), scroller: vis(document.querySelector('.qd-flow-scroll')),
        svgTexts: svg ? [...svg.querySelectorAll('text')].map(t => t.textContent) : [],
        dashed: svg ? svg.querySelectorAll('.edge path[stroke-dasharray]').length : 0,
        steps: steps.map(li => ({text: li.querySelector('.qd-step-title').textContent, ...vis(li)})),
        innerWidth: innerWidth, docWidth: document.documentElement.scrollWidth,
      };
    }""")
    assert state["innerWidth"] == 390
    assert state["title"] == power.name
    assert state["svg"] and state["svg"]["shown"], "the flowchart SVG is not visible"
    # the chart fits the phone's width or scrolls inside its own box; the page never scrolls sideways
    assert state["scroller"]["right"] <= state["innerWidth"] + 1
    assert state["docWidth"] <= state["innerWidth"] + 1, "the page is wider than the phone screen"
    template = report.registry.get(report.registry.get(power.flow).template)
    labels = [n.label for n in template.nodes]
    assert [s["text"] for s in state["steps"]] == labels
    assert all(s["shown"] for s in state["steps"])
    assert set(labels) <= set(state["svgTexts"])
    assert state["dashed"] == sum(e.reconstructed for e in template.edges)

    assert page.requested_urls, "no network requests were recorded"
    assert outside_requests(page, url) == [], "the page asked for something outside the site"

    page.goto(url + page_url("power", power.id) + "#qd-steps")
    page.wait_for_timeout(300)
    shot = page.screenshot(path=screenshots / "guide-phone.png")
    assert len(shot) > 10_000
    full = page.screenshot(path=screenshots / "guide-phone-full.png", full_page=True)
    assert len(full) > len(shot)


def test_search_finds_a_word_inside_a_compound(mini_site, new_page, screenshots):
    report, url = mini_site.report, mini_site.url
    page = new_page("phone")
    page.goto(url)
    page.click('label[for="__search"]')
    query = page.locator('input[name="query"]')
    query.wait_for()
    query.focus()
    page.keyboard.insert_text("保险")  # as an input method commits Chinese text
    page.keyboard.press("End")
    hrefs = result_hrefs(page)
    # every guide whose name holds 保险 inside a longer word is among the results
    expected = [g for g in report.registry.of("service") + report.registry.of("power") if "保险" in g.name]
    assert expected, "the test registry has no guide named with 保险"
    for guide in expected:
        kind = "power" if hasattr(guide, "code_scheme") else "service"
        assert any(page_url(kind, guide.id) in h for h in hrefs), f"{guide.name} not found by 保险: {hrefs}"
    page.screenshot(path=screenshots / "search-phone.png")
    assert outside_requests(page, url) == []


def test_home_search_form_opens_search_with_the_query(mini_site, new_page):
    """The home page's own search box (a plain GET form) hands its query to Material's search."""
    report, url = mini_site.report, mini_site.url
    page = new_page("phone")
    page.goto(url)
    page.fill("#qd-q", "救助")
    with page.expect_navigation():
        page.evaluate("document.querySelector('form.qd-search').submit()")
    hrefs = result_hrefs(page)
    boundary = next(b for b in report.registry.of("boundary") if "救助" in b.matter)
    assert any(page_url("boundary", boundary.id) in h for h in hrefs), hrefs


def test_the_query_is_cut_into_words_as_the_index_was(mini_site, new_page):
    """The browser's copy of query_words (content/javascripts/search.js) agrees with the Python one."""
    page = new_page("desktop")
    page.goto(mini_site.url)
    samples = [
        "基本医疗保险异地就医备案",
        "两病",
        "保",
        "ＡＢＣ-123 医保卡",
        "0355-1234567",
        "职工 参保登记（变更）",
        "Ünïcode x光",
    ]
    for text in samples:
        assert page.evaluate("t => qingdanQueryWords(t)", text) == query_words(text), text


def test_search_answers_in_chinese_from_the_site_itself(mini_site, new_page):
    """Two-character words typed in a person's words find records; nothing comes from outside the site."""
    report, url = mini_site.report, mini_site.url
    page = new_page("desktop")
    page.goto(url + "guides/")
    page.click(".md-search__input")
    page.keyboard.insert_text("医保")
    hrefs = result_hrefs(page)
    # 医保 is the short form of 医疗保障 / 医疗保险: guides holding either are found
    named = [g for g in report.registry.of("power") + report.registry.of("service") if "医疗保障" in g.name]
    assert named and all(any(page_url(k, g.id) in h for h in hrefs) for g, k in ((g, _kind(g)) for g in named))
    assert page.locator(".md-search-result__meta").inner_text().startswith(("找到", "显示前"))
    page.fill(".md-search__input", "没有这样的事项")
    page.locator(".md-search-result__meta", has_text="没有找到符合条件的结果").wait_for()
    assert page.locator(RESULT_LINKS).count() == 0
    assert outside_requests(page, url) == []
    assert any("/pagefind/" in u for u in page.requested_urls)


def _kind(guide) -> str:
    return "power" if hasattr(guide, "code_scheme") else "service"


def test_a_phone_downloads_little_for_a_guide_and_a_first_search(mini_site, new_page):
    """Budgets (issue 12): a guide page with its flowchart at most 100 KB of HTML, a first visit at
    most 500 KB in all, a first search (every request after typing) at most 300 KB.
    benchmarks/bench_site.py measures the same at 5,000 and 50,000 guides."""
    url = mini_site.url
    page = new_page("phone")
    sizes: list[tuple[str, int]] = []

    def finished(request):
        s = request.sizes()
        sizes.append((request.url, s["responseBodySize"] + s["responseHeadersSize"]))

    page.on("requestfinished", finished)
    guide = url + page_url("power", "demo-power-b1")
    page.goto(guide, wait_until="load")
    page.wait_for_timeout(300)
    assert page.locator("figure.qd-flow svg").count() == 1
    html = next(n for u, n in sizes if u == guide)
    visit = sum(n for _, n in sizes)
    assert html <= 100_000 and visit <= 500_000, (html, visit)
    assert not any("/pagefind/" in u for u, _ in sizes), "the search index is loaded only when searching"

    sizes.clear()
    page.click('label[for="__search"]')
    page.keyboard.insert_text("医疗保险")
    result_hrefs(page)
    page.wait_for_timeout(500)
    search = sum(n for _, n in sizes)
    assert any(u.endswith("pagefind.js") for u, _ in sizes) and search <= 300_000, (search, sizes)
    # Pagefind runs in the page's thread: a web worker would be 41 KB more (which Chromium reports as 0)
    assert not any("pagefind-worker" in u for u in page.requested_urls)


def test_damaged_text_is_shown_with_its_spaces_and_tabs(mini_site, new_page):
    """The raw text of a review flag is shown exactly as printed: its spaces are often the damage
    (体 系 for 体系), so the page must not collapse two spaces or a tab into one."""
    page = new_page("phone")
    page.goto(mini_site.url + "agencies/demo-ybj/")
    raw = page.locator(".qd-raw").first
    assert raw.text_content() == "李 四"  # the fixture's damaged name, as the registry holds it
    shown = raw.evaluate("el => { el.textContent = '李  \\t四'; return el.innerText; }")
    assert shown == "李  \t四"


EXTRA_AGENCY = """\
agencies:
  - id: demo-extra
    name: 襄垣县殡葬管理所
    level: county
    region: "140423"
    kind: government_department
    source: {document: doc-mini, locator: 标题, line: 1}

powers:
  - id: demo-extra-power
    agency: demo-extra
    category: 行政检查
    category_raw: 行政检查类
    name: 对殡葬设施的专项检查
    source: {document: doc-mini, locator: 标题, line: 1}
"""
ORDER_QUERIES = ["医疗保障", "医保", "处罚", "救助", "民政", "基金", "襄垣县"]


def test_after_an_incremental_rebuild_search_finds_what_a_build_from_scratch_finds(mini, tmp_path, serve, new_page):
    """A renamed guide (its agency in the overlay) is found by its new name, not its old one; a
    removed agency's records are gone; the other agencies' are found; every query answers in the
    order a site built from scratch answers it."""
    import json

    from qingdan.site import build_site
    from qingdan.validate import validate

    from .conftest import edit

    (mini / "extra").mkdir()
    (mini / "extra" / "registry.yaml").write_text(EXTRA_AGENCY, encoding="utf-8")

    def build(name: str) -> str:
        site = build_site(validate(mini), tmp_path / name / "dist", build_dir=tmp_path / name / "build", workers=1)
        return serve(site)

    def finds(url: str, queries: list[str]) -> dict[str, list[str]]:
        page = new_page("desktop")
        page.goto(url)
        page.wait_for_function("() => typeof window.qingdanFind === 'function'")
        return {query: page.evaluate("q => window.qingdanFind(q)", query) for query in queries}

    renamed, removed = page_url("power", "demo-power-b1"), page_url("power", "demo-extra-power")
    before = finds(build("kept"), ["的处罚", "殡葬"])
    assert renamed in before["的处罚"] and removed in before["殡葬"]

    edit(mini, "name: 对骗取医疗保障基金行为的处罚", "name: 对骗取医疗保障基金行为的行政处罚")
    (mini / "extra" / "registry.yaml").unlink()
    url = build("kept")
    listing = json.loads((tmp_path / "kept" / "dist" / "site" / "pagefind" / "overlay.json").read_text())
    assert listing["groups"] == ["demo-ybj"] and listing["removed"] == ["demo-extra"] and listing["merge"]
    after = finds(url, ["的行政处罚", "的处罚", "殡葬", *ORDER_QUERIES])
    assert renamed in after["的行政处罚"] and renamed not in after["的处罚"]
    assert after["殡葬"] == []
    assert page_url("agency", "demo-mzj") in after["民政"]  # another agency's, from the main index
    fresh = finds(build("fresh"), ORDER_QUERIES)
    assert all(fresh[query] for query in ORDER_QUERIES)
    assert {query: after[query] for query in ORDER_QUERIES} == fresh
