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
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from multiprocessing import get_context
from pathlib import Path

from ..atomic import SiteTree, atomic_write_bytes, remove_later
from ..urls import safe_id
from .agencies import agency_page
from .changes import changes_page
from .context import SiteContext
from .guides import guide_findings, guide_flows, guide_page, load_word_cutter
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


def record_pages(ctx: SiteContext, changes: list, owner: str | None) -> list[tuple[str, Callable[[], str]]]:
    """(Markdown path under docs/, what writes its Markdown) of the agency's pages and its records'
    pages, in the order they are listed; only the pages whose key changed are written."""
    reg = ctx.registry
    pages: list[tuple[str, Callable[[], str]]] = []
    if owner is not None:
        pages.append((f"agencies/{safe_id(owner)}.md", partial(agency_page, ctx, reg.get(owner))))
        pages.append((f"changes/{safe_id(owner)}.md", partial(changes_page, ctx, changes, owner)))
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
            pages.append((f"boundaries/{safe_id(record.id)}.md", partial(boundary_page, ctx, record)))
        else:
            pages.append((_guide_path(record.id), partial(guide_page, ctx, record, kind)))
    return pages


# --- what decides an agency's pages ---------------------------------------------------------

# Kinds whose records belong to one agency and show on other agencies' pages only through the
# relations `owner_keys` and `page_keys` follow; every other record (agencies, units, documents,
# templates …) may show on any page, so all of them are in every key.
OWNED_KINDS = frozenset({"power", "service", "boundary", "flow"})


class Hashing:
    """What every key of one build starts from, computed once: each record's JSON (by ID) and the
    digest of what any page may show (`shared`)."""

    def __init__(self, ctx: SiteContext, version: str):
        import hashlib

        reg = self.registry = ctx.registry
        self._dumps: dict[str | None, bytes] = {}
        shared = hashlib.sha256(f"{version}\0{ctx.site_url}\0{ctx.datasette_url}".encode())
        self.owned: dict[str | None, list[str]] = {}  # in load order: the pages list records in it
        self.known = {agency.id for agency in reg.of("agency")}
        for record_id, entry in reg.entries.items():
            if entry.kind in OWNED_KINDS:
                agency = getattr(entry.record, "agency", None)
                self.owned.setdefault(agency if agency in self.known else None, []).append(record_id)
            else:
                shared.update(record_id.encode() + b"\0" + self.dump(record_id))
        self.findings_of: dict[str | None, list] = {}
        for finding in ctx.report.findings:
            touched = set(finding.records or []) | ({finding.record} if finding.record else set())
            whose = {finding.agency} | {ctx.agency_of(rid) for rid in touched}
            if not any(rid in reg.entries and reg.entries[rid].kind in OWNED_KINDS for rid in touched):
                shared.update(repr(finding).encode())
            for owner in whose:
                self.findings_of.setdefault(owner if owner in self.known else None, []).append((finding, touched))
        self.shared = shared.digest()

    def dump(self, record_id: str | None) -> bytes:
        """The record's kind and content (b"-" for no record)."""
        if record_id not in self._dumps:
            entry = self.registry.entries.get(record_id or "")
            self._dumps[record_id] = (
                entry.kind.encode() + b"\0" + entry.record.model_dump_json().encode() if entry is not None else b"-"
            )
        return self._dumps[record_id]


def owner_keys(ctx: SiteContext, changes: list, version: str, hashing: Hashing | None = None) -> dict[str | None, str]:
    """A hash per agency of everything its pages other than its guides are made from (its agency
    page, change page and boundary pages): its own records in the order its pages list them (load
    order), the records of other agencies its pages show (the flows its guides use, boundaries
    naming it, records named in its findings), those findings, its change sets, its neighbourhood
    in the graph, every record of a kind not owned by an agency, the site's address and `version`
    (the code and theme). Pages whose key is unchanged are not generated again. Each guide page has
    its own key (`page_keys`)."""
    import hashlib

    import networkx as nx

    hashing = hashing or Hashing(ctx, version)
    reg, dump, owned = ctx.registry, hashing.dump, hashing.owned
    keys = {}
    for owner in owners(ctx):
        digest = hashlib.sha256(hashing.shared + repr(owner).encode())
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
        for finding, touched in hashing.findings_of.get(owner, []):
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


