"""Where the build finds its hand-written files, and where things are served: one place.

The defaults suit a checkout: `content/`, `mkdocs.yml` and `datasette_config/` beside the
package. An installed package, or a deployment that keeps them elsewhere, moves them with
environment variables, read each time `settings()` is called:

- `QINGDAN_HOME`: a folder holding all three (instead of the checkout);
- `QINGDAN_CONTENT`, `QINGDAN_MKDOCS_YML`, `QINGDAN_DATASETTE_CONFIG`: one of them;
- `QINGDAN_DATASETTE_URL`: the public address of Datasette that pages link to.

Command-line options (`--datasette-url`, `--host`, ports) override these in turn.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback: serving to others goes through `qingdan serve --prod`
SITE_PORT = 8000
DATASETTE_PORT = 8001
SQL_TIME_LIMIT_MS = 1000  # Datasette stops any query after this
MAX_RETURNED_ROWS = 1000  # ... and returns at most this many rows


@dataclass(frozen=True)
class Settings:
    content: Path  # hand-written pages, assets and theme overrides of the site
    mkdocs_yml: Path  # the MkDocs Material configuration the build starts from
    datasette_config: Path  # metadata.yml, plugins/ and templates/ of Datasette
    datasette_url: str  # where pages send readers for queries


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
    )
