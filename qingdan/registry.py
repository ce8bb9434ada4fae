"""Load a registry folder into validated records, collecting every error on the way.

Loading never stops at the first problem: each record is validated on its own, so one
broken record is reported with its file, line and field while the rest still load.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from pydantic import BaseModel, ValidationError

from .labels import LABELS
from .models import KIND_OF_SECTION, RECORD_KINDS, referenced_kind
from .safefiles import MAX_SOURCE_BYTES, MAX_YAML_BYTES, UnsafeFile, confined_path, read_text
from .terminal import printable
from .yamlload import LoadedYaml, YamlError, load_yaml

SOURCES_DIR = "sources"
YAML_SUFFIXES = (".yaml", ".yml")
SEVERITIES = ("error", "high", "medium", "low", "info")
# Files at the registry's root that are not record files (read by their own modules).
EDITORIAL_FILES = ("matters.yaml", "thesaurus.yaml")


@dataclass
class Problem:
    """An error in the registry or a finding about the official data."""

    severity: str
    code: str
    file: str
    line: int
    field: str
    message: str
    record: str | None = None
    agency: str | None = None
    records: list[str] = field(default_factory=list)
    message_zh: str | None = None  # the finding in Chinese, for the public report

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def format(self) -> str:
        tag = "" if self.is_error else f"[{self.severity}] "
        return printable(f"{self.file}:{self.line}: {self.field}: {tag}{self.message}")

    def as_dict(self) -> dict:
        return {
            "severity": self.severity,
            "code": self.code,
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "message_zh": self.message_zh or self.message,
            "record": self.record,
            "agency": self.agency,
            "records": self.records or ([self.record] if self.record else []),
        }


@dataclass
class Entry:
    """A loaded record and where it stands on disk."""

    kind: str
    record: BaseModel
    file: Path
    path: tuple
    owner: str | None = None  # the post or duty holding a work item

    @property
    def id(self) -> str:
        return self.record.id


@dataclass
class Registry:
    root: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    by_kind: dict[str, list[BaseModel]] = field(default_factory=dict)
    files: dict[Path, LoadedYaml] = field(default_factory=dict)
    errors: list[Problem] = field(default_factory=list)
    source_texts: dict[str, str | UnsafeFile] = field(default_factory=dict, repr=False)
    sources: Path | None = None  # the registry's sources/ when it is not beside it (import's candidate copy)
    empty_files: list[str] = field(default_factory=list)  # files holding no record (named if references dangle)
    unread: dict[str, str] = field(default_factory=dict)  # ID → file, for records in a file or item that failed

    def of(self, kind: str) -> list:
        """Records of one kind (singular name, e.g. 'power'), in load order."""
        return self.by_kind.get(kind, [])

    def get(self, record_id: str | None):
        entry = self.entries.get(record_id or "")
        return entry.record if entry else None

    def relpath(self, path: Path) -> str:
        return relpath(path)

    def where(self, record_id: str, *subpath) -> tuple[str, int]:
        """File (relative) and line of a record or one of its fields."""
        entry = self.entries[record_id]
        return self.relpath(entry.file), self.files[entry.file].line_of(entry.path + tuple(subpath))

    def agency_of(self, record_id: str) -> str | None:
        """The agency a record belongs to: itself, its holder's, its post's, else its source's publisher."""
        entry = self.entries.get(record_id)
        if entry is None:
            return None
        if entry.owner:
            return self.agency_of(entry.owner)
        record = entry.record
        if entry.kind == "agency":
            return entry.id
        if entry.kind == "document":
            return record.publisher
        if entry.kind == "membership":
            return self.agency_of(record.post) if record.post else record.organization
        source = getattr(record, "source", None)  # persons, templates, schemes: the publisher
        return getattr(record, "agency", None) or (self.agency_of(source.document) if source else None)

    def problem(self, severity: str, code: str, record_id: str, field_path: str, message: str, **extra) -> Problem:
        entry = self.entries[record_id]
        subpath = _split_field(field_path)
        file, line = self.where(record_id, *subpath)
        return Problem(
            severity,
            code,
            file,
            line,
            _display_path(entry.path + subpath),
            message,
            record=record_id,
            agency=self.agency_of(record_id),
            **extra,
        )

    def sources_dir(self) -> Path:
        """`sources/` of the registry root or of a folder above it."""
        if self.sources is not None:
            return self.sources
        start = self.root if self.root.is_dir() else self.root.parent
        for folder in (start, *start.absolute().parents):
            if (folder / SOURCES_DIR).is_dir():
                return folder / SOURCES_DIR
        return start / SOURCES_DIR

    def source_path(self, document_file: str) -> Path:
        """The source text's path, confined to `sources/` (raises UnsafeFile for any other)."""
        return confined_path(self.sources_dir(), document_file)

    def source_text(self, document_file: str) -> str:
        """The source text (read once), or UnsafeFile: missing, outside `sources/`, not a file, too large, not UTF-8."""
        if document_file not in self.source_texts:
            try:
                path = self.source_path(document_file)
                self.source_texts[document_file] = read_text(
                    path, MAX_SOURCE_BYTES, f"the source text {document_file!r}"
                )
            except UnsafeFile as exc:
                self.source_texts[document_file] = exc
        text = self.source_texts[document_file]
        if isinstance(text, UnsafeFile):
            raise text
        return text


