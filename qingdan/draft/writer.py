"""Write a drafted agency into the registry: all of it or nothing.

The folder is written beside the registry's folders under a hidden name (the loader skips
folders starting with a dot), moved into place, and the whole registry validated; on any error
the new folder and source files are removed and a replaced folder is put back.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from pydantic import BaseModel

from ..registry import SOURCES_DIR, load_registry
from ..validate import Report, check
from .model import DraftError

HEADER = "# yaml-language-server: $schema=../schema/registry-file.schema.json\n"


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """libyaml's emitter where PyYAML has it (a 3,000-row list dumps in a second, not twenty)."""


def _represent_str(dumper, value: str):
    """Text with line breaks (a cell's numbered list) as a literal block, so reviewers see the lines."""
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _represent_str)


LAST = ("source", "review", "note")  # what a reviewer reads after the record itself


def _ordered(record: BaseModel) -> dict:
    data = record.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)
    return {k: v for k, v in data.items() if k not in LAST} | {k: data[k] for k in LAST if k in data}


def dump(sections: dict[str, list[BaseModel]], comment: str) -> str:
    data = {section: [_ordered(r) for r in records] for section, records in sections.items() if records}
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False)
    return HEADER + f"# {comment}\n\n" + body


def write_agency(
    registry: Path, agency_id: str, files: dict[str, str], sources: dict[str, bytes], replace: bool
) -> Report:
    """Put `files` (name → YAML text) in registry/<agency_id>/ and `sources` in registry/sources/, then validate."""
    target = registry / agency_id
    staging = registry / f".draft-{agency_id}.new"
    backup = registry / f".draft-{agency_id}.old"
    for leftover in (staging, backup):
        shutil.rmtree(leftover, ignore_errors=True)
    staging.mkdir(parents=True)
    for name, text in files.items():
        (staging / name).write_text(text, encoding="utf-8")
    sources_dir = registry / SOURCES_DIR
    sources_dir.mkdir(exist_ok=True)
    created = []
    try:
        for name, data in sources.items():
            path = sources_dir / name
            if not path.exists():
                path.write_bytes(data)
                created.append(path)
        if target.exists():
            if not replace:
                raise DraftError(f"{target} already exists; use --force to replace it")
            target.rename(backup)
        staging.rename(target)
        report = check(load_registry(registry))
        if not report.ok:
            lines = "\n".join(p.format() for p in report.errors[:10])
            raise DraftError(f"the draft does not validate, so nothing was written:\n{lines}")
    except BaseException:
        shutil.rmtree(target if not staging.exists() else staging, ignore_errors=True)
        if backup.exists():
            shutil.rmtree(target, ignore_errors=True)
            backup.rename(target)
        for path in created:
            path.unlink(missing_ok=True)
        raise
    shutil.rmtree(backup, ignore_errors=True)
    return report
