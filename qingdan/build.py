"""The build: registry → validated model → database, graph, site under dist/.

Data flows one way. Each output is written atomically, so a failed build leaves the last
good one in place; the build stops before writing anything if the registry has errors.
"""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import children
from .atomic import atomic_directory
from .changes import change_history, change_rows
from .csv_export import export_csv
from .datasette_setup import DEFAULT_URL as DEFAULT_DATASETTE_URL
from .datasette_setup import write_metadata
from .db import build_database
from .validate import Report, validate


class BuildError(Exception):
    pass


@dataclass
class BuildResult:
    report: Report
    dist: Path
    stamp: dict


def registry_stamp(registry: Path, version: str | None = None) -> dict:
    """Which registry was built: a git revision (and its date) when the registry is in git.

    Outside git the version is a hash of the registry's files, so the same registry still
    gets the same stamp.
    """
    registry = Path(registry)
    if version is None:
        try:
            out = children.run(
                ["git", "log", "-1", "--format=%H %cI", "--", "."],
                cwd=registry,
                capture_output=True,
                text=True,
                check=True,
                timeout=20,
            ).stdout.split()
            dirty = children.run(
                ["git", "status", "--porcelain", "--", "."],
                cwd=registry,
                capture_output=True,
                text=True,
                check=True,
                timeout=20,
            ).stdout.strip()
            if out and not dirty:
                return {"version": out[0][:12], "date": out[1][:10]}
        except (OSError, subprocess.SubprocessError):
            pass
        digest = hashlib.sha256()
        for path in sorted(p for p in registry.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(registry)).encode() + b"\0" + path.read_bytes())
        version = "sha256:" + digest.hexdigest()[:12]
    return {"version": version, "date": datetime.now(UTC).date().isoformat()}


def build(
    registry: Path | str = "registry",
    dist: Path | str = "dist",
    *,
    site_url: str = "",
    datasette_url: str = DEFAULT_DATASETTE_URL,
    site: bool = True,
    version: str | None = None,
) -> BuildResult:
    registry, dist = Path(registry), Path(dist)
    report = validate(registry)
    if not report.ok:
        raise BuildError("the registry has errors; nothing was built:\n" + "\n".join(p.format() for p in report.errors))
    stamp = registry_stamp(registry, version)
    dist.mkdir(parents=True, exist_ok=True)

    from .graph import build_graph, export_graph, graph_tables

    graph = build_graph(report.registry)
    node_rows, edge_rows = graph_tables(graph, base=site_url)
    history = change_history(registry, current=report.registry)
    db_path = build_database(
        report,
        dist / "qingdan.db",
        site_url=site_url,
        stamp=stamp,
        extra_tables={"graph_nodes": node_rows, "graph_edges": edge_rows, "changes": change_rows(history)},
    )
    write_metadata(dist / "metadata.json", site_url=site_url)
    with atomic_directory(dist / "csv") as staging:
        export_csv(db_path, staging)
    with atomic_directory(dist / "graph") as staging:
        export_graph(graph, staging)
    if site:
        from .site import build_site

        build_site(
            report,
            dist,
            graph=graph,
            site_url=site_url or None,
            stamp=stamp,
            datasette_url=datasette_url,
            changes=history,
        )
    return BuildResult(report, dist, stamp)
