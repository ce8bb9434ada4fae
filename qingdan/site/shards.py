"""The site built in region shards: one MkDocs run per region, several at a time, cached by content.

Each region's agencies, with their guides, boundaries and change pages, are one shard; every other
page (home, section indexes, reports, sources, hand-written pages, theme files) is the shared shard.
A shard's MkDocs sees its own pages plus a stub of each navigation page, so its pages carry the
same navigation; the stubs' output is dropped. Shards run as child processes, up to one per core.

A shard whose inputs (its Markdown, the drawings it shows, the configuration, the theme overrides
and hook, the MkDocs and Material versions) hash to what is in the cache is not built again: its
pages are linked from `cache/site-shards/<shard>/`. After one agency's files change, only its
region's shard (and pages that name the agency, such as the shared indexes) is rebuilt.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

SHARED = "shared"
_INLINE = re.compile(rb'data-qd-inline="([0-9a-f]{32})"')
_URL = re.compile(r"<url>.*?</url>", re.DOTALL)
# folders whose pages belong to their agency's region (file stem = the agency's or record's ID)
REGION_FOLDERS = ("agencies", "guides", "boundaries", "changes")


def shard_of_pages(registry, docs: Path) -> dict[str, list[str]]:
    """Each shard's Markdown files (paths relative to docs/), by region code; the rest is shared."""
    region_of_agency = {a.id: f"region-{a.region or 'none'}" for a in registry.of("agency")}
    owner: dict[str, str] = {}
    for agency_id in region_of_agency:
        owner[f"agencies/{agency_id}.md"] = region_of_agency[agency_id]
        owner[f"changes/{agency_id}.md"] = region_of_agency[agency_id]
    for kind, folder in (("power", "guides"), ("service", "guides"), ("boundary", "boundaries")):
        for record in registry.of(kind):
            owner[f"{folder}/{record.id}.md"] = region_of_agency.get(record.agency, SHARED)
    shards: dict[str, list[str]] = {}
    for path in sorted(docs.rglob("*")):
        if path.is_file():
            rel = path.relative_to(docs).as_posix()
            shards.setdefault(owner.get(rel, SHARED), []).append(rel)
    return shards


def nav_pages(config: dict) -> list[str]:
    """The Markdown files the navigation names."""
    found: list[str] = []

    def walk(item) -> None:
        if isinstance(item, str) and item.endswith(".md"):
            found.append(item)
        elif isinstance(item, dict):
            for value in item.values():
                walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)

    walk(config.get("nav") or [])
    return found


def code_version(paths: list[Path]) -> str:
    """What else decides a page's HTML: the theme overrides, the hook, MkDocs' and Material's versions."""
    import material
    import mkdocs

    digest = hashlib.sha256(f"mkdocs {mkdocs.__version__} material {material.__version__}".encode())
    for root in paths:
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if path.is_file():
                digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def build_shards(
    base_config: Path,
    registry,
    docs: Path,
    inline: Path,
    work: Path,
    cache: Path,
    site: Path,
    run_mkdocs: Callable[[Path, Path], None],
    *,
    version: str,
    workers: int | None = None,
) -> dict[str, bool]:
    """Build every shard (or take it from the cache) and put the pages together in `site`.

    Returns {shard: rebuilt?}. `work` holds the shards' docs folders and configurations.
    """
    config = yaml.safe_load(base_config.read_text(encoding="utf-8"))
    shards = shard_of_pages(registry, docs)
    stubs = [page for page in nav_pages(config) if (docs / page).is_file()]
    if work.exists():
        shutil.rmtree(work)
    jobs = []
    for name, pages in shards.items():
        shard_docs = work / name / "docs"
        for rel in pages:
            _link(docs / rel, shard_docs / rel)
        if name != SHARED:
            for rel in stubs:  # the navigation's pages, so the shard's pages list them; dropped afterwards
                stub = shard_docs / rel
                stub.parent.mkdir(parents=True, exist_ok=True)
                stub.write_text("", encoding="utf-8")
        shard_config = dict(config, docs_dir=str(shard_docs.absolute()))
        config_path = work / name / "mkdocs.yml"
        config_text = yaml.safe_dump(shard_config, allow_unicode=True, sort_keys=False)
        config_path.write_text(config_text, encoding="utf-8")
        key = _shard_key(name, shard_docs, pages, inline, config_text.replace(str(work), "<work>"), version)
        jobs.append((name, config_path, key, pages))

    def build(job) -> bool:
        name, config_path, key, _pages = job
        target = cache / name
        if (target / ".key").is_file() and (target / ".key").read_text() == key:
            return False
        fresh = cache / f".{name}.new"
        if fresh.exists():
            shutil.rmtree(fresh)
        fresh.mkdir(parents=True)
        run_mkdocs(config_path, fresh)
        (fresh / ".key").write_text(key)
        # replaced whole, never rewritten in place: published pages may be links to the old files
        if target.exists():
            shutil.rmtree(target)
        fresh.rename(target)
        return True

    cache.mkdir(parents=True, exist_ok=True)
    workers = max(1, workers or os.cpu_count() or 1)
    # the largest shards first, so the last one to finish is a small one
    jobs.sort(key=lambda job: -len(job[3]))
    with ThreadPoolExecutor(workers) as pool:
        rebuilt = dict(zip((job[0] for job in jobs), pool.map(build, jobs), strict=True))
    _assemble(cache, [job[0] for job in jobs], site, stubs, config.get("site_url"))
    return rebuilt


def _shard_key(name: str, shard_docs: Path, pages: list[str], inline: Path, config: str, version: str) -> str:
    digest = hashlib.sha256(f"{name}\0{version}\0{config}".encode())
    for rel in sorted(pages):
        data = (shard_docs / rel).read_bytes()
        digest.update(rel.encode() + b"\0" + hashlib.sha256(data).digest())
        for key in _INLINE.findall(data):
            digest.update(hashlib.sha256((inline / f"{key.decode()}.svg").read_bytes()).digest())
    return digest.hexdigest()


def _assemble(cache: Path, names: list[str], site: Path, stubs: list[str], site_url: str | None) -> None:
    """Link each shard's pages into the site (theme files, 404 and navigation pages from the shared
    shard only) and write one sitemap of them all."""
    dropped = {_output_of(rel) for rel in stubs}
    base = (site_url or "").rstrip("/") + "/"
    dropped_locs = {f"<loc>{base}{rel[: -len('index.html')]}</loc>" for rel in dropped}
    urls: list[str] = []
    for name in [SHARED, *sorted(n for n in names if n != SHARED)]:
        built = cache / name
        for path in built.rglob("*"):
            if not path.is_file():
                continue
            rel = path.relative_to(built).as_posix()
            if rel == ".key" or rel.startswith("sitemap.xml"):
                continue
            if name != SHARED and (rel in dropped or not rel.endswith("index.html")):
                continue
            _link(path, site / rel)
        sitemap = built / "sitemap.xml"
        if sitemap.is_file():
            entries = _URL.findall(sitemap.read_text(encoding="utf-8"))
            if name != SHARED:
                entries = [u for u in entries if "<loc>" in u and not any(loc in u for loc in dropped_locs)]
            urls += entries
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    (site / "sitemap.xml").write_text(head + "\n".join(urls) + "\n</urlset>\n", encoding="utf-8")


def _output_of(markdown: str) -> str:
    stem = markdown[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")] + "index.html"
    return f"{stem}/index.html"


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
