"""Checks of a built site: what a reader can reach from the home page, broken links, and
assets fetched from outside the site. Used by the tests; handy after a real build:

    python -m qingdan.site.check dist/site registry
"""

from __future__ import annotations

import re
import sys
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from ..urls import ANCHORED, PAGE_FOLDERS

EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.assets: list[tuple[str, str]] = []  # (tag/attribute, url) of things the browser fetches
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and (attrs.get("href") or attrs.get("xlink:href")):
            self.links.append(attrs.get("href") or attrs.get("xlink:href"))
        for name in ("src", "srcset", "poster", "data"):
            if attrs.get(name):
                self.assets.append((f"{tag} {name}", attrs[name]))
        if tag == "link" and attrs.get("href"):
            rel = (attrs.get("rel") or "").lower()
            if any(word in rel for word in ("stylesheet", "icon", "preload", "modulepreload", "manifest", "prefetch")):
                self.assets.append((f"link {rel}", attrs["href"]))
        if tag in ("image", "use", "feimage") and (attrs.get("href") or attrs.get("xlink:href")):
            self.assets.append((f"{tag} href", attrs.get("href") or attrs.get("xlink:href")))
        if attrs.get("style"):
            self.styles.append(attrs["style"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)|@import\s+['\"]([^'\"]+)['\"]", re.IGNORECASE)


def external_assets(site: Path) -> list[str]:
    """Every asset (script, style, font, image, CSS url()/@import) a page would fetch from outside."""
    found = []
    for path in sorted(site.rglob("*")):
        if path.suffix == ".html":
            parsed = parse(path)
            for what, url in parsed.assets:
                for part in url.split(","):
                    if EXTERNAL.match(part.strip()):
                        found.append(f"{path.relative_to(site)}: {what} {part.strip()}")
            for style in parsed.styles:
                for m in CSS_URL.finditer(style):
                    url = m.group(1) or m.group(2)
                    if EXTERNAL.match(url.strip()):
                        found.append(f"{path.relative_to(site)}: style url {url}")
        elif path.suffix == ".css":
            for m in CSS_URL.finditer(path.read_text(encoding="utf-8", errors="replace")):
                url = m.group(1) or m.group(2)
                if EXTERNAL.match(url.strip()):
                    found.append(f"{path.relative_to(site)}: css url {url}")
    return found


def _target(site: Path, page: Path, href: str) -> tuple[Path | None, str]:
    """The file an internal link opens (index.html for folders) and its fragment."""
    if EXTERNAL.match(href) or href.startswith(("mailto:", "tel:", "javascript:", "data:")):
        return None, ""
    base = "/" + page.relative_to(site).as_posix()
    url = urljoin(base, href)
    parts = urlsplit(url)
    path = unquote(parts.path)
    file = site / path.lstrip("/")
    if path.endswith("/") or file.is_dir():
        file = file / "index.html"
    return file, unquote(parts.fragment)


def broken_links(site: Path, check_fragments: bool = True, ignore: tuple[str, ...] = ()) -> list[str]:
    """Internal links to missing files, or to IDs missing from the target page; targets under
    the site folders in `ignore` (e.g. 'downloads/', filled in after the build) are skipped."""
    pages = {p: parse(p) for p in site.rglob("*.html")}
    broken = []
    for page, parsed in pages.items():
        for href in parsed.links:
            target, fragment = _target(site, page, href)
            if target is None or any(target.relative_to(site).as_posix().startswith(i) for i in ignore):
                continue
            if not target.exists():
                broken.append(f"{page.relative_to(site)} → {href}")
            elif check_fragments and fragment and target in pages and fragment not in pages[target].ids:
                broken.append(f"{page.relative_to(site)} → {href} (no such anchor)")
    return broken


def click_depths(site: Path, limit: int = 3) -> dict[str, int]:
    """Pages (site-relative URL with anchor, e.g. 'agencies/x/#id') a reader reaches from the
    home page, with the fewest clicks; an anchor on a page counts as reached with the page."""
    start = site / "index.html"
    depths: dict[Path, int] = {start: 0}
    queue = deque([start])
    reached: dict[str, int] = {"": 0}
    while queue:
        page = queue.popleft()
        depth = depths[page]
        parsed = parse(page)
        url = page.relative_to(site).as_posix().removesuffix("index.html")
        for anchor in parsed.ids:
            reached.setdefault(f"{url}#{anchor}", depth)
        if depth >= limit:
            continue
        for href in parsed.links:
            target, _fragment = _target(site, page, href)
            if target is None or not target.exists() or target.suffix != ".html" or target in depths:
                continue
            depths[target] = depth + 1
            reached[target.relative_to(site).as_posix().removesuffix("index.html")] = depth + 1
            queue.append(target)
    return reached


def unreachable_records(site: Path, registry, ctx=None, limit: int = 3) -> list[str]:
    """Records whose page (or anchor) is not within `limit` clicks of the home page."""
    from .context import SiteContext

    if ctx is None:
        from ..validate import Report

        ctx = SiteContext(Report(registry))
    reached = click_depths(site, limit)
    missing = []
    for record_id, entry in registry.entries.items():
        if (
            entry.kind not in PAGE_FOLDERS
            and entry.kind not in ANCHORED
            and entry.kind not in ("document", "membership", "person")
        ):
            continue
        url = ctx.url_of(record_id)
        if url is None or url not in reached:
            missing.append(f"{entry.kind} {record_id} ({url})")
    return missing


def main(argv=None) -> int:
    from ..validate import validate

    argv = argv or sys.argv[1:]
    site, registry_path = Path(argv[0]), Path(argv[1])
    report = validate(registry_path)
    problems = {
        "unreachable within 3 clicks": unreachable_records(site, report.registry),
        "broken links": broken_links(site, ignore=() if (site / "downloads").is_dir() else ("downloads/",)),
        "external assets": external_assets(site),
    }
    for title, items in problems.items():
        print(f"{title}: {len(items)}")
        for item in items[:50]:
            print("  ", item)
    return 1 if any(problems.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
