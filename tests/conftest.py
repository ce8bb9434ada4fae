import re
import shutil
from functools import cache
from pathlib import Path

import pytest

from .browser_support import CHROMIUM_FLAGS, VIEWPORTS, BuiltSite, FolderServer, chromium_executable, require_dot

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini"
MINI_YAML = MINI / "demo-bureau" / "registry.yaml"


def public_datasette(db_path: Path, meta: dict | None = None, **overrides):
    """An in-process Datasette configured as the public instance (plugins, Chinese templates,
    SQL time limit, no facet suggestions); `overrides` change single settings for one test."""
    from datasette.app import Datasette

    from qingdan.datasette_setup import metadata
    from qingdan.settings import FACET_TIME_LIMIT_MS, SQL_TIME_LIMIT_MS, settings

    config = settings().datasette_config
    return Datasette(
        [str(db_path)],
        immutables=[str(db_path)],
        metadata=meta if meta is not None else metadata(),
        plugins_dir=str(config / "plugins"),
        template_dir=str(config / "templates"),
        settings={
            "sql_time_limit_ms": SQL_TIME_LIMIT_MS,
            "facet_time_limit_ms": FACET_TIME_LIMIT_MS,
            "suggest_facets": False,
            **overrides,
        },
    )


@pytest.fixture
def mini(tmp_path) -> Path:
    """A writable copy of the mini registry (every record kind, with known defects)."""
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


def edit(registry: Path, old: str, new: str, count: int = 1) -> Path:
    """Replace text in the mini registry's YAML file; fail loudly if `old` is not there."""
    path = registry / "demo-bureau" / "registry.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in {path}")


REGISTRY = Path(__file__).parent.parent / "registry"
SEEDS = REGISTRY / "sources"


def seed_path(name: str) -> Path:
    """A published seed file, as committed in registry/sources/ (tests never read outside the repository)."""
    return SEEDS / name


def norm(text: str | None) -> str:
    """Text with all whitespace removed, for comparing source cells with registry fields."""
    return re.sub(r"\s+", "", text or "")


@cache
def seed_validation():
    """`validate(registry/)`, once per session (the seeds are the largest registry the tests read). Read only."""
    from qingdan.validate import validate

    return validate(REGISTRY)


def seed_registry():
    """The seed registry as loaded, shared with `seed_report`. Read only."""
    return seed_validation().registry


# --- built sites and the browser (see browser_support.py) --------------------------------------


def site_files(site: Path) -> dict[str, bytes]:
    """Every file of a built site but its search index (pagefind/), whose files depend on which
    builds came before: compare `indexed_pages` instead."""
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in site.rglob("*")
        if p.is_file() and p.relative_to(site).parts[0] != "pagefind"
    }


