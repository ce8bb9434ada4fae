"""Reading the files a registry holds or names, confined to their folder and bounded in size.

Registry files are untrusted: a document's `file:` may say `/etc/passwd`, `../../x`, `/dev/zero`
or a symbolic link out of `sources/`; a YAML file may be a FIFO or a link to a secret. Only
regular files inside the expected folder are read, never more than a set size.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path, PurePosixPath

MAX_YAML_BYTES = 10_000_000  # the largest registry file is ~35 KB
MAX_SOURCE_BYTES = 20_000_000  # the largest source text is ~30 KB
MAX_ORIGINAL_BYTES = 200_000_000  # an original .docx, .xlsx or .pdf as published


class UnsafeFile(Exception):
    """A file that must not be read; `code` is the error code reported for it."""

    def __init__(self, code: str, message: str, line: int = 1):
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line


def confined_path(folder: Path, name: str) -> Path:
    """`folder/name` with links resolved, refusing names and links that lead out of `folder`."""
    if not name or "\0" in name:
        raise UnsafeFile("unsafe_path", "the file name is empty or contains a NUL character")
    pure = PurePosixPath(name)
    if pure.is_absolute():
        raise UnsafeFile("unsafe_path", f"{name!r} is an absolute path; name a file inside {folder.name}/")
    if ".." in pure.parts:
        raise UnsafeFile("unsafe_path", f"{name!r} goes up with '..'; name a file inside {folder.name}/")
    if not pure.parts:
        raise UnsafeFile("unsafe_path", f"{name!r} names the folder {folder.name}/ itself, not a file in it")
    if os.path.islink(folder):
        raise UnsafeFile("unsafe_path", f"{folder.name}/ is a symbolic link; it must be a folder of the registry")
    real_folder = os.path.realpath(folder)
    real = os.path.realpath(os.path.join(real_folder, *pure.parts))
    if real == real_folder or os.path.commonpath([real, real_folder]) != real_folder:
        raise UnsafeFile("unsafe_path", f"{name!r} is a symbolic link to a file outside {folder.name}/")
    return Path(real)


def _owned_here(info: os.stat_result, path: Path) -> bool:
    """The opened file belongs to the user running qingdan or to the owner of its folder (a checkout owned by
    another account is fine; a file of root's or a stranger's placed in one is not)."""
    if info.st_uid == os.geteuid():
        return True
    try:
        return info.st_uid == os.stat(Path(path).parent).st_uid
    except OSError:
        return False


def _open_regular(path: Path, limit: int, what: str):
    """A binary handle on a regular file of at most `limit` bytes; UnsafeFile for anything else."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOFOLLOW: `path` is resolved
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UnsafeFile("missing_path", f"{what} does not exist") from None
    except IsADirectoryError:
        raise UnsafeFile("unsafe_path", f"{what} is a folder, not a file") from None
    except OSError as exc:
        raise UnsafeFile("unsafe_path", f"{what} cannot be read: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise UnsafeFile("unsafe_path", f"{what} is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFile("unsafe_path", f"{what} is not a regular file (a device, FIFO or socket)")
        if info.st_nlink > 1:  # another name for the same file, possibly outside the registry (/etc/passwd)
            raise UnsafeFile(
                "unsafe_path",
                f"{what} is a hard link ({info.st_nlink} names for one file); copy the file instead of linking it",
            )
        if not _owned_here(info, path):
            raise UnsafeFile(
                "unsafe_path",
                f"{what} belongs to another user (uid {info.st_uid}) than its folder and the one running qingdan",
            )
        if info.st_size > limit:
            raise UnsafeFile("too_large", f"{what} is too large ({info.st_size:,} bytes; at most {limit:,})")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_text(path: Path, limit: int, what: str) -> str:
    """The UTF-8 text of a regular file of at most `limit` bytes (`what` names it in errors)."""
    with _open_regular(path, limit, what) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise UnsafeFile("too_large", f"{what} is too large (more than {limit:,} bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise UnsafeFile(
            "encoding",
            f"{what} is not UTF-8 text (byte 0x{data[exc.start]:02X} on line {line}; if it is GBK, save it as UTF-8)",
            line=line,
        ) from None


def file_sha256(path: Path, limit: int, what: str) -> str:
    """SHA-256 of a regular file of at most `limit` bytes, read in pieces."""
    digest, total = hashlib.sha256(), 0
    with _open_regular(path, limit, what) as handle:
        while piece := handle.read(1 << 20):
            total += len(piece)
            if total > limit:
                raise UnsafeFile("too_large", f"{what} is too large (more than {limit:,} bytes)")
            digest.update(piece)
    return digest.hexdigest()
