"""Build the public site: registry → Markdown → MkDocs (shared pages) + shells (record pages) →
Pagefind → a site tree, published as dist/site (atomic: `atomic.site_tree`).

MkDocs runs in a child process (its plugins and hooks keep module-level state) on the shared pages
and one shell per record folder (`shared.py`); the record pages are filled into the shells by
worker processes (`records.py`, `shell.py`). The search index is written by Pagefind from the
records the database searches (`search_index`).
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import yaml

from .. import children, flowchart, graphviz_svg
from ..atomic import SiteTree, keyed, publish_site, site_tree
from ..changes import atom_feed
from ..error_pages import error_pages
from ..matters import shared_matters
from ..progress import NO_PROGRESS, Progress
from ..safefiles import UnsafeFile
from ..settings import settings
from ..urls import MATTERS_FOLDER, is_site_name, safe_id
from .changes import changes_page
from .context import SiteContext
from .generated import PageCache, Parts
from .guides import guide_flows
from .markup import esc
from .matters import matter_keys, matter_page, matters_index, matters_index_key
from .pages import (
    agencies_index,
    boundaries_index,
    data_page,
    graph_page,
    guides_index,
    home_page,
    quality_page,
    source_page,
    sources_index,
    who_page,
)
from .records import Hashing, fill_record_pages, owner_keys
from .search_index import (
    SITE_GROUP,
    SearchIndexError,
    agency_records,
    published_files,
    site_records,
    update_search_index,
    write_thesaurus,
)
from .shared import assemble, build_shared, code_version, inputs_key, shared_output
from .shell import ShellError, ShellRenderer, has_own_shell, shell_pages

log = logging.getLogger("qingdan.site")

# Files the lead's build puts beside the site, published under downloads/ when present.
DOWNLOADS = ("qingdan.db", "csv", "graph")


class SiteBuildError(RuntimeError):
    """The site could not be built; the previous site (if any) is left in place."""


def build_site(
    report,
    dist: Path,
    *,
    graph=None,
    site_url: str | None = None,
    stamp: dict | None = None,
    datasette_url: str | None = None,
    build_dir: Path | None = None,
    changes: list | None = None,
    workers: int | None = None,
    published: Path | None = None,
    progress: Progress = NO_PROGRESS,
    dist_name: str = "dist",
) -> Path:
    """Write the site and return its path, `dist/site`: a link to the site tree this build
    brought up to date (`atomic.site_tree`, in `build_dir/site-trees/`, `site-trees-<name>/` for a dist not named
    dist: `atomic.keyed`), switched in one step.

    `report` is `qingdan.validate.validate(path)`; a report with errors is refused. Markdown is
    generated into `build_dir/site-src/` (default: `build/` beside `dist`), flowcharts are cached
    in `build_dir/cache/flowcharts/`. `graph` (networkx, from qingdan.graph.build_graph) adds the
    graph page and each agency's neighbourhood. `stamp` ({"version", "date"}) goes in every footer.
    Files already in `dist/` (qingdan.db, csv/, graph/) are linked into `downloads/`.
    `changes` (from qingdan.changes.change_history) gives the change pages and the Atom feed.
    MkDocs runs once, on the hand-written pages and the shells (its output is taken from
    `build_dir/cache/site-mkdocs/` when its inputs are unchanged, as after a change to records); the
    other generated pages are filled into their shells (`build_dir/cache/site-pages/`), the record pages by `workers`
    processes (default: one per core), and an agency's pages are generated again only when what
    they are made from changed (`build_dir/cache/site-records/`, see records.py). The stamp is in
    the shells: a new stamp joins the cached pages into the new shells without generating them.
    `published` is the site readers are served (default `dist/site`): its tree is never changed.
    `progress` is told the phases flowcharts, pages and search index (qingdan.progress).
    """
    if report.errors:
        raise SiteBuildError(
            f"the registry has {len(report.errors)} error(s); the site is not built from a broken registry "
            f"(run `qingdan validate` to see them). First: {report.errors[0].format()}"
        )
    graphviz_svg.require()
    dist = Path(dist)
    build_dir = Path(build_dir) if build_dir else dist.absolute().parent / "build"
    cache = build_dir / "cache"
    datasette_url = datasette_url or settings().datasette_url

    downloads = _download_files(dist)
    ctx = SiteContext(
        report,
        graph=graph,
        site_url=site_url,
        stamp=stamp,
        datasette_url=datasette_url,
        cache_dir=cache / "flowcharts",
        downloads=downloads,
    )
    _check_ids(ctx)
    with _frozen_heap():
        published = published or dist / "site"
        return _build(
            ctx, dist, build_dir, site_url, stamp, changes, workers, downloads, published, progress, dist_name
        )


@contextmanager
def _frozen_heap():
    """The registry, its report and the site context (millions of objects at a province's size)
    live through the build: frozen, the garbage collector does not go over them again at every full
    collection, nor write into their memory pages, which forked workers then share instead of copying."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _build(ctx, dist, build_dir, site_url, stamp, changes, workers, downloads, published, progress, dist_name) -> Path:
    src, cache = keyed(build_dir, "site-src", dist_name), build_dir / "cache"
    docs = src / "docs"
    if src.exists():
        shutil.rmtree(src)
    docs.mkdir(parents=True)
    _copy_content(docs)
    inline = src / "inline"  # the hook's drawings: no page MkDocs renders here has any
    inline.mkdir()
    config = _write_config(src, docs, site_url=site_url, stamp=stamp)
    built = shared_output(cache)
    from mkdocs.exceptions import MkDocsException

    try:
        renderer = ShellRenderer(config, built)
    except MkDocsException as error:
        raise SiteBuildError(f"the MkDocs configuration is not valid ({error}); the previous site is kept") from error
    version = code_version([settings().content / "overrides", Path(__file__).with_name("hooks.py")])
    pages_version = code_version(  # the thesaurus: the guides' 也叫 line
        [settings().content / "overrides", Path(__file__).parent.parent, ctx.registry.root / "thesaurus.yaml"]
    )
    hashing = Hashing(ctx, pages_version)
    keys = owner_keys(ctx, changes or [], pages_version, hashing)
    shaping = inputs_key(docs, inline, config.read_text(encoding="utf-8"), version)  # all but the shells
    generated = PageCache(cache / "site-pages", keys, f"{shaping}\0{pages_version}\0{ctx.datasette_url}")
    pages, files = write_pages(ctx, changes or [], site_url, generated)
    try:
        parts = {rel: renderer.parts(rel, source, ctx.inlines) for rel, source in pages.items() if source is not None}
    except ShellError as error:
        raise SiteBuildError(f"a page could not be filled into MkDocs' page shell: {error}") from error
    for rel, (with_toc, _slots) in parts.items():
        generated.pages[rel][1] = with_toc
    own = {rel: generated.with_toc(rel) for rel in pages if has_own_shell(rel)}
    for rel, text in shell_pages(own).items():
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs / rel).write_text(text, encoding="utf-8")

    with site_tree(keyed(build_dir, "site-trees", dist_name), published) as tree:
        generated_urls: list[str] = []

        def mkdocs() -> None:
            build_shared(config, docs, inline, cache, lambda cfg, out: run_mkdocs(cfg, out), version=version)
            generated_urls.extend(generated.publish(renderer, parts, files, tree))

        pages_done = _CountingTree(tree, progress)

        def draw(guides, agencies) -> None:  # the first thing fill_record_pages does
            with progress.phase("flowcharts", unit="charts"):
                _prerender_flowcharts(ctx, guides, agencies, progress)

        def index(keys) -> None:  # before the pages are filled in one process, after them with workers
            pages_done.end()
            with progress.phase("search index", unit="agencies"):
                _index_for_search(ctx, built, tree, cache, keys, pages_version)
                progress.done(len(keys))

        try:
            urls = fill_record_pages(
                ctx,
                changes or [],
                config,
                built,
                pages_done,
                cache / "site-records",
                mkdocs,
                index,
                draw,
                version=pages_version,
                keys=keys,
                hashing=hashing,
                workers=workers,
            )
        except ShellError as error:
            raise SiteBuildError(f"the record pages could not be filled into MkDocs' page shell: {error}") from error
        pages_done.end(finished=True)
        assemble(built, tree, urls + generated_urls, set(own))
        _put_downloads(dist, tree, downloads)
        for rel, data in error_pages(
            site_url, _stamp_text(stamp)
        ).items():  # nginx's own refusals, in Chinese (qingdan/error_pages.py)
            tree.write(rel, data)
    site = dist / "site"
    publish_site(site, tree.path)
    return site


