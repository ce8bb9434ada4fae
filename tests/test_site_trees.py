"""The two lasting site trees (`atomic.site_tree`): a build changes only what differs in the tree
not published, removes what the site no longer holds, repairs a tree a failed build left half
changed, and switches the published site in one step."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qingdan import atomic
from qingdan.atomic import link_or_copy, publish_site, site_tree


class Cache:
    """Source files as a build's caches hold them: a changed file is a new file, never rewritten."""

    def __init__(self, folder: Path):
        self.folder, self.files, self.count = folder, {}, 0

    def set(self, rel: str, text: str) -> None:
        self.count += 1
        path = self.folder / str(self.count) / rel
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
        self.files[rel] = path


def build(cache: Cache, trees: Path, site: Path) -> Path:
    with site_tree(trees, site) as tree:
        for rel, source in cache.files.items():
            tree.put(rel, source)
    publish_site(site, tree.path)
    return tree.path


def contents(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.is_file()}


def folders(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir()}


def identities(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_dev, p.stat().st_ino) for p in folder.rglob("*")}


@pytest.fixture
def touched(monkeypatch) -> list[str]:
    """The site paths a build links or copies into a tree."""
    placed, real = [], atomic._place

    def recording(source, target, root=None):
        if root is not None:  # into a site tree
            placed.append(Path(target).relative_to(root).as_posix())
        return real(source, target, root)

    monkeypatch.setattr(atomic, "_place", recording)
    return placed


@pytest.fixture
def two_builds(tmp_path):
    """A cache of four pages built twice: both trees hold them, the second one is published."""
    cache = Cache(tmp_path / "cache")
    for rel, text in {
        "index.html": "home",
        "assets/app.js": "js",
        "guides/x/index.html": "x",
        "guides/y/index.html": "y",
    }.items():
        cache.set(rel, text)
    trees, site = tmp_path / "build" / "site-trees", tmp_path / "dist" / "site"
    first, second = build(cache, trees, site), build(cache, trees, site)
    assert first != second and site.resolve() == second.resolve()
    return cache, trees, site


def test_a_rebuild_links_only_what_changed_and_removes_what_is_gone(two_builds, touched):
    cache, trees, site = two_builds
    published = site.resolve()
    served = identities(published)
    cache.set("guides/x/index.html", "x renamed")
    cache.set("guides/z/index.html", "z")
    del cache.files["guides/y/index.html"]

    updated = build(cache, trees, site)
    assert sorted(touched) == ["guides/x/index.html", "guides/z/index.html"]
    assert site.resolve() == updated.resolve() != published
    assert contents(site) == {rel: path.read_text(encoding="utf-8") for rel, path in cache.files.items()}
    assert folders(site) == {"assets", "guides", "guides/x", "guides/z"}  # guides/y/ gone with its page
    assert identities(published) == served  # the tree readers were served was not touched
    assert os.readlink(site) == "../build/site-trees/a"  # relative: the build folder may move with dist


def test_nothing_changed_nothing_is_linked(two_builds, touched):
    cache, trees, site = two_builds
    build(cache, trees, site)
    assert touched == []


def test_a_tree_a_failed_build_left_half_changed_is_not_published_and_is_repaired(two_builds):
    cache, trees, site = two_builds
    published = site.resolve()
    before = contents(site)
    cache.set("guides/x/index.html", "x renamed")
    with pytest.raises(RuntimeError), site_tree(trees, site) as tree:
        tree.put("guides/x/index.html", cache.files["guides/x/index.html"])
        tree.put("half/written.html", cache.files["index.html"])
        raise RuntimeError("killed")
    assert site.resolve() == published and contents(site) == before
    dirty = tree.path
    assert not (trees / f"{dirty.name}.manifest").exists()
    (dirty / "guides" / "x" / ".index.html.123.tmp").write_text("a killed link's temporary", encoding="utf-8")
    (dirty / "empty" / "folders").mkdir(parents=True)

    assert build(cache, trees, site) == dirty  # the tree not published, repaired by a full pass
    assert contents(site) == {rel: path.read_text(encoding="utf-8") for rel, path in cache.files.items()}
    assert folders(site) == {"assets", "guides", "guides/x", "guides/y"}


def test_the_tree_changed_is_never_the_one_published(tmp_path):
    """Even when the other tree was finished last (a `qingdan build` killed before its dist switched)."""
    cache = Cache(tmp_path / "cache")
    cache.set("index.html", "home")
    trees, site = tmp_path / "site-trees", tmp_path / "dist" / "site"
    first = build(cache, trees, site)
    second = build(cache, trees, tmp_path / "elsewhere" / "site")  # finished, never published here
    with site_tree(trees, site) as tree:
        assert tree.path == second
    with site_tree(trees, tmp_path / "nothing-published") as tree:
        assert tree.path == first  # the one finished least recently


def test_a_file_and_a_folder_may_trade_places(two_builds):
    cache, trees, site = two_builds
    cache.set("guides/x", "a file where a folder was")
    del cache.files["guides/x/index.html"]
    del cache.files["index.html"]
    cache.set("index.html/index.html", "a folder where a file was")
    for _ in range(2):  # each tree in turn
        build(cache, trees, site)
        assert contents(site) == {rel: path.read_text(encoding="utf-8") for rel, path in cache.files.items()}


def test_a_real_site_folder_of_an_older_build_is_replaced_by_the_link(two_builds, tmp_path):
    cache, trees, _site = two_builds
    site = tmp_path / "old-dist" / "site"
    (site / "guides").mkdir(parents=True)
    (site / "guides" / "index.html").write_text("an older build's site", encoding="utf-8")
    build(cache, trees, site)
    atomic.wait_for_removals()
    assert site.is_symlink() and contents(site)["index.html"] == "home"
    assert os.listdir(site.parent) == ["site"]


def test_link_or_copy_replaces_a_file_without_writing_into_it(tmp_path):
    """The file there may be a link to a cached page: writing into it would change the cache."""
    cached, new = tmp_path / "cached.html", tmp_path / "new.html"
    cached.write_text("cached", encoding="utf-8")
    new.write_text("new", encoding="utf-8")
    target = tmp_path / "site" / "page.html"
    link_or_copy(cached, target)
    link_or_copy(new, target)
    assert target.read_text(encoding="utf-8") == "new" and cached.read_text(encoding="utf-8") == "cached"


def test_after_a_first_build_the_other_tree_is_made_whole_in_the_background(tmp_path, touched):
    """So that the first rebuild, too, has only the changes to make (it waits for that copy)."""
    cache = Cache(tmp_path / "cache")
    for rel in ("index.html", "guides/x/index.html", "guides/y/index.html"):
        cache.set(rel, rel)
    trees, site = tmp_path / "site-trees", tmp_path / "dist" / "site"
    first = build(cache, trees, site)
    atomic.wait_for_removals()
    touched.clear()
    cache.set("guides/x/index.html", "x renamed")
    assert build(cache, trees, site) != first
    assert touched == ["guides/x/index.html"]
    assert contents(site) == {rel: path.read_text(encoding="utf-8") for rel, path in cache.files.items()}
