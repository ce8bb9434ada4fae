"""Progress on long work: `build` shows its phases with counts and time on a terminal (a pseudo-terminal
here), and prints only its summary when its output is not a terminal; `draft` counts a PDF's pages."""

from __future__ import annotations

import errno
import fcntl
import io
import os
import re
import shutil
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from qingdan.draft.read_pdf import read_pdf
from qingdan.progress import NO_PROGRESS, Progress, TerminalProgress, for_stream, using

from .conftest import MINI

ROOT = Path(__file__).resolve().parents[1]
PHASES = ("validate", "database", "graph", "flowcharts", "pages", "search index")


def _env(lang: str = "en_US.UTF-8") -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT), LANG=lang, LANGUAGE="", LC_ALL="", LC_MESSAGES="")
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    return env


def _run_in_terminal(args: list[str], cwd: Path, lang: str = "en_US.UTF-8") -> tuple[int, str]:
    """Run `args` with standard input, output and error on a new pseudo-terminal (100 × 30); its output."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    process = subprocess.Popen(args, cwd=cwd, env=_env(lang), stdin=slave, stdout=slave, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError as error:  # EIO: the terminal's last writer closed it
            if error.errno != errno.EIO:
                raise
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return process.wait(timeout=300), b"".join(chunks).decode("utf-8", "replace")


def _registry(tmp_path: Path) -> Path:
    shutil.copytree(MINI, tmp_path / "registry")
    return tmp_path / "registry"


BUILD = [sys.executable, "-m", "qingdan.cli", "build", "registry", "--dist", "dist"]


@pytest.mark.slow
def test_build_on_a_terminal_shows_each_phase_with_its_count_and_time(tmp_path):
    _registry(tmp_path)
    code, output = _run_in_terminal(BUILD, tmp_path)
    assert code == 0, output
    # each phase's last state (tqdm redraws a line with \r): name, Chinese name, count, unit, time
    final = {}
    for line in re.split(r"[\r\n]+", output):
        found = re.match(r"(search index|[a-z]+): +(\d+)(?:/\d+)? (.+?) +\[(\d\d:\d\d)\]$", line.strip())
        if found:
            final[found[1]] = (int(found[2]), found[3])
    assert set(PHASES) <= final.keys(), output
    assert final["validate"] == (22, "records")  # the mini registry's records
    assert final["database"] == (22, "records")
    assert final["pages"][0] > 10  # a first build makes every page
    assert final["search index"][0] >= 1
    assert "built dist/ from registry" in output
    # built again, for a Chinese reader: nothing changed, no page made again, and the phases still shown
    code, output = _run_in_terminal(BUILD, tmp_path, lang="zh_CN.UTF-8")
    assert code == 0, output
    assert re.search(r"页面： 0 个页面重新生成（其余未变）", output), output
    assert re.search(r"校验： 22 条记录  \[\d\d:\d\d\]", output), output
    assert "已构建 dist/，注册库版本 " in output and "22 条记录" in output.splitlines()[-1]


@pytest.mark.slow
def test_build_without_a_terminal_prints_only_its_summary(tmp_path):
    _registry(tmp_path)
    result = subprocess.run(BUILD, cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines() == [result.stdout.strip()]
    assert result.stdout.startswith("built dist/ from registry ")


class Recorder(Progress):
    def __init__(self):
        self.events = []

    def start(self, phase, total=None, unit=""):
        self.events.append(("start", phase, total))

    def advance(self, n=1):
        self.events.append(("advance", n))

    def done(self, count=None):
        self.events.append(("done", count))


def test_draft_counts_the_pages_of_a_pdf_it_reads():
    import pdfplumber

    path = ROOT / "tests" / "fixtures" / "draft" / "hengshui-list.pdf"
    with pdfplumber.open(path) as pdf:
        pages = len(pdf.pages)
    recorder = Recorder()
    with using(recorder):
        read_pdf(path, path.read_bytes())
    assert recorder.events[0] == ("start", "pages read", pages)
    assert recorder.events.count(("advance", 1)) == pages
    assert recorder.events[-1][0] == "done"


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_the_terminal_display_and_its_absence(monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")
    assert for_stream(io.StringIO()) is NO_PROGRESS  # a pipe, a file, a CI log: nothing
    screen = Terminal()
    shown = for_stream(screen)
    assert isinstance(shown, TerminalProgress)
    shown.start("pages read", 5, unit="pages")
    shown.advance()
    shown.advance()
    shown.close()  # a PDF refused after two pages: the line ends at what was read
    shown.start("validate", unit="records")
    shown.done(22)
    lines = [line.strip() for line in re.split(r"[\r\n]+", screen.getvalue()) if line.strip()]
    assert lines[-1] == "validate:      22 records  [00:00]"
    assert any(re.match(r"pages read: +2/2 pages", line) for line in lines), lines
    assert NO_PROGRESS.phase("validate").__enter__() is NO_PROGRESS  # the default: no output, no error
