"""Pages filled into MkDocs' shells are byte for byte what MkDocs and Material write for them.

Every record page of the seed registry (guides with and without flowcharts, agencies with and
without a table of contents, boundaries, change pages) and every other generated page (home,
indexes, who handles what, quality, data, graph, matters, sources, the change index: pages in the
navigation, each in a shell at its own address), of the seed registry and of a mini registry with
hostile names, is rendered both ways: through a full `mkdocs build` with the site's configuration
and hook, as the site was built before the shells, and through `ShellRenderer`; the HTML must be
identical, and the published site must hold the same bytes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from qingdan.settings import settings
from qingdan.site import build_site
from qingdan.site.build import run_mkdocs, write_pages
from qingdan.site.context import SiteContext
from qingdan.site.records import owners, record_pages
from qingdan.site.shell import ShellError, ShellRenderer, output_of, url_of
from qingdan.validate import validate

from .conftest import MINI, REGISTRY, edit

pytestmark = pytest.mark.slow

STAMP = {"version": "9.9.9-test", "date": "2026-01-02"}
HOSTILE = "<script>alert(1)</script>*强调*_下划线_[链接](http://evil.example/)|&amp;"


def _both_ways(report, base: Path, site_url: str | None) -> tuple[dict, dict, Path]:
    """(MkDocs' HTML, the shell's HTML) of every generated page, by Markdown path; and the built site."""
    build_dir = base / "build"
    site = build_site(report, base / "dist", stamp=STAMP, site_url=site_url, build_dir=build_dir)
    src = build_dir / "site-src"
    ctx = SiteContext(
        report,
        site_url=site_url,
        stamp=STAMP,
        datasette_url=settings().datasette_url,
        cache_dir=build_dir / "cache" / "flowcharts",
    )
    pages = {rel: make() for owner in owners(ctx) for rel, make in record_pages(ctx, [], owner)}
    pages.update(write_pages(ctx, [], site_url)[0])
    # the whole site through MkDocs, as before the shell: every record page in the docs folder
    full = base / "full"
    shutil.copytree(src / "docs", full / "docs")
    shutil.copytree(src / "inline", full / "inline")
    for rel, text in pages.items():
        (full / "docs" / rel).write_text(text, encoding="utf-8")
    for key, svg in ctx.inlines.items():
        (full / "inline" / f"{key}.svg").write_text(svg, encoding="utf-8")
    config = yaml.safe_load((src / "mkdocs.yml").read_text(encoding="utf-8"))
    config["docs_dir"] = str(full / "docs")
    config["extra"]["qingdan_inline"] = str(full / "inline")
    (full / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    run_mkdocs(full / "mkdocs.yml", full / "site")

    renderer = ShellRenderer(full / "mkdocs.yml", build_dir / "cache" / "site-mkdocs")
    mkdocs = {rel: (full / "site" / output_of(rel)).read_bytes() for rel in pages}
    shell = {rel: renderer.render(rel, text, ctx.inlines) for rel, text in pages.items()}
    return mkdocs, shell, site


def _assert_same(mkdocs: dict, shell: dict) -> None:
    import difflib

    for rel in mkdocs:
        if mkdocs[rel] != shell[rel]:
            diff = difflib.unified_diff(
                mkdocs[rel].decode().splitlines(), shell[rel].decode().splitlines(), "mkdocs", "shell", lineterm=""
            )
            pytest.fail(f"{rel} differs:\n" + "\n".join(list(diff)[:40]))


def test_every_seed_record_page_is_what_mkdocs_writes(tmp_path):
    report = validate(REGISTRY)
    mkdocs, shell, site = _both_ways(report, tmp_path, "https://qingdan.example.org/")
    folders = {rel.split("/")[0] for rel in mkdocs if "/" in rel}
    assert folders == {"guides", "agencies", "boundaries", "changes", "matters", "sources"}
    assert {"index.md", "who.md", "quality.md", "guides/index.md", "matters/index.md"} <= set(mkdocs)
    assert any(rel.startswith("matters/") and rel != "matters/index.md" for rel in mkdocs)
    assert any(rel.startswith("sources/") and rel != "sources/index.md" for rel in mkdocs)
    # the sample holds what could differ: drawings, pages with and without a table of contents
    assert any(b'<figure class="qd-flow"' in html and b"<svg" in html for html in mkdocs.values())
    assert any(b'class="md-skip"' not in html for rel, html in mkdocs.items() if rel.startswith("agencies/"))
    assert any(b'class="md-skip"' in html for rel, html in mkdocs.items() if rel.startswith("agencies/"))
    _assert_same(mkdocs, shell)
    for rel, html in shell.items():  # and the build publishes exactly these
        assert (site / output_of(rel)).read_bytes() == html, rel
    assert not any("_qd_shell" in p.as_posix() for p in site.rglob("*")), "the shells are not published"
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "_qd_shell" not in sitemap
    assert all(f"<loc>https://qingdan.example.org/{url_of(rel)}</loc>" in sitemap for rel in mkdocs)


def test_hostile_names_are_escaped_the_same_way(mini, tmp_path):
    edit(mini, "name: 对骗取医疗保障基金行为的处罚", f"name: '{HOSTILE}'")
    edit(mini, "name: 襄垣县民政局", "name: '民政<b>局</b> & *'")
    report = validate(mini)
    assert report.ok
    mkdocs, shell, _site = _both_ways(report, tmp_path, None)
    _assert_same(mkdocs, shell)
    assert b"<script>alert(1)" not in b"".join(shell.values())


def test_a_page_the_shell_cannot_copy_is_refused(tmp_path):
    report = validate(MINI)
    _mkdocs, _shell, _site = _both_ways(report, tmp_path, None)
    renderer = ShellRenderer(tmp_path / "full" / "mkdocs.yml", tmp_path / "full" / "site")
    with pytest.raises(ShellError, match="carries its own <h1>"):
        renderer.render("guides/x.md", '---\ntitle: "x"\n---\n\n<p>no heading</p>\n', {})
    with pytest.raises(ShellError, match="needs a title"):
        renderer.render("guides/x.md", '---\ntitle: "x"\nhide: ["toc"]\n---\n\n<h1>x</h1>\n', {})
