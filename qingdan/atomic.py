"""Atomic writes: a failed or killed build leaves the last good output in place."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import glob
import marshal
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
    or as a copy where the file system cannot link. A file already at `target` is replaced by a
    rename, never written into: it may be a link to a cached file."""
    _place(Path(source), Path(target))


def _place(source: Path, target: Path, root: Path | None = None) -> bool:
    """Link (or copy) `source` to `target`, replacing a file there (and, under `root`, a folder, or a
    file standing where one of its folders should be); returns whether it linked."""
    for attempt in (1, 2):
        try:
            os.link(source, target)
            return True
        except FileExistsError:
            break
        except (FileNotFoundError, NotADirectoryError):  # no folder yet, or a file in its place
            if attempt == 2 or not source.exists():
                raise
            _make_parent(target, root)
        except OSError:  # another file system, or one without hard links
            return _copy(source, target)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    try:
        os.link(source, temporary)
        linked = True
    except OSError:
        shutil.copy2(source, temporary)
        linked = False
    try:
        os.replace(temporary, target)
    except IsADirectoryError:  # a folder in the tree being brought up to date, a file now
        if root is None:
            temporary.unlink()
            raise
        shutil.rmtree(target)
        os.replace(temporary, target)
    return linked


def _copy(source: Path, target: Path) -> bool:
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.copy2(source, temporary)
    os.replace(temporary, target)
    return False


