"""The record pages (guides, agencies, boundaries, each agency's changes), agency by agency.

They make up almost all of a province's site, so they do not go through MkDocs page by page: each
is generated as Markdown and filled into its folder's shell (`shell.py`), in worker processes
(forked, so they share the registry and context already in memory) over chunks of agencies, while
MkDocs renders the shared pages.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from ..atomic import atomic_write_bytes, link_or_copy, remove_later
from ..urls import safe_id
from .agencies import agency_page
from .changes import changes_page
from .context import SiteContext
from .guides import guide_page, load_word_cutter
from .matters import nearest_same_matter
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
            yield _guide_path(record.id), guide_page(ctx, record, kind)


# --- what decides an agency's pages ---------------------------------------------------------

# Kinds whose records belong to one agency and show on other agencies' pages only through the
# relations `owner_keys` follows; every other record (agencies, units, documents, templates …)
# may show on any page, so all of them are in every key.
OWNED_KINDS = frozenset({"power", "service", "boundary", "flow"})


def owner_keys(ctx: SiteContext, changes: list, version: str) -> dict[str | None, str]:
    """A hash per agency of everything its pages are made from: its own records in the order its pages
    list them (load order), the records of
    other agencies its pages show (the flows its guides use, boundaries naming it, records named in
    its findings), those findings, its change sets, its neighbourhood in the graph, every record of
    a kind not owned by an agency, the site's address and `version` (the code and theme). Pages
    whose key is unchanged are not generated again. What a guide says of its matter's other
    members is keyed page by page (`page_keys`)."""
    import hashlib

    import networkx as nx

    reg = ctx.registry
    dumps: dict[str, bytes] = {}

    def dump(record_id: str | None) -> bytes:
        if record_id not in dumps:
            entry = reg.entries.get(record_id or "")
            dumps[record_id] = entry.record.model_dump_json().encode() if entry is not None else b"-"
        return dumps[record_id]

    shared = hashlib.sha256(f"{version}\0{ctx.site_url}\0{ctx.datasette_url}".encode())
    owned: dict[str | None, list[str]] = {}  # in load order: the pages list records in it
    known = {agency.id for agency in reg.of("agency")}
    for record_id, entry in reg.entries.items():
        if entry.kind in OWNED_KINDS:
            agency = getattr(entry.record, "agency", None)
            owned.setdefault(agency if agency in known else None, []).append(record_id)
        else:
            shared.update(record_id.encode() + b"\0" + dump(record_id))
    findings_of: dict[str | None, list] = {}
    for finding in ctx.report.findings:
        touched = set(finding.records or []) | ({finding.record} if finding.record else set())
        whose = {finding.agency} | {ctx.agency_of(rid) for rid in touched}
        if not any(rid in reg.entries and reg.entries[rid].kind in OWNED_KINDS for rid in touched):
            shared.update(repr(finding).encode())
        for owner in whose:
            findings_of.setdefault(owner if owner in known else None, []).append((finding, touched))
    shared_digest = shared.digest()

    keys = {}
    for owner in owners(ctx):
        digest = hashlib.sha256(shared_digest + repr(owner).encode())
        digest.update("\0".join(owned.get(owner, ())).encode())
        related = set(owned.get(owner, ()))
        for record_id in sorted(related):
            record = reg.get(record_id)
            related.update(filter(None, [getattr(record, "flow", None)]))
            related.update(p.flow for p in getattr(record, "processes", None) or [] if p.flow)
        if owner is not None:
            named_in = [b.id for b in ctx.boundaries_of.get(owner, [])]
            digest.update("\0".join(named_in).encode())
            related.update(named_in)
        for finding, touched in findings_of.get(owner, []):
            digest.update(repr(finding).encode())
            related |= touched
        for record_id in sorted(related):
            digest.update(record_id.encode() + b"\0" + dump(record_id))
        if owner is not None:
            digest.update(repr([(s.revision, s.date, s.message, s.for_agency(owner)) for s in changes]).encode())
        if ctx.graph is not None and owner in ctx.graph:
            around = nx.ego_graph(ctx.graph, owner, radius=1, undirected=True)
            drawn = [*map(repr, around.nodes(data=True)), *map(repr, around.edges(data=True))]
            digest.update("\n".join(sorted(drawn)).encode())
        keys[owner] = digest.hexdigest()
    return keys


def page_keys(ctx: SiteContext) -> dict[str | None, dict[str, str]]:
    """Per agency, a hash per guide page (its Markdown path) of what it says of its matter: the
    other agencies' records it names (`nearest_same_matter`: agency, address, name), how many more
    there are, the matter's address and status. Kept out of `owner_keys`: a guide renamed in one
    county is named on the same matter's guides of a county's every other bureau, and only those
    pages, not all of those bureaus' pages, are made again."""
    import hashlib

    known = {agency.id for agency in ctx.registry.of("agency")}
    keys: dict[str | None, dict[str, str]] = {}
    for kind in GUIDE_KINDS:
        for record in ctx.registry.of(kind):
            nearest = nearest_same_matter(ctx, record.id)
            if nearest is None:
                continue
            matter, shown, more = nearest
            named = [(m.agency, m.kind, m.record, ctx.name_of(m.record)) for m in shown]
            said = repr((matter.id, matter.status, more, named)).encode()
            owner = record.agency if record.agency in known else None
            keys.setdefault(owner, {})[_guide_path(record.id)] = hashlib.sha256(said).hexdigest()
    return keys


