"""Atomic writes: a failed or killed build leaves the last good output in place."""

from __future__ import annotations

import ctypes
import errno
import fcntl
import glob
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


FILE_MODE = 0o666 & ~_umask()


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def link_or_copy(source: Path, target: Path) -> None:
    """Put `source` at `target` as a hard link (no bytes copied: a rebuild reuses cached pages),
    or as a copy where the file system cannot link."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


@contextmanager
def atomic_directory(target: Path):
    """Yield a fresh staging folder (an absolute path); on success it replaces `target` whole.

    The two folders swap names in one step where the kernel can (renameat2 RENAME_EXCHANGE), so a
    reader sees the old tree or the new one. The old tree is then removed by a background process
    (`remove_later`): deleting a site's thousands of folders took longer than a one-agency rebuild.
    What a killed removal leaves (`.<name>.old-*`) is handed to a new removal at the next build."""
    target = Path(target).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_later(list(target.parent.glob(glob.escape(f".{target.name}.old") + "*")))
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.staging."))
    os.chmod(staging, 0o777 & ~_umask())
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = target.parent / f".{target.name}.old-{staging.name.rsplit('.', 1)[1]}"
    if not target.exists():
        os.replace(staging, target)
        return
    if _exchange(staging, target):  # `staging` now names the old tree
        os.rename(staging, old)
    else:  # no atomic swap on this system: for an instant there is no target
        os.replace(target, old)
        os.replace(staging, target)
    remove_later([old])


_removals: list[subprocess.Popen] = []


def remove_later(paths: list[Path]) -> None:
    """Delete these folders (already out of use) in a process of their own, which goes on after
    this one ends: a build returns once its output is in place. `wait_for_removals` waits for them."""
    if not paths:
        return
    _removals[:] = [process for process in _removals if process.poll() is None]
    command = [sys.executable, "-c", "import shutil, sys\nfor p in sys.argv[1:]: shutil.rmtree(p, ignore_errors=True)"]
    # not through children.popen: the removal is meant to outlive a build that has finished
    _removals.append(
        subprocess.Popen(
            [*command, *map(str, paths)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    )


def wait_for_removals() -> None:
    """Wait until the folders handed to `remove_later` by this process are gone."""
    while _removals:
        _removals.pop().wait()


# --- the whole dist/ at once -----------------------------------------------------------

LOCK_NAME = "qingdan-build.lock"
AT_FDCWD = -100
RENAME_EXCHANGE = 2


class PublishError(Exception):
    """The build cannot publish into this dist; the message says why, in plain words."""


@dataclass
class Stage:
    out: Path  # becomes the new dist/
    work: Path  # scratch space of this build, removed at the end
    build_dir: Path  # lasting build folder: caches, generated site sources


def build_folder(dist: Path) -> Path:
    """`build/` beside `dist`: staging, caches and the published versions live there."""
    if Path(dist).name in ("", ".", "..", "build"):
        raise PublishError(f"{dist} cannot be the dist folder: give a folder name such as dist")
    return Path(dist).absolute().parent / "build"


@contextmanager
def staged_dist(dist: Path, outputs: frozenset[str]):
    """Build a whole new dist in a staging folder; on success `dist` switches to it in one step.

    `dist` is a symlink to `build/<name>.v-<token>/`, replaced by a rename, which is atomic:
    a reader (or a build killed at any moment) sees the old dist or the new one, never a mix.
    A real `dist/` folder from an older build (holding only `outputs`) is swapped for the
    symlink the same way. A lock on the build folder (flock, released by the kernel when the
    process ends, even by SIGKILL) stops a second build; it cleans what a killed build left.
    """
    dist = Path(dist)
    name = dist.name
    build_dir = build_folder(dist)
    build_dir.mkdir(parents=True, exist_ok=True)
    with _locked(build_dir, dist):
        current = _check_dist(dist, outputs)
        _remove_leftovers(build_dir, name, keep=current)
        staging = Path(tempfile.mkdtemp(dir=build_dir, prefix=f"{name}.staging-"))
        token = staging.name.rsplit("-", 1)[1]
        version, link = build_dir / f"{name}.v-{token}", build_dir / f"{name}.link-{token}"
        stage = Stage(out=staging / "out", work=staging / "work", build_dir=build_dir)
        try:
            stage.out.mkdir()
            stage.work.mkdir()
            yield stage
            os.rename(stage.out, version)
            _point(dist, version, link=link, aside=build_dir / f"{name}.old-{token}")
        except BaseException:
            shutil.rmtree(version, ignore_errors=True)
            if link.is_symlink():
                link.unlink()
            raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        if current is not None and current.is_dir():  # deleted in the background with the leftovers
            os.rename(current, build_dir / f"{name}.old-{token}")
        _remove_leftovers(build_dir, name, keep=version)


def _point(dist: Path, version: Path, link: Path, aside: Path) -> None:
    """Make `dist` a symlink to `version`, replacing what was there in one rename."""
    os.symlink(os.path.relpath(version, dist.absolute().parent), link)
    if dist.is_symlink() or not dist.exists():
        os.replace(link, dist)
    elif _exchange(link, dist):  # a real folder from an older build: the kernel swaps the two names
        shutil.rmtree(link, ignore_errors=True)  # `link` now names the old folder
    else:  # no atomic swap on this system: for an instant there is no dist (first build only)
        os.rename(dist, aside)
        try:
            os.replace(link, dist)
        except BaseException:
            os.rename(aside, dist)
            raise
        shutil.rmtree(aside, ignore_errors=True)


def _check_dist(dist: Path, outputs: frozenset[str]) -> Path | None:
    """What `dist` is now: None (absent or a real folder of an older build) or the version it links to."""
    if dist.is_symlink():
        target = Path(os.readlink(dist))
        if target.parent != Path("build") or not target.name.startswith(f"{dist.name}.v-"):
            raise PublishError(
                f"{dist} is a symbolic link to {target}, which `qingdan build` did not make; "
                f"remove the link, or build into {target} with --dist"
            )
        return build_folder(dist) / target.name
    if not dist.exists():
        return None
    if not dist.is_dir():
        raise PublishError(f"{dist} is a file, not a folder; remove it or choose another --dist")
    foreign = sorted(p.name for p in dist.iterdir() if p.name not in outputs and not _leftover(p.name))
    if foreign:
        raise PublishError(
            f"{dist} holds files a build did not write ({', '.join(foreign[:3])}); the build replaces the "
            "whole folder, so move them away or choose another --dist"
        )
    return None


def _leftover(name: str) -> bool:
    """Temporary names the per-output writes of older builds used inside dist/."""
    return name.startswith(".") and (".staging" in name or name.endswith((".old", ".tmp")) or "-build-" in name)


@contextmanager
def _locked(build_dir: Path, dist: Path):
    path = build_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise PublishError(
                f"another build is running in {build_dir} (process {holder}); {dist} is left to it. "
                f"Wait for it to finish and build again (the lock {path} is freed when that process ends)"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


def _remove_leftovers(build_dir: Path, name: str, keep: Path | None) -> None:
    """Staging folders, links and versions of `name` that a killed or failed build left behind, and
    the version just replaced: folders are deleted by a background process (`remove_later`)."""
    folders = []
    for prefix in (f"{name}.staging-", f"{name}.link-", f"{name}.old-", f"{name}.v-"):
        for path in build_dir.glob(glob.escape(prefix) + "*"):
            if keep is not None and path.name == keep.name:
                continue
            if path.is_dir() and not path.is_symlink():
                folders.append(path)
            else:
                path.unlink(missing_ok=True)
    remove_later(folders)


def _exchange(a: Path, b: Path) -> bool:
    renameat2 = getattr(_libc(), "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


@cache
def _libc():
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
