"""The guide page puts citizens first: what it is, what to bring, how to apply channel by channel,
where and which phone, legal basis, how to complain; provenance and doubts last, folded, in Chinese."""

from __future__ import annotations

import re

import pytest

from qingdan import models
from qingdan.site.components import field_label
from qingdan.urls import page_url

SERVICE = "demo-city-cbdj"
# Every field name a guide's record and its parts can carry: none may reach the reader.
FIELD_NAMES = {
    name
    for model in (models.PublicService, models.Power, models.Process, models.Contact, models.Phone, models.ReviewFlag)
    for name in model.model_fields
}


def _article(html: str) -> str:
    return html[html.index("<article") : html.index("</article>")]


def _visible_words(html: str) -> set[str]:
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.DOTALL)
    html = re.sub(r"<[^>]+>", " ", html)
    return set(re.findall(r"[A-Za-z_]+", html))


def _headings(article: str) -> list[str]:
    return re.findall(r'<h2 id="([^"]+)"', article)


def test_review_field_paths_read_as_chinese_column_names():
    assert field_label("time_limit") == "办理时限"
    assert field_label("channels") == "办理渠道"
    assert field_label("handling[5].raw") == "承办机构第6项·原文"
    assert field_label("牵头负责人") == "牵头负责人"
    assert field_label("no_such_field") == "其他内容"
    # inside a part, each name is looked up under the model that holds it
    assert field_label("processes[0].steps[1]", "Power") == "办理流程第1项·办理步骤第2项"
    assert field_label("contacts[2].value", "PublicService") == "联系和投诉渠道第3项·内容"
    assert field_label("phones[0].number", "Power") == "电话第1项·电话号码"
    assert field_label("handling[5].raw", "Power") == "承办机构第6项·原文"
    assert field_label("source.line", "Power") == "来源·来源行"


@pytest.mark.slow
def test_fixture_guide_page_is_in_citizen_order_with_every_process(guide_site):
    service = guide_site.report.registry.get(SERVICE)
    html = (guide_site.path / page_url("service", SERVICE) / "index.html").read_text(encoding="utf-8")
    article = _article(html)
    # no legal basis in this guide and no boundary sharing a word with it: no section for either,
    # the basis is named in the one 源文件未载明 line instead
    assert _headings(article) == ["qd-basic", "qd-materials", "qd-steps", "qd-place", "qd-complain", "qd-source"]
    assert re.search(r'<p class="qd-missing">源文件未载明：[^<]*设定依据', article)
    steps = article[article.index('id="qd-steps"') : article.index('id="qd-place"')]
    positions = []
    for process in service.processes:
        section = steps[steps.index(f">{process.name}</h3>") :]
        section = section[: section.index("</section>")]
        positions.append(steps.index(f">{process.name}</h3>"))
        if process.platform:
            assert f"<dd>{process.platform}</dd>" in section
        if process.time_limit:
            assert f"<dd>{process.time_limit}</dd>" in section
        assert all(step in section for step in process.steps)
    assert positions == sorted(positions) and len(positions) == 4
    complain = article[article.index('id="qd-complain"') : article.index('id="qd-source"')]
    for expected in ("12345", "信访信箱", "局长信箱", "好差评", "示例市医疗保障局门户网站"):
        assert expected in complain, expected
    place = article[article.index('id="qd-place"') : article.index('id="qd-complain"')]
    assert "各地向社会公布的经办服务大厅" in place and "周一至周五" in place
    # provenance and doubts come last and folded; the defects of this guide are named there in Chinese
    tail = article[article.index('id="qd-source"') :]
    assert tail.count("<details") == 2 and "<details open" not in tail
    assert "城乡居民基本医疗保险参保登记办事指南" in tail and "未载明设定依据" in tail
    leaked = _visible_words(article) & FIELD_NAMES
    assert not leaked, leaked


@pytest.mark.slow
def test_agency_page_gives_one_small_source_link_per_record(guide_site):
    html = (guide_site.path / page_url("agency", "demo-city-ybj") / "index.html").read_text(encoding="utf-8")
    article = _article(html)
    assert article.count('class="qd-source-link"') >= 1
    assert 'href="../../sources/doc-guide/#L1" class="qd-source-link">出处</a>' in article
    assert "位置：" not in article


@pytest.mark.browser
@pytest.mark.slow
def test_guide_first_screen_on_a_phone(guide_site, new_page):
    page = new_page("phone")
    page.goto(guide_site.url + page_url("service", SERVICE))
    state = page.evaluate("""() => {
      const box = el => { const r = el.getBoundingClientRect(); return {top: r.top, bottom: r.bottom}; };
      const facts = document.querySelector('dl.qd-facts');
      return {
        innerWidth, innerHeight, docWidth: document.documentElement.scrollWidth,
        title: box(document.querySelector('h1')), titleText: document.querySelector('h1').textContent.trim(),
        agency: box(document.querySelector('.qd-kicker a')),
        agencyText: document.querySelector('.qd-kicker a').textContent.trim(),
        firstFact: box(facts.querySelector('dd')), heading: document.querySelector('h2').textContent.trim(),
        summary: box(document.querySelector('.qd-summary')),
        summaryText: document.querySelector('.qd-summary').textContent,
      };
    }""")
    assert state["innerWidth"] == 390
    assert state["docWidth"] <= state["innerWidth"] + 1, "the page scrolls sideways"
    assert state["titleText"] == "城乡居民基本医疗保险参保登记"
    assert state["agencyText"] == "示例市医疗保障局"
    assert "办理时限：即时办结" in state["summaryText"] and "微信小程序办理" in state["summaryText"]
    for part in ("title", "agency", "summary", "firstFact"):
        assert state[part]["bottom"] <= state["innerHeight"], part
    assert state["heading"].startswith("是什么、谁可以办")
