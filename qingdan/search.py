"""Chinese full-text search: the same segmentation for the index and for the query.

SQLite's tokenizers cannot find a two-character word inside a run of Chinese characters
(unicode61 takes the whole run as one token; trigram needs three characters). So text is
segmented here into space-separated tokens: jieba's search-mode words plus every pair of
adjacent Chinese characters, which makes any two-character word findable.

A question is asked twice (see `fts_query`): first every word of it must be there (`all`:
each word as character pairs that cover it, so it matches however jieba cut the indexed
text), then any of its words may be (`any`: jieba's words, with character pairs only where
jieba knows no word, so 两病 still matches). Both are ranked by bm25. A word that names a
place (三亚, 长治) also stands for every record of that region.

Everyday words are searched with the terms the lists print for them: the short forms of
ABBREVIATIONS, and the registry's thesaurus (`registry/thesaurus.yaml`, `qingdan.thesaurus`): a
question is first cut at the thesaurus's words (生孩子, 打零工: `thesaurus.spot`, as the site search
cuts it), then by jieba; each such word is found through its terms (生育, 灵活就业) and ranks as
the word itself would (`forms`).

A list printed in traditional characters (行政權力名稱, 醫療保障) is indexed with its text converted
to simplified ones as well (`simplified`, OpenCC's t2s), so the simplified query 医疗保障 finds it;
the text shown stays as printed.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from .segmenter import jieba

_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[\w\u3400-\u9fff]+")


@cache
def t2s_converter():
    """OpenCC's traditional → simplified converter, built once, on first use (its dictionaries load in ~5 ms)."""
    import opencc

    return opencc.OpenCC("t2s")


def simplified(text: str | None) -> str | None:
    """`text` in simplified characters (OpenCC t2s, phrases included: 醫療保障 → 医疗保障), or None where
    that is `text` itself (a list printed in simplified characters, most of them)."""
    if not text:
        return None
    converted = t2s_converter().convert(text)
    return converted if converted != text else None


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


# Short forms and everyday words people type, with the terms the lists print (both are searched).
ABBREVIATIONS = {
    "医保": ("医疗保障", "医疗保险"),
    "社保": ("社会保险",),
    "医保局": ("医疗保障局",),
    "社保卡": ("社会保障卡",),
    "慢特病": ("慢性病", "特殊疾病"),
    "公司": ("单位", "企业"),
    "员工": ("职工", "人员"),
    "看病": ("就医",),
    "外地": ("异地",),
    "生孩子": ("生育",),
    "报账": ("报销",),
    "老婆": ("配偶",),
    "妻子": ("配偶",),
    "丈夫": ("配偶",),
    # single characters people use for what the lists write in two
    "查": ("查询",),
    "交": ("缴纳", "缴费"),
    "退": ("退还", "清退"),
    "转": ("转移", "转入", "转出"),
    "告": ("投诉", "举报"),
}


_SERVED_FORMS: dict[str, tuple[str, ...]] | None = None  # the served database's thesaurus (`use_thesaurus`)


def use_thesaurus(forms: dict[str, tuple[str, ...]] | None) -> None:
    """Search with the thesaurus the database was built from (its `thesaurus` table), not the checkout's: a
    Datasette instance serves what the build wrote, whatever registry that was (None: the checkout's again)."""
    global _SERVED_FORMS
    _SERVED_FORMS = None if forms is None else {word: tuple(terms) for word, terms in forms.items()}
    for cached in (_longest_word, _concepts, fts_query, _match_pattern, _same_word):
        cached.cache_clear()


def thesaurus_forms() -> dict[str, tuple[str, ...]]:
    """The thesaurus's words and the terms each stands for: the served database's where one was given,
    else the checkout's registry (read once: `thesaurus.default_forms`)."""
    if _SERVED_FORMS is not None:
        return _SERVED_FORMS
    from .thesaurus import default_forms

    return default_forms()


def forms(word: str) -> tuple[str, ...]:
    """The terms an everyday word stands for: its full forms (ABBREVIATIONS), then the thesaurus's."""
    found = ABBREVIATIONS.get(word, ())
    extra = thesaurus_forms().get(word)
    return tuple(dict.fromkeys(found + extra)) if extra else found


def query_tokens(query: str) -> list[str]:
    """A query's words: jieba's words of two or more characters, and character pairs only where
    jieba fell back to single characters (a word it does not know, such as 两病)."""
    words = []
    for piece in _single_runs(query):
        if piece in ABBREVIATIONS and len(piece) == 1:
            words.append(piece)
        elif _CJK_RUN.fullmatch(piece) and len(piece) > 1 and piece not in jieba.dt.FREQ:
            words.extend(_bigrams(piece))
        elif _WORD.fullmatch(piece) and (len(piece) > 1 or not _CJK_RUN.fullmatch(piece)):
            words.extend(w for w in jieba.cut_for_search(piece) if len(w) > 1)
    words.extend(full for word in list(words) for full in ABBREVIATIONS.get(word, ()))
    return [w for w in dict.fromkeys(words) if len(w) > 1 or w not in ABBREVIATIONS]


