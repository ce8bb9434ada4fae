"""Bidi controls (U+202A–U+202E, U+2066–U+2069) in registry text: a finding, kept in the registry,
and shown on pages, in drawings and in the feed as visible marks, never raw."""

import pytest

from qingdan.bidi import visible
from qingdan.site.context import SiteContext
from qingdan.site.markup import esc, page
from qingdan.validate import validate

from .conftest import edit, line_of

CONTROLS = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]


@pytest.mark.parametrize("char", CONTROLS)
def test_each_control_is_shown_as_a_mark(char):
    shown = esc(f"电话{char}12345<b>")
    assert char not in shown and f"[U+{ord(char):04X}]" in shown and "&lt;b&gt;" in shown
    assert char not in page({"title": f"名称{char}"}, "x")


def test_other_text_is_left_as_it_is():
    text = "阿拉伯文 \u200f مرحبا ‎and LRM, 中文（全角）"
    assert visible(text) == text


@pytest.fixture
def bidi_mini(mini):
    path = edit(mini, "    name: 异地就医备案", "    name: 异地就医\u202e备案")
    return mini, path


def test_a_bidi_control_is_a_finding_and_the_text_is_kept(bidi_mini):
    mini, path = bidi_mini
    report = validate(mini)
    assert report.ok, [e.format() for e in report.errors]
    found = [p for p in report.findings if p.code == "bidi_control"]
    assert len(found) == 1
    finding = found[0]
    assert finding.record == "demo-service-1" and finding.line == line_of(path, "异地就医\u202e备案")
    assert "[U+202E]" in finding.message_zh and "\u202e" not in finding.message_zh
    assert report.registry.get("demo-service-1").name == "异地就医\u202e备案"  # fidelity


def test_pages_show_the_mark_and_never_the_control(bidi_mini):
    from qingdan.site.agencies import agency_page
    from qingdan.site.guides import guide_page

    report = validate(bidi_mini[0])
    ctx = SiteContext(report)
    registry = report.registry
    for markdown in (
        guide_page(ctx, registry.get("demo-service-1"), "service"),
        agency_page(ctx, registry.get("demo-ybj")),
    ):
        assert "异地就医[U+202E]备案" in markdown and "\u202e" not in markdown


def test_drawing_labels_and_the_feed_show_the_mark():
    from qingdan import flowchart, graph_draw

    assert graph_draw._text("名称\u2066x") == "名称[U+2066]x"
    assert "\u202d" not in flowchart._html_lines("步骤\u202d一", 20) and "[U+202D]" in flowchart._html_lines(
        "步骤\u202d一", 20
    )


def test_structured_data_keeps_the_exact_text_as_escapes():
    import json

    from qingdan.site.markup import json_ld

    element = json_ld({"name": "异地就医\u202e备案"})
    assert "\u202e" not in element and "\\u202e" in element
    data = element.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert json.loads(data) == {"name": "异地就医\u202e备案"}


async def test_datasette_cells_show_the_mark_and_json_keeps_the_text(bidi_mini, tmp_path):
    from qingdan.db import build_database

    from .conftest import public_datasette

    ds = public_datasette(build_database(validate(bidi_mini[0]), tmp_path / "qingdan.db"))
    table = await ds.client.get("/qingdan/services", params={"id": "demo-service-1"})
    assert table.status_code == 200
    assert "异地就医[U+202E]备案" in table.text and "\u202e" not in table.text
    page = await ds.client.get("/qingdan/services/demo-service-1")
    assert "异地就医[U+202E]备案" in page.text and "\u202e" not in page.text
    row = await ds.client.get("/qingdan/services/demo-service-1.json", params={"_shape": "objects"})
    assert row.json()["rows"][0]["name"] == "异地就医\u202e备案"  # the data is exact
