"""The relation graph page in Chromium: the drawing and legend fit the screen, a click shows a body's links."""

from __future__ import annotations

import pytest

from .browser_support import outside_requests

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STATE = """() => {
  const box = el => { const r = el.getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top,
    bottom: r.bottom, w: r.width, h: r.height}; };
  const view = document.querySelector('.qd-graph-view');
  const legend = document.querySelector('.qd-graph-legend');
  return {view: box(view), svg: box(view.querySelector('svg')), legend: box(legend),
    labels: [...legend.querySelectorAll('label')].map(l => ({text: l.textContent, ...box(l)})),
    viewBox: view.querySelector('svg').getAttribute('viewBox'),
    innerWidth: innerWidth, docWidth: document.documentElement.scrollWidth};
}"""


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_graph_and_its_legend_fit_and_a_click_shows_the_neighbours(seed_site, new_page, viewport):
    page = new_page(viewport)
    page.goto(seed_site.url + "graph/")
    state = page.evaluate(STATE)
    width = state["innerWidth"]
    assert width == (1280 if viewport == "desktop" else 390)
    assert state["docWidth"] <= width + 1, "the page scrolls sideways"
    for part in ("view", "svg", "legend"):
        assert 0 <= state[part]["left"] and state[part]["right"] <= width + 1, (part, state[part])
        assert state[part]["w"] > 0 and state[part]["h"] > 0
    assert state["svg"]["h"] >= 250  # the whole drawing is scaled into the box, not a sliver
    assert [label for label in state["labels"] if label["right"] > width + 1 or label["left"] < 0] == []
    assert {"同列事项", "隶属"} <= {label["text"] for label in state["labels"]}

    # click 襄垣县医疗保障局: its links are listed, and 绵阳 (which lists 医疗救助 too) is among them
    page.locator(".qd-graph-view g.node", has=page.locator("title", has_text="140423-ybj")).first.click()
    panel = page.locator("#qd-graph-panel")
    panel.wait_for(state="visible")
    text = panel.inner_text()
    assert "襄垣县医疗保障局" in text and "打开页面" in text
    assert "绵阳市医疗保障局" in text and "同列事项" in text
    assert page.locator(".qd-graph-view g.node.qd-on").count() >= 2
    assert page.url.endswith("graph/")  # the click selected the body, it did not leave the page
    href = panel.locator("a", has_text="打开页面").get_attribute("href")
    assert href.endswith("agencies/140423-ybj/")

    # zoom changes the view; hiding a relation hides its edges
    before = page.evaluate("document.querySelector('.qd-graph-view svg').getAttribute('viewBox')")
    page.locator("[data-qd-zoom=in]").click()
    assert page.evaluate("document.querySelector('.qd-graph-view svg').getAttribute('viewBox')") != before
    page.locator("label.qd-graph-switch", has_text="同列事项").locator("input").uncheck()
    hidden = page.evaluate(
        "[...document.querySelectorAll('.qd-graph-view g.edge.qd-rel-lists_same_matter')]"
        ".every(g => getComputedStyle(g).display === 'none')"
    )
    assert hidden
    assert outside_requests(page, seed_site.url) == []