def _thesaurus_pieces(query: str) -> list[tuple[str, bool]]:
    """The question cut at the thesaurus's words (True), the rest between them (False)."""
    from .thesaurus import spot

    table = thesaurus_forms()
    return spot(query, table, skip=(), longest=_longest_word()) if table else [(query, False)]


@cache
def _longest_word() -> int:
    return max(map(len, thesaurus_forms()), default=0)


# Words that say how a question is asked, not what it is about: left out when every word must match.
FILLER = frozenset(
    "怎么 怎样 如何 哪里 哪儿 在哪 哪个 哪些 什么 谁来 找谁 我想 想要 需要 可以 能否 是否 办理 手续 负责 部门 单位 "
    "请问 一下 的话 多少 有没有 能不能 岗位 科室 去哪".split()
)
NOTHING = '""'


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _all_pairs(word: str) -> str:
    """A word as an FTS5 expression: a long Chinese word as character pairs that cover it
    (医疗保障 → 医疗 AND 保障): found however jieba cut the indexed text, and each pair is one
    more list that bm25 scans to weigh it, so no more pairs than cover the word."""
    if not (_CJK_RUN.fullmatch(word) and len(word) > 2):
        return _quote(word)
    starts = [*range(0, len(word) - 1, 2), len(word) - 2]
    return "(" + " AND ".join(_quote(word[i : i + 2]) for i in dict.fromkeys(starts)) + ")"


def _single_runs(query: str) -> list[str]:
    """jieba's words, with runs of characters it left single joined, and split again at a single
    character that is a word people use (查, 交 …: see ABBREVIATIONS)."""
    pieces, run = [], ""
    cut = [
        piece for part, is_word in _thesaurus_pieces(query) for piece in ([part] if is_word else list(jieba.cut(part)))
    ]
    for piece in cut + [" "]:
        piece = piece.strip()
        if len(piece) == 1 and _CJK_RUN.fullmatch(piece):
            if piece in ABBREVIATIONS:
                pieces += [run, piece] if run else [piece]
                run = ""
            else:
                run += piece
            continue
        pieces += [run, piece] if run else [piece]
        run = ""
    return [p for p in pieces if p]


def query_concepts(query: str) -> list[str]:
    """The question's words as jieba cuts them (runs of single characters joined), fillers left out."""
    return list(_concepts(query))


@lru_cache(maxsize=4096)
def _concepts(query: str) -> tuple[str, ...]:
    """`query_concepts`, worked out once a question (found_by asks for each row returned)."""
    concepts = [
        piece
        for piece in _single_runs(query)
        if _WORD.fullmatch(piece) and (len(piece) > 1 or not _CJK_RUN.fullmatch(piece) or piece in ABBREVIATIONS)
    ]
    return tuple(c for c in dict.fromkeys(concepts) if c not in FILLER)


def _region_filter(region: str) -> str | None:
    """`region_seg : (…)` for a region code (2, 4 or 6 digits) or name; NOTHING when unknown; None when empty."""
    region = (region or "").strip()
    if not region:
        return None
    codes = region_codes(region)
    if not codes:
        return NOTHING
    return _in_regions(codes)


def _in_regions(codes) -> str:
    return "region_seg : (" + " OR ".join(f"r{c}" for c in codes) + ")"


def _place_codes(concept: str) -> tuple[str, ...]:
    """A word of the question that names a place (三亚, 长治市): its region codes, else nothing."""
    if not _CJK_RUN.fullmatch(concept) or len(concept) < 2:
        return ()
    return tuple(region_codes(concept))


@lru_cache(maxsize=4096)
def region_codes(region: str) -> list[str]:
    """Six-digit codes a region filter stands for: a code padded with zeros, or the regions of that name."""
    from .regions import regions

    region = region.strip()
    if re.fullmatch(r"\d{2}|\d{4}|\d{6}", region):
        return [region.ljust(6, "0")]
    names = {r.code: r.name for r in regions().values() if r.current}
    exact = [code for code, name in names.items() if name == region]
    return exact or sorted(code for code, name in names.items() if name.startswith(region) and len(region) >= 2)


def region_tokens(code: str | None) -> str:
    """Index tokens for a record's region and the regions above it (r140423 r140400 r140000)."""
    if not code:
        return ""
    return " ".join(dict.fromkeys(f"r{c}" for c in (code, code[:4] + "00", code[:2] + "0000")))


@lru_cache(maxsize=4096)
def fts_query(query: str | None, region: str | None = "", mode: str = "any") -> str:
    """An FTS5 MATCH expression for a question in a person's words ('""' matches nothing).

    mode `all`: every word (or one of its full forms, 医保 → 医疗保障) must be there;
    mode `any`: any word may be. `region` keeps records of that region (code or name)."""
    query = query or ""
    # A place named in the question also stands for every record of that region.
    places = [codes for concept in query_concepts(query) if (codes := _place_codes(concept))]
    if mode == "all":
        groups = []
        for concept in query_concepts(query):
            alternatives = [_all_pairs(f) for f in (concept, *forms(concept))]
            if codes := _place_codes(concept):
                alternatives.append(_in_regions(codes))
            groups.append("(" + " OR ".join(alternatives) + ")" if len(alternatives) > 1 else alternatives[0])
        expression = " AND ".join(groups)
    else:
        words = [_quote(t) for t in query_tokens(query) or tokens(query)]
        # the thesaurus's terms, as pairs that cover them (jieba may not know 灵活就业 as one word)
        table = thesaurus_forms()
        terms = [_all_pairs(t) for c in query_concepts(query) if c in table for t in table[c] if _quote(t) not in words]
        expression = " OR ".join(dict.fromkeys(words + terms + [_in_regions(codes) for codes in places]))
    if not expression:
        return NOTHING
    region_filter = _region_filter(region or "")
    if region_filter == NOTHING:
        return NOTHING
    return f"({expression}) AND {region_filter}" if region_filter else expression


