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

from .conftest import indexed_pages, site_files

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


def _province_wide(ctx, record_id: str):
    """The record's matter with a member from many agencies of several regions, in a shuffled order
    (the record's own agency 460202-ybj: 三亚市海棠区)."""
    import dataclasses
    import random

    matter = ctx.matter_of[record_id]
    own = next(m for m in matter.members if m.record == record_id)
    agencies = [a.id for a in ctx.registry.of("agency") if a.id != own.agency]
    others = [dataclasses.replace(own, record=f"{agency}-x", agency=agency) for agency in agencies]
    random.Random(4).shuffle(others)
    return dataclasses.replace(matter, members=[*others[:20], own, *others[20:]])


def test_the_nearest_other_agencies_share_the_most_leading_digits_of_the_region_code(seed_report):
    """Same district, then the same city, then the same province, then the rest, each in the
    matter's order: what sorting every member by closeness would give, without sorting them all."""
    import os

    from qingdan.site.matters import SAME_MATTER_SHOWN, nearest_same_matter

    ctx = SiteContext(seed_report)
    record_id = "460202-ybj-service-1"
    matter = ctx.matter_of[record_id] = _province_wide(ctx, record_id)
    region = {a.id: a.region or "" for a in ctx.registry.of("agency")}
    others = [m for m in matter.members if m.record != record_id]
    order = {id(m): i for i, m in enumerate(others)}
    expected = sorted(
        others, key=lambda m: (-len(os.path.commonprefix([region["460202-ybj"], region[m.agency]])), order[id(m)])
    )
    found, shown, more = nearest_same_matter(ctx, record_id)
    assert found is matter
    assert shown == expected[:SAME_MATTER_SHOWN]
    assert more == len(others) - SAME_MATTER_SHOWN
    assert [region[m.agency] for m in shown[:9]] == ["460202"] * 9  # the district's own bodies first
    assert region[shown[9].agency] == "460200"  # then the city's


def test_an_agency_s_pages_are_made_again_only_when_the_matter_members_they_name_change(seed_report):
    """The key of an agency's pages (records.owner_keys) follows the other agencies' records its
    guides name, not every member of their matters: in a province each matter has a member per
    county, and hashing them all made the key grow with the province for every agency."""
    import dataclasses

    from qingdan.site.matters import nearest_same_matter
    from qingdan.site.records import owner_keys, page_keys

    ctx = SiteContext(seed_report)
    record_id = "460202-ybj-service-1"
    page = f"guides/{record_id}.md"
    matter = ctx.matter_of[record_id] = _province_wide(ctx, record_id)
    before, before_pages = owner_keys(ctx, [], "v"), page_keys(ctx, "v")
    _, shown, _ = nearest_same_matter(ctx, record_id)
    unnamed = next(m for m in matter.members if m not in shown and m.record != record_id)
    renamed = [dataclasses.replace(m, record=m.record + "y") if m is unnamed else m for m in matter.members]
    ctx.matter_of[record_id] = dataclasses.replace(matter, members=renamed)
    assert page_keys(ctx, "v")["460202-ybj"] == before_pages["460202-ybj"]
    renamed = [dataclasses.replace(m, record=m.record + "y") if m is shown[0] else m for m in matter.members]
    ctx.matter_of[record_id] = dataclasses.replace(matter, members=renamed)
    after = page_keys(ctx, "v")["460202-ybj"]
    assert after[page] != before_pages["460202-ybj"][page]
    assert {rel for rel, key in after.items() if key != before_pages["460202-ybj"][rel]} == {page}  # that page alone
    assert owner_keys(ctx, [], "v")["460202-ybj"] == before["460202-ybj"]  # not the agency's other pages


@pytest.mark.slow
def test_a_renamed_guide_makes_again_its_agency_s_pages_and_only_the_guides_naming_it(tmp_path, monkeypatch):
    """Its agency's page lists it and the other counties' guides of the same matter name it: those
    pages are made again, not its agency's other guides nor the rest of the other agencies' pages;
    the site is byte for byte a build from scratch."""
    from qingdan.atomic import wait_for_removals
    from qingdan.site import build_site, records

    registry = tmp_path / "peers"
    shutil.copytree(PEERS, registry)

    def build(base: Path, **kwargs) -> Path:
        return build_site(validate(registry), base / "dist", build_dir=base / "build", workers=1, **kwargs)

    build(tmp_path / "kept")
    agencies_made, guides_made = [], []
    real_agency, real_guide = records.agency_page, records.guide_page
    monkeypatch.setattr(
        records, "agency_page", lambda c, agency: agencies_made.append(agency.id) or real_agency(c, agency)
    )
    monkeypatch.setattr(
        records, "guide_page", lambda c, record, kind: guides_made.append(record.id) or real_guide(c, record, kind)
    )
    path = registry / "counties" / "registry.yaml"
    text = path.read_text(encoding="utf-8")
    at = text.index("name: 对骗取医疗保障基金的处罚", text.index("id: huguan-power-pianbao"))
    path.write_text(text[:at] + "name: 对骗取医保基金行为的处罚" + text[at + len("name: 对骗取医疗保障基金的处罚") :])

    site = build(tmp_path / "kept")
    assert agencies_made == ["huguan-ybj"]
    assert sorted(guides_made) == [  # the renamed guide, and its matter's guides in the other counties
        "huguan-power-pianbao",
        "licheng-power-pianbao",
        "pingshun-power-pianbao",
        "zhangzi-power-pianbao",
    ]
    assert "对骗取医保基金行为的处罚" in (site / page_url("power", "licheng-power-pianbao") / "index.html").read_text()
    monkeypatch.undo()
    fresh = build(tmp_path / "fresh")
    assert site_files(site) == site_files(fresh)
    assert indexed_pages(site) == indexed_pages(fresh)
    wait_for_removals()


def test_a_guide_of_an_agency_without_boundaries_cuts_no_words(mini, monkeypatch):
    """Its other bodies involved come from its agency's boundaries alone: with none, the segmenter
    (a second to load its dictionary, in every worker) is not used; with some, the words are cut."""
    from qingdan.site import guides

    ctx = SiteContext(validate(mini))
    record = ctx.registry.get("demo-power-b1-second")  # 对医疗救助资金的监督检查: the boundary's 医疗救助
    assert guides.related_boundaries(ctx, record)[0][0].id == "demo-boundary-1"

    def no_segmenter(value):
        raise AssertionError(f"words cut: {value}")

    monkeypatch.setattr(guides, "_words", no_segmenter)
    ctx.boundaries_of.pop(record.agency)
    assert guides.related_boundaries(ctx, record) == []
    assert 'id="qd-others"' not in guide_page(ctx, record, "power")  # no section for nothing