def indexed_pages(site: Path) -> dict[str, dict]:
    """What a browser searches: the pages of the main index (pagefind/) not hidden by the overlay,
    and those of the overlay (pagefind/overlay/, see search_index.update_search_index), by address."""
    import gzip
    import json

    index = site / "pagefind"
    listing = json.loads((index / "overlay.json").read_text(encoding="utf-8"))
    fragments = [f for f in (index / "fragment").glob("*.pf_fragment") if f.stem not in listing["hidden"]]
    fragments += (index / "overlay" / "fragment").glob("*.pf_fragment")
    pages = {}
    for fragment in fragments:
        page = json.loads(gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd"))
        assert page["url"] not in pages or pages[page["url"]] == page, f"{page['url']} is indexed twice, differently"
        pages[page["url"]] = page
    return pages


# Tests that use these fixtures are marked for their tier (see pytest_collection_modifyitems).
SLOW_FIXTURES = {"mini_site", "seed_site", "guide_site", "mini_build"}
BROWSER_FIXTURES = {"browser", "new_page"}
BROWSER_STAMP = {"version": "test", "date": "2026-01-01"}


def _build_and_serve(registry: Path, base: Path, serve) -> BuiltSite:
    from qingdan.graph import build_graph
    from qingdan.site import build_site
    from qingdan.validate import validate

    require_dot()
    report = validate(registry)
    assert report.ok, [e.format() for e in report.errors]
    path = build_site(
        report,
        base / "dist",
        graph=build_graph(report.registry),
        stamp=BROWSER_STAMP,
        build_dir=base / "build",
    )
    return BuiltSite(report, path, serve(path))


@pytest.fixture(scope="session")
def serve():
    """serve(folder) -> base URL ("http://127.0.0.1:PORT/"); every server stops at the end of the session."""
    servers = []

    def start(folder: Path) -> str:
        servers.append(FolderServer(folder))
        return servers[-1].url

    yield start
    for server in servers:
        server.close()


@pytest.fixture(scope="session")
def mini_site(tmp_path_factory, serve) -> BuiltSite:
    """The mini registry (one service renamed so its name holds the compound 医疗保险), with its graph,
    built once per session and served."""
    base = tmp_path_factory.mktemp("mini-site")
    registry = base / "mini"
    shutil.copytree(MINI, registry)
    edit(registry, "    name: 异地就医备案", "    name: 基本医疗保险异地就医备案")
    return _build_and_serve(registry, base, serve)


@pytest.fixture(scope="session")
def guide_site(tmp_path_factory, serve) -> BuiltSite:
    """tests/fixtures/guide (a 办事指南 with four processes and complaint channels), built once and served."""
    return _build_and_serve(FIXTURES / "guide", tmp_path_factory.mktemp("guide-site"), serve)


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory, serve) -> BuiltSite:
    """The real registry/ (the published seeds), with its graph, built once per session and served.
    Read only: a test that changes the registry builds its own copy."""
    return _build_and_serve(REGISTRY, tmp_path_factory.mktemp("seed-site"), serve)


@pytest.fixture(scope="session")
def seed_report():
    """`validate(registry/)`, once per session. Read only."""
    report = seed_validation()
    assert report.ok, [e.format() for e in report.errors[:5]]
    return report


SEED_DB_SITE_URL = "http://127.0.0.1:8000/"


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory, seed_report) -> Path:
    """The real registry's database (site URL http://127.0.0.1:8000/), built once per session. Read only:
    open it immutable."""
    from qingdan.db import build_database

    path = tmp_path_factory.mktemp("seed-db") / "qingdan.db"
    return build_database(seed_report, path, site_url=SEED_DB_SITE_URL)


@pytest.fixture(scope="session")
def mini_build(tmp_path_factory):
    """`qingdan build` of the mini registry as it is (database, graph, CSV and site), once per session.
    Read only."""
    from qingdan.build import build

    require_dot()
    dist = tmp_path_factory.mktemp("mini-build") / "dist"
    return build(MINI, dist, version="stamp-aaaa", site_url="http://127.0.0.1:8000/")


@pytest.fixture
def graphviz() -> str:
    """Graphviz's `dot` for tests that draw: missing, the test fails with the install command."""
    return require_dot()


@pytest.fixture(scope="session")
def browser():
    """One headless system Chromium for the session, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    executable = chromium_executable()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_FLAGS))
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser):
    """new_page("phone" | "desktop", color_scheme="light" | "dark") -> a Playwright page in a fresh context
    (390 px phone or 1280 px desktop, the scheme the system prefers); `page.requested_urls` lists every URL
    it asked for (see browser_support.outside_requests)."""
    contexts = []

    def make(viewport: str = "phone", color_scheme: str = "light"):
        context = browser.new_context(**VIEWPORTS[viewport], color_scheme=color_scheme)
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        page.requested_urls = []
        page.on("request", lambda request: page.requested_urls.append(request.url))
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def screenshots(tmp_path) -> Path:
    """A folder for this test's screenshots (under pytest's temporary folder, never the checkout)."""
    folder = tmp_path / "screenshots"
    folder.mkdir()
    return folder


def pytest_collection_modifyitems(config, items):
    """Tests that use the browser or a built site are marked for their tier whatever their file says;
    Chromium tests run last: the session's sync Playwright keeps an event loop running in the main
    thread, under which pytest-asyncio cannot run the async (Datasette) tests."""
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        if used & (SLOW_FIXTURES | BROWSER_FIXTURES):
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
