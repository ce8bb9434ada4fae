"""The build: registry → validated model → database, graph, site under dist/.

Data flows one way. Everything is built in a staging folder under `build/` and `dist`
switches to it in one step (see `atomic.staged_dist`), so a failed or killed build leaves the
last good dist whole; the build stops before writing anything if the registry has errors.
"""

from __future__ import annotations

import errno
import hashlib
import os
import sqlite3
import stat
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import children, segmenter
from .atomic import PublishError, Stage, staged_dist
from .changes import change_history, change_rows
from .csv_export import export_csv
from .datasette_setup import write_metadata
from .db import build_database
from .progress import NO_PROGRESS, Progress
from .safefiles import MAX_ORIGINAL_BYTES, UnsafeFile, file_sha256
from .settings import check_public_url, settings
from .validate import Report, validate

# What a build writes into dist/; a real dist/ folder holding anything else is not replaced.
OUTPUTS = frozenset({"qingdan.db", "metadata.json", "csv", "graph", "site"})


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
        for path in sorted(registry.rglob("*")):
            digest.update(str(path.relative_to(registry)).encode() + b"\0" + _stamp_of(path))
        version = "sha256:" + digest.hexdigest()[:12]
    return {"version": version, "date": datetime.now(UTC).date().isoformat()}


def _stamp_of(path: Path) -> bytes:
    """What a registry file adds to the stamp, checked before it is read: a link by where it points (never
    followed), a regular file by its SHA-256 (bounded, hard links and strangers' files refused), a folder nothing."""
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        return b"link\0" + os.fsencode(os.readlink(path))
    if not stat.S_ISREG(info.st_mode):
        return b"" if stat.S_ISDIR(info.st_mode) else b"special"
    try:
        return file_sha256(path, MAX_ORIGINAL_BYTES, str(path)).encode()
    except UnsafeFile as exc:
        return b"unsafe\0" + exc.code.encode()


def build(
    registry: Path | str = "registry",
    dist: Path | str = "dist",
    *,
    site_url: str = "",
    datasette_url: str | None = None,
    site: bool = True,
    version: str | None = None,
    progress: Progress = NO_PROGRESS,
) -> BuildResult:
    """`progress` is told each phase (validate, database, graph, flowcharts, pages, search index) with
    its count (qingdan.progress); by default nothing is shown."""
    registry, dist = Path(registry), Path(dist)
    datasette_url = datasette_url or settings().datasette_url
    try:  # operator input, but it goes into pages and metadata: an address, checked as one
        if site_url:
            check_public_url(site_url, "--site-url")
        check_public_url(datasette_url, "--datasette-url")
    except ValueError as exc:
        raise BuildError(str(exc)) from None
    from .graphviz_svg import GraphvizError
    from .site import SiteBuildError

    try:
        with (
            children.forks_die_with_me(),  # forked page workers die with the build, even by SIGKILL
            staged_dist(dist, OUTPUTS) as stage,  # the lock first: a second build stops at once
            segmenter.cache_in(stage.build_dir / "cache" / "jieba"),  # validation segments words too
            _temporary_files_in(stage),
        ):
            progress.start("validate", unit="records")
            report = validate(registry)
            progress.done(_records(report))
            if not report.ok:
                raise BuildError(
                    "the registry has errors; nothing was built:\n" + "\n".join(p.format() for p in report.errors)
                )
            stamp = registry_stamp(registry, version)
            _write_outputs(
                report,
                registry,
                stage,
                site_url=site_url,
                datasette_url=datasette_url,
                site=site,
                stamp=stamp,
                progress=progress,
            )
    except PublishError as exc:
        raise BuildError(str(exc)) from None
    except OSError as exc:
        where = exc.filename or dist
        hint = "; free some disk space and build again" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else ""
        raise BuildError(f"the build failed: {where}: {exc.strerror or exc}{hint}; {dist} is left as it was") from None
    except sqlite3.Error as exc:  # "database or disk is full", a locked or damaged file: not a traceback
        hint = "; free some disk space and build again" if "full" in str(exc) else ""
        raise BuildError(f"the build failed writing the database: {exc}{hint}; {dist} is left as it was") from None
    except (SiteBuildError, GraphvizError) as exc:
        raise BuildError(f"the site could not be built; {dist} is left as it was:\n{exc}") from None
    finally:
        progress.close()
    return BuildResult(report, dist, stamp)


def _write_outputs(
    report: Report,
    registry: Path,
    stage: Stage,
    *,
    site_url: str,
    datasette_url: str,
    site: bool,
    stamp: dict,
    progress: Progress = NO_PROGRESS,
) -> None:
    from .graph import build_graph, export_graph, graph_tables

    out = stage.out
    matters = report.matters
    progress.start("graph", unit="nodes")
    graph = build_graph(report.registry, matters=matters)
    node_rows, edge_rows = graph_tables(graph, base=site_url)
    export_graph(graph, out / "graph")
    progress.done(graph.number_of_nodes())
    progress.start("database", unit="records")
    history = change_history(registry, current=report.registry, tmp_dir=stage.work)
    db_path = build_database(
        report,
        out / "qingdan.db",
        site_url=site_url,
        stamp=stamp,
        extra_tables={"graph_nodes": node_rows, "graph_edges": edge_rows, "changes": change_rows(history)},
        matters=matters,
    )
    write_metadata(out / "metadata.json", site_url=site_url)
    (out / "csv").mkdir()
    export_csv(db_path, out / "csv")
    progress.done(_records(report))
    if site:
        from .site import build_site

        build_site(
            report,
            out,
            graph=graph,
            site_url=site_url or None,
            stamp=stamp,
            datasette_url=datasette_url,
            build_dir=stage.build_dir,
            dist_name=stage.name,
            changes=history,
            published=stage.published,
            progress=progress,
        )


def _records(report: Report) -> int:
    by_kind = getattr(report.registry, "by_kind", None) or {}
    return sum(len(items) for items in by_kind.values())


@contextmanager
def _temporary_files_in(stage: Stage):
    """Temporary files of the build's children (MkDocs, git, dot) go to the staging folder,
    removed with it, not to the system's temporary folder."""
    tmp = stage.work / "tmp"
    tmp.mkdir()
    saved = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(tmp)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved
