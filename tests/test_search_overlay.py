"""The search index kept as a main index and an overlay (`search_index.update_search_index`): which
groups are read again, which go to the overlay, when the main index is made again, and that what a
browser searches is what a build from scratch indexes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qingdan.site import search_index
from qingdan.site.search_index import GROUP_SIZE, SearchRecord, update_search_index

from .conftest import indexed_pages

# group → (key, titles of its records); the third group holds two indexed pages
REGISTRY = {
    "a": ("a1", ["医疗保险登记", "生育津贴申领"]),
    "b": ("b1", ["社会救助审批", "临时救助"]),
    "c": ("c1", [f"门诊费用报销（{i}）" for i in range(GROUP_SIZE + 3)]),
}


class Index:
    """A cache and a site folder indexed again and again, as builds of one build folder do."""

    def __init__(self, root: Path):
        self.root, self.read = root, []

    def build(self, groups: dict, version: str = "v1") -> dict:
        return self._build(self.root, groups, version)

    def fresh(self, groups: dict, version: str = "v1") -> dict[str, dict]:
        """What a build from scratch indexes."""
        root = self.root.with_name(self.root.name + "-fresh")
        self._build(root, groups, version)
        return indexed_pages(root / "site")

    def _build(self, root: Path, groups: dict, version: str) -> dict:
        self.read = []

        def records_of(group: str) -> list[SearchRecord]:
            self.read.append(group)
            return [SearchRecord(f"guides/{group}-{i}/", t, "某某局", group) for i, t in enumerate(groups[group][1])]

        keys = {group: key for group, (key, _titles) in groups.items()}
        return update_search_index(keys, records_of, root / "site", root / "cache", version=version)

    @property
    def main_entry(self) -> str:
        return (self.root / "cache" / "main" / "pagefind-entry.json").read_text(encoding="utf-8")

    def indexed(self) -> dict[str, dict]:
        return indexed_pages(self.root / "site")

    def titles(self) -> set[str]:
        return {anchor["text"] for page in self.indexed().values() for anchor in page["anchors"]}


@pytest.fixture
def index(tmp_path) -> Index:
    made = Index(tmp_path / "kept")
    listing = made.build(REGISTRY)
    assert made.read == ["a", "b", "c"]
    assert listing == {"groups": [], "removed": [], "hidden": [], "merge": False, "pages": 4}
    return made


def test_a_first_build_writes_the_main_index_and_an_empty_overlay(index):
    site = index.root / "site" / "pagefind"
    assert json.loads((site / "overlay.json").read_text()) == index.build(REGISTRY)
    assert not (site / "overlay").exists()
    assert "生育津贴申领" in index.titles() and len(index.indexed()) == 4
    # published by hard links from the cache, not copies
    assert (site / "pagefind-entry.json").stat().st_ino == (index.root / "cache/main/pagefind-entry.json").stat().st_ino


def test_an_unchanged_key_reads_nothing_and_changes_nothing(index):
    entry = index.main_entry
    assert index.build(REGISTRY)["groups"] == []
    assert index.read == [] and index.main_entry == entry


def test_a_changed_group_alone_is_read_and_indexed_into_the_overlay(index):
    entry, hidden_before = index.main_entry, index.indexed()
    changed = {**REGISTRY, "a": ("a2", ["医疗保险参保登记", "生育津贴申领"])}
    listing = index.build(changed)
    assert index.read == ["a"] and index.main_entry == entry  # the main index is kept as it was
    assert listing["groups"] == ["a"] and listing["merge"] and len(listing["hidden"]) == 1
    assert "医疗保险参保登记" in index.titles() and "医疗保险登记" not in index.titles()
    assert index.indexed() == index.fresh(changed)
    assert {url for url in hidden_before if url.startswith("/search/a/")} <= set(index.indexed())


def test_a_key_that_changed_with_the_same_records_leaves_the_group_in_the_main_index(index):
    listing = index.build({**REGISTRY, "b": ("b2", REGISTRY["b"][1])})
    assert index.read == ["b"] and listing["groups"] == [] and listing["hidden"] == []


def test_the_overlay_holds_every_group_changed_since_the_main_index_was_written(index):
    entry = index.main_entry
    one = {**REGISTRY, "a": ("a2", ["医疗保险参保登记", "生育津贴申领"])}
    index.build(one)
    two = {**one, "b": ("b2", ["社会救助审批", "临时救助申请"])}
    assert index.build(two)["groups"] == ["a", "b"]
    assert index.read == ["b"] and index.indexed() == index.fresh(two)
    back = {**two, "a": ("a3", REGISTRY["a"][1])}  # as the main index holds it again
    assert index.build(back)["groups"] == ["b"] and index.main_entry == entry
    assert index.indexed() == index.fresh(back)


def test_a_group_gone_from_the_registry_is_gone_from_search(index):
    gone = {group: value for group, value in REGISTRY.items() if group != "c"}
    listing = index.build(gone)
    assert index.read == [] and listing["removed"] == ["c"] and not listing["merge"]
    assert len(listing["hidden"]) == 2  # both pages of c
    assert not any(title.startswith("门诊费用报销") for title in index.titles())
    assert index.indexed() == index.fresh(gone)
    assert not (index.root / "cache" / "pages" / "search" / "c").exists()


def test_groups_gone_count_towards_the_overlay_s_bound(index, monkeypatch):
    monkeypatch.setattr(search_index, "OVERLAY_PAGES", 1)
    entry = index.main_entry
    listing = index.build({group: value for group, value in REGISTRY.items() if group != "c"})  # 2 pages hidden
    assert listing["removed"] == [] and listing["hidden"] == [] and index.main_entry != entry


def test_a_new_group_goes_to_the_overlay(index):
    grown = {**REGISTRY, "d": ("d1", ["异地就医备案"])}
    listing = index.build(grown)
    assert index.read == ["d"] and listing["groups"] == ["d"] and listing["hidden"] == []
    assert index.indexed() == index.fresh(grown)


def test_past_its_bound_the_overlay_is_folded_into_a_new_main_index(index, monkeypatch):
    monkeypatch.setattr(search_index, "OVERLAY_PAGES", 2)
    entry = index.main_entry
    one = {**REGISTRY, "a": ("a2", ["医疗保险参保登记", "生育津贴申领"])}
    assert index.build(one)["groups"] == ["a"] and index.main_entry == entry  # 1 page
    two = {**one, "c": ("c2", [f"门诊费用报销（{i}）" for i in range(GROUP_SIZE + 4)])}
    listing = index.build(two)  # 1 + 2 pages: more than 2
    assert listing == {"groups": [], "removed": [], "hidden": [], "merge": False, "pages": 4}
    assert index.main_entry != entry and not (index.root / "site" / "pagefind" / "overlay").exists()
    assert index.indexed() == index.fresh(two)


def test_a_new_code_version_makes_the_main_index_again(index):
    one = {**REGISTRY, "a": ("a2", ["医疗保险参保登记", "生育津贴申领"])}
    index.build(one)
    listing = index.build({group: (key + "-v2", titles) for group, (key, titles) in one.items()}, version="v2")
    assert listing["groups"] == [] and index.read == ["a", "b", "c"]
    assert indexed_pages(index.root / "site") == index.fresh(one, version="v2")


def test_a_build_stopped_after_writing_pages_leaves_no_key_naming_them(index, monkeypatch):
    """Pagefind fails after a group's pages were written: the next build, even of the registry as it
    was before, reads that group again instead of trusting pages no index was made from."""

    def failing(*args, **kwargs):
        raise search_index.SearchIndexError("disk full")

    monkeypatch.setattr(search_index, "run_pagefind", failing)
    with pytest.raises(search_index.SearchIndexError):
        index.build({**REGISTRY, "a": ("a2", ["医疗保险参保登记"])})
    monkeypatch.undo()
    index.build(REGISTRY)
    assert index.read == ["a"]
    index.build(REGISTRY, version="v2")
    assert index.indexed() == index.fresh(REGISTRY, version="v2")


def test_agency_by_agency_the_records_are_those_the_database_searches(mini, tmp_path):
    """Read one agency at a time (`agency_records`, `site_records`), the records are exactly those of
    `registry_records` (the database's `search_documents` over the whole registry), in the same order."""
    from qingdan.site.context import SiteContext
    from qingdan.site.search_index import agency_records, registry_records, site_records
    from qingdan.validate import validate

    ctx = SiteContext(validate(mini))
    by_group = [record for agency in ctx.registry.of("agency") for record in agency_records(ctx, agency.id)]
    by_group += site_records(ctx, tmp_path, [])  # no hand-written pages: the unregistered agencies' records
    whole = list(registry_records(ctx.registry))
    assert len(whole) > 15
    assert sorted(by_group, key=lambda r: r.path) == sorted(whole, key=lambda r: r.path)
    for agency in ctx.registry.of("agency"):
        assert [r for r in by_group if r.group == agency.id] == [r for r in whole if r.group == agency.id]