# --- pages -----------------------------------------------------------------------------


def _check_ids(ctx: SiteContext) -> None:
    for kind in ("agency", "power", "service", "boundary", "document"):
        for record in ctx.registry.of(kind):
            safe_id(record.id)
            if is_site_name(record.id):
                raise SiteBuildError(f"the ID {record.id!r} is a name of the site's own pages; rename the {kind}")


def write_pages(
    ctx: SiteContext, sets: list, site_url: str | None, cache: PageCache | None = None
) -> tuple[dict[str, str | None], dict[str, bytes]]:
    """The pages made from the registry other than the record pages (`records.record_pages`):
    Markdown path under docs/ → Markdown, each filled into a shell MkDocs rendered (`shell.py`), or
    None where the page kept in `cache` shows what it would; and the files published as they are
    (site path → bytes: the source texts, the change feed)."""
    reg = ctx.registry
    pages: dict[str, str | None] = {}

    def put(rel: str, key: str | None, make) -> None:
        """`key`: a hash of all the page shows (None: made every time, it is cheap)."""
        pages[rel] = make() if cache is None else cache.page(rel, key, make)

    def parts(name: str) -> Parts:
        return cache.parts(name) if cache is not None else Parts()

    def with_parts(render, name: str) -> str:
        kept = parts(name)
        text = render(ctx, kept)
        kept.save()
        return text

    everything = cache.everything if cache is not None else None  # changes with any record or finding
    put("index.md", everything, partial(with_parts, home_page, "home"))
    put("agencies/index.md", everything, partial(agencies_index, ctx))
    put("guides/index.md", everything, partial(with_parts, guides_index, "guides"))
    put("boundaries/index.md", everything, partial(boundaries_index, ctx))
    put("who.md", everything, partial(with_parts, who_page, "who"))
    put("quality.md", everything, partial(with_parts, quality_page, "quality"))
    put("data.md", None, partial(data_page, ctx))
    put("graph.md", None, partial(graph_page, ctx))
    put("sources/index.md", everything, partial(sources_index, ctx))
    matters = shared_matters(ctx.matters)
    put(f"{MATTERS_FOLDER}/index.md", matters_index_key(ctx, matters), partial(matters_index, ctx))
    put("changes/index.md", None, partial(changes_page, ctx, sets))
    files = {"changes.xml": atom_feed(sets, site_url=site_url or "")}
    keys = matter_keys(ctx, matters, cache.record_digests(ctx)) if cache is not None else {}
    for matter in matters:
        put(f"{MATTERS_FOLDER}/{safe_id(matter.id)}.md", keys.get(matter.id), partial(matter_page, ctx, matter))
    for doc in reg.of("document"):
        lines = None
        file_name = ctx.source_file(doc)
        try:  # confined to sources/ and bounded (a registry that validated names no other)
            content = reg.source_text(doc.file)
        except UnsafeFile:
            content = None
        if content is not None:
            lines = content.splitlines()
            if file_name:
                files[f"sources/{file_name}"] = content.encode("utf-8")
        publisher = reg.get(doc.publisher)
        shown = repr((doc, publisher, content, file_name, sorted(ctx.cited_lines.get(doc.id, ())))).encode()
        key = hashlib.sha256(shown).hexdigest()
        put(f"sources/{safe_id(doc.id)}.md", key, partial(source_page, ctx, doc, lines))
    return pages, files


