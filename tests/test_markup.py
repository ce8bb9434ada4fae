"""Links between the site's pages: `rel` gives what posixpath.relpath gives, without its cost."""

from __future__ import annotations

import itertools
import posixpath

from qingdan.site.markup import _relpath, rel

PATHS = [
    *("", ".", "guides", "guides/x", "guides/x/y", "agencies/a", "a/b/c", "sources/doc.txt", "guides/x.y"),
    *("guidesx", "a//b", "a/./b", "a/../b", "/abs", "../up"),
]


def test_relative_paths_are_those_of_posixpath():
    for path, start in itertools.product(PATHS, PATHS):
        path, start = path or ".", start or "."
        assert _relpath(path, start) == posixpath.relpath(path, start), (path, start)


def test_links_between_pages():
    assert rel("guides/x/", "agencies/a/") == "../../agencies/a/"
    assert rel("guides/x/", "guides/x/#qd-basic") == "./#qd-basic"
    assert rel("", "guides/") == "guides/"
    assert rel("guides/x/", "") == "../../"
    assert rel("guides/x/", "sources/doc.txt") == "../../sources/doc.txt"
    assert rel("guides/x/", "#top") == "#top"
