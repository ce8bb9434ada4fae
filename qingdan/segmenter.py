"""jieba, the Chinese word segmenter, set up once for every module that cuts words.

jieba caches its parsed dictionary (about 9 MB) in a file it loads on first use. By default
that file is `jieba.cache` in the system's shared temporary folder, where another user could
plant one. Here it lives in a private folder instead: the user's cache folder
(`settings().cache / "jieba"`), or `build/cache/jieba` while a build runs (`cache_in`).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import jieba

from .settings import settings

jieba.setLogLevel(logging.WARNING)


def private_folder(folder: Path) -> Path:
    """`folder`, created readable by its owner only if it did not exist."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _user_cache() -> str:
    try:
        return str(private_folder(settings().cache / "jieba"))
    except OSError:  # no writable home: a fresh private folder, never the shared one
        return tempfile.mkdtemp(prefix="qingdan-jieba-")


@contextmanager
def cache_in(folder: Path) -> Iterator[None]:
    """jieba's cache in `folder` for the duration (the build's, reused by the next build)."""
    saved = jieba.dt.tmp_dir
    jieba.dt.tmp_dir = str(private_folder(folder))
    try:
        yield
    finally:
        jieba.dt.tmp_dir = saved


jieba.dt.tmp_dir = _user_cache()
