"""JSON Schema for registry files, derived from the models, for editors to validate YAML as it is typed."""

from __future__ import annotations

import json
from pathlib import Path

from .atomic import atomic_write_text
from .models import RegistryFile


def registry_file_schema() -> dict:
    schema = RegistryFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "registry-file.schema.json"
    return schema


def schema_text() -> str:
    return json.dumps(registry_file_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_schema(path: Path) -> None:
    atomic_write_text(path, schema_text())
