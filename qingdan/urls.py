"""Where each record lives on the site: one place, used by the site, the database and the graph.

IDs are checked by the models (lowercase ASCII, no '/' or '..'), so they are safe in paths;
`record_path` checks again because it is the last step before a file is written.
"""

from __future__ import annotations

from .models import KINDS, is_valid_id

# kind → folder of its own page (models.KINDS says which kinds have one)
PAGE_FOLDERS = {kind.name: kind.folder for kind in KINDS if kind.folder}
# Kinds whose ID names a file of the site: their own pages, source pages (sources/<id>/) and
# an agency's change page (changes/<id>/); the folders where those pages are.
PATH_KINDS = (*PAGE_FOLDERS, "document")
MATTERS_FOLDER = "matters"  # 事项对照: one page per matter listed by several agencies, and their index
SECTION_FOLDERS = (*dict.fromkeys(PAGE_FOLDERS.values()), "sources", "changes", MATTERS_FOLDER)
# Names the site itself writes (pages, section folders, theme and search files, downloads);
# a record ID must not take one, or its page would collide with the site's own.
# tests/test_hostile_build.py checks this list against what a build writes.
SITE_NAMES = frozenset(
    {
        *SECTION_FOLDERS,
        *("index", "404", "assets", "search", "pagefind", "downloads", "stylesheets", "javascripts", "sitemap"),
        "_errors",  # nginx's own error pages (error_pages.ERRORS_FOLDER)
        *("who", "quality", "data", "graph", "about", "method"),
    }
)
# Records shown inside their agency's page, at an anchor.
ANCHORED = {kind.name for kind in KINDS if kind.anchored}


def safe_id(record_id: str) -> str:
    if not is_valid_id(record_id):
        raise ValueError(f"{record_id!r} is not a valid ID and cannot become a path")
    return record_id


def is_site_name(record_id: str) -> bool:
    """Whether the ID, or its part before the first '.', is a name of the site's own files."""
    return record_id.split(".", 1)[0] in SITE_NAMES


def matter_path(matter_id: str) -> str:
    """Site path of a matter's comparison page, e.g. 'matters/matter-1a2b3c4d5e/'."""
    return f"{MATTERS_FOLDER}/{safe_id(matter_id)}/"


def record_path(kind: str, record_id: str) -> str:
    """Site path of a record's own page, e.g. 'guides/140423-ybj-power-01/'."""
    return f"{PAGE_FOLDERS[kind]}/{safe_id(record_id)}/"


def page_url(kind: str, record_id: str, agency: str | None = None, base: str = "") -> str | None:
    """Address of the page showing a record: its own page, or its agency's page at an anchor.

    `base` is the site URL ('' for site-relative, e.g. 'http://127.0.0.1:8000/').
    """
    if kind in PAGE_FOLDERS:
        path = record_path(kind, record_id)
    elif kind in ANCHORED and agency:
        path = f"{record_path('agency', agency)}#{safe_id(record_id)}"
    else:
        return None
    return f"{base.rstrip('/')}/{path}" if base else path