def relpath(path: Path) -> str:
    """The path as the user can open it: relative to the working folder when inside it."""
    return _relative_to(os.fspath(path), os.getcwd())


@lru_cache(maxsize=4096)
def _relative_to(path: str, cwd: str) -> str:
    """Worked out once per file and working folder: every finding names its file (206,000 findings in a
    100,000-power registry spent a sixth of validation here)."""
    absolute = Path(cwd, path)
    try:
        return str(absolute.relative_to(cwd))
    except ValueError:
        return str(absolute)


def _split_field(field_path: str) -> tuple:
    parts: list = []
    for piece in field_path.replace("]", "").replace("[", ".").split("."):
        if piece:
            parts.append(int(piece) if piece.isdigit() else piece)
    return tuple(parts)


def _display_path(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(file)"


def yaml_files(root: Path) -> list[Path]:
    """The registry's YAML files that are safe to read."""
    return scan_yaml_files(root)[0]


def scan_yaml_files(root: Path) -> tuple[list[Path], list[Problem]]:
    """YAML files under `root` (folders starting with `.` skipped), and problems with the unsafe ones.

    Only regular files inside the registry are read: a link to a file outside, a FIFO or a
    device named `x.yaml`, a `.YAML` that would be silently skipped are all reported.
    """
    if not root.is_dir():
        return [root], []
    files, problems = [], []
    real_root = os.path.realpath(root)

    def refuse(path: Path, code: str, message: str) -> None:
        problems.append(Problem("error", code, relpath(path), 1, "(file)", message))

    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in dirs:
            path = Path(folder) / name
            if path.is_symlink():
                refuse(path, "unsafe_path", "a symbolic link to a folder: it is not read (copy the folder in)")
        for name in sorted(names):
            if name.startswith(".") or (name in EDITORIAL_FILES and Path(folder) == root):
                continue
            path = Path(folder) / name
            suffix = path.suffix
            if suffix.lower() not in YAML_SUFFIXES:
                continue
            if suffix not in YAML_SUFFIXES:
                refuse(path, "file_name", f"the ending {suffix} is not read: rename the file to end in .yaml")
                continue
            real = os.path.realpath(path)
            if os.path.commonpath([real, real_root]) != real_root:
                refuse(path, "unsafe_path", "a symbolic link to a file outside the registry: it is not read")
                continue
            try:
                mode = os.stat(real).st_mode
            except OSError:
                refuse(path, "unsafe_path", "a broken symbolic link")
                continue
            if not stat.S_ISREG(mode):
                refuse(path, "unsafe_path", "not a regular file (a FIFO, device or socket): it is not read")
                continue
            files.append(path)
    return sorted(files), problems


def load_registry(root: Path | str, sources: Path | None = None) -> Registry:
    """Load every YAML file under `root`, validate each record, index IDs, check references."""
    root = Path(root)
    registry = Registry(root=root, sources=sources)
    if not root.exists():
        registry.errors.append(Problem("error", "missing_path", str(root), 1, "(path)", "no such file or folder"))
        return registry
    files, problems = scan_yaml_files(root)
    registry.errors.extend(problems)
    for path in files:
        _load_file(registry, path)
    check_references(registry)
    _name_empty_files(registry)
    return registry


def _name_empty_files(registry: Registry) -> None:
    """A file that holds no record while references point at IDs no file holds was probably emptied by mistake
    (`: > agency.yaml`): it is named, before the dangling references it causes. Alone, an empty file is fine."""
    dangling = [i for i, p in enumerate(registry.errors) if p.code == "dangling_reference"]
    if not dangling or not registry.empty_files:
        return
    named = [
        Problem(
            "error",
            "emptied_file",
            rel,
            1,
            "(file)",
            f"the file holds no record, and {len(dangling)} reference(s) below point at IDs no file holds: was it "
            "emptied by mistake? Restore its records (or delete it and fix the references)",
        )
        for rel in registry.empty_files
    ]
    registry.errors[dangling[0] : dangling[0]] = named


def _load_file(registry: Registry, path: Path) -> None:
    rel = registry.relpath(path)
    try:
        text = read_text(Path(os.path.realpath(path)), MAX_YAML_BYTES, "the file")
    except UnsafeFile as exc:
        registry.errors.append(Problem("error", exc.code, rel, exc.line, "(file)", exc.message))
        return
    try:
        loaded = load_yaml(text)
    except YamlError as exc:
        registry.errors.append(Problem("error", exc.code, rel, exc.line, "(file)", exc.message))
        registry.unread.update(dict.fromkeys(ID_IN_TEXT.findall(text), rel))
        return
    if _holds_no_records(loaded.data) and not _check_emptied(registry, path, rel):
        registry.empty_files.append(rel)  # git cannot say what it held: named if references dangle (below)
    # only the line map is kept (for `where`): the parsed data lives on in the records, once
    registry.files[path] = LoadedYaml(None, loaded.lines)
    data = loaded.data
    if not isinstance(data, dict):
        registry.errors.append(
            Problem(
                "error",
                "wrong_type",
                rel,
                loaded.line_of(()),
                "(file)",
                "a registry file must be a mapping of record lists (agencies:, powers:, …)",
            )
        )
        return
    for section, items in data.items():
        if section not in RECORD_KINDS:
            registry.errors.append(
                Problem(
                    "error",
                    "unknown_field",
                    rel,
                    loaded.line_of((section,)),
                    section,
                    f"unknown section; a registry file may hold: {', '.join(RECORD_KINDS)}",
                )
            )
            continue
        if items is None:
            continue
        if not isinstance(items, list):
            registry.errors.append(
                Problem("error", "wrong_type", rel, loaded.line_of((section,)), section, "expected a list of records")
            )
            continue
        model = RECORD_KINDS[section]
        kind = KIND_OF_SECTION[section]
        for index, item in enumerate(items):
            try:
                record = model.model_validate(item)
            except ValidationError as exc:
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    registry.unread[item["id"]] = rel
                for err in exc.errors():
                    loc = (section, index) + tuple(err["loc"])
                    registry.errors.append(
                        Problem(
                            "error",
                            _error_code(err["type"]),
                            rel,
                            loaded.line_of(loc),
                            _display_path(loc),
                            plain_message(err),
                        )
                    )
                continue
            _index(registry, Entry(kind, record, path, (section, index)))


# An `id:` key in the text of a file that failed to parse: its records are not known, only their IDs.
ID_IN_TEXT = re.compile(r"\bid:\s*[\"']?([^\s\"',}\]#]+)")


def _holds_no_records(data) -> bool:
    return data is None or (isinstance(data, dict) and not any(isinstance(v, list) and v for v in data.values()))


def _check_emptied(registry: Registry, path: Path, rel: str) -> bool:
    """A file emptied by mistake loses its records silently: compare with git HEAD where there is one (whether
    that named it)."""
    try:
        done = subprocess.run(
            ["git", "show", f"HEAD:./{path.name}"],
            cwd=path.parent,
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    if done.returncode != 0:
        return False
    try:
        before = load_yaml(done.stdout.decode("utf-8")).data
    except (YamlError, UnicodeDecodeError):
        return False
    held = sum(len(v) for v in before.values() if isinstance(v, list)) if isinstance(before, dict) else 0
    if held:
        registry.errors.append(
            Problem(
                "error",
                "emptied_file",
                rel,
                1,
                "(file)",
                f"the file holds no records, but held {held} at git HEAD: restore it "
                f"(git checkout HEAD -- {rel}) or, if its records moved, delete the file",
            )
        )
    return bool(held)


def _index(registry: Registry, entry: Entry) -> None:
    if not _claim_id(registry, entry):
        return
    registry.by_kind.setdefault(entry.kind, []).append(entry.record)
    for name in ("work_items",):
        for i, item in enumerate(getattr(entry.record, name, None) or []):
            _claim_id(registry, Entry("work_item", item, entry.file, entry.path + (name, i), owner=entry.id))


def _claim_id(registry: Registry, entry: Entry) -> bool:
    previous = registry.entries.get(entry.id)
    if previous is not None:
        file, line = registry.where(previous.id)
        loaded = registry.files[entry.file]
        registry.errors.append(
            Problem(
                "error",
                "duplicate_id",
                registry.relpath(entry.file),
                loaded.line_of(entry.path + ("id",)),
                _display_path(entry.path + ("id",)),
                f"the ID {entry.id!r} is already used by a {previous.kind} at {file}:{line}; IDs must be unique",
                record=entry.id,
            )
        )
        return False
    registry.entries[entry.id] = entry
    return True


_ERROR_CODES = {"missing": "missing_field", "extra_forbidden": "unknown_field"}


def _error_code(pydantic_type: str) -> str:
    if pydantic_type in _ERROR_CODES:
        return _ERROR_CODES[pydantic_type]
    if pydantic_type == "value_error":
        return "malformed_value"
    return "wrong_type"


def plain_message(err: dict) -> str:
    """Turn a pydantic error into plain words."""
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "missing":
        return "this required field is missing"
    if kind == "extra_forbidden":
        if value is None:  # `{name: 身份证, 户口簿}`: the comma made 户口簿 a key of its own
            return (
                "unknown field with no value: if it is the rest of the previous value, an ASCII comma (,) split "
                'it; put the whole value in quotes, e.g. name: "身份证, 户口簿", or use the Chinese comma ，'
            )
        return "unknown field: it is not part of this kind of record (check the spelling)"
    if kind == "literal_error":
        return f"{value!r} is not allowed here; allowed: {allowed_values(err)}"
    if kind == "string_pattern_mismatch":
        return f"{value!r} does not have the expected form ({ctx.get('pattern')})"
    if kind == "string_type":
        return f"expected text, got {_type_name(value)}"
    if kind in ("int_type", "int_parsing"):
        return f"expected a whole number, got {value!r}"
    if kind == "bool_type" or kind == "bool_parsing":
        return f"expected true or false, got {value!r}"
    if kind == "list_type":
        return f"expected a list, got {_type_name(value)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping of fields, got {_type_name(value)}"
    if kind == "too_short":
        return "must not be empty"
    if kind == "string_too_short":
        return "must not be empty text"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return err["msg"]


def allowed_values(err: dict) -> str:
    """The allowed values of a closed choice, each with its Chinese label: `window (窗口办理), …`."""
    values = re.findall(r"'([^']*)'", str((err.get("ctx") or {}).get("expected", "")))
    name = next((part for part in reversed(err["loc"]) if isinstance(part, str)), "")
    tables = sorted(LABELS.items(), key=lambda kv: not kv[0].endswith(f".{name}"))
    labels = next((table for _, table in tables if values and set(values) <= set(table)), {})
    return ", ".join(f"{v} ({labels[v]})" if v in labels else v for v in values)


def _type_name(value) -> str:
    return {
        str: "text",
        int: "a number",
        float: "a number",
        bool: "true/false",
        list: "a list",
        dict: "a mapping",
        type(None): "nothing",
    }.get(type(value), type(value).__name__)


# --- references ------------------------------------------------------------------------


@cache
def _field_plan(model: type[BaseModel]) -> list[tuple[str, str, str | None]]:
    """(attribute, YAML key, referenced kind) for every field of `model`."""
    plan = []
    for name, info in model.model_fields.items():
        plan.append((name, info.alias or name, referenced_kind(info)))
    return plan


def iter_refs(record: BaseModel, path: tuple = ()):
    """Yield (path, referenced kind, ID) for every reference inside `record`."""
    for name, key, kind in _field_plan(type(record)):
        value = getattr(record, name)
        if value is None:
            continue
        values = value if isinstance(value, list) else [value]
        for i, item in enumerate(values):
            sub = path + ((key, i) if isinstance(value, list) else (key,))
            if kind and isinstance(item, str):
                yield sub, kind, item
            elif isinstance(item, BaseModel):
                yield from iter_refs(item, sub)


def check_references(registry: Registry) -> None:
    """Every reference resolves; references to records that could not be read are counted, not reported."""
    skipped: dict[str, int] = {}
    for record_id, entry in list(registry.entries.items()):
        if entry.kind == "work_item":
            continue  # checked as part of the record that holds it
        for path, kind, target in iter_refs(entry.record):
            found = registry.entries.get(target)
            if found is None and target in registry.unread:
                skipped[registry.unread[target]] = skipped.get(registry.unread[target], 0) + 1
                continue
            if found is None:
                message = f"refers to {kind} {target!r}, which is not in the registry"
            elif found.kind != kind:
                message = f"refers to {target!r} as a {kind}, but that ID belongs to a record of kind {found.kind}"
            else:
                continue
            file, line = registry.where(record_id, *path)
            registry.errors.append(
                Problem(
                    "error",
                    "dangling_reference",
                    file,
                    line,
                    _display_path(entry.path + path),
                    message,
                    record=record_id,
                )
            )
    for file, count in sorted(skipped.items()):
        registry.errors.append(
            Problem(
                "info",
                "references_skipped",
                file,
                1,
                "(file)",
                f"{count} reference(s) to records in this file were not checked: the records could not be read "
                "(fix the errors above first)",
            )
        )
