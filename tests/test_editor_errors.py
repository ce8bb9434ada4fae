"""Errors an editor can act on: a value split by an ASCII comma, references into a file that could not be
read, a file emptied by mistake, allowed values with their Chinese labels, `import --check` findings."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from qingdan.cli import cli
from qingdan.spreadsheet import write_template
from qingdan.validate import validate

from .conftest import edit, line_of

GUIDE = Path(__file__).parent / "fixtures" / "guide"


def _codes(report) -> list[str]:
    return [p.code for p in report.errors]


def test_a_value_split_by_an_ascii_comma_says_to_quote_it(mini):
    path = edit(mini, "      - {kind: window, detail: 待遇股窗口}", "      - {kind: window, detail: 待遇股窗口, 二楼}")
    [problem] = [p for p in validate(mini).errors if p.code == "unknown_field"]
    assert problem.field.endswith("channels[0].二楼")
    assert problem.line == line_of(path, "待遇股窗口, 二楼")
    assert "ASCII comma" in problem.message and 'name: "身份证, 户口簿"' in problem.message


def test_allowed_values_are_listed_with_their_chinese_labels(mini):
    edit(mini, "      - {kind: window, detail: 待遇股窗口}", "      - {kind: windows, detail: 待遇股窗口}")
    [problem] = [p for p in validate(mini).errors if p.code == "wrong_type"]
    assert "'windows' is not allowed here" in problem.message
    assert "window (窗口办理)" in problem.message and "online (" in problem.message


def test_references_into_a_file_that_failed_are_skipped_with_one_line(mini):
    edit(mini, "- id: demo-power-b1\n    agency: demo-ybj", "- id: demo-power-b1\n    agency: demo-other")
    other = mini / "demo-bureau" / "other.yaml"
    other.write_text("agencies:\n  - id: demo-other\n    name: [未闭合\n", encoding="utf-8")
    codes = _codes(validate(mini))
    assert "yaml_syntax" in codes and "dangling_reference" not in codes
    [skipped] = [p for p in validate(mini).errors if p.code == "references_skipped"]
    assert skipped.file.endswith("other.yaml") and skipped.message.startswith("1 reference")

    other.write_text("agencies:\n  - id: demo-other\n    level: city\n", encoding="utf-8")  # no name
    codes = _codes(validate(mini))
    assert "missing_field" in codes and "dangling_reference" not in codes and "references_skipped" in codes
    other.unlink()
    assert "dangling_reference" in _codes(validate(mini))  # a reference to nothing is still reported


@pytest.mark.slow
def test_an_emptied_file_that_held_records_at_git_head_is_named(mini):
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=mini, check=True)
    subprocess.run([*git, "add", "-A"], cwd=mini, check=True)
    subprocess.run([*git, "commit", "-qm", "seed"], cwd=mini, check=True)
    path = mini / "demo-bureau" / "registry.yaml"
    assert "emptied_file" not in _codes(validate(mini))
    path.write_text("# emptied\n", encoding="utf-8")
    [problem] = [p for p in validate(mini).errors if p.code == "emptied_file"]
    assert problem.file.endswith("demo-bureau/registry.yaml") and "held" in problem.message


def test_an_empty_file_outside_git_is_not_an_error(tmp_path):
    registry = tmp_path / "guide"
    shutil.copytree(GUIDE, registry)
    (registry / "demo-city" / "empty.yaml").write_text("", encoding="utf-8")
    assert validate(registry).ok


@pytest.mark.slow
def test_import_check_lists_its_findings(tmp_path):
    registry = tmp_path / "guide"
    shutil.copytree(GUIDE, registry)
    book = write_template(registry, "demo-city-ybj", tmp_path / "guide.xlsx")
    result = CliRunner().invoke(cli, ["import", str(book), "--registry", str(registry), "--check"])
    assert result.exit_code == 0, result.output
    findings = int(re.search(r"; (\d+) findings", result.output).group(1))
    listed = [line for line in result.output.splitlines() if re.search(r"\[(high|medium|low|info)\] ", line)]
    assert findings > 0 and len(listed) == findings
    assert any(line.startswith("公共服务!") and "法律依据" in line for line in listed)  # named by sheet and cell
