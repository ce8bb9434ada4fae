"""Where an agency's records live: one top-level folder of the registry per agency."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from ..models import is_valid_id
from ..registry import Problem, Registry, load_registry, yaml_files
from .results import SpreadsheetError

SHARED_FOLDERS = ("directory", "templates", "schemes", "schema", "sources")
FOLDER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def folder_of(root: Path, path: Path) -> str | None:
    """The top-level folder of the registry that holds `path` (None for files at the root)."""
    try:
        parts = Path(path).resolve().relative_to(Path(root).resolve()).parts
    except ValueError:
        return None
    return parts[0] if len(parts) > 1 else None


def problem_path(problem: Problem) -> Path:
    path = Path(problem.file)
    return (path if path.is_absolute() else Path.cwd() / path).resolve()


def agencies_in(registry: Registry, root: Path, folder: str) -> list[str]:
    return [e.id for e in registry.entries.values() if e.kind == "agency" and folder_of(root, e.file) == folder]


def agency_folder(registry_root: Path, agency_id: str, registry: Registry | None = None) -> tuple[str, bool]:
    """(folder name, whether the agency is already in the registry) for an agency's records."""
    root = Path(registry_root)
    registry = registry or load_registry(root)
    if not is_valid_id(agency_id):
        raise SpreadsheetError(
            f"{agency_id!r} is not a valid agency ID: use lowercase ASCII letters, digits "
            "and single '-', '_' or '.' between them, e.g. 370406-ybj"
        )
    entry = registry.entries.get(agency_id)
    if entry is None:
        folder = agency_id
        others = agencies_in(registry, root, folder)
        if others or ((root / folder).is_dir() and yaml_files(root / folder)):
            raise SpreadsheetError(
                f"the folder {folder}/ already holds other records ({', '.join(others) or 'YAML files'});"
                " a new agency needs a folder of its own"
            )
        return folder, False
    if entry.kind != "agency":
        raise SpreadsheetError(f"{agency_id} is the ID of a {entry.kind}, not of an agency")
    folder = folder_of(root, entry.file)
    if folder is None:
        raise SpreadsheetError(f"{agency_id} is in {entry.file}, not in an agency folder of {root}")
    if folder in SHARED_FOLDERS:
        raise SpreadsheetError(
            f"{agency_id} is kept in the shared folder {folder}/: it is named by others but does "
            "not publish its own list here; give it an agency folder first"
        )
    return folder, True


def checked_root(path) -> Path:
    root = Path(path)
    if not root.is_dir():
        raise SpreadsheetError(f"{root} is not a registry folder")
    return root


def folder_records(registry: Registry, root: Path, folder: str) -> dict[str, list[dict]]:
    records: dict[str, list[dict]] = defaultdict(list)
    for entry in registry.entries.values():
        if entry.kind == "work_item" or folder_of(root, entry.file) != folder:
            continue
        records[entry.path[0]].append(entry.record.model_dump(mode="json", by_alias=True))
    return records
