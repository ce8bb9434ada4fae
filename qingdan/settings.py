"""Where the build finds its hand-written files, and where things are served: one place.

The defaults suit a checkout: `content/`, `mkdocs.yml` and `datasette_config/` beside the
package. An installed package, or a deployment that keeps them elsewhere, moves them with
environment variables, read each time `settings()` is called:

- `QINGDAN_HOME`: a folder holding all three (instead of the checkout);
- `QINGDAN_CONTENT`, `QINGDAN_MKDOCS_YML`, `QINGDAN_DATASETTE_CONFIG`: one of them;
- `QINGDAN_DATASETTE_URL`: the public address of Datasette that pages link to;
- `QINGDAN_NGINX_TEMPLATE`: the nginx configuration template of `qingdan serve --prod`;
- `QINGDAN_CACHE`: the user's cache folder (default `$XDG_CACHE_HOME/qingdan`, else
  `~/.cache/qingdan`), where commands other than the build keep jieba's dictionary cache.

Command-line options (`--datasette-url`, `--host`, ports) override these in turn.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback: serving to others goes through `qingdan serve --prod`
SITE_PORT = 8000
DATASETTE_PORT = 8001
# No public request runs past about 1 s: a table page is its query and a filtered count (each at most
# SQL_TIME_LIMIT_MS) and at most MAX_FACETS facets (each at most FACET_TIME_LIMIT_MS): 2 × 400 + 5 × 50 ms.
SQL_TIME_LIMIT_MS = 400  # Datasette stops any query after this
FACET_TIME_LIMIT_MS = 50  # ... and any facet after this
MAX_RETURNED_ROWS = 1000  # ... and returns at most this many rows (a canned query's answer)
MAX_PAGE_SIZE = 200  # `_size` (and `_size=max`) capped to this by the qingdan_limits plugin
MAX_FACET_SIZE = 50  # `_facet_size` (and `_facet_size=max`) capped to this
DB_CONCURRENCY = 4  # database requests one client may have in flight through nginx
MAX_FACETS = 5  # facet parameters one request may ask for (more: 400)
MAX_QUERY_STRING = 4096  # bytes of query string one request may send (more: 400)

# `qingdan serve --prod`: nginx in front of Datasette replicas on the ports after DATASETTE_PORT.
REPLICAS = 2
REPLICA_HOST = "127.0.0.1"  # replicas are reached only through nginx, whatever address nginx listens on
DATASETTE_RATE = 10  # requests a second per client (loopback exempt), burst 40
SITE_RATE = 50  # requests a second per client for the static site, burst 200
MAX_BODY = "16k"  # request body cap (nothing served takes a body)


@dataclass(frozen=True)
class Settings:
    content: Path  # hand-written pages, assets and theme overrides of the site
    mkdocs_yml: Path  # the MkDocs Material configuration the build starts from
    datasette_config: Path  # metadata.yml, plugins/ and templates/ of Datasette
    datasette_url: str  # where pages send readers for queries
    nginx_template: Path  # the one template of serve-prod's nginx configuration
    cache: Path  # the user's own cache folder (the build keeps its caches in build/cache instead)


def default_datasette_url(host: str = HOST, port: int = DATASETTE_PORT) -> str:
    return f"http://{host}:{port}/"


def settings() -> Settings:
    """The settings as the environment gives them now (defaults: the checkout, loopback)."""
    env = os.environ
    home = Path(env.get("QINGDAN_HOME") or CHECKOUT)
    return Settings(
        content=Path(env.get("QINGDAN_CONTENT") or home / "content"),
        mkdocs_yml=Path(env.get("QINGDAN_MKDOCS_YML") or home / "mkdocs.yml"),
        datasette_config=Path(env.get("QINGDAN_DATASETTE_CONFIG") or home / "datasette_config"),
        datasette_url=env.get("QINGDAN_DATASETTE_URL") or default_datasette_url(),
        nginx_template=Path(env.get("QINGDAN_NGINX_TEMPLATE") or home / "deploy" / "nginx.conf.template"),
        cache=Path(env.get("QINGDAN_CACHE") or Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "qingdan"),
    )


# printable ASCII but quotes, spaces, <, >, backslash, backquote, ^, {, |, }
_URL_TEXT = re.compile(r"[!#-&(-;=?-\[\]_a-z~]+", re.IGNORECASE)


def check_public_url(value: str, option: str) -> str:
    """`value` as an http(s) address with a host and nothing that could leave an attribute or a string (no quotes,
    spaces, angle brackets, backslashes or control characters); ValueError naming `option` otherwise."""
    from urllib.parse import urlsplit

    problem = None
    if not _URL_TEXT.fullmatch(value or ""):
        problem = "it may only hold the characters of an address (no quotes, spaces, <, >, \\ or control characters)"
    else:
        parts = urlsplit(value)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            problem = "it must be an http:// or https:// address with a host"
        elif parts.username or parts.password or parts.query or parts.fragment:
            problem = "it must not hold a user name, password, query or fragment"
    if problem:
        shown = value.encode("unicode_escape").decode("ascii")[:200]
        raise ValueError(f"{option} {shown!r} is not a usable public address: {problem}")
    return value
