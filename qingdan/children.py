"""Child processes that die with the process that started them.

A build runs MkDocs, Graphviz, git and tar as child processes. If the build is killed, even
with SIGKILL, which it cannot catch, the kernel signals each of them as well (Linux
`PR_SET_PDEATHSIG`; SIGKILL unless the caller asks for another, e.g. SIGTERM so a server shuts
down cleanly), so no MkDocs keeps writing into a staging folder that nobody will use.
Every process the package starts goes through `run` or `popen`.

The signal comes when the *thread* that started the child ends: start a child from a thread
that waits for it (a worker thread waiting for its child is fine).

Where util-linux's `setpriv` is installed, it arms the signal and runs the program in its place
(through `sh`, which first checks the parent is still there): arming it in a `preexec_fn` makes
Python fork the whole process instead of vfork, and a fork costs with the size of the process
(40 ms for a small Python, 240 ms at 1.2 GB on this machine: 20 minutes for the 5,000
flowcharts of a 50,000-guide site). Without `setpriv` it is armed in a `preexec_fn`.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import multiprocessing
import os
import pickle
import resource
import shutil
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


_SH = "/bin/sh"
_SETPRIV = shutil.which("setpriv") if _prctl is not None and os.path.exists(_SH) else None


def _with_death_signal(args, kwargs: dict, death_signal: int) -> tuple:
    if _prctl is None or kwargs.get("preexec_fn") is not None:
        return args, kwargs
    if _SETPRIV and not kwargs.get("shell") and not kwargs.get("executable") and isinstance(args, (list, tuple)):
        path = (kwargs.get("env") or os.environ).get("PATH", os.defpath)
        if shutil.which(args[0], path=path) is None:  # as subprocess would say, not setpriv's exit code
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), args[0])
        # armed, then as in `_die_with`: a parent already gone before that is never signalled
        check = 'test "$PPID" = "$0" || kill -KILL $$; exec "$@"'
        armed = [_SETPRIV, "--pdeathsig", signal.Signals(death_signal).name, "--", _SH, "-c", check]
        return [*armed, str(os.getpid()), *args], kwargs
    kwargs["preexec_fn"] = _die_with(os.getpid(), death_signal)
    return args, kwargs


def run(args, *, death_signal: int = signal.SIGKILL, **kwargs) -> subprocess.CompletedProcess:
    """`subprocess.run`, with a child that gets `death_signal` when its parent dies."""
    args, kwargs = _with_death_signal(args, kwargs, death_signal)
    return subprocess.run(args, **kwargs)


def popen(args, *, death_signal: int = signal.SIGKILL, **kwargs) -> subprocess.Popen:
    """`subprocess.Popen`, with a child that gets `death_signal` when its parent dies."""
    args, kwargs = _with_death_signal(args, kwargs, death_signal)
    return subprocess.Popen(args, **kwargs)


def _address_space() -> int:
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _bounded_child(conn, call, memory: int, parent: int) -> None:
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)
    if memory and (now := _address_space()):
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        limit = now + memory if hard == resource.RLIM_INFINITY else min(now + memory, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        result = ("ok", call())
    except MemoryError:
        result = ("memory", None)
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent, as it was raised
        try:
            pickle.dumps(exc)
            result = ("raise", exc)
        except Exception:  # noqa: BLE001
            result = ("raise", RuntimeError(f"{type(exc).__name__}: {exc}"))
    try:
        conn.send(result)
    except MemoryError:
        conn.send(("memory", None))
    conn.close()
    os._exit(0)


def run_bounded(call, name: str, *, seconds: float, memory: int, error: type[Exception]):
    """`call()` in a forked child with `seconds` of wall clock and `memory` bytes of address space more than it was
    forked with (RLIMIT_AS), dying with this process; its result, or its exception raised again here; `error` with a
    message naming `name` (a file) when the child runs out of either. For parsers of untrusted files: whatever
    the parser does, the bound holds."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_bounded_child, args=(send, call, memory, os.getpid()), daemon=True)
    process.start()
    send.close()
    try:
        if not receive.poll(seconds):
            raise error(f"{name}: reading took longer than {seconds:.0f} s; the file is too large or made to be slow")
        try:
            kind, value = receive.recv()
        except (EOFError, OSError):
            kind, value = "memory", None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receive.close()
    if kind == "ok":
        return value
    if kind == "memory":
        raise error(f"{name}: reading needs more than {memory // 1024 // 1024} MB of memory; the file is too large")
    raise value


# Forked workers (the record pages' ProcessPoolExecutor) run no program, so nothing above arms them: while a
# process is inside `forks_die_with_me`, every child it forks arms the death signal first thing (an at-fork hook),
# so a build killed with SIGKILL leaves no worker behind (before, they stayed for good, reparented to init).
_DIE_WITH: set[int] = set()
_HOOKED = False


def _arm_forked_child() -> None:
    parent = os.getppid()
    if parent in _DIE_WITH and _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)
    _DIE_WITH.clear()  # the child's own forks are its business


@contextlib.contextmanager
def forks_die_with_me():
    """Every process forked from this one (from the thread that forks it) while inside gets SIGKILL when this
    process (that thread) ends, however it ends."""
    global _HOOKED
    if not _HOOKED and hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_arm_forked_child)
        _HOOKED = True
    pid = os.getpid()
    added = pid not in _DIE_WITH
    _DIE_WITH.add(pid)
    try:
        yield
    finally:
        if added:
            _DIE_WITH.discard(pid)
