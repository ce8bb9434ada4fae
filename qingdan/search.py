"""Chinese full-text search: the same segmentation for the index and for the query.

SQLite's tokenizers cannot find a two-character word inside a run of Chinese characters
(unicode61 takes the whole run as one token; trigram needs three characters). So text is
segmented here into space-separated tokens: jieba's search-mode words plus every pair of
adjacent Chinese characters, which makes any two-character word findable. A query is cut
into jieba's words, with character pairs only where jieba knows no word (so 两病 still
matches); its tokens are OR-ed and ranked by bm25: the best match first.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import jieba

jieba.setLogLevel(logging.WARNING)

_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[\w\u3400-\u9fff]+")


def load_segmenter() -> None:
    """Load jieba's dictionary now (about 0.7 s), so no query pays for it inside its time limit."""
    jieba.initialize()
    fts_query("异地就医")


def _bigrams(text: str) -> list[str]:
    out = []
    for run in _CJK_RUN.findall(text):
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
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


# Short forms people type for the full terms the lists print (both are searched).
ABBREVIATIONS = {
    "医保": ("医疗保障", "医疗保险"),
    "社保": ("社会保险",),
    "医保局": ("医疗保障局",),
    "社保卡": ("社会保障卡",),
    "慢特病": ("慢性病", "特殊疾病"),
}


def query_tokens(query: str) -> list[str]:
    """A query's words: jieba's words of two or more characters, and character pairs only where
    jieba fell back to single characters (a word it does not know, such as 两病)."""
    words, singles = [], ""
    for piece in list(jieba.cut(query)) + [" "]:
        piece = piece.strip()
        if len(piece) == 1 and _CJK_RUN.fullmatch(piece):
            singles += piece
            continue
        words.extend(_bigrams(singles))
        singles = ""
        if piece and _WORD.fullmatch(piece) and (len(piece) > 1 or not _CJK_RUN.fullmatch(piece)):
            words.extend(w for w in jieba.cut_for_search(piece) if len(w) > 1)
    words.extend(full for word in list(words) for full in ABBREVIATIONS.get(word, ()))
    return list(dict.fromkeys(words))


@lru_cache(maxsize=4096)
def fts_query(query: str | None) -> str:
    """An FTS5 MATCH expression for a query in a person's words ('""' matches nothing)."""
    parts = query_tokens(query or "") or tokens(query or "")
    if not parts:
        return '""'
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in parts)
