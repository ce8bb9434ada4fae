"""Datasette configuration: metadata derived from the models, and the serving command line."""

from __future__ import annotations

import html
import json
import sys
from pathlib import Path

import yaml

from .atomic import atomic_write_text
from .db import schema
from .matter_tables import column_descriptions as matter_column_descriptions
from .settings import DATASETTE_PORT, FACET_TIME_LIMIT_MS, HOST, MAX_RETURNED_ROWS, SQL_TIME_LIMIT_MS, settings

DATABASE_NAME = "qingdan"

try:  # the C loader reads metadata.yml about 10x faster; the file is ours, plain YAML either way
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader


def _hand_written() -> dict:
    """datasette_config/metadata.yml as written (titles, canned queries, facets)."""
    return yaml.load((settings().datasette_config / "metadata.yml").read_text(encoding="utf-8"), Loader=_Loader)


def column_descriptions() -> dict[str, dict[str, str]]:
    """Column descriptions for every table, taken from the models' field descriptions."""
    return {**schema().descriptions, **matter_column_descriptions()}


def metadata(site_url: str = "") -> dict:
    """The hand-written metadata.yml with column descriptions from the models merged in."""
    data = _hand_written()
    tables = data.setdefault("databases", {}).setdefault(DATABASE_NAME, {}).setdefault("tables", {})
    for table, columns in column_descriptions().items():
        tables.setdefault(table, {}).setdefault("columns", {}).update(
            {c: d for c, d in columns.items() if c not in tables[table].get("columns", {})}
        )
    if site_url:
        data["description_html"] += f'<p><a href="{html.escape(site_url, quote=True)}">返回清单网站</a></p>'
        data["qingdan_site_url"] = site_url  # the templates' link back to the site
    return data


def canned_queries() -> list[tuple[str, str]]:
    """(name, Chinese title) of each ready-made query, for the site to link to."""
    data = _hand_written()
    return [(name, q["title"]) for name, q in data["databases"][DATABASE_NAME]["queries"].items()]


def write_metadata(path: Path, site_url: str = "") -> Path:
    atomic_write_text(path, json.dumps(metadata(site_url), ensure_ascii=False, indent=2, sort_keys=True))
    return path


def datasette_args(db_path: Path, metadata_path: Path, host: str = HOST, port: int = DATASETTE_PORT) -> list[str]:
    """The public instance: immutable, no arbitrary SQL (canned queries still run), time-limited, CORS on."""
    config = settings().datasette_config
    return [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        "--immutable",
        str(db_path),
        "--metadata",
        str(metadata_path),
        "--plugins-dir",
        str(config / "plugins"),
        "--template-dir",
        str(config / "templates"),
        "--host",
        host,
        "--port",
        str(port),
        "--cors",
        "--setting",
        "sql_time_limit_ms",
        str(SQL_TIME_LIMIT_MS),
        "--setting",
        "facet_time_limit_ms",
        str(FACET_TIME_LIMIT_MS),
        "--setting",
        "suggest_facets",
        "off",
        "--setting",
        "max_returned_rows",
        str(MAX_RETURNED_ROWS),
    ]