class _CountingTree:
    """The site tree as `fill_record_pages` sees it: what it puts (`adopt`, in this process) counted as
    the pages made, a phase of `progress` from the first until `end`."""

    def __init__(self, tree: SiteTree, progress: Progress):
        self._tree, self._progress = tree, progress
        self.state = "waiting"  # → "counting" → "ended"

    def adopt(self, put: dict) -> None:
        self._tree.adopt(put)
        if self.state == "waiting":
            self.state = "counting"
            self._progress.start("pages", unit="pages made (the others unchanged)")
        if self.state == "counting":
            self._progress.advance(sum(1 for path in put if str(path).endswith(".html")))

    def end(self, finished: bool = False) -> None:
        """The pages phase is over (when counting); `finished`: show it even if no page was made."""
        if self.state == "waiting" and finished:
            self._progress.start("pages", unit="pages made (the others unchanged)")
            self.state = "counting"
        if self.state == "counting":
            self._progress.done()
            self.state = "ended"

    def __getattr__(self, name: str):
        return getattr(self._tree, name)


def _prerender_flowcharts(
    ctx: SiteContext, guides: list | None = None, agencies: list | None = None, progress: Progress = NO_PROGRESS
) -> None:
    """Draw the charts not yet in the cache, several `dot` processes at a time: those of the
    `guides`' pages and the `agencies`' pages (flows no guide uses), all of them when not given."""
    reg = ctx.registry
    if guides is None:
        guides = reg.of("power") + reg.of("service")
    jobs = []
    for record in guides:
        for flow_id in guide_flows(ctx, record):
            flow = reg.get(flow_id)
            if flow is not None and flow.availability == "full":
                jobs.append((flow, record.handling))
    agencies = None if agencies is None else set(agencies)
    for flow in reg.of("flow"):
        if flow.availability == "full" and not ctx.guides_of_flow.get(flow.id):
            if agencies is None or flow.agency in agencies:
                jobs.append((flow, ()))
    if not jobs:
        progress.done(0)
        return
    workers = max(1, min(8, os.cpu_count() or 1))
    with ThreadPoolExecutor(workers) as pool:
        for _ in pool.map(lambda job: flowchart.flowchart_svg(reg, job[0], ctx.cache_dir, job[1]), jobs):
            progress.advance()


