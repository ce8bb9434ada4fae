"""The change history of the registry, from git, and its Atom feed.

Each commit that touched the registry is one published version; its changes are the
differences from the version before it (matched by ID, see `qingdan.diff`). Uncommitted
edits, if any, come first as the unpublished working copy, so a bureau sees what its
import changed before it commits.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import children
from .bidi import visible
from .diff import Change, diff_registries, unpack_revision
from .registry import Registry, load_registry

ATOM_NS = "http://www.w3.org/2005/Atom"
WORKING_COPY = "working-copy"


@dataclass
class ChangeSet:
    revision: str  # short git revision, or WORKING_COPY
    date: str  # ISO date (YYYY-MM-DD)
    message: str
    changes: list[Change] = field(default_factory=list)

    def for_agency(self, agency_id: str) -> list[Change]:
        return [c for c in self.changes if c.agency == agency_id]


def _git(args: list[str], cwd: Path) -> str:
    return children.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=60).stdout


def _load_at(top: Path, revision: str, prefix: str, tmp_dir: Path | None = None) -> Registry:
    with tempfile.TemporaryDirectory(prefix="qingdan-hist-", dir=tmp_dir) as tmp:
        unpack_revision(top, revision, prefix, Path(tmp))
        return load_registry(Path(tmp) / prefix)


def change_history(
    registry_path: Path | str, current: Registry | None = None, limit: int = 20, tmp_dir: Path | None = None
) -> list[ChangeSet]:
    """Newest first: the working copy (if it differs from HEAD) and up to `limit` commits.

    Outside a git checkout, or in a shallow one, the history is what git can show.
    """
    registry_path = Path(registry_path).absolute()
    try:
        top = Path(_git(["rev-parse", "--show-toplevel"], registry_path).strip())
        prefix = str(registry_path.relative_to(top))
        log = _git(["log", f"-{limit + 1}", "--format=%H%x09%cI%x09%s", "--", prefix], top).splitlines()
    except (subprocess.SubprocessError, OSError, ValueError):
        return []
    commits = [line.split("\t", 2) for line in log if line.count("\t") >= 2]
    sets: list[ChangeSet] = []
    loaded: dict[str, Registry] = {}

    def at(revision: str | None) -> Registry:
        if revision is None:
            return Registry(root=registry_path)  # before the first version: empty
        if revision not in loaded:
            loaded[revision] = _load_at(top, revision, prefix, tmp_dir)
        return loaded[revision]

    if commits:
        dirty = _git(["status", "--porcelain", "--", prefix], top).strip()
        if dirty:
            working = current if current is not None else load_registry(registry_path)
            changes = diff_registries(at(commits[0][0]), working)
            if changes:
                sets.append(ChangeSet(WORKING_COPY, date.today().isoformat(), "未提交的修改（工作副本）", changes))
    for i, (sha, committed, subject) in enumerate(commits[:limit]):
        parent = commits[i + 1][0] if i + 1 < len(commits) else None
        if parent is None and len(commits) > limit:
            break  # the version before this one is beyond the window
        changes = diff_registries(at(parent), at(sha))
        if changes:
            sets.append(ChangeSet(sha[:12], committed[:10], subject, changes))
    return sets


def change_rows(sets: list[ChangeSet]) -> list[dict]:
    """Rows of the `changes` table: one per changed record (field changes as JSON)."""
    rows = []
    for s in sets:
        for c in s.changes:
            rows.append(
                {
                    "revision": s.revision,
                    "date": s.date,
                    "message": s.message,
                    "change": c.kind,
                    "record_kind": c.record_kind,
                    "record_id": c.record_id,
                    "agency": c.agency,
                    "title": c.title,
                    "fields": json.dumps(
                        [{"field": f.field, "old": f.old, "new": f.new} for f in c.fields],
                        ensure_ascii=False,
                        default=str,
                    ),
                }
            )
    return rows


CHANGE_ZH = {"added": "新增", "removed": "删除", "changed": "修改"}


def summary_zh(changes: list[Change]) -> str:
    counts = {k: sum(1 for c in changes if c.kind == k) for k in CHANGE_ZH}
    return "，".join(f"{CHANGE_ZH[k]} {n} 条" for k, n in counts.items() if n) or "无变化"


def atom_feed(
    sets: list[ChangeSet], *, site_url: str, title: str = "清单 · 变更记录", changes_path: str = "changes/"
) -> bytes:
    """An Atom 1.0 feed: one entry per published version (text escaped by ElementTree)."""
    ET.register_namespace("", ATOM_NS)
    base = site_url.rstrip("/") + "/" if site_url else "http://127.0.0.1:8000/"

    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    sub(feed, "id", base + changes_path)
    sub(feed, "title", title)
    sub(feed, "updated", _timestamp(sets[0].date if sets else "1970-01-01"))
    sub(feed, "link", href=base + "changes.xml", rel="self", type="application/atom+xml")
    sub(feed, "link", href=base + changes_path, rel="alternate", type="text/html")
    author = sub(feed, "author")
    sub(author, "name", "qingdan")
    for s in sets:
        entry = sub(feed, "entry")
        sub(entry, "id", f"{base}{changes_path}#{s.revision}")
        sub(entry, "title", f"{s.date} {s.message}")
        sub(entry, "updated", _timestamp(s.date))
        sub(entry, "link", href=f"{base}{changes_path}#{s.revision}", rel="alternate", type="text/html")
        lines = [summary_zh(s.changes)]
        lines += [f"{CHANGE_ZH[c.kind]}：{visible(c.title[:60])}（{c.record_id}）" for c in s.changes[:50]]
        if len(s.changes) > 50:
            lines.append(f"……另有 {len(s.changes) - 50} 条")
        sub(entry, "summary", "\n".join(lines), type="text")
    ET.indent(feed)
    body = ET.tostring(feed, encoding="utf-8")
    for separator in ("\x85", "\u2028", "\u2029"):  # line ends to some readers: written as character references
        body = body.replace(separator.encode(), f"&#x{ord(separator):x};".encode())
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body + b"\n"


def _timestamp(day: str) -> str:
    return f"{day[:10]}T00:00:00Z"
