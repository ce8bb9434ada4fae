"""Child processes that die with the process that started them.

A build runs MkDocs, Graphviz, git and tar as child processes. If the build is killed, even
with SIGKILL, which it cannot catch, the kernel sends SIGKILL to each of them as well (Linux
`PR_SET_PDEATHSIG`), so no MkDocs keeps writing into a staging folder that nobody will use.
Every process the package starts goes through `run` or `popen`.

The signal comes when the *thread* that started the child ends: start a child from a thread
that waits for it (a worker thread waiting for its child is fine).
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys

PR_SET_PDEATHSIG = 1


def _load_prctl():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_prctl = _load_prctl()


def _die_with(parent: int):
    def preexec() -> None:  # runs in the child, between fork and exec
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os.kill(os.getpid(), signal.SIGKILL)

    return preexec


def _with_death_signal(kwargs: dict) -> dict:
    if _prctl is not None and kwargs.get("preexec_fn") is None:
        kwargs["preexec_fn"] = _die_with(os.getpid())
    return kwargs


def run(args, **kwargs) -> subprocess.CompletedProcess:
    """`subprocess.run`, with a child that is killed when its parent dies."""
    return subprocess.run(args, **_with_death_signal(kwargs))


def popen(args, **kwargs) -> subprocess.Popen:
    """`subprocess.Popen`, with a child that is killed when its parent dies."""
    return subprocess.Popen(args, **_with_death_signal(kwargs))
