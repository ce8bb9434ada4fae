"""Progress of long work: the hook the build and the readers call, and its terminal display.

The work itself only calls a `Progress` (`start` a phase, `advance` it, `done` with a count); the
default does nothing, so the build, the tests and every caller but the command line run without
any output. `TerminalProgress` (tqdm, on standard error) is what `qingdan build` and `qingdan draft`
pass when standard error is a terminal: a line per phase with its count and time.

Readers deep inside `draft` (a PDF's pages) take the progress of the run from `current()`, which
`using(progress)` sets for the duration of a command, so no reader's signature carries it.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TextIO


class Progress:
    """Does nothing: the interface the work calls. One phase at a time; starting one ends the last."""

    def start(self, phase: str, total: int | None = None, unit: str = "") -> None:
        """A phase begins; `total` when known (pages of a PDF), `unit` what is counted."""

    def advance(self, n: int = 1) -> None:
        """`n` more items of the current phase are done."""

    def done(self, count: int | None = None) -> None:
        """The current phase ended; `count` of what it made when not counted by `advance`."""

    def close(self) -> None:
        """The work ended (or failed): end the current phase."""

    @contextmanager
    def phase(self, name: str, total: int | None = None, unit: str = "") -> Iterator[Progress]:
        self.start(name, total, unit)
        try:
            yield self
        finally:
            self.done()


NO_PROGRESS = Progress()

_current: ContextVar[Progress] = ContextVar("qingdan_progress", default=NO_PROGRESS)


def current() -> Progress:
    """The progress of the command running (NO_PROGRESS outside `using`)."""
    return _current.get()


@contextmanager
def using(progress: Progress) -> Iterator[Progress]:
    token = _current.set(progress)
    try:
        yield progress
    finally:
        progress.close()
        _current.reset(token)


class TerminalProgress(Progress):
    """A tqdm line per phase on `stream` (standard error): name, count (of total), unit and time.
    A finished phase stays on the screen with its final count and time."""

    # Under a Chinese locale (qingdan.i18n): the phases' and units' Chinese names (keys: what the work passes).
    UNITS = {
        "records": "条记录",
        "nodes": "个节点",
        "charts": "张流程图",
        "pages made (the others unchanged)": "个页面重新生成（其余未变）",
        "agencies": "个机构",
        "pages": "页",
    }
    NAMES = {
        "validate": "校验",
        "database": "数据库",
        "graph": "关系图",
        "flowcharts": "流程图",
        "pages": "页面",
        "search index": "搜索索引",
        "pages read": "读取页",
    }

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.bar = None
        self.counted = False

    def start(self, phase: str, total: int | None = None, unit: str = "") -> None:
        from tqdm import tqdm

        from .i18n import chinese

        self.done()
        size = shutil.get_terminal_size((100, 24))  # a pseudo-terminal with no size set says 0 × 0
        count = "{n_fmt}/{total_fmt}" if total is not None else "{n_fmt}"
        if chinese():
            desc, unit = f"{self.NAMES.get(phase, phase)}：", self.UNITS.get(unit, unit)
        else:
            desc = f"{phase + ':':<14}"
        self.bar = tqdm(
            total=total,
            desc=desc,
            unit=unit or "",
            file=self.stream,
            leave=True,
            ncols=size.columns or 100,
            nrows=size.lines or 24,
            mininterval=0.2,
            bar_format="{desc} " + count + " {unit}  [{elapsed}]",
        )
        self.counted = False

    def advance(self, n: int = 1) -> None:
        if self.bar is not None:
            self.counted = True
            self.bar.update(n)

    def done(self, count: int | None = None) -> None:
        if self.bar is None:
            return
        if count is not None and not self.counted:
            self.bar.update(count - self.bar.n)
        if self.bar.total is not None and self.bar.n < self.bar.total and count is None:
            self.bar.total = self.bar.n  # ended early (a PDF refused, a phase with less to do)
        self.bar.close()
        self.bar = None

    def close(self) -> None:
        self.done()


def for_stream(stream: TextIO | None = None) -> Progress:
    """TerminalProgress when `stream` (default standard error) is a terminal, NO_PROGRESS otherwise."""
    stream = stream or sys.stderr
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    return TerminalProgress(stream) if tty else NO_PROGRESS
