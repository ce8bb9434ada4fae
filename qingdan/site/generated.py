"""The shared pages made from the registry (indexes, who handles what, quality, matters, sources,
the change index) and the files published as they are, kept in `cache/site-pages/`.

MkDocs renders only a shell for each of these pages (`shell.py`), so a change to the registry does
not run it again; each page is joined into its shell here, written into the cache only when its
bytes changed (as a new file: the published site may link the old one) and linked into the site.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..atomic import atomic_write_bytes, link_or_copy
from .shell import ShellRenderer, has_own_shell, output_of, url_of

_KEYS = ".keys"


def publish_generated(
    renderer: ShellRenderer, parts: dict[str, tuple], files: dict[str, bytes], cache: Path, site: Path
) -> list[str]:
    """Put every page of `parts` (Markdown path → `ShellRenderer.parts`) and every file of `files`
    (site path → bytes) into `site`, by way of `cache`; returns the addresses of the pages in a
    folder's shell (the sitemap lists the others from MkDocs' output)."""
    cache.mkdir(parents=True, exist_ok=True)
    try:
        had = json.loads((cache / _KEYS).read_text(encoding="utf-8"))
    except FileNotFoundError:
        had = {}
    outputs = {output_of(rel): renderer.join(rel, page_parts) for rel, page_parts in parts.items()}
    outputs.update(files)
    keys = {}
    for rel, data in outputs.items():
        keys[rel] = hashlib.sha256(data).hexdigest()
        if had.get(rel) != keys[rel] or not (cache / rel).is_file():
            atomic_write_bytes(cache / rel, data)
        link_or_copy(cache / rel, site / rel)
    for rel in set(had) - set(keys):
        (cache / rel).unlink(missing_ok=True)
    atomic_write_bytes(cache / _KEYS, json.dumps(keys, sort_keys=True).encode("utf-8"))
    return [url_of(rel) for rel in parts if not has_own_shell(rel)]