@lru_cache(maxsize=1024)
def _match_pattern(query: str) -> re.Pattern | None:
    """The question's words and their full forms, longest first, as one pattern."""
    words = {*query_concepts(query), *query_tokens(query)}
    words |= {full for word in list(words) for full in forms(word)}
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE)


@lru_cache(maxsize=1024)
def _same_word(query: str) -> dict[str, str]:
    """A thesaurus term of the question → the word of the question it stands for (生育 → 生孩子), so that
    a line holding the word and one holding its term count the same in a snippet."""
    table = thesaurus_forms()
    return {term.lower(): c.lower() for c in _concepts(query) for term in table.get(c, ())}


@lru_cache(maxsize=1024)
def _concept_forms(query: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(form.lower() for form in (concept, *forms(concept))) for concept in query_concepts(query))


@lru_cache(maxsize=1024)
def _concept_patterns(query: str) -> tuple[tuple[re.Pattern, ...], bool]:
    """Each of the question's words as one pattern of its forms (one C-level search a text instead
    of a Python loop over the forms), and whether texts must be lowercased to compare: only when a
    word has letters with a case (Chinese and digits have none, so no copy of each text is made)."""
    concepts = _concept_forms(query)
    patterns = tuple(re.compile("|".join(map(re.escape, forms))) for forms in concepts)
    return patterns, any(form != form.upper() for forms in concepts for form in forms)


TITLE_HITS = 1_000_000  # rank_key = title hits × this + score (a score stays far below it)


def rank_key(query: str | None, title: str | None, body: str | None, *about: str | None) -> int:
    """How well a record answers the question, in one number, called once a row (the question's
    words are worked out once, cached): `rank_key // TITLE_HITS` is how many of the question's words
    (in any of their forms) the title holds, so a record named by the question comes before one that
    only mentions its words; `rank_key % TITLE_HITS` scores each word 5 in the title, else 2 in the
    units, people, phones or channels, else 1 in the body: a ranking that costs a few substring tests
    a row, where bm25 first counts every record holding each word (most of the time at 1,000,000
    records)."""
    patterns, fold = _concept_patterns(query or "")
    if not patterns:
        return 0
    title = title or ""
    if fold:
        title = title.lower()
    hits = score = 0
    about_text = body_text = None
    for pattern in patterns:
        if pattern.search(title):
            hits += 1
            score += 5
            continue
        if about_text is None:
            about_text = " ".join(filter(None, about))
            about_text = about_text.lower() if fold else about_text
        if pattern.search(about_text):
            score += 2
            continue
        if body_text is None:
            body_text = (body or "").lower() if fold else body or ""
        if pattern.search(body_text):
            score += 1
    return hits * TITLE_HITS + score


SNIPPET_LENGTH = 80


def snippet(query: str | None, *texts: str | None) -> str | None:
    """The line of the record's original text that holds most of the question's words, cut to
    about 80 characters around the first of them: why the record answers the question.
    `texts` go from the most telling (the body) to the least (the title); the earlier wins a tie."""
    pattern = _match_pattern(query or "")
    if pattern is None:
        return None
    best, best_score = None, 0
    same = _same_word(query or "")
    for text in texts:
        if not text or not pattern.search(text):  # most of a row's texts hold none of the words
            continue
        for line in text.splitlines():
            found = {match.lower() for match in pattern.findall(line)}
            score = len({same.get(m, m) for m in found}) if same else len(found)
            if score > best_score:
                best, best_score = line.strip(), score
    if best is None or len(best) <= SNIPPET_LENGTH:
        return best
    start = max(0, pattern.search(best).start() - SNIPPET_LENGTH // 4)
    end = start + SNIPPET_LENGTH
    return ("…" if start else "") + best[start:end] + ("…" if end < len(best) else "")


def found_by(query: str | None, *texts: str | None) -> str | None:
    """How a record was found through the thesaurus, for people to see: 按“生孩子”找到“生育” for each
    everyday word of the question that the record's texts do not hold but one of its terms they do."""
    table = thesaurus_forms()
    notes = []
    text = None
    for concept in _concepts(query or ""):
        terms = table.get(concept)
        if not terms:
            continue
        text = "\n".join(filter(None, texts)) if text is None else text
        if concept in text:
            continue
        held = next((term for term in terms if term in text), None)
        if held:
            notes.append(f"按“{concept}”找到“{held}”")
    return "；".join(notes) or None