def _make_parent(target: Path, root: Path | None) -> None:
    """Make `target`'s folder; under `root`, a file standing where one of its folders should be is removed."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        if root is None:
            raise
        for folder in reversed(target.relative_to(root).parents[:-1]):
            if (root / folder).is_symlink() or (root / folder).is_file():
                (root / folder).unlink()
        target.parent.mkdir(parents=True, exist_ok=True)


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
    _swap_in(staging, target, old)
    remove_later([old])


def _swap_in(new: Path, target: Path, old: Path) -> None:
    """Put `new` at `target` and what was there at `old`: in one step where the kernel can swap the
    two names (a reader sees one or the other), else in two (for an instant there is no target)."""
    if _exchange(new, target):  # `new` now names the old one
        os.rename(new, old)
    else:
        os.rename(target, old)
        os.replace(new, target)


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
    """Wait until the folders handed to `remove_later` by this process are gone (and the site
    tree `site_tree` had copied in the background is whole)."""
    while _removals:
        _removals.pop().wait()


# --- the site: two lasting trees, the one not published brought up to date ------------------

TREES = ("a", "b")


class SiteTree:
    """One of the two site trees kept in the build folder, brought up to date by a build: every
    file of the new site is `put` (or `write`n) into it, and `finish` removes what was not.

    A file whose source is the one the tree holds already (the same device and inode: the tree's
    file is a hard link of it, which keeps that inode from being reused) is left alone, so a
    rebuild touches only what changed. What the tree holds is read from its manifest, written by
    `finish` and removed before the tree is changed; without one (a build killed or failed while
    changing it) the tree is read from the disk: a full pass, which repairs it."""

    def __init__(self, trees: Path, name: str):
        self.path = trees / name
        self._written = trees / "written"
        self._manifest = trees / f"{name}.manifest"
        self._put: dict[str, tuple[int, int]] = {}
        self._empty: list[str] = []  # folders found empty by a full pass
        try:
            self._had: dict[str, tuple[int, int]] = marshal.loads(self._manifest.read_bytes())
        except (FileNotFoundError, EOFError, ValueError, TypeError):
            self._had = self._scan()
        self._manifest.unlink(missing_ok=True)  # from here on the tree may be half changed

    def _scan(self) -> dict[str, tuple[int, int]]:
        found = {}
        self.path.mkdir(parents=True, exist_ok=True)
        for folder, dirs, files in os.walk(self.path):
            rel = os.path.relpath(folder, self.path)
            prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
            if not dirs and not files and prefix:
                self._empty.append(rel.replace(os.sep, "/"))
            for name in files + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
                info = os.lstat(os.path.join(folder, name))
                found[prefix + name] = (info.st_dev, info.st_ino)
        return found

    def put(self, rel: str, source: str | os.PathLike) -> None:
        """The site's file `rel` (a path under the site, with /) is `source`, a file that is never
        written into again (a cache's files are replaced by new ones, not rewritten). A string is
        the cheaper `source` for thousands of pages: a Path costs more to make than the check."""
        info = os.stat(source)
        identity = (info.st_dev, info.st_ino)
        if self._had.get(rel) != identity:
            target = self.path / rel
            if not _place(Path(source), target, self.path):  # a copy: it never matches a source
                info = os.lstat(target)
                identity = (info.st_dev, info.st_ino)
        self._put[rel] = identity

    def write(self, rel: str, data: bytes) -> None:
        """The site's file `rel` holds `data`: kept beside the trees, rewritten only when it changed."""
        kept = self._written / rel
        try:
            same = kept.read_bytes() == data
        except FileNotFoundError:
            same = False
        if not same:
            atomic_write_bytes(kept, data)
        self.put(rel, kept)

    def handed_over(self) -> dict[str, tuple[int, int]]:
        """What was put in this process since the last call: a forked worker returns it to the
        build, which `adopt`s it."""
        put, self._put = self._put, {}
        return put

    def adopt(self, put: dict[str, tuple[int, int]]) -> None:
        self._put.update(put)

    def finish(self) -> None:
        """Remove the files no longer in the site and the folders left empty; record what the tree holds."""
        folders = set()
        for rel in self._had.keys() - self._put.keys():
            path = self.path / rel
            if not path.is_dir() or path.is_symlink():  # a folder now holds what was put under it
                with contextlib.suppress(FileNotFoundError, NotADirectoryError):  # gone with its folder
                    path.unlink()
            folders.update(str(parent) for parent in Path(rel).parents[:-1])
        for rel in self._empty:
            folders.update(str(folder) for folder in [Path(rel), *Path(rel).parents[:-1]])
        for folder in sorted(folders, key=lambda name: name.count("/"), reverse=True):
            try:
                (self.path / folder).rmdir()
            except OSError:  # not empty (or gone)
                pass
        atomic_write_bytes(self._manifest, marshal.dumps(self._put))


def keep_unchanged(new: Path, old: Path) -> None:
    """Files under `new` that hold the bytes of the same file under `old` become hard links of it:
    MkDocs' fresh output then keeps the files a site tree holds where they did not change, and the
    tree has nothing to do for them."""
    for path in Path(new).rglob("*"):
        was = old / path.relative_to(new)
        try:
            if path.is_symlink() or not path.is_file() or was.stat().st_size != path.stat().st_size:
                continue
            if was.read_bytes() != path.read_bytes():
                continue
            temporary = path.with_name(f".{path.name}.kept")
            os.link(was, temporary)
        except OSError:  # not there, a folder, or no hard links here
            continue
        os.replace(temporary, path)


@contextmanager
def site_tree(trees: Path, published: Path):
    """Yield the site tree to bring up to date: of the two in `trees`, the one `published` (the
    site readers are served) does not lead to, else the one least recently finished. On success it
    is finished (ready to publish); after a failure it is left for the next build to repair.

    When the other tree is not whole (the first build, or one after a failure), it is made a copy
    of this one by links in a background process (`mirror_tree`), so that the next build, which
    waits for it, has only the changes to make there too."""
    trees = Path(trees).absolute()
    trees.mkdir(parents=True, exist_ok=True)
    served = os.path.realpath(published)
    free = [name for name in TREES if os.path.realpath(trees / name) != served]

    def finished(name: str) -> float:
        try:
            return (trees / f"{name}.manifest").stat().st_mtime
        except FileNotFoundError:
            return float("-inf")

    name = min(free, key=finished)
    with _tree_lock(trees, name, wait=True):  # a background mirror of this tree may still run
        tree = SiteTree(trees, name)
        yield tree
        tree.finish()
    other = next(other for other in TREES if other != name)
    if finished(other) == float("-inf") and os.path.realpath(trees / other) != served:
        _mirror_later(trees, name, other)


@contextmanager
def _tree_lock(trees: Path, name: str, wait: bool):
    """Held while a tree is changed (flock, freed by the kernel when its holder ends); yields the
    locked file descriptor, or None when another process holds it and `wait` is false."""
    fd = os.open(trees / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield None
            return
        yield fd
    finally:
        os.close(fd)


def _mirror_later(trees: Path, source: str, target: str) -> None:
    """`mirror_tree` in a process of its own, holding the target tree's lock, which goes on after this
    one ends, as the removals do; `wait_for_removals` waits for it too."""
    with _tree_lock(trees, target, wait=False) as lock:
        if lock is None:
            return
        package = str(Path(__file__).resolve().parent.parent)
        code = "import sys\nsys.path.insert(0, sys.argv[1])\nimport qingdan.atomic as a\na.mirror_tree(*sys.argv[2:])"
        _removals.append(
            subprocess.Popen(
                [sys.executable, "-c", code, package, str(trees), source, target],
                pass_fds=(lock,),  # the lock is held as long as the process lives
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )


def mirror_tree(trees: str, source: str, target: str) -> None:
    """Make the tree `target` hold what the finished tree `source` holds, its files linked."""
    trees_path = Path(trees)
    held = marshal.loads((trees_path / f"{source}.manifest").read_bytes())
    tree = SiteTree(trees_path, target)
    for rel in held:
        tree.put(rel, f"{trees}/{source}/{rel}")
    tree.finish()


def publish_site(site: Path, tree: Path) -> None:
    """Make `site` a relative symbolic link to `tree`, replacing what is there in one rename: a
    reader sees the old site or the new one. A real folder there (an older build's) is swapped
    for the link by the kernel where it can, and removed in the background."""
    site = Path(site).absolute()
    site.parent.mkdir(parents=True, exist_ok=True)
    for left in site.parent.glob(glob.escape(f".{site.name}.") + "*"):  # what a killed build left
        if left.is_symlink():
            left.unlink()
        elif left.name.startswith((f".{site.name}.old", f".{site.name}.staging.")):
            remove_later([left])
    target = os.path.relpath(os.path.realpath(tree), os.path.realpath(site.parent))
    if site.is_symlink() and os.readlink(site) == target:
        return
    token = os.urandom(4).hex()
    link, old = site.with_name(f".{site.name}.link-{token}"), site.with_name(f".{site.name}.old-{token}")
    os.symlink(target, link)
    if site.is_symlink() or not site.exists():
        os.replace(link, site)
        return
    _swap_in(link, site, old)
    remove_later([old])


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
    build_dir: Path  # lasting build folder: caches, site trees, generated site sources
    published: Path | None  # the site of the dist readers are served now, if any
    name: str = "dist"  # the dist's name: what in the build folder belongs to this dist alone is keyed by it


def keyed(build_dir: Path, base: str, dist_name: str) -> Path:
    """A folder of `build_dir` that belongs to one dist (its site trees, its site sources): `base` for the dist
    named `dist`, `base-<name>` for any other, so two dists in one folder never share (nor rewrite) a site tree."""
    return Path(build_dir) / (base if dist_name == "dist" else f"{base}-{dist_name}")


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
    The staging folder is renamed to that version, in the same folder: relative links inside it
    (its `site`, to a site tree of `build/site-trees/`) stay right. A real `dist/` folder from an
    older build (holding only `outputs`) is swapped for the symlink the same way. A lock on the
    build folder (flock, released by the kernel when the process ends, even by SIGKILL) stops a
    second build; it cleans what a killed build left.
    """
    dist = Path(dist)
    name = dist.name
    build_dir = build_folder(dist)
    build_dir.mkdir(parents=True, exist_ok=True)
    with _locked(build_dir, dist):
        current = _check_dist(dist, outputs)
        _remove_leftovers(build_dir, name, keep=current)
        staging = Path(tempfile.mkdtemp(dir=build_dir, prefix=f"{name}.staging-"))
        os.chmod(staging, 0o777 & ~_umask())  # it becomes the version readers are served
        token = staging.name.rsplit("-", 1)[1]
        version, link = build_dir / f"{name}.v-{token}", build_dir / f"{name}.link-{token}"
        published = (current if current is not None else dist) / "site"
        work = build_dir / f"{name}.work-{token}"
        stage = Stage(out=staging, work=work, build_dir=build_dir, published=published, name=name)
        try:
            stage.work.mkdir()
            yield stage
            os.rename(staging, version)
            _point(dist, version, link=link, aside=build_dir / f"{name}.old-{token}")
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            shutil.rmtree(version, ignore_errors=True)
            if link.is_symlink():
                link.unlink()
            raise
        finally:
            shutil.rmtree(stage.work, ignore_errors=True)
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
    for prefix in (f"{name}.staging-", f"{name}.work-", f"{name}.link-", f"{name}.old-", f"{name}.v-"):
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
