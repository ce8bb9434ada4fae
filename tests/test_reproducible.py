"""The same registry builds the same output, byte for byte apart from the stamp."""

import os
from pathlib import Path

import pytest

from qingdan.build import build, registry_stamp

from .conftest import MINI


def files(root: Path) -> dict[str, bytes]:
    """Every file under `root`, the site's through its link to a site tree."""
    found = {}
    for folder, _dirs, names in os.walk(root, followlinks=True):
        for path in map(Path(folder).joinpath, names):
            found[str(path.relative_to(root))] = path.read_bytes()
    return found


@pytest.mark.slow
def test_two_builds_differ_only_in_the_stamp(mini_build, tmp_path):
    first = mini_build  # version stamp-aaaa
    second = build(MINI, tmp_path / "b" / "dist", version="stamp-bbbb", site_url="http://127.0.0.1:8000/")
    a, b = files(first.dist), files(second.dist)
    assert a.keys() == b.keys()
    differing = [name for name in a if a[name] != b[name]]
    assert differing, "the stamp is not in the output"
    for name in differing:
        assert a[name].replace(b"stamp-aaaa", b"stamp-bbbb") == b[name], name
    assert any(name.endswith("index.html") for name in differing)  # shown on the pages
    assert "qingdan.db" in differing  # and in the database


def test_stamp_of_a_folder_outside_git_is_a_content_hash(tmp_path):
    import shutil

    shutil.copytree(MINI, tmp_path / "registry")
    one = registry_stamp(tmp_path / "registry")
    assert one["version"].startswith("sha256:") and one == registry_stamp(tmp_path / "registry")
    (tmp_path / "registry" / "extra.yaml").write_text("persons: []\n", encoding="utf-8")
    assert registry_stamp(tmp_path / "registry")["version"] != one["version"]