GUIDE_KINDS = ("power", "service")


def _guide_path(record_id: str) -> str:
    return f"guides/{safe_id(record_id)}.md"


def _guide_markdown(ctx: SiteContext, rel: str) -> str:
    record_id = rel[len("guides/") : -len(".md")]
    return guide_page(ctx, ctx.registry.get(record_id), ctx.registry.entries[record_id].kind)


# --- generating and filling, in worker processes ------------------------------------------

# What the forked workers read (set before the pool starts; fork copies it into each worker).
_job: dict = {}
_NONE = "_none"  # the cache folder of records whose agency is not registered (IDs never start with '_')


def _fill(owners_chunk: list[str | None]) -> list[str]:
    """Generate the chunk's pages whose key changed (an agency's every page, or the guides whose
    page key alone changed), wait until MkDocs has written the shells, then write them into the
    cache (an agency's pages joined again from their parts if the shell changed) and link every
    page into the site."""
    import json
    import pickle
    import zlib

    ctx, changes, cache, keys = _job["ctx"], _job["changes"], _job["cache"], _job["keys"]
    fresh: dict[str | None, list] = {}
    changed: dict[str | None, list] = {}
    for owner in owners_chunk:
        folder = cache / (safe_id(owner) if owner is not None else _NONE)
        wanted = _job["page_keys"].get(owner, {})
        if _read(folder / ".key") != keys[owner]:
            fresh[owner] = [(rel, source) for rel, source in record_pages(ctx, changes, owner)]
            continue
        had = json.loads(_read(folder / ".pages") or "{}")
        stale = [rel for rel, key in wanted.items() if had.get(rel) != key]
        if stale:
            changed[owner] = [(rel, _guide_markdown(ctx, rel)) for rel in stale]
    ready, failed = _job.get("ready"), _job.get("failed")
    if ready is not None:
        ready.wait()
        if failed.value:
            return []
    renderer = _job.get("renderer")
    if renderer is None:
        renderer = _job["renderer"] = ShellRenderer(_job["config"], _job["built"])
    shell = renderer.digest
    urls = []
    for owner in owners_chunk:
        folder = cache / (safe_id(owner) if owner is not None else _NONE)
        page_keys_json = json.dumps(_job["page_keys"].get(owner, {}), sort_keys=True)
        rewrite = None  # every page of the agency, written into a new folder
        if owner in fresh:
            rewrite = [(rel, renderer.parts(rel, source, ctx.inlines)) for rel, source in fresh[owner]]
        elif owner in changed or _read(folder / ".shell") != shell:
            parts = pickle.loads(zlib.decompress((folder / ".parts").read_bytes()))
            made = {rel: renderer.parts(rel, source, ctx.inlines) for rel, source in changed.get(owner, [])}
            parts = [(rel, made.get(rel, page_parts)) for rel, page_parts in parts]
            if _read(folder / ".shell") != shell:
                rewrite = parts
            else:  # the same shell: only the changed guides, each file replaced by a new one
                for rel, page_parts in made.items():  # (the published site may link the old file)
                    atomic_write_bytes(folder / output_of(rel), renderer.join(rel, page_parts))
                atomic_write_bytes(folder / ".parts", zlib.compress(pickle.dumps(parts), 1))
                atomic_write_bytes(folder / ".pages", page_keys_json.encode())
        if rewrite is not None:  # written whole into a new folder: the published site may link the old files
            new = folder.with_name(folder.name + ".new")
            if new.exists():
                shutil.rmtree(new)
            for rel, page_parts in rewrite:
                target = new / output_of(rel)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(renderer.join(rel, page_parts))
            (new / ".parts").write_bytes(zlib.compress(pickle.dumps(rewrite), 1))
            (new / ".urls").write_text("\n".join(rel[: -len(".md")] + "/" for rel, _ in rewrite), encoding="utf-8")
            (new / ".shell").write_text(shell, encoding="utf-8")
            (new / ".pages").write_text(page_keys_json, encoding="utf-8")
            (new / ".key").write_text(keys[owner], encoding="utf-8")
            if folder.exists():  # removed after the build, with the rest of the trash
                folder.rename(_job["trash"] / folder.name)
            new.rename(folder)
        owner_urls = [url for url in _read(folder / ".urls").split("\n") if url]
        for url in owner_urls:
            link_or_copy(folder / url / "index.html", _job["site"] / url / "index.html")
        urls += owner_urls
    return urls


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def fill_record_pages(
    ctx: SiteContext,
    changes: list,
    config: Path,
    built: Path,
    site: Path,
    cache: Path,
    run_mkdocs: Callable[[], None],
    after_mkdocs: Callable[[dict], None],
    *,
    version: str,
    keys: dict[str | None, str] | None = None,
    workers: int | None = None,
) -> list[str]:
    """Run `run_mkdocs` (which writes the shells into `built`), then `after_mkdocs` (the search
    index, given the agencies' keys), and put every record page into `site`; returns their
    addresses. An agency's pages are kept in `cache/<agency>/` with the key of what made them
    (`owner_keys`): when the key is unchanged they are not generated again. With `workers` > 1
    (default: one per core) the pages are generated in that many processes while MkDocs runs and
    filled in once it is done, and `after_mkdocs` runs when they have ended; with 1, MkDocs runs
    first and this process does the rest. `keys`: `owner_keys(ctx, changes, version)` if the caller
    has them already."""
    todo = owners(ctx)
    keys = owner_keys(ctx, changes, version) if keys is None else keys
    pages = page_keys(ctx)
    cache.mkdir(parents=True, exist_ok=True)
    # what this build replaces or no longer needs (and earlier builds' trash) is moved into `trash`
    # and deleted in the background once the pages are in place: deleting costs more than writing
    trash = Path(tempfile.mkdtemp(dir=cache, prefix=".trash-"))
    for stale in set(p.name for p in cache.iterdir()) - {safe_id(o) if o else _NONE for o in todo} - {trash.name}:
        (cache / stale).rename(trash / stale)
    chunks = [todo[i : i + CHUNK] for i in range(0, len(todo), CHUNK)]
    workers = max(1, workers or os.cpu_count() or 1)
    _job.clear()
    _job.update(
        ctx=ctx, changes=changes, config=config, built=built, site=site, cache=cache, keys=keys, page_keys=pages
    )
    _job["trash"] = trash
    try:
        if workers == 1 or len(chunks) < 2:
            run_mkdocs()
            after_mkdocs(keys)
            return [url for chunk in chunks for url in _fill(chunk)]
        fork = get_context("fork")
        ready, failed = _job["ready"], _job["failed"] = fork.Event(), fork.Value("b", 0)
        errors: list[BaseException] = []

        def mkdocs() -> None:  # a child process: this thread mostly waits for it
            try:
                run_mkdocs()
            except BaseException as error:  # re-raised below, once the workers are done
                errors.append(error)
                failed.value = 1
            finally:
                ready.set()

        if ctx.registry.of("boundary"):
            load_word_cutter()  # once here, not in every worker
        thread = threading.Thread(target=mkdocs)
        with ProcessPoolExecutor(workers, mp_context=fork) as pool:
            # the workers are forked at the first task, before the thread starts: a fork while
            # another thread holds a lock (an import, Pagefind's event loop) can leave it held forever
            results = [pool.submit(_fill, chunk) for chunk in chunks]
            thread.start()
            try:
                urls = [url for result in results for url in result.result()]
            finally:
                thread.join()
        if errors:
            raise errors[0]
        # once the workers have ended: beside them, Pagefind's memory (1.4 GB at 50,000 guides) came on
        # top of theirs (4.1 GB in all); after them the peak is the larger of the two (≈ 20% more time)
        after_mkdocs(keys)
        return urls
    finally:
        _job.clear()
        remove_later([trash])