def page_keys(ctx: SiteContext, version: str, hashing: Hashing | None = None) -> dict[str | None, dict[str, str]]:
    """Per agency, a hash per guide page (its Markdown path) of everything it shows (`guide_page`):
    the guide, its flows, its findings and the records they name, the boundaries of its agency (the
    other bodies involved), what it says of its matter (the other agencies' records it names,
    `nearest_same_matter`: agency, address, name; how many more; the matter's address and status),
    and what any page may show (`Hashing.shared`: agencies, units, documents, templates …, the code).
    A guide renamed makes again its own page, its agency's pages (`owner_keys`) and the pages
    naming it, not its agency's other guides."""
    import hashlib

    hashing = hashing or Hashing(ctx, version)
    dump = hashing.dump
    boundaries: dict[str | None, bytes] = {}
    keys: dict[str | None, dict[str, str]] = {}
    for kind in GUIDE_KINDS:
        for record in ctx.registry.of(kind):
            owner = record.agency if record.agency in hashing.known else None
            digest = hashlib.sha256(hashing.shared)
            shown = [record.id, *guide_flows(ctx, record)]
            for finding in guide_findings(ctx, record):
                digest.update(repr((finding.code, finding.severity, finding.message, finding.message_zh)).encode())
                shown += finding.records or ([finding.record] if finding.record else [])
            for record_id in shown:
                digest.update(record_id.encode() + b"\0" + dump(record_id))
            if record.agency not in boundaries:
                boundaries[record.agency] = b"".join(
                    b.id.encode() + b"\0" + dump(b.id) for b in ctx.boundaries_of.get(record.agency, [])
                )
            digest.update(boundaries[record.agency])
            nearest = nearest_same_matter(ctx, record.id)
            if nearest is not None:
                matter, named, more = nearest
                said = [(m.agency, m.kind, m.record, ctx.name_of(m.record)) for m in named]
                digest.update(repr((matter.id, matter.status, more, said)).encode())
            keys.setdefault(owner, {})[_guide_path(record.id)] = digest.hexdigest()
    return keys


GUIDE_KINDS = ("power", "service")


def _guide_path(record_id: str) -> str:
    return f"guides/{safe_id(record_id)}.md"


def pages_to_make(ctx: SiteContext, changes: list, cache: Path, keys: dict, pages: dict) -> dict[str | None, set[str]]:
    """Per agency, the Markdown paths of its pages whose key changed since they were kept in
    `cache/<agency>/`: its guides by their page keys, its other pages by the agency's key (all of
    them where nothing, or only part of a folder, is kept)."""
    import json

    todo = {}
    for owner in owners(ctx):
        folder = cache / (safe_id(owner) if owner is not None else _NONE)
        whole = (folder / ".parts").is_file() and (folder / ".shell").is_file()
        kept_key = _read(folder / ".key") if whole else None
        kept = json.loads(_read(folder / ".pages") or "{}") if kept_key is not None else {}
        wanted = pages.get(owner, {})
        make = {rel for rel, key in wanted.items() if kept.get(rel) != key}
        if kept_key != keys[owner]:
            make |= {rel for rel, _ in record_pages(ctx, changes, owner) if rel not in wanted}
        todo[owner] = make
    return todo


# --- generating and filling, in worker processes ------------------------------------------

# What the forked workers read (set before the pool starts; fork copies it into each worker).
_job: dict = {}
_NONE = "_none"  # the cache folder of records whose agency is not registered (IDs never start with '_')


