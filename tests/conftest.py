import re
import shutil
from functools import cache
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini"
MINI_YAML = MINI / "demo-bureau" / "registry.yaml"


@pytest.fixture
def mini(tmp_path) -> Path:
    """A writable copy of the mini registry (every record kind, with known defects)."""
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


def edit(registry: Path, old: str, new: str, count: int = 1) -> Path:
    """Replace text in the mini registry's YAML file; fail loudly if `old` is not there."""
    path = registry / "demo-bureau" / "registry.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in {path}")


REGISTRY = Path(__file__).parent.parent / "registry"
SHARED_SEEDS = Path(__file__).parents[2] / "shared" / "seeds"


def seed_path(name: str) -> Path:
    """A seed file as published in shared/, or the registry's copy where shared/ is absent."""
    shared = SHARED_SEEDS / name
    return shared if shared.exists() else REGISTRY / "sources" / name


def norm(text: str | None) -> str:
    """Text with all whitespace removed, for comparing source cells with registry fields."""
    return re.sub(r"\s+", "", text or "")


@cache
def seed_registry():
    from qingdan.registry import load_registry

    return load_registry(REGISTRY)
