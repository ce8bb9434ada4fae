"""The shared pages made from the registry (indexes, who handles what, quality, matters, sources,
the change index) and the files published as they are, kept in `cache/site-pages/`.

MkDocs renders only a shell for each of these pages (`shell.py`), so a change to the registry does
not run it again. Each page is kept with a key of what it shows: while the key is unchanged the
page is neither generated nor filled into its shell again. The pages that list every agency (the
guides index, who handles what, quality) are made of one part per agency, each kept by that
agency's key (`records.owner_keys`), so a change to one agency makes one part again. A page's file
is written into the cache only when its bytes changed (as a new file: the published site may link
the old one) and put in the site tree.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from collections.abc import Callable
from pathlib import Path

from ..atomic import SiteTree, atomic_write_bytes
from .shell import ShellRenderer, has_own_shell, output_of, url_of

_INDEX = ".index"  # page → [key, with a table of contents?]; file → hash of its bytes
_PARTS = ".parts"


class Parts:
    """The per-agency parts of one page: `of(agency, make)` is the part kept for that agency while
    its key is unchanged, else `make()`. An agency without a key (an unregistered one) is made every
    time. Without a folder, nothing is kept."""

    def __init__(self, path: Path | None = None, keys: dict[str | None, str] | None = None):
        self.path, self.keys = path, keys or {}
        self._had: dict | None = None
        self.used: dict[str | None, tuple[str, str]] = {}

    def of(self, agency_id: str | None, make: Callable[[], str]) -> str:
        key = self.keys.get(agency_id) if agency_id is not None else None
        if key is None or self.path is None:
            return make()
        if self._had is None:
            try:
                self._had = pickle.loads(self.path.read_bytes())
            except (FileNotFoundError, EOFError, pickle.UnpicklingError):
                self._had = {}
        kept = self._had.get(agency_id)
        if kept is None or kept[0] != key:
            kept = (key, make())
        self.used[agency_id] = kept
        return kept[1]

    def save(self) -> None:
        """Keep this build's parts (if any changed) for the next."""
        if self.path is not None and self.used != self._had:
            atomic_write_bytes(self.path, pickle.dumps(self.used, protocol=pickle.HIGHEST_PROTOCOL))


class PageCache:
    """What `cache` holds of the last build's generated pages, and what this build keeps.

    `keys` are the agencies' keys (`records.owner_keys`); `inputs` is a hash of what else shapes a
    page's HTML (MkDocs' configuration, the theme, the hand-written pages)."""

    def __init__(self, cache: Path, keys: dict[str | None, str], inputs: str):
        self.cache, self.keys = cache, keys
        everything = hashlib.sha256(inputs.encode())
        for owner, key in sorted(keys.items(), key=lambda item: item[0] or ""):
            everything.update(f"{owner}\0{key}\0".encode())
        self.inputs, self.everything = inputs, everything.hexdigest()
        try:
            self._index = json.loads((cache / _INDEX).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            self._index = {}
        self.pages: dict[str, list] = {}  # this build's pages: Markdown path → [key, with a table of contents?]

    def page(self, rel_md: str, key: str | None, make: Callable[[], str]) -> str | None:
        """The page's Markdown from `make()`, or None if the page kept under `key` is still in the cache."""
        full = hashlib.sha256(f"{self.inputs}\0{key}".encode()).hexdigest() if key is not None else None
        kept = self._index.get("pages", {}).get(rel_md)
        if full is not None and kept is not None and kept[0] == full and (self.cache / output_of(rel_md)).is_file():
            self.pages[rel_md] = kept
            return None
        self.pages[rel_md] = [full, None]
        return make()

    def record_digests(self, ctx) -> dict[str, str]:
        """A hash of each power and service (its JSON) of the agencies with a key, taken again only
        for those whose key changed (an agency's key holds its records)."""
        path = self.cache / ".records.pickle"
        try:
            had = pickle.loads(path.read_bytes())
        except (FileNotFoundError, EOFError, pickle.UnpicklingError):
            had = {}
        known = {agency.id for agency in ctx.registry.of("agency")}
        kept, digests = {}, {}
        for owner, key in self.keys.items():
            entry = had.get(owner)
            if entry is None or entry[0] != key:
                if owner is not None:
                    mine = ctx.by_agency.get(owner, {})
                    records = [*mine.get("power", []), *mine.get("service", [])]
                else:
                    records = [
                        r for kind in ("power", "service") for r in ctx.registry.of(kind) if r.agency not in known
                    ]
                hashed = {r.id: hashlib.sha256(r.model_dump_json().encode()).hexdigest() for r in records}
                entry = (key, hashed)
            kept[owner] = entry
            digests.update(entry[1])
        if kept != had:
            atomic_write_bytes(path, pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL))
        return digests

    def parts(self, name: str) -> Parts:
        """The per-agency parts of the page `name`."""
        return Parts(self.cache / _PARTS / f"{name}.pickle", self.keys)

    def with_toc(self, rel_md: str) -> bool:
        return self.pages[rel_md][1]

    def publish(
        self, renderer: ShellRenderer, parts: dict[str, tuple], files: dict[str, bytes], tree: SiteTree
    ) -> list[str]:
        """Put every page of this build (`parts`: those made again, Markdown path → `ShellRenderer.parts`;
        the others from the cache) and every file of `files` (site path → bytes) in the site `tree`; returns
        the addresses of the pages in a folder's shell (the sitemap lists the others from MkDocs' output)."""
        hashes = dict(self._index.get("files", {}))
        outputs = {output_of(rel): renderer.join(rel, page_parts) for rel, page_parts in parts.items()}
        outputs.update(files)
        for rel, data in outputs.items():
            digest = hashlib.sha256(data).hexdigest()
            if hashes.get(rel) != digest or not (self.cache / rel).is_file():
                atomic_write_bytes(self.cache / rel, data)
            hashes[rel] = digest
        published = {output_of(rel) for rel in self.pages} | set(files)
        for rel in published:
            tree.put(rel, self.cache / rel)
        for rel in set(hashes) - published:
            (self.cache / rel).unlink(missing_ok=True)
            del hashes[rel]
        index = {"pages": self.pages, "files": hashes}
        atomic_write_bytes(self.cache / _INDEX, json.dumps(index, sort_keys=True).encode("utf-8"))
        return [url_of(rel) for rel in self.pages if not has_own_shell(rel)]
