"""Chinese full-text search: the same segmentation for the index and for the query.

SQLite's tokenizers cannot find a two-character word inside a run of Chinese characters
(unicode61 takes the whole run as one token; trigram needs three characters). So text is
segmented here into space-separated tokens: jieba's search-mode words plus every pair of
adjacent Chinese characters, which makes any two-character word findable. A query goes
through the same function and its tokens are OR-ed, ranked by bm25: the best match first.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import jieba

jieba.setLogLevel(logging.WARNING)

_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[\w\u3400-\u9fff]+")


def _bigrams(text: str) -> list[str]:
    out = []
    for run in _CJK_RUN.findall(text):
        out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out


def tokens(text: str) -> list[str]:
    """Words (jieba, search mode) and Chinese character pairs, in order, without duplicates."""
    if not text:
        return []
    words = [w.strip() for w in jieba.cut_for_search(text) if _WORD.fullmatch(w.strip() or " ")]
    seen, out = set(), []
    for token in words + _bigrams(text):
        if token not in seen:
            seen.add(token)
            out.append(token)
    return out


def index_text(text: str | None) -> str:
    """The text as stored in the full-text index."""
    return " ".join(tokens(text or ""))


@lru_cache(maxsize=4096)
def fts_query(query: str | None) -> str:
    """An FTS5 MATCH expression for a query in a person's words ('' matches nothing)."""
    parts = [t for t in tokens(query or "") if len(t) > 1 or not _CJK_RUN.fullmatch(t)]
    if not parts:
        parts = tokens(query or "")
    if not parts:
        return '""'
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in parts)