def _copy_content(docs: Path) -> None:
    """Hand-written pages and assets from content/ (theme overrides stay out of the docs)."""
    content = settings().content
    if not content.is_dir():
        raise SiteBuildError(f"the hand-written site content is missing: {content}")
    for item in content.iterdir():
        if item.name in ("overrides",) or item.name.startswith("."):
            continue
        target = docs / item.name
        if item.is_dir():
            shutil.copytree(item, target)
        else:
            shutil.copy2(item, target)


# --- search ----------------------------------------------------------------------------


def hand_written_pages() -> list[str]:
    """Site addresses of the hand-written pages (content/*.md), which the search also finds."""
    return [f"{p.stem}/" for p in sorted(settings().content.glob("*.md"))]


def _index_for_search(ctx: SiteContext, built: Path, tree: SiteTree, cache: Path, keys: dict, version: str) -> None:
    """Pagefind's index of the registry's records, agency by agency, and of the hand-written pages
    (read from MkDocs' output `built`), put in the site's pagefind/; kept in `cache/search-index/`
    (see search_index) and put in the site tree from there. An agency's
    records are read again only when its key (`records.owner_keys`) changed."""
    groups = {agency.id: keys[agency.id] for agency in ctx.registry.of("agency")}
    groups[SITE_GROUP] = None  # a few pages and the rare records of unregistered agencies: always read

    def records_of(group: str):
        return site_records(ctx, built, hand_written_pages()) if group == SITE_GROUP else agency_records(ctx, group)

    try:
        update_search_index(groups, records_of, None, cache / "search-index", version=version)
    except (SearchIndexError, OSError) as error:
        raise SiteBuildError(f"the search index could not be written (Pagefind): {error}") from error
    write_thesaurus(ctx.registry, cache / "search-index")  # pagefind/thesaurus.json, read by search.js
    for rel, source in published_files(cache / "search-index"):
        tree.put(f"pagefind/{rel}", source)


