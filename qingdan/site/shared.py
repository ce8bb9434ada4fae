"""What MkDocs builds: the hand-written pages, the theme files and the generated pages' shells (a
pair per folder of pages outside the navigation, one at the address of each generated page in it),
in one MkDocs run whose output is cached by content. Nothing in it comes from the registry's
records, so a change to them does not run MkDocs again.

When the inputs (the Markdown, the drawings it shows, the configuration, the theme overrides and
hook, the MkDocs and Material versions) hash to what is in `cache/site-mkdocs/`, MkDocs does not
run again. The output is linked into the site without the shells; the sitemap lists the pages
filled into a folder's shell in its place.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable
from pathlib import Path

from ..atomic import SiteTree, keep_unchanged
from .shell import SHELL, SHELL_FOLDERS, is_shell_output, output_of

_INLINE = re.compile(rb'data-qd-inline="([0-9a-f]{32})"')
_URL = re.compile(r"<url>.*?</url>", re.DOTALL)


def code_version(paths: list[Path]) -> str:
    """What else decides a page's HTML: the files under `paths` (theme overrides, the hook, the code
    writing the pages), MkDocs' and Material's versions."""
    import material
    import mkdocs

    digest = hashlib.sha256(f"mkdocs {mkdocs.__version__} material {material.__version__}".encode())
    for root in paths:
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def shared_output(cache: Path) -> Path:
    """Where MkDocs' output is kept (and read from, by the record pages' shells)."""
    return cache / "site-mkdocs"


def build_shared(
    config: Path, docs: Path, inline: Path, cache: Path, run_mkdocs: Callable[[Path, Path], None], *, version: str
) -> bool:
    """Put MkDocs' output for `docs` in `shared_output(cache)`, unless it is there already; returns
    whether MkDocs ran."""
    key = inputs_key(docs, inline, config.read_text(encoding="utf-8"), version)
    target = shared_output(cache)
    if (target / ".key").is_file() and (target / ".key").read_text() == key:
        return False
    cache.mkdir(parents=True, exist_ok=True)
    fresh = cache / ".site-mkdocs.new"
    if fresh.exists():
        shutil.rmtree(fresh)
    fresh.mkdir(parents=True)
    run_mkdocs(config, fresh)
    (fresh / ".key").write_text(key)
    # replaced whole, never rewritten in place: published pages may be links to the old files;
    # files that did not change stay the same files, which the site trees hold already
    if target.exists():
        keep_unchanged(fresh, target)
        shutil.rmtree(target)
    fresh.rename(target)
    return True


def inputs_key(docs: Path, inline: Path, config: str, version: str) -> str:
    """A hash of the Markdown in `docs`, the drawings it shows, the configuration and `version`."""
    digest = hashlib.sha256(f"{version}\0{config}".encode())
    for path in sorted(docs.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            digest.update(path.relative_to(docs).as_posix().encode() + b"\0" + hashlib.sha256(data).digest())
            for key in _INLINE.findall(data):
                digest.update(hashlib.sha256((inline / f"{key.decode()}.svg").read_bytes()).digest())
    return digest.hexdigest()


def assemble(built: Path, tree: SiteTree, record_urls: list[str], own_shells: set[str]) -> None:
    """Put MkDocs' output in the site tree (not the shells: neither the folders' nor those of the
    pages of `own_shells`, Markdown paths, whose pages are published in their place) and write one
    sitemap of every page: the entries of pages in a folder's shell are the shell's entry with the
    page's address."""
    filled = {output_of(rel) for rel in own_shells}
    for path in built.rglob("*"):
        if not path.is_file():
            continue
        rel = path.relative_to(built).as_posix()
        if rel == ".key" or rel.startswith("sitemap.xml") or is_shell_output(rel) or rel in filled:
            continue
        tree.put(rel, path)
    sitemap = built / "sitemap.xml"
    entries = _URL.findall(sitemap.read_text(encoding="utf-8")) if sitemap.is_file() else []
    templates = {}
    for entry in entries:
        for folder in SHELL_FOLDERS:
            if f"/{folder}/{SHELL}/" in entry:
                templates[folder] = entry
    urls = [entry for entry in entries if not is_shell_output(entry)]
    for url in record_urls:
        template = templates.get(url.split("/", 1)[0])
        if template:
            urls.append(template.replace(f"/{url.split('/', 1)[0]}/{SHELL}/", f"/{url}"))
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    tree.write("sitemap.xml", (head + "\n".join(urls) + "\n</urlset>\n").encode("utf-8"))
