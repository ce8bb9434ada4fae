"""The record pages (guides, agencies, boundaries, each agency's changes), agency by agency.

They make up almost all of a province's site, so they do not go through MkDocs page by page: each
is generated as Markdown and filled into its folder's shell (`shell.py`), in worker processes
(forked, so they share the registry and context already in memory) over chunks of agencies, while
MkDocs renders the shared pages.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from ..urls import safe_id
from .agencies import agency_page
from .changes import changes_page
from .context import SiteContext
from .guides import guide_page
from .pages import boundary_page
from .shell import ShellRenderer, output_of

# agencies per task: small enough to spread over the cores, large enough to keep task overhead low
CHUNK = 4


def owners(ctx: SiteContext) -> list[str | None]:
    """Each agency's ID in registry order, then None for records whose agency is not registered."""
    agencies = [agency.id for agency in ctx.registry.of("agency")]
    known = set(agencies)
    orphans = any(
        record.agency not in known for kind in ("power", "service", "boundary") for record in ctx.registry.of(kind)
    )
    return agencies + ([None] if orphans else [])


def record_pages(ctx: SiteContext, changes: list, owner: str | None) -> Iterator[tuple[str, str]]:
    """(Markdown path under docs/, Markdown) of the agency's pages and its records' pages."""
    reg = ctx.registry
    if owner is not None:
        agency = reg.get(owner)
        yield f"agencies/{safe_id(owner)}.md", agency_page(ctx, agency)
        yield f"changes/{safe_id(owner)}.md", changes_page(ctx, changes, owner)
        owned = ctx.by_agency.get(owner, {})
        records = [(kind, record) for kind in ("power", "service", "boundary") for record in owned.get(kind, [])]
    else:
        known = {agency.id for agency in reg.of("agency")}
        records = [
            (kind, record)
            for kind in ("power", "service", "boundary")
            for record in reg.of(kind)
            if record.agency not in known
        ]
    for kind, record in records:
        if kind == "boundary":
            yield f"boundaries/{safe_id(record.id)}.md", boundary_page(ctx, record)
        else:
            yield f"guides/{safe_id(record.id)}.md", guide_page(ctx, record, kind)


# What the forked workers read (set before the pool starts; fork copies it into each worker).
_job: dict = {}


def _fill(owners_chunk: list[str | None]) -> list[str]:
    """Generate the chunk's pages, wait until MkDocs has written the shells, fill and write them."""
    ctx, changes = _job["ctx"], _job["changes"]
    pages = [page for owner in owners_chunk for page in record_pages(ctx, changes, owner)]
    ready, failed = _job.get("ready"), _job.get("failed")
    if ready is not None:
        ready.wait()
        if failed.value:
            return []
    renderer = _job.get("renderer")
    if renderer is None:
        renderer = _job["renderer"] = ShellRenderer(_job["config"], _job["built"])
    urls = []
    for rel, source in pages:
        target = _job["site"] / output_of(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(renderer.render(rel, source, ctx.inlines))
        urls.append(rel[: -len(".md")] + "/")
    return urls


def fill_record_pages(
    ctx: SiteContext,
    changes: list,
    config: Path,
    built: Path,
    site: Path,
    run_mkdocs: Callable[[], None],
    workers: int | None = None,
) -> list[str]:
    """Run `run_mkdocs` (which writes the shells into `built`) and write every record page into
    `site`; returns their addresses. With `workers` > 1 (default: one per core) the pages are
    generated in that many processes while MkDocs runs, and filled once it is done; with 1,
    MkDocs runs first and this process does the rest."""
    todo = owners(ctx)
    chunks = [todo[i : i + CHUNK] for i in range(0, len(todo), CHUNK)]
    workers = max(1, workers or os.cpu_count() or 1)
    _job.clear()
    _job.update(ctx=ctx, changes=changes, config=config, built=built, site=site)
    try:
        if workers == 1 or len(chunks) < 2:
            run_mkdocs()
            return [url for chunk in chunks for url in _fill(chunk)]
        fork = get_context("fork")
        ready, failed = _job["ready"], _job["failed"] = fork.Event(), fork.Value("b", 0)
        with ProcessPoolExecutor(workers, mp_context=fork) as pool:
            results = [pool.submit(_fill, chunk) for chunk in chunks]
            try:
                run_mkdocs()
            except BaseException:
                failed.value = 1
                raise
            finally:
                ready.set()
            return [url for result in results for url in result.result()]
    finally:
        _job.clear()