# --- MkDocs ----------------------------------------------------------------------------


def _stamp_text(stamp: dict | None) -> str:
    parts = ["qingdan 权责清单"]
    if stamp:
        if stamp.get("version"):
            parts.append(f"版本 {stamp['version']}")
        if stamp.get("date"):
            parts.append(f"数据日期 {stamp['date']}")
    parts.append("内容摘自官方公布的清单，源文件未载明的内容不作补充")
    return esc(" · ".join(parts))


def _write_config(src: Path, docs: Path, *, site_url: str | None, stamp: dict | None) -> Path:
    """The top-level mkdocs.yml with this build's absolute paths, URL, footer stamp and theme overrides."""
    base_config = settings().mkdocs_yml
    if not base_config.is_file():
        raise SiteBuildError(f"the MkDocs configuration is missing: {base_config}")
    config = yaml.safe_load(base_config.read_text(encoding="utf-8"))
    config["docs_dir"] = str(docs.absolute())
    config.pop("site_dir", None)
    if site_url:
        config["site_url"] = site_url
    else:
        config.pop("site_url", None)
    config["copyright"] = _stamp_text(stamp)
    config.setdefault("extra", {})["qingdan_inline"] = str((src / "inline").absolute())
    hooks = Path(__file__).with_name("hooks.py")
    config["hooks"] = [h for h in config.get("hooks") or [] if Path(h).name != hooks.name] + [str(hooks)]
    overrides = settings().content / "overrides"
    if overrides.is_dir():
        config.setdefault("theme", {})["custom_dir"] = str(overrides)
    path = src / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def run_mkdocs(config: Path, site_dir: Path) -> None:
    """`mkdocs build` in a child process; its warnings are logged, a failure raises SiteBuildError."""
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--config-file",
        str(config),
        "--site-dir",
        str(Path(site_dir).absolute()),
    ]
    env = dict(os.environ, PYTHONWARNINGS="ignore::UserWarning")
    result = children.run(command, capture_output=True, text=True, env=env, check=False)
    output = (result.stdout + result.stderr).strip()
    for line in output.splitlines():
        if line.startswith("WARNING"):
            log.warning("mkdocs: %s", line)
    if result.returncode != 0:
        tail = "\n".join(output.splitlines()[-25:])
        raise SiteBuildError(f"mkdocs build failed (exit {result.returncode}); the previous site is kept:\n{tail}")


# --- downloads -------------------------------------------------------------------------


def _download_files(dist: Path) -> dict[str, int]:
    """Files the data page lists: those already in dist/ (the database, CSVs, graph files)."""
    found: dict[str, int] = {}
    for name in DOWNLOADS:
        path = dist / name
        if path.is_file():
            found[name] = path.stat().st_size
        elif path.is_dir():
            for item in sorted(path.rglob("*")):
                if item.is_file() and not item.name.startswith("."):
                    found[item.relative_to(dist).as_posix()] = item.stat().st_size
    return found


def _put_downloads(dist: Path, tree: SiteTree, files: dict[str, int]) -> None:
    for rel in files:
        if (dist / rel).is_file():
            tree.put(f"downloads/{rel}", dist / rel)


__all__ = ["SiteBuildError", "build_site"]
