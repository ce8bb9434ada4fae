"""What changed between two versions of a registry, matched by stable IDs.

A side is a registry folder or a git revision (`HEAD~1`, a tag, a commit). A record whose
ID is on both sides but whose fields differ is *changed* (a rename is a change of `name`,
not a removal plus an addition).
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import children
from .models import record_title
from .registry import Registry, load_registry


class DiffError(Exception):
    pass


@dataclass
class FieldChange:
    field: str
    old: object
    new: object


@dataclass
class Change:
    kind: str  # added | removed | changed
    record_kind: str
    record_id: str
    agency: str | None
    title: str
    fields: list[FieldChange] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "change": self.kind,
            "record_kind": self.record_kind,
            "record_id": self.record_id,
            "agency": self.agency,
            "title": self.title,
            "fields": [{"field": f.field, "old": f.old, "new": f.new} for f in self.fields],
        }


def _flatten(value, prefix: str = "") -> dict[str, object]:
    """Nested dicts and lists → {'dotted.path[0].field': scalar}."""
    out: dict[str, object] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}.{key}" if prefix else key))
    elif isinstance(value, list):
        if not value:
            out[prefix] = []
        for i, item in enumerate(value):
            out.update(_flatten(item, f"{prefix}[{i}]"))
    else:
        out[prefix] = value
    return out


def _comparable(entry) -> dict:
    data = entry.record.model_dump(mode="json", by_alias=True, exclude_defaults=False)
    data.pop("work_items", None)  # work items are compared as records of their own
    return _flatten(data)


def diff_registries(old: Registry, new: Registry) -> list[Change]:
    changes: list[Change] = []
    for record_id, entry in new.entries.items():
        before = old.entries.get(record_id)
        if before is None:
            changes.append(Change("added", entry.kind, record_id, new.agency_of(record_id), record_title(entry.record)))
            continue
        a, b = _comparable(before), _comparable(entry)
        fields = [FieldChange(k, a.get(k), b.get(k)) for k in sorted(a.keys() | b.keys()) if a.get(k) != b.get(k)]
        if fields:
            changes.append(
                Change("changed", entry.kind, record_id, new.agency_of(record_id), record_title(entry.record), fields)
            )
    for record_id, entry in old.entries.items():
        if record_id not in new.entries:
            changes.append(
                Change("removed", entry.kind, record_id, old.agency_of(record_id), record_title(entry.record))
            )
    order = {"changed": 0, "added": 1, "removed": 2}
    changes.sort(key=lambda c: (c.agency or "", order[c.kind], c.record_kind, c.record_id))
    return changes


def registry_at(side: str, registry_path: str = "registry") -> tuple[Registry, tempfile.TemporaryDirectory | None]:
    """Load one side: a folder as it is, or the registry folder at a git revision.

    A side is only ever a folder or a revision: one starting with `-` is refused, and a
    revision is resolved by `git rev-parse --verify` to a commit before git sees it again,
    so no side can pass an option to git (`--output=FILE`).
    """
    if side.startswith("-") or not side:
        raise DiffError(f"{side!r} is neither a registry folder nor a git revision")
    if Path(side).exists():
        return load_registry(Path(side)), None
    cwd = Path(registry_path).parent if Path(registry_path).exists() else Path(".")
    try:
        commit = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{side}^{{commit}}"], cwd).strip()
    except _GitFailed:
        raise DiffError(f"{side!r} is neither a registry folder nor a git revision") from None
    tmp = tempfile.TemporaryDirectory(prefix="qingdan-rev-")
    try:
        top = _git(["rev-parse", "--show-toplevel"], cwd).strip()
        prefix = str(Path(registry_path).absolute().relative_to(top)) if Path(registry_path).exists() else registry_path
        unpack_revision(Path(top), commit, prefix, Path(tmp.name))
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, _GitFailed, ValueError, OSError) as exc:
        tmp.cleanup()
        detail = exc.stderr.decode() if isinstance(getattr(exc, "stderr", None), bytes) else str(exc)
        raise DiffError(f"the revision {side!r} has no {registry_path}/: {detail.strip()}") from None
    except tarfile.TarError as exc:
        tmp.cleanup()
        raise DiffError(f"the revision {side!r} holds a file that cannot be unpacked safely: {exc}") from None
    return load_registry(Path(tmp.name) / prefix), tmp


def unpack_revision(top: Path, revision: str, prefix: str, destination: Path) -> None:
    """Unpack `prefix` (the registry folder) as it was at a git revision into `destination`.

    The one way a past revision is read (by `qingdan diff` and the change history): `git archive`
    unpacked by tarfile's "data" filter, so no link or path in the repository reaches out of it.
    """
    archive = children.run(
        ["git", "archive", "--format=tar", revision, "--", prefix], cwd=top, capture_output=True, check=True, timeout=60
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(destination, filter="data")


class _GitFailed(Exception):
    pass


def _git(args: list[str], cwd: Path) -> str:
    try:
        done = children.run(["git", *args], capture_output=True, text=True, cwd=cwd)
    except OSError as exc:
        raise _GitFailed(str(exc)) from None
    if done.returncode != 0:
        raise _GitFailed(done.stderr)
    return done.stdout


def diff(old_side: str, new_side: str, registry_path: str = "registry") -> list[Change]:
    old, old_tmp = registry_at(old_side, registry_path)
    new, new_tmp = registry_at(new_side, registry_path)
    try:
        for side, registry in ((old_side, old), (new_side, new)):
            if registry.errors:
                raise DiffError(f"{side} does not load cleanly: {registry.errors[0].format()}")
        return diff_registries(old, new)
    finally:
        for tmp in (old_tmp, new_tmp):
            if tmp:
                tmp.cleanup()