def _fill(owners_chunk: list[str | None]) -> tuple[list[str], dict]:
    """Generate the chunk's pages whose key changed (`pages_to_make`), wait until MkDocs has
    written the shells, then write them into the cache (an agency's pages joined again from their
    parts if the shell changed) and put every page in the site tree; returns their addresses and
    what was put (`SiteTree.handed_over`)."""
    import json
    import pickle
    import zlib

    ctx, changes, cache, keys, todo = _job["ctx"], _job["changes"], _job["cache"], _job["keys"], _job["todo"]
    made_md: dict[str | None, dict[str, str]] = {}
    for owner in owners_chunk:
        if todo[owner]:
            made_md[owner] = {rel: make() for rel, make in record_pages(ctx, changes, owner) if rel in todo[owner]}
    ready, failed = _job.get("ready"), _job.get("failed")
    if ready is not None:
        ready.wait()
        if failed.value:
            return [], {}
    renderer = _job.get("renderer")
    if renderer is None:
        renderer = _job["renderer"] = ShellRenderer(_job["config"], _job["built"])
    shell = renderer.digest
    tree, urls = _job["tree"], []
    for owner in owners_chunk:
        folder = cache / (safe_id(owner) if owner is not None else _NONE)
        kept_shell = _read(folder / ".shell")
        if owner in made_md or kept_shell != shell:
            listed = [rel for rel, _ in record_pages(ctx, changes, owner)]
            kept = dict(pickle.loads(zlib.decompress((folder / ".parts").read_bytes()))) if kept_shell else {}
            made = {rel: renderer.parts(rel, source, ctx.inlines) for rel, source in made_md.get(owner, {}).items()}
            parts = [(rel, made[rel] if rel in made else kept[rel]) for rel in listed]
            meta = {
                ".parts": zlib.compress(pickle.dumps(parts), 1),
                ".urls": "\n".join(rel[: -len(".md")] + "/" for rel in listed).encode(),
                ".shell": shell.encode(),
                ".pages": json.dumps(_job["page_keys"].get(owner, {}), sort_keys=True).encode(),
                ".key": keys[owner].encode(),
            }
            if kept_shell == shell:  # the same shell: only the pages made, each file replaced by a new one
                _replace_pages(folder, renderer, made, set(kept) - set(listed), meta)
            else:
                _write_folder(folder, renderer, parts, meta)
        owner_urls = [url for url in _read(folder / ".urls").split("\n") if url]
        for url in owner_urls:
            tree.put(f"{url}index.html", f"{folder}/{url}index.html")
        urls += owner_urls
    return urls, tree.handed_over()


def _gather(tree: SiteTree, filled: Iterable[tuple[list[str], dict]]) -> list[str]:
    """The addresses `_fill` returned, in order; what it put is taken into `tree`."""
    urls = []
    for chunk_urls, put in filled:
        urls += chunk_urls
        tree.adopt(put)
    return urls


def _replace_pages(folder: Path, renderer, made: dict, gone: set[str], meta: dict[str, bytes]) -> None:
    """Replace the pages made in the agency's cache folder (the published site may link the old
    files: each is a new file) and remove those it no longer has. Its keys are removed first and
    written last: a build stopped in between leaves a folder whose pages are all made again."""
    for name in (".key", ".pages"):
        (folder / name).unlink(missing_ok=True)
    for rel, page_parts in made.items():
        atomic_write_bytes(folder / output_of(rel), renderer.join(rel, page_parts))
    for rel in gone:
        page = folder / output_of(rel)
        page.unlink(missing_ok=True)
        shutil.rmtree(page.parent, ignore_errors=True)
    for name, data in meta.items():
        atomic_write_bytes(folder / name, data)


