"""事项对照 pages: the side-by-side page, the index, and the guide's link to the same matter elsewhere."""

import html
import re
import shutil
from pathlib import Path

import pytest

from qingdan.site.context import SiteContext
from qingdan.site.guides import guide_page
from qingdan.site.matters import matter_page, matters_index
from qingdan.urls import matter_path, page_url
from qingdan.validate import validate

PEERS = Path(__file__).parent / "fixtures" / "peers"


def test_matter_page_puts_agencies_side_by_side_and_marks_outliers(seed_report):
    ctx = SiteContext(seed_report)
    matter = ctx.matter_of["140423-ybj-power-06"]
    md = matter_page(ctx, matter)
    table = md.split('<div class="qd-compare">', 1)[1].split("</div>", 1)[0]
    assert table.count("<tr>") == 3  # the header and one row per agency
    assert "襄垣县医疗保障局" in table and "绵阳市医疗保障局" in table
    assert "3400-F-00100-140423" in table and "行政确认" in table and "公共服务" in table
    assert "类别与其他机构不同" in md and "未经编辑确认" in md
    # links go from the matter page to each guide
    assert '<a href="../../guides/140423-ybj-power-06/">' in table


def test_guides_link_to_the_same_matter_elsewhere_and_single_ones_do_not(seed_report):
    ctx = SiteContext(seed_report)
    md = guide_page(ctx, ctx.registry.get("460202-ybj-service-1"), "service")
    section = md.split("其他地区的同一事项", 1)[1].split("## ", 1)[0]
    assert "城乡居民医疗保险参保登记" in section and "绵阳市医疗保障局" in section
    matter = ctx.matter_of["460202-ybj-service-1"]
    assert f'href="../../{matter_path(matter.id)}"' in section
    assert "其他地区的同一事项" not in guide_page(ctx, ctx.registry.get("460202-ybj-service-2"), "service")
    index = matters_index(ctx)
    assert "医疗救助" in index and "城乡居民医疗保险参保登记" in index


def test_names_are_escaped_on_the_matter_pages(tmp_path):
    registry = tmp_path / "peers"
    shutil.copytree(PEERS, registry)
    path = registry / "counties" / "registry.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("name: 医疗救助", 'name: "医疗救助<script>x</script>"'),
        encoding="utf-8",
    )
    ctx = SiteContext(validate(registry))
    matter = ctx.matter_of["pingshun-service-jiuzhu"]
    assert len(matter.members) == 4
    for md in (matter_page(ctx, matter), matters_index(ctx)):
        assert "<script>x" not in md and "医疗救助&lt;script&gt;x&lt;/script&gt;" in md


@pytest.mark.slow
def test_the_built_site_has_the_matter_pages_linked_from_guides_and_the_navigation(seed_site):
    ctx = SiteContext(seed_site.report)
    matter = ctx.matter_of["510700-ybj-service-46"]
    page = seed_site.page(matter_path(matter.id))
    assert "襄垣县医疗保障局" in page and "绵阳市医疗保障局" in page
    guide = seed_site.page(page_url("service", "510700-ybj-service-46"))
    links = re.findall(r'href="([^"]*matters/[^"]*)"', guide)
    assert any(matter.id in link for link in links)
    assert "事项对照" in seed_site.page("matters/")
    assert html.escape("事项对照") in seed_site.page("")  # in the navigation


def test_a_guide_names_at_most_ten_other_agencies_nearest_first(seed_report):
    """In a province every county lists the same matter: the guide names the nearest ten and
    sends the reader to the comparison page for the rest, so it does not grow with the province."""
    import dataclasses

    from qingdan.site.matters import SAME_MATTER_SHOWN, same_matter_chunks

    ctx = SiteContext(seed_report)
    record_id = "460202-ybj-service-1"
    matter = ctx.matter_of[record_id]
    own = next(m for m in matter.members if m.record == record_id)
    others = [m for m in matter.members if m.record != record_id]
    near = dataclasses.replace(own, record="460202-ybj-service-2")  # same county, listed last
    many = [own, *(others * 14)[:14], near]
    ctx.matter_of[record_id] = dataclasses.replace(matter, members=many)
    section = "".join(same_matter_chunks(ctx, "guides/x/", record_id))
    items = re.findall(r"<li>(.*?)</li>", section)
    assert len(items) == SAME_MATTER_SHOWN == 10
    assert "460202-ybj-service-2" in items[0]  # the same county before the other provinces
    assert "另有 5 个机构的同一事项" in section
