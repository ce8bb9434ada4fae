"""Child processes that die with the process that started them.

A build runs MkDocs, Graphviz, git and tar as child processes. If the build is killed, even
with SIGKILL, which it cannot catch, the kernel signals each of them as well (Linux
`PR_SET_PDEATHSIG`; SIGKILL unless the caller asks for another, e.g. SIGTERM so a server shuts
down cleanly), so no MkDocs keeps writing into a staging folder that nobody will use.
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


def _die_with(parent: int, death_signal: int):
    def preexec() -> None:  # runs in the child, between fork and exec
        _prctl(PR_SET_PDEATHSIG, death_signal, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os.kill(os.getpid(), signal.SIGKILL)

    return preexec


def _with_death_signal(kwargs: dict, death_signal: int) -> dict:
    if _prctl is not None and kwargs.get("preexec_fn") is None:
        kwargs["preexec_fn"] = _die_with(os.getpid(), death_signal)
    return kwargs


def run(args, *, death_signal: int = signal.SIGKILL, **kwargs) -> subprocess.CompletedProcess:
    """`subprocess.run`, with a child that gets `death_signal` when its parent dies."""
    return subprocess.run(args, **_with_death_signal(kwargs, death_signal))


def popen(args, *, death_signal: int = signal.SIGKILL, **kwargs) -> subprocess.Popen:
    """`subprocess.Popen`, with a child that gets `death_signal` when its parent dies."""
    return subprocess.Popen(args, **_with_death_signal(kwargs, death_signal))