def _write_folder(folder: Path, renderer, parts: list, meta: dict[str, bytes]) -> None:
    """Write every page of the agency into a new folder that replaces its cache folder (the
    published site may link the old files)."""
    new = folder.with_name(folder.name + ".new")
    if new.exists():
        shutil.rmtree(new)
    for rel, page_parts in parts:
        target = new / output_of(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(renderer.join(rel, page_parts))
    for name, data in meta.items():
        (new / name).write_bytes(data)
    if folder.exists():  # removed after the build, with the rest of the trash
        folder.rename(_job["trash"] / folder.name)
    new.rename(folder)


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
    tree: SiteTree,
    cache: Path,
    run_mkdocs: Callable[[], None],
    after_mkdocs: Callable[[dict], None],
    draw: Callable[[list, list], None],
    *,
    version: str,
    keys: dict[str | None, str] | None = None,
    hashing: Hashing | None = None,
    workers: int | None = None,
) -> list[str]:
    """Run `run_mkdocs` (which writes the shells into `built`), then `after_mkdocs` (the search
    index, given the agencies' keys), and put every record page in the site `tree`; returns their
    addresses. An agency's pages are kept in `cache/<agency>/` with the key of what made them
    (`owner_keys`): when the key is unchanged they are not generated again. With `workers` > 1
    (default: one per core) the pages are generated in that many processes while MkDocs runs and
    filled in once it is done, and `after_mkdocs` runs when they have ended; with 1, MkDocs runs
    first and this process does the rest. `keys`: `owner_keys(ctx, changes, version, hashing)` if the
    caller has them already. Each guide page has its own key (`page_keys`): of an agency whose key
    changed, only the guides whose key changed are made again, with its other pages. The charts of
    the pages to make are drawn first (`draw(guides, agencies)`, several at a time)."""
    todo = owners(ctx)
    hashing = hashing or Hashing(ctx, version)
    keys = owner_keys(ctx, changes, version, hashing) if keys is None else keys
    pages = page_keys(ctx, version, hashing)
    cache.mkdir(parents=True, exist_ok=True)
    to_make = pages_to_make(ctx, changes, cache, keys, pages)
    guides = {_guide_path(record.id): record for kind in GUIDE_KINDS for record in ctx.registry.of(kind)}
    making = [guides[rel] for owner in todo for rel in sorted(to_make[owner]) if rel in guides]
    draw(making, [owner for owner in todo if to_make[owner] - pages.get(owner, {}).keys()])
    # what this build replaces or no longer needs (and earlier builds' trash) is moved into `trash`
    # and deleted in the background once the pages are in place: deleting costs more than writing
    trash = Path(tempfile.mkdtemp(dir=cache, prefix=".trash-"))
    for stale in set(p.name for p in cache.iterdir()) - {safe_id(o) if o else _NONE for o in todo} - {trash.name}:
        (cache / stale).rename(trash / stale)
    chunks = [todo[i : i + CHUNK] for i in range(0, len(todo), CHUNK)]
    workers = max(1, workers or os.cpu_count() or 1)
    _job.clear()
    _job.update(
        ctx=ctx,
        changes=changes,
        config=config,
        built=built,
        tree=tree,
        cache=cache,
        keys=keys,
        page_keys=pages,
        todo=to_make,
    )
    _job["trash"] = trash
    try:
        if workers == 1 or len(chunks) < 2:
            run_mkdocs()
            after_mkdocs(keys)
            return _gather(tree, map(_fill, chunks))
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

        if any(ctx.boundaries_of.get(record.agency) for record in making):
            load_word_cutter()  # once here, not in every worker making a guide compared with boundaries
        thread = threading.Thread(target=mkdocs)
        with ProcessPoolExecutor(workers, mp_context=fork) as pool:
            # the workers are forked at the first task, before the thread starts: a fork while
            # another thread holds a lock (an import, Pagefind's event loop) can leave it held forever
            results = [pool.submit(_fill, chunk) for chunk in chunks]
            thread.start()
            try:
                urls = _gather(tree, (result.result() for result in results))
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
