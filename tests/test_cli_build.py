"""`qingdan build` as `make build` runs it: a relative dist folder, from the repository root."""

import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from qingdan.cli import cli

from .conftest import MINI


@pytest.mark.slow
def test_build_with_relative_paths_writes_the_whole_site(tmp_path, monkeypatch):
    shutil.copytree(MINI, tmp_path / "registry")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["build", "registry", "--dist", "dist", "--site-url", "http://127.0.0.1:8000/"])
    assert result.exit_code == 0, result.output
    assert "built dist/" in result.output
    site = tmp_path / "dist" / "site"
    assert (site / "index.html").is_file()
    assert (site / "guides" / "demo-power-b1" / "index.html").is_file()
    assert (site / "downloads" / "qingdan.db").is_file()
    assert not (tmp_path / "build" / "site-src" / "dist").exists()


def test_build_refuses_a_broken_registry(tmp_path, monkeypatch):
    shutil.copytree(MINI, tmp_path / "registry")
    (tmp_path / "registry" / "broken.yaml").write_text("powers:\n  - id: x\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["build", "registry", "--dist", "dist"])
    assert result.exit_code == 1
    assert "broken.yaml:2: powers[0].source: this required field is missing" in result.output
    assert not (tmp_path / "dist").exists()


@pytest.mark.slow
def test_every_page_url_in_the_database_exists_on_the_site(mini_build):
    import re

    import sqlite_utils

    site = mini_build.dist / "site"
    db = sqlite_utils.Database(mini_build.dist / "qingdan.db")
    checked = 0
    for table in db.tables:
        if "page_url" not in table.columns_dict:
            continue
        for row in table.rows_where("page_url is not null", select="page_url"):
            path, _, anchor = row["page_url"].removeprefix("http://127.0.0.1:8000/").partition("#")
            page = site / path / "index.html"
            assert page.is_file(), row["page_url"]
            if anchor:
                assert re.search(f'id="{re.escape(anchor)}"', page.read_text(encoding="utf-8")), row["page_url"]
            checked += 1
    assert checked > 20


def test_the_command_loads_a_verbs_libraries_only_when_the_verb_runs():
    """`qingdan --help` (and every verb) starts without the workbook, draft, graph and site libraries."""
    heavy = ("openpyxl", "networkx", "pdfplumber", "docx", "jieba", "qingdan.site", "qingdan.spreadsheet")
    probe = f"import sys, qingdan.cli; print([m for m in {heavy!r} if m in sys.modules])"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
